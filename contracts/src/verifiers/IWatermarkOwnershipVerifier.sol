// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Groth16 verifier of the WatermarkOwnership circuit (SPEC section 7, docs/zk.md).
/// Public signals, in order: wmCommit, keyCommit, owner (the address as uint160), maxErr. Every
/// signal must be below the BN254 scalar field modulus, or the proof is rejected. A Groth16 proof
/// can be re-randomized by anyone: key replay protection on the public signals (the claim), never
/// on the proof bytes.
interface IWatermarkOwnershipVerifier {
    /// @notice A verifier whose proving key comes from the development ceremony was deployed on a
    /// chain that is not a local development chain (31337, 1337). Its phase 2 is a public beacon,
    /// so anyone can recompute the toxic waste and forge a proof for any claim.
    error DevelopmentCeremonyOnPublicChain(uint256 chainId);

    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[4] calldata input
    ) external view returns (bool);

    /// @notice The trusted setup the verification key comes from (docs/zk.md section 4).
    /// @return development True for the development ceremony (public beacon: proofs are forgeable).
    /// @return description How phase 2 was made, as the build's manifest states it.
    /// @return zkeySha256 sha256 of the proving key (.zkey) the verification key was exported from.
    function ceremony() external pure returns (bool development, string memory description, bytes32 zkeySha256);
}
