// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "./utils/LeanTest.sol";
import {RewardMath} from "../src/lib/RewardMath.sol";
import {ScorePacking} from "../src/lib/ScorePacking.sol";

contract RewardMathTest is Test {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant MAX_POOL = type(uint96).max;
    // 256 pools at most: sums of stakes stay below 2^104.
    uint256 internal constant MAX_SUM = 256 * MAX_POOL;

    // ================================================================ splitReward

    function testFuzz_splitReward_sumsToR(uint256 r, uint256 t, uint256 s, uint256 gamma) public pure {
        r = bound(r, 0, 2 ** 128);
        t = bound(t, 1e18, MAX_SUM);
        s = bound(s, 1e18, 2 * MAX_SUM);
        gamma = bound(gamma, 0, WAD);
        (uint256 rT, uint256 rV) = RewardMath.splitReward(r, t, s, gamma);
        assertEq(rT + rV, r);
    }

    /// @dev R_T lies between gamma R and (1 - gamma) R (whichever order), within a wei.
    function testFuzz_splitReward_withinGammaBounds(uint256 r, uint256 t, uint256 s, uint256 gamma) public pure {
        r = bound(r, 0, 2 ** 128);
        t = bound(t, 1e18, MAX_SUM);
        s = bound(s, 1e18, 2 * MAX_SUM);
        gamma = bound(gamma, 0, WAD);
        (uint256 rT,) = RewardMath.splitReward(r, t, s, gamma);
        uint256 lo = gamma < WAD - gamma ? gamma : WAD - gamma;
        uint256 hi = gamma < WAD - gamma ? WAD - gamma : gamma;
        uint256 low = (r * lo) / WAD;
        uint256 high = (r * hi + WAD - 1) / WAD;
        assertGe(rT + 1, low);
        assertLe(rT, high + 1);
    }

    /// @dev For gamma > 1/2 (the default 0.7) more trainer stake shifts the split towards
    /// validators: R_T is non-increasing in T.
    function testFuzz_splitReward_monotoneInT(uint256 r, uint256 t1, uint256 t2, uint256 s, uint256 gamma) public pure {
        r = bound(r, 0, 2 ** 128);
        t1 = bound(t1, 1e18, MAX_SUM);
        t2 = bound(t2, t1, MAX_SUM);
        s = bound(s, 1e18, 2 * MAX_SUM);
        gamma = bound(gamma, WAD / 2 + 1, WAD);
        (uint256 rT1,) = RewardMath.splitReward(r, t1, s, gamma);
        (uint256 rT2,) = RewardMath.splitReward(r, t2, s, gamma);
        assertLe(rT2, rT1);
    }

    function test_splitReward_handValues() public pure {
        // gamma 0.7, T = S: factor 0.5.
        (uint256 rT, uint256 rV) = RewardMath.splitReward(1000e18, 5e18, 5e18, 0.7e18);
        assertEq(rT, 500e18);
        assertEq(rV, 500e18);
        // T/(T+S) = 1/4: factor 0.7 - 0.4/4 = 0.6.
        (rT, rV) = RewardMath.splitReward(1000e18, 1e18, 3e18, 0.7e18);
        assertEq(rT, 600e18);
        assertEq(rV, 400e18);
        // gamma 0.5 always splits in halves; gamma 1: all to trainers when T -> 0.
        (rT,) = RewardMath.splitReward(1000e18, 1e18, 9e18, 0.5e18);
        assertEq(rT, 500e18);
        (rT,) = RewardMath.splitReward(1000e18, 1e18, 3e18, 1e18);
        assertEq(rT, 750e18); // 1 - 1/4
        // gamma 0: R_T = R T/(T+S).
        (rT,) = RewardMath.splitReward(1000e18, 1e18, 3e18, 0);
        assertEq(rT, 250e18);
    }

    // ================================================================ ownShare

    function testFuzz_ownShare_neverAboveAmount(uint256 amount, uint256 sigma, uint256 own, uint256 total) public pure {
        amount = bound(amount, 0, 2 ** 128);
        total = bound(total, 1e18, MAX_POOL);
        own = bound(own, 1e18 < total ? 1e18 : total, total);
        sigma = bound(sigma, 0, WAD);
        uint256 mine = RewardMath.ownShare(amount, sigma, own, total);
        assertLe(mine, amount);
        // And at least the owner's stake share (sigma only adds to it), within a wei.
        assertGe(mine + 1, (amount * own) / total);
    }

    function testFuzz_ownShare_allWhenNoDelegatorsOrSigmaOne(uint256 amount, uint256 sigma, uint256 own, uint256 total)
        public
        pure
    {
        amount = bound(amount, 0, 2 ** 128);
        total = bound(total, 1e18, MAX_POOL);
        own = bound(own, 1e18 < total ? 1e18 : total, total);
        sigma = bound(sigma, 0, WAD);
        assertEq(RewardMath.ownShare(amount, sigma, total, total), amount);
        assertEq(RewardMath.ownShare(amount, WAD, own, total), amount);
    }

    function testFuzz_ownShare_monotoneInSigma(uint256 amount, uint256 s1, uint256 s2, uint256 own, uint256 total)
        public
        pure
    {
        amount = bound(amount, 0, 2 ** 128);
        total = bound(total, 1e18, MAX_POOL);
        own = bound(own, 1e18 < total ? 1e18 : total, total);
        s1 = bound(s1, 0, WAD);
        s2 = bound(s2, s1, WAD);
        assertLe(RewardMath.ownShare(amount, s1, own, total), RewardMath.ownShare(amount, s2, own, total));
    }

    function test_ownShare_handValues() public pure {
        // sigma 0.5, own 100 of 150: 0.5 + 0.5 x 2/3 = 5/6.
        assertEq(RewardMath.ownShare(600, 0.5e18, 100e18, 150e18), 500);
        // sigma 0: stake share only.
        assertEq(RewardMath.ownShare(1000, 0, 1e18, 4e18), 250);
        assertEq(RewardMath.ownShare(999, 0, 1e18, 4e18), 249);
    }

    // ================================================================ expWeight

    function testFuzz_expWeight_atLeastOneAndDecreasing(uint256 lambda, uint256 d1, uint256 d2) public pure {
        lambda = bound(lambda, 0, 50e18);
        d1 = bound(d1, 0, WAD);
        d2 = bound(d2, d1, WAD);
        uint256 w1 = RewardMath.expWeight(lambda, d1);
        uint256 w2 = RewardMath.expWeight(lambda, d2);
        assertGe(w2, WAD);
        assertLe(w2, w1);
        // The largest weight: exp(lambda) <= e^50 x 1e18 < 2^132.
        assertLt(w1, 2 ** 132);
    }

    function test_expWeight_handValues() public pure {
        assertEq(RewardMath.expWeight(20e18, WAD), WAD); // distance 1: exp(0)
        assertEq(RewardMath.expWeight(0, 0), WAD);
        // exp(20) = 485165195.40979...
        assertApproxEqRel(RewardMath.expWeight(20e18, 0), 485_165_195.409790277969106e18, 1e6);
        // ratio for distances 0.1 and 0.2 at lambda 20 is e^2
        uint256 a = RewardMath.expWeight(20e18, 0.1e18);
        uint256 b = RewardMath.expWeight(20e18, 0.2e18);
        assertApproxEqRel((a * 1e18) / b, 7.389056098930650227e18, 1e6);
    }

    // ================================================================ weightShift

    function testFuzz_weightShift_fitsAndIsMinimal(uint256 z) public pure {
        uint256 k = RewardMath.weightShift(z);
        assertLt(z >> k, 2 ** 128);
        if (k > 0) assertGe(z >> (k - 1), 2 ** 128);
    }

    function test_weightShift_edges() public pure {
        assertEq(RewardMath.weightShift(0), 0);
        assertEq(RewardMath.weightShift(2 ** 128 - 1), 0);
        assertEq(RewardMath.weightShift(2 ** 128), 1);
        assertEq(RewardMath.weightShift(type(uint256).max), 128);
    }

    // ================================================================ rankKey

    function testFuzz_rankKey_ordersLikeTheRanking(uint256 a1, uint256 a2, uint64 s1, uint64 s2, uint256 i1, uint256 i2)
        public
        pure
    {
        a1 = bound(a1, 0, WAD);
        a2 = bound(a2, 0, WAD);
        i1 = bound(i1, 0, 255);
        i2 = bound(i2, 0, 255);
        uint256 k1 = RewardMath.rankKey(a1, s1, i1);
        uint256 k2 = RewardMath.rankKey(a2, s2, i2);
        bool firstBefore = a1 > a2 || (a1 == a2 && (s1 < s2 || (s1 == s2 && i1 < i2)));
        bool same = a1 == a2 && s1 == s2 && i1 == i2;
        if (same) assertEq(k1, k2);
        else assertEq(k1 < k2, firstBefore);
        assertEq(RewardMath.rankKeyIndex(k1), i1);
    }

    function test_rankKey_handOrder() public pure {
        // Higher aggregate first; equal aggregates: earlier seal; equal seals: lower index.
        assertLt(RewardMath.rankKey(0.9e18, 50, 3), RewardMath.rankKey(0.8e18, 1, 0));
        assertLt(RewardMath.rankKey(0.8e18, 1, 9), RewardMath.rankKey(0.8e18, 2, 0));
        assertLt(RewardMath.rankKey(0.8e18, 2, 0), RewardMath.rankKey(0.8e18, 2, 1));
        assertLt(RewardMath.rankKey(1e18, type(uint64).max, 255), RewardMath.rankKey(0, 0, 0));
    }

    // ================================================================ weightedMedian

    /// @dev The definition of docs/reward-math.md step 2, computed the slow way:
    /// min { r_j : 2 * sum_{k : r_k <= r_j} s_k >= S }.
    function _referenceMedian(uint256[] memory scores, uint256[] memory stakes) internal pure returns (uint256 best) {
        uint256 total;
        for (uint256 j; j < stakes.length; ++j) {
            total += stakes[j];
        }
        best = type(uint256).max;
        for (uint256 j; j < scores.length; ++j) {
            uint256 below;
            for (uint256 k; k < scores.length; ++k) {
                if (scores[k] <= scores[j]) below += stakes[k];
            }
            if (2 * below >= total && scores[j] < best) best = scores[j];
        }
    }

    function _median(uint256[] memory scores, uint256[] memory stakes) internal pure returns (uint256 median) {
        uint256 total;
        for (uint256 j; j < scores.length; ++j) {
            total += stakes[j];
        }
        uint256[] memory hist = new uint256[](128);
        median = RewardMath.weightedMedian(scores, stakes, total, hist);
        // The scratch is handed back zeroed, so the next column can reuse it.
        for (uint256 k; k < 128; ++k) {
            assert(hist[k] == 0);
        }
    }

    /// @dev Random small columns, with many ties (scores from a few values) half of the time.
    function testFuzz_weightedMedian_matchesTheDefinition(uint256 seed, uint256 m, bool fewValues) public pure {
        m = bound(m, 1, 40);
        uint256[] memory scores = new uint256[](m);
        uint256[] memory stakes = new uint256[](m);
        for (uint256 j; j < m; ++j) {
            uint256 r = uint256(keccak256(abi.encode(seed, j)));
            // Few values: ties, and scores on both sides of a 128-value block boundary.
            scores[j] = fewValues ? [uint256(0), 127, 128, 255, 256, 5000, 10_000][r % 7] : r % 10_001;
            // Equal stakes now and then, so exact halves happen.
            stakes[j] = (r >> 128) % 3 == 0 ? 5e18 : bound(r >> 64, 1e18, MAX_POOL);
        }
        assertEq(_median(scores, stakes), _referenceMedian(scores, stakes));
    }

    function test_weightedMedian_handValues() public pure {
        uint256[] memory s = new uint256[](3);
        uint256[] memory w = new uint256[](3);
        // Stakes 100, 200, 250 (S = 550): 0.1 (200) is under half, with 0.7 (450) over.
        (s[0], s[1], s[2]) = (9000, 1000, 7000);
        (w[0], w[1], w[2]) = (100, 200, 250);
        assertEq(_median(s, w), 7000);
        // A tie at the median: the 0.5s hold 300 of 550.
        (s[0], s[1], s[2]) = (5000, 5000, 9000);
        assertEq(_median(s, w), 5000);
        // Exactly half below: the lower score (2 x 275 >= 550).
        (s[0], s[1], s[2]) = (6000, 4000, 4000);
        (w[0], w[1], w[2]) = (275, 100, 175);
        assertEq(_median(s, w), 4000);
        // A unit of stake short of half: the upper one.
        (w[0], w[1], w[2]) = (276, 100, 174);
        assertEq(_median(s, w), 6000);
        // A single validator decides alone; a stake majority decides whatever the others say.
        uint256[] memory one = new uint256[](1);
        one[0] = 1234;
        uint256[] memory oneStake = new uint256[](1);
        oneStake[0] = 1;
        assertEq(_median(one, oneStake), 1234);
        (s[0], s[1], s[2]) = (0, 10_000, 10_000);
        (w[0], w[1], w[2]) = (551, 275, 275);
        assertEq(_median(s, w), 0);
    }

    // ================================================================ qualifies

    function test_qualifies_handValues() public pure {
        // Above minScore (strictly) and at least floorBps of the best (inclusive).
        assertTrue(RewardMath.qualifies(0.4e18, 0.8e18, 0, 5000));
        assertFalse(RewardMath.qualifies(0.4e18 - 1, 0.8e18, 0, 5000));
        assertFalse(RewardMath.qualifies(0, 0, 0, 0));
        assertTrue(RewardMath.qualifies(1, 1e18, 0, 0));
        assertFalse(RewardMath.qualifies(0.5e18, 0.5e18, 0.5e18, 0));
        assertTrue(RewardMath.qualifies(0.5e18, 0.5e18, 0.5e18 - 1, 10_000));
    }

    // ================================================================ stakePower

    function test_stakePower() public pure {
        assertEq(RewardMath.stakePower(123e18, WAD), 123e18);
        assertApproxEqAbs(RewardMath.stakePower(7e18, 0), WAD, 1);
        assertApproxEqRel(RewardMath.stakePower(100e18, 0.5e18), 10e18, 1e6);
    }
}

/// @notice ScorePacking reads calldata, so it is exercised through an external wrapper.
contract ScorePackingHarness {
    function validate(uint256[] calldata words, uint256 columns) external pure {
        ScorePacking.validate(words, columns);
    }
}

contract ScorePackingTest is Test {
    ScorePackingHarness internal h;

    function setUp() public {
        h = new ScorePackingHarness();
    }

    function _scores(uint256 seed, uint256 n) internal pure returns (uint256[] memory s) {
        s = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            s[i] = uint256(keccak256(abi.encode(seed, i))) % 10_001;
        }
    }

    function _pack(uint256[] memory scores) internal pure returns (uint256[] memory words) {
        words = new uint256[]((scores.length + 15) / 16);
        for (uint256 i; i < scores.length; ++i) {
            words[i / 16] |= scores[i] << ((i % 16) * 16);
        }
    }

    function testFuzz_packValidateRoundTrip(uint256 seed, uint256 n) public view {
        n = bound(n, 0, 256);
        uint256[] memory s = _scores(seed, n);
        uint256[] memory words = _pack(s);
        assertEq(words.length, ScorePacking.wordsFor(n));
        h.validate(words, n);
        for (uint256 i; i < n; ++i) {
            assertEq(ScorePacking.lane(words[i / 16], i % 16), s[i]);
        }
    }

    function testFuzz_outOfRangeRejected(uint256 seed, uint256 n, uint256 col, uint256 value) public {
        n = bound(n, 1, 256);
        col = bound(col, 0, n - 1);
        value = bound(value, 10_001, 0xffff);
        uint256[] memory s = _scores(seed, n);
        uint256[] memory words = _pack(s);
        words[col / 16] = (words[col / 16] & ~(uint256(0xffff) << ((col % 16) * 16))) | (value << ((col % 16) * 16));
        // The first offending column is reported; every other score is in range.
        vm.expectRevert(abi.encodeWithSelector(ScorePacking.ScoreOutOfRange.selector, col, value));
        h.validate(words, n);
    }

    function testFuzz_paddingRejected(uint256 seed, uint256 n, uint256 lane, uint256 value) public {
        n = bound(n, 0, 255);
        if (n % 16 == 0) n += 1; // a partly filled last word
        uint256[] memory words = _pack(_scores(seed, n));
        uint256 first = n % 16;
        lane = bound(lane, first, 15);
        value = bound(value, 1, 0xffff);
        words[words.length - 1] |= value << (lane * 16);
        vm.expectRevert(abi.encodeWithSelector(ScorePacking.NonZeroPadding.selector, (words.length - 1) * 16 + lane));
        h.validate(words, n);
    }

    function testFuzz_wrongWordCountRejected(uint256 n, uint256 got) public {
        n = bound(n, 0, 256);
        got = bound(got, 0, 20);
        uint256 expected = (n + 15) / 16;
        if (got == expected) got += 1;
        vm.expectRevert(abi.encodeWithSelector(ScorePacking.WrongScoreCount.selector, expected, got));
        h.validate(new uint256[](got), n);
    }
}
