// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FixedPointMathLib as FPM} from "solady/utils/FixedPointMathLib.sol";
import {LibSort} from "solady/utils/LibSort.sol";
import {Schedule, RewardParams} from "./lib/TaskTypes.sol";
import {ScheduleLib} from "./lib/ScheduleLib.sol";
import {RewardMath} from "./lib/RewardMath.sol";
import {ScorePacking} from "./lib/ScorePacking.sol";
import {ITaskRegistry} from "./interfaces/ITaskRegistry.sol";
import {IStakeManager, ActiveStake} from "./interfaces/IStakeManager.sol";
import {ISubmissionBook, Column} from "./interfaces/ISubmissionBook.sol";

/// @title RewardEngine
/// @notice Finalizes scoring epochs: stake-weighted median consensus, canary checks, the
/// qualifying rule, ranking, trainer and validator rewards and the rollover of what nobody earned
/// (SPEC section 4 revision 2, computed exactly as docs/reward-math.md fixes it), booked into the
/// stake manager's pools.
/// @dev An epoch of 256 trainers x 512 validators is 131,072 scores: far more work than one
/// transaction may do. Finalization is therefore a resumable state machine. Each call to
/// `finalize` spends a fixed work budget, measured in units of about 1,000 gas whose per-item
/// costs were calibrated by the gas benchmark, so that no call needs more than 15,000,000 gas
/// while small tasks finish in one call. Anyone may call it.
contract RewardEngine {
    using ScheduleLib for Schedule;

    enum Stage {
        Start,
        Roll,
        Prepare,
        Load,
        Canaries,
        Columns,
        Trainers,
        Validators,
        RollNext
    }

    /// @dev `n` counts the book's columns, `nScored` the included ones (not excluded; canaries
    /// included), `m` the revealed validators. Bit i of `included`, `duplicates` and `canaries`
    /// is column i; bit j of `failed` (j < 256) and `failedHigh` (j - 256) marks validator j as
    /// having missed a valid canary.
    struct Progress {
        uint32 epoch;
        Stage stage;
        uint32 cursor;
        uint16 n;
        uint16 nScored;
        uint16 m;
        bool degenerate;
        uint128 budget;
        uint128 booked;
        uint128 rT;
        uint128 rV;
        uint128 rollover;
        uint16 qualified;
        uint16 zeroColumns;
        uint256 stakeSum;
        uint256 included;
        uint256 duplicates;
        uint256 canaries;
        uint256 failed;
        uint256 failedHigh;
    }

    /// @dev Per-validator scratch of the epoch being finalized: stake, weight sum A_j, distance sum.
    struct ValidatorScratch {
        uint256 stake;
        uint256 weight;
        uint256 distance;
    }

    uint256 internal constant WAD = 1e18;

    // Work units of ~1,000 gas. Each constant bounds its item's gas on a cold transaction in the
    // worst case (fresh storage slots, stake powers != 1, every pool delegated to), as measured
    // by contracts/test/Calibrate.t.sol under `forge test --isolate`.
    uint256 public constant WORK_BUDGET = 13_500;
    uint256 internal constant ROLL_BASE = 20;
    uint256 internal constant ROLL_POOL = 48;
    uint256 internal constant PREPARE_BASE = 60;
    uint256 internal constant PREPARE_ITEM = 12;
    uint256 internal constant LOAD_BASE = 20;
    uint256 internal constant LOAD_VALIDATOR = 34;
    uint256 internal constant CANARIES_BASE = 30;
    uint256 internal constant CANARIES_VALIDATOR = 5;
    uint256 internal constant CANARIES_ITEM = 30;
    uint256 internal constant CANARY_CELL_MILLI = 2_050;
    uint256 internal constant COLUMNS_BASE = 30;
    uint256 internal constant COLUMNS_VALIDATOR = 9;
    uint256 internal constant COLUMNS_POW = 2;
    uint256 internal constant COLUMNS_WORD = 3;
    uint256 internal constant CELL_MILLI = 2_050;
    uint256 internal constant TRAINERS_BASE = 60;
    uint256 internal constant TRAINERS_RANK = 20;
    uint256 internal constant TRAINERS_BOOK = 72;
    uint256 internal constant VALIDATORS_BASE = 30;
    uint256 internal constant VALIDATORS_ITEM = 68;

    ITaskRegistry public immutable registry;
    IStakeManager public immutable stakes;
    ISubmissionBook public immutable book;

    mapping(uint256 => Progress) internal _progress;
    mapping(uint256 => mapping(uint256 => uint256)) internal _scratch;
    mapping(uint256 => mapping(uint256 => uint256)) internal _aggregates;

    event FinalizationProgress(uint256 indexed taskId, uint256 indexed epoch, Stage stage, uint256 cursor);
    /// @notice The split of the epoch's budget, from the qualifying trainers' stake.
    /// @param qualified columns that qualified for a rank
    /// @param columns included columns (canaries included)
    /// @param m validators that revealed
    event EpochScored(
        uint256 indexed taskId,
        uint256 indexed epoch,
        uint256 budget,
        uint256 rT,
        uint256 rV,
        uint256 qualified,
        uint256 columns,
        uint256 m
    );
    /// @notice One per included non-canary column; `rank == 0` means it did not qualify (pool 0).
    event TrainerRewarded(
        uint256 indexed taskId,
        uint256 indexed epoch,
        address indexed trainer,
        uint256 submissionId,
        uint256 rank,
        uint256 aggregate,
        uint256 pool,
        uint256 own
    );
    /// @notice One per included canary column; an invalid canary (under half the stake agreeing)
    /// fails nobody.
    event CanaryChecked(
        uint256 indexed taskId,
        uint256 indexed epoch,
        uint256 indexed submissionId,
        uint256 aggregate,
        uint256 agreeingStake,
        bool valid
    );
    event ValidatorRewarded(
        uint256 indexed taskId,
        uint256 indexed epoch,
        address indexed validator,
        uint256 distance,
        uint256 pool,
        uint256 own,
        bool failedCanary
    );
    event EpochFinalized(
        uint256 indexed taskId, uint256 indexed epoch, uint256 booked, uint256 rollover, bool degenerate
    );

    error TaskIsRejected();
    error AllEpochsFinalized();
    error EpochNotOver(uint256 endsAt);

    constructor(ITaskRegistry registry_, IStakeManager stakes_, ISubmissionBook book_) {
        registry = registry_;
        stakes = stakes_;
        book = book_;
    }

    /// @notice Advances the finalization of the task's next unfinalized scoring epoch as far as
    /// one call's work budget allows; call again until `EpochFinalized` is emitted.
    /// @return epoch the epoch being (or just) finalized
    /// @return finished whether that epoch is now finalized
    function finalize(uint256 taskId) external returns (uint256 epoch, bool finished) {
        Progress memory p = _progress[taskId];
        Schedule memory s = registry.schedule(taskId);
        if (s.rejected) revert TaskIsRejected();
        epoch = p.epoch;
        if (p.stage == Stage.Start) {
            if (epoch >= s.scoringEpochs()) revert AllEpochsFinalized();
            uint256 endsAt = s.epochStart(epoch + 1);
            if (block.timestamp < endsAt) revert EpochNotOver(endsAt);
            p.stage = stakes.rolledEpochs(taskId) > epoch ? Stage.Prepare : Stage.Roll;
        }
        uint256 units = WORK_BUDGET;
        while (!finished) {
            uint256 used;
            (used, finished) = _step(taskId, p, s, units);
            if (used == 0) break;
            units -= used;
        }
        if (finished) {
            emit EpochFinalized(taskId, epoch, p.booked, p.rollover, p.degenerate);
            (p.epoch, p.stage, p.cursor, p.booked) = (uint32(epoch + 1), Stage.Start, 0, 0);
        } else {
            emit FinalizationProgress(taskId, epoch, p.stage, p.cursor);
        }
        _progress[taskId] = p;
    }

    /// @notice Where the finalization of a task stands.
    function progressOf(uint256 taskId) external view returns (Progress memory) {
        return _progress[taskId];
    }

    // ================================================================ stages

    /// @dev Runs one stage's worth of work that fits in `units`; returns the units used (0 when
    /// nothing fit) and whether the epoch is done.
    function _step(uint256 taskId, Progress memory p, Schedule memory s, uint256 units)
        internal
        returns (uint256 used, bool finished)
    {
        Stage stage = p.stage;
        if (stage == Stage.Roll) return (_roll(taskId, p, p.epoch, Stage.Prepare, units), false);
        if (stage == Stage.Prepare) return (_prepare(taskId, p, s, units), false);
        if (stage == Stage.Load) return (_load(taskId, p, units), false);
        if (stage == Stage.Canaries) return (_canaries(taskId, p, units), false);
        if (stage == Stage.Columns) return (_columns(taskId, p, units), false);
        if (stage == Stage.Trainers) return (_trainers(taskId, p, units), false);
        if (stage == Stage.Validators) return (_validators(taskId, p, units), false);
        used = _roll(taskId, p, p.epoch + 1, Stage.Start, units);
        return (used, p.stage == Stage.Start);
    }

    /// @dev Applies stake changes taking effect in `epoch` (the scored one first, the next last).
    function _roll(uint256 taskId, Progress memory p, uint256 epoch, Stage next, uint256 units)
        internal
        returns (uint256)
    {
        if (units < ROLL_BASE + ROLL_POOL) return 0;
        (bool done, uint256 processed) = stakes.roll(taskId, epoch, (units - ROLL_BASE) / ROLL_POOL);
        if (done) p.stage = next;
        return ROLL_BASE + processed * ROLL_POOL;
    }

    /// @dev Fixes the epoch's included columns, canaries and validators, the stake sum and the
    /// budget; closes a degenerate epoch at once (its whole budget rolls over).
    function _prepare(uint256 taskId, Progress memory p, Schedule memory s, uint256 units) internal returns (uint256) {
        uint256 n = book.columnCount(taskId, p.epoch);
        uint256 m = book.revealerCount(taskId, p.epoch);
        uint256 cost = PREPARE_BASE + (n + m) * PREPARE_ITEM;
        if (cost > units) return 0;
        if (p.epoch == s.submissionEpochs && registry.finalEvalSettled(taskId)) {
            registry.recordFinalEvalFallback(taskId);
        }
        uint256 epoch = p.epoch;
        _reset(p);
        (p.n, p.m) = (uint16(n), uint16(m));
        _includedColumns(taskId, p);
        p.canaries = book.canaryMask(taskId, epoch) & p.included;
        p.stakeSum = _stakeSum(stakes.activeStakes(taskId, book.revealersOf(taskId, epoch)));
        uint256 budget = registry.epochBudget(taskId);
        p.budget = uint128(budget);
        if (p.nScored == 0 || m == 0 || m < registry.rewardParams(taskId).minValidators) {
            // Degenerate epoch: its whole budget rolls over (docs/reward-math.md).
            (p.degenerate, p.rollover) = (true, uint128(budget));
            registry.closeEpoch(taskId, epoch, 0, budget);
            p.stage = Stage.RollNext;
            return cost;
        }
        p.stage = Stage.Load;
        return cost;
    }

    /// @dev Clears the per-epoch fields of a progress record.
    function _reset(Progress memory p) internal pure {
        (p.cursor, p.degenerate, p.booked, p.rollover, p.rT, p.rV) = (0, false, 0, 0, 0, 0);
        (p.qualified, p.zeroColumns, p.failed, p.failedHigh) = (0, 0, 0, 0);
    }

    /// @dev Records which columns are included (not excluded) and which are duplicates.
    function _includedColumns(uint256 taskId, Progress memory p) internal view {
        Column[] memory cols = book.columns(taskId, p.epoch);
        ActiveStake[] memory ts = stakes.activeStakes(taskId, _trainersOf(cols));
        (uint256 included, uint256 duplicates, uint256 nScored) = (0, 0, 0);
        for (uint256 i; i < cols.length; ++i) {
            if (ts[i].excluded) continue;
            included |= 1 << i;
            if (cols[i].duplicate) duplicates |= 1 << i;
            ++nScored;
        }
        (p.included, p.duplicates, p.nScored) = (included, duplicates, uint16(nScored));
    }

    function _stakeSum(ActiveStake[] memory vs) internal pure returns (uint256 sum) {
        for (uint256 j; j < vs.length; ++j) {
            sum += vs[j].own + vs[j].delegated;
        }
    }

    function _trainersOf(Column[] memory cols) internal pure returns (address[] memory trainers) {
        trainers = new address[](cols.length);
        for (uint256 i; i < cols.length; ++i) {
            trainers[i] = cols[i].trainer;
        }
    }

    /// @dev Writes each validator's stake into scratch and clears its accumulators.
    function _load(uint256 taskId, Progress memory p, uint256 units) internal returns (uint256) {
        if (units < LOAD_BASE + LOAD_VALIDATOR) return 0;
        uint256 from = p.cursor;
        uint256 count = FPM.min((units - LOAD_BASE) / LOAD_VALIDATOR, p.m - from);
        ActiveStake[] memory vs = stakes.activeStakes(taskId, book.revealersSlice(taskId, p.epoch, from, count));
        for (uint256 k; k < count; ++k) {
            _scratch[taskId][from + k] = _pack(ValidatorScratch(vs[k].own + vs[k].delegated, 0, 0));
        }
        p.cursor = uint32(from + count);
        if (p.cursor == p.m) (p.stage, p.cursor) = (p.canaries != 0 ? Stage.Canaries : Stage.Columns, 0);
        return LOAD_BASE + count * LOAD_VALIDATOR;
    }

    /// @dev Scratch memory of one canaries step.
    struct CanaryCtx {
        uint256[] stake;
        uint256[] score;
        uint256[] hist;
        uint256 tolV;
    }

    /// @dev Step 3, before any weight: each canary's median, the stake within tolerance of it,
    /// and, for a valid canary, every validator outside the tolerance marked failed. `cursor` is
    /// the next column to look at; canaries are independent, so any slicing gives the same marks.
    function _canaries(uint256 taskId, Progress memory p, uint256 units) internal returns (uint256 used) {
        uint256 m = p.m;
        uint256 base = CANARIES_BASE + m * CANARIES_VALIDATOR;
        uint256 perCanary = CANARIES_ITEM + (m * CANARY_CELL_MILLI + 999) / 1000;
        if (units < base + perCanary) return 0;
        uint256 fit = (units - base) / perCanary;
        CanaryCtx memory c;
        c.stake = new uint256[](m);
        for (uint256 j; j < m; ++j) {
            c.stake[j] = _scratch[taskId][j] & type(uint96).max;
        }
        c.score = new uint256[](m);
        c.hist = new uint256[](128);
        c.tolV = registry.rewardParams(taskId).tolV;
        uint256 i = p.cursor;
        uint256 done;
        for (; i < p.n && done < fit; ++i) {
            if (p.canaries & (1 << i) == 0) continue;
            _checkCanary(taskId, p, i, c);
            ++done;
        }
        // Skip to the next canary, so the stage ends as soon as the last one is checked.
        while (i < p.n && p.canaries & (1 << i) == 0) {
            ++i;
        }
        p.cursor = uint32(i);
        if (i >= p.n) (p.stage, p.cursor) = (Stage.Columns, 0);
        return base + done * perCanary;
    }

    function _checkCanary(uint256 taskId, Progress memory p, uint256 i, CanaryCtx memory c) internal {
        bool duplicate = p.duplicates & (1 << i) != 0;
        uint256[] memory blk = book.scoreBlock(taskId, p.epoch, i / ScorePacking.LANES, 1);
        uint256 shift = (i % ScorePacking.LANES) * 16;
        uint256[] memory score = c.score;
        for (uint256 j; j < score.length; ++j) {
            score[j] = duplicate ? 0 : (blk[j] >> shift) & 0xffff;
        }
        uint256 aggregate = RewardMath.weightedMedian(score, c.stake, p.stakeSum, c.hist) * RewardMath.SCORE_UNIT;
        (uint256 agree, uint256 outside, uint256 outsideHigh) = _agreement(score, c.stake, aggregate, c.tolV);
        bool valid = 2 * agree >= p.stakeSum;
        if (valid) {
            p.failed |= outside;
            p.failedHigh |= outsideHigh;
        }
        emit CanaryChecked(taskId, p.epoch, book.columnSubmissionId(taskId, p.epoch, i), aggregate, agree, valid);
    }

    /// @dev The stake within `tolV` of a canary's aggregate, and the validators outside it (bit j
    /// of `outside` for j < 256, bit j - 256 of `outsideHigh`).
    function _agreement(uint256[] memory score, uint256[] memory stake, uint256 aggregate, uint256 tolV)
        internal
        pure
        returns (uint256 agree, uint256 outside, uint256 outsideHigh)
    {
        for (uint256 j; j < score.length; ++j) {
            uint256 r = score[j] * RewardMath.SCORE_UNIT;
            uint256 d = r > aggregate ? r - aggregate : aggregate - r;
            if (d <= tolV) agree += stake[j];
            else if (j < 256) outside |= 1 << j;
            else outsideHigh |= 1 << (j - 256);
        }
    }

    /// @dev Scratch memory of one columns step.
    struct ColumnsCtx {
        uint256 taskId;
        uint256 m;
        uint256 firstWord;
        uint256 wordCount;
        uint256 lambda;
        uint256 tolV;
        uint256 stakeSum;
        uint256 failed;
        uint256 failedHigh;
        uint256[] blk;
        uint256[] stake;
        uint256[] power;
        uint256[] weight;
        uint256[] distance;
        uint256[] score;
        uint256[] hist;
        uint256[] v;
    }

    /// @dev Aggregates and validator weights for as many columns as the budget allows.
    function _columns(uint256 taskId, Progress memory p, uint256 units) internal returns (uint256 used) {
        RewardParams memory rp = registry.rewardParams(taskId);
        uint256 to;
        (to, used) = _columnsFit(p, rp.alphaV, units);
        if (used == 0) return 0;
        ColumnsCtx memory c = _columnsCtx(taskId, p, rp, p.cursor, to);
        uint256 zero;
        for (uint256 i = p.cursor; i < to; ++i) {
            if (p.included & (1 << i) == 0) continue;
            (uint256 aggregate, bool zeroColumn) = _scoreColumn(c, i, p.duplicates & (1 << i) != 0);
            _setAggregate(taskId, i, aggregate);
            if (zeroColumn) ++zero;
        }
        for (uint256 j; j < c.m; ++j) {
            _scratch[taskId][j] = _pack(ValidatorScratch(c.stake[j], c.weight[j], c.distance[j]));
        }
        p.zeroColumns += uint16(zero);
        p.cursor = uint32(to);
        if (to == p.n) (p.stage, p.cursor) = (Stage.Trainers, 0);
    }

    /// @dev How many columns fit in `units`, and what they cost: per validator a fixed overhead
    /// (its scratch read and written, its stake power) plus one cold read per score word the
    /// columns span, then m cells per column (the median's sort included).
    function _columnsFit(Progress memory p, uint256 alphaV, uint256 units)
        internal
        pure
        returns (uint256 to, uint256 cost)
    {
        uint256 m = p.m;
        uint256 from = p.cursor;
        uint256 base = COLUMNS_BASE + m * (COLUMNS_VALIDATOR + (alphaV == WAD ? 0 : COLUMNS_POW));
        uint256 cellUnits = (m * CELL_MILLI + 999) / 1000;
        // Upper bound of the cost of k columns: words spanned <= k / 16 + 2.
        uint256 fixedPart = base + 2 * m * COLUMNS_WORD;
        uint256 perColumn = cellUnits + (m * COLUMNS_WORD + 15) / 16;
        if (units < fixedPart + perColumn) return (0, 0);
        to = FPM.min(from + (units - fixedPart) / perColumn, p.n);
        uint256 words = (to - 1) / ScorePacking.LANES - from / ScorePacking.LANES + 1;
        cost = base + words * m * COLUMNS_WORD + (to - from) * cellUnits;
    }

    function _columnsCtx(uint256 taskId, Progress memory p, RewardParams memory rp, uint256 from, uint256 to)
        internal
        view
        returns (ColumnsCtx memory c)
    {
        uint256 m = p.m;
        c.taskId = taskId;
        c.m = m;
        c.firstWord = from / ScorePacking.LANES;
        c.wordCount = (to - 1) / ScorePacking.LANES - c.firstWord + 1;
        c.lambda = rp.lambdaV;
        c.tolV = rp.tolV;
        c.stakeSum = p.stakeSum;
        (c.failed, c.failedHigh) = (p.failed, p.failedHigh);
        c.blk = book.scoreBlock(taskId, p.epoch, c.firstWord, c.wordCount);
        c.stake = new uint256[](m);
        c.power = new uint256[](m);
        c.weight = new uint256[](m);
        c.distance = new uint256[](m);
        c.score = new uint256[](m);
        c.hist = new uint256[](128);
        c.v = new uint256[](m);
        for (uint256 j; j < m; ++j) {
            ValidatorScratch memory vs = _unpack(_scratch[taskId][j]);
            c.stake[j] = vs.stake;
            c.weight[j] = vs.weight;
            c.distance[j] = vs.distance;
            c.power[j] = RewardMath.stakePower(vs.stake, rp.alphaV);
        }
    }

    /// @dev Steps 2 and 4 of docs/reward-math.md for column `i`: its median aggregate, and every
    /// validator's weight F_ji added to A_j; `zeroColumn` when no validator earns any weight.
    function _scoreColumn(ColumnsCtx memory c, uint256 i, bool duplicate)
        internal
        pure
        returns (uint256 aggregate, bool zeroColumn)
    {
        _readColumn(c, i, duplicate);
        aggregate = RewardMath.weightedMedian(c.score, c.stake, c.stakeSum, c.hist) * RewardMath.SCORE_UNIT;
        zeroColumn = _weigh(c, aggregate);
    }

    /// @dev Column `i`'s scores into `c.score`. A duplicate's scores are all replaced by 0 (its
    /// median is 0, every distance 0).
    function _readColumn(ColumnsCtx memory c, uint256 i, bool duplicate) internal pure {
        uint256 m = c.m;
        uint256[] memory score = c.score;
        uint256[] memory blk = c.blk;
        uint256 stride = c.wordCount;
        uint256 w = i / ScorePacking.LANES - c.firstWord;
        uint256 shift = (i % ScorePacking.LANES) * 16;
        unchecked {
            for (uint256 j; j < m; ++j) {
                score[j] = duplicate ? 0 : (blk[j * stride + w] >> shift) & 0xffff;
            }
        }
    }

    /// @dev Step 4 for one column: v_ji = exp(lambda (1 - D_ji)) s_j^alphaV within tolerance and
    /// for validators that did not fail a canary (else 0), F_ji = v'_ji 1e36 / Z'_i added to A_j.
    /// This loop runs n*m times per epoch, so it is unchecked: every product is bounded by the
    /// caps of docs/reward-math.md (stakes < 2^96, scores <= 10000, weights < 2^228).
    /// @return zeroColumn whether every weight of the column is 0 (its share rolls over)
    function _weigh(ColumnsCtx memory c, uint256 aggregate) internal pure returns (bool zeroColumn) {
        uint256 m = c.m;
        uint256[] memory score = c.score;
        uint256[] memory v = c.v;
        uint256[] memory power = c.power;
        uint256[] memory distance = c.distance;
        uint256 tolV = c.tolV;
        uint256 z;
        unchecked {
            for (uint256 j; j < m; ++j) {
                uint256 r = score[j] * RewardMath.SCORE_UNIT;
                uint256 d = r > aggregate ? r - aggregate : aggregate - r;
                distance[j] += d / RewardMath.SCORE_UNIT;
                uint256 vj;
                if (d <= tolV && !_isFailed(c, j)) vj = RewardMath.expWeight(c.lambda, d) * power[j];
                v[j] = vj;
                z += vj;
            }
            if (z == 0) return true;
            uint256 k = RewardMath.weightShift(z);
            uint256 zs = z >> k;
            uint256[] memory weight = c.weight;
            for (uint256 j; j < m; ++j) {
                weight[j] += ((v[j] >> k) * RewardMath.F_SCALE) / zs;
            }
        }
    }

    function _isFailed(ColumnsCtx memory c, uint256 j) internal pure returns (bool) {
        return j < 256 ? (c.failed >> j) & 1 != 0 : (c.failedHigh >> (j - 256)) & 1 != 0;
    }

    /// @dev Scratch memory of the trainers stage.
    struct TrainersCtx {
        Column[] cols;
        ActiveStake[] stakes;
        uint256[] aggregate;
        uint256[] rank;
        uint256[] weight;
        uint256 weightSum;
        uint256 qualified;
        uint256 trainerSum;
        uint256 gamma;
    }

    /// @dev Steps 5-7: qualifying, the split (at the first slice), ranking and trainer pools.
    /// Booking is done in slices of the column list; each slice recomputes the ranking, which is
    /// cheaper than storing it and deterministic (nothing it reads changes while the epoch is
    /// being finalized).
    function _trainers(uint256 taskId, Progress memory p, uint256 units) internal returns (uint256) {
        uint256 fixedCost = TRAINERS_BASE + uint256(p.n) * TRAINERS_RANK;
        if (units < fixedCost + TRAINERS_BOOK) return 0;
        uint256 from = p.cursor;
        uint256 to = FPM.min(from + (units - fixedCost) / TRAINERS_BOOK, p.n);
        TrainersCtx memory c = _rank(taskId, p);
        if (from == 0) _split(taskId, p, c);
        _bookTrainers(taskId, p, c, from, to);
        p.cursor = uint32(to);
        if (to == p.n) (p.stage, p.cursor) = (Stage.Validators, 0);
        return fixedCost + (to - from) * TRAINERS_BOOK;
    }

    /// @dev Books the pools of the qualifying columns in [from, to) and reports every included
    /// non-canary column there.
    function _bookTrainers(uint256 taskId, Progress memory p, TrainersCtx memory c, uint256 from, uint256 to) internal {
        uint256 count;
        for (uint256 i = from; i < to; ++i) {
            if (c.rank[i] != 0) ++count;
        }
        address[] memory accounts = new address[](count);
        uint256[] memory own = new uint256[](count);
        uint256[] memory rest = new uint256[](count);
        uint256 k;
        for (uint256 i = from; i < to; ++i) {
            if (p.included & (1 << i) == 0 || p.canaries & (1 << i) != 0) continue;
            (uint256 pool, uint256 mine) = _trainerPool(taskId, p, c, i);
            if (c.rank[i] == 0) continue;
            (accounts[k], own[k], rest[k]) = (c.cols[i].trainer, mine, pool - mine);
            ++k;
        }
        if (count != 0) _pay(taskId, p, accounts, own, rest);
    }

    /// @dev Step 7 for column `i`: its pool (0 unless it qualified) and the owner's part.
    function _trainerPool(uint256 taskId, Progress memory p, TrainersCtx memory c, uint256 i)
        internal
        returns (uint256 pool, uint256 mine)
    {
        if (c.rank[i] != 0) {
            ActiveStake memory st = c.stakes[i];
            pool = FPM.fullMulDiv(p.rT, c.weight[i], c.weightSum);
            mine = RewardMath.ownShare(pool, st.sigma, st.own, st.own + st.delegated);
        }
        Column memory col = c.cols[i];
        emit TrainerRewarded(taskId, p.epoch, col.trainer, col.submissionId, c.rank[i], c.aggregate[i], pool, mine);
    }

    /// @dev Step 6: the split, from the qualifying trainers' stake (if nothing qualifies, R_T
    /// rolls over when the epoch closes).
    function _split(uint256 taskId, Progress memory p, TrainersCtx memory c) internal {
        (uint256 rT, uint256 rV) = RewardMath.splitReward(p.budget, c.trainerSum, p.stakeSum, c.gamma);
        (p.rT, p.rV, p.qualified) = (uint128(rT), uint128(rV), uint16(c.qualified));
        emit EpochScored(taskId, p.epoch, p.budget, rT, rV, c.qualified, p.nScored, p.m);
    }

    /// @dev Step 5 and the weights of step 7: qualifying columns ranked by aggregate descending
    /// (ties: earlier seal, then list index), u_i = w_rank(i) * t_i^alphaT.
    function _rank(uint256 taskId, Progress memory p) internal view returns (TrainersCtx memory c) {
        uint256 n = p.n;
        RewardParams memory rp = registry.rewardParams(taskId);
        c.gamma = rp.gamma;
        c.cols = book.columns(taskId, p.epoch);
        c.stakes = stakes.activeStakes(taskId, _trainersOf(c.cols));
        c.aggregate = new uint256[](n);
        c.rank = new uint256[](n);
        c.weight = new uint256[](n);
        uint256 ranked = p.included & ~p.canaries;
        uint256 best;
        for (uint256 i; i < n; ++i) {
            if (ranked & (1 << i) == 0) continue;
            uint256 a = _aggregate(taskId, i);
            c.aggregate[i] = a;
            if (a > best) best = a;
        }
        uint256[] memory keys = new uint256[](n);
        uint256 q;
        for (uint256 i; i < n; ++i) {
            if (ranked & (1 << i) == 0 || !RewardMath.qualifies(c.aggregate[i], best, rp.minScore, rp.floorBps)) {
                continue;
            }
            keys[q++] = RewardMath.rankKey(c.aggregate[i], c.cols[i].sealSeq, i);
            c.trainerSum += c.stakes[i].own + c.stakes[i].delegated;
        }
        assembly {
            mstore(keys, q)
        }
        LibSort.sort(keys);
        uint256 w = WAD;
        for (uint256 r; r < q; ++r) {
            uint256 i = RewardMath.rankKeyIndex(keys[r]);
            c.weight[i] = w * RewardMath.stakePower(c.stakes[i].own + c.stakes[i].delegated, rp.alphaT);
            c.weightSum += c.weight[i];
            c.rank[i] = r + 1;
            w = (w * rp.q) / WAD;
        }
        c.qualified = q;
    }

    /// @dev Step 8: validator pools, in slices; closes the epoch after the last with the
    /// rollover of step 9 (R_T when nothing qualified, and the zero columns' share of R_V).
    function _validators(uint256 taskId, Progress memory p, uint256 units) internal returns (uint256) {
        if (units < VALIDATORS_BASE + VALIDATORS_ITEM) return 0;
        uint256 from = p.cursor;
        uint256 count = FPM.min((units - VALIDATORS_BASE) / VALIDATORS_ITEM, p.m - from);
        address[] memory accounts = book.revealersSlice(taskId, p.epoch, from, count);
        ActiveStake[] memory vs = stakes.activeStakes(taskId, accounts);
        uint256[] memory own = new uint256[](count);
        uint256[] memory rest = new uint256[](count);
        for (uint256 k; k < count; ++k) {
            (own[k], rest[k]) = _validatorPool(taskId, p, from + k, accounts[k], vs[k]);
        }
        _pay(taskId, p, accounts, own, rest);
        p.cursor = uint32(from + count);
        if (p.cursor == p.m) {
            uint256 rollover = FPM.fullMulDiv(p.rV, p.zeroColumns, p.nScored);
            if (p.qualified == 0) rollover += p.rT;
            p.rollover = uint128(rollover);
            registry.closeEpoch(taskId, p.epoch, p.booked, rollover);
            (p.stage, p.cursor) = (Stage.RollNext, 0);
        }
        return VALIDATORS_BASE + count * VALIDATORS_ITEM;
    }

    /// @dev Q_j = R_V A_j / (n 1e36) and the owner's part.
    function _validatorPool(uint256 taskId, Progress memory p, uint256 j, address validator, ActiveStake memory st)
        internal
        returns (uint256 mine, uint256 rest)
    {
        ValidatorScratch memory sc = _unpack(_scratch[taskId][j]);
        uint256 pool = FPM.fullMulDiv(p.rV, sc.weight, uint256(p.nScored) * RewardMath.F_SCALE);
        mine = RewardMath.ownShare(pool, st.sigma, st.own, sc.stake);
        rest = pool - mine;
        uint256 distance = (sc.distance * RewardMath.SCORE_UNIT) / p.nScored;
        bool failed = j < 256 ? (p.failed >> j) & 1 != 0 : (p.failedHigh >> (j - 256)) & 1 != 0;
        emit ValidatorRewarded(taskId, p.epoch, validator, distance, pool, mine, failed);
    }

    /// @dev Books pools and moves what was booked from the deposit to the stake manager. A pool
    /// forfeited mid-finalization is not booked; its share stays in the deposit as dust.
    function _pay(
        uint256 taskId,
        Progress memory p,
        address[] memory accounts,
        uint256[] memory own,
        uint256[] memory rest
    ) internal {
        uint256 booked = stakes.book(taskId, accounts, own, rest);
        p.booked += uint128(booked);
        if (booked != 0) registry.release(taskId, booked);
    }

    // ================================================================ scratch packing

    /// @dev Aggregates are WAD <= 1e18 < 2^64: four per slot.
    function _setAggregate(uint256 taskId, uint256 i, uint256 aggregate) internal {
        uint256 shift = (i & 3) * 64;
        uint256 word = _aggregates[taskId][i >> 2];
        _aggregates[taskId][i >> 2] = (word & ~(uint256(type(uint64).max) << shift)) | (aggregate << shift);
    }

    function _aggregate(uint256 taskId, uint256 i) internal view returns (uint256) {
        return (_aggregates[taskId][i >> 2] >> ((i & 3) * 64)) & type(uint64).max;
    }

    function _pack(ValidatorScratch memory s) internal pure returns (uint256) {
        return s.stake | (s.weight << 96) | (s.distance << 224);
    }

    function _unpack(uint256 word) internal pure returns (ValidatorScratch memory s) {
        s.stake = word & type(uint96).max;
        s.weight = (word >> 96) & type(uint128).max;
        s.distance = word >> 224;
    }
}
