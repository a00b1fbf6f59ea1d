// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ChallengeBase} from "./utils/ChallengeBase.sol";
import {TaskRegistry} from "../src/TaskRegistry.sol";
import {StakeManager} from "../src/StakeManager.sol";
import {SubmissionBook} from "../src/SubmissionBook.sol";
import {IChallengeModule, Challenge, ChallengeStatus} from "../src/interfaces/IChallengeModule.sol";
import {PermitSig, Schedule} from "../src/lib/TaskTypes.sol";
import {ScheduleLib} from "../src/lib/ScheduleLib.sol";
import {ChallengeProofs as P} from "./fixtures/challenge/ChallengeProofs.sol";

/// @notice Opening a challenge and the accused's response (SPEC 7 steps 1 and 2): the ownership
/// proof and the transcript disclosure, both within the response time. The dispute and the
/// verdict are in ChallengeVerdicts.t.sol.
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
        assertFalse(c.proven);
        assertEq(c.disclosure, bytes32(0));
        assertEq(c.disputeDeadline, 0);
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

    /// @notice Issue 9, exploit 4, and SPEC 7: at most one challenge per submission is unsettled
    /// at a time, through every stage (response, dispute window, vote); once it is settled the
    /// submission can be challenged again.
    function test_oneOpenChallengePerSubmissionThroughEveryStage() public {
        uint256 id = open(val1, 0);
        assertEq(module.openChallengeOf(taskId, 0), id);
        bytes memory err = abi.encodeWithSelector(IChallengeModule.ChallengeAlreadyOpen.selector, id);
        vm.prank(val2);
        vm.expectRevert(err);
        module.challenge(taskId, 0);
        answer(id, P.aliceA0());
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Answered));
        vm.prank(val2);
        vm.expectRevert(err);
        module.challenge(taskId, 0);
        disputeBy(val1, id, 0);
        vm.prank(val2);
        vm.expectRevert(err);
        module.challenge(taskId, 0);
        assertEq(openCount(alice), 1);
        // Other submissions, of the same trainer too, can be challenged meanwhile.
        uint256 other = open(val2, 2);
        assertEq(module.openChallengeOf(taskId, 2), other);
        assertEq(openCount(alice), 2);
        // Settled (no votes: cleared), the slot is free again.
        vm.warp(module.getChallenge(id).voteEnd + 1);
        module.resolve(id);
        assertEq(module.openChallengeOf(taskId, 0), 0);
        assertEq(open(val2, 0), 3);
    }

    // ================================================================ the ownership proof

    function test_respond_validProofIsRecordedAndTheChallengeStaysOpen() public {
        uint256 id = open(val1, 0);
        uint256 valBefore = token.balanceOf(val1);
        uint256 aliceBefore = token.balanceOf(alice);
        vm.expectEmit(address(module));
        emit IChallengeModule.OwnershipProven(id, taskId, alice);
        prove(id, P.aliceA0());
        Challenge memory c = module.getChallenge(id);
        assertTrue(c.proven);
        // Necessary, not sufficient: without the disclosure the response is not complete.
        assertEq(uint256(c.status), uint256(ChallengeStatus.Open));
        assertEq(c.disputeDeadline, 0);
        assertEq(token.balanceOf(alice), aliceBefore);
        assertEq(token.balanceOf(val1), valBefore);
        assertEq(token.balanceOf(address(module)), BOND);
        assertEq(module.openChallengeOf(taskId, 0), id);
        assertEq(openCount(alice), 1);
    }

    function test_respond_twiceIsRefused() public {
        uint256 id = open(val1, 0);
        prove(id, P.aliceA0());
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.AlreadyProven.selector);
        module.respond(id, P.aliceA0());
    }

    function test_respond_rejectsAProofOfAnotherSubmission() public {
        // Alice's epoch-1 model A1 is challenged; her proof for A0 does not answer it.
        uint256 id = open(val1, 2);
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.InvalidProof.selector);
        module.respond(id, P.aliceA0());
        prove(id, P.aliceA1());
        assertTrue(module.getChallenge(id).proven);
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
        p[1] = 21888242871839275222246405745257275088696311157297823662689037894645226208583 - p[1];
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.InvalidProof.selector);
        module.respond(id, p);
    }

    function test_respondAndDisclose_onlyByTheAccused() public {
        uint256 id = open(val1, 0);
        vm.prank(val2);
        vm.expectRevert(IChallengeModule.NotAccused.selector);
        module.respond(id, P.aliceA0());
        vm.prank(bob);
        vm.expectRevert(IChallengeModule.NotAccused.selector);
        module.disclose(id, MANIFEST);
    }

    function test_respondAndDisclose_acceptedAtTheDeadlineAndRejectedAfter() public {
        uint256 id = open(val1, 0);
        uint256 deadline = module.getChallenge(id).deadline;
        vm.warp(deadline + 1);
        bytes memory late = abi.encodeWithSelector(IChallengeModule.ResponseTooLate.selector, deadline);
        vm.prank(alice);
        vm.expectRevert(late);
        module.respond(id, P.aliceA0());
        vm.prank(alice);
        vm.expectRevert(late);
        module.disclose(id, MANIFEST);
        // A challenge of her other submission, answered in the deadline's very second.
        uint256 id2 = open(val2, 2);
        vm.warp(module.getChallenge(id2).deadline);
        answer(id2, P.aliceA1());
        assertEq(uint256(statusOf(id2)), uint256(ChallengeStatus.Answered));
    }

    function test_respond_toAnUnknownOrAnsweredChallenge() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.UnknownChallenge.selector, 7));
        module.respond(7, P.aliceA0());
        uint256 id = open(val1, 0);
        answer(id, P.aliceA0());
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.WrongStatus.selector, id, ChallengeStatus.Answered));
        module.respond(id, P.aliceA0());
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.WrongStatus.selector, id, ChallengeStatus.Answered));
        module.disclose(id, keccak256("another manifest"));
    }

    // ================================================================ the disclosure

    function test_disclose_recordsTheManifestOnce() public {
        uint256 id = open(val1, 0);
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.EmptyDisclosure.selector);
        module.disclose(id, bytes32(0));
        vm.expectEmit(address(module));
        emit IChallengeModule.TranscriptDisclosed(id, taskId, alice, MANIFEST);
        discloseIt(id);
        Challenge memory c = module.getChallenge(id);
        assertEq(c.disclosure, MANIFEST);
        assertEq(uint256(c.status), uint256(ChallengeStatus.Open));
        // Validators start replaying what was disclosed: it cannot be swapped afterwards.
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.AlreadyDisclosed.selector);
        module.disclose(id, keccak256("another manifest"));
    }

    /// @notice The response is complete when both are in, in either order; the dispute window
    /// counts from that moment.
    function test_bothInEitherOrderOpenTheDisputeWindow() public {
        uint256 id = open(val1, 0);
        vm.warp(block.timestamp + 10);
        discloseIt(id);
        vm.warp(block.timestamp + 10);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeAnswered(id, taskId, alice, block.timestamp + DISPUTE);
        prove(id, P.aliceA0());
        Challenge memory c = module.getChallenge(id);
        assertEq(uint256(c.status), uint256(ChallengeStatus.Answered));
        assertEq(c.disputeDeadline, block.timestamp + DISPUTE);

        uint256 id2 = open(val2, 2);
        prove(id2, P.aliceA1());
        vm.warp(block.timestamp + 5);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeAnswered(id2, taskId, alice, block.timestamp + DISPUTE);
        discloseIt(id2);
        assertEq(uint256(statusOf(id2)), uint256(ChallengeStatus.Answered));
        // Nothing moved: the bonds are held until the outcome.
        assertEq(token.balanceOf(address(module)), 2 * uint256(BOND));
        assertEq(module.openBonds(), 2 * uint256(BOND));
        assertEq(openCount(alice), 2);
    }

    // ================================================================ B fails at the response

    function test_resolve_beforeTheDeadlineIsRefused() public {
        uint256 id = open(val1, 0);
        uint256 deadline = module.getChallenge(id).deadline;
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.ResponseWindowOpen.selector, deadline));
        module.resolve(id);
    }

    /// @notice The ownership proof missing at the deadline (the transcript was disclosed): B
    /// fails, forfeiting its unvested rewards, its delegators' share and the slash to the
    /// challenger, who gets its bond back; no jury is involved.
    function test_ownershipProofMissing_trainerFails() public {
        bookEpochs01();
        uint256 own = ownRewards(taskId, alice);
        uint256 toDelegators = delegatorRewards(taskId, alice);
        uint256 daveShare = stakes.pendingDelegationRewards(taskId, alice, dave);
        assertGt(own, 0);
        assertGt(toDelegators, 0);
        assertEq(daveShare, toDelegators, "dave is alice's only delegator");
        uint256 slash = (STAKE * SLASH) / 10_000;

        uint256 id = open(val1, 2);
        discloseIt(id);
        vm.warp(module.getChallenge(id).deadline + 1);
        uint256 valBefore = token.balanceOf(val1);
        uint256 stakesBefore = token.balanceOf(address(stakes));
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeUpheld(id, taskId, alice, val1, BOND, own + toDelegators, slash, 0);
        vm.prank(makeAddr("anyone"));
        module.resolve(id);

        assertEq(token.balanceOf(val1), valBefore + BOND + own + toDelegators + slash);
        assertEq(token.balanceOf(address(stakes)), stakesBefore - own - toDelegators - slash);
        assertEq(token.balanceOf(address(module)), 0);
        assertEq(module.openBonds(), 0);
        assertEq(module.juryOwed(), 0);
        StakeManager.Pool memory pool = stakes.getPool(taskId, alice);
        assertTrue(pool.forfeited);
        assertTrue(pool.excluded);
        assertEq(pool.ownLatest, STAKE - slash);
        assertEq(pool.ownRewards, 0);
        assertEq(pool.delegatorRewards, 0);
        assertEq(pool.openChallenges, 0);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Upheld));
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

    /// @notice The disclosure missing at the deadline (a valid ownership proof was posted): B
    /// fails all the same (SPEC 7 step 2).
    function test_disclosureMissing_trainerFails() public {
        uint256 id = open(val1, 0);
        prove(id, P.aliceA0());
        vm.warp(module.getChallenge(id).deadline + 1);
        uint256 slash = (STAKE * SLASH) / 10_000;
        uint256 valBefore = token.balanceOf(val1);
        uint256 aliceBefore = token.balanceOf(alice);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeUpheld(id, taskId, alice, val1, BOND, 0, slash, 0);
        module.resolve(id);
        assertEq(token.balanceOf(val1), valBefore + BOND + slash);
        assertEq(token.balanceOf(alice), aliceBefore);
        assertTrue(stakes.getPool(taskId, alice).forfeited);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Upheld));
        assertEq(token.balanceOf(address(module)), 0);
    }

    function test_resolve_twiceIsRefused() public {
        uint256 id = open(val1, 1);
        vm.warp(module.getChallenge(id).deadline + 1);
        module.resolve(id);
        bytes memory err = abi.encodeWithSelector(IChallengeModule.WrongStatus.selector, id, ChallengeStatus.Upheld);
        vm.expectRevert(err);
        module.resolve(id);
        vm.prank(carol);
        vm.expectRevert(err);
        module.respond(id, P.carolC12());
        vm.prank(carol);
        vm.expectRevert(err);
        module.disclose(id, MANIFEST);
        vm.prank(val1);
        vm.expectRevert(err);
        module.dispute(id, 0);
    }

    function test_resolve_voidsTheOtherChallengesOfAForfeitedTrainer() public {
        uint256 first = open(val1, 0);
        vm.warp(block.timestamp + 200);
        uint256 second = open(val2, 2);
        answer(second, P.aliceA1());
        disputeBy(val2, second, 1);
        assertEq(openCount(alice), 2);
        vm.warp(module.getChallenge(first).deadline + 1);
        module.resolve(first);
        assertEq(openCount(alice), 1);
        // Nothing is left to take from alice: the second challenger gets its bond back, even
        // with its vote still running, and no juror is paid.
        uint256 before = token.balanceOf(val2);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeVoided(second, taskId, alice, val2, BOND);
        module.resolve(second);
        assertEq(token.balanceOf(val2), before + BOND);
        assertEq(openCount(alice), 0);
        assertEq(token.balanceOf(address(module)), 0);
        // And no new challenge can be opened against her, nor answered by her.
        vm.prank(val2);
        vm.expectRevert(IChallengeModule.AlreadyForfeited.selector);
        module.challenge(taskId, 2);
    }

    function test_respond_refusedOnceTheTrainerForfeited() public {
        uint256 first = open(val1, 0);
        vm.warp(block.timestamp + 200);
        uint256 second = open(val2, 2);
        vm.warp(module.getChallenge(first).deadline + 1);
        module.resolve(first);
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.AlreadyForfeited.selector);
        module.respond(second, P.aliceA1());
        vm.prank(alice);
        vm.expectRevert(IChallengeModule.AlreadyForfeited.selector);
        module.disclose(second, MANIFEST);
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
        address mallory = P.MALLORY;
        warpTo(taskId, 0, 9000);
        nextBlock();
        joinWithKey(taskId, mallory, P.KM);
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

    /// @notice A copier re-reveals alice's public weights with a key fitted to them: its ownership
    /// proof verifies, and it discloses a fabricated transcript. The challenger names the
    /// segment that jumps to the stolen weights, the validators find it does not replay, and the
    /// copier fails: the fitted key no longer wins anything (SPEC 7, 8.4).
    function test_exploit1_copierWithAFittedKeyLosesAtTheVerdict() public {
        address mallory = P.MALLORY;
        warpTo(taskId, 1, 9000);
        joinWithKey(taskId, mallory, P.KM);
        uint256[] memory ids = submitEpoch(taskId, 2, one(mallory), wms(P.WM_A0));
        uint256 valBefore = token.balanceOf(val1);
        uint256 malloryBefore = token.balanceOf(mallory);
        uint256 id = open(val1, ids[0]);
        answer(id, P.malloryFitted());
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Answered));
        disputeBy(val1, id, 7);
        vote(id, addrs3(val1, jur3, jur1), bools(false, false, true));
        module.resolve(id);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Upheld));
        uint256 slash = (STAKE * SLASH) / 10_000;
        uint256 pot = (slash * JURY) / 10_000;
        assertEq(token.balanceOf(mallory), malloryBefore, "the copier was paid");
        assertEq(token.balanceOf(val1), valBefore + slash - pot, "the challenger's payout");
        assertTrue(stakes.getPool(taskId, mallory).forfeited);
        assertEq(module.juryOwed(), pot);
    }

    // ================================================================ vesting

    function test_vesting_waitsForEveryStageOfTheChallenge() public {
        bookEpochs01();
        uint256 own = ownRewards(taskId, alice);
        uint256 daveShare = stakes.pendingDelegationRewards(taskId, alice, dave);
        // Challenged a moment before the end; the response, dispute and vote run past it.
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

        answer(id, P.aliceA0());
        assertFalse(stakes.isVested(taskId, alice), "vested during the dispute window");
        disputeBy(val1, id, 0);
        assertFalse(stakes.isVested(taskId, alice), "vested during the vote");
        vote(id, one(jur3), bools(true));
        uint256 before = token.balanceOf(alice);
        module.resolve(id);
        assertTrue(stakes.isVested(taskId, alice));
        vm.prank(alice);
        stakes.claimOwnRewards(taskId);
        vm.prank(alice);
        stakes.withdrawStake(taskId);
        uint256 jury = (uint256(BOND) * JURY) / 10_000;
        assertEq(token.balanceOf(alice), before + own + STAKE + BOND - jury);
        vm.prank(dave);
        stakes.claimDelegationRewards(taskId, alice);
        assertEq(token.balanceOf(dave), daveShare);
    }

    // ================================================================ gas

    /// @notice Gas of each call of the learning stage, every account and slot cold as in a
    /// transaction of its own (without the 21k base and calldata); docs/contracts.md quotes these.
    function test_gas_learningStage() public {
        uint256 id = open(val1, 0);
        uint256 g;
        _cool();
        vm.prank(alice);
        g = gasleft();
        module.respond(id, P.aliceA0());
        g -= gasleft();
        emit log_named_uint("respond", g);
        assertLt(g, 350_000);
        _cool();
        vm.prank(alice);
        g = gasleft();
        module.disclose(id, MANIFEST);
        g -= gasleft();
        emit log_named_uint("disclose (completes the response)", g);
        _cool();
        vm.prank(jur1);
        g = gasleft();
        module.dispute(id, 3);
        g -= gasleft();
        emit log_named_uint("dispute", g);
        // jur1 (30) and jur3 (60) say it does not replay, jur2 (20) that it does: upheld.
        address[3] memory jurors = [jur1, jur3, jur2];
        bool[3] memory says = [false, false, true];
        for (uint256 i; i < 3; ++i) {
            bytes32 h = verdictHash(id, 3, jurors[i], says[i], saltOf(jurors[i], id));
            _cool();
            vm.prank(jurors[i]);
            g = gasleft();
            module.commitVerdict(id, h);
            g -= gasleft();
            if (i == 0) emit log_named_uint("commitVerdict", g);
        }
        vm.warp(module.getChallenge(id).commitEnd);
        for (uint256 i; i < 3; ++i) {
            _cool();
            vm.prank(jurors[i]);
            g = gasleft();
            module.revealVerdict(id, says[i], saltOf(jurors[i], id));
            g -= gasleft();
            if (i < 2) emit log_named_uint(i == 0 ? "revealVerdict (first)" : "revealVerdict (later)", g);
        }
        vm.warp(module.getChallenge(id).voteEnd + 1);
        _cool();
        g = gasleft();
        module.resolve(id);
        g -= gasleft();
        emit log_named_uint("resolve after a vote (upheld: forfeit, jury pot)", g);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Upheld));
        _cool();
        vm.prank(jur1);
        g = gasleft();
        module.claimJuryShare(id);
        g -= gasleft();
        emit log_named_uint("claimJuryShare (first)", g);
        _cool();
        vm.prank(jur3);
        g = gasleft();
        module.claimJuryShare(id);
        g -= gasleft();
        emit log_named_uint("claimJuryShare (last: the rest)", g);

        // Cleared without a dispute (bob's submission: alice has forfeited).
        uint256 id2 = open(val2, 3);
        answer(id2, P.bobStolen());
        vm.warp(module.getChallenge(id2).disputeDeadline + 1);
        _cool();
        g = gasleft();
        module.resolve(id2);
        g -= gasleft();
        emit log_named_uint("resolve without a dispute (cleared)", g);
        assertEq(uint256(statusOf(id2)), uint256(ChallengeStatus.Cleared));
    }

    function _cool() internal {
        vm.cool(address(module));
        vm.cool(address(stakes));
        vm.cool(address(book));
        vm.cool(address(verifier));
        vm.cool(address(token));
        vm.cool(address(registry));
    }
}
