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
}
