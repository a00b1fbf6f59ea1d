// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RewardEngine} from "../../src/RewardEngine.sol";
import {Schedule} from "../../src/lib/TaskTypes.sol";
import {ITaskRegistry} from "../../src/interfaces/ITaskRegistry.sol";
import {IStakeManager} from "../../src/interfaces/IStakeManager.sol";
import {ISubmissionBook} from "../../src/interfaces/ISubmissionBook.sol";

/// @notice Runs exactly one finalization stage with a chosen work budget, to measure stages apart.
contract RewardEngineHarness is RewardEngine {
    constructor(ITaskRegistry r, IStakeManager s, ISubmissionBook b) RewardEngine(r, s, b) {}

    function stepOnce(uint256 taskId, uint256 units) external returns (uint256 used, Stage before, Stage next) {
        Progress memory p = _progress[taskId];
        Schedule memory s = registry.schedule(taskId);
        if (p.stage == Stage.Start) p.stage = stakes.rolledEpochs(taskId) > p.epoch ? Stage.Prepare : Stage.Roll;
        before = p.stage;
        bool finished;
        (used, finished) = _step(taskId, p, s, units);
        if (finished) (p.epoch, p.stage, p.cursor, p.booked) = (p.epoch + 1, Stage.Start, 0, 0);
        _progress[taskId] = p;
        next = p.stage;
    }
}
