// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Schedule, ChallengeParams, Role, PermitSig} from "./lib/TaskTypes.sol";
import {ScheduleLib} from "./lib/ScheduleLib.sol";
import {PermitLib} from "./lib/PermitLib.sol";
import {ITaskRegistry} from "./interfaces/ITaskRegistry.sol";
import {IChallengeModule, Challenge, ChallengeStatus} from "./interfaces/IChallengeModule.sol";
import {IWatermarkOwnershipVerifier} from "./verifiers/IWatermarkOwnershipVerifier.sol";
import {StakeManager} from "./StakeManager.sol";
import {SubmissionBook} from "./SubmissionBook.sol";

/// @title ChallengeModule
/// @notice Challenges of SPEC section 7 (revision 2, without the learning stage of section 8). A
/// staked validator challenges a revealed submission with the task's bond; at most one challenge
/// per submission is open at a time. The accused trainer answers within the task's response time
/// with a Groth16 proof that the submission's committed weights decode its own address under its
/// own committed key: the submission is proven (it can never be failed afterwards) and the bond
/// goes back to the challenger, since a key fitted to a public model yields such a proof too.
/// Without an answer in time anyone may resolve: the trainer forfeits its unvested rewards (its
/// delegators' booked share included) and `slashBps` of its own stake to the challenger, who gets
/// its bond back, and its later submissions are excluded. Decisions: docs/contracts.md,
/// "Challenges".
/// @dev The public inputs of every proof are taken from chain state, never from the caller:
/// (wmCommit of the submission, keyCommit recorded at join, the owner's address, `maxErr`). The
/// verifier checks the proof against exactly that claim, so a proof cannot be replayed for
/// another submission, owner, key or tolerance.
contract ChallengeModule is IChallengeModule {
    using SafeERC20 for IERC20;
    using ScheduleLib for Schedule;

    /// @dev StakeManager's `eligibleFrom` for an account whose own stake never reached the minimum.
    uint32 internal constant NEVER = type(uint32).max;
    /// @notice Watermark bits of the verifier's circuit instance (SPEC section 6: T = 64).
    uint256 public constant WATERMARK_BITS = 64;

    IERC20 public immutable token;
    ITaskRegistry public immutable registry;
    StakeManager public immutable stakes;
    SubmissionBook public immutable book;
    IWatermarkOwnershipVerifier public immutable verifier;
    /// @notice The tolerance every proof is checked with: at most this many of the owner's
    /// `WATERMARK_BITS` bits may decode wrong. Fixed with the verifier at deployment.
    uint256 public immutable maxErr;

    /// @notice Challenges opened so far; ids start at 1.
    uint256 public challengeCount;
    /// @notice Bonds of open challenges: exactly what this contract holds.
    uint256 public openBonds;
    /// @notice Submissions whose trainer has proven ownership: never failed by a challenge.
    mapping(uint256 => mapping(uint256 => bool)) public proven;
    mapping(uint256 => mapping(uint256 => uint256)) internal _openChallengeOf;

    mapping(uint256 => Challenge) internal _challenges;

    /// @param maxErr_ the tolerance; below half the watermark bits (a random key matches half)
    constructor(
        IERC20 token_,
        ITaskRegistry registry_,
        StakeManager stakes_,
        SubmissionBook book_,
        IWatermarkOwnershipVerifier verifier_,
        uint256 maxErr_
    ) {
        if (maxErr_ >= WATERMARK_BITS / 2) revert InvalidMaxErr(maxErr_);
        token = token_;
        registry = registry_;
        stakes = stakes_;
        book = book_;
        verifier = verifier_;
        maxErr = maxErr_;
    }

    // ================================================================ challenges

    /// @notice Challenges a revealed submission, posting the task's `challengeBond`. Open from the
    /// submission's reveal to the end of the challenge phase, to validators of the task whose own
    /// stake reached the task's minimum.
    /// @return challengeId the new challenge's id
    function challenge(uint256 taskId, uint256 submissionId) external returns (uint256 challengeId) {
        return _open(taskId, submissionId);
    }

    /// @notice `challenge` with an EIP-2612 permit for the bond instead of a prior approval.
    function challengeWithPermit(uint256 taskId, uint256 submissionId, PermitSig calldata sig)
        external
        returns (uint256 challengeId)
    {
        PermitLib.tryPermit(address(token), registry.challengeParams(taskId).bond, sig);
        return _open(taskId, submissionId);
    }

    /// @notice The accused answers a challenge: a proof that the challenged submission decodes
    /// its address under its committed key with at most `maxErr` wrong bits. Accepted until the
    /// challenge's deadline (inclusive). The submission becomes proven and the bond returns to the
    /// challenger: the proof is necessary, not sufficient (a key can be fitted to any public model).
    /// @param proof Groth16 proof words in the verifier's order: a[0], a[1], b[0][0], b[0][1],
    /// b[1][0], b[1][1], c[0], c[1]
    function respond(uint256 challengeId, uint256[8] calldata proof) external {
        Challenge storage c = _openChallenge(challengeId);
        address trainer = c.trainer;
        if (msg.sender != trainer) revert NotAccused();
        if (block.timestamp > c.deadline) revert ResponseTooLate(c.deadline);
        uint256 taskId = c.taskId;
        StakeManager.Pool memory pool = stakes.getPool(taskId, trainer);
        // A trainer that already forfeited (another submission's challenge) has nothing to
        // defend; the challenge is voided by `resolve` and the challenger keeps its bond.
        if (pool.forfeited) revert AlreadyForfeited();
        uint256 submissionId = c.submissionId;
        if (!_verify(proof, _inputs(taskId, submissionId, pool.keyCommit, trainer))) revert InvalidProof();

        uint256 bond = c.bond;
        address challenger = c.challenger;
        c.status = ChallengeStatus.Answered;
        proven[taskId][submissionId] = true;
        delete _openChallengeOf[taskId][submissionId];
        openBonds -= bond;
        emit ChallengeAnswered(challengeId, taskId, trainer, challenger, bond);
        stakes.challengeClosed(taskId, trainer);
        token.safeTransfer(challenger, bond);
    }

    /// @notice Settles an unanswered challenge, by anyone. After the deadline: the trainer
    /// forfeits to the challenger (rewards and `slashBps` of its stake) and the bond returns. At
    /// any time once the trainer has already forfeited, or the submission is proven: the challenge
    /// is void and the bond returns (a proven submission is never failed).
    function resolve(uint256 challengeId) external {
        Challenge storage c = _openChallenge(challengeId);
        uint256 taskId = c.taskId;
        address trainer = c.trainer;
        address challenger = c.challenger;
        uint256 bond = c.bond;
        delete _openChallengeOf[taskId][c.submissionId];
        if (proven[taskId][c.submissionId] || stakes.getPool(taskId, trainer).forfeited) {
            c.status = ChallengeStatus.Voided;
            openBonds -= bond;
            emit ChallengeVoided(challengeId, taskId, trainer, challenger, bond);
            stakes.challengeClosed(taskId, trainer);
            token.safeTransfer(challenger, bond);
            return;
        }
        if (block.timestamp <= c.deadline) revert ResponseWindowOpen(c.deadline);

        c.status = ChallengeStatus.Upheld;
        openBonds -= bond;
        // The challenge is still counted open here, so the trainer cannot be vested: forfeit
        // takes everything it has not been paid.
        (uint256 rewards, uint256 slashed) =
            stakes.forfeit(taskId, trainer, challenger, registry.challengeParams(taskId).slashBps);
        emit ChallengeUpheld(challengeId, taskId, trainer, challenger, bond, rewards, slashed);
        stakes.challengeClosed(taskId, trainer);
        token.safeTransfer(challenger, bond);
    }

    // ================================================================ views

    function getChallenge(uint256 challengeId) external view returns (Challenge memory) {
        return _challenges[challengeId];
    }

    /// @notice The open challenge of a submission; 0 when none is open.
    function openChallengeOf(uint256 taskId, uint256 submissionId) external view returns (uint256) {
        return _openChallengeOf[taskId][submissionId];
    }

    /// @notice The public inputs a response to `challengeId` must prove: (wmCommit, keyCommit,
    /// owner, maxErr), the order of the verifier's public signals.
    function responseInputs(uint256 challengeId) external view returns (uint256[4] memory) {
        Challenge storage c = _challenges[challengeId];
        if (c.status == ChallengeStatus.None) revert UnknownChallenge(challengeId);
        return _inputs(c.taskId, c.submissionId, stakes.getPool(c.taskId, c.trainer).keyCommit, c.trainer);
    }

    // ================================================================ internals

    function _open(uint256 taskId, uint256 submissionId) internal returns (uint256 challengeId) {
        _requireChallengePeriod(taskId);
        address trainer = _submission(taskId, submissionId).trainer;
        if (proven[taskId][submissionId]) revert AlreadyProven(submissionId);
        uint256 already = _openChallengeOf[taskId][submissionId];
        if (already != 0) revert ChallengeAlreadyOpen(already);
        StakeManager.Pool memory validator = stakes.getPool(taskId, msg.sender);
        if (validator.role != Role.Validator || validator.eligibleFrom == NEVER) revert NotValidator();
        StakeManager.Pool memory accused = stakes.getPool(taskId, trainer);
        if (accused.forfeited) revert AlreadyForfeited();
        // The stake manager counts open challenges in 16 bits.
        if (accused.openChallenges == type(uint16).max) revert TooManyChallenges();

        ChallengeParams memory params = registry.challengeParams(taskId);
        uint256 deadline = block.timestamp + params.responseTime;
        challengeId = ++challengeCount;
        // Narrowing is safe: the registry knows the task (ids count up from 1), the book the
        // submission (at most 2^32 per task), and deadlines are timestamps.
        _challenges[challengeId] = Challenge({
            taskId: uint64(taskId),
            bond: params.bond,
            submissionId: uint32(submissionId),
            status: ChallengeStatus.Open,
            challenger: msg.sender,
            deadline: uint64(deadline),
            trainer: trainer
        });
        _openChallengeOf[taskId][submissionId] = challengeId;
        openBonds += params.bond;
        emit ChallengeOpened(challengeId, taskId, trainer, msg.sender, submissionId, params.bond, deadline);
        stakes.challengeOpened(taskId, trainer);
        token.safeTransferFrom(msg.sender, address(this), params.bond);
    }

    function _openChallenge(uint256 challengeId) internal view returns (Challenge storage c) {
        c = _challenges[challengeId];
        if (c.status == ChallengeStatus.None) revert UnknownChallenge(challengeId);
        if (c.status != ChallengeStatus.Open) revert ChallengeNotOpen(challengeId, c.status);
    }

    /// @dev Challenges end with the challenge phase: afterwards a trainer without open challenges
    /// has vested, and vested rewards may already be paid out.
    function _requireChallengePeriod(uint256 taskId) internal view {
        uint256 end = registry.schedule(taskId).endTime();
        if (block.timestamp >= end) revert ChallengePeriodOver(end);
    }

    /// @dev Only revealed submissions have ids, so an existing one is revealed.
    function _submission(uint256 taskId, uint256 submissionId)
        internal
        view
        returns (SubmissionBook.Submission memory)
    {
        if (submissionId >= book.submissionCount(taskId)) {
            revert UnknownSubmission(submissionId);
        }
        return book.getSubmission(taskId, submissionId);
    }

    function _inputs(uint256 taskId, uint256 submissionId, bytes32 keyCommit, address owner)
        internal
        view
        returns (uint256[4] memory)
    {
        bytes32 wmCommit = book.getSubmission(taskId, submissionId).wmCommit;
        return [uint256(wmCommit), uint256(keyCommit), uint256(uint160(owner)), maxErr];
    }

    function _verify(uint256[8] calldata p, uint256[4] memory input) internal view returns (bool) {
        return verifier.verifyProof([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], input);
    }
}
