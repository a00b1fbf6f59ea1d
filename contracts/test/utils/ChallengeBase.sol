// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaTest} from "./ArenaTest.sol";
import {ArenaToken} from "../../src/ArenaToken.sol";
import {TaskRegistry} from "../../src/TaskRegistry.sol";
import {StakeManager} from "../../src/StakeManager.sol";
import {SubmissionBook} from "../../src/SubmissionBook.sol";
import {ChallengeModule} from "../../src/ChallengeModule.sol";
import {Challenge, ChallengeStatus} from "../../src/interfaces/IChallengeModule.sol";
import {WatermarkOwnershipVerifier} from "../../src/verifiers/WatermarkOwnershipVerifier.sol";
import {TaskParams, ChallengeParams, Role, Schedule} from "../../src/lib/TaskTypes.sol";
import {ScheduleLib} from "../../src/lib/ScheduleLib.sol";
import {ChallengeProofs as P} from "../fixtures/challenge/ChallengeProofs.sol";

/// @notice The protocol with the real ChallengeModule and the snarkjs-generated verifier bound,
/// and the cast of the proof fixture (scripts/zk/fixtures-challenge.ts): alice, bob and carol
/// are trainers with the fixture's key commitments; every proof used is a real Groth16 proof of
/// the production circuit. Jurors jur1..jur3 are validators with different stakes for the
/// verdict votes (SPEC 8.4).
abstract contract ChallengeBase is ArenaTest {
    using ScheduleLib for Schedule;

    uint128 internal constant BOND = 100e18;
    uint32 internal constant RESPONSE = 300;
    uint16 internal constant SLASH = 2500;
    uint32 internal constant DISPUTE = 200;
    /// @dev Commits in the first 200 s, reveals in the next 200 s.
    uint32 internal constant VOTE = 400;
    uint16 internal constant JURY = 1000;
    uint256 internal constant STAKE = 100e18;
    uint256 internal constant VSTAKE = 50e18;
    uint256 internal constant DELEGATED = 40e18;
    uint256 internal constant J1 = 30e18;
    uint256 internal constant J2 = 20e18;
    uint256 internal constant J3 = 60e18;
    bytes32 internal constant MANIFEST = keccak256("manifest of the transcript");

    WatermarkOwnershipVerifier internal verifier;
    ChallengeModule internal module;

    address internal alice = P.ALICE;
    address internal bob = P.BOB;
    address internal carol = P.CAROL;
    address internal val1 = makeAddr("val1");
    address internal val2 = makeAddr("val2");
    address internal jur1 = makeAddr("jur1");
    address internal jur2 = makeAddr("jur2");
    address internal jur3 = makeAddr("jur3");
    address internal dave = makeAddr("dave");
    address internal erin = makeAddr("erin");

    uint256 internal taskId;

    function setUp() public virtual override {
        vm.warp(1_700_000_000);
        vm.roll(100);
        token = new ArenaToken(address(this), 0);
        registry = new TaskRegistry(token, REJECT_QUORUM, MIN_REVIEW);
        stakes = new StakeManager(token, registry);
        book = new SubmissionBook(registry, stakes);
        engine = deployEngine();
        verifier = new WatermarkOwnershipVerifier();
        module = new ChallengeModule(token, registry, stakes, book, verifier, P.MODULE_MAX_ERR);
        registry.bind(address(engine), address(stakes));
        stakes.bind(address(engine), address(module));
    }

    // ------------------------------------------------------------------ scenario builders

    function challengeParams(uint128 bond, uint32 responseTime, uint16 slashBps, uint16 juryBps)
        internal
        pure
        returns (ChallengeParams memory)
    {
        return ChallengeParams({
            bond: bond,
            responseTime: responseTime,
            slashBps: slashBps,
            disputeTime: DISPUTE,
            voteTime: VOTE,
            juryBps: juryBps
        });
    }

    function newTask(uint128 bond, uint32 responseTime, uint16 slashBps) internal returns (uint256 id) {
        return newTask(challengeParams(bond, responseTime, slashBps, JURY));
    }

    function newTask(ChallengeParams memory c) internal returns (uint256 id) {
        TaskParams memory p = defaultParams();
        p.challenge = c;
        id = createTask(p);
    }

    function joinWithKey(uint256 id, address who, bytes32 keyCommit) internal {
        fund(who, STAKE);
        vm.prank(who);
        stakes.join(id, Role.Trainer, STAKE, 0.5e18, keyCommit);
    }

    /// @notice A validator that has approved the module for its bonds, with tokens for `bonds`.
    function joinChallenger(uint256 id, address who, uint256 bonds) internal {
        joinValidator(id, who, VSTAKE, 0.5e18);
        token.faucet(who, bonds);
        vm.prank(who);
        token.approve(address(module), type(uint256).max);
    }

    function nextBlock() internal {
        vm.roll(block.number + 1);
    }

    /// @notice Seals (each in its own block) and reveals one submission per trainer in `epoch`,
    /// each with the default seeded transcript of 8 segments.
    function submitEpoch(uint256 id, uint256 epoch, address[] memory who, bytes32[] memory wm)
        internal
        returns (uint256[] memory subIds)
    {
        warpTo(id, epoch, 100);
        for (uint256 i; i < who.length; ++i) {
            nextBlock();
            vm.prank(who[i]);
            book.sealSubmission(id, sealHash(id, epoch, who[i], artifactOf(who[i], epoch), wm[i], bytes32(i)));
        }
        warpTo(id, epoch, 5500);
        nextBlock();
        subIds = new uint256[](who.length);
        for (uint256 i; i < who.length; ++i) {
            vm.prank(who[i]);
            subIds[i] = book.revealSubmission(
                id, artifactOf(who[i], epoch), artifactRootOf(who[i], epoch), wm[i], seeded(), bytes32(i)
            );
        }
    }

    function wms(bytes32 a) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](1);
        out[0] = a;
    }

    function wms(bytes32 a, bytes32 b) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](2);
        (out[0], out[1]) = (a, b);
    }

    /// @notice The standard cast: alice (KA) delegated by dave, bob (KB) delegated by erin, carol
    /// (KC), validators val1 and val2 (challengers) and jurors jur1..jur3 (30, 20 and 60 tokens).
    /// Epoch 0: alice reveals A0 (submission 0), carol C12 (1). Epoch 1: alice reveals A1 (2)
    /// and bob S (3), his re-watermark of alice's A0.
    function standardTask() internal {
        taskId = newTask(BOND, RESPONSE, SLASH);
        joinWithKey(taskId, alice, P.KA);
        joinWithKey(taskId, bob, P.KB);
        joinWithKey(taskId, carol, P.KC);
        joinChallenger(taskId, val1, 10 * uint256(BOND));
        joinChallenger(taskId, val2, 10 * uint256(BOND));
        joinValidator(taskId, jur1, J1, 0.5e18);
        joinValidator(taskId, jur2, J2, 0.5e18);
        joinValidator(taskId, jur3, J3, 0.5e18);
        delegateTo(taskId, dave, alice, DELEGATED);
        delegateTo(taskId, erin, bob, DELEGATED);
        uint256[] memory ids = submitEpoch(taskId, 0, two(alice, carol), wms(P.WM_A0, P.WM_C12));
        assertEq(ids[0], 0);
        assertEq(ids[1], 1);
        ids = submitEpoch(taskId, 1, two(alice, bob), wms(P.WM_A1, P.WM_S));
        assertEq(ids[0], 2);
        assertEq(ids[1], 3);
    }

    /// @notice Scores epochs 0 and 1 and finalizes them, so every trainer has booked rewards.
    function bookEpochs01() internal {
        scoreAll(taskId, 0, two(val1, val2), rows(row(9000, 7000), row(8800, 7200)));
        warpTo(taskId, 1, 9000);
        finalizeEpoch(taskId);
        scoreAll(taskId, 1, two(val1, val2), rows(row(9100, 6000), row(9000, 6100)));
        warpTo(taskId, 2, 100);
        finalizeEpoch(taskId);
    }

    // ------------------------------------------------------------------ challenge steps

    function open(address who, uint256 submissionId) internal returns (uint256 id) {
        vm.prank(who);
        id = module.challenge(taskId, submissionId);
    }

    function prove(uint256 id, uint256[8] memory proof) internal {
        vm.prank(module.getChallenge(id).trainer);
        module.respond(id, proof);
    }

    function discloseIt(uint256 id) internal {
        vm.prank(module.getChallenge(id).trainer);
        module.disclose(id, MANIFEST);
    }

    /// @notice Proof and disclosure: the response is complete, the dispute window opens.
    function answer(uint256 id, uint256[8] memory proof) internal {
        prove(id, proof);
        discloseIt(id);
    }

    function disputeBy(address who, uint256 id, uint256 segment) internal {
        vm.prank(who);
        module.dispute(id, segment);
    }

    function saltOf(address juror, uint256 id) internal pure returns (bytes32) {
        return keccak256(abi.encode("verdict salt", juror, id));
    }

    /// @notice The verdict commitment of docs/contracts.md, written out here (not taken from the
    /// module): keccak256(abi.encode(challengeId, segment, juror, replays, salt)).
    function verdictHash(uint256 id, uint256 segment, address juror, bool replays, bytes32 salt)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(id, segment, juror, replays, salt));
    }

    function commitV(address juror, uint256 id, bool replays) internal {
        uint256 segment = module.getChallenge(id).segment;
        vm.prank(juror);
        module.commitVerdict(id, verdictHash(id, segment, juror, replays, saltOf(juror, id)));
    }

    function revealV(address juror, uint256 id, bool replays) internal {
        vm.prank(juror);
        module.revealVerdict(id, replays, saltOf(juror, id));
    }

    /// @notice Every juror commits, then (in the reveal half) reveals; time is left after the vote.
    function vote(uint256 id, address[] memory jurors, bool[] memory replays) internal {
        for (uint256 i; i < jurors.length; ++i) {
            commitV(jurors[i], id, replays[i]);
        }
        vm.warp(module.getChallenge(id).commitEnd);
        for (uint256 i; i < jurors.length; ++i) {
            revealV(jurors[i], id, replays[i]);
        }
        vm.warp(module.getChallenge(id).voteEnd + 1);
    }

    function endTime() internal view returns (uint256) {
        return registry.schedule(taskId).endTime();
    }

    function openCount(address trainer) internal view returns (uint256) {
        return stakes.getPool(taskId, trainer).openChallenges;
    }

    function statusOf(uint256 id) internal view returns (ChallengeStatus) {
        return module.getChallenge(id).status;
    }

    function unsettled(ChallengeStatus s) internal pure returns (bool) {
        return s == ChallengeStatus.Open || s == ChallengeStatus.Answered || s == ChallengeStatus.Disputed;
    }

    function inputs(bytes32 wm, bytes32 key, address owner, uint256 maxErr) internal pure returns (uint256[4] memory) {
        return [uint256(wm), uint256(key), uint256(uint160(owner)), maxErr];
    }

    function verifies(uint256[8] memory p, uint256[4] memory input) internal view returns (bool) {
        return verifier.verifyProof([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], input);
    }

    function addrs3(address a, address b, address c) internal pure returns (address[] memory out) {
        out = new address[](3);
        (out[0], out[1], out[2]) = (a, b, c);
    }

    function addrs4(address a, address b, address c, address d) internal pure returns (address[] memory out) {
        out = new address[](4);
        (out[0], out[1], out[2], out[3]) = (a, b, c, d);
    }

    function bools(bool a) internal pure returns (bool[] memory out) {
        out = new bool[](1);
        out[0] = a;
    }

    function bools(bool a, bool b) internal pure returns (bool[] memory out) {
        out = new bool[](2);
        (out[0], out[1]) = (a, b);
    }

    function bools(bool a, bool b, bool c) internal pure returns (bool[] memory out) {
        out = new bool[](3);
        (out[0], out[1], out[2]) = (a, b, c);
    }

    function bools(bool a, bool b, bool c, bool d) internal pure returns (bool[] memory out) {
        out = new bool[](4);
        (out[0], out[1], out[2], out[3]) = (a, b, c, d);
    }
}
