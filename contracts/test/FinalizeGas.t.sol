// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaFixture} from "./utils/ArenaFixture.sol";
import {TaskParams} from "../src/lib/TaskTypes.sol";
import {RewardEngine} from "../src/RewardEngine.sol";

/// @notice No finalization call may need more than 15,000,000 gas (EIP-7825 caps a transaction
/// at 16,777,216), up to the largest task the protocol admits: 256 trainers x 512 validators.
contract FinalizeGasTest is ArenaFixture {
    uint256 internal constant TX_GAS_CAP = 15_000_000;

    function _run(uint256 n, uint256 m, bool powers, uint256 epochs) internal returns (uint256 maxGas) {
        TaskParams memory p = defaultParams();
        if (powers) (p.reward.alphaT, p.reward.alphaV) = (0.5e18, 0.7e18);
        uint256 task = createTask(p);
        address[] memory trainers = addrs("t", n);
        address[] memory validators = addrs("v", m);
        for (uint256 i; i < n; ++i) {
            joinTrainer(task, trainers[i], 10e18 + i * 1e18, 0.3e18);
        }
        for (uint256 j; j < m; ++j) {
            joinValidator(task, validators[j], 10e18 + j * 1e17, 0.6e18);
            if (j % 3 == 0) delegateTo(task, makeAddr(string.concat("d", vm.toString(j))), validators[j], 5e18);
        }
        uint256[][] memory scores = new uint256[][](m);
        for (uint256 j; j < m; ++j) {
            scores[j] = new uint256[](n);
            for (uint256 i; i < n; ++i) {
                scores[j][i] = uint256(keccak256(abi.encode(i, j))) % 10_001;
            }
        }
        for (uint256 e; e < epochs; ++e) {
            submitAll(task, e, trainers);
            scoreAll(task, e, validators, scores);
            warpTo(task, e + 1, 0);
            bool done;
            uint256 calls;
            while (!done) {
                RewardEngine.Progress memory before = engine.progressOf(task);
                uint256 g = gasleft();
                (, done) = engine.finalize(task);
                g -= gasleft();
                RewardEngine.Progress memory afterP = engine.progressOf(task);
                emit log_named_uint(
                    string.concat(
                        "call ", vm.toString(calls), " stage ", vm.toString(uint256(before.stage)), "->",
                        vm.toString(uint256(afterP.stage)), " cursor ", vm.toString(uint256(before.cursor)), "->",
                        vm.toString(uint256(afterP.cursor))
                    ),
                    g
                );
                if (g > maxGas) maxGas = g;
                ++calls;
            }
        }
        assertLt(maxGas, TX_GAS_CAP);
    }

    function test_gas_256x512() public {
        _run(256, 512, false, 2);
    }

    function test_gas_256x512_powers() public {
        _run(256, 512, true, 1);
    }

    function test_gas_64x128() public {
        _run(64, 128, false, 1);
    }
}
