// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Schedule, Phase, Window} from "./TaskTypes.sol";

/// @title ScheduleLib
/// @notice Pure time arithmetic over a task's schedule. Every module asks the same questions
/// (which epoch is it, which window, from which epoch does an action count), so they live here.
library ScheduleLib {
    uint256 internal constant BPS = 10_000;

    function scoringEpochs(Schedule memory s) internal pure returns (uint256) {
        return uint256(s.submissionEpochs) + s.finalEpochs;
    }

    function totalEpochs(Schedule memory s) internal pure returns (uint256) {
        return uint256(s.submissionEpochs) + s.finalEpochs + s.challengeEpochs;
    }

    function epochStart(Schedule memory s, uint256 epoch) internal pure returns (uint256) {
        return uint256(s.startTime) + epoch * s.epochLength;
    }

    function endTime(Schedule memory s) internal pure returns (uint256) {
        return epochStart(s, totalEpochs(s));
    }

    /// @return started whether epoch 0 has begun at time `t`
    /// @return epoch the epoch containing `t` (0 when not started; may exceed the last epoch)
    function epochAt(Schedule memory s, uint256 t) internal pure returns (bool started, uint256 epoch) {
        if (t < s.startTime) return (false, 0);
        return (true, (t - s.startTime) / s.epochLength);
    }

    /// @notice The first epoch an action taken at `t` counts in: the next epoch to start.
    function effectiveEpoch(Schedule memory s, uint256 t) internal pure returns (uint256) {
        (bool started, uint256 epoch) = epochAt(s, t);
        return started ? epoch + 1 : 0;
    }

    function phaseAt(Schedule memory s, uint256 t) internal pure returns (Phase) {
        if (s.rejected) return Phase.Rejected;
        if (t < s.reviewEnd) return Phase.Review;
        (bool started, uint256 epoch) = epochAt(s, t);
        if (!started) return Phase.Pending;
        if (epoch < s.submissionEpochs) return Phase.Submission;
        if (epoch < scoringEpochs(s)) return Phase.Final;
        if (epoch < totalEpochs(s)) return Phase.Challenge;
        return Phase.Ended;
    }

    /// @notice The window open at `t` and the epoch it belongs to.
    function windowAt(Schedule memory s, uint256 t) internal pure returns (Window w, uint256 epoch) {
        bool started;
        (started, epoch) = epochAt(s, t);
        if (s.rejected || !started || epoch >= scoringEpochs(s)) return (Window.None, epoch);
        uint256 into = ((t - epochStart(s, epoch)) * BPS) / s.epochLength;
        if (epoch < s.submissionEpochs) {
            if (into < s.sealEnd) return (Window.Seal, epoch);
            if (into < s.revealEnd) return (Window.Reveal, epoch);
            if (into < s.commitEnd) return (Window.ScoreCommit, epoch);
            return (Window.ScoreReveal, epoch);
        }
        if (into < s.finalCommitEnd) return (Window.ScoreCommit, epoch);
        return (Window.ScoreReveal, epoch);
    }

    /// @notice The creator must reveal the final eval set within the first 10% of the final phase.
    function finalEvalDeadline(Schedule memory s) internal pure returns (uint256) {
        return epochStart(s, s.submissionEpochs) + (uint256(s.finalEpochs) * s.epochLength) / 10;
    }
}
