// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Role} from "../lib/TaskTypes.sol";

/// @notice A pool's values for the epoch being finalized, read in bulk by the reward engine.
struct ActiveStake {
    uint256 own;
    uint256 delegated;
    uint256 sigma;
    bool excluded;
}

interface IStakeManager {
    function isEligible(uint256 taskId, address account, Role role, uint256 epoch) external view returns (bool);
    function activeStakes(uint256 taskId, address[] calldata accounts) external view returns (ActiveStake[] memory);
    function rolledEpochs(uint256 taskId) external view returns (uint256);
    function roll(uint256 taskId, uint256 epoch, uint256 maxPools) external returns (bool done, uint256 processed);
    function book(uint256 taskId, address[] calldata accounts, uint256[] calldata own, uint256[] calldata toDelegators)
        external
        returns (uint256 booked);
}
