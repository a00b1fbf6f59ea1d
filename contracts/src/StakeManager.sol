// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Schedule, StakeRules, Role, PermitSig} from "./lib/TaskTypes.sol";
import {ScheduleLib} from "./lib/ScheduleLib.sol";
import {PermitLib} from "./lib/PermitLib.sol";
import {ITaskRegistry} from "./interfaces/ITaskRegistry.sol";
import {IStakeManager, ActiveStake} from "./interfaces/IStakeManager.sol";

/// @title StakeManager
/// @notice Stakes per task and role, delegation with sigma, and the reward pools (SPEC section 3).
/// @dev Every change counts from the next epoch. Changes are recorded as deltas keyed by the
/// epoch they take effect in, and a task's pools are "rolled" into epoch e (deltas applied) at the
/// end of finalizing epoch e-1, so finalization always reads the stakes of the epoch it scores.
/// A pool's delegators share a reward-per-share accumulator `acc`; when a pool's delegated total
/// changes at a roll, `acc` is snapshotted for that epoch, which lets a delegator whose change took
/// effect then settle in O(1).
contract StakeManager is IStakeManager {
    using SafeERC20 for IERC20;
    using ScheduleLib for Schedule;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant ACC = 1e36;
    uint256 internal constant MAX_POOL = type(uint96).max;
    uint32 internal constant NEVER = type(uint32).max;
    /// @dev BN254's scalar field: the Groth16 verifier's public inputs, keyCommit among them, lie below it.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    struct Pool {
        // Values for the epoch the task is rolled into (what finalization reads).
        uint96 own;
        uint96 delegated;
        uint64 sigma;
        // Values including changes not yet in effect.
        uint96 ownLatest;
        uint96 delegatedLatest;
        uint64 sigmaLatest;
        Role role;
        uint32 eligibleFrom;
        uint32 lastSigmaEpoch;
        uint16 openChallenges;
        bool excluded;
        bool forfeited;
        bool stakeWithdrawn;
        uint256 acc;
        uint128 ownRewards;
        // Booked for the pool's delegators and not yet claimed by them.
        uint128 delegatorRewards;
        bytes32 keyCommit;
    }

    struct Delta {
        uint96 ownAdd;
        int128 delegated;
        bool listed;
        // Delegation changed here, even if the changes net to zero: positions settle on the snapshot.
        bool delegationChanged;
        bool hasSigma;
        uint64 sigma;
    }

    /// @dev Up to two pending changes per position: one more epoch of finalization lag is
    /// tolerated before a delegator's third change in a row has to wait.
    struct Position {
        uint128 shares;
        uint128 rewards;
        int128 deltaA;
        uint32 fromA;
        int128 deltaB;
        uint32 fromB;
        uint256 debt;
        uint128 unbonding;
        uint32 unbondFrom;
        bool exited;
    }

    struct RollState {
        uint32 rolledEpochs;
        uint32 cursor;
    }

    IERC20 public immutable token;
    ITaskRegistry public immutable registry;
    address private immutable _deployer;
    address public rewardEngine;
    address public challengeModule;

    mapping(uint256 => mapping(address => Pool)) internal _pools;
    mapping(uint256 => address[]) internal _trainers;
    mapping(uint256 => address[]) internal _validators;
    mapping(uint256 => mapping(uint256 => address[])) internal _dirty;
    mapping(uint256 => mapping(uint256 => mapping(address => Delta))) internal _deltas;
    mapping(uint256 => mapping(address => mapping(uint256 => uint256))) internal _snapAcc;
    mapping(uint256 => mapping(address => mapping(address => Position))) internal _positions;
    mapping(uint256 => RollState) internal _rolls;

    event Joined(
        uint256 indexed taskId,
        address indexed account,
        Role role,
        uint256 amount,
        uint256 sigma,
        bytes32 keyCommit,
        uint256 effectiveEpoch
    );
    event StakeAdded(uint256 indexed taskId, address indexed account, uint256 amount, uint256 effectiveEpoch);
    event SigmaChanged(uint256 indexed taskId, address indexed account, uint256 sigma, uint256 effectiveEpoch);
    event Delegated(
        uint256 indexed taskId,
        address indexed delegatee,
        address indexed delegator,
        uint256 amount,
        uint256 effectiveEpoch
    );
    event Undelegated(
        uint256 indexed taskId,
        address indexed delegatee,
        address indexed delegator,
        uint256 amount,
        uint256 withdrawableFromEpoch
    );
    event PrincipalWithdrawn(
        uint256 indexed taskId, address indexed delegatee, address indexed delegator, uint256 amount
    );
    event RewardsClaimed(uint256 indexed taskId, address indexed delegatee, address indexed delegator, uint256 amount);
    event OwnRewardsClaimed(uint256 indexed taskId, address indexed account, uint256 amount);
    event StakeWithdrawn(uint256 indexed taskId, address indexed account, uint256 amount);
    event EpochRolled(uint256 indexed taskId, uint256 indexed epoch, uint256 pools);
    event PoolsBooked(uint256 indexed taskId, uint256 pools, uint256 total);
    event ChallengeCount(uint256 indexed taskId, address indexed trainer, uint256 open);
    event TrainerForfeited(
        uint256 indexed taskId, address indexed trainer, address indexed beneficiary, uint256 rewards, uint256 slashed
    );
    event ModulesBound(address rewardEngine, address challengeModule);

    error NotDeployer();
    error AlreadyBound();
    error NotRewardEngine();
    error NotChallengeModule();
    error TaskIsRejected();
    error InvalidRole();
    error AlreadyJoined(Role role);
    error NotJoined();
    error InvalidKeyCommit();
    error InvalidSigma();
    error ZeroAmount();
    error StakeBelowMinimum(uint256 min);
    error RoleFull(uint256 max);
    error PoolCapExceeded(uint256 cap);
    error StakingClosed();
    error SigmaCooldown(uint256 nextEpoch);
    error SelfDelegation();
    error DelegateeExcluded();
    error InsufficientDelegation(uint256 available);
    error TooManyPendingChanges();
    error NothingToWithdraw();
    error NothingToClaim();
    error NotVested(uint256 vestsAt);
    error RewardsForfeited();
    error StakeLocked(uint256 until);
    error OpenChallenges(uint256 open);
    error EpochNotRollable(uint256 expected);
    error LengthMismatch();
    error NoDelegators(address pool);
    error AlreadyForfeited();
    error AlreadyVested();
    error InvalidSlash(uint256 slashBps);
    error NoOpenChallenge();

    modifier onlyEngine() {
        if (msg.sender != rewardEngine) revert NotRewardEngine();
        _;
    }

    modifier onlyChallengeModule() {
        if (msg.sender != challengeModule) revert NotChallengeModule();
        _;
    }

    constructor(IERC20 token_, ITaskRegistry registry_) {
        token = token_;
        registry = registry_;
        _deployer = msg.sender;
    }

    /// @notice Wires the reward engine and, when it exists, the challenge module; once, by the deployer.
    /// @dev The challenge module may be zero here and bound later by `bindChallengeModule`.
    function bind(address rewardEngine_, address challengeModule_) external {
        if (msg.sender != _deployer) revert NotDeployer();
        if (rewardEngine != address(0)) revert AlreadyBound();
        rewardEngine = rewardEngine_;
        challengeModule = challengeModule_;
        emit ModulesBound(rewardEngine_, challengeModule_);
    }

    /// @notice Binds the challenge module if `bind` left it empty; once, by the deployer.
    function bindChallengeModule(address challengeModule_) external {
        if (msg.sender != _deployer) revert NotDeployer();
        if (challengeModule != address(0)) revert AlreadyBound();
        challengeModule = challengeModule_;
        emit ModulesBound(rewardEngine, challengeModule_);
    }

    // ================================================================ participants

    /// @notice Joins a task as trainer or validator with an own stake, counting from the next epoch.
    /// The stake must reach the task's minimum for the role: a slot in the role's capped list is
    /// never held with dust (SPEC 3).
    /// @param sigma the share of the pool's rewards kept before delegators are paid (WAD)
    /// @param keyCommit a trainer's watermark key commitment (SPEC section 6), fixed for the task;
    /// zero for validators
    function join(uint256 taskId, Role role, uint256 amount, uint256 sigma, bytes32 keyCommit) external {
        _join(taskId, role, amount, sigma, keyCommit);
    }

    /// @notice `join` with an EIP-2612 permit instead of a prior approval.
    function joinWithPermit(
        uint256 taskId,
        Role role,
        uint256 amount,
        uint256 sigma,
        bytes32 keyCommit,
        PermitSig calldata sig
    ) external {
        PermitLib.tryPermit(address(token), amount, sig);
        _join(taskId, role, amount, sigma, keyCommit);
    }

    /// @notice Adds to the caller's own stake, counting from the next epoch.
    function addStake(uint256 taskId, uint256 amount) external {
        _addStake(taskId, amount);
    }

    /// @notice `addStake` with an EIP-2612 permit.
    function addStakeWithPermit(uint256 taskId, uint256 amount, PermitSig calldata sig) external {
        PermitLib.tryPermit(address(token), amount, sig);
        _addStake(taskId, amount);
    }

    /// @notice Changes the caller's sigma, at most once per `sigmaCooldown` epochs. A decrease
    /// (or the same value) takes effect in the next epoch, an increase only in the epoch after
    /// next, so that every delegator has a whole epoch to undelegate before it applies (SPEC 3:
    /// a last-second increase would otherwise take the next epoch's delegator share).
    function setSigma(uint256 taskId, uint256 sigma) external {
        if (sigma > WAD) revert InvalidSigma();
        Pool storage pool = _joined(taskId, msg.sender);
        Schedule memory s = _openSchedule(taskId);
        uint256 now_ = s.effectiveEpoch(block.timestamp);
        uint256 next = uint256(pool.lastSigmaEpoch) + registry.stakeRules(taskId).sigmaCooldown;
        if (pool.lastSigmaEpoch != NEVER && now_ < next) revert SigmaCooldown(next);
        uint256 eff = sigma > pool.sigmaLatest ? now_ + 1 : now_;
        if (eff >= s.scoringEpochs()) revert StakingClosed();
        pool.lastSigmaEpoch = uint32(eff);
        pool.sigmaLatest = uint64(sigma);
        Delta storage d = _delta(taskId, eff, msg.sender);
        d.hasSigma = true;
        d.sigma = uint64(sigma);
        emit SigmaChanged(taskId, msg.sender, sigma, eff);
    }

    /// @notice Pays out the caller's own rewards: validators once booked, trainers once vested.
    function claimOwnRewards(uint256 taskId) external {
        Pool storage pool = _joined(taskId, msg.sender);
        if (pool.role == Role.Trainer) _requireVested(taskId, pool);
        uint256 amount = pool.ownRewards;
        if (amount == 0) revert NothingToClaim();
        pool.ownRewards = 0;
        emit OwnRewardsClaimed(taskId, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Returns the caller's own stake after the task ends (or at once if it was rejected).
    function withdrawStake(uint256 taskId) external {
        Pool storage pool = _joined(taskId, msg.sender);
        Schedule memory s = registry.schedule(taskId);
        if (!s.rejected) {
            if (block.timestamp < s.endTime()) revert StakeLocked(s.endTime());
            if (pool.openChallenges != 0) revert OpenChallenges(pool.openChallenges);
        }
        if (pool.stakeWithdrawn || pool.ownLatest == 0) revert NothingToWithdraw();
        pool.stakeWithdrawn = true;
        uint256 amount = pool.ownLatest;
        emit StakeWithdrawn(taskId, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ================================================================ delegators

    /// @notice Delegates to a trainer or validator of the task, counting from the next epoch.
    function delegate(uint256 taskId, address delegatee, uint256 amount) external {
        _delegate(taskId, delegatee, amount);
    }

    /// @notice `delegate` with an EIP-2612 permit.
    function delegateWithPermit(uint256 taskId, address delegatee, uint256 amount, PermitSig calldata sig) external {
        PermitLib.tryPermit(address(token), amount, sig);
        _delegate(taskId, delegatee, amount);
    }

    /// @notice Stops `amount` of the caller's delegation from counting from the next epoch; the
    /// principal becomes withdrawable when the current epoch ends (at once before the start).
    function undelegate(uint256 taskId, address delegatee, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        Schedule memory s = _openSchedule(taskId);
        if (block.timestamp >= s.endTime()) revert StakingClosed();
        Pool storage pool = _joined(taskId, delegatee);
        Position storage pos = _positions[taskId][delegatee][msg.sender];
        _settle(taskId, delegatee, pool, pos);
        uint256 available = _principal(pos);
        if (pos.exited || amount > available) revert InsufficientDelegation(pos.exited ? 0 : available);

        uint256 eff = s.effectiveEpoch(block.timestamp);
        _schedulePositionChange(pos, -int256(amount), eff);
        _changeDelegation(taskId, eff, delegatee, -int256(amount));
        pool.delegatedLatest -= uint96(amount);

        (bool started,) = s.epochAt(block.timestamp);
        emit Undelegated(taskId, delegatee, msg.sender, amount, eff);
        if (!started) {
            // Nothing counted yet: pay back at once.
            emit PrincipalWithdrawn(taskId, delegatee, msg.sender, amount);
            token.safeTransfer(msg.sender, amount);
            return;
        }
        // An unbonding from this epoch waits with the new one; an earlier one has matured.
        uint256 matured;
        if (pos.unbondFrom == eff) {
            pos.unbonding += uint128(amount);
        } else {
            matured = pos.unbonding;
            pos.unbonding = uint128(amount);
            pos.unbondFrom = uint32(eff);
        }
        if (matured != 0) {
            emit PrincipalWithdrawn(taskId, delegatee, msg.sender, matured);
            token.safeTransfer(msg.sender, matured);
        }
    }

    /// @notice Withdraws unbonded principal; after the task ends (or is rejected), all of it.
    /// @dev Exiting keeps the position's reward shares: epochs finalized late still pay it.
    function withdrawDelegation(uint256 taskId, address delegatee) external {
        Schedule memory s = registry.schedule(taskId);
        Pool storage pool = _joined(taskId, delegatee);
        Position storage pos = _positions[taskId][delegatee][msg.sender];
        _settle(taskId, delegatee, pool, pos);
        bool over = s.rejected || block.timestamp >= s.endTime();
        uint256 amount;
        if (pos.unbonding != 0 && (over || block.timestamp >= s.epochStart(pos.unbondFrom))) {
            amount = pos.unbonding;
            pos.unbonding = 0;
        }
        if (over && !pos.exited) {
            amount += _principal(pos);
            pos.exited = true;
        }
        if (amount == 0) revert NothingToWithdraw();
        emit PrincipalWithdrawn(taskId, delegatee, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Pays the caller's delegation rewards from `delegatee`'s pool: a validator's as soon
    /// as booked, a trainer's once vested (SPEC section 2.4).
    function claimDelegationRewards(uint256 taskId, address delegatee) external {
        Pool storage pool = _joined(taskId, delegatee);
        Position storage pos = _positions[taskId][delegatee][msg.sender];
        _settle(taskId, delegatee, pool, pos);
        if (pool.role == Role.Trainer) _requireVested(taskId, pool);
        uint256 amount = pos.rewards;
        if (amount == 0) revert NothingToClaim();
        pos.rewards = 0;
        // Keep delegatorRewards at what the stake manager still holds for the pool's delegators
        // (a later forfeit must not send claimed rewards a second time). Claims never exceed
        // what was booked; the floor guards against a wei of disagreement all the same.
        uint256 left = pool.delegatorRewards;
        pool.delegatorRewards = uint128(amount < left ? left - amount : 0);
        emit RewardsClaimed(taskId, delegatee, msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    // ================================================================ reward engine

    /// @notice Applies the changes that take effect in `epoch`, up to `maxPools` pools per call.
    /// @return done whether every pool changed for `epoch` has been rolled
    /// @return processed how many pools this call rolled
    function roll(uint256 taskId, uint256 epoch, uint256 maxPools)
        external
        onlyEngine
        returns (bool done, uint256 processed)
    {
        RollState memory st = _rolls[taskId];
        if (epoch != st.rolledEpochs) revert EpochNotRollable(st.rolledEpochs);
        address[] storage list = _dirty[taskId][epoch];
        uint256 end = list.length;
        uint256 stop = st.cursor + maxPools < end ? st.cursor + maxPools : end;
        for (uint256 i = st.cursor; i < stop; ++i) {
            address account = list[i];
            Delta memory d = _deltas[taskId][epoch][account];
            Pool storage pool = _pools[taskId][account];
            if (d.ownAdd != 0) pool.own += d.ownAdd;
            if (d.delegationChanged) {
                _snapAcc[taskId][account][epoch] = pool.acc;
                pool.delegated = uint96(uint256(int256(uint256(pool.delegated)) + d.delegated));
            }
            if (d.hasSigma) pool.sigma = d.sigma;
            delete _deltas[taskId][epoch][account];
        }
        processed = stop - st.cursor;
        done = stop == end;
        if (done) {
            _rolls[taskId] = RollState({rolledEpochs: uint32(epoch + 1), cursor: 0});
            emit EpochRolled(taskId, epoch, end);
        } else {
            _rolls[taskId].cursor = uint32(stop);
        }
    }

    /// @notice Books one epoch's rewards into pools: own parts directly, delegators' parts into
    /// the pool's reward-per-share accumulator. O(1) per pool. A forfeited pool gets nothing.
    /// @return booked the total booked, which the caller then transfers here
    function book(uint256 taskId, address[] calldata accounts, uint256[] calldata own, uint256[] calldata toDelegators)
        external
        onlyEngine
        returns (uint256 booked)
    {
        if (accounts.length != own.length || own.length != toDelegators.length) revert LengthMismatch();
        for (uint256 i; i < accounts.length; ++i) {
            Pool storage pool = _pools[taskId][accounts[i]];
            if (pool.forfeited) continue;
            uint256 d = toDelegators[i];
            if (own[i] != 0) pool.ownRewards += uint128(own[i]);
            if (d != 0) {
                if (pool.delegated == 0) revert NoDelegators(accounts[i]);
                pool.acc += (d * ACC) / pool.delegated;
                pool.delegatorRewards += uint128(d);
            }
            booked += own[i] + d;
        }
        emit PoolsBooked(taskId, accounts.length, booked);
    }

    // ================================================================ challenge module hooks

    /// @notice Counts a challenge opened against `trainer`; its rewards and stake wait for it.
    function challengeOpened(uint256 taskId, address trainer) external onlyChallengeModule {
        Pool storage pool = _trainer(taskId, trainer);
        uint256 open = pool.openChallenges + 1;
        pool.openChallenges = uint16(open);
        emit ChallengeCount(taskId, trainer, open);
    }

    /// @notice Counts a challenge against `trainer` as settled.
    function challengeClosed(uint256 taskId, address trainer) external onlyChallengeModule {
        Pool storage pool = _trainer(taskId, trainer);
        if (pool.openChallenges == 0) revert NoOpenChallenge();
        uint256 open = pool.openChallenges - 1;
        pool.openChallenges = uint16(open);
        emit ChallengeCount(taskId, trainer, open);
    }

    /// @notice A trainer failed a challenge: its unvested rewards (its own and its delegators'
    /// booked share) and `slashBps` of its own stake still held go to `beneficiary`, and its
    /// later submissions are excluded. Past epochs are not re-ranked.
    /// @return rewards the forfeited rewards
    /// @return slashed the slashed stake
    function forfeit(uint256 taskId, address trainer, address beneficiary, uint256 slashBps)
        external
        onlyChallengeModule
        returns (uint256 rewards, uint256 slashed)
    {
        if (slashBps > BPS) revert InvalidSlash(slashBps);
        Pool storage pool = _trainer(taskId, trainer);
        if (pool.forfeited) revert AlreadyForfeited();
        // Only unvested rewards can be taken: once vested (task over, no challenge open) the
        // trainer may have claimed and withdrawn, and what it took must not be paid twice.
        if (isVested(taskId, trainer)) revert AlreadyVested();
        rewards = uint256(pool.ownRewards) + pool.delegatorRewards;
        // A rejected task lets stakes go at any time: stake already paid out cannot be slashed.
        slashed = pool.stakeWithdrawn ? 0 : (uint256(pool.ownLatest) * slashBps) / BPS;
        pool.forfeited = true;
        pool.excluded = true;
        pool.ownRewards = 0;
        pool.delegatorRewards = 0;
        pool.ownLatest -= uint96(slashed);
        emit TrainerForfeited(taskId, trainer, beneficiary, rewards, slashed);
        if (rewards + slashed != 0) token.safeTransfer(beneficiary, rewards + slashed);
    }

    // ================================================================ views

    function getPool(uint256 taskId, address account) external view returns (Pool memory) {
        return _pools[taskId][account];
    }

    function getPosition(uint256 taskId, address delegatee, address delegator) external view returns (Position memory) {
        return _positions[taskId][delegatee][delegator];
    }

    /// @notice Rewards the delegator could claim (or will, once vested) from `delegatee`'s pool.
    function pendingDelegationRewards(uint256 taskId, address delegatee, address delegator)
        external
        view
        returns (uint256)
    {
        Position memory pos = _positions[taskId][delegatee][delegator];
        Pool storage pool = _pools[taskId][delegatee];
        if (pool.forfeited) return 0;
        uint256 rolled = _rolls[taskId].rolledEpochs;
        (uint256 shares, uint256 debt, uint256 rewards) = (pos.shares, pos.debt, pos.rewards);
        if (pos.deltaA != 0 && pos.fromA < rolled) {
            uint256 snap = _snapAcc[taskId][delegatee][pos.fromA];
            rewards += (shares * (snap - debt)) / ACC;
            shares = uint256(int256(shares) + pos.deltaA);
            debt = snap;
            if (pos.deltaB != 0 && pos.fromB < rolled) {
                snap = _snapAcc[taskId][delegatee][pos.fromB];
                rewards += (shares * (snap - debt)) / ACC;
                shares = uint256(int256(shares) + pos.deltaB);
                debt = snap;
            }
        }
        return rewards + (shares * (pool.acc - debt)) / ACC;
    }

    /// @notice Whether a trainer's rewards (and its delegators') can be claimed.
    function isVested(uint256 taskId, address trainer) public view returns (bool) {
        Pool storage pool = _pools[taskId][trainer];
        return !pool.forfeited && pool.openChallenges == 0 && block.timestamp >= registry.schedule(taskId).endTime();
    }

    function trainersOf(uint256 taskId) external view returns (address[] memory) {
        return _trainers[taskId];
    }

    function validatorsOf(uint256 taskId) external view returns (address[] memory) {
        return _validators[taskId];
    }

    function rolledEpochs(uint256 taskId) external view returns (uint256) {
        return _rolls[taskId].rolledEpochs;
    }

    /// @notice A validator's own stake as counted in the epoch running now (SPEC 3: a change counts
    /// from the next epoch, so what was added during this epoch is left out); 0 for an account
    /// that is not a validator of the task, not yet eligible, or has withdrawn its stake. The
    /// challenge module weighs verdicts with it (docs/contracts.md, "Verdicts").
    /// @dev Every change made during epoch e takes effect in e + 1 = effectiveEpoch(now) and
    /// every earlier one in an epoch <= e, so one delta read is exact however late finalization
    /// runs. Before the start nothing counts yet.
    function validatorStakeNow(uint256 taskId, address account) external view returns (uint256) {
        Pool storage pool = _pools[taskId][account];
        if (pool.role != Role.Validator || pool.stakeWithdrawn) return 0;
        Schedule memory s = registry.schedule(taskId);
        (bool started, uint256 epoch) = s.epochAt(block.timestamp);
        if (!started || pool.eligibleFrom > epoch) return 0;
        return pool.ownLatest - _deltas[taskId][epoch + 1][account].ownAdd;
    }

    /// @notice Whether `account` may act as `role` in `epoch`: its own stake reached the minimum
    /// by then and it is not excluded.
    function isEligible(uint256 taskId, address account, Role role, uint256 epoch) external view returns (bool) {
        Pool storage pool = _pools[taskId][account];
        return pool.role == role && pool.eligibleFrom <= epoch && !pool.excluded;
    }

    /// @notice Pools' values for the epoch the task is rolled into, for finalization.
    function activeStakes(uint256 taskId, address[] calldata accounts)
        external
        view
        returns (ActiveStake[] memory out)
    {
        out = new ActiveStake[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            Pool storage pool = _pools[taskId][accounts[i]];
            out[i] = ActiveStake(pool.own, pool.delegated, pool.sigma, pool.excluded);
        }
    }

    // ================================================================ internals

    function _join(uint256 taskId, Role role, uint256 amount, uint256 sigma, bytes32 keyCommit) internal {
        if (role == Role.None) revert InvalidRole();
        if ((role == Role.Trainer) != (keyCommit != 0)) revert InvalidKeyCommit();
        // A commitment outside the proof system's field could never be a public input: the trainer
        // could never answer a challenge, so it is refused while it can still change.
        if (uint256(keyCommit) >= SNARK_SCALAR_FIELD) revert InvalidKeyCommit();
        if (sigma > WAD) revert InvalidSigma();
        Pool storage pool = _pools[taskId][msg.sender];
        if (pool.role != Role.None) revert AlreadyJoined(pool.role);
        Schedule memory s = _openSchedule(taskId);
        StakeRules memory rules = registry.stakeRules(taskId);
        uint256 min = role == Role.Trainer ? rules.minTrainerStake : rules.minValidatorStake;
        if (amount < min) revert StakeBelowMinimum(min);
        uint256 eff = s.effectiveEpoch(block.timestamp);
        _requireStakingOpen(s, role, eff);

        address[] storage list = role == Role.Trainer ? _trainers[taskId] : _validators[taskId];
        uint256 max = role == Role.Trainer ? rules.maxTrainers : rules.maxValidators;
        if (list.length >= max) revert RoleFull(max);
        list.push(msg.sender);

        pool.role = role;
        pool.sigma = uint64(sigma);
        pool.sigmaLatest = uint64(sigma);
        pool.eligibleFrom = NEVER;
        pool.lastSigmaEpoch = NEVER;
        if (role == Role.Trainer) pool.keyCommit = keyCommit;
        _addOwn(taskId, pool, rules, eff, amount);
        emit Joined(taskId, msg.sender, role, amount, sigma, keyCommit, eff);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _addStake(uint256 taskId, uint256 amount) internal {
        if (amount == 0) revert ZeroAmount();
        Pool storage pool = _joined(taskId, msg.sender);
        if (pool.excluded) revert DelegateeExcluded();
        Schedule memory s = _openSchedule(taskId);
        uint256 eff = s.effectiveEpoch(block.timestamp);
        _requireStakingOpen(s, pool.role, eff);
        _addOwn(taskId, pool, registry.stakeRules(taskId), eff, amount);
        emit StakeAdded(taskId, msg.sender, amount, eff);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function _addOwn(uint256 taskId, Pool storage pool, StakeRules memory rules, uint256 eff, uint256 amount) internal {
        uint256 own = pool.ownLatest + amount;
        if (own + pool.delegatedLatest > MAX_POOL) revert PoolCapExceeded(MAX_POOL);
        pool.ownLatest = uint96(own);
        _delta(taskId, eff, msg.sender).ownAdd += uint96(amount);
        uint256 min = pool.role == Role.Trainer ? rules.minTrainerStake : rules.minValidatorStake;
        // Own stake never decreases while the task runs, so eligibility, once reached, holds.
        if (pool.eligibleFrom == NEVER && own >= min) pool.eligibleFrom = uint32(eff);
    }

    function _delegate(uint256 taskId, address delegatee, uint256 amount) internal {
        if (amount == 0) revert ZeroAmount();
        if (delegatee == msg.sender) revert SelfDelegation();
        Pool storage pool = _joined(taskId, delegatee);
        if (pool.excluded) revert DelegateeExcluded();
        Schedule memory s = _openSchedule(taskId);
        uint256 eff = s.effectiveEpoch(block.timestamp);
        if (eff >= s.scoringEpochs()) revert StakingClosed();
        uint256 latest = pool.delegatedLatest + amount;
        if (latest + pool.ownLatest > MAX_POOL) revert PoolCapExceeded(MAX_POOL);

        Position storage pos = _positions[taskId][delegatee][msg.sender];
        _settle(taskId, delegatee, pool, pos);
        if (pos.exited) revert StakingClosed();
        _schedulePositionChange(pos, int256(amount), eff);
        _changeDelegation(taskId, eff, delegatee, int256(amount));
        pool.delegatedLatest = uint96(latest);
        emit Delegated(taskId, delegatee, msg.sender, amount, eff);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @dev Brings a position up to date: applies its pending changes whose epoch has been rolled
    /// (at the accumulator value snapshotted then) and accrues rewards to the pool's current acc.
    /// Valid because acc only grows by bookings of epochs before the first unrolled one.
    function _settle(uint256 taskId, address delegatee, Pool storage pool, Position storage pos) internal {
        uint256 rolled = _rolls[taskId].rolledEpochs;
        uint256 shares = pos.shares;
        uint256 debt = pos.debt;
        uint256 rewards = pos.rewards;
        while (pos.deltaA != 0 && pos.fromA < rolled) {
            uint256 snap = _snapAcc[taskId][delegatee][pos.fromA];
            rewards += (shares * (snap - debt)) / ACC;
            shares = uint256(int256(shares) + pos.deltaA);
            debt = snap;
            (pos.deltaA, pos.fromA, pos.deltaB, pos.fromB) = (pos.deltaB, pos.fromB, 0, 0);
        }
        uint256 acc = pool.acc;
        rewards += (shares * (acc - debt)) / ACC;
        pos.shares = uint128(shares);
        pos.debt = acc;
        pos.rewards = uint128(rewards);
    }

    /// @dev Records a change of `delta` taking effect in `eff` on a settled position.
    function _schedulePositionChange(Position storage pos, int256 delta, uint256 eff) internal {
        if (pos.deltaA == 0 || pos.fromA == eff) {
            pos.deltaA += int128(delta);
            pos.fromA = uint32(eff);
        } else if (pos.deltaB == 0 || pos.fromB == eff) {
            pos.deltaB += int128(delta);
            pos.fromB = uint32(eff);
        } else {
            revert TooManyPendingChanges();
        }
        // A netted-out first slot must not keep the second waiting behind it.
        if (pos.deltaA == 0 && pos.deltaB != 0) {
            (pos.deltaA, pos.fromA, pos.deltaB, pos.fromB) = (pos.deltaB, pos.fromB, 0, 0);
        }
    }

    function _principal(Position storage pos) internal view returns (uint256) {
        return uint256(int256(uint256(pos.shares)) + pos.deltaA + pos.deltaB);
    }

    function _delta(uint256 taskId, uint256 epoch, address account) internal returns (Delta storage d) {
        d = _deltas[taskId][epoch][account];
        if (!d.listed) {
            d.listed = true;
            _dirty[taskId][epoch].push(account);
        }
    }

    function _changeDelegation(uint256 taskId, uint256 eff, address delegatee, int256 amount) internal {
        Delta storage d = _delta(taskId, eff, delegatee);
        d.delegated += int128(amount);
        d.delegationChanged = true;
    }

    function _requireStakingOpen(Schedule memory s, Role role, uint256 eff) internal pure {
        uint256 last = role == Role.Trainer ? s.submissionEpochs : s.scoringEpochs();
        if (eff >= last) revert StakingClosed();
    }

    function _requireVested(uint256 taskId, Pool storage pool) internal view {
        if (pool.forfeited) revert RewardsForfeited();
        uint256 end = registry.schedule(taskId).endTime();
        if (block.timestamp < end) revert NotVested(end);
        if (pool.openChallenges != 0) revert OpenChallenges(pool.openChallenges);
    }

    function _openSchedule(uint256 taskId) internal view returns (Schedule memory s) {
        s = registry.schedule(taskId);
        if (s.rejected) revert TaskIsRejected();
    }

    function _joined(uint256 taskId, address account) internal view returns (Pool storage pool) {
        pool = _pools[taskId][account];
        if (pool.role == Role.None) revert NotJoined();
    }

    function _trainer(uint256 taskId, address account) internal view returns (Pool storage pool) {
        pool = _pools[taskId][account];
        if (pool.role != Role.Trainer) revert InvalidRole();
    }
}
