// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib as FPM} from "solady/utils/FixedPointMathLib.sol";

/// @title RewardMath
/// @notice The pure pieces of SPEC section 4, computed exactly as docs/reward-math.md fixes them
/// (the TypeScript reference in src/lib/protocol/rewards.ts mirrors every step).
library RewardMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant F_SCALE = 1e36;
    uint256 internal constant SCORE_UNIT = 1e14;
    uint256 internal constant BPS = 10_000;

    /// @notice `weightedMedian` got fewer stakes than scores or less than 128 words of scratch.
    error MedianScratch();

    /// @notice Step 1: R_T = R (gamma + (1 - 2 gamma) T/(T+S)), R_V = R - R_T.
    function splitReward(uint256 r, uint256 t, uint256 s, uint256 gamma)
        internal
        pure
        returns (uint256 rT, uint256 rV)
    {
        uint256 x = (t * WAD) / (t + s);
        int256 term = ((int256(WAD) - 2 * int256(gamma)) * int256(x)) / int256(WAD);
        uint256 factor = uint256(int256(gamma) + term);
        rT = FPM.fullMulDiv(r, factor, WAD);
        rV = r - rT;
    }

    /// @notice stake^alpha in WAD; exact for alpha = 1. Stakes are at least one token.
    function stakePower(uint256 stake, uint256 alpha) internal pure returns (uint256) {
        if (alpha == WAD) return stake;
        return uint256(FPM.powWad(int256(stake), int256(alpha)));
    }

    /// @notice The part of a pool reward kept by its owner: amount (sigma + (1 - sigma) own/total).
    function ownShare(uint256 amount, uint256 sigma, uint256 own, uint256 total) internal pure returns (uint256) {
        return FPM.fullMulDiv(amount, sigma * total + (WAD - sigma) * own, WAD * total);
    }

    /// @notice exp(lambda (1 - D)) in WAD: proportional to exp(-lambda D) and never below 1.
    function expWeight(uint256 lambda, uint256 distance) internal pure returns (uint256) {
        // lambda <= 50e18 and distance <= WAD: the product stays far below 2^256.
        unchecked {
            return uint256(FPM.expWad(int256((lambda * (WAD - distance)) / WAD)));
        }
    }

    /// @notice The shift that brings a column's weight sum under 2^128 (step 5).
    function weightShift(uint256 z) internal pure returns (uint256) {
        uint256 bits = z == 0 ? 0 : FPM.log2(z) + 1;
        return bits > 128 ? bits - 128 : 0;
    }

    /// @notice Ascending order of keys is ranking order: aggregate descending, then earlier seal,
    /// then list index.
    function rankKey(uint256 aggregate, uint256 sealSeq, uint256 index) internal pure returns (uint256) {
        return ((WAD - aggregate) << 128) | (sealSeq << 16) | index;
    }

    function rankKeyIndex(uint256 key) internal pure returns (uint256) {
        return key & 0xffff;
    }

    /// @notice Step 2: the stake-weighted lower median of one column,
    /// `min { r_j : 2 * sum_{k : r_k <= r_j} s_k >= S }`, in score units (0..10000).
    /// @dev Two bucket passes instead of a sort: the stake per block of 128 score values finds
    /// the block where the running stake reaches half, the stake per value inside that block
    /// finds the value. O(m) whatever the scores: validators choose the scores and their reveal
    /// order, and a quicksort has inputs that make it quadratic, which would break the work-unit
    /// bound of finalization. The smallest value v with 2 F(v) >= S (F the stake at or below v)
    /// is a validator's score, since F only steps there: it is the definition's minimum.
    /// @param score r_j by validator index, each at most 10000
    /// @param stake s_j by validator index
    /// @param stakeSum S = sum_j s_j (> 0)
    /// @param hist scratch of at least 128 zero words; left zeroed
    function weightedMedian(uint256[] memory score, uint256[] memory stake, uint256 stakeSum, uint256[] memory hist)
        internal
        pure
        returns (uint256 median)
    {
        if (stake.length < score.length || hist.length < 128) revert MedianScratch();
        // n*m times per epoch: plain memory arithmetic, no bounds checks. Every index is masked
        // into the 128 words of `hist`, so even a score above 16383 (the reveal refuses any
        // above 10000) cannot write outside it. Stakes are below 2^96 and there are at most
        // 512 validators: the sums cannot overflow.
        /// @solidity memory-safe-assembly
        assembly {
            let m := mload(score)
            let sp := add(score, 0x20)
            let wp := add(stake, 0x20)
            let hp := add(hist, 0x20)
            // Pass 1: stake per block of 128 values.
            for { let j := 0 } lt(j, m) { j := add(j, 1) } {
                let slot := add(hp, shl(5, and(shr(7, mload(add(sp, shl(5, j)))), 127)))
                mstore(slot, add(mload(slot), mload(add(wp, shl(5, j)))))
            }
            // The block where twice the running stake reaches S; clear every block word.
            let below := 0
            let high := 0
            for {} lt(high, 128) { high := add(high, 1) } {
                let slot := add(hp, shl(5, high))
                let b := mload(slot)
                mstore(slot, 0)
                if iszero(lt(shl(1, add(below, b)), stakeSum)) { break }
                below := add(below, b)
            }
            for { let k := add(high, 1) } lt(k, 128) { k := add(k, 1) } { mstore(add(hp, shl(5, k)), 0) }
            // Pass 2: stake per value inside that block.
            for { let j := 0 } lt(j, m) { j := add(j, 1) } {
                let r := mload(add(sp, shl(5, j)))
                if eq(and(shr(7, r), 127), high) {
                    let slot := add(hp, shl(5, and(r, 127)))
                    mstore(slot, add(mload(slot), mload(add(wp, shl(5, j)))))
                }
            }
            let low := 0
            for {} lt(low, 128) { low := add(low, 1) } {
                let slot := add(hp, shl(5, low))
                below := add(below, mload(slot))
                mstore(slot, 0)
                if iszero(lt(shl(1, below), stakeSum)) { break }
            }
            for { let k := add(low, 1) } lt(k, 128) { k := add(k, 1) } { mstore(add(hp, shl(5, k)), 0) }
            median := or(shl(7, high), low)
        }
    }

    /// @notice Step 5: whether a (non-canary) column with aggregate `r` qualifies for a rank.
    function qualifies(uint256 r, uint256 best, uint256 minScore, uint256 floorBps) internal pure returns (bool) {
        return r > minScore && r * BPS >= floorBps * best;
    }
}
