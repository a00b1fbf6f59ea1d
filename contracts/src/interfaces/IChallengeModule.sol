// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PermitSig} from "../lib/TaskTypes.sol";

/// @notice Where a challenge stands (SPEC sections 7 and 8.4). Unsettled: `Open` (the accused
/// owes the ownership proof and the disclosure), `Answered` (both posted; a segment may be
/// disputed until `disputeDeadline`), `Disputed` (the validators' verdict vote runs until
/// `voteEnd`). Settled, once: `Upheld` (the accused failed: missing proof or disclosure, or the
/// majority found the named segment does not replay), `Cleared` (no dispute in time, or the vote
/// did not uphold: the bond went to the accused, less the jury's share), `Voided` (the accused
/// had already forfeited: the bond went back to the challenger).
enum ChallengeStatus {
    None,
    Open,
    Answered,
    Disputed,
    Upheld,
    Cleared,
    Voided
}

/// @notice A juror's verdict on a disputed segment.
enum Verdict {
    None,
    Replays,
    DoesNotReplay
}

/// @notice One challenge against a revealed submission, in six storage slots.
struct Challenge {
    uint64 taskId;
    uint128 bond;
    uint32 submissionId;
    ChallengeStatus status;
    /// @dev The accused posted a valid ownership proof.
    bool proven;
    address challenger;
    /// @dev The accused posts the proof and the disclosure until then, inclusive.
    uint64 deadline;
    address trainer;
    /// @dev Set when the response is complete: a segment may be named until then, inclusive.
    uint64 disputeDeadline;
    /// @dev The disclosed transcript's manifest, by content address (sha256); 0 until disclosed.
    bytes32 disclosure;
    /// @dev Who named the segment (0 until disputed).
    address disputer;
    /// @dev The disputed segment (from leaf `segment` to leaf `segment + 1`), < K.
    uint32 segment;
    /// @dev Verdicts are committed before `commitEnd` and revealed from it to `voteEnd`, inclusive.
    uint64 commitEnd;
    uint64 voteEnd;
}

/// @notice The revealed verdicts of a disputed challenge and, once settled, the jury's pot.
struct Tally {
    /// @dev Revealed stake saying the segment replays / does not replay.
    uint128 replaysStake;
    uint128 doesNotReplayStake;
    uint32 replaysVoters;
    uint32 doesNotReplayVoters;
    /// @dev The side the settlement found in the majority (None: a tie, no votes, or not settled).
    Verdict majority;
    /// @dev Majority jurors that have claimed their share.
    uint32 claims;
    /// @dev The jury's share of the losing side's stake, and what of it has been paid.
    uint128 juryPot;
    uint128 juryPaid;
}

/// @notice One juror's vote on one challenge.
struct Vote {
    /// @dev keccak256(abi.encode(challengeId, segment, juror, replays, salt)).
    bytes32 commitment;
    /// @dev The juror's own validator stake counted at the commit (and at most that at the reveal).
    uint96 weight;
    Verdict verdict;
    bool claimed;
}

/// @title IChallengeModule
/// @notice Challenges of revealed submissions (SPEC sections 2.4, 7 and 8.4; docs/contracts.md,
/// "Challenges"): the accused answers with a Groth16 proof of the WatermarkOwnership circuit and
/// the disclosure of its training transcript; a segment may then be disputed and the task's
/// validators decide by a stake-weighted commit-reveal vote. At most one challenge per submission
/// is open at a time.
interface IChallengeModule {
    event ChallengeOpened(
        uint256 indexed challengeId,
        uint256 indexed taskId,
        address indexed trainer,
        address challenger,
        uint256 submissionId,
        uint256 bond,
        uint256 deadline
    );
    /// @notice The accused proved ownership of the challenged submission.
    event OwnershipProven(uint256 indexed challengeId, uint256 indexed taskId, address indexed trainer);
    /// @notice The accused disclosed the transcript (the manifest's content address, sha256).
    event TranscriptDisclosed(
        uint256 indexed challengeId, uint256 indexed taskId, address indexed trainer, bytes32 manifest
    );
    /// @notice Both proof and disclosure are in: a segment may be disputed until `disputeDeadline`.
    event ChallengeAnswered(
        uint256 indexed challengeId, uint256 indexed taskId, address indexed trainer, uint256 disputeDeadline
    );
    event SegmentDisputed(
        uint256 indexed challengeId,
        uint256 indexed taskId,
        address indexed disputer,
        uint256 segment,
        uint256 commitEnd,
        uint256 voteEnd
    );
    event VerdictCommitted(uint256 indexed challengeId, address indexed juror, bytes32 commitment, uint256 weight);
    event VerdictRevealed(uint256 indexed challengeId, address indexed juror, bool replays, uint256 weight);
    /// @notice The accused failed: `rewards` and `slashed` were forfeited, `juryShare` of them
    /// goes to the majority jurors and the rest, with the bond, to the challenger.
    event ChallengeUpheld(
        uint256 indexed challengeId,
        uint256 indexed taskId,
        address indexed trainer,
        address challenger,
        uint256 bond,
        uint256 rewards,
        uint256 slashed,
        uint256 juryShare
    );
    /// @notice The accused passed: `toTrainer` of the bond went to it, `juryShare` to the
    /// majority jurors.
    event ChallengeCleared(
        uint256 indexed challengeId,
        uint256 indexed taskId,
        address indexed trainer,
        address challenger,
        uint256 bond,
        uint256 toTrainer,
        uint256 juryShare
    );
    event ChallengeVoided(
        uint256 indexed challengeId, uint256 indexed taskId, address indexed trainer, address challenger, uint256 bond
    );
    event JuryPaid(uint256 indexed challengeId, address indexed juror, uint256 amount);

    error InvalidMaxErr(uint256 maxErr);
    error NotValidator();
    error UnknownSubmission(uint256 submissionId);
    error ChallengePeriodOver(uint256 endedAt);
    error AlreadyForfeited();
    error ChallengeAlreadyOpen(uint256 challengeId);
    error TooManyChallenges();
    error UnknownChallenge(uint256 challengeId);
    error WrongStatus(uint256 challengeId, ChallengeStatus status);
    error NotAccused();
    error ResponseTooLate(uint256 deadline);
    error ResponseWindowOpen(uint256 deadline);
    error InvalidProof();
    error AlreadyProven();
    error EmptyDisclosure();
    error AlreadyDisclosed();
    error DisputeTooLate(uint256 disputeDeadline);
    error DisputeWindowOpen(uint256 disputeDeadline);
    error NotJuror();
    error SegmentOutOfRange(uint256 segment, uint256 segments);
    error EmptyCommitment();
    error CommitClosed(uint256 commitEnd);
    error AlreadyCommitted();
    error RevealNotOpen(uint256 commitEnd);
    error RevealClosed(uint256 voteEnd);
    error NoCommitment();
    error AlreadyRevealed();
    error CommitmentMismatch();
    error VoteOpen(uint256 voteEnd);
    error NotSettledByVote();
    error NotInMajority();
    error AlreadyClaimed();

    function challenge(uint256 taskId, uint256 submissionId) external returns (uint256 challengeId);
    function challengeWithPermit(uint256 taskId, uint256 submissionId, PermitSig calldata sig)
        external
        returns (uint256 challengeId);
    function respond(uint256 challengeId, uint256[8] calldata proof) external;
    function disclose(uint256 challengeId, bytes32 manifest) external;
    function dispute(uint256 challengeId, uint256 segment) external;
    function commitVerdict(uint256 challengeId, bytes32 commitment) external;
    function revealVerdict(uint256 challengeId, bool replays, bytes32 salt) external;
    function resolve(uint256 challengeId) external;
    function claimJuryShare(uint256 challengeId) external returns (uint256 amount);

    function getChallenge(uint256 challengeId) external view returns (Challenge memory);
    function getTally(uint256 challengeId) external view returns (Tally memory);
    function getVote(uint256 challengeId, address juror) external view returns (Vote memory);
    function openChallengeOf(uint256 taskId, uint256 submissionId) external view returns (uint256 challengeId);
    function responseInputs(uint256 challengeId) external view returns (uint256[4] memory);
    function verdictCommitment(uint256 challengeId, uint256 segment, address juror, bool replays, bytes32 salt)
        external
        pure
        returns (bytes32);
    function juryShareOf(uint256 challengeId, address juror) external view returns (uint256);
}
