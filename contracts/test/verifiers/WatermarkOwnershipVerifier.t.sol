// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";
import {WatermarkOwnershipVerifier} from "../../src/verifiers/WatermarkOwnershipVerifier.sol";
import {IWatermarkOwnershipVerifier} from "../../src/verifiers/IWatermarkOwnershipVerifier.sol";
import {WatermarkProofFixture} from "./WatermarkProofFixture.sol";

/// The generated verifier against a real proof of the production circuit (the fixture that
/// `npm run build:zk` writes): it accepts the proof, and rejects it for any other claim. It
/// records its trusted setup, and a development-ceremony verifier exists only on the local
/// development chains (docs/zk.md section 4).
contract WatermarkOwnershipVerifierTest is Test {
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    IWatermarkOwnershipVerifier internal verifier;

    function setUp() public {
        verifier = new WatermarkOwnershipVerifier();
    }

    function test_acceptsTheRealProof() public view {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c, uint256[4] memory input) =
            WatermarkProofFixture.proof();
        assertTrue(verifier.verifyProof(a, b, c, input));
    }

    function test_rejectsEveryTamperedPublicSignal() public view {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c, uint256[4] memory input) =
            WatermarkProofFixture.proof();
        for (uint256 i = 0; i < 4; i++) {
            uint256[4] memory other = input;
            other[i] = input[i] + 1;
            assertFalse(verifier.verifyProof(a, b, c, other), "a changed public signal must fail");
        }
    }

    function test_rejectsAnotherOwnerAndALargerTolerance() public view {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c, uint256[4] memory input) =
            WatermarkProofFixture.proof();
        input[2] = uint256(uint160(address(0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2)));
        assertFalse(verifier.verifyProof(a, b, c, input));
        (a, b, c, input) = WatermarkProofFixture.proof();
        input[3] = 9;
        assertFalse(verifier.verifyProof(a, b, c, input));
    }

    /// A signal plus the field modulus is the same field element; the verifier must refuse it
    /// rather than accept an alias of the proven claim.
    function test_rejectsASignalAliasedByTheFieldModulus() public view {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c, uint256[4] memory input) =
            WatermarkProofFixture.proof();
        input[3] = input[3] + R;
        assertFalse(verifier.verifyProof(a, b, c, input));
    }

    function test_rejectsATamperedProof() public view {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c, uint256[4] memory input) =
            WatermarkProofFixture.proof();
        // -A (y -> q - y) is still a curve point, so this reaches the pairing check and fails there.
        a[1] = Q - a[1];
        assertFalse(verifier.verifyProof(a, b, c, input));
        (a, b, c, input) = WatermarkProofFixture.proof();
        // Not a curve point: the precompile fails and the verifier returns false.
        c[0] = c[0] ^ 1;
        assertFalse(verifier.verifyProof(a, b, c, input));
        (a, b, c, input) = WatermarkProofFixture.proof();
        (b[0][0], b[0][1]) = (b[0][1], b[0][0]);
        assertFalse(verifier.verifyProof(a, b, c, input));
    }

    function test_ceremonyNamesTheProvingKey() public view {
        (bool development, string memory description, bytes32 zkeySha256) = verifier.ceremony();
        assertEq(development, WatermarkProofFixture.DEVELOPMENT_CEREMONY);
        assertEq(zkeySha256, WatermarkProofFixture.ZKEY_SHA256);
        assertGt(bytes(description).length, 20);
    }

    function test_deploysOnTheLocalDevelopmentChains() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c, uint256[4] memory input) =
            WatermarkProofFixture.proof();
        vm.chainId(1337);
        assertTrue(new WatermarkOwnershipVerifier().verifyProof(a, b, c, input));
        vm.chainId(31337);
        assertTrue(new WatermarkOwnershipVerifier().verifyProof(a, b, c, input));
    }

    /// A development key's toxic waste is public (its phase 2 is a beacon): such a verifier must
    /// not exist on any other chain. A verifier from an imported ceremony deploys anywhere.
    function testFuzz_developmentVerifierRefusesEveryOtherChain(uint64 chainId) public {
        vm.assume(chainId != 0 && chainId != 31337 && chainId != 1337);
        vm.chainId(chainId);
        if (WatermarkProofFixture.DEVELOPMENT_CEREMONY) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IWatermarkOwnershipVerifier.DevelopmentCeremonyOnPublicChain.selector, uint256(chainId)
                )
            );
            new WatermarkOwnershipVerifier();
        } else {
            assertGt(address(new WatermarkOwnershipVerifier()).code.length, 0);
        }
    }

    function test_developmentVerifierRefusesBaseSepolia() public {
        vm.chainId(84532);
        if (WatermarkProofFixture.DEVELOPMENT_CEREMONY) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IWatermarkOwnershipVerifier.DevelopmentCeremonyOnPublicChain.selector, uint256(84532)
                )
            );
        }
        new WatermarkOwnershipVerifier();
    }

    function test_verificationGas() public {
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c, uint256[4] memory input) =
            WatermarkProofFixture.proof();
        uint256 before = gasleft();
        bool ok = verifier.verifyProof(a, b, c, input);
        uint256 used = before - gasleft();
        assertTrue(ok);
        emit log_named_uint("verifyProof gas (call from a contract)", used);
        assertLt(used, 300_000);
    }
}
