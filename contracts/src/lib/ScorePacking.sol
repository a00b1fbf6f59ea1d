// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ScorePacking
/// @notice Scores are integers 0..10000 (four decimals exactly), 16 per 256-bit word, lane k of
/// word w holding column 16w + k in its bits [16k, 16k+16).
library ScorePacking {
    uint256 internal constant LANES = 16;
    uint256 internal constant MAX_SCORE = 10_000;

    error ScoreOutOfRange(uint256 column, uint256 value);
    error WrongScoreCount(uint256 expectedWords, uint256 gotWords);
    error NonZeroPadding(uint256 column);

    function wordsFor(uint256 columns) internal pure returns (uint256) {
        return (columns + LANES - 1) / LANES;
    }

    function lane(uint256 word, uint256 k) internal pure returns (uint256) {
        return (word >> (k * 16)) & 0xffff;
    }

    /// @notice Reverts unless `words` holds exactly `columns` scores in range and zero padding.
    function validate(uint256[] calldata words, uint256 columns) internal pure {
        uint256 expected = wordsFor(columns);
        if (words.length != expected) revert WrongScoreCount(expected, words.length);
        for (uint256 w; w < words.length; ++w) {
            uint256 word = words[w];
            for (uint256 k; k < LANES; ++k) {
                uint256 v = (word >> (k * 16)) & 0xffff;
                uint256 column = w * LANES + k;
                if (column >= columns) {
                    if (v != 0) revert NonZeroPadding(column);
                } else if (v > MAX_SCORE) {
                    revert ScoreOutOfRange(column, v);
                }
            }
        }
    }
}
