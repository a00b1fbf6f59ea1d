// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ArenaTest} from "./utils/ArenaTest.sol";
import {TaskRegistry} from "../src/TaskRegistry.sol";
import {
    TaskParams,
    Phase,
    PermitSig,
    Schedule,
    RewardParams,
    StakeRules,
    ChallengeParams
} from "../src/lib/TaskTypes.sol";

contract TaskRegistryTest is ArenaTest {
    uint256 internal constant DEPOSIT = 4000e18; // 1000e18 x (3 submission + 1 final) epochs
    bytes32 internal constant FINAL_HASH = keccak256("final");
    bytes32 internal constant FINAL_SALT = bytes32("salt");

    address internal objector = makeAddr("objector");
    address internal objector2 = makeAddr("objector2");

    // ================================================================ creation

    function test_create_takesDepositEmitsAndStores() public {
        TaskParams memory p = defaultParams();
        fund(creator, DEPOSIT + 5e18);
        vm.expectEmit(address(registry));
        emit TaskRegistry.TaskCreated(1, creator, p, DEPOSIT);
        vm.prank(creator);
        uint256 id = registry.createTask(p);

        assertEq(id, 1);
        assertEq(registry.taskCount(), 1);
        assertEq(token.balanceOf(address(registry)), DEPOSIT);
        assertEq(token.balanceOf(creator), 5e18);

        TaskRegistry.Task memory t = registry.getTask(id);
        assertEq(t.creator, creator);
        assertEq(t.schedule.startTime, p.startTime);
        assertEq(t.schedule.reviewEnd, block.timestamp + 100);
        assertEq(t.schedule.epochLength, 1000);
        assertEq(t.schedule.submissionEpochs, 3);
        assertEq(t.schedule.finalEpochs, 1);
        assertEq(t.schedule.challengeEpochs, 1);
        assertEq(t.schedule.sealEnd, 5000);
        assertEq(t.schedule.revealEnd, 6000);
        assertEq(t.schedule.commitEnd, 8500);
        assertEq(t.schedule.finalCommitEnd, 7000);
        assertFalse(t.schedule.rejected);
        assertEq(t.modelSpec, p.modelSpec);
        assertEq(t.trainData, p.trainData);
        assertEq(t.evalData, p.evalData);
        assertEq(t.finalEvalCommit, p.finalEvalCommit);
        assertEq(t.finalEvalHash, bytes32(0));
        assertEq(t.rewardPerEpoch, 1000e18);
        assertEq(t.reward.gamma, 0.7e18);
        assertEq(t.reward.q, 0.85e18);
        assertEq(t.reward.lambdaV, 20e18);
        assertEq(t.stakeRules.minTrainerStake, 10e18);
        assertEq(t.stakeRules.sigmaCooldown, 2);
        assertEq(t.challenge.bond, 100e18);
        assertEq(t.challenge.responseTime, 1 days);
        assertEq(t.challenge.slashBps, 5000);
        assertEq(t.carry, 0);
        assertEq(t.remainder, 0);
        assertEq(t.paid, 0);
        assertEq(t.refunded, 0);
        assertEq(t.objections, 0);
        assertEq(t.closedEpochs, 0);
        assertEq(t.evalSubsetSize, 64);
        assertEq(t.reward.minScore, 0);
        assertEq(t.reward.tolV, 1e18);
        assertEq(t.reward.floorBps, 0);
        assertEq(t.reward.minValidators, 1);

        // The individual views agree with the record.
        assertEq(registry.evalSubsetSize(id), 64);
        assertEq(registry.creatorOf(id), creator);
        assertEq(registry.rewardParams(id).alphaT, 1e18);
        assertEq(registry.stakeRules(id).maxValidators, 512);
        assertEq(registry.challengeParams(id).slashBps, 5000);
        assertEq(registry.schedule(id).reviewEnd, t.schedule.reviewEnd);
        assertEq(registry.epochBudget(id), 1000e18);
    }

    function test_create_idsIncrease() public {
        assertEq(createTask(defaultParams()), 1);
        assertEq(createTask(defaultParams()), 2);
        assertEq(registry.taskCount(), 2);
        assertEq(token.balanceOf(address(registry)), 2 * DEPOSIT);
    }

    function test_create_noFinalPhaseDepositsSubmissionEpochsOnly() public {
        TaskParams memory p = defaultParams();
        p.finalEpochs = 0;
        p.finalEvalCommit = 0;
        uint256 id = createTask(p);
        assertEq(token.balanceOf(address(registry)), 3000e18);
        assertEq(uint256(registry.finalEvalStatus(id)), uint256(TaskRegistry.FinalEval.None));
    }

    function test_create_withoutAllowanceReverts() public {
        token.faucet(creator, DEPOSIT);
        vm.prank(creator);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(registry), 0, DEPOSIT)
        );
        registry.createTask(defaultParams());
    }

    function _expectCreateRevert(TaskParams memory p, bytes memory err) internal {
        fund(creator, 1_000_000e18);
        vm.prank(creator);
        vm.expectRevert(err);
        registry.createTask(p);
    }

    function _sel(bytes4 s) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(s);
    }

    function test_create_revertsOnMissingHashes() public {
        bytes memory err = _sel(TaskRegistry.InvalidHash.selector);
        TaskParams memory p = defaultParams();
        p.modelSpec = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.trainData = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.evalData = 0;
        _expectCreateRevert(p, err);
        // A final phase needs a final-eval commitment ...
        p = defaultParams();
        p.finalEvalCommit = 0;
        _expectCreateRevert(p, err);
        // ... and a commitment without a final phase is meaningless.
        p = defaultParams();
        p.finalEpochs = 0;
        _expectCreateRevert(p, err);
    }

    function test_create_revertsOnBadSchedule() public {
        bytes memory err = _sel(TaskRegistry.InvalidSchedule.selector);
        TaskParams memory p = defaultParams();
        p.epochLength = 9;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.epochLength = 30 days + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.submissionEpochs = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.submissionEpochs = 1001;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.finalEpochs = 1001;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.challengeEpochs = 1001;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reviewPeriod = uint32(MIN_REVIEW - 1);
        _expectCreateRevert(p, err);
    }

    function test_create_acceptsScheduleBounds() public {
        TaskParams memory p = defaultParams();
        p.epochLength = 10;
        p.reviewPeriod = uint32(MIN_REVIEW);
        p.startTime = uint64(block.timestamp + MIN_REVIEW);
        p.rewardPerEpoch = 1;
        p.submissionEpochs = 1000;
        p.finalEpochs = 1000;
        p.challengeEpochs = 1000;
        assertEq(createTask(p), 1);
        p = defaultParams();
        p.epochLength = 30 days;
        assertEq(createTask(p), 2);
        p = defaultParams();
        p.challengeEpochs = 0;
        assertEq(createTask(p), 3);
    }

    function test_create_revertsWhenStartTooEarly() public {
        TaskParams memory p = defaultParams();
        p.startTime = uint64(block.timestamp + p.reviewPeriod - 1);
        _expectCreateRevert(
            p, abi.encodeWithSelector(TaskRegistry.StartTooEarly.selector, block.timestamp + p.reviewPeriod)
        );
        // Exactly at the end of the review is fine.
        p.startTime = uint64(block.timestamp + p.reviewPeriod);
        assertEq(createTask(p), 1);
    }

    function test_create_revertsOnBadWindows() public {
        bytes memory err = _sel(TaskRegistry.InvalidWindows.selector);
        TaskParams memory p = defaultParams();
        p.sealEnd = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.revealEnd = p.sealEnd;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.commitEnd = p.revealEnd;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.commitEnd = 10_000;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.finalCommitEnd = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.finalCommitEnd = 10_000;
        _expectCreateRevert(p, err);
        // Tightest valid windows.
        p = defaultParams();
        (p.sealEnd, p.revealEnd, p.commitEnd, p.finalCommitEnd) = (1, 2, 9999, 9999);
        assertEq(createTask(p), 1);
    }

    function test_create_revertsOnZeroReward() public {
        TaskParams memory p = defaultParams();
        p.rewardPerEpoch = 0;
        _expectCreateRevert(p, _sel(TaskRegistry.ZeroAmount.selector));
    }

    function test_create_revertsOnBadRewardParams() public {
        bytes memory err = _sel(TaskRegistry.InvalidRewardParams.selector);
        TaskParams memory p = defaultParams();
        p.reward.gamma = 1e18 + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.q = 1e18 + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.alphaT = 1e18 + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.alphaV = 1e18 + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.lambdaV = 50e18 + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.minScore = 1e18;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.tolV = 1e18 + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.floorBps = 10_001;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.minValidators = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.reward.minValidators = 513;
        _expectCreateRevert(p, err);
        // The closed bounds are accepted.
        p = defaultParams();
        p.reward = RewardParams({
            gamma: 1e18,
            q: 1e18,
            alphaT: 1e18,
            alphaV: 1e18,
            lambdaV: 50e18,
            minScore: 1e18 - 1,
            tolV: 1e18,
            floorBps: 10_000,
            minValidators: 512
        });
        assertEq(createTask(p), 1);
        p.reward = RewardParams({
            gamma: 0, q: 0, alphaT: 0, alphaV: 0, lambdaV: 0, minScore: 0, tolV: 0, floorBps: 0, minValidators: 1
        });
        assertEq(createTask(p), 2);
    }

    function test_create_revertsOnZeroEvalSubset() public {
        TaskParams memory p = defaultParams();
        p.evalSubsetSize = 0;
        _expectCreateRevert(p, _sel(TaskRegistry.InvalidSchedule.selector));
        p.evalSubsetSize = 1;
        assertEq(createTask(p), 1);
        assertEq(registry.evalSubsetSize(1), 1);
    }

    function test_create_revertsOnBadStakeRules() public {
        bytes memory err = _sel(TaskRegistry.InvalidStakeRules.selector);
        TaskParams memory p = defaultParams();
        p.stakeRules.minTrainerStake = 1e18 - 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.minValidatorStake = 1e18 - 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.minTrainerStake = uint128(type(uint96).max) + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.minValidatorStake = uint128(type(uint96).max) + 1;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.maxTrainers = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.maxTrainers = 257;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.maxValidators = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.maxValidators = 513;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.stakeRules.sigmaCooldown = 0;
        _expectCreateRevert(p, err);
        // Bounds accepted.
        p = defaultParams();
        p.stakeRules = StakeRules({
            minTrainerStake: 1e18,
            minValidatorStake: uint128(type(uint96).max),
            maxTrainers: 1,
            maxValidators: 1,
            sigmaCooldown: 1
        });
        assertEq(createTask(p), 1);
    }

    function test_create_revertsOnBadChallengeParams() public {
        bytes memory err = _sel(TaskRegistry.InvalidChallengeParams.selector);
        TaskParams memory p = defaultParams();
        p.challenge.slashBps = 10_001;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.challenge.responseTime = 0;
        _expectCreateRevert(p, err);
        // Issue 9, exploit 4: a zero bond made challenges free. At least one token now.
        p = defaultParams();
        p.challenge =
            ChallengeParams({bond: 0, responseTime: 1, slashBps: 10_000, disputeTime: 1, voteTime: 2, juryBps: 10_000});
        _expectCreateRevert(p, err);
        p.challenge.bond = 1e18 - 1;
        _expectCreateRevert(p, err);
        assertEq(registry.MIN_BOND(), 1e18);
        p.challenge.bond = 1e18;
        assertEq(createTask(p), 1);
    }

    /// @notice The learning stage's parameters (SPEC 7 step 3, 8.4): a dispute window, a vote
    /// with a commit half and a reveal half, and a jury share of at most the whole.
    function test_create_revertsOnBadLearningStageParams() public {
        bytes memory err = _sel(TaskRegistry.InvalidChallengeParams.selector);
        TaskParams memory p = defaultParams();
        p.challenge.disputeTime = 0;
        _expectCreateRevert(p, err);
        p = defaultParams();
        p.challenge.voteTime = 1;
        _expectCreateRevert(p, err);
        assertEq(registry.MIN_VOTE_TIME(), 2);
        p = defaultParams();
        p.challenge.juryBps = 10_001;
        _expectCreateRevert(p, err);
        p.challenge.juryBps = 10_000;
        p.challenge.voteTime = 2;
        p.challenge.disputeTime = 1;
        uint256 id = createTask(p);
        ChallengeParams memory c = registry.challengeParams(id);
        assertEq(c.disputeTime, 1);
        assertEq(c.voteTime, 2);
        assertEq(c.juryBps, 10_000);
    }

    function test_create_revertsWhenDepositTooLarge() public {
        TaskParams memory p = defaultParams();
        p.rewardPerEpoch = type(uint128).max / 4 + 1; // times 4 scoring epochs > 2^128 - 1
        _expectCreateRevert(p, _sel(TaskRegistry.DepositTooLarge.selector));
        p.finalEpochs = 0;
        p.finalEvalCommit = 0;
        p.submissionEpochs = 2;
        p.rewardPerEpoch = type(uint128).max;
        _expectCreateRevert(p, _sel(TaskRegistry.DepositTooLarge.selector));
    }

    function test_create_unknownTaskViewsRevert() public {
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.UnknownTask.selector, 1));
        registry.getTask(1);
        createTask(defaultParams());
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.UnknownTask.selector, 2));
        registry.phase(2);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.UnknownTask.selector, 0));
        registry.schedule(0);
    }

    // ================================================================ permit

    function test_createWithPermit_realSignature() public {
        (address signer, uint256 pk) = makeAddrAndKey("permitCreator");
        token.faucet(signer, DEPOSIT);
        PermitSig memory sig = signPermit(pk, address(registry), DEPOSIT, block.timestamp + 1 hours);
        TaskParams memory p = defaultParams();
        vm.expectEmit(address(registry));
        emit TaskRegistry.TaskCreated(1, signer, p, DEPOSIT);
        vm.prank(signer);
        uint256 id = registry.createTaskWithPermit(p, sig);
        assertEq(id, 1);
        assertEq(registry.getTask(id).creator, signer);
        assertEq(token.balanceOf(signer), 0);
        assertEq(token.balanceOf(address(registry)), DEPOSIT);
        assertEq(token.nonces(signer), 1);
        assertEq(token.allowance(signer, address(registry)), 0);
    }

    function test_createWithPermit_frontRunPermitStillWorks() public {
        (address signer, uint256 pk) = makeAddrAndKey("permitCreator");
        token.faucet(signer, DEPOSIT);
        PermitSig memory sig = signPermit(pk, address(registry), DEPOSIT, block.timestamp + 1 hours);
        // Someone watching the mempool submits the permit first: the nonce is used up.
        vm.prank(makeAddr("frontRunner"));
        token.permit(signer, address(registry), DEPOSIT, sig.deadline, sig.v, sig.r, sig.s);
        assertEq(token.nonces(signer), 1);
        vm.prank(signer);
        uint256 id = registry.createTaskWithPermit(defaultParams(), sig);
        assertEq(id, 1);
        assertEq(token.balanceOf(address(registry)), DEPOSIT);
        assertEq(token.allowance(signer, address(registry)), 0);
    }

    function test_createWithPermit_badSignatureWithoutAllowanceReverts() public {
        (address signer, uint256 pk) = makeAddrAndKey("permitCreator");
        token.faucet(signer, DEPOSIT);
        // Signed for less than the deposit: the permit fails, and no allowance exists.
        PermitSig memory sig = signPermit(pk, address(registry), DEPOSIT - 1, block.timestamp + 1 hours);
        vm.prank(signer);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(registry), 0, DEPOSIT)
        );
        registry.createTaskWithPermit(defaultParams(), sig);
    }

    // ================================================================ review

    function test_object_belowQuorumLocksTokens() public {
        uint256 id = createTask(defaultParams());
        fund(objector, 5000e18);
        vm.expectEmit(address(registry));
        emit TaskRegistry.Objected(id, objector, 4000e18, 4000e18);
        vm.prank(objector);
        registry.object(id, 4000e18);
        assertEq(registry.objectionOf(id, objector), 4000e18);
        assertEq(registry.getTask(id).objections, 4000e18);
        assertEq(token.balanceOf(address(registry)), DEPOSIT + 4000e18);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Review));
        assertFalse(registry.getTask(id).schedule.rejected);
    }

    function test_object_quorumRejectsAtOnce() public {
        uint256 id = createTask(defaultParams());
        fund(objector, 6000e18);
        fund(objector2, 4000e18);
        vm.prank(objector);
        registry.object(id, 6000e18);
        vm.expectEmit(address(registry));
        emit TaskRegistry.Objected(id, objector2, 4000e18, REJECT_QUORUM);
        vm.expectEmit(address(registry));
        emit TaskRegistry.TaskRejected(id, REJECT_QUORUM);
        vm.prank(objector2);
        registry.object(id, 4000e18);

        TaskRegistry.Task memory t = registry.getTask(id);
        assertTrue(t.schedule.rejected);
        assertEq(t.remainder, DEPOSIT);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Rejected));
        // Still inside the review period, but the review is over.
        fund(objector, 1e18);
        vm.prank(objector);
        vm.expectRevert(TaskRegistry.NotInReview.selector);
        registry.object(id, 1e18);

        // Objections stay locked until the review period ends; the whole deposit returns at once.
        uint256 reviewEnd = registry.schedule(id).reviewEnd;
        vm.prank(objector2);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.ObjectionLocked.selector, reviewEnd));
        registry.withdrawObjection(id);
        vm.warp(reviewEnd);
        vm.prank(objector2);
        registry.withdrawObjection(id);
        assertEq(token.balanceOf(objector2), 4000e18);
        vm.expectEmit(address(registry));
        emit TaskRegistry.RemainderWithdrawn(id, creator, DEPOSIT);
        vm.prank(creator);
        registry.withdrawRemainder(id);
        assertEq(token.balanceOf(creator), DEPOSIT);
        assertEq(registry.getTask(id).refunded, DEPOSIT);
        vm.prank(creator);
        vm.expectRevert(TaskRegistry.NothingToWithdraw.selector);
        registry.withdrawRemainder(id);
        vm.prank(objector);
        registry.withdrawObjection(id);
        assertEq(token.balanceOf(objector), 6000e18 + 1e18);
        assertEq(token.balanceOf(address(registry)), 0);
    }

    function test_object_singleObjectionAtQuorumRejects() public {
        uint256 id = createTask(defaultParams());
        fund(objector, REJECT_QUORUM);
        vm.prank(objector);
        registry.object(id, REJECT_QUORUM);
        assertTrue(registry.getTask(id).schedule.rejected);
    }

    function test_object_revertsAfterReviewAndOnZero() public {
        uint256 id = createTask(defaultParams());
        fund(objector, 10e18);
        vm.prank(objector);
        vm.expectRevert(TaskRegistry.ZeroAmount.selector);
        registry.object(id, 0);
        vm.warp(registry.schedule(id).reviewEnd - 1);
        vm.prank(objector);
        registry.object(id, 1e18);
        vm.warp(registry.schedule(id).reviewEnd);
        vm.prank(objector);
        vm.expectRevert(TaskRegistry.NotInReview.selector);
        registry.object(id, 1e18);
    }

    function test_withdrawObjection_timing() public {
        uint256 id = createTask(defaultParams());
        uint256 reviewEnd = registry.schedule(id).reviewEnd;
        fund(objector, 10e18);
        vm.prank(objector);
        registry.object(id, 10e18);
        vm.warp(reviewEnd - 1);
        vm.prank(objector);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.ObjectionLocked.selector, reviewEnd));
        registry.withdrawObjection(id);
        vm.warp(reviewEnd);
        vm.expectEmit(address(registry));
        emit TaskRegistry.ObjectionWithdrawn(id, objector, 10e18);
        vm.prank(objector);
        registry.withdrawObjection(id);
        assertEq(token.balanceOf(objector), 10e18);
        assertEq(registry.objectionOf(id, objector), 0);
        vm.prank(objector);
        vm.expectRevert(TaskRegistry.NothingToWithdraw.selector);
        registry.withdrawObjection(id);
        // The task was not rejected: its deposit stays.
        assertEq(token.balanceOf(address(registry)), DEPOSIT);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Pending));
    }

    /// @notice Issue 9, exploit 5 (flash-loan rejection): object with the whole quorum, reject,
    /// withdraw and repay in one transaction. The withdrawal now reverts until the review period
    /// ends, so the whole transaction reverts and the task stays under review.
    function test_exploit5_flashLoanRejectionReverts() public {
        uint256 id = createTask(defaultParams());
        uint256 reviewEnd = registry.schedule(id).reviewEnd;
        FlashObjector attacker = new FlashObjector(registry);
        token.faucet(address(attacker), REJECT_QUORUM); // the flash-loaned quorum
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.ObjectionLocked.selector, reviewEnd));
        attacker.rejectAndRepay(id, REJECT_QUORUM);
        assertFalse(registry.getTask(id).schedule.rejected);
        assertEq(registry.getTask(id).objections, 0);
        assertEq(token.balanceOf(address(attacker)), REJECT_QUORUM);
        // A genuine rejection keeps the objectors' capital locked for the review period.
        vm.prank(address(attacker));
        token.approve(address(registry), REJECT_QUORUM);
        vm.prank(address(attacker));
        registry.object(id, REJECT_QUORUM);
        assertTrue(registry.getTask(id).schedule.rejected);
        vm.warp(reviewEnd - 1);
        vm.prank(address(attacker));
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.ObjectionLocked.selector, reviewEnd));
        registry.withdrawObjection(id);
        vm.warp(reviewEnd);
        vm.prank(address(attacker));
        registry.withdrawObjection(id);
        assertEq(token.balanceOf(address(attacker)), REJECT_QUORUM);
    }

    // ================================================================ final eval

    function test_revealFinalEval_happyPath() public {
        uint256 id = createTask(defaultParams());
        warpTo(id, 3, 0);
        assertEq(uint256(registry.finalEvalStatus(id)), uint256(TaskRegistry.FinalEval.Pending));
        assertFalse(registry.finalEvalSettled(id));
        vm.expectEmit(address(registry));
        emit TaskRegistry.FinalEvalRevealed(id, FINAL_HASH);
        vm.prank(creator);
        registry.revealFinalEval(id, FINAL_HASH, FINAL_SALT);
        assertEq(registry.getTask(id).finalEvalHash, FINAL_HASH);
        assertTrue(registry.getTask(id).finalEvalRevealed);
        assertEq(uint256(registry.finalEvalStatus(id)), uint256(TaskRegistry.FinalEval.Revealed));
        assertTrue(registry.finalEvalSettled(id));
        vm.prank(creator);
        vm.expectRevert(TaskRegistry.FinalEvalAlreadyRevealed.selector);
        registry.revealFinalEval(id, FINAL_HASH, FINAL_SALT);
        // Revealed stays revealed after the deadline, and no fallback is recorded.
        warpTo(id, 4, 0);
        assertEq(uint256(registry.finalEvalStatus(id)), uint256(TaskRegistry.FinalEval.Revealed));
        vm.recordLogs();
        registry.recordFinalEvalFallback(id);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_revealFinalEval_errors() public {
        uint256 id = createTask(defaultParams());
        Schedule memory s = registry.schedule(id);
        uint256 opens = uint256(s.startTime) + 3 * 1000;
        uint256 deadline = opens + 100; // 10% of one final epoch
        vm.prank(makeAddr("stranger"));
        vm.expectRevert(TaskRegistry.NotCreator.selector);
        registry.revealFinalEval(id, FINAL_HASH, FINAL_SALT);

        vm.warp(opens - 1);
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.FinalEvalNotOpen.selector, opens));
        registry.revealFinalEval(id, FINAL_HASH, FINAL_SALT);

        vm.warp(opens);
        vm.prank(creator);
        vm.expectRevert(TaskRegistry.FinalEvalMismatch.selector);
        registry.revealFinalEval(id, FINAL_HASH, bytes32("wrong"));
        vm.prank(creator);
        vm.expectRevert(TaskRegistry.FinalEvalMismatch.selector);
        registry.revealFinalEval(id, keccak256("other"), FINAL_SALT);

        vm.warp(deadline);
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.FinalEvalClosed.selector, deadline));
        registry.revealFinalEval(id, FINAL_HASH, FINAL_SALT);
        assertEq(uint256(registry.finalEvalStatus(id)), uint256(TaskRegistry.FinalEval.Fallback));
        assertTrue(registry.finalEvalSettled(id));

        // One tick before the deadline still works.
        uint256 id2 = createTask(defaultParams());
        vm.warp(registry.schedule(id2).startTime + 3 * 1000 + 99);
        vm.prank(creator);
        registry.revealFinalEval(id2, FINAL_HASH, FINAL_SALT);
    }

    function test_revealFinalEval_deadlineIsTenPercentOfTheWholeFinalPhase() public {
        TaskParams memory p = defaultParams();
        p.finalEpochs = 5;
        uint256 id = createTask(p);
        uint256 opens = uint256(p.startTime) + 3 * 1000;
        vm.warp(opens + 499); // 10% of 5 x 1000 s = 500 s
        vm.prank(creator);
        registry.revealFinalEval(id, FINAL_HASH, FINAL_SALT);
        assertTrue(registry.getTask(id).finalEvalRevealed);
    }

    function test_revealFinalEval_noFinalPhase() public {
        TaskParams memory p = defaultParams();
        p.finalEpochs = 0;
        p.finalEvalCommit = 0;
        uint256 id = createTask(p);
        warpTo(id, 3, 0);
        vm.prank(creator);
        vm.expectRevert(TaskRegistry.NoFinalPhase.selector);
        registry.revealFinalEval(id, FINAL_HASH, FINAL_SALT);
        // No final phase: nothing to fall back from, no event.
        assertFalse(registry.finalEvalSettled(id));
        vm.recordLogs();
        registry.recordFinalEvalFallback(id);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_recordFinalEvalFallback_revertsWhileOpenAndEmitsOnce() public {
        uint256 id = createTask(defaultParams());
        uint256 deadline = uint256(registry.schedule(id).startTime) + 3 * 1000 + 100;
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.FinalEvalStillOpen.selector, deadline));
        registry.recordFinalEvalFallback(id);
        vm.warp(deadline - 1);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.FinalEvalStillOpen.selector, deadline));
        registry.recordFinalEvalFallback(id);

        vm.warp(deadline);
        vm.recordLogs();
        registry.recordFinalEvalFallback(id);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[0], TaskRegistry.FinalEvalFallback.selector);
        assertEq(uint256(logs[0].topics[1]), id);
        assertTrue(registry.getTask(id).fallbackRecorded);

        vm.recordLogs();
        registry.recordFinalEvalFallback(id);
        vm.prank(makeAddr("anyone"));
        registry.recordFinalEvalFallback(id);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    // ================================================================ payouts

    function test_onlyRewardEngine() public {
        uint256 id = createTask(defaultParams());
        vm.expectRevert(TaskRegistry.NotRewardEngine.selector);
        registry.release(id, 1);
        vm.expectRevert(TaskRegistry.NotRewardEngine.selector);
        registry.closeEpoch(id, 0, 0, 0);
        vm.prank(creator);
        vm.expectRevert(TaskRegistry.NotRewardEngine.selector);
        registry.closeEpoch(id, 0, 0, 1000e18);
    }

    function test_closeEpoch_carryRemainderAndOrder() public {
        uint256 id = createTask(defaultParams());
        vm.startPrank(address(engine));
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.EpochOutOfOrder.selector, 0));
        registry.closeEpoch(id, 1, 0, 0);

        // Epoch 0 degenerate: its 1000 roll over.
        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochClosed(id, 0, 0, 1000e18, 1000e18, 0);
        registry.closeEpoch(id, 0, 0, 1000e18);
        assertEq(registry.epochBudget(id), 2000e18);
        assertEq(registry.getTask(id).carry, 1000e18);

        // Epoch 1 may book and roll over at most 2000 together.
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.OverBudget.selector, 2000e18));
        registry.closeEpoch(id, 1, 2000e18 + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.OverBudget.selector, 2000e18));
        registry.closeEpoch(id, 1, 1500e18, 500e18 + 1);
        // 1500 booked, 300 rolled over (say a zero column's share), 200 dust to the remainder.
        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochClosed(id, 1, 1500e18, 300e18, 300e18, 200e18);
        registry.closeEpoch(id, 1, 1500e18, 300e18);
        assertEq(registry.getTask(id).carry, 300e18);
        assertEq(registry.getTask(id).remainder, 200e18);
        assertEq(registry.epochBudget(id), 1300e18);

        // Epoch 2 books nothing and rolls nothing: all of it is remainder (not carried).
        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochClosed(id, 2, 0, 0, 0, 1500e18);
        registry.closeEpoch(id, 2, 0, 0);
        // Epoch 3 (the last) rolls over everything: it returns to the creator.
        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochClosed(id, 3, 0, 1000e18, 0, 2500e18);
        registry.closeEpoch(id, 3, 0, 1000e18);
        vm.stopPrank();
        TaskRegistry.Task memory t = registry.getTask(id);
        assertEq(t.carry, 0);
        assertEq(t.remainder, 2500e18);
        assertEq(t.closedEpochs, 4);
        assertEq(t.paid + t.remainder + t.carry, 2500e18); // nothing released in this unit test
    }

    /// @dev carry + remainder + paid == what the closed epochs' budgets were, for any sequence of
    /// closes the engine could make.
    function testFuzz_closeEpoch_rolloverBookkeeping(uint256 seed) public {
        uint256 id = createTask(defaultParams());
        uint256 paid;
        vm.startPrank(address(engine));
        for (uint256 e; e < 4; ++e) {
            uint256 budget = registry.epochBudget(id);
            uint256 r = uint256(keccak256(abi.encode(seed, e)));
            uint256 booked = bound(r, 0, budget);
            uint256 rollover = bound(r >> 128, 0, budget - booked);
            if (booked != 0) registry.release(id, booked);
            paid += booked;
            registry.closeEpoch(id, e, booked, rollover);
            TaskRegistry.Task memory t = registry.getTask(id);
            assertEq(uint256(t.paid), paid);
            assertEq(uint256(t.carry), e == 3 ? 0 : rollover);
            assertEq(uint256(t.paid) + t.remainder + t.carry, (e + 1) * 1000e18);
        }
        vm.stopPrank();
        assertEq(token.balanceOf(address(registry)) + paid, DEPOSIT);
    }

    function test_release_movesTokensToStakeManager() public {
        uint256 id = createTask(defaultParams());
        vm.expectEmit(address(registry));
        emit TaskRegistry.EpochPaid(id, 123);
        vm.prank(address(engine));
        registry.release(id, 123);
        assertEq(registry.getTask(id).paid, 123);
        assertEq(token.balanceOf(address(stakes)), 123);
        assertEq(token.balanceOf(address(registry)), DEPOSIT - 123);
    }

    function test_withdrawRemainder_allDegenerateEpochsReturnEverything() public {
        uint256 id = createTask(defaultParams());
        vm.prank(creator);
        vm.expectRevert(TaskRegistry.NothingToWithdraw.selector);
        registry.withdrawRemainder(id);

        // Nobody joined: every scoring epoch is degenerate and rolls over.
        for (uint256 e; e < 4; ++e) {
            warpTo(id, e + 1, 0);
            vm.expectEmit(address(registry));
            emit TaskRegistry.EpochClosed(
                id, e, 0, (e + 1) * 1000e18, e == 3 ? 0 : (e + 1) * 1000e18, e == 3 ? DEPOSIT : 0
            );
            finalizeEpoch(id);
            if (e < 3) {
                assertEq(registry.epochBudget(id), (e + 2) * 1000e18);
                vm.prank(creator);
                vm.expectRevert(TaskRegistry.NothingToWithdraw.selector);
                registry.withdrawRemainder(id);
            }
        }
        vm.prank(makeAddr("stranger"));
        vm.expectRevert(TaskRegistry.NotCreator.selector);
        registry.withdrawRemainder(id);
        vm.prank(creator);
        registry.withdrawRemainder(id);
        assertEq(token.balanceOf(creator), DEPOSIT);
        assertEq(token.balanceOf(address(registry)), 0);
    }

    function test_withdrawRemainder_afterRealEpochsRefundsCarryAndDust() public {
        uint256 id = createTask(defaultParams());
        address t0 = makeAddr("t0");
        address t1 = makeAddr("t1");
        address v0 = makeAddr("v0");
        address v1 = makeAddr("v1");
        joinTrainer(id, t0, 100e18, 0.5e18);
        joinTrainer(id, t1, 37e18, 0.5e18);
        joinValidator(id, v0, 100e18, 1e18);
        joinValidator(id, v1, 300e18, 1e18);
        // Epoch 0 scored; epochs 1..3 degenerate (no reveals): 3000 carried back.
        submitAll(id, 0, two(t0, t1));
        scoreAll(id, 0, two(v0, v1), rows(row(9000, 5000), row(8000, 6000)));
        for (uint256 e; e < 4; ++e) {
            warpTo(id, e + 1, 0);
            finalizeEpoch(id);
        }
        TaskRegistry.Task memory t = registry.getTask(id);
        uint256 booked = ownRewards(id, t0) + ownRewards(id, t1) + ownRewards(id, v0) + ownRewards(id, v1);
        assertEq(t.paid, booked);
        assertEq(token.balanceOf(address(stakes)), 100e18 + 37e18 + 100e18 + 300e18 + booked);
        assertGt(booked, 1000e18 - 10);
        assertLe(booked, 1000e18);
        assertEq(t.carry, 0);
        assertEq(t.remainder, 3000e18 + (1000e18 - booked));
        assertEq(t.paid + t.remainder, DEPOSIT);
        vm.prank(creator);
        registry.withdrawRemainder(id);
        assertEq(token.balanceOf(creator), DEPOSIT - booked);
        assertEq(token.balanceOf(address(registry)), 0);
    }

    function test_withdrawRemainder_dustCanBeTakenAsItAccrues() public {
        uint256 id = createTask(defaultParams());
        vm.prank(address(engine));
        registry.closeEpoch(id, 0, 999e18, 0);
        vm.prank(creator);
        registry.withdrawRemainder(id);
        assertEq(token.balanceOf(creator), 1e18);
        vm.startPrank(address(engine));
        registry.closeEpoch(id, 1, 998e18, 0);
        vm.stopPrank();
        vm.prank(creator);
        registry.withdrawRemainder(id);
        assertEq(token.balanceOf(creator), 3e18);
        assertEq(registry.getTask(id).refunded, 3e18);
    }

    // ================================================================ bind

    function test_bind_onceAndDeployerOnly() public {
        vm.prank(makeAddr("stranger"));
        vm.expectRevert(TaskRegistry.NotDeployer.selector);
        registry.bind(address(1), address(2));
        vm.expectRevert(TaskRegistry.AlreadyBound.selector);
        registry.bind(address(1), address(2));

        TaskRegistry fresh = new TaskRegistry(token, REJECT_QUORUM, MIN_REVIEW);
        vm.prank(makeAddr("stranger"));
        vm.expectRevert(TaskRegistry.NotDeployer.selector);
        fresh.bind(address(1), address(2));
        vm.expectEmit(address(fresh));
        emit TaskRegistry.ModulesBound(address(1), address(2));
        fresh.bind(address(1), address(2));
        assertEq(fresh.rewardEngine(), address(1));
        assertEq(fresh.stakeManager(), address(2));
        vm.expectRevert(TaskRegistry.AlreadyBound.selector);
        fresh.bind(address(3), address(4));
        assertEq(fresh.rejectQuorum(), REJECT_QUORUM);
        assertEq(fresh.minReviewPeriod(), MIN_REVIEW);
        assertEq(address(fresh.token()), address(token));
    }

    // ================================================================ phases

    function test_phase_acrossTheWholeLife() public {
        uint256 id = createTask(defaultParams());
        Schedule memory s = registry.schedule(id);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Review));
        vm.warp(s.reviewEnd - 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Review));
        vm.warp(s.reviewEnd);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Pending));
        vm.warp(s.startTime - 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Pending));
        vm.warp(s.startTime);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Submission));
        vm.warp(uint256(s.startTime) + 3000 - 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Submission));
        vm.warp(uint256(s.startTime) + 3000);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Final));
        vm.warp(uint256(s.startTime) + 4000 - 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Final));
        vm.warp(uint256(s.startTime) + 4000);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Challenge));
        vm.warp(uint256(s.startTime) + 5000 - 1);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Challenge));
        vm.warp(uint256(s.startTime) + 5000);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Ended));
        vm.warp(uint256(s.startTime) + 500_000);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Ended));
    }

    function test_phase_noFinalNoChallenge() public {
        TaskParams memory p = defaultParams();
        (p.finalEpochs, p.finalEvalCommit, p.challengeEpochs) = (0, 0, 0);
        uint256 id = createTask(p);
        vm.warp(uint256(p.startTime) + 2999);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Submission));
        vm.warp(uint256(p.startTime) + 3000);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Ended));
    }

    function test_phase_rejectedStaysRejected() public {
        uint256 id = createTask(defaultParams());
        fund(objector, REJECT_QUORUM);
        vm.prank(objector);
        registry.object(id, REJECT_QUORUM);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Rejected));
        warpTo(id, 2, 0);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Rejected));
        warpTo(id, 10, 0);
        assertEq(uint256(registry.phase(id)), uint256(Phase.Rejected));
    }
}

/// @notice Objects with a (flash-loaned) quorum and takes the tokens back in the same transaction.
contract FlashObjector {
    TaskRegistry internal immutable registry;

    constructor(TaskRegistry registry_) {
        registry = registry_;
    }

    function rejectAndRepay(uint256 taskId, uint256 amount) external {
        registry.token().approve(address(registry), amount);
        registry.object(taskId, amount);
        registry.withdrawObjection(taskId);
    }
}
