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

/// @notice Parameters of the challenge phase (SPEC section 7), used by the challenge module.
struct ChallengeParams {
    uint128 bond;
    uint32 responseTime;
    uint16 slashBps;
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
