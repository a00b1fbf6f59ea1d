// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaTest} from "./utils/ArenaTest.sol";
import {SubmissionBook} from "../src/SubmissionBook.sol";
import {ScorePacking} from "../src/lib/ScorePacking.sol";
import {TaskParams, Window, Role} from "../src/lib/TaskTypes.sol";
import {Column} from "../src/interfaces/ISubmissionBook.sol";

contract SubmissionBookTest is ArenaTest {
    uint256 internal task;
    address internal tA = makeAddr("trainerA");
    address internal tB = makeAddr("trainerB");
    address internal tC = makeAddr("trainerC");
    address internal vA = makeAddr("validatorA");
    address internal vB = makeAddr("validatorB");
    bytes32 internal constant WM = bytes32("wm");
    bytes32 internal constant X = keccak256("artifact X");

    function setUp() public override {
        super.setUp();
        task = createTask(defaultParams());
        joinTrainer(task, tA, 10e18, 0);
        joinTrainer(task, tB, 10e18, 0);
        joinTrainer(task, tC, 10e18, 0);
        joinValidator(task, vA, 10e18, 0);
        joinValidator(task, vB, 10e18, 0);
    }

    // ---------------------------------------------------------------- helpers

    function _seal(address who, uint256 epoch, bytes32 artifact, bytes32 salt) internal {
        vm.prank(who);
        book.sealSubmission(task, sealHash(task, epoch, who, artifact, WM, salt));
    }

    function _reveal(address who, bytes32 artifact, bytes32 salt) internal returns (uint256 id) {
        vm.prank(who);
        id = book.revealSubmission(task, artifact, artifact, WM, seeded(), salt);
    }

    function _wrong(Window expected, Window current) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(SubmissionBook.WrongWindow.selector, expected, current);
    }

    /// @dev Draws the epoch's seed first (idempotent), as a validator's agent does.
    function _commit(address who, uint256 epoch, uint256[] memory words, bytes32 salt) internal {
        drawSeed(task);
        vm.prank(who);
        book.commitScores(task, keccak256(abi.encode(task, epoch, who, words, salt)));
    }

    function _revealScores(address who, uint256[] memory words, bytes32 salt) internal {
        vm.prank(who);
        book.revealScores(task, words, salt);
    }

    function _words(uint256 w0) internal pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = w0;
    }

    // ================================================================ windows

    function test_windows_submissionEpoch() public {
        bytes32 c = sealHash(task, 0, tA, X, WM, "s");
        vm.prank(tA);
        vm.expectRevert(_wrong(Window.Seal, Window.None));
        book.sealSubmission(task, c);

        warpTo(task, 0, 0);
        vm.prank(tA);
        book.sealSubmission(task, c);
        warpTo(task, 0, 4999);
        vm.prank(tA);
        book.sealSubmission(task, c);
        vm.prank(tA);
        vm.expectRevert(_wrong(Window.Reveal, Window.Seal));
        book.revealSubmission(task, X, X, WM, seeded(), "s");

        warpTo(task, 0, 5000);
        vm.prank(tB);
        vm.expectRevert(_wrong(Window.Seal, Window.Reveal));
        book.sealSubmission(task, c);
        vm.prank(vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.Reveal));
        book.commitScores(task, bytes32("c"));
        _reveal(tA, X, "s");

        warpTo(task, 0, 6000);
        vm.prank(tA);
        vm.expectRevert(_wrong(Window.Reveal, Window.ScoreCommit));
        book.revealSubmission(task, X, X, WM, seeded(), "s");
        _commit(vA, 0, _words(7000), "v");
        warpTo(task, 0, 8499);
        vm.prank(vA);
        vm.expectRevert(_wrong(Window.ScoreReveal, Window.ScoreCommit));
        book.revealScores(task, _words(7000), "v");
        _commit(vA, 0, _words(7000), "v");

        warpTo(task, 0, 8500);
        vm.prank(vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.ScoreReveal));
        book.commitScores(task, bytes32("c"));
        warpTo(task, 0, 9999);
        _revealScores(vA, _words(7000), "v");

        // The next epoch starts with its seal window.
        warpTo(task, 1, 0);
        vm.prank(vB);
        vm.expectRevert(_wrong(Window.ScoreReveal, Window.Seal));
        book.revealScores(task, _words(7000), "v");
    }

    function test_windows_finalAndChallengeEpochs() public {
        warpTo(task, 3, 0);
        vm.prank(creator);
        registry.revealFinalEval(task, keccak256("final"), bytes32("salt"));
        vm.prank(tA);
        vm.expectRevert(_wrong(Window.Seal, Window.ScoreCommit));
        book.sealSubmission(task, bytes32("c"));
        vm.prank(tA);
        vm.expectRevert(_wrong(Window.Reveal, Window.ScoreCommit));
        book.revealSubmission(task, X, X, WM, seeded(), "s");
        // No submissions ever: zero columns, zero words.
        uint256[] memory none = new uint256[](0);
        _commit(vA, 3, none, "v");
        warpTo(task, 3, 6999);
        _commit(vB, 3, none, "w");
        warpTo(task, 3, 7000);
        vm.prank(vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.ScoreReveal));
        book.commitScores(task, bytes32("c"));
        _revealScores(vA, none, "v");
        warpTo(task, 3, 9999);
        _revealScores(vB, none, "w");
        assertEq(book.revealerCount(task, 3), 2);

        warpTo(task, 4, 0);
        vm.prank(vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.None));
        book.commitScores(task, bytes32("c"));
        vm.prank(tA);
        vm.expectRevert(_wrong(Window.Seal, Window.None));
        book.sealSubmission(task, bytes32("c"));
        warpTo(task, 7, 0);
        vm.prank(vA);
        vm.expectRevert(_wrong(Window.ScoreReveal, Window.None));
        book.revealScores(task, none, "v");
    }

    function test_windows_customBoundaries() public {
        TaskParams memory p = defaultParams();
        (p.sealEnd, p.revealEnd, p.commitEnd, p.finalCommitEnd) = (2000, 3000, 4000, 5000);
        uint256 t2 = createTask(p);
        joinTrainer(t2, makeAddr("t2"), 10e18, 0);
        warpTo(t2, 0, 2000);
        vm.prank(makeAddr("t2"));
        vm.expectRevert(_wrong(Window.Seal, Window.Reveal));
        book.sealSubmission(t2, bytes32("c"));
        warpTo(t2, 0, 4000);
        vm.prank(makeAddr("t2"));
        vm.expectRevert(_wrong(Window.Reveal, Window.ScoreReveal));
        book.revealSubmission(t2, X, X, WM, seeded(), "s");
    }

    // ================================================================ eligibility and input checks

    function test_notEligible() public {
        warpTo(task, 0, 100);
        vm.prank(makeAddr("stranger"));
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.sealSubmission(task, bytes32("c"));
        // A validator is not a trainer.
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.sealSubmission(task, bytes32("c"));
        // Joined during epoch 0: counts from epoch 1.
        address late = makeAddr("late");
        joinTrainer(task, late, 10e18, 0);
        address lateV = makeAddr("lateV");
        joinValidator(task, lateV, 10e18, 0);
        vm.prank(late);
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.sealSubmission(task, bytes32("c"));
        warpTo(task, 0, 6000);
        vm.prank(lateV);
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.commitScores(task, bytes32("c"));
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.commitScores(task, bytes32("c"));
        warpTo(task, 1, 100);
        _seal(late, 1, X, "s");
        warpTo(task, 1, 6000);
        drawSeed(task);
        vm.prank(lateV);
        book.commitScores(task, bytes32("c"));
    }

    function test_notEligible_excludedBetweenSealAndReveal() public {
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "s");
        vm.prank(challenger);
        stakes.forfeit(task, tA, makeAddr("beneficiary"), 0);
        warpTo(task, 0, 5500);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.NotEligible.selector);
        book.revealSubmission(task, X, X, WM, seeded(), "s");
    }

    function test_emptyCommitments() public {
        warpTo(task, 0, 100);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.EmptyCommitment.selector);
        book.sealSubmission(task, 0);
        warpTo(task, 0, 6000);
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.EmptyCommitment.selector);
        book.commitScores(task, 0);
    }

    function test_noSealAndNoScoreCommit() public {
        warpTo(task, 0, 5500);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.NoSeal.selector);
        book.revealSubmission(task, X, X, WM, seeded(), "s");
        warpTo(task, 0, 9000);
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.NoScoreCommit.selector);
        book.revealScores(task, new uint256[](0), "v");
    }

    function test_alreadyRevealed() public {
        submitOne(task, 0, tA, X, "s");
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.AlreadyRevealed.selector);
        book.revealSubmission(task, X, X, WM, seeded(), "s");
        warpTo(task, 0, 6000);
        _commit(vA, 0, _words(5000), "v");
        warpTo(task, 0, 9000);
        _revealScores(vA, _words(5000), "v");
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.AlreadyRevealed.selector);
        book.revealScores(task, _words(5000), "v");
        assertTrue(book.scoresRevealed(task, 0, vA));
        assertFalse(book.scoresRevealed(task, 0, vB));
    }

    function test_emptyArtifact() public {
        warpTo(task, 0, 100);
        _seal(tA, 0, 0, "s");
        warpTo(task, 0, 5500);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.EmptyArtifact.selector);
        book.revealSubmission(task, 0, X, WM, seeded(), "s");
    }

    // ================================================================ artifact roots

    function _revealWithRoot(address who, bytes32 artifact, bytes32 root, bytes32 salt) internal returns (uint256 id) {
        vm.prank(who);
        id = book.revealSubmission(task, artifact, root, WM, seeded(), salt);
    }

    function test_artifactRoot_storedAndEmitted() public {
        bytes32 root = keccak256("dag-pb root of X");
        bytes32 y = keccak256("Y");
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "a");
        _seal(tB, 0, y, "b");
        warpTo(task, 0, 5500);
        vm.expectEmit(address(book));
        emit SubmissionBook.SubmissionRevealed(task, 0, tA, 0, X, root, WM, false);
        uint256 idA = _revealWithRoot(tA, X, root, "a");
        // A file of one chunk is its own raw block: its root is its hash.
        vm.expectEmit(address(book));
        emit SubmissionBook.SubmissionRevealed(task, 0, tB, 1, y, y, WM, false);
        uint256 idB = _revealWithRoot(tB, y, y, "b");
        SubmissionBook.Submission memory a = book.getSubmission(task, idA);
        assertEq(a.artifactHash, X);
        assertEq(a.artifactRoot, root);
        assertEq(a.wmCommit, WM);
        SubmissionBook.Submission memory b = book.getSubmission(task, idB);
        assertEq(b.artifactHash, y);
        assertEq(b.artifactRoot, y);
    }

    function test_emptyArtifactRoot_revertsAndKeepsTheSeal() public {
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "s");
        warpTo(task, 0, 5500);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.EmptyArtifactRoot.selector);
        book.revealSubmission(task, X, 0, WM, seeded(), "s");
        assertFalse(book.getSeal(task, 0, tA).revealed);
        assertEq(book.submissionCount(task), 0);
        // The same opening with a root goes through.
        uint256 id = _revealWithRoot(tA, X, keccak256("root"), "s");
        assertEq(book.getSubmission(task, id).artifactRoot, keccak256("root"));
    }

    /// @dev The root is a locator outside the seal: any nonzero root opens the seal the hash was
    /// sealed in, a wrong opening fails whatever the root, and copies of one artifact are
    /// duplicates whatever roots they are revealed with.
    function testFuzz_artifactRoot_roundTripsOutsideSealAndDuplicates(bytes32 rootA, bytes32 rootB, bytes32 rootC)
        public
    {
        vm.assume(rootA != 0 && rootB != 0 && rootC != 0);
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "a"); // the original
        _seal(tB, 0, X, "b"); // a copy, sealed later
        _seal(tC, 0, keccak256("own"), "c");
        assertEq(book.getSeal(task, 0, tA).commitment, sealHash(task, 0, tA, X, WM, "a"));
        warpTo(task, 0, 5500);
        vm.prank(tC);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, keccak256("own"), rootC, WM, seeded(), "wrong salt");
        vm.prank(tB);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, X, rootB, bytes32("other wm"), seeded(), "b");
        // The copy reveals first, with its own root, and is flagged once the original is revealed.
        uint256 idB = _revealWithRoot(tB, X, rootB, "b");
        assertFalse(book.getSubmission(task, idB).duplicate);
        uint256 idA = _revealWithRoot(tA, X, rootA, "a");
        uint256 idC = _revealWithRoot(tC, keccak256("own"), rootC, "c");
        assertTrue(book.getSubmission(task, idB).duplicate);
        assertFalse(book.getSubmission(task, idA).duplicate);
        assertFalse(book.getSubmission(task, idC).duplicate);
        assertEq(book.getSubmission(task, idA).artifactRoot, rootA);
        assertEq(book.getSubmission(task, idB).artifactRoot, rootB);
        assertEq(book.getSubmission(task, idC).artifactRoot, rootC);
        assertEq(book.getSubmission(task, idA).artifactHash, X);
        assertEq(book.getSubmission(task, idB).artifactHash, X);
        // A copy in a later epoch, under the original's own root, is flagged too.
        warpTo(task, 1, 100);
        _seal(tC, 1, X, "c1");
        warpTo(task, 1, 5500);
        assertTrue(book.getSubmission(task, _revealWithRoot(tC, X, rootA, "c1")).duplicate);
    }

    function test_commitmentMismatch_wrongOpening() public {
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "s");
        warpTo(task, 0, 5500);
        vm.startPrank(tA);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, X, X, WM, seeded(), "other salt");
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, X, X, bytes32("other wm"), seeded(), "s");
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, keccak256("Y"), keccak256("Y"), WM, seeded(), "s");
        book.revealSubmission(task, X, X, WM, seeded(), "s");
        vm.stopPrank();
    }

    function test_commitmentMismatch_copiedCommitmentFailsForTheCopier() public {
        warpTo(task, 0, 100);
        bytes32 c = sealHash(task, 0, tA, X, WM, "s");
        vm.prank(tA);
        book.sealSubmission(task, c);
        // tB saw tA's seal transaction and seals the same bytes.
        vm.prank(tB);
        book.sealSubmission(task, c);
        warpTo(task, 0, 5500);
        _reveal(tA, X, "s");
        // Even knowing the opening from tA's reveal, tB cannot open a seal bound to tA.
        vm.prank(tB);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, X, X, WM, seeded(), "s");
        assertEq(book.columnCount(task, 0), 1);
    }

    function test_commitmentMismatch_replayInNextEpochFails() public {
        submitOne(task, 0, tA, X, "s");
        bytes32 c0 = sealHash(task, 0, tA, X, WM, "s");
        warpTo(task, 1, 100);
        vm.prank(tA);
        book.sealSubmission(task, c0);
        warpTo(task, 1, 5500);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, X, X, WM, seeded(), "s");
    }

    function test_scoreCommitmentBindsValidatorAndWords() public {
        submitOne(task, 0, tA, X, "s");
        warpTo(task, 0, 6000);
        _commit(vA, 0, _words(4000), "v");
        bytes32 c = book.scoreCommitOf(task, 0, vA);
        assertEq(c, keccak256(abi.encode(task, uint256(0), vA, _words(4000), bytes32("v"))));
        vm.prank(vB);
        book.commitScores(task, c); // copied
        warpTo(task, 0, 9000);
        vm.prank(vB);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealScores(task, _words(4000), "v");
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealScores(task, _words(4001), "v");
        _revealScores(vA, _words(4000), "v");
    }

    // ================================================================ seals

    function test_reseal_replacesSealAndPlaceInLine() public {
        warpTo(task, 0, 100);
        uint64 before = book.sealCount();
        _seal(tA, 0, X, "s1");
        SubmissionBook.Seal memory s1 = book.getSeal(task, 0, tA);
        assertEq(s1.seq, before + 1);
        assertEq(s1.commitment, sealHash(task, 0, tA, X, WM, "s1"));
        assertEq(s1.blockNumber, block.number);
        assertFalse(s1.revealed);
        bytes32 y = keccak256("Y");
        vm.expectEmit(address(book));
        emit SubmissionBook.SubmissionSealed(task, 0, tA, sealHash(task, 0, tA, y, WM, "s2"), before + 2);
        _seal(tA, 0, y, "s2");
        SubmissionBook.Seal memory s2 = book.getSeal(task, 0, tA);
        assertEq(s2.seq, before + 2);
        warpTo(task, 0, 5500);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
        book.revealSubmission(task, X, X, WM, seeded(), "s1");
        uint256 id = _reveal(tA, y, "s2");
        assertTrue(book.getSeal(task, 0, tA).revealed);
        SubmissionBook.Submission memory sub = book.getSubmission(task, id);
        assertEq(sub.sealSeq, before + 2);
        assertEq(sub.artifactHash, y);
        assertEq(sub.wmCommit, WM);
        assertEq(sub.trainer, tA);
        assertEq(sub.epoch, 0);
    }

    function test_sealCount_strictlyOrderedAcrossTasksAndInOneBlock() public {
        uint256 t2 = createTask(defaultParams());
        joinTrainer(t2, makeAddr("other"), 10e18, 0);
        warpTo(task, 0, 100);
        uint64 start = book.sealCount();
        _seal(tA, 0, X, "a");
        _seal(tB, 0, X, "b");
        vm.prank(makeAddr("other"));
        book.sealSubmission(t2, bytes32("c"));
        _seal(tC, 0, X, "c");
        assertEq(book.getSeal(task, 0, tA).seq, start + 1);
        assertEq(book.getSeal(task, 0, tB).seq, start + 2);
        assertEq(book.getSeal(t2, 0, makeAddr("other")).seq, start + 3);
        assertEq(book.getSeal(task, 0, tC).seq, start + 4);
        assertEq(book.sealCount(), start + 4);
        assertEq(book.getSeal(task, 0, tA).blockNumber, book.getSeal(task, 0, tC).blockNumber);
    }

    // ================================================================ duplicates

    function test_duplicate_copyOfEarlierEpochFlagged() public {
        submitOne(task, 0, tA, X, "a");
        warpTo(task, 1, 100);
        _seal(tB, 1, X, "b");
        warpTo(task, 1, 5500);
        vm.expectEmit(address(book));
        emit SubmissionBook.SubmissionRevealed(task, 1, tB, 1, X, X, WM, true);
        _reveal(tB, X, "b");
        assertFalse(book.getSubmission(task, 0).duplicate);
        assertTrue(book.getSubmission(task, 1).duplicate);
        Column[] memory cols = book.columns(task, 1);
        assertEq(cols.length, 1);
        assertTrue(cols[0].duplicate);
        assertEq(cols[0].submissionId, 1);
    }

    function test_duplicate_revealOrderDiffersFromSealOrder() public {
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "a"); // first seal
        _seal(tB, 0, X, "b"); // the copy, sealed later
        warpTo(task, 0, 5500);
        uint256 idB = _reveal(tB, X, "b"); // revealed first: not known as a copy yet
        assertFalse(book.getSubmission(task, idB).duplicate);
        vm.expectEmit(address(book));
        emit SubmissionBook.DuplicateFlagged(task, idB, idB + 1);
        vm.expectEmit(address(book));
        emit SubmissionBook.SubmissionRevealed(task, 0, tA, idB + 1, X, X, WM, false);
        uint256 idA = _reveal(tA, X, "a");
        assertTrue(book.getSubmission(task, idB).duplicate);
        assertFalse(book.getSubmission(task, idA).duplicate);
        Column[] memory cols = book.columns(task, 0);
        assertEq(cols[0].trainer, tB);
        assertTrue(cols[0].duplicate);
        assertEq(cols[1].trainer, tA);
        assertFalse(cols[1].duplicate);
        // A third copy, sealed last, is flagged against the original.
        warpTo(task, 1, 100);
        _seal(tC, 1, X, "c");
        warpTo(task, 1, 5500);
        assertTrue(book.getSubmission(task, _reveal(tC, X, "c")).duplicate);
    }

    function test_duplicate_sealOrderAndRevealOrderAgree() public {
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "a");
        _seal(tB, 0, X, "b");
        warpTo(task, 0, 5500);
        _reveal(tA, X, "a");
        _reveal(tB, X, "b");
        assertFalse(book.getSubmission(task, 0).duplicate);
        assertTrue(book.getSubmission(task, 1).duplicate);
    }

    function test_duplicate_resealMovesBackInLine() public {
        warpTo(task, 0, 100);
        _seal(tA, 0, X, "a");
        _seal(tB, 0, X, "b");
        _seal(tA, 0, X, "a2"); // tA's seal is now the later one
        warpTo(task, 0, 5500);
        uint256 idA = _reveal(tA, X, "a2");
        uint256 idB = _reveal(tB, X, "b");
        assertTrue(book.getSubmission(task, idA).duplicate);
        assertFalse(book.getSubmission(task, idB).duplicate);
    }

    function test_duplicate_ownResubmissionNotFlagged() public {
        submitOne(task, 0, tA, X, "a");
        submitOne(task, 1, tA, X, "a");
        assertFalse(book.getSubmission(task, 1).duplicate);
        // tB copies in epoch 2: flagged; tA resubmits once more: still fine.
        warpTo(task, 2, 100);
        _seal(tB, 2, X, "b");
        _seal(tA, 2, X, "a");
        warpTo(task, 2, 5500);
        assertTrue(book.getSubmission(task, _reveal(tB, X, "b")).duplicate);
        assertFalse(book.getSubmission(task, _reveal(tA, X, "a")).duplicate);
    }

    // ================================================================ final phase

    function test_finalColumns_latestSubmissionPerSubmitter() public {
        submitAll(task, 0, two(tA, tB)); // ids 0 (tA), 1 (tB)
        submitOne(task, 1, tC, keccak256("c1"), "c"); // id 2
        submitOne(task, 2, tA, keccak256("a2"), "a"); // id 3
        assertEq(book.submissionCount(task), 4);
        assertEq(book.columnCount(task, 0), 2);
        assertEq(book.columnCount(task, 1), 1);
        assertEq(book.columnCount(task, 2), 1);
        assertEq(book.columnCount(task, 3), 3);
        Column[] memory cols = book.columns(task, 3);
        assertEq(cols.length, 3);
        assertEq(cols[0].trainer, tA);
        assertEq(cols[0].submissionId, 3);
        assertEq(cols[1].trainer, tB);
        assertEq(cols[1].submissionId, 1);
        assertEq(cols[2].trainer, tC);
        assertEq(cols[2].submissionId, 2);
        assertEq(cols[0].sealSeq, book.getSubmission(task, 3).sealSeq);
        address[] memory subs = book.submittersOf(task);
        assertEq(subs.length, 3);
        assertEq(subs[0], tA);
        (bool exists, uint256 id) = book.latestSubmission(task, tA);
        assertTrue(exists);
        assertEq(id, 3);
        (exists, id) = book.latestSubmission(task, vA);
        assertFalse(exists);
        assertEq(id, 0);
        uint32[] memory ids = book.epochSubmissionIds(task, 0);
        assertEq(ids.length, 2);
        assertEq(ids[1], 1);
    }

    function test_finalEvalUnsettled_untilRevealOrDeadline() public {
        uint256 t2 = createTask(defaultParams());
        joinValidator(t2, vA, 10e18, 0);
        warpTo(task, 3, 500); // before the deadline (10% = 1000 bps of the one final epoch)
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.FinalEvalUnsettled.selector);
        book.commitScores(task, bytes32("c"));
        vm.prank(creator);
        registry.revealFinalEval(task, keccak256("final"), bytes32("salt"));
        drawSeed(task);
        vm.prank(vA);
        book.commitScores(task, bytes32("c"));

        // t2's creator stays silent: from the deadline on, the public eval set is used.
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.FinalEvalUnsettled.selector);
        book.commitScores(t2, bytes32("c"));
        warpTo(t2, 3, 999);
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.FinalEvalUnsettled.selector);
        book.commitScores(t2, bytes32("c"));
        warpTo(t2, 3, 1000);
        drawSeed(t2);
        vm.prank(vA);
        book.commitScores(t2, bytes32("c"));
        assertEq(book.scoreCommitOf(t2, 3, vA), bytes32("c"));
    }

    // ================================================================ score validation

    function _toRevealWindowWithColumns(uint256 n) internal returns (address[] memory trainers) {
        trainers = addrs("col", n);
        for (uint256 i; i < n; ++i) {
            joinTrainer(task, trainers[i], 10e18, 0);
        }
        submitAll(task, 0, trainers);
        warpTo(task, 0, 6000);
    }

    function _expectScoreRevert(uint256[] memory words, bytes memory err) internal {
        warpTo(task, 0, 6000);
        _commit(vA, 0, words, "v");
        warpTo(task, 0, 9000);
        vm.prank(vA);
        vm.expectRevert(err);
        book.revealScores(task, words, "v");
    }

    function test_scoreReveal_validation() public {
        _toRevealWindowWithColumns(2);
        _expectScoreRevert(new uint256[](0), abi.encodeWithSelector(ScorePacking.WrongScoreCount.selector, 1, 0));
        _expectScoreRevert(new uint256[](2), abi.encodeWithSelector(ScorePacking.WrongScoreCount.selector, 1, 2));
        _expectScoreRevert(
            pack(row(10_000, 10_001)), abi.encodeWithSelector(ScorePacking.ScoreOutOfRange.selector, 1, 10_001)
        );
        _expectScoreRevert(_words(0xffff), abi.encodeWithSelector(ScorePacking.ScoreOutOfRange.selector, 0, 0xffff));
        _expectScoreRevert(_words(uint256(1) << 32), abi.encodeWithSelector(ScorePacking.NonZeroPadding.selector, 2));
        _expectScoreRevert(_words(uint256(1) << 255), abi.encodeWithSelector(ScorePacking.NonZeroPadding.selector, 15));
        // The bounds themselves are fine.
        warpTo(task, 0, 6000);
        _commit(vA, 0, pack(row(10_000, 0)), "v");
        warpTo(task, 0, 9000);
        _revealScores(vA, pack(row(10_000, 0)), "v");
        assertEq(book.scoresOf(task, 0, 0)[0], 10_000);
    }

    function test_scoreReveal_seventeenColumnsTakeTwoWords() public {
        _toRevealWindowWithColumns(17);
        uint256[] memory s = new uint256[](17);
        for (uint256 i; i < 17; ++i) {
            s[i] = 500 * i + 7;
        }
        uint256[] memory w = pack(s);
        assertEq(w.length, 2);
        uint256[] memory bad = new uint256[](2);
        bad[0] = w[0];
        bad[1] = w[1] | (uint256(3) << 16); // column 17 does not exist
        _expectScoreRevert(bad, abi.encodeWithSelector(ScorePacking.NonZeroPadding.selector, 17));
        _expectScoreRevert(_words(w[0]), abi.encodeWithSelector(ScorePacking.WrongScoreCount.selector, 2, 1));
        warpTo(task, 0, 6000);
        _commit(vA, 0, w, "v");
        warpTo(task, 0, 9000);
        _revealScores(vA, w, "v");
        uint256[] memory got = book.scoresOf(task, 0, 0);
        assertEq(got, w);
        assertEq((got[1] & 0xffff), 500 * 16 + 7);
    }

    // ================================================================ views

    function test_views_scoreBlockScoresOfRevealers() public {
        _toRevealWindowWithColumns(20); // 20 columns: two words per revealer
        uint256[] memory sA = new uint256[](20);
        uint256[] memory sB = new uint256[](20);
        for (uint256 i; i < 20; ++i) {
            (sA[i], sB[i]) = (i * 100, 10_000 - i * 100);
        }
        _commit(vA, 0, pack(sA), "a");
        _commit(vB, 0, pack(sB), "b");
        warpTo(task, 0, 9000);
        vm.expectEmit(address(book));
        emit SubmissionBook.ScoresRevealed(task, 0, vB, pack(sB));
        _revealScores(vB, pack(sB), "b"); // vB reveals first: revealer 0
        _revealScores(vA, pack(sA), "a");

        address[] memory rs = book.revealersOf(task, 0);
        assertEq(rs.length, 2);
        assertEq(rs[0], vB);
        assertEq(rs[1], vA);
        assertEq(book.revealerCount(task, 0), 2);
        address[] memory slice = book.revealersSlice(task, 0, 1, 1);
        assertEq(slice.length, 1);
        assertEq(slice[0], vA);
        assertEq(book.revealersSlice(task, 0, 0, 2)[1], vA);
        assertEq(book.revealersSlice(task, 0, 0, 0).length, 0);
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x32));
        book.revealersSlice(task, 0, 1, 2);

        assertEq(book.scoresOf(task, 0, 0), pack(sB));
        assertEq(book.scoresOf(task, 0, 1), pack(sA));
        // revealer-major: entry j * wordCount + w
        uint256[] memory all = book.scoreBlock(task, 0, 0, 2);
        assertEq(all.length, 4);
        assertEq(all[0], pack(sB)[0]);
        assertEq(all[1], pack(sB)[1]);
        assertEq(all[2], pack(sA)[0]);
        assertEq(all[3], pack(sA)[1]);
        uint256[] memory second = book.scoreBlock(task, 0, 1, 1);
        assertEq(second.length, 2);
        assertEq(second[0], pack(sB)[1]);
        assertEq(second[1], pack(sA)[1]);
        assertEq(ScorePacking.lane(second[1], 3), 1900); // column 19 of vA
        // An epoch without reveals has an empty block.
        assertEq(book.scoreBlock(task, 1, 0, 2).length, 0);
    }
}
