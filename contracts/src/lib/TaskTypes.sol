// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Timing of a task: everything needed to tell which epoch and window a moment falls in.
/// @dev Window ends are basis points of `epochLength`. Submission-phase epochs use
/// seal [0, sealEnd), reveal [sealEnd, revealEnd), score commit [revealEnd, commitEnd),
/// score reveal [commitEnd, 10000). Final-phase epochs use score commit [0, finalCommitEnd) and
/// score reveal [finalCommitEnd, 10000).
struct Schedule {
    uint64 startTime;
    uint64 reviewEnd;
    uint32 epochLength;
    uint16 submissionEpochs;
    uint16 finalEpochs;
    uint16 challengeEpochs;
    uint16 sealEnd;
    uint16 revealEnd;
    uint16 commitEnd;
    uint16 finalCommitEnd;
    bool rejected;
}

/// @notice Reward parameters of SPEC section 4 (docs/reward-math.md): WAD (1e18 = 1) unless
/// stated otherwise.
struct RewardParams {
    uint64 gamma;
    uint64 q;
    uint64 alphaT;
    uint64 alphaV;
    uint128 lambdaV;
    /// @dev A submission qualifies only with an aggregate above this, [0, 1e18).
    uint64 minScore;
    /// @dev A validator further than this from a column's consensus earns nothing for it, [0, 1e18].
    uint64 tolV;
    /// @dev A submission qualifies only with at least this fraction of the best aggregate, in
    /// basis points, [0, 10000].
    uint16 floorBps;
    /// @dev Fewer revealed validators make the epoch degenerate, [1, 512].
    uint16 minValidators;
}

/// @notice Who may stake and how much.
struct StakeRules {
    uint128 minTrainerStake;
    uint128 minValidatorStake;
    uint16 maxTrainers;
    uint16 maxValidators;
    uint16 sigmaCooldown;
}

/// @notice Parameters of challenges (SPEC sections 7 and 8.4), used by the challenge module. One
/// storage slot.
struct ChallengeParams {
    /// @dev What a challenger posts, at least `TaskRegistry.MIN_BOND`.
    uint128 bond;
    /// @dev Seconds the accused has to post both the ownership proof and the disclosure, > 0.
    uint32 responseTime;
    /// @dev Share of the failed trainer's own stake slashed to the challenger, [0, 10000].
    uint16 slashBps;
    /// @dev Seconds after a complete response in which a segment can be disputed, > 0.
    uint32 disputeTime;
    /// @dev Seconds of the verdict vote after a dispute: commits in the first half, reveals in
    /// the second; at least 2.
    uint32 voteTime;
    /// @dev Share of the losing side's stake paid to the jurors in the majority, [0, 10000].
    uint16 juryBps;
}

/// @notice What a seal commits to about its training transcript (SPEC 8.2; docs/contracts.md,
/// "Transcript commitments"). Encoded inline (four words) in the seal commitment.
struct TranscriptCommit {
    /// @dev Merkle root over the transcript's leaves (the leaf format is the ML engine's).
    bytes32 trajRoot;
    /// @dev Number of segments K: leaves 0..K, leaf K is the submitted weights; at least 1.
    uint32 segments;
    /// @dev `SubmissionBook.SEEDED_START` for the seeded start, or the trajRoot of the trainer's
    /// own earlier revealed transcript in the task that this one continues.
    bytes32 startRoot;
    /// @dev 0 for the seeded start; for a continuation the leaf of `startRoot` it starts from,
    /// which must be that transcript's last leaf (its K).
    uint32 startLeaf;
}

/// @notice Everything a creator chooses when creating a task.
struct TaskParams {
    bytes32 modelSpec;
    bytes32 trainData;
    bytes32 evalData;
    bytes32 finalEvalCommit;
    uint64 startTime;
    uint32 epochLength;
    uint32 reviewPeriod;
    uint16 submissionEpochs;
    uint16 finalEpochs;
    uint16 challengeEpochs;
    uint16 sealEnd;
    uint16 revealEnd;
    uint16 commitEnd;
    uint16 finalCommitEnd;
    uint128 rewardPerEpoch;
    RewardParams reward;
    StakeRules stakeRules;
    ChallengeParams challenge;
    /// @dev Samples of the eval set scored per epoch (SPEC 2.2); at least 1.
    uint32 evalSubsetSize;
}

enum Role {
    None,
    Trainer,
    Validator
}

enum Phase {
    Review,
    Pending,
    Submission,
    Final,
    Challenge,
    Ended,
    Rejected
}

enum Window {
    None,
    Seal,
    Reveal,
    ScoreCommit,
    ScoreReveal
}

/// @notice An EIP-2612 signature, so a phone wallet can approve and act in one transaction.
struct PermitSig {
    uint256 deadline;
    uint8 v;
    bytes32 r;
    bytes32 s;
}
