// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {FixedPointMathLib as FPM} from "solady/utils/FixedPointMathLib.sol";
import {ArenaTest} from "./utils/ArenaTest.sol";
import {RewardEngineHarness} from "./utils/RewardEngineHarness.sol";
import {RewardEngine} from "../src/RewardEngine.sol";
import {TaskRegistry} from "../src/TaskRegistry.sol";
import {StakeManager} from "../src/StakeManager.sol";
import {TaskParams} from "../src/lib/TaskTypes.sol";

contract RewardEngineTest is ArenaTest {
    uint256 internal constant R0 = 1000e18;
    uint256 internal constant GAMMA = 0.7e18;

    uint256 internal task;
    uint256 internal start;
    address internal tA = makeAddr("trainerA");
    address internal tB = makeAddr("trainerB");
    address internal tC = makeAddr("trainerC");
    address internal vA = makeAddr("validatorA");
    address internal vB = makeAddr("validatorB");

    function setUp() public override {
        super.setUp();
        task = createTask(defaultParams());
        start = registry.schedule(task).startTime;
    }

    // ---------------------------------------------------------------- helpers

    function _joinStandard() internal {
        joinTrainer(task, tA, 100e18, 1e18);
        joinTrainer(task, tB, 100e18, 1e18);
        joinValidator(task, vA, 100e18, 1e18);
        joinValidator(task, vB, 300e18, 1e18);
    }

    /// @dev Commit at `commitBps`, reveal at `revealBps` of `epoch`.
    function _scoreAt(
        uint256 epoch,
        address[] memory vs,
        uint256[][] memory scores,
        uint256 commitBps,
        uint256 revealBps
    ) internal {
        warpTo(task, epoch, commitBps);
        drawSeed(task);
        for (uint256 j; j < vs.length; ++j) {
            uint256[] memory words = pack(scores[j]);
            vm.prank(vs[j]);
            book.commitScores(task, keccak256(abi.encode(task, epoch, vs[j], words, bytes32(j))));
        }
        warpTo(task, epoch, revealBps);
        for (uint256 j; j < vs.length; ++j) {
            vm.prank(vs[j]);
            book.revealScores(task, pack(scores[j]), bytes32(j));
        }
    }

    /// @dev F_j = w_j / sum w with w = exp(-lambda D) s: the SPEC's formula, computed directly
    /// (the contract uses exp(lambda (1 - D)) and a shift; the results must agree to 1e-9).
    function _share(uint256 dA, uint256 sA, uint256 dB, uint256 sB) internal pure returns (uint256 wadShareOfA) {
        uint256 wA = uint256(FPM.expWad(-int256(20 * dA))) * sA;
        uint256 wB = uint256(FPM.expWad(-int256(20 * dB))) * sB;
        return (wA * 1e18) / (wA + wB);
    }

    // ================================================================ guards

    function test_epochNotOver() public {
        vm.expectRevert(abi.encodeWithSelector(RewardEngine.EpochNotOver.selector, start + 1000));
        engine.finalize(task);
        vm.warp(start + 999);
        vm.expectRevert(abi.encodeWithSelector(RewardEngine.EpochNotOver.selector, start + 1000));
        engine.finalize(task);
        vm.warp(start + 1000);
        (uint256 epoch, bool finished) = engine.finalize(task);
        assertEq(epoch, 0);
        assertTrue(finished);
        vm.expectRevert(abi.encodeWithSelector(RewardEngine.EpochNotOver.selector, start + 2000));
        engine.finalize(task);
    }

    function test_allEpochsFinalized() public {
        warpTo(task, 9, 0);
        for (uint256 e; e < 4; ++e) {
            (uint256 epoch, bool finished) = engine.finalize(task);
            assertEq(epoch, e);
            assertTrue(finished);
        }
        assertEq(engine.progressOf(task).epoch, 4);
        assertEq(stakes.rolledEpochs(task), 5);
        vm.expectRevert(RewardEngine.AllEpochsFinalized.selector);
        engine.finalize(task);
    }

    function test_rejectedTask() public {
        fund(creator, REJECT_QUORUM);
        vm.prank(creator);
        registry.object(task, REJECT_QUORUM);
        warpTo(task, 2, 0);
        vm.expectRevert(RewardEngine.TaskIsRejected.selector);
        engine.finalize(task);
    }

    // ================================================================ degenerate epochs

    function test_degenerateEpochsRollOverThenReturnToCreator() public {
        _joinStandard();
        // Epoch 0: validators commit nothing to score (no reveal at all).
        // Epoch 1: submissions, but no validator reveals.
        submitAll(task, 1, two(tA, tB));
        // Epoch 2: a real epoch with the two rolled-over budgets.
        submitAll(task, 2, two(tA, tB));
        scoreAll(task, 2, two(vA, vB), rows(row(9000, 5000), row(8000, 6000)));
        // Epoch 3 (final): nobody scores.
        warpTo(task, 4, 0);

        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochClosed(task, 0, 0, 1000e18, 1000e18, 0);
        vm.expectEmit(address(engine));
        emit RewardEngine.EpochFinalized(task, 0, 0, 1000e18, true);
        finalizeEpoch(task);
        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochClosed(task, 1, 0, 2000e18, 2000e18, 0);
        vm.expectEmit(address(engine));
        emit RewardEngine.EpochFinalized(task, 1, 0, 2000e18, true);
        finalizeEpoch(task);
        assertEq(registry.getTask(task).carry, 2000e18);
        assertEq(registry.epochBudget(task), 3000e18);
        assertEq(ownRewards(task, tA) + ownRewards(task, vA), 0);

        // T = 200, S = 400 on a budget of 3000.
        uint256 rT = expectedRT(3000e18, 200e18, 400e18, GAMMA);
        uint256 rV = 3000e18 - rT;
        vm.recordLogs();
        vm.expectEmit(address(engine));
        emit RewardEngine.EpochScored(task, 2, 3000e18, rT, rV, 2, 2, 2);
        finalizeEpoch(task);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        TrainerEv[] memory te = trainerEvents(logs);
        ValidatorEv[] memory ve = validatorEvents(logs);

        // Stake-weighted lower medians: vB holds 300 of 400, so its 0.8 and 0.6 are the aggregates.
        TrainerEv memory a = findTrainer(te, tA);
        TrainerEv memory b = findTrainer(te, tB);
        assertEq(a.aggregate, 0.8e18);
        assertEq(b.aggregate, 0.6e18);
        assertEq(a.rank, 1);
        assertEq(b.rank, 2);
        // Equal stakes: pools 1 : 0.85.
        assertEq(a.pool, (rT * 100) / 185);
        assertEq(b.pool, (rT * 85) / 185);
        assertEq(ownRewards(task, tA), a.pool);
        assertEq(ownRewards(task, tB), b.pool);

        // Validators: vA 0.1 from consensus on both columns, vB on it.
        ValidatorEv memory x = findValidator(ve, vA);
        ValidatorEv memory y = findValidator(ve, vB);
        assertEq(x.distance, 0.1e18);
        assertEq(y.distance, 0);
        uint256 shareA = _share(0.1e18, 100, 0, 300);
        assertApproxEqRel(x.pool, (rV * shareA) / 1e18, 1e9);
        assertApproxEqRel(y.pool, (rV * (1e18 - shareA)) / 1e18, 1e9);
        assertLe(x.pool + y.pool, rV);
        assertGe(x.pool + y.pool, rV - 4);
        uint256 booked = a.pool + b.pool + x.pool + y.pool;
        TaskRegistry.Task memory t = registry.getTask(task);
        assertEq(t.paid, booked);
        assertEq(t.carry, 0);
        assertEq(t.remainder, 3000e18 - booked);

        // Epoch 3: two columns (latest submissions) but no validator: back to the creator.
        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochClosed(task, 3, 0, 1000e18, 0, 3000e18 - booked + 1000e18);
        finalizeEpoch(task);
        t = registry.getTask(task);
        assertEq(t.carry, 0);
        assertEq(t.remainder, 4000e18 - booked);
        assertEq(t.closedEpochs, 4);
        vm.prank(creator);
        registry.withdrawRemainder(task);
        assertEq(token.balanceOf(creator), 4000e18 - booked);
    }

    function test_degenerate_revealedValidatorsButNoColumns() public {
        _joinStandard();
        uint256[][] memory empty = new uint256[][](2);
        (empty[0], empty[1]) = (new uint256[](0), new uint256[](0));
        scoreAll(task, 0, two(vA, vB), empty);
        assertEq(book.revealerCount(task, 0), 2);
        warpTo(task, 1, 0);
        vm.expectEmit(address(engine));
        emit RewardEngine.EpochFinalized(task, 0, 0, 1000e18, true);
        finalizeEpoch(task);
        assertEq(registry.epochBudget(task), 2000e18);
    }

    // ================================================================ columns and ranking

    function test_duplicateColumnScoredZeroWhateverValidatorsSay() public {
        joinTrainer(task, tA, 100e18, 1e18);
        joinTrainer(task, tB, 100e18, 1e18);
        joinTrainer(task, tC, 100e18, 1e18);
        joinValidator(task, vA, 100e18, 1e18);
        bytes32 art = keccak256("model");
        submitOne(task, 0, tA, art, "a");
        // Epoch 1: tB reveals a copy of tA's model, tC an original.
        submitOne(task, 1, tB, art, "b");
        submitOne(task, 1, tC, keccak256("own model"), "c");
        scoreAll(task, 1, one(vA), rows(row(10_000, 5000)));
        warpTo(task, 2, 0);
        finalizeEpoch(task);
        vm.recordLogs();
        finalizeEpoch(task);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        TrainerEv memory b = findTrainer(trainerEvents(logs), tB);
        TrainerEv memory c = findTrainer(trainerEvents(logs), tC);
        // The copy's aggregate is 0: it does not qualify (rank 0) and earns nothing.
        assertEq(b.aggregate, 0);
        assertEq(b.rank, 0);
        assertEq(b.pool, 0);
        assertEq(c.aggregate, 0.5e18);
        assertEq(c.rank, 1);
        // Budget 2000 (epoch 0 rolled over); T = 100 (the qualifying tC only), S = 100.
        uint256 rT = expectedRT(2000e18, 100e18, 100e18, GAMMA);
        assertEq(c.pool, rT);
        assertEq(ownRewards(task, tB), 0);
        // vA's 1.0 for the copy was replaced by 0 before measuring distances: it agreed fully.
        assertEq(findValidator(validatorEvents(logs), vA).distance, 0);
    }

    function test_tiesBrokenByEarlierSeal() public {
        _joinStandard();
        // Epoch 0: tB seals first, tA reveals first (tA is column 0): tB wins the tie.
        warpTo(task, 0, 100);
        vm.prank(tB);
        book.sealSubmission(task, sealHash(task, 0, tB, "b", "wm", "s"));
        vm.prank(tA);
        book.sealSubmission(task, sealHash(task, 0, tA, "a", "wm", "s"));
        warpTo(task, 0, 5500);
        vm.prank(tA);
        book.revealSubmission(task, "a", "a", "wm", seeded(), "s");
        vm.prank(tB);
        book.revealSubmission(task, "b", "b", "wm", seeded(), "s");
        assertEq(book.columns(task, 0)[0].trainer, tA);
        scoreAll(task, 0, two(vA, vB), rows(row(7000, 7000), row(6000, 6000)));
        // Epoch 1: tA seals first and wins.
        submitAll(task, 1, two(tA, tB));
        scoreAll(task, 1, two(vA, vB), rows(row(7000, 7000), row(6000, 6000)));
        warpTo(task, 2, 0);

        uint256 rT = expectedRT(R0, 200e18, 400e18, GAMMA);
        vm.recordLogs();
        finalizeEpoch(task);
        TrainerEv[] memory te = trainerEvents(vm.getRecordedLogs());
        assertEq(findTrainer(te, tA).aggregate, findTrainer(te, tB).aggregate);
        assertEq(findTrainer(te, tB).rank, 1);
        assertEq(findTrainer(te, tA).rank, 2);
        assertEq(findTrainer(te, tB).pool, (rT * 100) / 185);
        assertEq(findTrainer(te, tA).pool, (rT * 85) / 185);
        vm.recordLogs();
        finalizeEpoch(task);
        te = trainerEvents(vm.getRecordedLogs());
        assertEq(findTrainer(te, tA).rank, 1);
        assertEq(findTrainer(te, tB).rank, 2);
        assertEq(ownRewards(task, tA), ownRewards(task, tB));
    }

    function test_lowerMedianOnAnEvenSplitAndStakeWeightedPools() public {
        joinTrainer(task, tA, 100e18, 1e18);
        joinTrainer(task, tB, 300e18, 1e18);
        joinValidator(task, vA, 100e18, 1e18);
        joinValidator(task, vB, 100e18, 1e18);
        submitAll(task, 0, two(tA, tB));
        scoreAll(task, 0, two(vA, vB), rows(row(9000, 3000), row(7000, 4000)));
        warpTo(task, 1, 0);
        vm.recordLogs();
        finalizeEpoch(task);
        TrainerEv[] memory te = trainerEvents(vm.getRecordedLogs());
        // Half the stake on each side: the lower of the two is the median (0.7 and 0.3);
        // tA ranks first with 1 x 100, tB second with 0.85 x 300.
        assertEq(findTrainer(te, tA).aggregate, 0.7e18);
        assertEq(findTrainer(te, tB).aggregate, 0.3e18);
        uint256 rT = expectedRT(R0, 400e18, 200e18, GAMMA);
        assertEq(findTrainer(te, tA).pool, (rT * 100) / 355);
        assertEq(findTrainer(te, tB).pool, (rT * 255) / 355);
    }

    function test_excludedTrainerSkippedInFinalPhase() public {
        _joinStandard();
        submitAll(task, 0, two(tA, tB));
        warpTo(task, 3, 0);
        vm.prank(creator);
        registry.revealFinalEval(task, keccak256("final"), bytes32("salt"));
        vm.prank(challenger);
        stakes.forfeit(task, tA, makeAddr("beneficiary"), 0);
        // Both columns are listed and scored by validators, tA's is not counted.
        scoreAll(task, 3, two(vA, vB), rows(row(9000, 5000), row(8000, 6000)));
        warpTo(task, 4, 0);
        finalizeEpoch(task);
        finalizeEpoch(task);
        finalizeEpoch(task);
        vm.recordLogs();
        finalizeEpoch(task);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        TrainerEv[] memory te = trainerEvents(logs);
        assertEq(te.length, 1);
        assertEq(te[0].trainer, tB);
        assertEq(te[0].rank, 1);
        assertEq(te[0].submissionId, 1);
        // T = 100 (tB only), S = 400; budget 4000 (three degenerate epochs rolled over).
        uint256 rT = expectedRT(4000e18, 100e18, 400e18, GAMMA);
        assertEq(te[0].pool, rT);
        assertEq(ownRewards(task, tA), 0);
        assertEq(countEvents(logs, address(registry), TaskRegistry.FinalEvalFallback.selector), 0);
    }

    // ================================================================ final phase and fallback

    function _finalPhaseSetup() internal {
        _joinStandard();
        submitAll(task, 0, two(tA, tB));
        submitOne(task, 1, tA, keccak256("better"), "x");
    }

    function test_finalPhase_fallbackRecordedOnceByFinalization() public {
        _finalPhaseSetup();
        // The creator stays silent; validators score on the public set after the deadline.
        _scoreAt(3, two(vA, vB), rows(row(6000, 5000), row(6000, 5000)), 1500, 7500);
        warpTo(task, 4, 0);
        finalizeEpoch(task);
        finalizeEpoch(task);
        finalizeEpoch(task);
        vm.recordLogs();
        vm.expectEmit(address(registry));
        emit TaskRegistry.FinalEvalFallback(task);
        finalizeEpoch(task);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(countEvents(logs, address(registry), TaskRegistry.FinalEvalFallback.selector), 1);
        assertTrue(registry.getTask(task).fallbackRecorded);
        TrainerEv[] memory te = trainerEvents(logs);
        assertEq(te.length, 2);
        // Columns are the latest submissions: tA's from epoch 1 (id 2), tB's from epoch 0 (id 1).
        assertEq(findTrainer(te, tA).submissionId, 2);
        assertEq(findTrainer(te, tB).submissionId, 1);
        assertEq(findTrainer(te, tA).rank, 1);
        // Later calls do not record it again.
        vm.recordLogs();
        registry.recordFinalEvalFallback(task);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_finalPhase_fallbackAlreadyRecordedIsNotRepeated() public {
        _finalPhaseSetup();
        warpTo(task, 3, 1000);
        registry.recordFinalEvalFallback(task);
        _scoreAt(3, two(vA, vB), rows(row(6000, 5000), row(6000, 5000)), 1500, 7500);
        warpTo(task, 4, 0);
        vm.recordLogs();
        finalizeAllOver(task);
        assertEq(countEvents(vm.getRecordedLogs(), address(registry), TaskRegistry.FinalEvalFallback.selector), 0);
        assertEq(engine.progressOf(task).epoch, 4);
    }

    function test_finalPhase_degenerateFinalEpochStillRecordsFallback() public {
        _finalPhaseSetup();
        warpTo(task, 4, 0);
        vm.recordLogs();
        finalizeAllOver(task);
        assertEq(countEvents(vm.getRecordedLogs(), address(registry), TaskRegistry.FinalEvalFallback.selector), 1);
    }

    function test_finalPhase_revealedEvalSetNoFallback() public {
        _finalPhaseSetup();
        warpTo(task, 3, 0);
        vm.prank(creator);
        registry.revealFinalEval(task, keccak256("final"), bytes32("salt"));
        scoreAll(task, 3, two(vA, vB), rows(row(6000, 5000), row(6000, 5000)));
        warpTo(task, 4, 0);
        vm.recordLogs();
        finalizeAllOver(task);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(countEvents(logs, address(registry), TaskRegistry.FinalEvalFallback.selector), 0);
        assertEq(countEvents(logs, address(engine), RewardEngine.TrainerRewarded.selector), 2);
    }

    // ================================================================ events vs bookings

    function test_eventsMatchBookedPools() public {
        joinTrainer(task, tA, 100e18, 0.3e18);
        joinTrainer(task, tB, 60e18, 0);
        joinTrainer(task, tC, 40e18, 1e18);
        joinValidator(task, vA, 100e18, 0.5e18);
        joinValidator(task, vB, 50e18, 0.2e18);
        delegateTo(task, makeAddr("d1"), tA, 30e18);
        delegateTo(task, makeAddr("d2"), tB, 90e18);
        delegateTo(task, makeAddr("d3"), vA, 25e18);
        delegateTo(task, makeAddr("d4"), vB, 10e18);
        address[] memory ts = new address[](3);
        (ts[0], ts[1], ts[2]) = (tA, tB, tC);
        submitAll(task, 0, ts);
        uint256[] memory sA = new uint256[](3);
        uint256[] memory sB = new uint256[](3);
        (sA[0], sA[1], sA[2]) = (8000, 6500, 9100);
        (sB[0], sB[1], sB[2]) = (7700, 7000, 2000);
        scoreAll(task, 0, two(vA, vB), rows(sA, sB));
        warpTo(task, 1, 0);
        uint256 smBefore = token.balanceOf(address(stakes));
        vm.recordLogs();
        finalizeEpoch(task);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        uint256 budget;
        uint256 rT;
        uint256 rV;
        uint256 bookedEv;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine)) continue;
            if (logs[i].topics[0] == RewardEngine.EpochScored.selector) {
                uint256 q;
                uint256 n;
                uint256 m;
                (budget, rT, rV, q, n, m) =
                    abi.decode(logs[i].data, (uint256, uint256, uint256, uint256, uint256, uint256));
                assertEq(q, 3);
                assertEq(n, 3);
                assertEq(m, 2);
            }
            if (logs[i].topics[0] == RewardEngine.EpochFinalized.selector) {
                bool degenerate;
                uint256 rollover;
                (bookedEv, rollover, degenerate) = abi.decode(logs[i].data, (uint256, uint256, bool));
                assertFalse(degenerate);
                assertEq(rollover, 0);
            }
        }
        assertEq(budget, R0);
        assertEq(rT + rV, R0);
        assertEq(rT, expectedRT(R0, 320e18, 185e18, GAMMA));

        TrainerEv[] memory te = trainerEvents(logs);
        ValidatorEv[] memory ve = validatorEvents(logs);
        uint256 sumT;
        uint256 sumV;
        for (uint256 i; i < te.length; ++i) {
            StakeManager.Pool memory p = stakes.getPool(task, te[i].trainer);
            assertEq(p.ownRewards, te[i].own);
            assertEq(p.delegatorRewards, te[i].pool - te[i].own);
            uint256 total = uint256(p.own) + p.delegated;
            assertEq(te[i].own, expectedOwn(te[i].pool, p.sigma, p.own, total));
            sumT += te[i].pool;
        }
        for (uint256 j; j < ve.length; ++j) {
            StakeManager.Pool memory p = stakes.getPool(task, ve[j].validator);
            assertEq(p.ownRewards, ve[j].own);
            assertEq(p.delegatorRewards, ve[j].pool - ve[j].own);
            assertEq(ve[j].own, expectedOwn(ve[j].pool, p.sigma, p.own, uint256(p.own) + p.delegated));
            sumV += ve[j].pool;
        }
        assertEq(te.length, 3);
        assertEq(ve.length, 2);
        assertLe(sumT, rT);
        assertGe(sumT, rT - 3);
        assertLe(sumV, rV);
        assertGe(sumV, rV - 3);
        assertEq(bookedEv, sumT + sumV);
        assertEq(registry.getTask(task).paid, bookedEv);
        assertEq(registry.getTask(task).remainder, R0 - bookedEv);
        assertEq(token.balanceOf(address(stakes)), smBefore + bookedEv);
        // tC (sigma 1) keeps its whole pool; tB (sigma 0, 60 own of 150) 40%.
        assertEq(findTrainer(te, tC).own, findTrainer(te, tC).pool);
        assertEq(findTrainer(te, tB).own, (findTrainer(te, tB).pool * 60) / 150);
    }

    function test_progressOfAfterFinalization() public {
        _joinStandard();
        submitAll(task, 0, two(tA, tB));
        scoreAll(task, 0, two(vA, vB), rows(row(9000, 5000), row(8000, 6000)));
        warpTo(task, 1, 0);
        (uint256 maxGas, uint256 calls) = finalizeEpoch(task);
        assertEq(calls, 1);
        assertLt(maxGas, 15_000_000);
        RewardEngine.Progress memory p = engine.progressOf(task);
        assertEq(p.epoch, 1);
        assertEq(uint256(p.stage), uint256(RewardEngine.Stage.Start));
        assertEq(p.booked, 0);
        assertEq(stakes.rolledEpochs(task), 2);
    }
}

/// @notice The same epoch finalized in one call and in many tiny work slices books exactly the
/// same amounts into exactly the same pools: every stage sliced, canaries, failed validators,
/// out-of-tolerance cells, a duplicate and columns that do not qualify included.
contract RewardEngineSlicedTest is ArenaTest {
    RewardEngineHarness internal harness;
    uint256 internal task;
    address[] internal trainers;
    address[] internal validators;
    address[] internal pools;

    uint256 internal constant N = 40;
    uint256 internal constant M = 60;
    bytes32 internal constant KEY = keccak256("canary key of epoch 0");

    function _isCanary(uint256 i) internal pure returns (bool) {
        return i == 1 || i == 5 || i == 17;
    }

    function deployEngine() internal override returns (RewardEngine) {
        harness = new RewardEngineHarness(registry, stakes, book);
        return harness;
    }

    function setUp() public override {
        super.setUp();
        TaskParams memory p = defaultParams();
        (p.reward.alphaT, p.reward.alphaV) = (0.5e18, 0.7e18);
        (p.reward.tolV, p.reward.floorBps, p.reward.minValidators) = (0.06e18, 3000, 3);
        task = createTask(p);
        vm.prank(creator);
        book.commitCanaries(task, 0, keccak256(abi.encode(KEY)));
        trainers = addrs("t", N);
        validators = addrs("v", M);
        for (uint256 i; i < N; ++i) {
            joinTrainer(task, trainers[i], 10e18 + i * 1e18, (i % 5) * 0.2e18);
            if (i % 3 == 0) delegateTo(task, makeAddr(string.concat("dt", vm.toString(i))), trainers[i], 3e18 + i);
            pools.push(trainers[i]);
        }
        for (uint256 j; j < M; ++j) {
            joinValidator(task, validators[j], 10e18 + j * 0.5e18, (j % 4) * 0.25e18);
            if (j % 2 == 0) delegateTo(task, makeAddr(string.concat("dv", vm.toString(j))), validators[j], 7e18 + j);
            pools.push(validators[j]);
        }
        uint256[][] memory scores = new uint256[][](M);
        for (uint256 j; j < M; ++j) {
            scores[j] = new uint256[](N);
            for (uint256 i; i < N; ++i) {
                // Honest-ish validators around a per-column truth, with noise.
                uint256 truth = (i * 7919) % 10_001;
                uint256 noise = uint256(keccak256(abi.encode(i, j))) % 1500;
                scores[j][i] = truth + noise > 10_000 ? 10_000 : truth + noise;
                // Validator 0 never evaluates: a constant.
                if (j == 0) scores[j][i] = 5000;
            }
        }
        // The last trainer reveals a copy of the first one's model: the duplicate path is in the
        // comparison too.
        warpTo(task, 0, 100);
        for (uint256 i; i < N; ++i) {
            bytes32 a = artifactOf(trainers[i == N - 1 ? 0 : i], 0);
            bytes32 salt = _salt(i);
            vm.prank(trainers[i]);
            book.sealSubmission(task, sealHash(task, 0, trainers[i], a, "wm", salt));
        }
        warpTo(task, 0, 5500);
        for (uint256 i; i < N; ++i) {
            bytes32 salt = _salt(i);
            vm.prank(trainers[i]);
            book.revealSubmission(
                task,
                artifactOf(trainers[i == N - 1 ? 0 : i], 0),
                artifactOf(trainers[i == N - 1 ? 0 : i], 0),
                "wm",
                seeded(),
                salt
            );
        }
        assertTrue(book.columns(task, 0)[N - 1].duplicate);
        scoreAll(task, 0, validators, scores);
        vm.prank(creator);
        assertEq(book.revealCanaries(task, KEY), (1 << 1) | (1 << 5) | (1 << 17));
        warpTo(task, 1, 0);
    }

    function _salt(uint256 i) internal view returns (bytes32) {
        return _isCanary(i) ? book.canarySalt(task, 0, trainers[i], KEY) : bytes32(i);
    }

    struct Snapshot {
        uint256[] own;
        uint256[] toDelegators;
        uint256[] acc;
        uint256 paid;
        uint256 remainder;
        uint256 carry;
        uint256 rolled;
        uint256 smBalance;
    }

    function _snapshot() internal view returns (Snapshot memory s) {
        uint256 k = pools.length;
        (s.own, s.toDelegators, s.acc) = (new uint256[](k), new uint256[](k), new uint256[](k));
        for (uint256 i; i < k; ++i) {
            StakeManager.Pool memory p = stakes.getPool(task, pools[i]);
            (s.own[i], s.toDelegators[i], s.acc[i]) = (p.ownRewards, p.delegatorRewards, p.acc);
        }
        TaskRegistry.Task memory t = registry.getTask(task);
        (s.paid, s.remainder, s.carry) = (t.paid, t.remainder, t.carry);
        s.rolled = stakes.rolledEpochs(task);
        s.smBalance = token.balanceOf(address(stakes));
    }

    function test_slicedFinalizationBooksTheSameAsOneCall() public {
        uint256 snap = vm.snapshotState();
        vm.recordLogs();
        (, uint256 calls) = finalizeEpoch(task);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        Snapshot memory whole = _snapshot();
        assertLe(calls, 2);

        // Expected totals: every trainer and validator pool was booked, the events sum to what
        // the registry paid, and nothing beyond the budget.
        TrainerEv[] memory te = trainerEvents(logs);
        ValidatorEv[] memory ve = validatorEvents(logs);
        assertEq(te.length, N - 3, "one event per non-canary column");
        assertEq(ve.length, M);
        assertEq(countEvents(logs, address(engine), RewardEngine.CanaryChecked.selector), 3);
        uint256 sum;
        uint256 unranked;
        for (uint256 i; i < te.length; ++i) {
            sum += te[i].pool;
            if (te[i].rank == 0) ++unranked;
        }
        uint256 failed;
        for (uint256 j; j < ve.length; ++j) {
            sum += ve[j].pool;
            if (ve[j].failedCanary) {
                ++failed;
                assertEq(ve[j].pool, 0);
            }
        }
        // The states this test exists for are really reached.
        assertTrue(findValidator(ve, validators[0]).failedCanary, "the constant scorer failed a canary");
        assertGt(failed, 1);
        assertLt(failed, M / 2);
        assertGt(unranked, 1, "the duplicate and low columns do not qualify");
        assertEq(sum, whole.paid);
        uint256 bookedPools;
        for (uint256 i; i < pools.length; ++i) {
            bookedPools += whole.own[i] + whole.toDelegators[i];
        }
        assertEq(bookedPools, whole.paid);
        RewardEngine.Progress memory pr = engine.progressOf(task);
        // Budget accounting: booked + rollover + dust = R, the dust a few wei per pool at most.
        assertEq(whole.paid + whole.carry + whole.remainder, 1000e18);
        assertEq(whole.carry, pr.rollover);
        assertLe(whole.remainder, N + M + 2);
        assertEq(whole.rolled, 2);

        vm.revertToState(snap);
        assertEq(registry.getTask(task).paid, 0);
        uint256 steps;
        uint256 units = 100;
        while (steps == 0 || engine.progressOf(task).stage != RewardEngine.Stage.Start) {
            (uint256 used,,) = harness.stepOnce(task, units);
            if (used == 0) {
                units *= 2;
            } else {
                units = 100;
                ++steps;
            }
        }
        assertGt(steps, 10 * calls); // really sliced: a few validators, columns or trainers at a time
        Snapshot memory sliced = _snapshot();
        assertEq(sliced.own, whole.own);
        assertEq(sliced.toDelegators, whole.toDelegators);
        assertEq(sliced.acc, whole.acc);
        assertEq(sliced.paid, whole.paid);
        assertEq(sliced.remainder, whole.remainder);
        assertEq(sliced.carry, whole.carry);
        assertEq(sliced.rolled, whole.rolled);
        assertEq(sliced.smBalance, whole.smBalance);
        assertEq(engine.progressOf(task).epoch, 1);
    }
}
