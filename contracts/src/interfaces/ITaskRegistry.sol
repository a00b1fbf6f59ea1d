// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Schedule, RewardParams, StakeRules, ChallengeParams} from "../lib/TaskTypes.sol";

interface ITaskRegistry {
    function schedule(uint256 taskId) external view returns (Schedule memory);
    function rewardParams(uint256 taskId) external view returns (RewardParams memory);
    function stakeRules(uint256 taskId) external view returns (StakeRules memory);
    function challengeParams(uint256 taskId) external view returns (ChallengeParams memory);
    function finalEvalSettled(uint256 taskId) external view returns (bool);
    function evalSubsetSize(uint256 taskId) external view returns (uint256);
    function creatorOf(uint256 taskId) external view returns (address);
    function epochBudget(uint256 taskId) external view returns (uint256);
    function release(uint256 taskId, uint256 amount) external;
    function closeEpoch(uint256 taskId, uint256 epoch, uint256 booked, uint256 rollover) external;
    function recordFinalEvalFallback(uint256 taskId) external;
}
