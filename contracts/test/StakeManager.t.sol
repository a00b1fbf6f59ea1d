// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ArenaTest} from "./utils/ArenaTest.sol";
import {RewardEngineHarness} from "./utils/RewardEngineHarness.sol";
import {StakeManager} from "../src/StakeManager.sol";
import {TaskRegistry} from "../src/TaskRegistry.sol";
import {RewardEngine} from "../src/RewardEngine.sol";
import {SubmissionBook} from "../src/SubmissionBook.sol";
import {TaskParams, Role, PermitSig, Schedule} from "../src/lib/TaskTypes.sol";
import {ActiveStake} from "../src/interfaces/IStakeManager.sol";

contract StakeManagerTest is ArenaTest {
    uint32 internal constant NEVER = type(uint32).max;
    uint256 internal constant R0 = 1000e18;
    uint256 internal constant GAMMA = 0.7e18;

    uint256 internal task;
    uint256 internal endTime;
    address internal tA = makeAddr("trainerA");
    address internal tB = makeAddr("trainerB");
    address internal vA = makeAddr("validatorA");
    address internal vB = makeAddr("validatorB");
    address internal d1 = makeAddr("delegator1");
    address internal d2 = makeAddr("delegator2");
    address internal d3 = makeAddr("delegator3");
    address internal beneficiary = makeAddr("beneficiary");

    function setUp() public override {
        super.setUp();
        task = createTask(defaultParams());
        endTime = uint256(registry.schedule(task).startTime) + 5 * 1000;
    }

    // ---------------------------------------------------------------- helpers

    /// @dev tA trains (own 100, sigma 1) and vA validates (own 100, sigma 0) with d1's 100 delegated.
    function _scenarioA() internal {
        joinTrainer(task, tA, 100e18, 1e18);
        joinValidator(task, vA, 100e18, 0);
        delegateTo(task, d1, vA, 100e18);
    }

    /// @dev One submission by tA, one score by vA, in submission epoch `e`.
    function _scoreSingle(uint256 e) internal {
        submitOne(task, e, tA, keccak256(abi.encode("art", e)), bytes32(e));
        scoreAll(task, e, one(vA), rows(row(8000)));
    }

    function _undelegate(address who, address delegatee, uint256 amount) internal {
        vm.prank(who);
        stakes.undelegate(task, delegatee, amount);
    }

    function _withdrawDelegation(address who, address delegatee) internal {
        vm.prank(who);
        stakes.withdrawDelegation(task, delegatee);
    }

    function _expectJoinRevert(address who, Role role, uint256 amount, uint256 sigma, bytes32 key, bytes memory err)
        internal
    {
        fund(who, amount);
        vm.prank(who);
        vm.expectRevert(err);
        stakes.join(task, role, amount, sigma, key);
    }

    // ================================================================ join

    function test_join_trainerBeforeStart() public {
        fund(tA, 100e18);
        vm.expectEmit(address(stakes));
        emit StakeManager.Joined(task, tA, Role.Trainer, 100e18, 0.5e18, keyOf(tA), 0);
        vm.prank(tA);
        stakes.join(task, Role.Trainer, 100e18, 0.5e18, keyOf(tA));

        StakeManager.Pool memory p = stakes.getPool(task, tA);
        assertEq(uint256(p.role), uint256(Role.Trainer));
        assertEq(p.ownLatest, 100e18);
        assertEq(p.own, 0); // counts once epoch 0 is rolled
        assertEq(p.sigma, 0.5e18);
        assertEq(p.sigmaLatest, 0.5e18);
        assertEq(p.eligibleFrom, 0);
        assertEq(p.lastSigmaEpoch, NEVER);
        assertEq(p.keyCommit, keyOf(tA));
        assertEq(token.balanceOf(address(stakes)), 100e18);
        assertEq(token.balanceOf(tA), 0);
        address[] memory ts = stakes.trainersOf(task);
        assertEq(ts.length, 1);
        assertEq(ts[0], tA);
        assertEq(stakes.validatorsOf(task).length, 0);
    }

    function test_join_validatorDuringEpochCountsFromNext() public {
        warpTo(task, 1, 3000);
        fund(vA, 20e18);
        vm.expectEmit(address(stakes));
        emit StakeManager.Joined(task, vA, Role.Validator, 20e18, 0, bytes32(0), 2);
        vm.prank(vA);
        stakes.join(task, Role.Validator, 20e18, 0, bytes32(0));
        StakeManager.Pool memory p = stakes.getPool(task, vA);
        assertEq(uint256(p.role), uint256(Role.Validator));
        assertEq(p.eligibleFrom, 2);
        assertEq(p.keyCommit, bytes32(0));
        assertEq(stakes.validatorsOf(task)[0], vA);
    }

    function test_join_invalidInputs() public {
        _expectJoinRevert(tA, Role.None, 10e18, 0, keyOf(tA), abi.encodeWithSelector(StakeManager.InvalidRole.selector));
        _expectJoinRevert(tA, Role.Trainer, 10e18, 0, 0, abi.encodeWithSelector(StakeManager.InvalidKeyCommit.selector));
        _expectJoinRevert(
            vA, Role.Validator, 10e18, 0, keyOf(vA), abi.encodeWithSelector(StakeManager.InvalidKeyCommit.selector)
        );
        // A key commitment must be a field element of the proof system (it is a Poseidon output).
        uint256 field = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
        _expectJoinRevert(
            tA, Role.Trainer, 10e18, 0, bytes32(field), abi.encodeWithSelector(StakeManager.InvalidKeyCommit.selector)
        );
        _expectJoinRevert(
            tA,
            Role.Trainer,
            10e18,
            0,
            bytes32(type(uint256).max),
            abi.encodeWithSelector(StakeManager.InvalidKeyCommit.selector)
        );
        _expectJoinRevert(
            tA, Role.Trainer, 10e18, 1e18 + 1, keyOf(tA), abi.encodeWithSelector(StakeManager.InvalidSigma.selector)
        );
        _expectJoinRevert(
            tA, Role.Trainer, 0, 0, keyOf(tA), abi.encodeWithSelector(StakeManager.StakeBelowMinimum.selector, 10e18)
        );
        vm.prank(tA);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.UnknownTask.selector, 99));
        stakes.join(99, Role.Trainer, 10e18, 0, keyOf(tA));

        joinTrainer(task, tA, 10e18, 0);
        // One role per address and task.
        _expectJoinRevert(
            tA,
            Role.Trainer,
            10e18,
            0,
            keyOf(tA),
            abi.encodeWithSelector(StakeManager.AlreadyJoined.selector, Role.Trainer)
        );
        _expectJoinRevert(
            tA, Role.Validator, 10e18, 0, 0, abi.encodeWithSelector(StakeManager.AlreadyJoined.selector, Role.Trainer)
        );
        // Sigma bounds are inclusive.
        joinTrainer(task, tB, 10e18, 1e18);
        joinValidator(task, vA, 10e18, 0);
        assertEq(stakes.getPool(task, tB).sigma, 1e18);
    }

    function test_join_roleFull() public {
        TaskParams memory p = defaultParams();
        (p.stakeRules.maxTrainers, p.stakeRules.maxValidators) = (1, 2);
        task = createTask(p);
        joinTrainer(task, tA, 10e18, 0);
        _expectJoinRevert(
            tB, Role.Trainer, 10e18, 0, keyOf(tB), abi.encodeWithSelector(StakeManager.RoleFull.selector, 1)
        );
        joinValidator(task, vA, 10e18, 0);
        joinValidator(task, vB, 10e18, 0);
        _expectJoinRevert(d1, Role.Validator, 10e18, 0, 0, abi.encodeWithSelector(StakeManager.RoleFull.selector, 2));
    }

    function test_join_stakingClosedPerRole() public {
        bytes memory closed = abi.encodeWithSelector(StakeManager.StakingClosed.selector);
        // Epoch 1: a trainer's stake counts from epoch 2, still a submission epoch.
        warpTo(task, 1, 9999);
        joinTrainer(task, tA, 10e18, 0);
        // Epoch 2: it would count from epoch 3, the final phase: no new trainers ...
        warpTo(task, 2, 0);
        _expectJoinRevert(tB, Role.Trainer, 10e18, 0, keyOf(tB), closed);
        vm.prank(tA);
        vm.expectRevert(closed);
        stakes.addStake(task, 1e18);
        // ... but validators still score epoch 3.
        joinValidator(task, vA, 10e18, 0);
        fund(vA, 1e18);
        vm.prank(vA);
        stakes.addStake(task, 1e18);
        warpTo(task, 3, 0);
        _expectJoinRevert(vB, Role.Validator, 10e18, 0, 0, closed);
        fund(vA, 1e18);
        vm.prank(vA);
        vm.expectRevert(closed);
        stakes.addStake(task, 1e18);
        assertEq(stakes.getPool(task, vA).ownLatest, 11e18);
        assertEq(stakes.getPool(task, tA).ownLatest, 10e18);
    }

    function test_join_rejectedTask() public {
        fund(d3, REJECT_QUORUM);
        vm.prank(d3);
        registry.object(task, REJECT_QUORUM);
        _expectJoinRevert(
            tA, Role.Trainer, 10e18, 0, keyOf(tA), abi.encodeWithSelector(StakeManager.TaskIsRejected.selector)
        );
    }

    // ================================================================ addStake and eligibility

    function test_addStake() public {
        vm.prank(tA);
        vm.expectRevert(StakeManager.NotJoined.selector);
        stakes.addStake(task, 1e18);
        joinTrainer(task, tA, 10e18, 0);
        vm.prank(tA);
        vm.expectRevert(StakeManager.ZeroAmount.selector);
        stakes.addStake(task, 0);
        warpTo(task, 0, 10);
        fund(tA, 5e18);
        vm.expectEmit(address(stakes));
        emit StakeManager.StakeAdded(task, tA, 5e18, 1);
        vm.prank(tA);
        stakes.addStake(task, 5e18);
        assertEq(stakes.getPool(task, tA).ownLatest, 15e18);
        assertEq(token.balanceOf(address(stakes)), 15e18);
    }

    function test_eligibility_stakeBeforeStartCountsInEpochZero() public {
        joinTrainer(task, tA, 10e18, 0);
        joinValidator(task, vA, 10e18, 0);
        assertTrue(stakes.isEligible(task, tA, Role.Trainer, 0));
        assertTrue(stakes.isEligible(task, tA, Role.Trainer, 3));
        assertFalse(stakes.isEligible(task, tA, Role.Validator, 0));
        assertTrue(stakes.isEligible(task, vA, Role.Validator, 0));
        assertFalse(stakes.isEligible(task, vA, Role.Trainer, 0));
        assertFalse(stakes.isEligible(task, d1, Role.Trainer, 0));
    }

    function test_eligibility_stakeDuringEpochCountsFromNext() public {
        warpTo(task, 0, 1);
        joinTrainer(task, tA, 10e18, 0);
        assertFalse(stakes.isEligible(task, tA, Role.Trainer, 0));
        assertTrue(stakes.isEligible(task, tA, Role.Trainer, 1));
        warpTo(task, 1, 9999);
        joinValidator(task, vA, 50e18, 0);
        assertFalse(stakes.isEligible(task, vA, Role.Validator, 1));
        assertTrue(stakes.isEligible(task, vA, Role.Validator, 2));
    }

    function test_eligibility_fromTheJoinEpochAtTheMinimum() public {
        warpTo(task, 0, 100);
        joinTrainer(task, tA, 10e18, 0);
        assertEq(stakes.getPool(task, tA).eligibleFrom, 1);
        assertFalse(stakes.isEligible(task, tA, Role.Trainer, 0));
        assertTrue(stakes.isEligible(task, tA, Role.Trainer, 1));
        // A top-up changes nothing about eligibility.
        fund(tA, 1e18);
        vm.prank(tA);
        stakes.addStake(task, 1e18);
        assertEq(stakes.getPool(task, tA).eligibleFrom, 1);
    }

    /// @notice Issue 9, exploit 3 (slot squatting): 256 trainer joins and 512 validator joins of
    /// 1 wei filled a task's role lists, during review too, and every honest join then reverted
    /// `RoleFull`. A join below the role's minimum stake now reverts; an honest one still works.
    function test_exploit3_dustJoinsCannotFillTheRoleLists() public {
        assertTrue(block.timestamp < registry.schedule(task).reviewEnd, "during review");
        bytes memory trainerMin = abi.encodeWithSelector(StakeManager.StakeBelowMinimum.selector, 10e18);
        bytes memory validatorMin = abi.encodeWithSelector(StakeManager.StakeBelowMinimum.selector, 10e18);
        address squatter = makeAddr("squatter");
        fund(squatter, 1);
        for (uint256 i; i < 256; ++i) {
            address who = address(uint160(0x5100000 + i));
            fund(who, 1);
            vm.prank(who);
            (bool ok, bytes memory err) =
                address(stakes).call(abi.encodeCall(stakes.join, (task, Role.Trainer, 1, 0, keyOf(who))));
            assertFalse(ok, "a 1 wei trainer join succeeded");
            assertEq(err, trainerMin);
        }
        for (uint256 j; j < 512; ++j) {
            address who = address(uint160(0x5200000 + j));
            fund(who, 1);
            vm.prank(who);
            (bool ok, bytes memory err) =
                address(stakes).call(abi.encodeCall(stakes.join, (task, Role.Validator, 1, 0, bytes32(0))));
            assertFalse(ok, "a 1 wei validator join succeeded");
            assertEq(err, validatorMin);
        }
        // One wei below the minimum is still dust.
        _expectJoinRevert(tA, Role.Trainer, 10e18 - 1, 0, keyOf(tA), trainerMin);
        assertEq(stakes.trainersOf(task).length, 0);
        assertEq(stakes.validatorsOf(task).length, 0);
        // Honest joins at the minimum still find free slots, and after the review as well.
        joinTrainer(task, tA, 10e18, 0);
        joinValidator(task, vA, 10e18, 0);
        warpTo(task, 0, 100);
        joinTrainer(task, tB, 25e18, 0);
        assertEq(stakes.trainersOf(task).length, 2);
        assertEq(stakes.validatorsOf(task).length, 1);
        assertTrue(stakes.isEligible(task, tA, Role.Trainer, 0));
    }

    function test_rolledValuesFollowTheEpochs() public {
        joinValidator(task, vA, 10e18, 0);
        warpTo(task, 0, 100);
        fund(vA, 7e18);
        vm.prank(vA);
        stakes.addStake(task, 3e18); // epoch 1
        delegateTo(task, d1, vA, 20e18); // epoch 1
        warpTo(task, 1, 100);
        vm.prank(vA);
        stakes.addStake(task, 4e18); // epoch 2
        assertEq(stakes.getPool(task, vA).own, 0);

        warpTo(task, 2, 0);
        finalizeEpoch(task); // rolls epoch 0, then epoch 1
        assertEq(stakes.rolledEpochs(task), 2);
        StakeManager.Pool memory p = stakes.getPool(task, vA);
        assertEq(p.own, 13e18);
        assertEq(p.delegated, 20e18);
        assertEq(p.ownLatest, 17e18);
        assertEq(p.delegatedLatest, 20e18);
        warpTo(task, 3, 0);
        finalizeEpoch(task);
        assertEq(stakes.getPool(task, vA).own, 17e18);
        ActiveStake[] memory a = stakes.activeStakes(task, one(vA));
        assertEq(a[0].own, 17e18);
        assertEq(a[0].delegated, 20e18);
        assertEq(a[0].sigma, 0);
        assertFalse(a[0].excluded);
    }

    // ================================================================ sigma

    function test_setSigma_rulesAndCooldown() public {
        vm.prank(vA);
        vm.expectRevert(StakeManager.NotJoined.selector);
        stakes.setSigma(task, 0.5e18);
        joinValidator(task, vA, 10e18, 0.2e18);
        vm.prank(vA);
        vm.expectRevert(StakeManager.InvalidSigma.selector);
        stakes.setSigma(task, 1e18 + 1);

        // A decrease takes effect in the next epoch.
        warpTo(task, 0, 100);
        vm.expectEmit(address(stakes));
        emit StakeManager.SigmaChanged(task, vA, 0.1e18, 1);
        vm.prank(vA);
        stakes.setSigma(task, 0.1e18);
        StakeManager.Pool memory p = stakes.getPool(task, vA);
        assertEq(p.sigmaLatest, 0.1e18);
        assertEq(p.sigma, 0.2e18);
        assertEq(p.lastSigmaEpoch, 1);

        warpTo(task, 1, 100); // would take effect in 2 < 1 + cooldown 2
        vm.prank(vA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.SigmaCooldown.selector, 3));
        stakes.setSigma(task, 0.05e18);
        // An increase takes effect in the epoch after next: from epoch 2 that is 4, no scoring epoch.
        warpTo(task, 2, 100);
        vm.prank(vA);
        vm.expectRevert(StakeManager.StakingClosed.selector);
        stakes.setSigma(task, 0.7e18);
        // The same value counts as a decrease (nothing for delegators to leave over).
        vm.expectEmit(address(stakes));
        emit StakeManager.SigmaChanged(task, vA, 0.1e18, 3);
        vm.prank(vA);
        stakes.setSigma(task, 0.1e18);
        assertEq(stakes.getPool(task, vA).lastSigmaEpoch, 3);
        warpTo(task, 3, 100);
        vm.prank(vA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.SigmaCooldown.selector, 5));
        stakes.setSigma(task, 0);
    }

    function test_setSigma_increaseCooldownCountsFromItsEffectiveEpoch() public {
        joinValidator(task, vA, 10e18, 0.2e18);
        warpTo(task, 0, 100);
        vm.expectEmit(address(stakes));
        emit StakeManager.SigmaChanged(task, vA, 0.6e18, 2);
        vm.prank(vA);
        stakes.setSigma(task, 0.6e18);
        assertEq(stakes.getPool(task, vA).lastSigmaEpoch, 2);
        // Cooldown 2 from epoch 2: the next change may be sent once it would count in epoch 4.
        warpTo(task, 2, 100);
        vm.prank(vA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.SigmaCooldown.selector, 4));
        stakes.setSigma(task, 0.1e18);
    }

    function test_setSigma_beforeStartCooldownToo() public {
        joinValidator(task, vA, 10e18, 0.2e18);
        vm.prank(vA);
        stakes.setSigma(task, 0.3e18); // an increase: counts from epoch 1
        assertEq(stakes.getPool(task, vA).lastSigmaEpoch, 1);
        vm.prank(vA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.SigmaCooldown.selector, 3));
        stakes.setSigma(task, 0.1e18);
        warpTo(task, 2, 0);
        finalizeEpoch(task);
        assertEq(stakes.getPool(task, vA).sigma, 0.3e18);
    }

    /// @notice Issue 9, exploit 6: a sigma increase sent in the last second of epoch 0 took the
    /// delegators' share of epoch 1 before they could leave. Now epoch 1 is still booked with the
    /// old sigma, the increase applies from epoch 2.
    function test_exploit6_lastSecondSigmaIncreaseWaitsAnEpoch() public {
        _scenarioA();
        _scoreSingle(0);
        vm.warp(registry.schedule(task).startTime + 1000 - 1); // the last second of epoch 0
        vm.prank(vA);
        stakes.setSigma(task, 1e18);
        _scoreSingle(1);
        _scoreSingle(2);
        warpTo(task, 3, 0);
        // T = 100, S = 200: R_V = 1000 - R_T, all of it to the single validator's pool.
        uint256 rV = R0 - expectedRT(R0, 100e18, 200e18, GAMMA);
        assertEq(expectedRT(R0, 100e18, 200e18, GAMMA), 566666666666666667000);
        uint256 half = rV / 2; // sigma 0: own 100 of 200
        finalizeEpoch(task);
        assertEq(stakes.pendingDelegationRewards(task, vA, d1), rV - half, "epoch 0");
        finalizeEpoch(task);
        // Epoch 1: still sigma 0, the delegators' half is theirs.
        assertEq(stakes.pendingDelegationRewards(task, vA, d1), 2 * (rV - half), "epoch 1: old sigma");
        assertEq(ownRewards(task, vA), 2 * half);
        finalizeEpoch(task);
        // Epoch 2: sigma 1, the whole pool is the owner's.
        assertEq(stakes.pendingDelegationRewards(task, vA, d1), 2 * (rV - half), "epoch 2: new sigma");
        assertEq(ownRewards(task, vA), 2 * half + rV);
    }

    /// @dev A decrease sent in the last second of an epoch applies in the next one.
    function test_setSigma_lastSecondDecreaseAppliesNextEpoch() public {
        joinTrainer(task, tA, 100e18, 1e18);
        joinValidator(task, vA, 100e18, 1e18);
        delegateTo(task, d1, vA, 100e18);
        vm.warp(registry.schedule(task).startTime + 1000 - 1);
        vm.prank(vA);
        stakes.setSigma(task, 0);
        _scoreSingle(1);
        warpTo(task, 2, 0);
        finalizeAllOver(task);
        uint256 rV = R0 * 2 - expectedRT(R0 * 2, 100e18, 200e18, GAMMA); // epoch 0 rolled over
        assertEq(ownRewards(task, vA), rV / 2);
        assertEq(stakes.pendingDelegationRewards(task, vA, d1), rV - rV / 2);
    }

    // ================================================================ delegation

    function test_delegate_recordsPendingChange() public {
        joinValidator(task, vA, 10e18, 0);
        fund(d1, 50e18);
        vm.expectEmit(address(stakes));
        emit StakeManager.Delegated(task, vA, d1, 50e18, 0);
        vm.prank(d1);
        stakes.delegate(task, vA, 50e18);
        StakeManager.Position memory pos = stakes.getPosition(task, vA, d1);
        assertEq(pos.shares, 0);
        assertEq(pos.deltaA, 50e18);
        assertEq(pos.fromA, 0);
        assertEq(stakes.getPool(task, vA).delegatedLatest, 50e18);
        assertEq(stakes.getPool(task, vA).delegated, 0);
        assertEq(token.balanceOf(address(stakes)), 60e18);
        warpTo(task, 0, 10);
        delegateTo(task, d1, vA, 5e18);
        pos = stakes.getPosition(task, vA, d1);
        assertEq(pos.deltaB, 5e18);
        assertEq(pos.fromB, 1);
    }

    function test_delegate_errors() public {
        joinValidator(task, vA, 10e18, 0);
        joinTrainer(task, tA, 10e18, 0);
        fund(vA, 10e18);
        vm.prank(vA);
        vm.expectRevert(StakeManager.SelfDelegation.selector);
        stakes.delegate(task, vA, 1e18);
        fund(d1, 10e18);
        vm.startPrank(d1);
        vm.expectRevert(StakeManager.ZeroAmount.selector);
        stakes.delegate(task, vA, 0);
        vm.expectRevert(StakeManager.NotJoined.selector);
        stakes.delegate(task, d2, 1e18);
        vm.stopPrank();
        // Delegation counts in a scoring epoch: to a trainer too, during the final phase.
        warpTo(task, 2, 0);
        delegateTo(task, d1, tA, 1e18);
        warpTo(task, 3, 0);
        vm.prank(d1);
        vm.expectRevert(StakeManager.StakingClosed.selector);
        stakes.delegate(task, vA, 1e18);
        vm.prank(d1);
        vm.expectRevert(StakeManager.StakingClosed.selector);
        stakes.delegate(task, tA, 1e18);
    }

    function test_delegate_excludedDelegatee() public {
        joinTrainer(task, tA, 10e18, 0);
        vm.prank(challenger);
        stakes.forfeit(task, tA, beneficiary, 0);
        fund(d1, 1e18);
        vm.prank(d1);
        vm.expectRevert(StakeManager.DelegateeExcluded.selector);
        stakes.delegate(task, tA, 1e18);
        fund(tA, 1e18);
        vm.prank(tA);
        vm.expectRevert(StakeManager.DelegateeExcluded.selector);
        stakes.addStake(task, 1e18);
    }

    function test_undelegate_beforeStartPaysAtOnce() public {
        joinValidator(task, vA, 10e18, 0);
        delegateTo(task, d1, vA, 50e18);
        vm.expectEmit(address(stakes));
        emit StakeManager.Undelegated(task, vA, d1, 20e18, 0);
        vm.expectEmit(address(stakes));
        emit StakeManager.PrincipalWithdrawn(task, vA, d1, 20e18);
        _undelegate(d1, vA, 20e18);
        assertEq(token.balanceOf(d1), 20e18);
        assertEq(stakes.getPool(task, vA).delegatedLatest, 30e18);
        StakeManager.Position memory pos = stakes.getPosition(task, vA, d1);
        assertEq(pos.deltaA, 30e18);
        assertEq(pos.unbonding, 0);
        // Withdrawing the rest before the start is the same thing.
        _undelegate(d1, vA, 30e18);
        assertEq(token.balanceOf(d1), 50e18);
        vm.prank(d1);
        vm.expectRevert(StakeManager.NothingToWithdraw.selector);
        stakes.withdrawDelegation(task, vA);
        warpTo(task, 1, 0);
        finalizeEpoch(task);
        assertEq(stakes.getPool(task, vA).delegated, 0);
    }

    function test_undelegate_errors() public {
        joinValidator(task, vA, 10e18, 0);
        delegateTo(task, d1, vA, 50e18);
        vm.startPrank(d1);
        vm.expectRevert(StakeManager.ZeroAmount.selector);
        stakes.undelegate(task, vA, 0);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.InsufficientDelegation.selector, 50e18));
        stakes.undelegate(task, vA, 50e18 + 1);
        vm.expectRevert(StakeManager.NotJoined.selector);
        stakes.undelegate(task, d2, 1);
        vm.stopPrank();
        vm.prank(d2);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.InsufficientDelegation.selector, 0));
        stakes.undelegate(task, vA, 1);
        vm.warp(endTime);
        vm.prank(d1);
        vm.expectRevert(StakeManager.StakingClosed.selector);
        stakes.undelegate(task, vA, 1);
    }

    function test_undelegate_principalAfterCurrentEpoch() public {
        joinValidator(task, vA, 10e18, 0);
        delegateTo(task, d1, vA, 50e18);
        warpTo(task, 1, 4000);
        vm.expectEmit(address(stakes));
        emit StakeManager.Undelegated(task, vA, d1, 20e18, 2);
        _undelegate(d1, vA, 20e18);
        assertEq(token.balanceOf(d1), 0);
        StakeManager.Position memory pos = stakes.getPosition(task, vA, d1);
        assertEq(pos.unbonding, 20e18);
        assertEq(pos.unbondFrom, 2);
        vm.prank(d1);
        vm.expectRevert(StakeManager.NothingToWithdraw.selector);
        stakes.withdrawDelegation(task, vA);
        warpTo(task, 2, 0);
        vm.warp(block.timestamp - 1);
        vm.prank(d1);
        vm.expectRevert(StakeManager.NothingToWithdraw.selector);
        stakes.withdrawDelegation(task, vA);
        vm.warp(block.timestamp + 1);
        vm.expectEmit(address(stakes));
        emit StakeManager.PrincipalWithdrawn(task, vA, d1, 20e18);
        _withdrawDelegation(d1, vA);
        assertEq(token.balanceOf(d1), 20e18);
        assertEq(stakes.getPosition(task, vA, d1).unbonding, 0);
        vm.prank(d1);
        vm.expectRevert(StakeManager.NothingToWithdraw.selector);
        stakes.withdrawDelegation(task, vA);
    }

    function test_undelegate_sameEpochMerges() public {
        joinValidator(task, vA, 10e18, 0);
        delegateTo(task, d1, vA, 50e18);
        warpTo(task, 1, 100);
        _undelegate(d1, vA, 10e18);
        warpTo(task, 1, 9000);
        _undelegate(d1, vA, 15e18);
        StakeManager.Position memory pos = stakes.getPosition(task, vA, d1);
        assertEq(pos.unbonding, 25e18);
        assertEq(pos.unbondFrom, 2);
        assertEq(pos.deltaA, 50e18); // the delegation from epoch 0, not rolled yet
        assertEq(pos.deltaB, -25e18);
        assertEq(pos.fromB, 2);
        assertEq(token.balanceOf(d1), 0);
        warpTo(task, 2, 0);
        _withdrawDelegation(d1, vA);
        assertEq(token.balanceOf(d1), 25e18);
        assertEq(stakes.getPool(task, vA).delegatedLatest, 25e18);
    }

    function test_undelegate_nextEpochPaysOutMaturedUnbonding() public {
        joinValidator(task, vA, 10e18, 0);
        delegateTo(task, d1, vA, 50e18);
        warpTo(task, 1, 100);
        _undelegate(d1, vA, 10e18);
        warpTo(task, 2, 100);
        finalizeEpoch(task); // epoch 0 (rolls 0 and 1): frees a pending-change slot
        vm.expectEmit(address(stakes));
        emit StakeManager.PrincipalWithdrawn(task, vA, d1, 10e18);
        _undelegate(d1, vA, 15e18);
        assertEq(token.balanceOf(d1), 10e18);
        StakeManager.Position memory pos = stakes.getPosition(task, vA, d1);
        assertEq(pos.unbonding, 15e18);
        assertEq(pos.unbondFrom, 3);
        warpTo(task, 3, 0);
        _withdrawDelegation(d1, vA);
        assertEq(token.balanceOf(d1), 25e18);
    }

    function test_withdrawDelegation_everythingAfterEnd() public {
        joinValidator(task, vA, 10e18, 0);
        delegateTo(task, d1, vA, 50e18);
        warpTo(task, 4, 9000); // challenge phase
        _undelegate(d1, vA, 5e18);
        vm.warp(endTime);
        vm.expectEmit(address(stakes));
        emit StakeManager.PrincipalWithdrawn(task, vA, d1, 50e18);
        _withdrawDelegation(d1, vA);
        assertEq(token.balanceOf(d1), 50e18);
        assertTrue(stakes.getPosition(task, vA, d1).exited);
        vm.prank(d1);
        vm.expectRevert(StakeManager.NothingToWithdraw.selector);
        stakes.withdrawDelegation(task, vA);
        // Re-entering after the end is closed.
        fund(d1, 1e18);
        vm.prank(d1);
        vm.expectRevert(StakeManager.StakingClosed.selector);
        stakes.delegate(task, vA, 1e18);
    }

    function test_withdrawDelegation_rejectedTaskReturnsAll() public {
        joinValidator(task, vA, 10e18, 0);
        delegateTo(task, d1, vA, 50e18);
        fund(d3, REJECT_QUORUM);
        vm.prank(d3);
        registry.object(task, REJECT_QUORUM);
        vm.prank(d1);
        vm.expectRevert(StakeManager.TaskIsRejected.selector);
        stakes.undelegate(task, vA, 1e18);
        _withdrawDelegation(d1, vA);
        assertEq(token.balanceOf(d1), 50e18);
        vm.prank(vA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(vA), 10e18);
        assertEq(token.balanceOf(address(stakes)), 0);
    }

    function test_delegate_tooManyPendingChangesUntilFinalized() public {
        joinValidator(task, vA, 10e18, 0);
        warpTo(task, 0, 100);
        delegateTo(task, d1, vA, 10e18); // epoch 1
        warpTo(task, 1, 100);
        delegateTo(task, d1, vA, 20e18); // epoch 2
        warpTo(task, 2, 100);
        fund(d1, 30e18);
        vm.prank(d1);
        vm.expectRevert(StakeManager.TooManyPendingChanges.selector);
        stakes.delegate(task, vA, 30e18);
        vm.prank(d1);
        vm.expectRevert(StakeManager.TooManyPendingChanges.selector);
        stakes.undelegate(task, vA, 1e18);

        finalizeEpoch(task); // epoch 0: rolls epochs 0 and 1
        assertEq(stakes.rolledEpochs(task), 2);
        vm.prank(d1);
        stakes.delegate(task, vA, 30e18);
        StakeManager.Position memory pos = stakes.getPosition(task, vA, d1);
        assertEq(pos.shares, 10e18);
        assertEq(pos.deltaA, 20e18);
        assertEq(pos.fromA, 2);
        assertEq(pos.deltaB, 30e18);
        assertEq(pos.fromB, 3);
        warpTo(task, 3, 0);
        finalizeEpoch(task);
        finalizeEpoch(task);
        assertEq(stakes.rolledEpochs(task), 4);
        assertEq(stakes.getPool(task, vA).delegated, 60e18);
    }

    function test_delegate_exitAfterEndKeepsRewardShares() public {
        _scenarioA();
        _scoreSingle(0);
        vm.warp(endTime);
        _withdrawDelegation(d1, vA);
        assertEq(token.balanceOf(d1), 100e18);
        finalizeAllOver(task);
        uint256 rV = R0 - expectedRT(R0, 100e18, 200e18, GAMMA);
        uint256 expected = rV - rV / 2;
        assertEq(stakes.pendingDelegationRewards(task, vA, d1), expected);
        vm.expectEmit(address(stakes));
        emit StakeManager.RewardsClaimed(task, vA, d1, expected);
        vm.prank(d1);
        stakes.claimDelegationRewards(task, vA);
        assertEq(token.balanceOf(d1), 100e18 + expected);
    }

    // ================================================================ claims

    function test_claim_validatorAndDelegatorsAtOnce() public {
        _scenarioA();
        _scoreSingle(0);
        warpTo(task, 1, 0);
        finalizeEpoch(task);
        uint256 rT = expectedRT(R0, 100e18, 200e18, GAMMA);
        uint256 rV = R0 - rT;
        // Before the task ends: validators and their delegators claim.
        vm.expectEmit(address(stakes));
        emit StakeManager.OwnRewardsClaimed(task, vA, rV / 2);
        vm.prank(vA);
        stakes.claimOwnRewards(task);
        assertEq(token.balanceOf(vA), rV / 2);
        vm.prank(vA);
        vm.expectRevert(StakeManager.NothingToClaim.selector);
        stakes.claimOwnRewards(task);

        vm.prank(d1);
        stakes.claimDelegationRewards(task, vA);
        assertEq(token.balanceOf(d1), rV - rV / 2);
        assertEq(stakes.pendingDelegationRewards(task, vA, d1), 0);
        vm.prank(d1);
        vm.expectRevert(StakeManager.NothingToClaim.selector);
        stakes.claimDelegationRewards(task, vA);
        vm.prank(d2);
        vm.expectRevert(StakeManager.NothingToClaim.selector);
        stakes.claimDelegationRewards(task, vA);
        vm.prank(d2);
        vm.expectRevert(StakeManager.NotJoined.selector);
        stakes.claimOwnRewards(task);

        // The trainer's pool (sigma 1, no delegators) is all its own, but not vested yet.
        assertEq(ownRewards(task, tA), rT);
        vm.prank(tA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.NotVested.selector, endTime));
        stakes.claimOwnRewards(task);
    }

    /// @dev tA (own 100, sigma 0.5) with d2's 50 delegated, vA (own 100) validating.
    function _trainerWithDelegator() internal returns (uint256 own, uint256 toDelegators) {
        joinTrainer(task, tA, 100e18, 0.5e18);
        delegateTo(task, d2, tA, 50e18);
        joinValidator(task, vA, 100e18, 1e18);
        _scoreSingle(0);
        warpTo(task, 1, 0);
        finalizeEpoch(task);
        uint256 rT = expectedRT(R0, 150e18, 100e18, GAMMA);
        // own = P (0.5 + 0.5 * 100/150) = P * 5/6, floored once
        own = (rT * 5) / 6;
        assertEq(own, expectedOwn(rT, 0.5e18, 100e18, 150e18));
        toDelegators = rT - own;
        assertEq(ownRewards(task, tA), own);
        assertEq(delegatorRewards(task, tA), toDelegators);
    }

    function test_claim_trainerDelegatorsOnlyAfterVesting() public {
        (uint256 own, uint256 toDelegators) = _trainerWithDelegator();
        assertFalse(stakes.isVested(task, tA));
        vm.prank(d2);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.NotVested.selector, endTime));
        stakes.claimDelegationRewards(task, tA);

        // A challenge opened in the challenge phase holds everything back.
        warpTo(task, 4, 500);
        vm.prank(challenger);
        stakes.challengeOpened(task, tA);
        vm.warp(endTime);
        assertFalse(stakes.isVested(task, tA));
        vm.prank(d2);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.OpenChallenges.selector, 1));
        stakes.claimDelegationRewards(task, tA);
        vm.prank(tA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.OpenChallenges.selector, 1));
        stakes.claimOwnRewards(task);
        vm.prank(tA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.OpenChallenges.selector, 1));
        stakes.withdrawStake(task);

        vm.prank(challenger);
        stakes.challengeClosed(task, tA);
        assertTrue(stakes.isVested(task, tA));
        vm.prank(d2);
        stakes.claimDelegationRewards(task, tA);
        // 50 shares at acc = toDelegators * 1e36 / 50e18: at most one wei of flooring.
        assertApproxEqAbs(token.balanceOf(d2), toDelegators, 1);
        assertLe(token.balanceOf(d2), toDelegators);
        vm.prank(tA);
        stakes.claimOwnRewards(task);
        assertEq(token.balanceOf(tA), own);
        vm.prank(tA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(tA), own + 100e18);
    }

    function test_claim_forfeitedTrainerPaysNobody() public {
        (uint256 own, uint256 toDelegators) = _trainerWithDelegator();
        warpTo(task, 4, 0);
        vm.prank(challenger);
        stakes.challengeOpened(task, tA);
        vm.prank(challenger);
        (uint256 rewards, uint256 slashed) = stakes.forfeit(task, tA, beneficiary, 2500);
        assertEq(rewards, own + toDelegators);
        assertEq(slashed, 25e18);
        vm.prank(challenger);
        stakes.challengeClosed(task, tA);
        vm.warp(endTime);
        vm.prank(d2);
        vm.expectRevert(StakeManager.RewardsForfeited.selector);
        stakes.claimDelegationRewards(task, tA);
        vm.prank(tA);
        vm.expectRevert(StakeManager.RewardsForfeited.selector);
        stakes.claimOwnRewards(task);
        assertEq(stakes.pendingDelegationRewards(task, tA, d2), 0);
        // Delegated principal is never slashed; own stake lost its slash.
        _withdrawDelegation(d2, tA);
        assertEq(token.balanceOf(d2), 50e18);
        vm.prank(tA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(tA), 75e18);
    }

    /// @dev Two delegators with different amounts and entry epochs, then a partial exit: each
    /// gets the delegators' part of each epoch in proportion to what it had active that epoch.
    function test_rewardPerShare_proportionalToActiveAmounts() public {
        joinTrainer(task, tA, 100e18, 1e18);
        joinValidator(task, vA, 100e18, 0);
        delegateTo(task, d1, vA, 100e18); // active from epoch 0
        warpTo(task, 0, 100);
        delegateTo(task, d2, vA, 300e18); // active from epoch 1
        _scoreSingle(0);
        warpTo(task, 1, 100);
        _undelegate(d1, vA, 50e18); // d1 has 50 active from epoch 2
        _scoreSingle(1);
        _scoreSingle(2);
        warpTo(task, 3, 0);
        finalizeAllOver(task);

        // Per epoch: S = 100 own + delegated; the single validator's pool is R_V.
        // epoch 0: delegated 100 (d1 100);  epoch 1: 400 (d1 100, d2 300); epoch 2: 350 (d1 50, d2 300)
        uint256[3] memory del = [uint256(100e18), 400e18, 350e18];
        uint256[3] memory d1Active = [uint256(100e18), 100e18, 50e18];
        uint256[3] memory d2Active = [uint256(0), 300e18, 300e18];
        uint256 exp1;
        uint256 exp2;
        uint256 ownTotal;
        uint256 delTotal;
        for (uint256 e; e < 3; ++e) {
            uint256 s = 100e18 + del[e];
            uint256 rV = R0 - expectedRT(R0, 100e18, s, GAMMA);
            uint256 own = (rV * 100e18) / s; // sigma 0
            uint256 toDel = rV - own;
            ownTotal += own;
            delTotal += toDel;
            exp1 += (toDel * d1Active[e]) / del[e];
            exp2 += (toDel * d2Active[e]) / del[e];
        }
        assertEq(ownRewards(task, vA), ownTotal);
        assertEq(delegatorRewards(task, vA), delTotal);
        uint256 got1 = stakes.pendingDelegationRewards(task, vA, d1);
        uint256 got2 = stakes.pendingDelegationRewards(task, vA, d2);
        // Accumulator flooring costs at most a wei per epoch and position.
        assertApproxEqAbs(got1, exp1, 3);
        assertApproxEqAbs(got2, exp2, 3);
        assertLe(got1 + got2, delTotal);
        // The ratio is not an accident of rounding: d2 got 3x d1's share in epoch 1, 6x in epoch 2.
        assertGt(got2, got1);

        vm.prank(d1);
        stakes.claimDelegationRewards(task, vA);
        vm.prank(d2);
        stakes.claimDelegationRewards(task, vA);
        assertEq(token.balanceOf(d1), got1); // its 50 unbonding is still to withdraw
        assertEq(token.balanceOf(d2), got2);
        _withdrawDelegation(d1, vA);
        assertEq(token.balanceOf(d1), got1 + 50e18);
    }

    // ================================================================ own stake

    function test_withdrawStake_lockedUntilEndThenOnce() public {
        joinValidator(task, vA, 10e18, 0);
        warpTo(task, 1, 0);
        fund(vA, 5e18);
        vm.prank(vA);
        stakes.addStake(task, 5e18);
        vm.warp(endTime - 1);
        vm.prank(vA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.StakeLocked.selector, endTime));
        stakes.withdrawStake(task);
        vm.warp(endTime);
        vm.expectEmit(address(stakes));
        emit StakeManager.StakeWithdrawn(task, vA, 15e18);
        vm.prank(vA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(vA), 15e18);
        assertTrue(stakes.getPool(task, vA).stakeWithdrawn);
        vm.prank(vA);
        vm.expectRevert(StakeManager.NothingToWithdraw.selector);
        stakes.withdrawStake(task);
        vm.prank(d1);
        vm.expectRevert(StakeManager.NotJoined.selector);
        stakes.withdrawStake(task);
    }

    function test_withdrawStake_trainerWithOpenChallenge() public {
        joinTrainer(task, tA, 10e18, 0);
        warpTo(task, 4, 0);
        vm.prank(challenger);
        stakes.challengeOpened(task, tA);
        vm.warp(endTime + 100);
        vm.prank(tA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.OpenChallenges.selector, 1));
        stakes.withdrawStake(task);
        vm.prank(challenger);
        stakes.challengeClosed(task, tA);
        vm.prank(tA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(tA), 10e18);
    }

    // ================================================================ challenge hooks

    function test_challengeCounts() public {
        joinTrainer(task, tA, 10e18, 0);
        joinValidator(task, vA, 10e18, 0);
        vm.startPrank(challenger);
        vm.expectEmit(address(stakes));
        emit StakeManager.ChallengeCount(task, tA, 1);
        stakes.challengeOpened(task, tA);
        stakes.challengeOpened(task, tA);
        assertEq(stakes.getPool(task, tA).openChallenges, 2);
        vm.expectEmit(address(stakes));
        emit StakeManager.ChallengeCount(task, tA, 1);
        stakes.challengeClosed(task, tA);
        stakes.challengeClosed(task, tA);
        assertEq(stakes.getPool(task, tA).openChallenges, 0);
        vm.expectRevert(StakeManager.NoOpenChallenge.selector);
        stakes.challengeClosed(task, tA);
        // Only trainers can be challenged.
        vm.expectRevert(StakeManager.InvalidRole.selector);
        stakes.challengeOpened(task, vA);
        vm.expectRevert(StakeManager.InvalidRole.selector);
        stakes.challengeOpened(task, d1);
        vm.expectRevert(StakeManager.InvalidRole.selector);
        stakes.forfeit(task, vA, beneficiary, 0);
        vm.stopPrank();
    }

    function test_onlyChallengeModule() public {
        joinTrainer(task, tA, 10e18, 0);
        vm.expectRevert(StakeManager.NotChallengeModule.selector);
        stakes.challengeOpened(task, tA);
        vm.expectRevert(StakeManager.NotChallengeModule.selector);
        stakes.challengeClosed(task, tA);
        vm.prank(address(engine));
        vm.expectRevert(StakeManager.NotChallengeModule.selector);
        stakes.forfeit(task, tA, beneficiary, 10_000);
    }

    function test_forfeit_exactAmountsIncludingSlash() public {
        (uint256 own, uint256 toDelegators) = _trainerWithDelegator();
        uint256 smBefore = token.balanceOf(address(stakes));
        vm.expectEmit(address(stakes));
        emit StakeManager.TrainerForfeited(task, tA, beneficiary, own + toDelegators, 50e18);
        vm.prank(challenger);
        (uint256 rewards, uint256 slashed) = stakes.forfeit(task, tA, beneficiary, 5000);
        assertEq(rewards, own + toDelegators);
        assertEq(slashed, 50e18);
        assertEq(token.balanceOf(beneficiary), own + toDelegators + 50e18);
        assertEq(token.balanceOf(address(stakes)), smBefore - own - toDelegators - 50e18);
        StakeManager.Pool memory p = stakes.getPool(task, tA);
        assertTrue(p.forfeited);
        assertTrue(p.excluded);
        assertEq(p.ownRewards, 0);
        assertEq(p.delegatorRewards, 0);
        assertEq(p.ownLatest, 50e18);
        assertFalse(stakes.isEligible(task, tA, Role.Trainer, 1));
        vm.prank(challenger);
        vm.expectRevert(StakeManager.AlreadyForfeited.selector);
        stakes.forfeit(task, tA, beneficiary, 5000);
    }

    function test_forfeit_fullSlashLeavesNothingToWithdraw() public {
        joinTrainer(task, tA, 10e18, 0);
        vm.prank(challenger);
        stakes.forfeit(task, tA, beneficiary, 10_000);
        assertEq(token.balanceOf(beneficiary), 10e18);
        vm.warp(endTime);
        vm.prank(tA);
        vm.expectRevert(StakeManager.NothingToWithdraw.selector);
        stakes.withdrawStake(task);
    }

    /// @dev Found by invariant_tokenConservation: on a rejected task a trainer may withdraw its stake
    /// at once; a later forfeit must not slash those tokens again out of everyone else's.
    function test_forfeit_afterStakeWithdrawnOnRejectedTaskSlashesNothing() public {
        joinTrainer(task, tA, 10e18, 0);
        joinValidator(task, vA, 20e18, 0);
        fund(d3, REJECT_QUORUM);
        vm.prank(d3);
        registry.object(task, REJECT_QUORUM);
        vm.prank(tA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(tA), 10e18);
        vm.prank(challenger);
        (uint256 rewards, uint256 slashed) = stakes.forfeit(task, tA, beneficiary, 10_000);
        assertEq(rewards, 0);
        assertEq(slashed, 0);
        assertEq(token.balanceOf(beneficiary), 0);
        assertEq(token.balanceOf(address(stakes)), 20e18);
        vm.prank(vA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(vA), 20e18);
        assertEq(token.balanceOf(address(stakes)), 0);
    }

    /// @dev Once vested (task over, no challenge open) a trainer may have claimed and withdrawn:
    /// forfeit must refuse rather than pay what was taken out of other participants' tokens.
    function test_forfeit_revertsOnceVested() public {
        (uint256 own,) = _trainerWithDelegator();
        vm.warp(endTime);
        finalizeAllOver(task);
        vm.prank(tA);
        stakes.claimOwnRewards(task);
        vm.prank(tA);
        stakes.withdrawStake(task);
        assertEq(token.balanceOf(tA), own + 100e18);
        uint256 held = token.balanceOf(address(stakes));

        vm.prank(challenger);
        vm.expectRevert(StakeManager.AlreadyVested.selector);
        stakes.forfeit(task, tA, beneficiary, 5000);
        assertEq(token.balanceOf(address(stakes)), held);
        assertEq(token.balanceOf(beneficiary), 0);
    }

    /// @dev A challenge still open at the end keeps the trainer unvested, so it can still forfeit.
    function test_forfeit_afterEndWithOpenChallenge() public {
        (uint256 own, uint256 toDelegators) = _trainerWithDelegator();
        vm.prank(challenger);
        stakes.challengeOpened(task, tA);
        vm.warp(endTime);
        finalizeAllOver(task);
        vm.prank(challenger);
        (uint256 rewards, uint256 slashed) = stakes.forfeit(task, tA, beneficiary, 5000);
        assertEq(rewards, own + toDelegators);
        assertEq(slashed, 50e18);
        assertEq(token.balanceOf(beneficiary), own + toDelegators + 50e18);
    }

    function test_forfeit_slashAboveAllReverts() public {
        vm.prank(challenger);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.InvalidSlash.selector, 10_001));
        stakes.forfeit(task, tA, beneficiary, 10_001);
    }

    function test_forfeit_excludedFromLaterEpochs() public {
        joinTrainer(task, tA, 100e18, 1e18);
        joinTrainer(task, tB, 100e18, 1e18);
        joinValidator(task, vA, 100e18, 1e18);
        submitAll(task, 1, two(tA, tB));
        scoreAll(task, 1, one(vA), rows(row(5000, 9000)));
        warpTo(task, 2, 0);
        vm.prank(challenger);
        stakes.forfeit(task, tB, beneficiary, 0);
        finalizeEpoch(task); // epoch 0: nothing revealed, 1000 carried
        vm.recordLogs();
        finalizeEpoch(task);
        TrainerEv[] memory evs = trainerEvents(vm.getRecordedLogs());
        assertEq(evs.length, 1);
        assertEq(evs[0].trainer, tA);
        assertEq(evs[0].rank, 1);
        // tB's stake does not count either: T = 100, S = 100, budget 2000.
        uint256 rT = expectedRT(2 * R0, 100e18, 100e18, GAMMA);
        assertEq(rT, 1000e18);
        assertEq(evs[0].pool, rT);
        assertEq(ownRewards(task, tA), rT);
        assertEq(ownRewards(task, tB), 0);
        assertEq(ownRewards(task, vA), 2 * R0 - rT);
        // tB can no longer seal.
        warpTo(task, 2, 100);
        vm.prank(tB);
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.sealSubmission(task, bytes32("x"));
    }

    // ================================================================ permits

    function test_joinWithPermit() public {
        (address who, uint256 pk) = makeAddrAndKey("permitTrainer");
        token.faucet(who, 30e18);
        PermitSig memory sig = signPermit(pk, address(stakes), 20e18, block.timestamp + 100);
        vm.prank(who);
        stakes.joinWithPermit(task, Role.Trainer, 20e18, 0, keyOf(who), sig);
        assertEq(stakes.getPool(task, who).ownLatest, 20e18);
        assertEq(token.balanceOf(who), 10e18);
        assertEq(token.nonces(who), 1);

        sig = signPermit(pk, address(stakes), 10e18, block.timestamp + 100);
        vm.prank(who);
        stakes.addStakeWithPermit(task, 10e18, sig);
        assertEq(stakes.getPool(task, who).ownLatest, 30e18);
        assertEq(token.balanceOf(who), 0);
        assertEq(token.allowance(who, address(stakes)), 0);
    }

    function test_delegateWithPermit_frontRun() public {
        joinValidator(task, vA, 10e18, 0);
        (address who, uint256 pk) = makeAddrAndKey("permitDelegator");
        token.faucet(who, 40e18);
        PermitSig memory sig = signPermit(pk, address(stakes), 40e18, block.timestamp + 100);
        token.permit(who, address(stakes), 40e18, sig.deadline, sig.v, sig.r, sig.s); // front-run
        vm.prank(who);
        stakes.delegateWithPermit(task, vA, 25e18, sig);
        assertEq(stakes.getPool(task, vA).delegatedLatest, 25e18);
        assertEq(token.allowance(who, address(stakes)), 15e18);
        // An expired permit with no allowance left fails in transferFrom.
        (address other, uint256 pk2) = makeAddrAndKey("latecomer");
        token.faucet(other, 5e18);
        sig = signPermit(pk2, address(stakes), 5e18, block.timestamp - 1);
        vm.prank(other);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(stakes), 0, 5e18)
        );
        stakes.delegateWithPermit(task, vA, 5e18, sig);
        assertEq(token.balanceOf(other), 5e18);
    }

    // ================================================================ engine guards and binding

    function test_onlyEngine() public {
        joinValidator(task, vA, 10e18, 0);
        vm.expectRevert(StakeManager.NotRewardEngine.selector);
        stakes.roll(task, 0, 10);
        vm.expectRevert(StakeManager.NotRewardEngine.selector);
        stakes.book(task, new address[](0), new uint256[](0), new uint256[](0));

        vm.startPrank(address(engine));
        vm.expectRevert(abi.encodeWithSelector(StakeManager.EpochNotRollable.selector, 0));
        stakes.roll(task, 1, 10);
        vm.expectRevert(StakeManager.LengthMismatch.selector);
        stakes.book(task, one(vA), new uint256[](1), new uint256[](0));
        vm.expectRevert(abi.encodeWithSelector(StakeManager.NoDelegators.selector, vA));
        stakes.book(task, one(vA), row(1), row(1));
        vm.expectEmit(address(stakes));
        emit StakeManager.PoolsBooked(task, 1, 5);
        uint256 booked = stakes.book(task, one(vA), row(5), row(0));
        vm.stopPrank();
        assertEq(booked, 5);
        assertEq(ownRewards(task, vA), 5);
    }

    function test_roll_inSlices() public {
        joinValidator(task, vA, 10e18, 0);
        joinValidator(task, vB, 10e18, 0);
        joinTrainer(task, tA, 10e18, 0);
        vm.startPrank(address(engine));
        (bool done, uint256 processed) = stakes.roll(task, 0, 2);
        assertFalse(done);
        assertEq(processed, 2);
        assertEq(stakes.rolledEpochs(task), 0);
        assertEq(stakes.getPool(task, vB).own, 10e18);
        assertEq(stakes.getPool(task, tA).own, 0);
        vm.expectEmit(address(stakes));
        emit StakeManager.EpochRolled(task, 0, 3);
        (done, processed) = stakes.roll(task, 0, 2);
        vm.stopPrank();
        assertTrue(done);
        assertEq(processed, 1);
        assertEq(stakes.rolledEpochs(task), 1);
        assertEq(stakes.getPool(task, tA).own, 10e18);
    }

    function test_bind_onceAndDeployerOnly() public {
        vm.prank(d1);
        vm.expectRevert(StakeManager.NotDeployer.selector);
        stakes.bind(address(1), address(2));
        vm.expectRevert(StakeManager.AlreadyBound.selector);
        stakes.bind(address(1), address(2));
        vm.expectRevert(StakeManager.AlreadyBound.selector);
        stakes.bindChallengeModule(address(3));

        StakeManager fresh = new StakeManager(token, registry);
        fresh.bind(address(1), address(0));
        assertEq(fresh.challengeModule(), address(0));
        vm.prank(d1);
        vm.expectRevert(StakeManager.NotDeployer.selector);
        fresh.bindChallengeModule(address(3));
        vm.expectEmit(address(fresh));
        emit StakeManager.ModulesBound(address(1), address(3));
        fresh.bindChallengeModule(address(3));
        assertEq(fresh.challengeModule(), address(3));
        vm.expectRevert(StakeManager.AlreadyBound.selector);
        fresh.bindChallengeModule(address(4));
        vm.expectRevert(StakeManager.AlreadyBound.selector);
        fresh.bind(address(5), address(6));
    }

    // ================================================================ pool cap

    function test_poolCap() public {
        uint256 cap = type(uint96).max;
        deal(address(token), vA, cap + 1);
        vm.startPrank(vA);
        token.approve(address(stakes), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.PoolCapExceeded.selector, cap));
        stakes.join(task, Role.Validator, cap + 1, 0, 0);
        stakes.join(task, Role.Validator, cap - 10, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.PoolCapExceeded.selector, cap));
        stakes.addStake(task, 11);
        vm.stopPrank();
        fund(d1, 20);
        vm.prank(d1);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.PoolCapExceeded.selector, cap));
        stakes.delegate(task, vA, 11);
        vm.prank(d1);
        stakes.delegate(task, vA, 10);
        StakeManager.Pool memory p = stakes.getPool(task, vA);
        assertEq(uint256(p.ownLatest) + p.delegatedLatest, cap);
        vm.prank(vA);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.PoolCapExceeded.selector, cap));
        stakes.addStake(task, 1);
    }
}

/// @notice A trainer forfeited between two trainer-booking calls of one epoch's finalization
/// gets nothing booked; its share stays in the deposit and returns to the creator.
contract StakeManagerForfeitMidFinalizationTest is ArenaTest {
    RewardEngineHarness internal harness;

    function deployEngine() internal override returns (RewardEngine) {
        harness = new RewardEngineHarness(registry, stakes, book);
        return harness;
    }

    function test_forfeitBetweenTrainerBookings() public {
        uint256 task = createTask(defaultParams());
        address tA = makeAddr("tA");
        address tB = makeAddr("tB");
        address vA = makeAddr("vA");
        joinTrainer(task, tA, 100e18, 1e18);
        joinTrainer(task, tB, 100e18, 1e18);
        delegateTo(task, makeAddr("dB"), tB, 20e18);
        joinValidator(task, vA, 100e18, 1e18);
        submitAll(task, 0, two(tA, tB));
        scoreAll(task, 0, one(vA), rows(row(9000, 5000)));
        warpTo(task, 1, 0);

        while (engine.progressOf(task).stage != RewardEngine.Stage.Trainers) harness.stepOnce(task, 100_000);
        // Trainers stage: 60 + 2 x 20 fixed, 72 per booked column: exactly one column.
        (uint256 used,,) = harness.stepOnce(task, 60 + 2 * 20 + 72);
        assertEq(used, 172);
        assertEq(engine.progressOf(task).cursor, 1);
        uint256 rT = expectedRT(1000e18, 220e18, 100e18, 0.7e18);
        // tA ranks first: u = (1 x 100, 0.85 x 120), U = 202
        uint256 pA = (rT * 100e18) / 202e18;
        uint256 pB = (rT * 102e18) / 202e18;
        assertEq(ownRewards(task, tA), pA);

        vm.prank(challenger);
        stakes.forfeit(task, tB, makeAddr("beneficiary"), 0);
        while (engine.progressOf(task).stage != RewardEngine.Stage.Start) harness.stepOnce(task, 100_000);

        assertEq(ownRewards(task, tB), 0);
        assertEq(delegatorRewards(task, tB), 0);
        uint256 vRewards = ownRewards(task, vA);
        assertEq(vRewards, 1000e18 - rT); // single validator, sigma 1
        TaskRegistry.Task memory t = registry.getTask(task);
        assertEq(t.paid, pA + vRewards);
        assertEq(t.remainder, 1000e18 - pA - vRewards);
        // The remainder is tB's pool plus at most a wei of rounding.
        assertApproxEqAbs(t.remainder, pB, 1);
        assertEq(t.closedEpochs, 1);
    }
}
