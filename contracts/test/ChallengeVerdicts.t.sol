// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ChallengeBase} from "./utils/ChallengeBase.sol";
import {StakeManager} from "../src/StakeManager.sol";
import {
    IChallengeModule,
    Challenge,
    ChallengeStatus,
    Tally,
    Vote,
    Verdict
} from "../src/interfaces/IChallengeModule.sol";
import {Role} from "../src/lib/TaskTypes.sol";
import {ChallengeProofs as P} from "./fixtures/challenge/ChallengeProofs.sol";

/// @notice The learning stage of a challenge (SPEC 7 step 3, 8.4): the dispute window, the
/// validators' commit-reveal verdict weighted by stake, the outcome and the jury's share.
/// Standard cast: val1 (50 tokens, the challenger), val2 (50), jur1 (30), jur2 (20), jur3 (60).
contract ChallengeVerdictsTest is ChallengeBase {
    uint256 internal constant SEG = 3;

    function setUp() public override {
        super.setUp();
        standardTask();
    }

    /// @notice val1 challenges alice's A0 (submission 0), alice answers in full.
    function answered() internal returns (uint256 id) {
        id = open(val1, 0);
        answer(id, P.aliceA0());
    }

    /// @notice ...and val1 names segment SEG.
    function disputed() internal returns (uint256 id) {
        id = answered();
        disputeBy(val1, id, SEG);
    }

    // ================================================================ no dispute

    /// @notice SPEC 7 step 3: no segment named in time, the challenge fails and the bond goes to B.
    function test_noDisputeInTime_bondGoesToTheTrainer() public {
        uint256 id = answered();
        uint256 deadline = module.getChallenge(id).disputeDeadline;
        assertEq(deadline, block.timestamp + DISPUTE);
        vm.warp(deadline);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.DisputeWindowOpen.selector, deadline));
        module.resolve(id);
        vm.warp(deadline + 1);
        vm.prank(val1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.DisputeTooLate.selector, deadline));
        module.dispute(id, SEG);

        uint256 aliceBefore = token.balanceOf(alice);
        uint256 valBefore = token.balanceOf(val1);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeCleared(id, taskId, alice, val1, BOND, BOND, 0);
        vm.prank(makeAddr("anyone"));
        module.resolve(id);
        assertEq(token.balanceOf(alice), aliceBefore + BOND);
        assertEq(token.balanceOf(val1), valBefore);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Cleared));
        assertEq(token.balanceOf(address(module)), 0);
        assertEq(module.openBonds(), 0);
        assertEq(module.juryOwed(), 0);
        assertEq(openCount(alice), 0);
        assertEq(module.openChallengeOf(taskId, 0), 0);
        assertFalse(stakes.getPool(taskId, alice).forfeited);
    }

    // ================================================================ the dispute

    function test_dispute_byAnyStakedValidatorOpensTheVote() public {
        uint256 id = answered();
        vm.expectEmit(address(module));
        emit IChallengeModule.SegmentDisputed(id, taskId, jur2, 7, block.timestamp + VOTE / 2, block.timestamp + VOTE);
        disputeBy(jur2, id, 7);
        Challenge memory c = module.getChallenge(id);
        assertEq(uint256(c.status), uint256(ChallengeStatus.Disputed));
        assertEq(c.disputer, jur2);
        assertEq(c.segment, 7);
        assertEq(c.commitEnd, block.timestamp + VOTE / 2);
        assertEq(c.voteEnd, block.timestamp + VOTE);
        // One dispute per challenge.
        vm.prank(val1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.WrongStatus.selector, id, ChallengeStatus.Disputed));
        module.dispute(id, 1);
    }

    function test_dispute_refusesWhoIsNotAStakedValidator() public {
        uint256 id = answered();
        address late = makeAddr("late validator");
        joinValidator(taskId, late, VSTAKE, 0.5e18); // counts from the next epoch only
        address[5] memory nope = [alice, bob, dave, makeAddr("nobody"), late];
        for (uint256 i; i < nope.length; ++i) {
            vm.prank(nope[i]);
            vm.expectRevert(IChallengeModule.NotJuror.selector);
            module.dispute(id, SEG);
        }
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Answered));
    }

    function test_dispute_segmentMustBeBelowK() public {
        uint256 id = answered();
        assertEq(book.getSubmission(taskId, 0).segments, 8);
        vm.prank(val1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.SegmentOutOfRange.selector, 8, 8));
        module.dispute(id, 8);
        vm.prank(val1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.SegmentOutOfRange.selector, 2 ** 40, 8));
        module.dispute(id, 2 ** 40);
        disputeBy(val1, id, 7);
        assertEq(module.getChallenge(id).segment, 7);
    }

    function test_dispute_onlyOnceTheResponseIsComplete() public {
        uint256 id = open(val1, 0);
        bytes memory err = abi.encodeWithSelector(IChallengeModule.WrongStatus.selector, id, ChallengeStatus.Open);
        vm.prank(val1);
        vm.expectRevert(err);
        module.dispute(id, SEG);
        discloseIt(id);
        vm.prank(val1);
        vm.expectRevert(err);
        module.dispute(id, SEG);
        prove(id, P.aliceA0());
        disputeBy(val1, id, SEG);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.UnknownChallenge.selector, 9));
        module.dispute(9, SEG);
    }

    // ================================================================ upheld

    /// @notice val1 (50) and jur3 (60) find the segment does not replay, jur1 (30) and jur2 (20)
    /// that it does: 110 against 50 upholds. Alice forfeits her rewards, her delegators' share
    /// and the slash; the jury (10%) takes its share of that, the challenger the rest and its bond.
    function test_disputeThenUpheld_payoutsAreExact() public {
        bookEpochs01();
        uint256 rewards = ownRewards(taskId, alice) + delegatorRewards(taskId, alice);
        assertGt(rewards, 0);
        uint256 slash = (STAKE * SLASH) / 10_000;
        uint256 pot = ((rewards + slash) * JURY) / 10_000;
        assertGt(pot, 0);

        uint256 valBefore = token.balanceOf(val1);
        uint256 id = open(val1, 2);
        answer(id, P.aliceA1());
        disputeBy(val1, id, SEG);
        vote(id, addrs4(val1, jur3, jur1, jur2), bools(false, false, true, true));
        Tally memory t = module.getTally(id);
        assertEq(t.replaysStake, J1 + J2);
        assertEq(t.doesNotReplayStake, VSTAKE + J3);
        assertEq(t.replaysVoters, 2);
        assertEq(t.doesNotReplayVoters, 2);
        assertEq(uint256(t.majority), uint256(Verdict.None), "decided before the settlement");

        uint256 stakesBefore = token.balanceOf(address(stakes));
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeUpheld(id, taskId, alice, val1, BOND, rewards, slash, pot);
        module.resolve(id);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Upheld));
        assertEq(token.balanceOf(address(stakes)), stakesBefore - rewards - slash);
        assertEq(token.balanceOf(val1), valBefore + rewards + slash - pot, "the challenger's payout");
        assertEq(token.balanceOf(address(module)), pot);
        assertEq(module.juryOwed(), pot);
        assertEq(module.openBonds(), 0);
        assertTrue(stakes.getPool(taskId, alice).forfeited);
        t = module.getTally(id);
        assertEq(uint256(t.majority), uint256(Verdict.DoesNotReplay));
        assertEq(t.juryPot, pot);

        // The majority shares the pot pro rata to stake; the last claim takes the rounding rest.
        uint256 valShare = (pot * VSTAKE) / (VSTAKE + J3);
        assertEq(module.juryShareOf(id, val1), valShare);
        assertEq(module.juryShareOf(id, jur1), 0);
        uint256 before = token.balanceOf(val1);
        vm.expectEmit(address(module));
        emit IChallengeModule.JuryPaid(id, val1, valShare);
        vm.prank(val1);
        assertEq(module.claimJuryShare(id), valShare);
        assertEq(token.balanceOf(val1), before + valShare);
        vm.prank(jur3);
        assertEq(module.claimJuryShare(id), pot - valShare);
        assertEq(token.balanceOf(jur3), pot - valShare);
        assertEq(token.balanceOf(address(module)), 0);
        assertEq(module.juryOwed(), 0);
        // The minority and outsiders get nothing; nobody is paid twice.
        vm.prank(jur1);
        vm.expectRevert(IChallengeModule.NotInMajority.selector);
        module.claimJuryShare(id);
        vm.prank(val2);
        vm.expectRevert(IChallengeModule.NotInMajority.selector);
        module.claimJuryShare(id);
        vm.prank(val1);
        vm.expectRevert(IChallengeModule.AlreadyClaimed.selector);
        module.claimJuryShare(id);
        assertTrue(module.getVote(id, val1).claimed);
        assertEq(module.juryShareOf(id, val1), 0);
    }

    // ================================================================ cleared

    /// @notice jur3 (60) and jur1 (30) find the segment replays, val1 (50) that it does not: 90
    /// against 50 clears. The bond goes to alice less the jury's 10%, shared by jur3 and jur1.
    function test_disputeThenCleared_payoutsAreExact() public {
        uint256 valBefore = token.balanceOf(val1);
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 id = disputed();
        vote(id, addrs3(val1, jur3, jur1), bools(false, true, true));
        uint256 pot = (uint256(BOND) * JURY) / 10_000;
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeCleared(id, taskId, alice, val1, BOND, BOND - pot, pot);
        module.resolve(id);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Cleared));
        assertEq(token.balanceOf(alice), aliceBefore + BOND - pot);
        assertEq(token.balanceOf(val1), valBefore - BOND, "the challenger lost its bond");
        assertFalse(stakes.getPool(taskId, alice).forfeited);
        assertEq(stakes.getPool(taskId, alice).ownLatest, STAKE, "slashed");
        assertEq(module.juryOwed(), pot);
        assertEq(uint256(module.getTally(id).majority), uint256(Verdict.Replays));

        uint256 j1 = (pot * J1) / (J1 + J3);
        vm.prank(jur1);
        assertEq(module.claimJuryShare(id), j1);
        vm.prank(jur3);
        assertEq(module.claimJuryShare(id), pot - j1);
        assertEq(token.balanceOf(jur1), j1);
        assertEq(token.balanceOf(jur3), pot - j1);
        vm.prank(val1);
        vm.expectRevert(IChallengeModule.NotInMajority.selector);
        module.claimJuryShare(id);
        assertEq(token.balanceOf(address(module)), 0);
    }

    /// @notice A stake-weighted tie clears B with the whole bond: there is no majority to pay.
    function test_tie_clearsTheTrainerWithTheWholeBond() public {
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 id = disputed();
        // jur3 (60) and jur2 (20) say it replays, val1 (50) and jur1 (30) that it does not: 80 each.
        vote(id, addrs4(jur3, jur2, val1, jur1), bools(true, true, false, false));
        Tally memory t = module.getTally(id);
        assertEq(t.replaysStake, t.doesNotReplayStake);
        vm.expectEmit(address(module));
        emit IChallengeModule.ChallengeCleared(id, taskId, alice, val1, BOND, BOND, 0);
        module.resolve(id);
        assertEq(token.balanceOf(alice), aliceBefore + BOND);
        assertEq(uint256(module.getTally(id).majority), uint256(Verdict.None));
        assertEq(module.juryOwed(), 0);
        assertEq(token.balanceOf(address(module)), 0);
        vm.prank(val2);
        vm.expectRevert(IChallengeModule.NotSettledByVote.selector);
        module.claimJuryShare(id);
    }

    /// @notice No revealed verdict (commits without reveals count nothing) clears B.
    function test_noVotes_clearsTheTrainerWithTheWholeBond() public {
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 id = disputed();
        commitV(val1, id, false);
        commitV(jur3, id, false);
        uint256 voteEnd = module.getChallenge(id).voteEnd;
        vm.warp(voteEnd);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.VoteOpen.selector, voteEnd));
        module.resolve(id);
        vm.warp(voteEnd + 1);
        module.resolve(id);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Cleared));
        assertEq(token.balanceOf(alice), aliceBefore + BOND);
        assertEq(token.balanceOf(address(module)), 0);
        vm.prank(val1);
        vm.expectRevert(IChallengeModule.NotSettledByVote.selector);
        module.claimJuryShare(id);
    }

    // ================================================================ the vote's rules

    function test_vote_outsideItsWindowsIsRefused() public {
        uint256 id = disputed();
        Challenge memory c = module.getChallenge(id);
        commitV(jur1, id, true);
        vm.prank(jur1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.RevealNotOpen.selector, c.commitEnd));
        module.revealVerdict(id, true, saltOf(jur1, id));
        vm.warp(c.commitEnd);
        bytes32 h = verdictHash(id, SEG, jur2, true, saltOf(jur2, id));
        vm.prank(jur2);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.CommitClosed.selector, c.commitEnd));
        module.commitVerdict(id, h);
        vm.warp(c.voteEnd);
        revealV(jur1, id, true); // the last second of the reveal half counts
        assertEq(uint256(module.getVote(id, jur1).verdict), uint256(Verdict.Replays));
    }

    function test_vote_afterTheVoteIsRefused() public {
        uint256 id = disputed();
        Challenge memory c = module.getChallenge(id);
        commitV(jur1, id, true);
        vm.warp(c.voteEnd + 1);
        vm.prank(jur1);
        vm.expectRevert(abi.encodeWithSelector(IChallengeModule.RevealClosed.selector, c.voteEnd));
        module.revealVerdict(id, true, saltOf(jur1, id));
        module.resolve(id);
        // Settled: every vote call now meets the settled status.
        bytes memory err = abi.encodeWithSelector(IChallengeModule.WrongStatus.selector, id, ChallengeStatus.Cleared);
        vm.prank(jur1);
        vm.expectRevert(err);
        module.revealVerdict(id, true, saltOf(jur1, id));
        vm.prank(jur2);
        vm.expectRevert(err);
        module.commitVerdict(id, bytes32("late"));
        vm.expectRevert(err);
        module.resolve(id);
    }

    function test_vote_doubleVoteIsRefused() public {
        uint256 id = disputed();
        commitV(jur1, id, true);
        vm.prank(jur1);
        vm.expectRevert(IChallengeModule.AlreadyCommitted.selector);
        module.commitVerdict(id, verdictHash(id, SEG, jur1, false, saltOf(jur1, id)));
        vm.warp(module.getChallenge(id).commitEnd);
        revealV(jur1, id, true);
        vm.prank(jur1);
        vm.expectRevert(IChallengeModule.AlreadyRevealed.selector);
        module.revealVerdict(id, true, saltOf(jur1, id));
        vm.prank(jur2);
        vm.expectRevert(IChallengeModule.NoCommitment.selector);
        module.revealVerdict(id, true, saltOf(jur2, id));
        Tally memory t = module.getTally(id);
        assertEq(t.replaysStake, J1);
        assertEq(t.replaysVoters, 1);
    }

    function test_vote_revealMismatchIsRefused() public {
        uint256 id = disputed();
        commitV(jur1, id, true);
        vm.prank(jur1);
        vm.expectRevert(IChallengeModule.EmptyCommitment.selector);
        module.commitVerdict(id, bytes32(0));
        vm.warp(module.getChallenge(id).commitEnd);
        vm.prank(jur1);
        vm.expectRevert(IChallengeModule.CommitmentMismatch.selector);
        module.revealVerdict(id, false, saltOf(jur1, id)); // the other verdict
        vm.prank(jur1);
        vm.expectRevert(IChallengeModule.CommitmentMismatch.selector);
        module.revealVerdict(id, true, bytes32("another salt"));
        revealV(jur1, id, true);
    }

    /// @notice A verdict commitment names its challenge, its segment and its juror: one made for
    /// another challenge, another segment, or copied from another juror does not open.
    function test_vote_verdictIsBoundToItsChallengeAndSegment() public {
        uint256 a = disputed(); // submission 0, segment SEG
        uint256 b = open(val2, 2);
        answer(b, P.aliceA1());
        disputeBy(val2, b, 5);
        assertEq(module.verdictCommitment(a, SEG, jur1, true, "s"), verdictHash(a, SEG, jur1, true, "s"));

        vm.startPrank(jur1);
        module.commitVerdict(b, verdictHash(a, 5, jur1, true, "s")); // made for challenge a
        module.commitVerdict(a, verdictHash(a, 5, jur1, true, "s")); // made for segment 5
        vm.stopPrank();
        vm.prank(jur2);
        module.commitVerdict(a, verdictHash(a, SEG, jur3, true, "s")); // jur3's, copied
        vm.warp(module.getChallenge(b).commitEnd);
        vm.startPrank(jur1);
        vm.expectRevert(IChallengeModule.CommitmentMismatch.selector);
        module.revealVerdict(b, true, "s");
        vm.expectRevert(IChallengeModule.CommitmentMismatch.selector);
        module.revealVerdict(a, true, "s");
        vm.stopPrank();
        vm.prank(jur2);
        vm.expectRevert(IChallengeModule.CommitmentMismatch.selector);
        module.revealVerdict(a, true, "s");
        assertEq(module.getTally(a).replaysStake, 0);
        assertEq(module.getTally(b).replaysStake, 0);
    }

    /// @notice A fixed vector, shared with the TypeScript twin (test/unit/chain/transcript-seal.test.ts).
    function test_vote_commitmentVector() public view {
        assertEq(
            module.verdictCommitment(7, 3, address(0xBEEF), false, "salt"),
            0x8478c40ae3a1e18aedc3b4851580a7c64a035e0b6dec27b20bf7fac81c4ba453
        );
    }

    // ================================================================ who votes, with what weight

    /// @notice A juror's weight is its own validator stake counted in the current epoch: stake
    /// added this epoch counts from the next one, delegated stake does not count, and accounts
    /// that are not eligible validators now cannot vote.
    function test_jurorWeight_isOwnStakeCountedInTheCurrentEpoch() public {
        delegateTo(taskId, erin, jur3, 500e18); // counts in the next epoch, and never as a juror's weight
        fund(jur1, 70e18);
        vm.prank(jur1);
        stakes.addStake(taskId, 70e18); // counts from the next epoch
        address late = makeAddr("late validator");
        joinValidator(taskId, late, VSTAKE, 0.5e18);
        assertEq(stakes.validatorStakeNow(taskId, jur1), J1);
        assertEq(stakes.validatorStakeNow(taskId, jur3), J3);
        assertEq(stakes.validatorStakeNow(taskId, late), 0);
        assertEq(stakes.validatorStakeNow(taskId, alice), 0);
        assertEq(stakes.validatorStakeNow(taskId, erin), 0);

        uint256 id = disputed();
        vm.expectEmit(address(module));
        emit IChallengeModule.VerdictCommitted(id, jur1, verdictHash(id, SEG, jur1, true, saltOf(jur1, id)), J1);
        commitV(jur1, id, true);
        assertEq(module.getVote(id, jur1).weight, J1);
        address[4] memory nope = [late, alice, erin, makeAddr("nobody")];
        for (uint256 i; i < nope.length; ++i) {
            vm.prank(nope[i]);
            vm.expectRevert(IChallengeModule.NotJuror.selector);
            module.commitVerdict(id, bytes32("x"));
        }
        vm.warp(module.getChallenge(id).commitEnd);
        vm.expectEmit(address(module));
        emit IChallengeModule.VerdictRevealed(id, jur1, true, J1);
        revealV(jur1, id, true);
        assertEq(module.getTally(id).replaysStake, J1);

        // In the next epoch the added stake counts (for a vote that starts then).
        vm.warp(registry.schedule(taskId).startTime + 2 * 1000);
        assertEq(stakes.validatorStakeNow(taskId, jur1), J1 + 70e18);
        assertEq(stakes.validatorStakeNow(taskId, late), VSTAKE);
    }

    /// @notice A juror that withdraws its stake after the task's end (votes may run past it)
    /// cannot reveal: its vote would weigh stake no longer at risk.
    function test_jurorThatWithdrewItsStakeCannotReveal() public {
        uint256 end = endTime();
        vm.warp(end - 350);
        uint256 id = open(val1, 0);
        answer(id, P.aliceA0());
        disputeBy(val1, id, SEG);
        commitV(jur1, id, true);
        commitV(jur3, id, false);
        assertLt(module.getChallenge(id).commitEnd, end);
        assertGt(module.getChallenge(id).voteEnd, end);
        vm.warp(end);
        vm.prank(jur1);
        stakes.withdrawStake(taskId);
        vm.prank(jur1);
        vm.expectRevert(IChallengeModule.NotJuror.selector);
        module.revealVerdict(id, true, saltOf(jur1, id));
        revealV(jur3, id, false);
        vm.warp(module.getChallenge(id).voteEnd + 1);
        module.resolve(id);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Upheld));
    }

    // ================================================================ no double outcome

    function test_eachChallengeSettlesOnce() public {
        uint256 id = disputed();
        vote(id, addrs3(val1, jur1, jur3), bools(false, true, false));
        module.resolve(id);
        assertEq(uint256(statusOf(id)), uint256(ChallengeStatus.Upheld));
        bytes memory err = abi.encodeWithSelector(IChallengeModule.WrongStatus.selector, id, ChallengeStatus.Upheld);
        vm.expectRevert(err);
        module.resolve(id);
        vm.prank(alice);
        vm.expectRevert(err);
        module.respond(id, P.aliceA0());
        vm.prank(val2);
        vm.expectRevert(err);
        module.dispute(id, 0);
        // And the forfeit happened once: alice's stake was slashed exactly once.
        assertEq(stakes.getPool(taskId, alice).ownLatest, STAKE - (STAKE * SLASH) / 10_000);
    }
}
