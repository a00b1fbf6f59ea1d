// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {ArenaTest} from "./utils/ArenaTest.sol";
import {RewardEngine} from "../src/RewardEngine.sol";
import {TaskRegistry} from "../src/TaskRegistry.sol";
import {TaskParams} from "../src/lib/TaskTypes.sol";

/// @notice The consensus of docs/reward-math.md revision 2 in the engine, against expectations
/// computed by hand from that page: stake-weighted lower medians (ties, even splits), the canary
/// pre-pass (a failed canary zeroes a validator's epoch, a void one changes nothing, canaries
/// take no rank and no part of T or of the best score), the tolerance and zero columns, the
/// qualifying rule, the rollover of unearned shares and minValidators.
/// Validators that are within tolerance score exactly the median here (D = 0), so their column
/// weights are their stakes and every expected pool is a plain fraction of R_V; the shift of
/// step 4 costs at most a wei per pool.
contract ConsensusTest is ArenaTest {
    uint256 internal constant R0 = 1000e18;
    uint256 internal constant GAMMA = 0.7e18;
    bytes32 internal constant KEY = keccak256("canary key, epoch 0");

    uint256 internal task;
    address internal tA = makeAddr("trainerA");
    address internal tB = makeAddr("trainerB");
    address internal tK = makeAddr("creatorProbe");
    address internal v0 = makeAddr("v0");
    address internal v1 = makeAddr("v1");
    address internal v2 = makeAddr("v2");

    // ---------------------------------------------------------------- helpers

    function _task(uint64 tolV, uint16 floorBps, uint64 minScore, uint16 minValidators) internal {
        TaskParams memory p = defaultParams();
        (p.reward.tolV, p.reward.floorBps, p.reward.minScore, p.reward.minValidators) =
        (tolV, floorBps, minScore, minValidators);
        task = createTask(p);
    }

    /// @dev tA, tB (100 each) and the creator's probe account tK (1000, so that counting it in T
    /// would show); validators v0, v1, v2 with 100, 200, 250 (S = 550). Sigma 1 everywhere.
    function _cast() internal {
        joinTrainer(task, tA, 100e18, 1e18);
        joinTrainer(task, tB, 100e18, 1e18);
        joinTrainer(task, tK, 1000e18, 1e18);
        joinValidator(task, v0, 100e18, 1e18);
        joinValidator(task, v1, 200e18, 1e18);
        joinValidator(task, v2, 250e18, 1e18);
    }

    /// @dev Epoch 0: tA, tB and tK (sealed with a canary salt when `canary`) reveal, columns 0, 1, 2.
    function _submit(bool canary) internal {
        vm.prank(creator);
        book.commitCanaries(task, 0, keccak256(abi.encode(KEY)));
        warpTo(task, 0, 100);
        bytes32 kSalt = canary ? book.canarySalt(task, 0, tK, KEY) : bytes32("k");
        vm.prank(tA);
        book.sealSubmission(task, sealHash(task, 0, tA, "A", "wm", "a"));
        vm.prank(tB);
        book.sealSubmission(task, sealHash(task, 0, tB, "B", "wm", "b"));
        vm.prank(tK);
        book.sealSubmission(task, sealHash(task, 0, tK, "K", "wm", kSalt));
        warpTo(task, 0, 5500);
        vm.prank(tA);
        book.revealSubmission(task, "A", "A", "wm", seeded(), "a");
        vm.prank(tB);
        book.revealSubmission(task, "B", "B", "wm", seeded(), "b");
        vm.prank(tK);
        book.revealSubmission(task, "K", "K", "wm", seeded(), kSalt);
    }

    function _three(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory out) {
        out = new uint256[](3);
        (out[0], out[1], out[2]) = (a, b, c);
    }

    function _vs() internal view returns (address[] memory out) {
        out = new address[](3);
        (out[0], out[1], out[2]) = (v0, v1, v2);
    }

    /// @dev Scores: rows are v0, v1, v2; columns A, B, K.
    function _score(uint256[] memory s0, uint256[] memory s1, uint256[] memory s2, bool revealCanaries) internal {
        uint256[][] memory scores = new uint256[][](3);
        (scores[0], scores[1], scores[2]) = (s0, s1, s2);
        scoreAll(task, 0, _vs(), scores);
        if (revealCanaries) {
            vm.prank(creator);
            assertEq(book.revealCanaries(task, KEY), 1 << 2, "column 2 is the canary");
        }
        warpTo(task, 1, 0);
    }

    function _finalize() internal returns (Vm.Log[] memory logs) {
        vm.recordLogs();
        finalizeEpoch(task);
        logs = vm.getRecordedLogs();
    }

    function _scored(Vm.Log[] memory logs)
        internal
        view
        returns (uint256 rT, uint256 rV, uint256 qualified, uint256 columns, uint256 m)
    {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(engine) && logs[i].topics[0] == RewardEngine.EpochScored.selector) {
                (, rT, rV, qualified, columns, m) =
                    abi.decode(logs[i].data, (uint256, uint256, uint256, uint256, uint256, uint256));
                return (rT, rV, qualified, columns, m);
            }
        }
        revert("EpochScored missing");
    }

    function _finalized(Vm.Log[] memory logs)
        internal
        view
        returns (uint256 booked, uint256 rollover, bool degenerate)
    {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(engine) && logs[i].topics[0] == RewardEngine.EpochFinalized.selector) {
                return abi.decode(logs[i].data, (uint256, uint256, bool));
            }
        }
        revert("EpochFinalized missing");
    }

    // ================================================================ medians

    /// @dev Column A: 0.5 (v0), 0.5 (v1), 0.9 (v2): half the stake (275 of 550) is reached inside
    /// the tied 0.5s. Column B: v1's 0.1 (200) is under half, with v2's 0.7 (450) it is over.
    /// Column K (not a canary here): all three tie at 0.3.
    function test_median_tiesAndStakeWeights() public {
        _task(1e18, 0, 0, 1);
        _cast();
        _submit(false);
        _score(_three(5000, 9000, 3000), _three(5000, 1000, 3000), _three(9000, 7000, 3000), false);
        TrainerEv[] memory te = trainerEvents(_finalize());
        assertEq(te.length, 3);
        assertEq(findTrainer(te, tA).aggregate, 0.5e18);
        assertEq(findTrainer(te, tB).aggregate, 0.7e18);
        assertEq(findTrainer(te, tK).aggregate, 0.3e18);
        assertEq(findTrainer(te, tB).rank, 1);
        assertEq(findTrainer(te, tA).rank, 2);
        assertEq(findTrainer(te, tK).rank, 3);
    }

    /// @dev Exactly half the stake below: the lower score is the median (2 * 275 >= 550).
    function test_median_exactHalfTakesTheLowerScore() public {
        _task(1e18, 0, 0, 1);
        joinTrainer(task, tA, 100e18, 1e18);
        joinValidator(task, v0, 275e18, 1e18);
        joinValidator(task, v1, 275e18, 1e18);
        submitAll(task, 0, one(tA));
        scoreAll(task, 0, two(v0, v1), rows(row(6000), row(4000)));
        warpTo(task, 1, 0);
        TrainerEv[] memory te = trainerEvents(_finalize());
        assertEq(te[0].aggregate, 0.4e18);
    }

    // ================================================================ canaries and tolerance

    /// @dev tolV 0.01. Canary K: v0, v1 say 0.6, v2 0.2: median 0.6 (v2's 250 is under half),
    /// agreeing stake 300 of 550: valid, v2 fails. Column A: all 0.8, v2's weight is 0 all the
    /// same. Column B: 0.4, 0.9, 0.5: median 0.5 is v2's score, v0 and v1 are out of tolerance and
    /// v2 failed: a zero column, its third of R_V rolls over.
    function test_canary_failedValidatorEarnsNothingAndZeroColumnRollsOver() public {
        _task(0.01e18, 5000, 0, 3);
        _cast();
        _submit(true);
        _score(_three(8000, 4000, 6000), _three(8000, 9000, 6000), _three(8000, 5000, 2000), true);
        Vm.Log[] memory logs = _finalize();

        CanaryEv[] memory ce = canaryEvents(logs);
        assertEq(ce.length, 1);
        assertEq(ce[0].submissionId, 2);
        assertEq(ce[0].aggregate, 0.6e18);
        assertEq(ce[0].agreeingStake, 300e18);
        assertTrue(ce[0].valid);

        // Canaries are not ranked and their stake is not in T: T = 200, S = 550.
        (uint256 rT, uint256 rV, uint256 qualified, uint256 columns, uint256 m) = _scored(logs);
        assertEq(rT, expectedRT(R0, 200e18, 550e18, GAMMA));
        assertEq(rV, R0 - rT);
        assertEq(qualified, 2);
        assertEq(columns, 3);
        assertEq(m, 3);
        TrainerEv[] memory te = trainerEvents(logs);
        assertEq(te.length, 2);
        assertEq(findTrainer(te, tA).pool, (rT * 100) / 185);
        assertEq(findTrainer(te, tB).pool, (rT * 85) / 185);
        assertEq(findTrainer(te, tB).aggregate, 0.5e18);

        // A_v0 = 1/3 (A) + 1/3 (K), A_v1 = 2/3 + 2/3, A_v2 = 0; n = 3 columns.
        ValidatorEv[] memory ve = validatorEvents(logs);
        assertApproxEqAbs(findValidator(ve, v0).pool, (rV * 2) / 9, 2);
        assertApproxEqAbs(findValidator(ve, v1).pool, (rV * 4) / 9, 2);
        assertEq(findValidator(ve, v2).pool, 0);
        assertTrue(findValidator(ve, v2).failedCanary);
        assertFalse(findValidator(ve, v0).failedCanary);
        assertEq(ownRewards(task, v2), 0);

        (uint256 booked, uint256 rollover, bool degenerate) = _finalized(logs);
        assertFalse(degenerate);
        assertEq(rollover, rV / 3);
        TaskRegistry.Task memory t = registry.getTask(task);
        assertEq(t.carry, rV / 3);
        assertEq(registry.epochBudget(task), R0 + rV / 3);
        assertEq(t.paid, booked);
        assertLe(booked + rollover, R0);
        assertLe(R0 - booked - rollover, 5, "dust");
        assertEq(t.remainder, R0 - booked - rollover);
    }

    /// @dev A canary that less than half the stake agrees with is void: K scored 0.6, 0.2, 0.9,
    /// median 0.6, agreeing 100 of 550. Nobody fails; every column pays. A_v0 = 100/550 (A) +
    /// 1 (K, alone within 0.01), A_v1 = 200/550, A_v2 = 250/550 + 1 (B, its 0.5 is the median).
    function test_canary_voidCanaryChangesNothing() public {
        _task(0.01e18, 5000, 0, 3);
        _cast();
        _submit(true);
        _score(_three(8000, 4000, 6000), _three(8000, 9000, 2000), _three(8000, 5000, 9000), true);
        Vm.Log[] memory logs = _finalize();
        CanaryEv[] memory ce = canaryEvents(logs);
        assertEq(ce[0].aggregate, 0.6e18);
        assertEq(ce[0].agreeingStake, 100e18);
        assertFalse(ce[0].valid);
        (, uint256 rV,,,) = _scored(logs);
        ValidatorEv[] memory ve = validatorEvents(logs);
        assertApproxEqAbs(findValidator(ve, v0).pool, (rV * 650) / 1650, 2);
        assertApproxEqAbs(findValidator(ve, v1).pool, (rV * 200) / 1650, 2);
        assertApproxEqAbs(findValidator(ve, v2).pool, (rV * 800) / 1650, 2);
        for (uint256 j; j < 3; ++j) {
            assertFalse(ve[j].failedCanary);
        }
        (, uint256 rollover,) = _finalized(logs);
        assertEq(rollover, 0);
    }

    /// @dev The canary scores best (0.99) and its account holds most of the trainer stake; with
    /// floorBps 5000 it would push tB's 0.4 under the floor if it counted as the best. It does
    /// not: best = 0.6, both trainers qualify, T = 200, and the canary gets no event and no pool.
    function test_canary_excludedFromRankingStakeAndBest() public {
        _task(1e18, 5000, 0, 3);
        _cast();
        _submit(true);
        _score(_three(6000, 4000, 9900), _three(6000, 4000, 9900), _three(6000, 4000, 9900), true);
        Vm.Log[] memory logs = _finalize();
        (uint256 rT,, uint256 qualified,,) = _scored(logs);
        assertEq(qualified, 2);
        assertEq(rT, expectedRT(R0, 200e18, 550e18, GAMMA));
        TrainerEv[] memory te = trainerEvents(logs);
        assertEq(te.length, 2);
        assertEq(findTrainer(te, tA).rank, 1);
        assertEq(findTrainer(te, tB).rank, 2);
        assertEq(findTrainer(te, tA).pool, (rT * 100) / 185);
        assertEq(ownRewards(task, tK), 0);
        assertEq(canaryEvents(logs)[0].aggregate, 0.99e18);
    }

    // ================================================================ qualifying and rollover

    /// @dev minScore 0.5 and every aggregate 0.4: nothing qualifies, T = 0 so R_T = gamma R rolls
    /// over; validators are paid as usual. Every trainer is reported with rank 0 and pool 0.
    function test_nothingQualifies_trainerShareRollsOver() public {
        _task(1e18, 5000, 0.5e18, 3);
        _cast();
        _submit(false);
        _score(_three(4000, 4000, 4000), _three(4000, 4000, 4000), _three(4000, 4000, 4000), false);
        Vm.Log[] memory logs = _finalize();
        (uint256 rT, uint256 rV, uint256 qualified,,) = _scored(logs);
        assertEq(qualified, 0);
        assertEq(rT, 700e18);
        TrainerEv[] memory te = trainerEvents(logs);
        assertEq(te.length, 3);
        for (uint256 i; i < te.length; ++i) {
            assertEq(te[i].rank, 0);
            assertEq(te[i].pool, 0);
            assertEq(te[i].aggregate, 0.4e18);
        }
        ValidatorEv[] memory ve = validatorEvents(logs);
        assertApproxEqAbs(findValidator(ve, v0).pool, (rV * 100) / 550, 2);
        assertApproxEqAbs(findValidator(ve, v2).pool, (rV * 250) / 550, 2);
        (uint256 booked, uint256 rollover,) = _finalized(logs);
        assertEq(rollover, 700e18);
        assertEq(registry.getTask(task).carry, 700e18);
        assertEq(registry.epochBudget(task), 1700e18);
        assertLe(rV - booked, 3);
        assertEq(ownRewards(task, tA) + ownRewards(task, tB) + ownRewards(task, tK), 0);
    }

    /// @dev The floor: 0.3 is under half of the best 0.8, so only tA qualifies and takes R_T alone,
    /// and only its stake is T.
    function test_floor_belowHalfTheBestDoesNotQualify() public {
        _task(1e18, 5000, 0, 1);
        _cast();
        _submit(false);
        _score(_three(8000, 3000, 4000), _three(8000, 3000, 4000), _three(8000, 3000, 4000), false);
        Vm.Log[] memory logs = _finalize();
        (uint256 rT,, uint256 qualified,,) = _scored(logs);
        assertEq(qualified, 2); // tA 0.8 and tK 0.4 (exactly the floor), not tB 0.3
        assertEq(rT, expectedRT(R0, 1100e18, 550e18, GAMMA));
        TrainerEv[] memory te = trainerEvents(logs);
        assertEq(findTrainer(te, tB).rank, 0);
        assertEq(findTrainer(te, tB).pool, 0);
        assertEq(findTrainer(te, tK).rank, 2);
        // u = 1 x 100 and 0.85 x 1000.
        assertEq(findTrainer(te, tA).pool, (rT * 100) / 950);
        assertEq(findTrainer(te, tK).pool, (rT * 850) / 950);
    }

    /// @notice Issue 9, exploit 7: a byte-identical copy with a large stake took 98.8% of the
    /// trainer reward from the original (the last rank still paid, weighted by stake). The copy's
    /// aggregate is 0, so it does not qualify: it earns 0, the original the whole trainer pool.
    function test_exploit7_duplicateWithALargeStakeEarnsNothing() public {
        task = createTask(defaultParams());
        joinTrainer(task, tA, 10e18, 1e18);
        joinTrainer(task, tB, 1000e18, 1e18);
        joinValidator(task, v0, 100e18, 1e18);
        joinValidator(task, v1, 100e18, 1e18);
        // tB copies tA's artifact byte for byte and seals after tA: the copy is flagged.
        warpTo(task, 0, 100);
        vm.prank(tA);
        book.sealSubmission(task, sealHash(task, 0, tA, "model", "wm", "a"));
        vm.prank(tB);
        book.sealSubmission(task, sealHash(task, 0, tB, "model", "wm", "b"));
        warpTo(task, 0, 5500);
        vm.prank(tA);
        book.revealSubmission(task, "model", "model", "wm", seeded(), "a");
        vm.prank(tB);
        book.revealSubmission(task, "model", "model", "wm", seeded(), "b");
        assertTrue(book.columns(task, 0)[1].duplicate);
        // Validators score both alike (the same bytes); the engine scores the copy 0.
        scoreAll(task, 0, two(v0, v1), rows(row(8000, 8000), row(8000, 8000)));
        warpTo(task, 1, 0);
        TrainerEv[] memory te = trainerEvents(_finalize());
        uint256 rT = expectedRT(R0, 10e18, 200e18, GAMMA);
        assertEq(findTrainer(te, tB).pool, 0, "the duplicate earned");
        assertEq(ownRewards(task, tB), 0);
        assertEq(findTrainer(te, tA).pool, rT);
        assertEq(ownRewards(task, tA), rT);
    }

    // ================================================================ minValidators

    /// @dev minValidators 3: two revealed validators make the epoch degenerate (its whole budget
    /// rolls over); three score it.
    function test_minValidators_fewerRevealedValidatorsRollTheEpochOver() public {
        _task(1e18, 5000, 0, 3);
        _cast();
        submitAll(task, 0, two(tA, tB));
        scoreAll(task, 0, two(v0, v1), rows(row(8000, 7000), row(8000, 7000)));
        warpTo(task, 1, 0);
        Vm.Log[] memory logs = _finalize();
        (uint256 booked, uint256 rollover, bool degenerate) = _finalized(logs);
        assertTrue(degenerate);
        assertEq(booked, 0);
        assertEq(rollover, R0);
        assertEq(trainerEvents(logs).length, 0);
        assertEq(registry.getTask(task).carry, R0);
        assertEq(ownRewards(task, v0), 0);

        submitAll(task, 1, two(tA, tB));
        uint256[][] memory scores = new uint256[][](3);
        (scores[0], scores[1], scores[2]) = (row(8000, 7000), row(8000, 7000), row(8000, 7000));
        scoreAll(task, 1, _vs(), scores);
        warpTo(task, 2, 0);
        logs = _finalize();
        (booked, rollover, degenerate) = _finalized(logs);
        assertFalse(degenerate);
        assertEq(rollover, 0);
        assertGe(booked, 2 * R0 - 10);
    }
}
