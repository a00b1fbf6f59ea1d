// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "./LeanTest.sol";
import {ArenaToken} from "../../src/ArenaToken.sol";
import {TaskRegistry} from "../../src/TaskRegistry.sol";
import {StakeManager} from "../../src/StakeManager.sol";
import {SubmissionBook} from "../../src/SubmissionBook.sol";
import {RewardEngine} from "../../src/RewardEngine.sol";
import {
    TaskParams,
    RewardParams,
    StakeRules,
    ChallengeParams,
    Role,
    Schedule,
    TranscriptCommit
} from "../../src/lib/TaskTypes.sol";
import {ScheduleLib} from "../../src/lib/ScheduleLib.sol";
import {seededTranscript, sealHashOf} from "./Seals.sol";

/// @notice Deploys the whole protocol and drives tasks through their windows.
abstract contract ArenaFixture is Test {
    using ScheduleLib for Schedule;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant REJECT_QUORUM = 10_000e18;
    uint256 internal constant MIN_REVIEW = 60;

    ArenaToken internal token;
    TaskRegistry internal registry;
    StakeManager internal stakes;
    SubmissionBook internal book;
    RewardEngine internal engine;
    address internal creator = makeAddr("creator");
    address internal challenger = makeAddr("challengeModule");

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        token = new ArenaToken(address(this), 0);
        registry = new TaskRegistry(token, REJECT_QUORUM, MIN_REVIEW);
        stakes = new StakeManager(token, registry);
        book = new SubmissionBook(registry, stakes);
        engine = deployEngine();
        registry.bind(address(engine), address(stakes));
        stakes.bind(address(engine), challenger);
    }

    function deployEngine() internal virtual returns (RewardEngine) {
        return new RewardEngine(registry, stakes, book);
    }

    function defaultParams() internal view returns (TaskParams memory p) {
        p.modelSpec = keccak256("spec");
        p.trainData = keccak256("train");
        p.evalData = keccak256("eval");
        p.finalEvalCommit = keccak256(abi.encode(keccak256("final"), bytes32("salt")));
        p.reviewPeriod = 100;
        p.startTime = uint64(block.timestamp + 200);
        p.epochLength = 1000;
        p.submissionEpochs = 3;
        p.finalEpochs = 1;
        p.challengeEpochs = 1;
        p.sealEnd = 5000;
        p.revealEnd = 6000;
        p.commitEnd = 8500;
        p.finalCommitEnd = 7000;
        p.rewardPerEpoch = 1000e18;
        // Revision 2's rules made permissive (no tolerance cut, no floor, one validator is
        // enough), so tests of other rules see them alone; tests of these rules set them.
        p.reward = RewardParams({
            gamma: 0.7e18,
            q: 0.85e18,
            alphaT: 1e18,
            alphaV: 1e18,
            lambdaV: 20e18,
            minScore: 0,
            tolV: 1e18,
            floorBps: 0,
            minValidators: 1
        });
        p.stakeRules = StakeRules({
            minTrainerStake: 10e18, minValidatorStake: 10e18, maxTrainers: 256, maxValidators: 512, sigmaCooldown: 2
        });
        p.challenge = ChallengeParams({
            bond: 100e18, responseTime: 1 days, slashBps: 5000, disputeTime: 1 days, voteTime: 1 days, juryBps: 1000
        });
        p.evalSubsetSize = 64;
    }

    function fund(address who, uint256 amount) internal {
        token.faucet(who, amount);
        vm.startPrank(who);
        token.approve(address(registry), type(uint256).max);
        token.approve(address(stakes), type(uint256).max);
        vm.stopPrank();
    }

    function createTask(TaskParams memory p) internal returns (uint256 taskId) {
        fund(creator, uint256(p.rewardPerEpoch) * (p.submissionEpochs + p.finalEpochs));
        vm.prank(creator);
        taskId = registry.createTask(p);
    }

    function keyOf(address who) internal pure returns (bytes32) {
        // Shifted below 2^252 so it is a field element, as a real Poseidon commitment is.
        return bytes32(uint256(keccak256(abi.encode("key", who))) >> 4);
    }

    function joinTrainer(uint256 taskId, address who, uint256 amount, uint256 sigma) internal {
        fund(who, amount);
        vm.prank(who);
        stakes.join(taskId, Role.Trainer, amount, sigma, keyOf(who));
    }

    function joinValidator(uint256 taskId, address who, uint256 amount, uint256 sigma) internal {
        fund(who, amount);
        vm.prank(who);
        stakes.join(taskId, Role.Validator, amount, sigma, bytes32(0));
    }

    function delegateTo(uint256 taskId, address delegator, address delegatee, uint256 amount) internal {
        fund(delegator, amount);
        vm.prank(delegator);
        stakes.delegate(taskId, delegatee, amount);
    }

    function warpTo(uint256 taskId, uint256 epoch, uint256 bps) internal {
        Schedule memory s = registry.schedule(taskId);
        vm.warp(s.epochStart(epoch) + (uint256(s.epochLength) * bps) / 10_000);
    }

    /// @notice The transcript the tests' trainers seal unless a test says otherwise: a seeded
    /// start, 8 segments, a fixed root.
    function seeded() internal pure returns (TranscriptCommit memory) {
        return seededTranscript(keccak256("trajectory"), 8);
    }

    function sealHash(
        uint256 taskId,
        uint256 epoch,
        address trainer,
        bytes32 artifact,
        bytes32 wm,
        TranscriptCommit memory t,
        bytes32 salt
    ) internal pure returns (bytes32) {
        return sealHashOf(taskId, epoch, trainer, artifact, wm, t, salt);
    }

    /// @notice sealHash with the default transcript (`seeded()`).
    function sealHash(uint256 taskId, uint256 epoch, address trainer, bytes32 artifact, bytes32 wm, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return sealHash(taskId, epoch, trainer, artifact, wm, seeded(), salt);
    }

    function artifactOf(address trainer, uint256 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode("artifact", trainer, epoch));
    }

    /// @notice The root `artifactOf(trainer, epoch)` is revealed with: a multi-chunk file's (a
    /// dag-pb root), so that it differs from the hash.
    function artifactRootOf(address trainer, uint256 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode("artifact root", trainer, epoch));
    }

    /// @notice Seals and reveals one submission per trainer in `epoch` (submission phase).
    function submitAll(uint256 taskId, uint256 epoch, address[] memory trainers) internal {
        warpTo(taskId, epoch, 100);
        for (uint256 i; i < trainers.length; ++i) {
            bytes32 a = artifactOf(trainers[i], epoch);
            vm.prank(trainers[i]);
            book.sealSubmission(taskId, sealHash(taskId, epoch, trainers[i], a, bytes32(i + 1), bytes32(i)));
        }
        warpTo(taskId, epoch, 5500);
        for (uint256 i; i < trainers.length; ++i) {
            vm.prank(trainers[i]);
            book.revealSubmission(
                taskId,
                artifactOf(trainers[i], epoch),
                artifactRootOf(trainers[i], epoch),
                bytes32(i + 1),
                seeded(),
                bytes32(i)
            );
        }
    }

    /// @notice The creator commits `key` as the canary key of `epoch` (before the epoch starts).
    function commitCanaryKey(uint256 taskId, uint256 epoch, bytes32 key) internal {
        vm.prank(creator);
        book.commitCanaries(taskId, epoch, keccak256(abi.encode(key)));
    }

    /// @notice submitAll where the first `canaries` trainers are the creator's probe accounts:
    /// they seal with the canary salts of `key` (committed for `epoch` beforehand).
    function submitAllWithCanaries(
        uint256 taskId,
        uint256 epoch,
        address[] memory trainers,
        uint256 canaries,
        bytes32 key
    ) internal {
        warpTo(taskId, epoch, 100);
        bytes32[] memory salts = new bytes32[](trainers.length);
        for (uint256 i; i < trainers.length; ++i) {
            salts[i] = i < canaries ? book.canarySalt(taskId, epoch, trainers[i], key) : bytes32(i);
            bytes32 a = artifactOf(trainers[i], epoch);
            vm.prank(trainers[i]);
            book.sealSubmission(taskId, sealHash(taskId, epoch, trainers[i], a, bytes32(i + 1), salts[i]));
        }
        warpTo(taskId, epoch, 5500);
        for (uint256 i; i < trainers.length; ++i) {
            vm.prank(trainers[i]);
            book.revealSubmission(
                taskId,
                artifactOf(trainers[i], epoch),
                artifactRootOf(trainers[i], epoch),
                bytes32(i + 1),
                seeded(),
                salts[i]
            );
        }
    }

    function pack(uint256[] memory scores) internal pure returns (uint256[] memory words) {
        words = new uint256[]((scores.length + 15) / 16);
        for (uint256 i; i < scores.length; ++i) {
            words[i / 16] |= scores[i] << ((i % 16) * 16);
        }
    }

    /// @notice Draws the current epoch's evaluation seed from an externally owned account
    /// (forge's vm.prank(a) keeps tx.origin, so both are set).
    function drawSeed(uint256 taskId) internal returns (bytes32) {
        address drawer = makeAddr("seedDrawer");
        vm.prank(drawer, drawer);
        return book.drawEvalSeed(taskId);
    }

    /// @notice Commits and reveals scores[j] (bps per column) for every validator in `epoch`.
    function scoreAll(uint256 taskId, uint256 epoch, address[] memory validators, uint256[][] memory scores) internal {
        Schedule memory s = registry.schedule(taskId);
        bool fin = epoch >= s.submissionEpochs;
        warpTo(taskId, epoch, fin ? 100 : 6100);
        drawSeed(taskId);
        for (uint256 j; j < validators.length; ++j) {
            uint256[] memory words = pack(scores[j]);
            vm.prank(validators[j]);
            book.commitScores(taskId, keccak256(abi.encode(taskId, epoch, validators[j], words, bytes32(j))));
        }
        warpTo(taskId, epoch, fin ? 7100 : 8600);
        for (uint256 j; j < validators.length; ++j) {
            vm.prank(validators[j]);
            book.revealScores(taskId, pack(scores[j]), bytes32(j));
        }
    }

    /// @notice Finalizes the task's next epoch; returns the gas of the largest call and the calls.
    function finalizeEpoch(uint256 taskId) internal returns (uint256 maxGas, uint256 calls) {
        bool done;
        while (!done) {
            uint256 g = gasleft();
            (, done) = engine.finalize(taskId);
            g -= gasleft();
            if (g > maxGas) maxGas = g;
            ++calls;
            require(calls < 200, "finalize does not terminate");
        }
    }

    function addrs(string memory prefix, uint256 count) internal returns (address[] memory out) {
        out = new address[](count);
        for (uint256 i; i < count; ++i) {
            out[i] = makeAddr(string.concat(prefix, vm.toString(i)));
        }
    }
}
