// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PermitSig} from "../lib/TaskTypes.sol";

/// @notice Where a challenge stands. `Answered`: the accused proved ownership, the bond went to
/// it. `Upheld`: no proof in time, the accused forfeited to the challenger. `Voided`: the accused
/// had already forfeited (another challenge or a theft claim), the bond went back.
enum ChallengeStatus {
    None,
    Open,
    Answered,
    Upheld,
    Voided
}

/// @notice One challenge (SPEC section 7) against a revealed submission, in three storage slots.
struct Challenge {
    uint64 taskId;
    uint128 bond;
    uint32 submissionId;
    ChallengeStatus status;
    address challenger;
    uint64 deadline;
    address trainer;
}

/// @title IChallengeModule
/// @notice Challenges of revealed submissions and theft claims, settled with Groth16 proofs of
/// the WatermarkOwnership circuit (SPEC sections 2.4 and 7; docs/contracts.md, "Challenges").
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
    event ChallengeAnswered(uint256 indexed challengeId, uint256 indexed taskId, address indexed trainer, uint256 bond);
    event ChallengeUpheld(
        uint256 indexed challengeId,
        uint256 indexed taskId,
        address indexed trainer,
        address challenger,
        uint256 bond,
        uint256 rewards,
        uint256 slashed
    );
    event ChallengeVoided(
        uint256 indexed challengeId, uint256 indexed taskId, address indexed trainer, address challenger, uint256 bond
    );
    event TheftClaimed(
        uint256 indexed taskId,
        uint256 indexed submissionId,
        address indexed thief,
        address owner,
        uint256 rewards,
        uint256 slashed
    );

    error InvalidMaxErr(uint256 maxErr);
    error NotValidator();
    error NotTrainer();
    error UnknownSubmission(uint256 submissionId);
    error ChallengePeriodOver(uint256 endedAt);
    error AlreadyForfeited();
    error AlreadyProven(uint256 submissionId);
    error TooManyChallenges();
    error UnknownChallenge(uint256 challengeId);
    error ChallengeNotOpen(uint256 challengeId, ChallengeStatus status);
    error NotAccused();
    error ResponseTooLate(uint256 deadline);
    error ResponseWindowOpen(uint256 deadline);
    error InvalidProof();
    error OwnSubmission();
    error KeyCommittedAfterSeal(uint256 keyBlock, uint256 sealBlock);

    function challenge(uint256 taskId, uint256 submissionId) external returns (uint256 challengeId);
    function challengeWithPermit(uint256 taskId, uint256 submissionId, PermitSig calldata sig)
        external
        returns (uint256 challengeId);
    function respond(uint256 challengeId, uint256[8] calldata proof) external;
    function resolve(uint256 challengeId) external;
    function claimTheft(uint256 taskId, uint256 submissionId, uint256[8] calldata proof) external;

    function getChallenge(uint256 challengeId) external view returns (Challenge memory);
    function responseInputs(uint256 challengeId) external view returns (uint256[4] memory);
    function theftInputs(uint256 taskId, uint256 submissionId, address owner) external view returns (uint256[4] memory);
}
