// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "./utils/LeanTest.sol";
import {ArenaTest} from "./utils/ArenaTest.sol";
import {ArenaToken} from "../src/ArenaToken.sol";
import {TaskRegistry} from "../src/TaskRegistry.sol";
import {StakeManager} from "../src/StakeManager.sol";
import {SubmissionBook} from "../src/SubmissionBook.sol";
import {ChallengeModule} from "../src/ChallengeModule.sol";
import {IChallengeModule, Challenge, ChallengeStatus} from "../src/interfaces/IChallengeModule.sol";
import {WatermarkOwnershipVerifier} from "../src/verifiers/WatermarkOwnershipVerifier.sol";
import {TaskParams, ChallengeParams, Role, Schedule, PermitSig} from "../src/lib/TaskTypes.sol";
import {ScheduleLib} from "../src/lib/ScheduleLib.sol";
import {ChallengeProofs as P} from "./fixtures/challenge/ChallengeProofs.sol";

/// @notice The protocol with the real ChallengeModule and the snarkjs-generated verifier bound,
/// and the cast of the proof fixture (scripts/zk/fixtures-challenge.ts): alice, bob and carol
/// are trainers with the fixture's key commitments; every proof used below is a real Groth16
/// proof of the production circuit.
abstract contract ChallengeBase is ArenaTest {
    using ScheduleLib for Schedule;

    uint128 internal constant BOND = 100e18;
    uint32 internal constant RESPONSE = 300;
    uint16 internal constant SLASH = 2500;
    uint256 internal constant STAKE = 100e18;
    uint256 internal constant VSTAKE = 50e18;
    uint256 internal constant DELEGATED = 40e18;

    WatermarkOwnershipVerifier internal verifier;
    ChallengeModule internal module;

    address internal alice = P.ALICE;
    address internal bob = P.BOB;
    address internal carol = P.CAROL;
    address internal val1 = makeAddr("val1");
    address internal val2 = makeAddr("val2");
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

    function newTask(uint128 bond, uint32 responseTime, uint16 slashBps) internal returns (uint256 id) {
        TaskParams memory p = defaultParams();
        p.challenge = ChallengeParams({bond: bond, responseTime: responseTime, slashBps: slashBps});
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

    /// @notice Seals (each in its own block) and reveals one submission per trainer in `epoch`.
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
            subIds[i] = book.revealSubmission(id, artifactOf(who[i], epoch), wm[i], bytes32(i));
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
    /// (KC), validators val1 and val2. Epoch 0: alice reveals A0 (submission 0), carol C12 (1).
    /// Epoch 1: alice reveals A1 (2) and bob S (3), his re-watermark of alice's A0.
    function standardTask() internal {
        taskId = newTask(BOND, RESPONSE, SLASH);
        joinWithKey(taskId, alice, P.KA);
        joinWithKey(taskId, bob, P.KB);
        joinWithKey(taskId, carol, P.KC);
        joinChallenger(taskId, val1, 10 * uint256(BOND));
        joinChallenger(taskId, val2, 10 * uint256(BOND));
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

    function open(address who, uint256 submissionId) internal returns (uint256 id) {
        vm.prank(who);
        id = module.challenge(taskId, submissionId);
    }

    function endTime() internal view returns (uint256) {
        return registry.schedule(taskId).endTime();
    }

    function openCount(address trainer) internal view returns (uint256) {
        return stakes.getPool(taskId, trainer).openChallenges;
    }

    function inputs(bytes32 wm, bytes32 key, address owner, uint256 maxErr) internal pure returns (uint256[4] memory) {
        return [uint256(wm), uint256(key), uint256(uint160(owner)), maxErr];
    }

    function verifies(uint256[8] memory p, uint256[4] memory input) internal view returns (bool) {
        return verifier.verifyProof([p[0], p[1]], [[p[2], p[3]], [p[4], p[5]]], [p[6], p[7]], input);
    }
}

contract ChallengeModuleTest is ChallengeBase {
    using ScheduleLib for Schedule;

    function setUp() public override {
        super.setUp();
        standardTask();
    }

    // ================================================================ the fixture is real

    function test_fixtureProofsVerifyForTheirOwnClaims() public {
        assertTrue(verifies(P.aliceA0(), inputs(P.WM_A0, P.KA, alice, 8)));
        assertTrue(verifies(P.aliceA0OtherKey(), inputs(P.WM_A0, P.KA2, alice, 8)));
        assertTrue(verifies(P.aliceA1(), inputs(P.WM_A1, P.KA, alice, 8)));
        assertTrue(verifies(P.aliceStolen(), inputs(P.WM_S, P.KA, alice, 8)));
        assertTrue(verifies(P.bobStolen(), inputs(P.WM_S, P.KB, bob, 8)));
        assertTrue(verifies(P.carolC12(), inputs(P.WM_C12, P.KC, carol, 12)));
        // The key mallory fitted to alice's public A0 proves "ownership" of it for mallory.
        assertTrue(verifies(P.malloryFitted(), inputs(P.WM_A0, P.KM, P.MALLORY, 8)));
        assertEq(module.maxErr(), 8);
        // The fixture's owners are the forge-std makeAddr names the tests use.
        assertEq(P.ALICE, makeAddr("alice"));
        assertEq(P.BOB, makeAddr("bob"));
        assertEq(P.CAROL, makeAddr("carol"));
        assertEq(P.MALLORY, makeAddr("mallory"));
    }

    // ================================================================ opening

    function test_challenge_takesTheBondAndCountsTheChallenge() public {
        uint256 before = token.balanceOf(val1);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeOpened(1, taskId, alice, val1, 0, BOND, block.timestamp + RESPONSE);
        uint256 id = open(val1, 0);
        assertEq(id, 1);
        assertEq(token.balanceOf(val1), before - BOND);
        assertEq(token.balanceOf(address(module)), BOND);
        assertEq(module.openBonds(), BOND);
        assertEq(openCount(alice), 1);
        Challenge memory c = module.getChallenge(id);
        assertEq(c.taskId, taskId);
        assertEq(c.challenger, val1);
        assertEq(c.trainer, alice);
        assertEq(c.submissionId, 0);
        assertEq(c.bond, BOND);
        assertEq(c.deadline, block.timestamp + RESPONSE);
        assertEq(uint256(c.status), uint256(ChallengeStatus.Open));
        uint256[4] memory want = inputs(P.WM_A0, P.KA, alice, 8);
        uint256[4] memory got = module.responseInputs(id);
        for (uint256 i; i < 4; ++i) {
            assertEq(got[i], want[i]);
        }
    }

    function test_challenge_withPermitNeedsNoApproval() public {
        uint256 pk = 0xC0FFEE;
        address v = vm.addr(pk);
        joinValidator(taskId, v, VSTAKE, 0.5e18);
        token.faucet(v, BOND);
        assertEq(token.allowance(v, address(module)), 0);
        PermitSig memory sig = signPermit(pk, address(module), BOND, block.timestamp + 1 hours);
        vm.prank(v);
        uint256 id = module.challengeWithPermit(taskId, 0, sig);
        assertEq(token.balanceOf(v), 0);
        assertEq(token.balanceOf(address(module)), BOND);
        assertEq(module.getChallenge(id).challenger, v);
    }

    function test_challenge_refusesWhoIsNotAStakedValidator() public {
        address nobody = makeAddr("nobody");
        token.faucet(nobody, BOND);
        vm.prank(nobody);
        token.approve(address(module), type(uint256).max);
        vm.prank(nobody);
        vm.expectRevert(IChallengeModule.NotValidator.selector);
        module.challenge(taskId, 0);
        // A trainer and a delegator are not validators either.
        vm.prank(bob);
        vm.expectRevert(IChallengeModule.NotValidator.selector);
        module.challenge(taskId, 0);
        vm.prank(dave);
        vm.expectRevert(IChallengeModule.NotValidator.selector);
        module.challenge(taskId, 0);
        // (A validator below the task's minimum stake cannot exist: joining needs the minimum.)
    }

    function test_challenge_refusesAnUnrevealedOrUnknownSubmission() public {
        // Epoch 2: bob seals and never reveals. Only revealed submissions get an id (0..3 so far).
        warpTo(taskId, 2, 100);
        vm.prank(bob);
        book.sealSubmission(taskId, sealHash(taskId, 2, bob, bytes32("x"), P.WM_S, bytes32(0)));
        warpTo(taskId, 2, 6500);
        assertEq(book.submissionCount(taskId), 4);
        vm.prank(val1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.UnknownSubmission.selector, 4));
        module.challenge(taskId, 4);
        vm.prank(val1);
        vm.expectRevert(abi.encodeWithSelector(TaskRegistry.UnknownTask.selector, 99));
        module.challenge(99, 0);
    }

    function test_challenge_closesWithTheChallengePhase() public {
        uint256 end = endTime();
        vm.warp(end - 1);
        uint256 id = open(val1, 3);
        assertEq(id, 1);
        vm.warp(end);
        vm.prank(val1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ChallengePeriodOver.selector, end));
        module.challenge(taskId, 3);
    }

    function test_challenge_refusesAProvenSubmission() public {
        uint256 id = open(val1, 0);
        vm.prank(alice);
        module.respond(id, P.aliceA0());
        assertTrue(module.proven(taskId, 0));
        vm.prank(val2);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.AlreadyProven.selector, 0));
        module.challenge(taskId, 0);
        // Another submission of the same trainer can still be challenged.
        assertEq(open(val2, 2), 2);
    }

    /// @notice Issue 9, exploit 4: several challenges opened before the first answer each
    /// needed their own response. Now at most one per submission is open at a time.
    function test_exploit4_secondOpenChallengeOnASubmissionReverts() public {
        uint256 id = open(val1, 0);
        assertEq(module.openChallengeOf(taskId, 0), id);
        vm.prank(val2);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ChallengeAlreadyOpen.selector, id));
        module.challenge(taskId, 0);
        assertEq(openCount(alice), 1);
        // Other submissions, of the same trainer too, can be challenged meanwhile.
        uint256 other = open(val2, 2);
        assertEq(module.openChallengeOf(taskId, 2), other);
        // Once the first is settled the slot is free again (here: answered, so proven for good).
        vm.prank(alice);
        module.respond(id, P.aliceA0());
        assertEq(module.openChallengeOf(taskId, 0), 0);
        vm.prank(val2);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.AlreadyProven.selector, 0));
        module.challenge(taskId, 0);
    }

    /// @notice Issue 9, exploit 4: a challenge opened before a passed one used to stand, and
    /// timing it out forfeited a trainer whose submission was proven. Now no second challenge
    /// exists, and a proven submission's trainer keeps everything after every deadline.
    function test_exploit4_provenSubmissionIsNeverForfeited() public {
        bookEpochs01();
        uint256 own = ownRewards(taskId, alice);
        uint256 first = open(val1, 0);
        vm.prank(val2);
        (bool opened,) = address(module).call(abi.encodeCall(module.challenge, (taskId, 0)));
        assertFalse(opened, "a second challenge of the submission was opened");
        vm.prank(alice);
        module.respond(first, P.aliceA0());
        vm.warp(block.timestamp + 2 * RESPONSE);
        uint256 last = module.challengeCount();
        for (uint256 id = 1; id <= last; ++id) {
            try module.resolve(id) {} catch {}
        }
        StakeManager.Pool memory pool = stakes.getPool(taskId, alice);
        assertFalse(pool.forfeited, "a proven submission's trainer forfeited");
        assertEq(pool.ownLatest, STAKE, "slashed");
        assertEq(pool.ownRewards, own);
        assertEq(pool.openChallenges, 0);
    }

    /// @notice `resolve` voids a challenge of a proven submission (bond back, nothing forfeited).
    /// The module itself never lets a challenge stay open once its submission is proven, so the
    /// state is written directly: the guard must hold on its own.
    function test_resolve_voidsAChallengeOfAProvenSubmission() public {
        uint256 id = open(val1, 0);
        // `proven` is the module's third storage slot (after challengeCount and openBonds).
        bytes32 slot = keccak256(abi.encode(uint256(0), keccak256(abi.encode(taskId, uint256(2)))));
        assertEq(vm.load(address(module), slot), bytes32(0));
        vm.store(address(module), slot, bytes32(uint256(1)));
        assertTrue(module.proven(taskId, 0));
        vm.warp(module.getChallenge(id).deadline + 1);
        uint256 before = token.balanceOf(val1);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeVoided(id, taskId, alice, val1, BOND);
        module.resolve(id);
        assertEq(token.balanceOf(val1), before + BOND);
        assertFalse(stakes.getPool(taskId, alice).forfeited);
        assertEq(openCount(alice), 0);
        assertEq(module.openChallengeOf(taskId, 0), 0);
    }

    // ================================================================ responses

    function test_respond_validProofProvesAndReturnsTheBond() public {
        uint256 valBefore = token.balanceOf(val1);
        uint256 id = open(val1, 0);
        uint256 aliceBefore = token.balanceOf(alice);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeAnswered(id, taskId, alice, val1, BOND);
        vm.prank(alice);
        module.respond(id, P.aliceA0());
        // The proof is necessary, not sufficient: nobody wins the bond until SPEC section 8.
        assertEq(token.balanceOf(alice), aliceBefore);
        assertEq(token.balanceOf(val1), valBefore);
        assertTrue(module.proven(taskId, 0));
        assertEq(module.openChallengeOf(taskId, 0), 0);
        assertEq(token.balanceOf(address(module)), 0);
        assertEq(module.openBonds(), 0);
        assertEq(openCount(alice), 0);
        assertEq(uint256(module.getChallenge(id).status), uint256(ChallengeStatus.Answered));
        assertFalse(stakes.getPool(taskId, alice).forfeited);
    }

    function test_respond_rejectsAProofOfAnotherSubmission() public {
        // Alice's epoch-1 model A1 is challenged; her proof for A0 does not answer it.
        uint256 id = open(val1, 2);
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.InvalidProof.selector);
        module.respond(id, P.aliceA0());
        vm.prank(alice);
        module.respond(id, P.aliceA1());
        assertEq(uint256(module.getChallenge(id).status), uint256(ChallengeStatus.Answered));
    }

    function test_respond_rejectsAProofForAnotherOwner() public {
        // A copier joins with alice's (public) key commitment and reveals alice's exact weights,
        // then replays alice's (public) proof: the proof names alice, the challenge the copier.
        address copier = makeAddr("copier");
        warpTo(taskId, 1, 9000);
        joinWithKey(taskId, copier, P.KA);
        uint256[] memory ids = submitEpoch(taskId, 2, one(copier), wms(P.WM_A0));
        uint256 id = open(val1, ids[0]);
        assertTrue(verifies(P.aliceA0(), inputs(P.WM_A0, P.KA, alice, 8)));
        vm.prank(copier);
        vm.expectRevert(IChallengeModule.InvalidProof.selector);
        module.respond(id, P.aliceA0());
    }

    function test_respond_rejectsAProofWithAnotherKey() public {
        // A0 carries alice's address under her second key too, but KA is what she committed.
        uint256 id = open(val1, 0);
        assertTrue(verifies(P.aliceA0OtherKey(), inputs(P.WM_A0, P.KA2, alice, 8)));
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.InvalidProof.selector);
        module.respond(id, P.aliceA0OtherKey());
    }

    function test_respond_rejectsAProofWithAChangedMaxErr() public {
        // C12 decodes carol's address with 12 wrong bits: provable with maxErr 12, not with 8.
        uint256 id = open(val1, 1);
        assertTrue(verifies(P.carolC12(), inputs(P.WM_C12, P.KC, carol, 12)));
        assertFalse(verifies(P.carolC12(), inputs(P.WM_C12, P.KC, carol, 8)));
        vm.prank(carol);
        vm.expectRevert(IChallengeModule.InvalidProof.selector);
        module.respond(id, P.carolC12());
    }

    function test_respond_rejectsATamperedProof() public {
        uint256 id = open(val1, 0);
        uint256[8] memory p = P.aliceA0();
        // -A is still a curve point, so the verifier reaches the pairing and returns false there.
        // (An off-curve point makes the precompile fail, which burns the gas it was given: the
        // same InvalidProof, at the sender's expense.)
        p[1] = 21888242871839275222246405745257275088696311157297823662689037894645226208583 - p[1];
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.InvalidProof.selector);
        module.respond(id, p);
    }

    function test_respond_onlyByTheAccused() public {
        uint256 id = open(val1, 0);
        vm.prank(val2);
        vm.expectRevert(IChallengeModule.NotAccused.selector);
        module.respond(id, P.aliceA0());
    }

    function test_respond_acceptedAtTheDeadlineAndRejectedAfter() public {
        uint256 id = open(val1, 0);
        uint256 deadline = module.getChallenge(id).deadline;
        vm.warp(deadline + 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ResponseTooLate.selector, deadline));
        module.respond(id, P.aliceA0());
        // A challenge of her other submission, answered in the deadline's very second.
        uint256 id2 = open(val2, 2);
        vm.warp(module.getChallenge(id2).deadline);
        vm.prank(alice);
        module.respond(id2, P.aliceA1());
        assertEq(uint256(module.getChallenge(id2).status), uint256(ChallengeStatus.Answered));
    }

    function test_respond_toAnUnknownOrSettledChallenge() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.UnknownChallenge.selector, 7));
        module.respond(7, P.aliceA0());
        uint256 id = open(val1, 0);
        vm.prank(alice);
        module.respond(id, P.aliceA0());
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(IChallengeModule.ChallengeNotOpen.selector, id, ChallengeStatus.Answered)
        );
        module.respond(id, P.aliceA0());
    }

    function test_respond_gasWithTheRealVerifier() public {
        uint256 id = open(val1, 0);
        uint256[8] memory proof = P.aliceA0();
        // As in a transaction of its own: every account and slot cold.
        vm.cool(address(module));
        vm.cool(address(stakes));
        vm.cool(address(book));
        vm.cool(address(verifier));
        vm.cool(address(token));
        vm.cool(address(registry));
        vm.prank(alice);
        uint256 g = gasleft();
        module.respond(id, proof);
        g -= gasleft();
        emit log_named_uint("respond gas (cold, without the 21k base and calldata)", g);
        assertLt(g, 350_000);
    }

    // ================================================================ timeouts

    function test_resolve_beforeTheDeadlineIsRefused() public {
        uint256 id = open(val1, 0);
        uint256 deadline = module.getChallenge(id).deadline;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ResponseWindowOpen.selector, deadline));
        module.resolve(id);
    }

    function test_resolve_slashesAndRedirectsTheUnvestedRewards() public {
        bookEpochs01();
        uint256 own = ownRewards(taskId, alice);
        uint256 toDelegators = delegatorRewards(taskId, alice);
        uint256 daveShare = stakes.pendingDelegationRewards(taskId, alice, dave);
        assertGt(own, 0);
        assertGt(toDelegators, 0);
        assertEq(daveShare, toDelegators, "dave is alice's only delegator");
        uint256 slash = (STAKE * SLASH) / 10_000;

        uint256 id = open(val1, 2);
        vm.warp(module.getChallenge(id).deadline + 1);
        uint256 valBefore = token.balanceOf(val1);
        uint256 stakesBefore = token.balanceOf(address(stakes));
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeUpheld(id, taskId, alice, val1, BOND, own + toDelegators, slash);
        vm.prank(makeAddr("anyone"));
        module.resolve(id);

        assertEq(token.balanceOf(val1), valBefore + BOND + own + toDelegators + slash);
        assertEq(token.balanceOf(address(stakes)), stakesBefore - own - toDelegators - slash);
        assertEq(token.balanceOf(address(module)), 0);
        assertEq(module.openBonds(), 0);
        StakeManager.Pool memory pool = stakes.getPool(taskId, alice);
        assertTrue(pool.forfeited);
        assertTrue(pool.excluded);
        assertEq(pool.ownLatest, STAKE - slash);
        assertEq(pool.ownRewards, 0);
        assertEq(pool.delegatorRewards, 0);
        assertEq(pool.openChallenges, 0);
        assertEq(uint256(module.getChallenge(id).status), uint256(ChallengeStatus.Upheld));
        // Later submissions are excluded: alice cannot seal in epoch 2 (its seal window is open).
        vm.prank(alice);
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.sealSubmission(taskId, bytes32("late"));

        // After the end: the delegator keeps its principal and loses the forfeited rewards; alice
        // gets back what was not slashed.
        vm.warp(endTime());
        vm.prank(dave);
        vm.expectRevert(StakeManager.RewardsForfeited.selector);
        stakes.claimDelegationRewards(taskId, alice);
        vm.prank(dave);
        stakes.withdrawDelegation(taskId, alice);
        assertEq(token.balanceOf(dave), DELEGATED);
        uint256 aliceBefore = token.balanceOf(alice);
        vm.prank(alice);
        stakes.withdrawStake(taskId);
        assertEq(token.balanceOf(alice), aliceBefore + STAKE - slash);
    }

    function test_resolve_twiceIsRefused() public {
        uint256 id = open(val1, 1);
        vm.warp(module.getChallenge(id).deadline + 1);
        module.resolve(id);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ChallengeNotOpen.selector, id, ChallengeStatus.Upheld));
        module.resolve(id);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ChallengeNotOpen.selector, id, ChallengeStatus.Upheld));
        module.respond(id, P.carolC12());
        // An answered challenge cannot be resolved either.
        uint256 id2 = open(val1, 0);
        vm.prank(alice);
        module.respond(id2, P.aliceA0());
        vm.warp(module.getChallenge(id2).deadline + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IChallengeModule.ChallengeNotOpen.selector, id2, ChallengeStatus.Answered)
        );
        module.resolve(id2);
    }

    function test_resolve_voidsTheOtherChallengesOfAForfeitedTrainer() public {
        uint256 first = open(val1, 0);
        vm.warp(block.timestamp + 200);
        uint256 second = open(val2, 2);
        assertEq(openCount(alice), 2);
        vm.warp(module.getChallenge(first).deadline + 1);
        module.resolve(first);
        assertEq(openCount(alice), 1);
        // Nothing is left to take from alice: the second challenger gets its bond back.
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.AlreadyForfeited.selector);
        module.respond(second, P.aliceA1());
        uint256 before = token.balanceOf(val2);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeVoided(second, taskId, alice, val2, BOND);
        module.resolve(second);
        assertEq(token.balanceOf(val2), before + BOND);
        assertEq(openCount(alice), 0);
        assertEq(token.balanceOf(address(module)), 0);
        // And no new challenge can be opened against her.
        vm.prank(val2);
        vm.expectRevert(IChallengeModule.AlreadyForfeited.selector);
        module.challenge(taskId, 2);
    }

    // ================================================================ fitted keys (issue 9, exploit 1)

    /// @notice Mallory joins once alice's A0 is public, with a key fitted to A0 so that it
    /// decodes mallory's address; alice seals A0 again. The theft claim that let mallory take
    /// alice's rewards, her delegators' share and part of her stake is gone: its selector does
    /// not exist, and alice keeps everything.
    function test_exploit1_fittedKeyCannotTakeAnHonestTrainersRewards() public {
        taskId = newTask(BOND, RESPONSE, SLASH);
        joinWithKey(taskId, alice, P.KA);
        joinChallenger(taskId, val1, BOND);
        delegateTo(taskId, dave, alice, DELEGATED);
        submitEpoch(taskId, 0, one(alice), wms(P.WM_A0));
        // A0 is public now. Mallory fits a key to it and joins with that key.
        address mallory = P.MALLORY;
        warpTo(taskId, 0, 9000);
        nextBlock();
        joinWithKey(taskId, mallory, P.KM);
        // Alice seals her model again in epoch 1 (after mallory's key commitment).
        uint256[] memory ids = submitEpoch(taskId, 1, one(alice), wms(P.WM_A0));
        scoreAll(taskId, 1, one(val1), rows(row(9000)));
        warpTo(taskId, 2, 100);
        finalizeAllOver(taskId);
        StakeManager.Pool memory before = stakes.getPool(taskId, alice);
        assertGt(before.ownRewards, 0);
        assertGt(before.delegatorRewards, 0);
        assertTrue(verifies(P.malloryFitted(), inputs(P.WM_A0, P.KM, mallory, 8)));

        uint256 malloryBefore = token.balanceOf(mallory);
        vm.prank(mallory);
        (bool ok,) = address(module)
            .call(abi.encodeWithSignature("claimTheft(uint256,uint256,uint256[8])", taskId, ids[0], P.malloryFitted()));
        assertFalse(ok, "claimTheft still exists");
        StakeManager.Pool memory pool = stakes.getPool(taskId, alice);
        assertFalse(pool.forfeited, "alice forfeited to the fitted key");
        assertFalse(pool.excluded);
        assertEq(pool.ownRewards, before.ownRewards, "alice lost her rewards");
        assertEq(pool.delegatorRewards, before.delegatorRewards, "alice's delegators lost their share");
        assertEq(pool.ownLatest, STAKE, "alice was slashed");
        assertEq(token.balanceOf(mallory), malloryBefore, "mallory was paid");
    }

    /// @notice A copier re-reveals alice's public weights (wmCommit of A0) with a key fitted to
    /// them: it answers a challenge with a valid proof, but the bond goes back to the
    /// challenger, so the fitted key earns the copier nothing.
    function test_exploit1_copierWithAFittedKeyDoesNotWinTheBond() public {
        address mallory = P.MALLORY;
        warpTo(taskId, 1, 9000);
        joinWithKey(taskId, mallory, P.KM);
        uint256[] memory ids = submitEpoch(taskId, 2, one(mallory), wms(P.WM_A0));
        uint256 valBefore = token.balanceOf(val1);
        uint256 malloryBefore = token.balanceOf(mallory);
        uint256 id = open(val1, ids[0]);
        vm.prank(mallory);
        module.respond(id, P.malloryFitted());
        assertEq(uint256(module.getChallenge(id).status), uint256(ChallengeStatus.Answered));
        assertEq(token.balanceOf(mallory), malloryBefore, "the copier took the bond");
        assertEq(token.balanceOf(val1), valBefore, "the challenger lost its bond");
        assertEq(token.balanceOf(address(module)), 0);
    }

    // ================================================================ vesting

    function test_vesting_waitsForTheOpenChallenge() public {
        bookEpochs01();
        uint256 own = ownRewards(taskId, alice);
        uint256 daveShare = stakes.pendingDelegationRewards(taskId, alice, dave);
        // Challenged a moment before the end; the response window runs past it.
        uint256 end = endTime();
        vm.warp(end - 1);
        uint256 id = open(val1, 0);
        vm.warp(end);
        assertFalse(stakes.isVested(taskId, alice));
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.OpenChallenges.selector, 1));
        stakes.claimOwnRewards(taskId);
        vm.prank(dave);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.OpenChallenges.selector, 1));
        stakes.claimDelegationRewards(taskId, alice);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.OpenChallenges.selector, 1));
        stakes.withdrawStake(taskId);
        // Bob, never challenged, has vested.
        assertTrue(stakes.isVested(taskId, bob));

        vm.prank(alice);
        module.respond(id, P.aliceA0());
        assertTrue(stakes.isVested(taskId, alice));
        uint256 before = token.balanceOf(alice);
        vm.prank(alice);
        stakes.claimOwnRewards(taskId);
        vm.prank(alice);
        stakes.withdrawStake(taskId);
        assertEq(token.balanceOf(alice), before + own + STAKE);
        vm.prank(dave);
        stakes.claimDelegationRewards(taskId, alice);
        assertEq(token.balanceOf(dave), daveShare);
    }
}

/// @notice Exact bond accounting over every outcome, bond size and slash.
contract ChallengeBondFuzzTest is ChallengeBase {
    /// @param outcome 0: both challenges answered; 1: the first times out, the second is void;
    /// 2: the first is answered, the second times out; 3: a second challenge of an open or
    /// proven submission is refused, the first is answered
    function testFuzz_bondAccounting(uint128 bond, uint16 slashBps, uint8 outcome) public {
        bond = uint128(bound(bond, 1e18, 1_000_000e18));
        slashBps = uint16(bound(slashBps, 0, 10_000));
        outcome = uint8(bound(outcome, 0, 3));
        taskId = newTask(bond, RESPONSE, slashBps);
        joinWithKey(taskId, alice, P.KA);
        joinChallenger(taskId, val1, bond);
        joinChallenger(taskId, val2, bond);
        submitEpoch(taskId, 0, one(alice), wms(P.WM_A0));
        submitEpoch(taskId, 1, one(alice), wms(P.WM_A1));
        uint256 c1 = open(val1, 0);
        uint256 c2;
        if (outcome == 3) {
            vm.prank(val2);
            vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ChallengeAlreadyOpen.selector, c1));
            module.challenge(taskId, 0);
            assertEq(token.balanceOf(val2), bond);
        } else {
            c2 = open(val2, 1);
            assertEq(token.balanceOf(val2), 0);
            assertEq(module.openBonds(), 2 * uint256(bond));
        }
        assertEq(token.balanceOf(address(module)), module.openBonds());
        assertEq(token.balanceOf(val1), 0);
        uint256 slash = (STAKE * slashBps) / 10_000;

        if (outcome == 0) {
            vm.startPrank(alice);
            module.respond(c1, P.aliceA0());
            module.respond(c2, P.aliceA1());
            vm.stopPrank();
            assertEq(token.balanceOf(alice), 0);
            assertEq(token.balanceOf(val1), bond);
            assertEq(token.balanceOf(val2), bond);
        } else if (outcome == 1) {
            vm.warp(module.getChallenge(c2).deadline + 1);
            module.resolve(c1);
            assertEq(module.openBonds(), bond);
            module.resolve(c2);
            assertEq(uint256(module.getChallenge(c2).status), uint256(ChallengeStatus.Voided));
            assertEq(token.balanceOf(val1), uint256(bond) + slash);
            assertEq(token.balanceOf(val2), bond);
            assertEq(token.balanceOf(alice), 0);
            assertEq(stakes.getPool(taskId, alice).ownLatest, STAKE - slash);
        } else if (outcome == 2) {
            vm.prank(alice);
            module.respond(c1, P.aliceA0());
            vm.warp(module.getChallenge(c2).deadline + 1);
            module.resolve(c2);
            assertEq(token.balanceOf(alice), 0);
            assertEq(token.balanceOf(val1), bond);
            assertEq(token.balanceOf(val2), uint256(bond) + slash);
        } else {
            vm.prank(alice);
            module.respond(c1, P.aliceA0());
            vm.prank(val2);
            vm.expectRevert(abi.encodeWithSelector(IChallengeModule.AlreadyProven.selector, 0));
            module.challenge(taskId, 0);
            assertEq(token.balanceOf(val1), bond);
            assertEq(token.balanceOf(val2), bond);
            assertFalse(stakes.getPool(taskId, alice).forfeited);
        }
        assertEq(token.balanceOf(address(module)), 0);
        assertEq(module.openBonds(), 0);
        assertEq(stakes.getPool(taskId, alice).openChallenges, 0);
        assertEq(module.openChallengeOf(taskId, 0), 0);
        assertEq(module.openChallengeOf(taskId, 1), 0);
    }
}

/// @notice Drives challenges, responses and resolutions in random order.
contract ChallengeHandler is Test {
    ChallengeModule internal module;
    StakeManager internal stakes;
    uint256 internal taskId;
    address[2] internal validators;
    address internal alice;

    uint256 public opened;
    uint256 public answered;
    uint256 public settled;

    constructor(ChallengeModule module_, StakeManager stakes_, uint256 taskId_, address v1, address v2) {
        module = module_;
        stakes = stakes_;
        taskId = taskId_;
        validators = [v1, v2];
        alice = P.ALICE;
    }

    function open(uint256 who, uint256 sub) external {
        sub = bound(sub, 0, 3);
        vm.prank(validators[who % 2]);
        try module.challenge(taskId, sub) {
            ++opened;
        } catch {}
    }

    function respond(uint256 idSeed) external {
        if (module.challengeCount() == 0) return;
        uint256 id = bound(idSeed, 1, module.challengeCount());
        Challenge memory c = module.getChallenge(id);
        vm.prank(c.trainer);
        try module.respond(id, proofFor(c.submissionId)) {
            ++answered;
        } catch {}
    }

    function resolve(uint256 idSeed) external {
        if (module.challengeCount() == 0) return;
        uint256 id = bound(idSeed, 1, module.challengeCount());
        try module.resolve(id) {
            ++settled;
        } catch {}
    }

    function wait(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 400));
    }

    /// @dev Submission ids of the standard task: 0 A0 (alice), 1 C12 (carol, unprovable with
    /// maxErr 8), 2 A1 (alice), 3 S (bob).
    function proofFor(uint256 sub) internal pure returns (uint256[8] memory) {
        if (sub == 0) return P.aliceA0();
        if (sub == 1) return P.carolC12();
        if (sub == 2) return P.aliceA1();
        return P.bobStolen();
    }
}

contract ChallengeInvariantTest is ChallengeBase {
    ChallengeHandler internal handler;

    function setUp() public override {
        super.setUp();
        standardTask();
        handler = new ChallengeHandler(module, stakes, taskId, val1, val2);
        // Enough bonds for every open call of a run.
        token.faucet(val1, 200 * uint256(BOND));
        token.faucet(val2, 200 * uint256(BOND));
        targetContract(address(handler));
    }

    /// @notice The module holds exactly the bonds of its open challenges.
    function invariant_balanceIsTheSumOfOpenBonds() public view {
        uint256 sum;
        for (uint256 id = 1; id <= module.challengeCount(); ++id) {
            Challenge memory c = module.getChallenge(id);
            if (c.status == ChallengeStatus.Open) sum += c.bond;
        }
        assertEq(token.balanceOf(address(module)), sum);
        assertEq(module.openBonds(), sum);
    }

    /// @notice The stake manager's count of open challenges per trainer matches the module's.
    function invariant_openCountsMatchTheStakeManager() public view {
        address[3] memory trainers = [alice, bob, carol];
        for (uint256 t; t < 3; ++t) {
            uint256 open;
            for (uint256 id = 1; id <= module.challengeCount(); ++id) {
                Challenge memory c = module.getChallenge(id);
                if (c.status == ChallengeStatus.Open && c.trainer == trainers[t]) ++open;
            }
            assertEq(stakes.getPool(taskId, trainers[t]).openChallenges, open);
        }
    }

    /// @notice At most one challenge per submission is open, and `openChallengeOf` names it;
    /// a proven submission has none open and no upheld challenge.
    function invariant_oneOpenChallengePerSubmission() public view {
        for (uint256 sub; sub < 4; ++sub) {
            uint256 open;
            uint256 openId;
            bool upheld;
            for (uint256 id = 1; id <= module.challengeCount(); ++id) {
                Challenge memory c = module.getChallenge(id);
                if (c.submissionId != sub) continue;
                if (c.status == ChallengeStatus.Open) (open, openId) = (open + 1, id);
                if (c.status == ChallengeStatus.Upheld) upheld = true;
            }
            assertLe(open, 1);
            assertEq(module.openChallengeOf(taskId, sub), openId);
            if (module.proven(taskId, sub)) {
                assertEq(open, 0);
                assertFalse(upheld);
            }
        }
    }

    /// @notice The runs exercise the module rather than revert around it.
    function afterInvariant() public view {
        assertGt(handler.opened(), 0);
    }

    /// @notice Every challenge opened is counted once, and settled at most once.
    function invariant_challengesAreSettledOnce() public view {
        assertEq(module.challengeCount(), handler.opened());
        assertLe(handler.answered() + handler.settled(), handler.opened());
    }
}
