// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaFixture} from "./utils/ArenaFixture.sol";
import {RewardEngineHarness} from "./utils/RewardEngineHarness.sol";
import {RewardEngine} from "../src/RewardEngine.sol";
import {TaskParams} from "../src/lib/TaskTypes.sol";

/// @notice Checks that RewardEngine's work units bound real gas: every stage, measured at two
/// sizes, uses at most 1,000 gas per unit it charges. Run with `forge test --isolate` so every
/// call is its own transaction (cold storage), as on a real chain; `-vv` prints the
/// measurements used to calibrate the constants. Worst case: first epoch (fresh storage), stake
/// powers != 1, every pool delegated to, 16 canaries (the most an epoch may have), then fresh
/// non-zero snapshots when rolling epoch 1.
contract CalibrateTest is ArenaFixture {
    RewardEngineHarness harness;
    uint256 task;

    function deployEngine() internal override returns (RewardEngine) {
        harness = new RewardEngineHarness(registry, stakes, book);
        return harness;
    }

    function _setUpTask(uint256 n, uint256 m) internal {
        TaskParams memory p = defaultParams();
        (p.reward.alphaT, p.reward.alphaV) = (0.5e18, 0.7e18);
        task = createTask(p);
        address[] memory trainers = addrs("t", n);
        address[] memory validators = addrs("v", m);
        for (uint256 i; i < n; ++i) {
            joinTrainer(task, trainers[i], 10e18 + i * 1e18, 0.3e18);
            delegateTo(task, makeAddr(string.concat("dt", vm.toString(i))), trainers[i], 5e18);
        }
        for (uint256 j; j < m; ++j) {
            joinValidator(task, validators[j], 10e18 + j * 1e17, 0.6e18);
            delegateTo(task, makeAddr(string.concat("dv", vm.toString(j))), validators[j], 5e18);
        }
        uint256[][] memory scores = new uint256[][](m);
        for (uint256 j; j < m; ++j) {
            scores[j] = new uint256[](n);
            for (uint256 i; i < n; ++i) {
                scores[j][i] = uint256(keccak256(abi.encode(i, j))) % 10_001;
            }
        }
        bytes32 key = keccak256("calibration canaries");
        commitCanaryKey(task, 0, key);
        submitAllWithCanaries(task, 0, trainers, 16, key);
        scoreAll(task, 0, validators, scores);
        vm.prank(creator);
        assertEq(book.revealCanaries(task, key), (1 << 16) - 1);
        warpTo(task, 1, 0);
    }

    function _measure(uint256 units)
        internal
        returns (uint256 gasUsed, uint256 used, uint256 cursorBefore, uint256 cursorAfter)
    {
        cursorBefore = engine.progressOf(task).cursor;
        uint256 g = gasleft();
        RewardEngine.Stage before;
        RewardEngine.Stage next;
        (used, before, next) = harness.stepOnce(task, units);
        gasUsed = g - gasleft();
        cursorAfter = engine.progressOf(task).cursor;
        assertLe(gasUsed, used * 1000 + 100_000, "stage used more gas than its work units allow");
        emit log_string(string.concat(
                "stage ",
                vm.toString(uint256(before)),
                "->",
                vm.toString(uint256(next)),
                " cursor ",
                vm.toString(cursorBefore),
                "->",
                vm.toString(cursorAfter),
                " units ",
                vm.toString(used),
                " gas ",
                vm.toString(gasUsed)
            ));
    }

    function _stage() internal view returns (RewardEngine.Stage) {
        return engine.progressOf(task).stage;
    }

    /// @dev RewardEngine's units for k canaries of m validators (its constants, restated).
    function _canaryUnits(uint256 m, uint256 k) internal pure returns (uint256) {
        return 30 + m * 5 + k * (30 + (m * 2_050 + 999) / 1000);
    }

    function test_calibrate_256x512() public {
        _setUpTask(256, 512);
        // Delegations made during epoch 0 take effect in epoch 1: rolling them writes fresh
        // non-zero snapshots (rewards were booked by then), the costliest roll.
        warpTo(task, 0, 9000);
        address[] memory trainers = addrs("t", 256);
        address[] memory validators = addrs("v", 512);
        for (uint256 i; i < 256; ++i) {
            delegateTo(task, makeAddr(string.concat("et", vm.toString(i))), trainers[i], 1e18);
        }
        for (uint256 j; j < 512; ++j) {
            delegateTo(task, makeAddr(string.concat("ev", vm.toString(j))), validators[j], 1e18);
        }
        warpTo(task, 1, 0);

        emit log_string("roll 0 (100, 300 pools)");
        _measure(20 + 100 * 48);
        _measure(20 + 300 * 48);
        while (_stage() != RewardEngine.Stage.Prepare) _measure(100_000);
        emit log_string("prepare");
        _measure(100_000);
        emit log_string("load (100, 250 validators)");
        _measure(20 + 100 * 34);
        _measure(20 + 250 * 34);
        while (_stage() != RewardEngine.Stage.Canaries) _measure(100_000);
        // Units: CANARIES_BASE + m CANARIES_VALIDATOR + k (CANARIES_ITEM + m COLUMNS_WORD + m CANARY_CELL).
        emit log_string("canaries (2, then 4 of 16)");
        _measure(_canaryUnits(512, 2));
        _measure(_canaryUnits(512, 4));
        while (_stage() != RewardEngine.Stage.Columns) _measure(100_000);
        emit log_string("columns (budgets 8k, 16k, 30k)");
        _measure(8_000);
        _measure(16_000);
        _measure(30_000);
        while (_stage() != RewardEngine.Stage.Trainers) _measure(100_000);
        emit log_string("trainers (64, 128 columns)");
        _measure(60 + 256 * 20 + 64 * 72);
        _measure(60 + 256 * 20 + 128 * 72);
        while (_stage() != RewardEngine.Stage.Validators) _measure(100_000);
        emit log_string("validators (100, 200)");
        _measure(30 + 100 * 68);
        _measure(30 + 200 * 68);
        while (_stage() != RewardEngine.Stage.RollNext) _measure(100_000);
        emit log_string("roll 1 (100, 300 pools, fresh snapshots)");
        _measure(20 + 100 * 48);
        _measure(20 + 300 * 48);
        while (_stage() != RewardEngine.Stage.Start) _measure(100_000);
    }
}
