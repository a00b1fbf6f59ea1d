// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {Test} from "./utils/LeanTest.sol";
import {ArenaFixture} from "./utils/ArenaFixture.sol";
import {ArenaToken} from "../src/ArenaToken.sol";
import {TaskRegistry} from "../src/TaskRegistry.sol";
import {StakeManager} from "../src/StakeManager.sol";
import {SubmissionBook} from "../src/SubmissionBook.sol";
import {RewardEngine} from "../src/RewardEngine.sol";
import {TaskParams, Role, Schedule, Window} from "../src/lib/TaskTypes.sol";
import {Column} from "../src/interfaces/ISubmissionBook.sol";
import {seededTranscript, sealHashOf} from "./utils/Seals.sol";
import {TranscriptCommit} from "../src/lib/TaskTypes.sol";
import {ScheduleLib} from "../src/lib/ScheduleLib.sol";

/// @notice Drives two tasks with a fixed cast: joins (dust joins included), stakes, delegations
/// and exits, sigma changes, sealed submissions (copies and the creator's canaries included),
/// evaluation seeds (drawn by accounts and attempted by a contract), score commits and reveals,
/// canary commits and reveals, time, finalization (with rollovers), challenges and forfeits,
/// objections and refunds. Every action is attempted with bounded inputs and a failure (a revert
/// the protocol intends) is simply skipped; what succeeded is recorded in ghosts.
contract ArenaHandler is Test {
    using ScheduleLib for Schedule;

    ArenaToken public token;
    TaskRegistry public registry;
    StakeManager public stakes;
    SubmissionBook public book;
    RewardEngine public engine;
    address public challenger;
    address public creator;
    address public beneficiary = makeAddr("beneficiary");
    TranscriptCommit internal _transcript = seededTranscript(keccak256("trajectory"), 8);

    uint256[] public tasks;
    address[] public trainers;
    address[] public validators;
    address[] public delegators;
    address[] public pools; // trainers then validators

    uint256 public now_;

    // ---- ghosts: token flows
    uint256 public smIn; // stakes and delegations transferred in
    uint256 public smOut; // everything the stake manager paid out
    uint256 public regIn; // deposits and objections
    uint256 public regObjOut; // objections returned
    // ---- ghosts: per task and account
    mapping(uint256 => mapping(address => uint256)) public ownAdded;
    mapping(uint256 => mapping(address => uint256)) public slashed;
    mapping(uint256 => mapping(address => uint256)) public bookedOwn;
    mapping(uint256 => mapping(address => uint256)) public bookedDel;
    mapping(uint256 => mapping(address => uint256)) public claimedOwn;
    mapping(uint256 => mapping(address => uint256)) public claimedDel;
    mapping(uint256 => mapping(address => uint256)) public forfeitedOwn;
    mapping(uint256 => mapping(address => uint256)) public forfeitedDel;
    mapping(uint256 => mapping(address => bool)) public withdrewStake;
    uint256 public rewardsClaimed;
    uint256 public rewardsForfeited;
    uint256 public bookings;
    uint256 public rollovers;
    uint256 public canaryReveals;
    uint256 public canaryColumns;
    uint256 public failedCanaries;
    uint256 public seedsDrawn;
    /// @dev Set when an action succeeded that must not have (checked by an invariant).
    string public violation;

    // ---- submission / score bookkeeping
    struct Opening {
        uint256 epoch;
        bytes32 artifact;
        bytes32 salt;
        bool live;
    }

    struct ScoreOpening {
        uint256 epoch;
        uint256[] words;
        bytes32 salt;
        bool live;
    }

    mapping(uint256 => mapping(address => Opening)) internal _openings;
    mapping(uint256 => mapping(address => ScoreOpening)) internal _scores;
    mapping(uint256 => mapping(address => bytes32)) internal _lastArtifact;

    constructor(ArenaToken t, TaskRegistry r, StakeManager s, SubmissionBook b, RewardEngine e, address c, address cr) {
        (token, registry, stakes, book, engine, challenger, creator) = (t, r, s, b, e, c, cr);
        now_ = block.timestamp;
        for (uint256 i; i < 4; ++i) {
            trainers.push(makeAddr(string.concat("T", vm.toString(i))));
            pools.push(trainers[i]);
        }
        for (uint256 i; i < 3; ++i) {
            validators.push(makeAddr(string.concat("V", vm.toString(i))));
        }
        for (uint256 i; i < 3; ++i) {
            pools.push(validators[i]);
            delegators.push(makeAddr(string.concat("D", vm.toString(i))));
        }
        for (uint256 i; i < pools.length; ++i) {
            _fund(pools[i]);
        }
        for (uint256 i; i < delegators.length; ++i) {
            _fund(delegators[i]);
        }
    }

    function _fund(address who) internal {
        token.faucet(who, 1_000_000e18);
        vm.startPrank(who);
        token.approve(address(stakes), type(uint256).max);
        token.approve(address(registry), type(uint256).max);
        vm.stopPrank();
    }

    function addTask(uint256 taskId, uint256 deposit) external {
        tasks.push(taskId);
        regIn += deposit;
    }

    /// @dev Time only moves through `advance`; every action starts at the handler's clock.
    modifier sync() {
        vm.warp(now_);
        _;
    }

    struct Ghost {
        uint256 ownAdded;
        uint256 slashed;
        uint256 bookedOwn;
        uint256 bookedDel;
        uint256 claimedOwn;
        uint256 claimedDel;
        uint256 forfeitedOwn;
        uint256 forfeitedDel;
    }

    /// @notice Every ghost of one (task, account) in one call, to keep invariant checks cheap.
    function ghostOf(uint256 task, address a) external view returns (Ghost memory g) {
        g = Ghost(
            ownAdded[task][a],
            slashed[task][a],
            bookedOwn[task][a],
            bookedDel[task][a],
            claimedOwn[task][a],
            claimedDel[task][a],
            forfeitedOwn[task][a],
            forfeitedDel[task][a]
        );
    }

    function allTasks() external view returns (uint256[] memory) {
        return tasks;
    }

    function allPools() external view returns (address[] memory) {
        return pools;
    }

    function allDelegators() external view returns (address[] memory) {
        return delegators;
    }

    function _task(uint256 seed) internal view returns (uint256) {
        return tasks[seed % tasks.length];
    }

    function _sm() internal view returns (uint256) {
        return token.balanceOf(address(stakes));
    }

    // ================================================================ time

    /// @dev Mostly jumps to the next window boundary of one task (so windows are visited in
    /// order), sometimes by a random part of an epoch.
    function advance(uint256 seed) external sync {
        uint256 dt;
        if (seed % 10 != 0) {
            // The nearest window boundary of any task, so no window is skipped.
            dt = type(uint256).max;
            for (uint256 k; k < tasks.length; ++k) {
                uint256 d = _toNextWindow(registry.schedule(tasks[k]), block.timestamp);
                if (d < dt) dt = d;
            }
            dt += _bound(seed >> 8, 0, 3);
        } else {
            dt = _bound(seed >> 8, 1, registry.schedule(_task(seed)).epochLength);
        }
        now_ += dt;
        vm.warp(now_);
        // Participants mostly act in the window just reached.
        if (seed % 10 != 0) _actAll(seed >> 16, seed >> 128);
    }

    function _toNextWindow(Schedule memory sch, uint256 t) internal pure returns (uint256) {
        if (t < sch.startTime) return sch.startTime - t;
        uint256 epoch = (t - sch.startTime) / sch.epochLength;
        uint256 into = t - sch.epochStart(epoch);
        uint256 l = sch.epochLength;
        uint16[3] memory ends;
        if (epoch < sch.submissionEpochs) ends = [sch.sealEnd, sch.revealEnd, sch.commitEnd];
        // In the final phase the final-eval deadline (10% of the one-epoch final phase) matters too.
        else if (epoch < sch.scoringEpochs()) ends = [uint16(1000), sch.finalCommitEnd, sch.finalCommitEnd];
        for (uint256 i; i < 3; ++i) {
            uint256 b = (uint256(ends[i]) * l + 9999) / 10_000;
            if (b > into) return b - into;
        }
        return l - into;
    }

    // ================================================================ participants

    function join(uint256 taskSeed, uint256 actorSeed, uint256 amount, uint256 sigma) external sync {
        uint256 task = _task(taskSeed);
        bool asTrainer = actorSeed % 7 < 4;
        address who = asTrainer ? trainers[actorSeed % 7] : validators[actorSeed % 7 - 4];
        // Now and then dust: a join below the minimum must never take a slot.
        amount = amount % 5 == 1 ? _bound(amount >> 8, 1, 10e18 - 1) : _bound(amount, 10e18, 200e18);
        sigma = _bound(sigma, 0, 1e18);
        vm.prank(who);
        try stakes.join(
            task,
            asTrainer ? Role.Trainer : Role.Validator,
            amount,
            sigma,
            asTrainer ? bytes32(uint256(keccak256(abi.encode(who))) >> 4) : bytes32(0)
        ) {
            smIn += amount;
            ownAdded[task][who] += amount;
            if (amount < 10e18) violation = "a join below the minimum stake took a slot";
        } catch {}
    }

    function addStake(uint256 taskSeed, uint256 poolSeed, uint256 amount) external sync {
        uint256 task = _task(taskSeed);
        address who = pools[poolSeed % pools.length];
        amount = _bound(amount, 1, 50e18);
        vm.prank(who);
        try stakes.addStake(task, amount) {
            smIn += amount;
            ownAdded[task][who] += amount;
        } catch {}
    }

    function setSigma(uint256 taskSeed, uint256 poolSeed, uint256 sigma) external sync {
        uint256 task = _task(taskSeed);
        address who = pools[poolSeed % pools.length];
        sigma = _bound(sigma, 0, 1e18);
        uint256 before = stakes.getPool(task, who).sigmaLatest;
        vm.recordLogs();
        vm.prank(who);
        try stakes.setSigma(task, sigma) {
            Vm.Log[] memory logs = vm.getRecordedLogs();
            (, uint256 eff) = abi.decode(logs[logs.length - 1].data, (uint256, uint256));
            uint256 next = registry.schedule(task).effectiveEpoch(block.timestamp);
            // An increase never reaches the next epoch's split (SPEC 3, revision 2).
            if (eff != (sigma > before ? next + 1 : next)) violation = "sigma change at the wrong epoch";
        } catch {}
    }

    function delegate(uint256 taskSeed, uint256 dSeed, uint256 poolSeed, uint256 amount) external sync {
        uint256 task = _task(taskSeed);
        address d = delegators[dSeed % delegators.length];
        address pool = pools[poolSeed % pools.length];
        amount = _bound(amount, 1, 100e18);
        vm.prank(d);
        try stakes.delegate(task, pool, amount) {
            smIn += amount;
        } catch {}
    }

    function undelegate(uint256 taskSeed, uint256 dSeed, uint256 poolSeed, uint256 amount) external sync {
        uint256 task = _task(taskSeed);
        address d = delegators[dSeed % delegators.length];
        address pool = pools[poolSeed % pools.length];
        StakeManager.Position memory pos = stakes.getPosition(task, pool, d);
        int256 principal = int256(uint256(pos.shares)) + pos.deltaA + pos.deltaB;
        if (principal <= 0) return;
        amount = _bound(amount, 1, uint256(principal));
        uint256 before = token.balanceOf(d);
        vm.prank(d);
        try stakes.undelegate(task, pool, amount) {
            smOut += token.balanceOf(d) - before;
        } catch {}
    }

    function withdrawDelegation(uint256 taskSeed, uint256 dSeed, uint256 poolSeed) external sync {
        uint256 task = _task(taskSeed);
        address d = delegators[dSeed % delegators.length];
        uint256 before = token.balanceOf(d);
        vm.prank(d);
        try stakes.withdrawDelegation(task, pools[poolSeed % pools.length]) {
            smOut += token.balanceOf(d) - before;
        } catch {}
    }

    function withdrawStake(uint256 taskSeed, uint256 poolSeed) external sync {
        uint256 task = _task(taskSeed);
        address who = pools[poolSeed % pools.length];
        uint256 expected = stakes.getPool(task, who).ownLatest;
        uint256 before = token.balanceOf(who);
        vm.prank(who);
        try stakes.withdrawStake(task) {
            uint256 got = token.balanceOf(who) - before;
            smOut += got;
            if (got != expected) violation = "withdrawStake paid other than the own stake";
            if (withdrewStake[task][who]) violation = "stake withdrawn twice";
            withdrewStake[task][who] = true;
            Schedule memory s = registry.schedule(task);
            if (!s.rejected && block.timestamp < s.endTime()) violation = "stake withdrawn before the end";
        } catch {}
    }

    /// @dev Every pool owner of the task that can claim, claims (or a single one).
    function claimOwn(uint256 taskSeed, uint256 poolSeed) external sync {
        uint256 task = _task(taskSeed);
        bool all = poolSeed % 2 == 0;
        for (uint256 i; i < pools.length; ++i) {
            address who = pools[(poolSeed % pools.length + i) % pools.length];
            uint256 before = token.balanceOf(who);
            vm.prank(who);
            try stakes.claimOwnRewards(task) {
                uint256 got = token.balanceOf(who) - before;
                smOut += got;
                claimedOwn[task][who] += got;
                rewardsClaimed += got;
                _checkVested(task, who);
                if (!all) return;
            } catch {}
        }
    }

    /// @dev One delegator claims from every pool of the task it can claim from (or a single one).
    function claimDelegation(uint256 taskSeed, uint256 dSeed, uint256 poolSeed) external sync {
        uint256 task = _task(taskSeed);
        address d = delegators[dSeed % delegators.length];
        bool all = poolSeed % 2 == 0;
        for (uint256 i; i < pools.length; ++i) {
            address pool = pools[(poolSeed % pools.length + i) % pools.length];
            uint256 before = token.balanceOf(d);
            vm.prank(d);
            try stakes.claimDelegationRewards(task, pool) {
                uint256 got = token.balanceOf(d) - before;
                smOut += got;
                claimedDel[task][pool] += got;
                rewardsClaimed += got;
                _checkVested(task, pool);
                if (!all) return;
            } catch {}
        }
    }

    function _checkVested(uint256 task, address pool) internal {
        StakeManager.Pool memory p = stakes.getPool(task, pool);
        if (p.role != Role.Trainer) return;
        if (p.forfeited || p.openChallenges != 0 || block.timestamp < registry.schedule(task).endTime()) {
            violation = "trainer rewards claimed before vesting";
        }
    }

    // ================================================================ submissions and scores

    /// @dev Everyone the mask selects does what the current window of the task allows: trainers
    /// seal (fresh models, own old ones, or a copy of another trainer's) and reveal, validators
    /// commit random scores for the epoch's columns and reveal them.
    function act(uint256 mask, uint256 seed) external sync {
        _actAll(mask, seed);
    }

    function _actAll(uint256 mask, uint256 seed) internal {
        for (uint256 k; k < tasks.length; ++k) {
            _act(tasks[k], mask >> (32 * k), seed);
        }
    }

    function _act(uint256 task, uint256 mask, uint256 seed) internal {
        (Window w, uint256 epoch) = registry.schedule(task).windowAt(block.timestamp);
        // The creator commits a canary key for the next epoch now and then.
        if ((mask >> 30) & 3 != 0) _commitCanaries(task, epoch + 1);
        if (w == Window.Seal || w == Window.Reveal) {
            for (uint256 i; i < trainers.length; ++i) {
                if ((mask >> (2 * i)) & 3 == 0) continue; // this one sits the window out
                if (w == Window.Seal) _seal(task, epoch, i, uint256(keccak256(abi.encode(seed, i))));
                else _revealSubmission(task, epoch, trainers[i]);
            }
        } else if (w == Window.ScoreCommit || w == Window.ScoreReveal) {
            for (uint256 j; j < validators.length; ++j) {
                if ((mask >> (8 + 2 * j)) & 3 == 0) continue;
                if (w == Window.ScoreCommit) {
                    _commitScores(task, epoch, validators[j], uint256(keccak256(abi.encode(seed, j))));
                } else {
                    _revealScores(task, epoch, validators[j]);
                }
            }
            if (w == Window.ScoreReveal && (mask >> 28) & 3 != 0) _revealCanaries(task, epoch);
        }
    }

    // ---- canaries: trainer 3 is the creator's probe account when a key is committed

    function _canaryKey(uint256 task, uint256 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode("canary", task, epoch));
    }

    function _commitCanaries(uint256 task, uint256 epoch) internal {
        vm.prank(creator);
        try book.commitCanaries(task, epoch, keccak256(abi.encode(_canaryKey(task, epoch)))) {} catch {}
    }

    function _revealCanaries(uint256 task, uint256 epoch) internal {
        vm.prank(creator);
        try book.revealCanaries(task, _canaryKey(task, epoch)) returns (uint256 mask) {
            ++canaryReveals;
            if (mask == 0) return;
            ++canaryColumns;
            // Only trainer 3 seals with canary salts: its column is the only possible canary.
            Column[] memory cols = book.columns(task, epoch);
            for (uint256 i; i < cols.length; ++i) {
                if ((mask >> i) & 1 == 1 && cols[i].trainer != trainers[3]) {
                    violation = "an honest column was a canary";
                }
            }
        } catch {}
    }

    /// @dev The handler is a contract: it may read a drawn seed, never draw one.
    function drawSeedFromAContract(uint256 taskSeed) external sync {
        uint256 task = _task(taskSeed);
        (, uint256 epoch) = registry.schedule(task).windowAt(block.timestamp);
        bytes32 before = book.evalSeedOf(task, epoch);
        try book.drawEvalSeed(task) returns (bytes32 seed) {
            if (before == 0 || seed != before) violation = "a contract drew an evaluation seed";
        } catch {}
    }

    function _seal(uint256 task, uint256 epoch, uint256 i, uint256 artSeed) internal {
        address who = trainers[i];
        bytes32 artifact;
        uint256 kind = artSeed % 6;
        if (kind == 0) artifact = _lastArtifact[task][trainers[(i + 1) % trainers.length]];
        else if (kind == 1) artifact = _lastArtifact[task][who];
        if (artifact == 0) artifact = keccak256(abi.encode(task, who, epoch, artSeed));
        bytes32 salt = bytes32(artSeed);
        if (i == 3 && book.canaryCommitOf(task, epoch) != 0 && artSeed % 4 != 0) {
            salt = book.canarySalt(task, epoch, who, _canaryKey(task, epoch));
        }
        vm.prank(who);
        try book.sealSubmission(task, sealHashOf(task, epoch, who, artifact, bytes32("wm"), _transcript, salt)) {
            _openings[task][who] = Opening(epoch, artifact, salt, true);
        } catch {}
    }

    function _revealSubmission(uint256 task, uint256 epoch, address who) internal {
        Opening memory o = _openings[task][who];
        if (!o.live || o.epoch != epoch) return;
        // A one-chunk file's root is its hash; a larger file's differs, per reveal here, so copies
        // of one artifact come with other roots (the duplicate rule must not look at them).
        bytes32 root = uint256(o.salt) % 2 == 0 ? o.artifact : keccak256(abi.encode("root", o.artifact, o.salt));
        vm.prank(who);
        try book.revealSubmission(task, o.artifact, root, bytes32("wm"), _transcript, o.salt) returns (uint256 id) {
            _openings[task][who].live = false;
            _lastArtifact[task][who] = o.artifact;
            SubmissionBook.Submission memory sub = book.getSubmission(task, id);
            if (sub.artifactRoot != root || sub.artifactHash != o.artifact) violation = "artifact root not stored";
        } catch {}
    }

    function _commitScores(uint256 task, uint256 epoch, address who, uint256 scoreSeed) internal {
        uint256 n = book.columnCount(task, epoch);
        uint256[] memory words = new uint256[]((n + 15) / 16);
        for (uint256 i; i < n; ++i) {
            uint256 sc = uint256(keccak256(abi.encode(scoreSeed, i))) % 10_001;
            words[i / 16] |= sc << ((i % 16) * 16);
        }
        bytes32 salt = bytes32(scoreSeed);
        // The validator's agent draws the epoch's seed first (an account: tx.origin is it too).
        if (book.evalSeedOf(task, epoch) == 0) {
            vm.prank(who, who);
            try book.drawEvalSeed(task) returns (bytes32 seed) {
                ++seedsDrawn;
                if (seed == 0 || book.evalSeedOf(task, epoch) != seed) violation = "seed not stored";
            } catch {}
        }
        vm.prank(who);
        try book.commitScores(task, keccak256(abi.encode(task, epoch, who, words, salt))) {
            _scores[task][who] = ScoreOpening(epoch, words, salt, true);
        } catch {}
    }

    function _revealScores(uint256 task, uint256 epoch, address who) internal {
        ScoreOpening memory o = _scores[task][who];
        if (!o.live || o.epoch != epoch) return;
        vm.prank(who);
        try book.revealScores(task, o.words, o.salt) {
            _scores[task][who].live = false;
        } catch {}
    }

    function revealFinalEval(uint256 taskSeed) external sync {
        vm.prank(creator);
        try registry.revealFinalEval(_task(taskSeed), keccak256("final"), bytes32("salt")) {} catch {}
    }

    // ================================================================ finalization

    /// @dev Finalizes what can be finalized, one task or all of them.
    function finalize(uint256 taskSeed) external sync {
        if (taskSeed % 3 == 0) {
            _finalize(_task(taskSeed >> 8));
        } else {
            for (uint256 k; k < tasks.length; ++k) {
                for (uint256 i; i < 8; ++i) {
                    if (!_finalize(tasks[k])) break;
                }
            }
        }
    }

    function _finalize(uint256 task) internal returns (bool ok) {
        uint256 smBefore = _sm();
        uint256 paidBefore = registry.getTask(task).paid;
        vm.recordLogs();
        try engine.finalize(task) {
            Vm.Log[] memory logs = vm.getRecordedLogs();
            _recordBookings(task, logs);
            uint256 released = registry.getTask(task).paid - paidBefore;
            if (_sm() != smBefore + released) violation = "finalize moved other than what it released";
            ok = true;
        } catch {}
    }

    function _recordBookings(uint256 task, Vm.Log[] memory logs) internal {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine)) continue;
            bytes32 sig = logs[i].topics[0];
            address account;
            uint256 pool;
            uint256 own;
            if (sig == RewardEngine.TrainerRewarded.selector) {
                account = address(uint160(uint256(logs[i].topics[3])));
                (,,, pool, own) = abi.decode(logs[i].data, (uint256, uint256, uint256, uint256, uint256));
            } else if (sig == RewardEngine.ValidatorRewarded.selector) {
                account = address(uint160(uint256(logs[i].topics[3])));
                bool failed;
                (, pool, own, failed) = abi.decode(logs[i].data, (uint256, uint256, uint256, bool));
                if (failed) {
                    ++failedCanaries;
                    if (pool != 0) violation = "a validator that failed a canary was paid";
                }
            } else if (sig == RewardEngine.EpochFinalized.selector) {
                _checkClose(task, logs[i]);
                continue;
            } else {
                continue;
            }
            // A pool forfeited before this call was not booked (forfeits cannot happen inside it).
            if (stakes.getPool(task, account).forfeited) continue;
            bookedOwn[task][account] += own;
            bookedDel[task][account] += pool - own;
            ++bookings;
        }
    }

    /// @dev After every finalized epoch: booked + rollover + dust = budget, and the rollover is
    /// the next epoch's carry (the creator's after the last scoring epoch).
    function _checkClose(uint256 task, Vm.Log memory log) internal {
        (uint256 booked, uint256 rollover,) = abi.decode(log.data, (uint256, uint256, bool));
        uint256 epoch = uint256(log.topics[2]);
        RewardEngine.Progress memory p = engine.progressOf(task);
        if (booked + rollover > p.budget) violation = "an epoch booked and rolled over more than its budget";
        TaskRegistry.Task memory t = registry.getTask(task);
        if (t.closedEpochs == epoch + 1) {
            uint256 last = uint256(t.schedule.submissionEpochs) + t.schedule.finalEpochs - 1;
            if (t.carry != (epoch == last ? 0 : rollover)) violation = "rollover is not the next epoch's carry";
            // Every closed epoch's budget is paid, in the remainder or carried: nothing more.
            if (uint256(t.paid) + t.remainder + t.carry != uint256(t.rewardPerEpoch) * t.closedEpochs) {
                violation = "paid + remainder + carry != the closed epochs' budgets";
            }
        }
        if (rollover != 0) ++rollovers;
    }

    // ================================================================ challenges

    function challenge(uint256 taskSeed, uint256 trainerSeed, uint256 action) external sync {
        uint256 task = _task(taskSeed);
        address who = trainers[trainerSeed % trainers.length];
        uint256 slashBps = (action >> 8) % 10_001;
        action = action % 8;
        vm.startPrank(challenger);
        if (action < 3) {
            try stakes.challengeOpened(task, who) {} catch {}
        } else if (action < 6) {
            try stakes.challengeClosed(task, who) {} catch {}
        } else if (action == 6) {
            StakeManager.Pool memory p = stakes.getPool(task, who);
            uint256 before = token.balanceOf(beneficiary);
            try stakes.forfeit(task, who, beneficiary, slashBps) returns (uint256 rewards, uint256 cut) {
                smOut += token.balanceOf(beneficiary) - before;
                slashed[task][who] += cut;
                forfeitedOwn[task][who] += p.ownRewards;
                forfeitedDel[task][who] += p.delegatorRewards;
                rewardsForfeited += rewards;
                if (rewards != uint256(p.ownRewards) + p.delegatorRewards) violation = "forfeit rewards mismatch";
            } catch {}
        }
        vm.stopPrank();
    }

    // ================================================================ review and refunds

    function object(uint256 taskSeed, uint256 dSeed, uint256 amount) external sync {
        uint256 task = _task(taskSeed);
        // Prefer a task still under review: objections are only possible then.
        for (uint256 k; k < tasks.length; ++k) {
            if (block.timestamp < registry.schedule(tasks[k]).reviewEnd) task = tasks[k];
        }
        address d = delegators[dSeed % delegators.length];
        // Now and then enough to reach the quorum alone, so rejected tasks are exercised too.
        amount = amount % 2 == 0 ? 10_000e18 : _bound(amount, 1, 3000e18);
        vm.prank(d);
        try registry.object(task, amount) {
            regIn += amount;
        } catch {}
    }

    function withdrawObjection(uint256 taskSeed, uint256 dSeed) external sync {
        uint256 task = _task(taskSeed);
        address d = delegators[dSeed % delegators.length];
        uint256 before = token.balanceOf(d);
        vm.prank(d);
        try registry.withdrawObjection(task) {
            regObjOut += token.balanceOf(d) - before;
        } catch {}
    }

    function withdrawRemainder(uint256 taskSeed) external sync {
        vm.prank(creator);
        try registry.withdrawRemainder(_task(taskSeed)) {} catch {}
    }
}

contract InvariantsTest is ArenaFixture {
    ArenaHandler internal handler;
    // The cast is fixed after setUp: copies, so invariant checks do not call the handler for them.
    uint256[] internal tasks;
    address[] internal pools;
    address[] internal dels;
    uint256 internal constant DUST = 10_000;

    function setUp() public override {
        super.setUp();
        handler = new ArenaHandler(token, registry, stakes, book, engine, challenger, creator);

        // Task 1: short epochs: 2 submission, 1 final, 1 challenge epoch; revision 2's rules
        // strict enough that random scores leave zero columns and unqualified epochs (rollovers).
        TaskParams memory p = defaultParams();
        (p.reward.tolV, p.reward.floorBps, p.reward.minScore, p.reward.minValidators) = (0.15e18, 5000, 0.1e18, 2);
        p.epochLength = 200;
        p.startTime = uint64(block.timestamp + 150);
        (p.submissionEpochs, p.finalEpochs, p.challengeEpochs) = (2, 1, 1);
        p.rewardPerEpoch = 100e18;
        uint256 t1 = createTask(p);
        handler.addTask(t1, 300e18);
        // Task 2: a longer review (objections may reject it), powers != 1, odd amounts.
        p = defaultParams();
        p.epochLength = 300;
        p.reviewPeriod = 400;
        p.startTime = uint64(block.timestamp + 500);
        (p.submissionEpochs, p.finalEpochs, p.challengeEpochs) = (1, 1, 1);
        (p.reward.alphaT, p.reward.alphaV, p.reward.q) = (0.5e18, 0.7e18, 0.6e18);
        p.stakeRules.sigmaCooldown = 1;
        p.rewardPerEpoch = 77e18 + 123;
        uint256 t2 = createTask(p);
        handler.addTask(t2, 2 * (77e18 + 123));

        // A starting cast, so that most runs score and book epochs; the fuzzer adds the rest.
        // join(task index, actor index: 0..3 trainers, 4..6 validators, amount, sigma)
        handler.join(0, 0, 50e18, 0.5e18);
        handler.join(0, 1, 30e18, 1e18);
        handler.join(0, 3, 40e18, 0.5e18); // the creator's probe account (canaries)
        handler.join(0, 4, 80e18, 0.3e18);
        handler.join(0, 5, 40e18, 0);
        handler.delegate(0, 0, 0, 20e18);
        handler.delegate(0, 1, 4, 35e18);
        handler.join(1, 1, 60e18, 0.2e18);
        handler.join(1, 2, 25e18, 0.9e18);
        handler.join(1, 5, 45e18, 0.5e18);
        handler.join(1, 6, 70e18, 0.1e18);
        handler.delegate(1, 2, 2, 15e18);
        handler.delegate(1, 0, 6, 10e18 + 7);

        targetContract(address(handler));
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors()}));
        (tasks, pools, dels) = (handler.allTasks(), handler.allPools(), handler.allDelegators());
    }

    /// @dev Each handler action once; time, window actions and finalization weigh more, since
    /// most state needs epochs to pass.
    function selectors() internal pure returns (bytes4[] memory out) {
        out = new bytes4[](24);
        out[0] = ArenaHandler.join.selector;
        out[1] = ArenaHandler.addStake.selector;
        out[2] = ArenaHandler.setSigma.selector;
        out[3] = ArenaHandler.delegate.selector;
        out[4] = ArenaHandler.undelegate.selector;
        out[5] = ArenaHandler.withdrawDelegation.selector;
        out[6] = ArenaHandler.withdrawStake.selector;
        out[7] = ArenaHandler.claimOwn.selector;
        out[8] = ArenaHandler.claimDelegation.selector;
        out[9] = ArenaHandler.revealFinalEval.selector;
        out[10] = ArenaHandler.challenge.selector;
        out[11] = ArenaHandler.object.selector;
        out[12] = ArenaHandler.withdrawObjection.selector;
        out[13] = ArenaHandler.withdrawRemainder.selector;
        for (uint256 i = 14; i < 20; ++i) {
            out[i] = ArenaHandler.advance.selector;
        }
        out[20] = ArenaHandler.act.selector;
        out[21] = ArenaHandler.finalize.selector;
        out[22] = ArenaHandler.finalize.selector;
        out[23] = ArenaHandler.drawSeedFromAContract.selector;
    }

    // ---------------------------------------------------------------- coverage of the handler

    /// @dev The invariants are only as good as the states the handler reaches. Deterministic
    /// random walks like the fuzzer's (same selector weights, depth 100) must book rewards,
    /// claim them, reach the end of tasks, forfeit booked rewards and reject a task, and every
    /// invariant must hold at the end of each walk.
    function test_walksReachTheInterestingStates() public {
        // Walks with: bookings, claims, task 1 finalized to its end, forfeited bookings, a
        // rejected task, a rollover, a canary column revealed, a validator failing a canary.
        string[8] memory what = [
            "walks with bookings",
            "walks with claims",
            "walks finalizing task 1 to the end",
            "walks forfeiting booked rewards",
            "walks with a rejected task",
            "walks with a rollover",
            "walks with a canary column revealed",
            "walks with a validator failing a canary"
        ];
        uint8[8] memory atLeast = [16, 10, 12, 1, 1, 4, 1, 1];
        uint256[8] memory count;
        uint256 snap = vm.snapshotState();
        for (uint256 walk; walk < 24; ++walk) {
            vm.revertToState(snap);
            _walk(uint256(keccak256(abi.encode("walk", walk))));
            invariant_tokenConservation();
            invariant_neverMoreThanDeposits();
            invariant_noDoubleClaims();
            invariant_stakesConserved();
            bool[8] memory reached = [
                handler.bookings() > 0,
                handler.rewardsClaimed() > 0,
                engine.progressOf(tasks[0]).epoch == 3,
                handler.rewardsForfeited() > 0,
                registry.getTask(tasks[0]).schedule.rejected || registry.getTask(tasks[1]).schedule.rejected,
                handler.rollovers() > 0,
                handler.canaryColumns() > 0,
                handler.failedCanaries() > 0
            ];
            for (uint256 k; k < 8; ++k) {
                if (reached[k]) ++count[k];
            }
        }
        for (uint256 k; k < 8; ++k) {
            emit log_named_uint(what[k], count[k]);
            assertGe(count[k], atLeast[k], what[k]);
        }
    }

    /// @dev One random walk like the fuzzer's: same selector weights, depth 100.
    function _walk(uint256 seed) internal {
        bytes4[] memory sels = selectors();
        for (uint256 d; d < 100; ++d) {
            seed = uint256(keccak256(abi.encode(seed)));
            bytes memory args = abi.encode(
                uint256(keccak256(abi.encode(seed, 1))),
                uint256(keccak256(abi.encode(seed, 2))),
                uint256(keccak256(abi.encode(seed, 3))),
                uint256(keccak256(abi.encode(seed, 4)))
            );
            (bool ok,) = address(handler).call(abi.encodePacked(sels[seed % sels.length], args));
            assertTrue(ok, "handler call reverted");
        }
    }

    // ---------------------------------------------------------------- helpers

    function _principal(StakeManager.Position memory pos) internal pure returns (uint256) {
        return uint256(int256(uint256(pos.shares)) + pos.deltaA + pos.deltaB);
    }

    /// @dev What the stake manager owes, and the rewards part of it.
    function _obligations() internal view returns (uint256 total, uint256 rewards) {
        for (uint256 k; k < tasks.length; ++k) {
            uint256 task = tasks[k];
            for (uint256 i; i < pools.length; ++i) {
                address a = pools[i];
                StakeManager.Pool memory p = stakes.getPool(task, a);
                if (!p.stakeWithdrawn) total += p.ownLatest;
                rewards += p.ownRewards;
                for (uint256 j; j < dels.length; ++j) {
                    StakeManager.Position memory pos = stakes.getPosition(task, a, dels[j]);
                    if (!pos.exited) total += _principal(pos);
                    total += pos.unbonding;
                    rewards += stakes.pendingDelegationRewards(task, a, dels[j]);
                }
            }
        }
        total += rewards;
    }

    // ================================================================ invariants

    /// (a) Token conservation in both contracts that hold tokens.
    function invariant_tokenConservation() public view {
        uint256 sm = token.balanceOf(address(stakes));
        uint256 paid;
        uint256 refunded;
        for (uint256 k; k < tasks.length; ++k) {
            TaskRegistry.Task memory t = registry.getTask(tasks[k]);
            paid += t.paid;
            refunded += t.refunded;
        }
        assertEq(sm, handler.smIn() + paid - handler.smOut(), "stake manager flows");
        (uint256 owed,) = _obligations();
        assertGe(sm, owed, "stake manager cannot pay what it owes");
        assertLe(sm - owed, DUST, "stake manager holds more than rounding dust");
        assertEq(
            token.balanceOf(address(registry)),
            handler.regIn() - paid - refunded - handler.regObjOut(),
            "registry flows"
        );
    }

    /// (b) Nothing beyond the deposit: per task paid + remainder + carry <= deposit, and every
    /// reward claimed, forfeited or still claimable was paid out of deposits.
    function invariant_neverMoreThanDeposits() public view {
        uint256 paid;
        for (uint256 k; k < tasks.length; ++k) {
            TaskRegistry.Task memory t = registry.getTask(tasks[k]);
            uint256 deposit = uint256(t.rewardPerEpoch) * (t.schedule.submissionEpochs + t.schedule.finalEpochs);
            assertLe(uint256(t.paid) + t.remainder + t.carry, deposit, "task pays out more than its deposit");
            assertLe(t.refunded, t.remainder, "refunded more than the remainder");
            if (!t.schedule.rejected && engine.progressOf(tasks[k]).stage == RewardEngine.Stage.Start) {
                // Between finalizations every closed epoch accounts for exactly its budget.
                assertEq(uint256(t.paid) + t.remainder + t.carry, uint256(t.rewardPerEpoch) * t.closedEpochs);
            }
            paid += t.paid;
        }
        (, uint256 claimable) = _obligations();
        assertLe(handler.rewardsClaimed() + handler.rewardsForfeited() + claimable, paid, "rewards exceed payments");
    }

    /// (c) Nothing is claimed twice: own rewards claimed + still booked + forfeited equal what the
    /// engine's events booked, exactly; delegators' claims never exceed their pool's bookings.
    function invariant_noDoubleClaims() public view {
        for (uint256 k; k < tasks.length; ++k) {
            uint256 task = tasks[k];
            for (uint256 i; i < pools.length; ++i) {
                address a = pools[i];
                StakeManager.Pool memory p = stakes.getPool(task, a);
                ArenaHandler.Ghost memory g = handler.ghostOf(task, a);
                assertEq(
                    g.claimedOwn + p.ownRewards + g.forfeitedOwn,
                    g.bookedOwn,
                    "own rewards: claimed + held + forfeited != booked"
                );
                uint256 booked = g.bookedDel;
                uint256 claimed = g.claimedDel;
                assertEq(claimed + p.delegatorRewards + g.forfeitedDel, booked, "delegators: claimed + held != booked");
                uint256 pending;
                for (uint256 j; j < dels.length; ++j) {
                    pending += stakes.pendingDelegationRewards(task, a, dels[j]);
                }
                assertLe(claimed + pending, booked, "delegators can claim more than was booked");
                if (!p.forfeited) assertLe(booked - claimed - pending, DUST, "delegator rewards lost");
            }
        }
        assertEq(bytes(handler.violation()).length, 0, handler.violation());
    }

    /// (d) Stakes and delegations are conserved: a pool's latest delegated total is the sum of its
    /// positions, and own stake only ever grows, except by a forfeit's slash.
    function invariant_stakesConserved() public view {
        for (uint256 k; k < tasks.length; ++k) {
            uint256 task = tasks[k];
            for (uint256 i; i < pools.length; ++i) {
                address a = pools[i];
                StakeManager.Pool memory p = stakes.getPool(task, a);
                uint256 sum;
                for (uint256 j; j < dels.length; ++j) {
                    sum += _principal(stakes.getPosition(task, a, dels[j]));
                }
                ArenaHandler.Ghost memory g = handler.ghostOf(task, a);
                assertEq(p.delegatedLatest, sum, "delegatedLatest != sum of positions");
                assertEq(p.ownLatest, g.ownAdded - g.slashed, "own stake changed");
                assertLe(p.own, p.ownLatest + g.slashed, "rolled own above latest");
                assertLe(p.delegated, type(uint96).max);
            }
        }
    }
}
