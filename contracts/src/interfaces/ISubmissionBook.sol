// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice One scored column of an epoch: a trainer's submission.
struct Column {
    address trainer;
    uint64 sealSeq;
    bool duplicate;
    uint32 submissionId;
}

interface ISubmissionBook {
    function columns(uint256 taskId, uint256 epoch) external view returns (Column[] memory);
    function columnCount(uint256 taskId, uint256 epoch) external view returns (uint256);
    function revealerCount(uint256 taskId, uint256 epoch) external view returns (uint256);
    function revealersSlice(uint256 taskId, uint256 epoch, uint256 from, uint256 count)
        external
        view
        returns (address[] memory);
    function revealersOf(uint256 taskId, uint256 epoch) external view returns (address[] memory);
    function scoreBlock(uint256 taskId, uint256 epoch, uint256 fromWord, uint256 wordCount)
        external
        view
        returns (uint256[] memory);
    function columnSubmissionId(uint256 taskId, uint256 epoch, uint256 column) external view returns (uint256);
    function evalSeedOf(uint256 taskId, uint256 epoch) external view returns (bytes32);
    function canaryMask(uint256 taskId, uint256 epoch) external view returns (uint256);
}
