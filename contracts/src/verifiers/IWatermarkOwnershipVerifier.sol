// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Groth16 verifier of the WatermarkOwnership circuit (SPEC section 7, docs/zk.md).
/// Public signals, in order: wmCommit, keyCommit, owner (the address as uint160), maxErr. Every
/// signal must be below the BN254 scalar field modulus, or the proof is rejected. A Groth16 proof
/// can be re-randomized by anyone: key replay protection on the public signals (the claim), never
/// on the proof bytes.
interface IWatermarkOwnershipVerifier {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[4] calldata input)
        external
        view
        returns (bool);
}
