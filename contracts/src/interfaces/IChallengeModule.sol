// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PermitSig} from "../lib/TaskTypes.sol";

/// @notice Where a challenge stands. `Answered`: the accused proved ownership in time, the
/// submission is proven and the bond went back to the challenger (a proof is necessary, not
/// sufficient: until the learning stage of SPEC section 8 exists nobody wins the bond). `Upheld`:
/// no proof in time, the accused forfeited to the challenger. `Voided`: the accused had already
/// forfeited, or the submission was already proven; the bond went back.
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
/// @notice Challenges of revealed submissions, answered with Groth16 proofs of the
/// WatermarkOwnership circuit (SPEC sections 2.4 and 7; docs/contracts.md, "Challenges"). At most
/// one challenge per submission is open at a time.
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
    event ChallengeAnswered(
        uint256 indexed challengeId, uint256 indexed taskId, address indexed trainer, address challenger, uint256 bond
    );
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

    error InvalidMaxErr(uint256 maxErr);
    error NotValidator();
    error UnknownSubmission(uint256 submissionId);
    error ChallengePeriodOver(uint256 endedAt);
    error AlreadyForfeited();
    error AlreadyProven(uint256 submissionId);
    error ChallengeAlreadyOpen(uint256 challengeId);
    error TooManyChallenges();
    error UnknownChallenge(uint256 challengeId);
    error ChallengeNotOpen(uint256 challengeId, ChallengeStatus status);
    error NotAccused();
    error ResponseTooLate(uint256 deadline);
    error ResponseWindowOpen(uint256 deadline);
    error InvalidProof();

    function challenge(uint256 taskId, uint256 submissionId) external returns (uint256 challengeId);
    function challengeWithPermit(uint256 taskId, uint256 submissionId, PermitSig calldata sig)
        external
        returns (uint256 challengeId);
    function respond(uint256 challengeId, uint256[8] calldata proof) external;
    function resolve(uint256 challengeId) external;

    function getChallenge(uint256 challengeId) external view returns (Challenge memory);
    function openChallengeOf(uint256 taskId, uint256 submissionId) external view returns (uint256 challengeId);
    function responseInputs(uint256 challengeId) external view returns (uint256[4] memory);
}
