// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Schedule, RewardParams, StakeRules, ChallengeParams, TaskParams, Phase, PermitSig} from "./lib/TaskTypes.sol";
import {ScheduleLib} from "./lib/ScheduleLib.sol";
import {PermitLib} from "./lib/PermitLib.sol";
import {ITaskRegistry} from "./interfaces/ITaskRegistry.sol";

/// @title TaskRegistry
/// @notice Holds tasks: their parameters, the review with objections, the final-eval commitment
/// and the reward deposit, from which each finalized epoch is paid and whose remainder returns to
/// the creator (SPEC sections 2 and 4.6).
contract TaskRegistry is ITaskRegistry {
    using SafeERC20 for IERC20;
    using ScheduleLib for Schedule;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    uint256 public constant MIN_EPOCH_LENGTH = 10;
    uint256 public constant MAX_EPOCH_LENGTH = 30 days;
    uint256 public constant MAX_PHASE_EPOCHS = 1000;
    uint256 public constant MAX_LAMBDA = 50e18;
    uint256 public constant MAX_TRAINERS = 256;
    uint256 public constant MAX_VALIDATORS = 512;
    uint256 public constant MIN_STAKE_FLOOR = 1e18;
    /// @notice The smallest challenge bond a task may ask for (one token): a free challenge
    /// costs nothing to open against every submission.
    uint256 public constant MIN_BOND = 1e18;
    /// @notice The shortest verdict vote: its commit and reveal halves need a second each.
    uint256 public constant MIN_VOTE_TIME = 2;

    enum FinalEval {
        None,
        Pending,
        Revealed,
        Fallback
    }

    struct Task {
        address creator;
        Schedule schedule;
        RewardParams reward;
        StakeRules stakeRules;
        ChallengeParams challenge;
        bytes32 modelSpec;
        bytes32 trainData;
        bytes32 evalData;
        bytes32 finalEvalCommit;
        bytes32 finalEvalHash;
        uint128 rewardPerEpoch;
        uint128 carry;
        uint128 remainder;
        uint128 refunded;
        uint128 paid;
        uint128 objections;
        uint32 closedEpochs;
        bool finalEvalRevealed;
        bool fallbackRecorded;
        uint32 evalSubsetSize;
    }

    IERC20 public immutable token;
    uint256 public immutable rejectQuorum;
    uint256 public immutable minReviewPeriod;
    address private immutable _deployer;

    address public rewardEngine;
    address public stakeManager;
    uint256 public taskCount;

    mapping(uint256 => Task) internal _tasks;
    mapping(uint256 => mapping(address => uint256)) public objectionOf;

    event TaskCreated(uint256 indexed taskId, address indexed creator, TaskParams params, uint256 deposit);
    event Objected(uint256 indexed taskId, address indexed objector, uint256 amount, uint256 total);
    event TaskRejected(uint256 indexed taskId, uint256 objections);
    event ObjectionWithdrawn(uint256 indexed taskId, address indexed objector, uint256 amount);
    event FinalEvalRevealed(uint256 indexed taskId, bytes32 finalEvalHash);
    event FinalEvalFallback(uint256 indexed taskId);
    event EpochPaid(uint256 indexed taskId, uint256 amount);
    event EpochClosed(
        uint256 indexed taskId,
        uint256 indexed epoch,
        uint256 booked,
        uint256 rollover,
        uint256 carry,
        uint256 remainder
    );
    event RemainderWithdrawn(uint256 indexed taskId, address indexed creator, uint256 amount);
    event ModulesBound(address rewardEngine, address stakeManager);

    error NotDeployer();
    error AlreadyBound();
    error NotRewardEngine();
    error UnknownTask(uint256 taskId);
    error InvalidHash();
    error InvalidSchedule();
    error InvalidWindows();
    error InvalidRewardParams();
    error InvalidStakeRules();
    error InvalidChallengeParams();
    error StartTooEarly(uint256 earliest);
    error DepositTooLarge();
    error ZeroAmount();
    error NotInReview();
    error ObjectionLocked(uint256 until);
    error NothingToWithdraw();
    error NotCreator();
    error NoFinalPhase();
    error FinalEvalNotOpen(uint256 opensAt);
    error FinalEvalClosed(uint256 closedAt);
    error FinalEvalAlreadyRevealed();
    error FinalEvalMismatch();
    error FinalEvalStillOpen(uint256 deadline);
    error EpochOutOfOrder(uint256 expected);
    error OverBudget(uint256 budget);

    /// @param token_ the protocol token (18 decimals, EIP-2612)
    /// @param rejectQuorum_ objection tokens that reject a task under review
    /// @param minReviewPeriod_ the shortest review period a task may choose, in seconds
    constructor(IERC20 token_, uint256 rejectQuorum_, uint256 minReviewPeriod_) {
        token = token_;
        rejectQuorum = rejectQuorum_;
        minReviewPeriod = minReviewPeriod_;
        _deployer = msg.sender;
    }

    /// @notice Wires the modules allowed to pay out epochs; callable once, by the deployer.
    function bind(address rewardEngine_, address stakeManager_) external {
        if (msg.sender != _deployer) revert NotDeployer();
        if (rewardEngine != address(0)) revert AlreadyBound();
        rewardEngine = rewardEngine_;
        stakeManager = stakeManager_;
        emit ModulesBound(rewardEngine_, stakeManager_);
    }

    // ---------------------------------------------------------------- creation

    /// @notice Creates a task and takes its deposit: rewardPerEpoch times the scoring epochs.
    /// @return taskId the new task's id (ids start at 1)
    function createTask(TaskParams calldata p) external returns (uint256 taskId) {
        return _createTask(p);
    }

    /// @notice createTask with an EIP-2612 permit for the deposit instead of a prior approval.
    function createTaskWithPermit(TaskParams calldata p, PermitSig calldata sig) external returns (uint256) {
        PermitLib.tryPermit(address(token), _deposit(p), sig);
        return _createTask(p);
    }

    function _createTask(TaskParams calldata p) internal returns (uint256 taskId) {
        _validate(p);
        uint256 deposit = _deposit(p);
        taskId = ++taskCount;
        Task storage t = _tasks[taskId];
        t.creator = msg.sender;
        t.schedule = Schedule({
            startTime: p.startTime,
            reviewEnd: uint64(block.timestamp + p.reviewPeriod),
            epochLength: p.epochLength,
            submissionEpochs: p.submissionEpochs,
            finalEpochs: p.finalEpochs,
            challengeEpochs: p.challengeEpochs,
            sealEnd: p.sealEnd,
            revealEnd: p.revealEnd,
            commitEnd: p.commitEnd,
            finalCommitEnd: p.finalCommitEnd,
            rejected: false
        });
        t.reward = p.reward;
        t.stakeRules = p.stakeRules;
        t.challenge = p.challenge;
        t.modelSpec = p.modelSpec;
        t.trainData = p.trainData;
        t.evalData = p.evalData;
        t.finalEvalCommit = p.finalEvalCommit;
        t.rewardPerEpoch = p.rewardPerEpoch;
        t.evalSubsetSize = p.evalSubsetSize;
        emit TaskCreated(taskId, msg.sender, p, deposit);
        token.safeTransferFrom(msg.sender, address(this), deposit);
    }

    function _deposit(TaskParams calldata p) internal pure returns (uint256) {
        uint256 deposit = uint256(p.rewardPerEpoch) * (uint256(p.submissionEpochs) + p.finalEpochs);
        if (deposit > type(uint128).max) revert DepositTooLarge();
        return deposit;
    }

    function _validate(TaskParams calldata p) internal view {
        if (p.modelSpec == 0 || p.trainData == 0 || p.evalData == 0) revert InvalidHash();
        if ((p.finalEpochs > 0) != (p.finalEvalCommit != 0)) revert InvalidHash();
        if (
            p.epochLength < MIN_EPOCH_LENGTH || p.epochLength > MAX_EPOCH_LENGTH || p.submissionEpochs == 0
                || p.submissionEpochs > MAX_PHASE_EPOCHS || p.finalEpochs > MAX_PHASE_EPOCHS
                || p.challengeEpochs > MAX_PHASE_EPOCHS || p.reviewPeriod < minReviewPeriod || p.evalSubsetSize == 0
        ) revert InvalidSchedule();
        uint256 earliest = block.timestamp + p.reviewPeriod;
        if (p.startTime < earliest) revert StartTooEarly(earliest);
        if (
            p.sealEnd == 0 || p.sealEnd >= p.revealEnd || p.revealEnd >= p.commitEnd || p.commitEnd >= BPS
                || p.finalCommitEnd == 0 || p.finalCommitEnd >= BPS
        ) revert InvalidWindows();
        if (p.rewardPerEpoch == 0) revert ZeroAmount();
        RewardParams calldata r = p.reward;
        if (
            r.gamma > WAD || r.q > WAD || r.alphaT > WAD || r.alphaV > WAD || r.lambdaV > MAX_LAMBDA
                || r.minScore >= WAD || r.tolV > WAD || r.floorBps > BPS || r.minValidators == 0
                || r.minValidators > MAX_VALIDATORS
        ) revert InvalidRewardParams();
        StakeRules calldata s = p.stakeRules;
        if (
            s.minTrainerStake < MIN_STAKE_FLOOR || s.minValidatorStake < MIN_STAKE_FLOOR
                || s.minTrainerStake > type(uint96).max || s.minValidatorStake > type(uint96).max || s.maxTrainers == 0
                || s.maxTrainers > MAX_TRAINERS || s.maxValidators == 0 || s.maxValidators > MAX_VALIDATORS
                || s.sigmaCooldown == 0
        ) revert InvalidStakeRules();
        ChallengeParams calldata c = p.challenge;
        if (
            c.slashBps > BPS || c.responseTime == 0 || c.bond < MIN_BOND || c.disputeTime == 0
                || c.voteTime < MIN_VOTE_TIME || c.juryBps > BPS
        ) revert InvalidChallengeParams();
    }

    // ---------------------------------------------------------------- review

    /// @notice Locks `amount` tokens as an objection; reaching the quorum rejects the task.
    function object(uint256 taskId, uint256 amount) external {
        Task storage t = _task(taskId);
        if (t.schedule.rejected || block.timestamp >= t.schedule.reviewEnd) revert NotInReview();
        if (amount == 0) revert ZeroAmount();
        objectionOf[taskId][msg.sender] += amount;
        uint256 total = t.objections + amount;
        t.objections = uint128(total);
        emit Objected(taskId, msg.sender, amount, total);
        if (total >= rejectQuorum) {
            t.schedule.rejected = true;
            // The whole deposit becomes refundable; nothing was paid before the start.
            t.remainder = uint128(_deposit(t));
            emit TaskRejected(taskId, total);
        }
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Returns the caller's objection tokens once the review period is over, also when
    /// the task was rejected earlier: a rejection must cost the objectors their capital for the
    /// review period, or a flash loan could reject any task for free (SPEC 2.1).
    function withdrawObjection(uint256 taskId) external {
        Task storage t = _task(taskId);
        if (block.timestamp < t.schedule.reviewEnd) revert ObjectionLocked(t.schedule.reviewEnd);
        uint256 amount = objectionOf[taskId][msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        objectionOf[taskId][msg.sender] = 0;
        emit ObjectionWithdrawn(taskId, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- final eval

    /// @notice The creator opens the hidden final eval set at the start of the final phase.
    function revealFinalEval(uint256 taskId, bytes32 finalEvalHash, bytes32 salt) external {
        Task storage t = _task(taskId);
        if (msg.sender != t.creator) revert NotCreator();
        Schedule memory s = t.schedule;
        if (s.finalEpochs == 0) revert NoFinalPhase();
        if (t.finalEvalRevealed) revert FinalEvalAlreadyRevealed();
        uint256 opens = s.epochStart(s.submissionEpochs);
        if (block.timestamp < opens) revert FinalEvalNotOpen(opens);
        uint256 deadline = s.finalEvalDeadline();
        if (block.timestamp >= deadline) revert FinalEvalClosed(deadline);
        if (keccak256(abi.encode(finalEvalHash, salt)) != t.finalEvalCommit) revert FinalEvalMismatch();
        t.finalEvalRevealed = true;
        t.finalEvalHash = finalEvalHash;
        emit FinalEvalRevealed(taskId, finalEvalHash);
    }

    /// @notice Records, once, that the creator missed the reveal: the final phase reuses the
    /// public eval set. Anyone may call it after the deadline; finalization calls it too.
    function recordFinalEvalFallback(uint256 taskId) external {
        Task storage t = _task(taskId);
        FinalEval status = _finalEval(t);
        if (status == FinalEval.Pending) revert FinalEvalStillOpen(t.schedule.finalEvalDeadline());
        if (status != FinalEval.Fallback || t.fallbackRecorded) return;
        t.fallbackRecorded = true;
        emit FinalEvalFallback(taskId);
    }

    // ---------------------------------------------------------------- payouts (reward engine)

    /// @notice What the next epoch to close may book: one epoch's reward plus rolled-over ones.
    function epochBudget(uint256 taskId) external view returns (uint256) {
        Task storage t = _task(taskId);
        return uint256(t.rewardPerEpoch) + t.carry;
    }

    /// @notice Moves booked rewards to the stake manager, which holds them until claimed.
    function release(uint256 taskId, uint256 amount) external {
        if (msg.sender != rewardEngine) revert NotRewardEngine();
        Task storage t = _task(taskId);
        t.paid += uint128(amount);
        emit EpochPaid(taskId, amount);
        token.safeTransfer(stakeManager, amount);
    }

    /// @notice Closes a scoring epoch: `rollover` (what nobody earned: a degenerate epoch's whole
    /// budget, a share nobody qualified for) is carried to the next scoring epoch, the rounding
    /// dust (budget - booked - rollover) joins the remainder; after the last epoch all of it does.
    function closeEpoch(uint256 taskId, uint256 epoch, uint256 booked, uint256 rollover) external {
        if (msg.sender != rewardEngine) revert NotRewardEngine();
        Task storage t = _task(taskId);
        if (epoch != t.closedEpochs) revert EpochOutOfOrder(t.closedEpochs);
        uint256 budget = uint256(t.rewardPerEpoch) + t.carry;
        if (booked + rollover > budget) revert OverBudget(budget);
        uint256 carry = rollover;
        uint256 remainder = t.remainder + (budget - booked - rollover);
        if (epoch + 1 == t.schedule.scoringEpochs()) {
            remainder += carry;
            carry = 0;
        }
        t.carry = uint128(carry);
        t.remainder = uint128(remainder);
        t.closedEpochs = uint32(epoch + 1);
        emit EpochClosed(taskId, epoch, booked, rollover, carry, remainder);
    }

    /// @notice Sends the creator what is refundable so far: rolled-over and dust after the last
    /// epoch, or the whole deposit of a rejected task.
    function withdrawRemainder(uint256 taskId) external {
        Task storage t = _task(taskId);
        if (msg.sender != t.creator) revert NotCreator();
        uint256 amount = uint256(t.remainder) - t.refunded;
        if (amount == 0) revert NothingToWithdraw();
        t.refunded = t.remainder;
        emit RemainderWithdrawn(taskId, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- views

    function schedule(uint256 taskId) external view returns (Schedule memory) {
        return _task(taskId).schedule;
    }

    function rewardParams(uint256 taskId) external view returns (RewardParams memory) {
        return _task(taskId).reward;
    }

    function stakeRules(uint256 taskId) external view returns (StakeRules memory) {
        return _task(taskId).stakeRules;
    }

    function challengeParams(uint256 taskId) external view returns (ChallengeParams memory) {
        return _task(taskId).challenge;
    }

    /// @notice Samples of the eval set each scoring epoch is scored on (SPEC 2.2).
    function evalSubsetSize(uint256 taskId) external view returns (uint256) {
        return _task(taskId).evalSubsetSize;
    }

    function creatorOf(uint256 taskId) external view returns (address) {
        return _task(taskId).creator;
    }

    /// @notice The full task record, for clients.
    function getTask(uint256 taskId) external view returns (Task memory) {
        return _task(taskId);
    }

    function phase(uint256 taskId) external view returns (Phase) {
        return _task(taskId).schedule.phaseAt(block.timestamp);
    }

    function finalEvalStatus(uint256 taskId) external view returns (FinalEval) {
        return _finalEval(_task(taskId));
    }

    /// @notice Whether validators know which eval set the final phase uses.
    function finalEvalSettled(uint256 taskId) external view returns (bool) {
        FinalEval status = _finalEval(_task(taskId));
        return status == FinalEval.Revealed || status == FinalEval.Fallback;
    }

    function _finalEval(Task storage t) internal view returns (FinalEval) {
        if (t.schedule.finalEpochs == 0) return FinalEval.None;
        if (t.finalEvalRevealed) return FinalEval.Revealed;
        if (block.timestamp >= t.schedule.finalEvalDeadline()) return FinalEval.Fallback;
        return FinalEval.Pending;
    }

    function _task(uint256 taskId) internal view returns (Task storage t) {
        t = _tasks[taskId];
        if (t.creator == address(0)) revert UnknownTask(taskId);
    }

    function _deposit(Task storage t) internal view returns (uint256) {
        return uint256(t.rewardPerEpoch) * t.schedule.scoringEpochs();
    }
}
