// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Schedule, ChallengeParams, Role, PermitSig} from "./lib/TaskTypes.sol";
import {ScheduleLib} from "./lib/ScheduleLib.sol";
import {PermitLib} from "./lib/PermitLib.sol";
import {ITaskRegistry} from "./interfaces/ITaskRegistry.sol";
import {IChallengeModule, Challenge, ChallengeStatus, Tally, Vote, Verdict} from "./interfaces/IChallengeModule.sol";
import {IWatermarkOwnershipVerifier} from "./verifiers/IWatermarkOwnershipVerifier.sol";
import {StakeManager} from "./StakeManager.sol";
import {SubmissionBook} from "./SubmissionBook.sol";

/// @title ChallengeModule
/// @notice Challenges of SPEC section 7 with the learning stage of section 8.4. A staked
/// validator challenges a revealed submission with the task's bond; at most one challenge per
/// submission is open at a time. Within the task's `responseTime` the accused posts both a
/// Groth16 proof that the submission decodes its address under its committed key and the content
/// address of its disclosed training transcript; missing either at the deadline, it fails. Once
/// both are in, the challenger or any staked validator may name, within `disputeTime`, one
/// segment it claims does not replay; if nobody does, the challenge is cleared and the bond goes
/// to the accused. A dispute opens a vote of `voteTime` (commits in the first half, reveals in
/// the second) in which the task's validators, weighted by their own stake counted in the
/// current epoch, say whether the segment replays; a strict majority of the revealed stake for
/// "does not replay" upholds the challenge, anything else (a tie, no votes) clears it. The
/// majority jurors share `juryBps` of the losing side's stake pro rata to their weight.
/// Decisions: docs/contracts.md, "Challenges".
/// @dev Failing: the trainer forfeits its unvested rewards (its delegators' booked share
/// included) and `slashBps` of its own stake, and its later submissions are excluded (StakeManager
/// `forfeit`). The public inputs of every proof come from chain state, never from the caller.
/// Accounting: the module holds exactly `openBonds + juryOwed`.
contract ChallengeModule is IChallengeModule {
    using SafeERC20 for IERC20;
    using ScheduleLib for Schedule;

    /// @dev StakeManager's `eligibleFrom` for an account whose own stake never reached the minimum.
    uint32 internal constant NEVER = type(uint32).max;
    uint256 internal constant BPS = 10_000;
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
    /// @notice Bonds of unsettled challenges.
    uint256 public openBonds;
    /// @notice Jury shares of settled challenges not yet claimed. The module's token balance is
    /// exactly `openBonds + juryOwed`.
    uint256 public juryOwed;
    mapping(uint256 => mapping(uint256 => uint256)) internal _openChallengeOf;
    mapping(uint256 => Challenge) internal _challenges;
    mapping(uint256 => Tally) internal _tallies;
    mapping(uint256 => mapping(address => Vote)) internal _votes;

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

    // ================================================================ the accused

    /// @notice The accused posts its ownership proof: the challenged submission decodes its
    /// address under its committed key with at most `maxErr` wrong bits. Accepted until the
    /// deadline (inclusive), once. With the disclosure also posted, the response is complete.
    /// @param proof Groth16 proof words in the verifier's order: a[0], a[1], b[0][0], b[0][1],
    /// b[1][0], b[1][1], c[0], c[1]
    function respond(uint256 challengeId, uint256[8] calldata proof) external {
        Challenge storage c = _respondable(challengeId);
        if (c.proven) revert AlreadyProven();
        uint256 taskId = c.taskId;
        address trainer = c.trainer;
        bytes32 keyCommit = stakes.getPool(taskId, trainer).keyCommit;
        if (!_verify(proof, _inputs(taskId, c.submissionId, keyCommit, trainer))) revert InvalidProof();
        c.proven = true;
        emit OwnershipProven(challengeId, taskId, trainer);
        if (c.disclosure != 0) _answered(challengeId, c);
    }

    /// @notice The accused discloses the challenged submission's training transcript (SPEC 8.4):
    /// `manifest` is the content address (sha256) of the manifest listing every state of the
    /// transcript and the watermark key and salt. Accepted until the deadline (inclusive), once.
    /// With the ownership proof also posted, the response is complete.
    function disclose(uint256 challengeId, bytes32 manifest) external {
        Challenge storage c = _respondable(challengeId);
        if (manifest == 0) revert EmptyDisclosure();
        if (c.disclosure != 0) revert AlreadyDisclosed();
        c.disclosure = manifest;
        emit TranscriptDisclosed(challengeId, c.taskId, c.trainer, manifest);
        if (c.proven) _answered(challengeId, c);
    }

    // ================================================================ dispute and verdict

    /// @notice Names the one segment of the disclosed transcript that the caller claims does not
    /// replay (from leaf `segment` to leaf `segment + 1`, below the K committed at the seal), and
    /// opens the validators' vote on it. By the challenger or any staked validator of the task,
    /// once the response is complete and until `disputeDeadline` (inclusive).
    function dispute(uint256 challengeId, uint256 segment) external {
        Challenge storage c = _withStatus(challengeId, ChallengeStatus.Answered);
        if (block.timestamp > c.disputeDeadline) revert DisputeTooLate(c.disputeDeadline);
        uint256 taskId = c.taskId;
        if (msg.sender != c.challenger && stakes.validatorStakeNow(taskId, msg.sender) == 0) revert NotJuror();
        uint256 segments = book.getSubmission(taskId, c.submissionId).segments;
        if (segment >= segments) revert SegmentOutOfRange(segment, segments);
        uint256 voteTime = registry.challengeParams(taskId).voteTime;
        uint256 commitEnd = block.timestamp + voteTime / 2;
        uint256 voteEnd = block.timestamp + voteTime;
        c.status = ChallengeStatus.Disputed;
        c.disputer = msg.sender;
        c.segment = uint32(segment);
        c.commitEnd = uint64(commitEnd);
        c.voteEnd = uint64(voteEnd);
        emit SegmentDisputed(challengeId, taskId, msg.sender, segment, commitEnd, voteEnd);
    }

    /// @notice A staked validator of the task commits its verdict on the disputed segment:
    /// `verdictCommitment(challengeId, segment, juror, replays, salt)`. Before `commitEnd`, once.
    /// Its weight is its own stake counted in the current epoch.
    function commitVerdict(uint256 challengeId, bytes32 commitment) external {
        Challenge storage c = _withStatus(challengeId, ChallengeStatus.Disputed);
        if (block.timestamp >= c.commitEnd) revert CommitClosed(c.commitEnd);
        if (commitment == 0) revert EmptyCommitment();
        Vote storage v = _votes[challengeId][msg.sender];
        if (v.commitment != 0) revert AlreadyCommitted();
        uint256 weight = stakes.validatorStakeNow(c.taskId, msg.sender);
        if (weight == 0) revert NotJuror();
        v.commitment = commitment;
        // Stakes are at most uint96 (StakeManager's pool cap).
        v.weight = uint96(weight);
        emit VerdictCommitted(challengeId, msg.sender, commitment, weight);
    }

    /// @notice Reveals a committed verdict, from `commitEnd` to `voteEnd` (inclusive). It counts
    /// with the smaller of the juror's weight at the commit and now (a stake withdrawn after the
    /// task's end counts nothing: the juror can no longer reveal).
    function revealVerdict(uint256 challengeId, bool replays, bytes32 salt) external {
        Challenge storage c = _withStatus(challengeId, ChallengeStatus.Disputed);
        if (block.timestamp < c.commitEnd) revert RevealNotOpen(c.commitEnd);
        if (block.timestamp > c.voteEnd) revert RevealClosed(c.voteEnd);
        Vote storage v = _votes[challengeId][msg.sender];
        if (v.commitment == 0) revert NoCommitment();
        if (v.verdict != Verdict.None) revert AlreadyRevealed();
        if (verdictCommitment(challengeId, c.segment, msg.sender, replays, salt) != v.commitment) {
            revert CommitmentMismatch();
        }
        uint256 weight = stakes.validatorStakeNow(c.taskId, msg.sender);
        if (weight == 0) revert NotJuror();
        if (weight > v.weight) weight = v.weight;
        v.weight = uint96(weight);
        Tally storage t = _tallies[challengeId];
        if (replays) {
            v.verdict = Verdict.Replays;
            t.replaysStake += uint128(weight);
            ++t.replaysVoters;
        } else {
            v.verdict = Verdict.DoesNotReplay;
            t.doesNotReplayStake += uint128(weight);
            ++t.doesNotReplayVoters;
        }
        emit VerdictRevealed(challengeId, msg.sender, replays, weight);
    }

    // ================================================================ settlement

    /// @notice Settles a challenge, by anyone, once its current stage is over:
    /// - the accused already forfeited (another challenge): `Voided` at any time, bond back;
    /// - `Open` after the deadline (proof or disclosure missing): `Upheld`, the trainer forfeits
    ///   to the challenger, who gets its bond back;
    /// - `Answered` after the dispute deadline (no segment named): `Cleared`, the bond goes to
    ///   the trainer;
    /// - `Disputed` after `voteEnd`: `Upheld` if the revealed stake saying "does not replay" is a
    ///   strict majority, else `Cleared`; the majority jurors' share is kept for them to claim.
    function resolve(uint256 challengeId) external {
        Challenge storage c = _challenge(challengeId);
        ChallengeStatus status = c.status;
        if (status != ChallengeStatus.Open && status != ChallengeStatus.Answered && status != ChallengeStatus.Disputed)
        {
            revert WrongStatus(challengeId, status);
        }
        uint256 taskId = c.taskId;
        address trainer = c.trainer;
        if (stakes.getPool(taskId, trainer).forfeited) return _void(challengeId, c);
        if (status == ChallengeStatus.Open) {
            if (block.timestamp <= c.deadline) revert ResponseWindowOpen(c.deadline);
            return _uphold(challengeId, c, Verdict.None);
        }
        if (status == ChallengeStatus.Answered) {
            if (block.timestamp <= c.disputeDeadline) revert DisputeWindowOpen(c.disputeDeadline);
            return _clear(challengeId, c, Verdict.None);
        }
        if (block.timestamp <= c.voteEnd) revert VoteOpen(c.voteEnd);
        Tally storage t = _tallies[challengeId];
        (uint256 yes, uint256 no) = (t.replaysStake, t.doesNotReplayStake);
        if (no > yes) return _uphold(challengeId, c, Verdict.DoesNotReplay);
        _clear(challengeId, c, yes > no ? Verdict.Replays : Verdict.None);
    }

    /// @notice A juror whose revealed verdict was on the majority side of a settled vote takes
    /// its share of the jury's pot, pro rata to its weight; the last majority juror to claim
    /// takes what rounding left, so the pot is paid out exactly.
    /// @return amount what was paid
    function claimJuryShare(uint256 challengeId) external returns (uint256 amount) {
        // An unknown or unsettled challenge has no majority recorded.
        Tally storage t = _tallies[challengeId];
        if (t.majority == Verdict.None) revert NotSettledByVote();
        Vote storage v = _votes[challengeId][msg.sender];
        if (v.verdict != t.majority) revert NotInMajority();
        if (v.claimed) revert AlreadyClaimed();
        amount = _shareOf(t, v);
        v.claimed = true;
        ++t.claims;
        t.juryPaid += uint128(amount);
        juryOwed -= amount;
        emit JuryPaid(challengeId, msg.sender, amount);
        if (amount != 0) token.safeTransfer(msg.sender, amount);
    }

    // ================================================================ views

    function getChallenge(uint256 challengeId) external view returns (Challenge memory) {
        return _challenges[challengeId];
    }

    function getTally(uint256 challengeId) external view returns (Tally memory) {
        return _tallies[challengeId];
    }

    function getVote(uint256 challengeId, address juror) external view returns (Vote memory) {
        return _votes[challengeId][juror];
    }

    /// @notice The unsettled challenge of a submission; 0 when none.
    function openChallengeOf(uint256 taskId, uint256 submissionId) external view returns (uint256) {
        return _openChallengeOf[taskId][submissionId];
    }

    /// @notice The public inputs a response to `challengeId` must prove: (wmCommit, keyCommit,
    /// owner, maxErr), the order of the verifier's public signals.
    function responseInputs(uint256 challengeId) external view returns (uint256[4] memory) {
        Challenge storage c = _challenge(challengeId);
        return _inputs(c.taskId, c.submissionId, stakes.getPool(c.taskId, c.trainer).keyCommit, c.trainer);
    }

    /// @notice A juror's verdict commitment: bound to the challenge, the disputed segment and the
    /// juror, so it cannot be replayed for another challenge or segment, or copied by another juror.
    function verdictCommitment(uint256 challengeId, uint256 segment, address juror, bool replays, bytes32 salt)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(challengeId, segment, juror, replays, salt));
    }

    /// @notice What `claimJuryShare` would pay `juror` now (0 when nothing).
    function juryShareOf(uint256 challengeId, address juror) external view returns (uint256) {
        Tally storage t = _tallies[challengeId];
        Vote storage v = _votes[challengeId][juror];
        if (t.majority == Verdict.None || v.verdict != t.majority || v.claimed) return 0;
        return _shareOf(t, v);
    }

    // ================================================================ internals

    function _open(uint256 taskId, uint256 submissionId) internal returns (uint256 challengeId) {
        _requireChallengePeriod(taskId);
        address trainer = _submission(taskId, submissionId).trainer;
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
        Challenge storage c = _challenges[challengeId];
        c.taskId = uint64(taskId);
        c.bond = params.bond;
        c.submissionId = uint32(submissionId);
        c.status = ChallengeStatus.Open;
        c.challenger = msg.sender;
        c.deadline = uint64(deadline);
        c.trainer = trainer;
        _openChallengeOf[taskId][submissionId] = challengeId;
        openBonds += params.bond;
        emit ChallengeOpened(challengeId, taskId, trainer, msg.sender, submissionId, params.bond, deadline);
        stakes.challengeOpened(taskId, trainer);
        token.safeTransferFrom(msg.sender, address(this), params.bond);
    }

    /// @dev An `Open` challenge the caller, its accused, may still answer.
    function _respondable(uint256 challengeId) internal view returns (Challenge storage c) {
        c = _withStatus(challengeId, ChallengeStatus.Open);
        if (msg.sender != c.trainer) revert NotAccused();
        if (block.timestamp > c.deadline) revert ResponseTooLate(c.deadline);
        // A trainer that already forfeited (another submission's challenge) has nothing to
        // defend; the challenge is voided by `resolve` and the challenger keeps its bond.
        if (stakes.getPool(c.taskId, msg.sender).forfeited) revert AlreadyForfeited();
    }

    function _answered(uint256 challengeId, Challenge storage c) internal {
        uint256 disputeDeadline = block.timestamp + registry.challengeParams(c.taskId).disputeTime;
        c.status = ChallengeStatus.Answered;
        c.disputeDeadline = uint64(disputeDeadline);
        emit ChallengeAnswered(challengeId, c.taskId, c.trainer, disputeDeadline);
    }

    /// @dev The trainer fails. Without a vote it forfeits straight to the challenger; after a
    /// vote the forfeit comes here and `juryBps` of it stays for the majority jurors.
    function _uphold(uint256 challengeId, Challenge storage c, Verdict majority) internal {
        uint256 taskId = c.taskId;
        address trainer = c.trainer;
        address challenger = c.challenger;
        uint256 bond = c.bond;
        c.status = ChallengeStatus.Upheld;
        delete _openChallengeOf[taskId][c.submissionId];
        openBonds -= bond;
        ChallengeParams memory params = registry.challengeParams(taskId);
        bool byVote = majority != Verdict.None;
        // The challenge is still counted open here, so the trainer cannot be vested: forfeit
        // takes everything it has not been paid. The stake manager is this deployment's own.
        (uint256 rewards, uint256 slashed) =
            stakes.forfeit(taskId, trainer, byVote ? address(this) : challenger, params.slashBps);
        uint256 jury;
        if (byVote) {
            jury = ((rewards + slashed) * params.juryBps) / BPS;
            _setPot(challengeId, majority, jury);
        }
        emit ChallengeUpheld(challengeId, taskId, trainer, challenger, bond, rewards, slashed, jury);
        stakes.challengeClosed(taskId, trainer);
        uint256 toChallenger = byVote ? bond + rewards + slashed - jury : bond;
        token.safeTransfer(challenger, toChallenger);
    }

    /// @dev The trainer passes: the bond goes to it, less `juryBps` for the majority jurors when
    /// a majority said the segment replays.
    function _clear(uint256 challengeId, Challenge storage c, Verdict majority) internal {
        uint256 taskId = c.taskId;
        address trainer = c.trainer;
        uint256 bond = c.bond;
        c.status = ChallengeStatus.Cleared;
        delete _openChallengeOf[taskId][c.submissionId];
        openBonds -= bond;
        uint256 jury;
        if (majority != Verdict.None) {
            jury = (bond * registry.challengeParams(taskId).juryBps) / BPS;
            _setPot(challengeId, majority, jury);
        }
        emit ChallengeCleared(challengeId, taskId, trainer, c.challenger, bond, bond - jury, jury);
        stakes.challengeClosed(taskId, trainer);
        if (bond != jury) token.safeTransfer(trainer, bond - jury);
    }

    function _void(uint256 challengeId, Challenge storage c) internal {
        uint256 taskId = c.taskId;
        address trainer = c.trainer;
        address challenger = c.challenger;
        uint256 bond = c.bond;
        c.status = ChallengeStatus.Voided;
        delete _openChallengeOf[taskId][c.submissionId];
        openBonds -= bond;
        emit ChallengeVoided(challengeId, taskId, trainer, challenger, bond);
        stakes.challengeClosed(taskId, trainer);
        token.safeTransfer(challenger, bond);
    }

    function _setPot(uint256 challengeId, Verdict majority, uint256 jury) internal {
        Tally storage t = _tallies[challengeId];
        t.majority = majority;
        t.juryPot = uint128(jury);
        juryOwed += jury;
    }

    /// @dev Pro rata to weight among the majority; the last claimant takes the rounding rest.
    function _shareOf(Tally storage t, Vote storage v) internal view returns (uint256) {
        bool replays = t.majority == Verdict.Replays;
        uint256 voters = replays ? t.replaysVoters : t.doesNotReplayVoters;
        if (t.claims + 1 == voters) return t.juryPot - t.juryPaid;
        uint256 stake = replays ? t.replaysStake : t.doesNotReplayStake;
        return (uint256(t.juryPot) * v.weight) / stake;
    }

    function _challenge(uint256 challengeId) internal view returns (Challenge storage c) {
        c = _challenges[challengeId];
        if (c.status == ChallengeStatus.None) revert UnknownChallenge(challengeId);
    }

    function _withStatus(uint256 challengeId, ChallengeStatus want) internal view returns (Challenge storage c) {
        c = _challenge(challengeId);
        if (c.status != want) revert WrongStatus(challengeId, c.status);
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
