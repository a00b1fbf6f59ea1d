// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TranscriptCommit} from "../../src/lib/TaskTypes.sol";

// `SubmissionBook.SEEDED_START`, written out: keccak256("aiarena/transcript/seeded/v1").
bytes32 constant SEEDED_START = keccak256("aiarena/transcript/seeded/v1");

/// @notice A seeded transcript commitment with `segments` segments and root `root`.
function seededTranscript(bytes32 root, uint32 segments) pure returns (TranscriptCommit memory) {
    return TranscriptCommit({trajRoot: root, segments: segments, startRoot: SEEDED_START, startLeaf: 0});
}

/// @notice The seal commitment of docs/contracts.md ("Transcript commitments"), written out here
/// rather than taken from the book: keccak256(abi.encode(task, epoch, trainer, artifactHash,
/// wmCommit, trajRoot, segments, startRoot, startLeaf, salt)).
function sealHashOf(
    uint256 taskId,
    uint256 epoch,
    address trainer,
    bytes32 artifact,
    bytes32 wm,
    TranscriptCommit memory t,
    bytes32 salt
) pure returns (bytes32) {
    return keccak256(
        abi.encode(taskId, epoch, trainer, artifact, wm, t.trajRoot, t.segments, t.startRoot, t.startLeaf, salt)
    );
}
