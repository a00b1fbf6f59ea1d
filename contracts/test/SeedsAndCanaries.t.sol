// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaTest} from "./utils/ArenaTest.sol";
import {SubmissionBook} from "../src/SubmissionBook.sol";
import {TaskParams, Window} from "../src/lib/TaskTypes.sol";

/// @notice Tries to draw a seed from a contract: the draw-inspect-revert grinder the EOA rule stops.
contract SeedGrinder {
    function draw(SubmissionBook book, uint256 taskId) external returns (bytes32) {
        return book.drawEvalSeed(taskId);
    }
}

/// @notice SubmissionBook's evaluation seeds (SPEC 2.2) and the creator's canaries
/// (docs/reward-math.md step 3): windows, who may act, the EOA rule, the seed formula, the canary
/// scan, final-phase canaries and the limits.
contract SeedsAndCanariesTest is ArenaTest {
    uint256 internal task;
    address internal tA = makeAddr("trainerA");
    address internal tB = makeAddr("trainerB");
    address internal tC = makeAddr("trainerC");
    address internal vA = makeAddr("validatorA");
    bytes32 internal constant KEY = keccak256("key of epoch 0");
    bytes32 internal constant KEY3 = keccak256("key of epoch 3");

    function setUp() public override {
        super.setUp();
        task = createTask(defaultParams());
        joinTrainer(task, tA, 10e18, 0);
        joinTrainer(task, tB, 10e18, 0);
        joinTrainer(task, tC, 10e18, 0);
        joinValidator(task, vA, 10e18, 0);
    }

    function _wrong(Window expected, Window current) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(SubmissionBook.WrongWindow.selector, expected, current);
    }

    function _drawAs(address who) internal returns (bytes32) {
        vm.prank(who, who);
        return book.drawEvalSeed(task);
    }

    function _sealReveal(uint256 epoch, address who, bytes32 artifact, bytes32 salt) internal {
        warpTo(task, epoch, 100);
        vm.prank(who);
        book.sealSubmission(task, sealHash(task, epoch, who, artifact, "wm", salt));
        warpTo(task, epoch, 5500);
        vm.prank(who);
        book.revealSubmission(task, artifact, artifact, "wm", seeded(), salt);
    }

    // ================================================================ seeds

    function test_seed_onlyInTheScoreCommitWindow() public {
        vm.prank(vA, vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.None));
        book.drawEvalSeed(task);
        warpTo(task, 0, 4999);
        vm.prank(vA, vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.Seal));
        book.drawEvalSeed(task);
        warpTo(task, 0, 5999);
        vm.prank(vA, vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.Reveal));
        book.drawEvalSeed(task);
        warpTo(task, 0, 8500);
        vm.prank(vA, vA);
        vm.expectRevert(_wrong(Window.ScoreCommit, Window.ScoreReveal));
        book.drawEvalSeed(task);
        assertEq(book.evalSeedOf(task, 0), 0);
        warpTo(task, 0, 6000);
        assertTrue(_drawAs(vA) != 0);
    }

    function test_seed_formulaEventAndIdempotence() public {
        warpTo(task, 0, 6000);
        vm.roll(5000);
        vm.prevrandao(bytes32(uint256(0xabcdef)));
        bytes32 want = keccak256(abi.encode(uint256(0xabcdef), blockhash(4999), task, uint256(0)));
        vm.expectEmit(address(book));
        emit SubmissionBook.EvalSeedDrawn(task, 0, want);
        assertEq(_drawAs(makeAddr("anyone")), want);
        assertEq(book.evalSeedOf(task, 0), want);
        // Later draws, by anyone, in later blocks, return the stored seed and emit nothing.
        vm.roll(5001);
        vm.prevrandao(bytes32(uint256(1)));
        vm.recordLogs();
        assertEq(_drawAs(vA), want);
        assertEq(vm.getRecordedLogs().length, 0);
        // Each epoch has its own.
        warpTo(task, 1, 6000);
        assertEq(book.evalSeedOf(task, 1), 0);
        bytes32 next = _drawAs(vA);
        assertTrue(next != want && next != 0);
        assertEq(book.evalSeedOf(task, 0), want);
    }

    /// @dev A contract could draw, look at the seed and revert until one suits it.
    function test_seed_onlyAnExternallyOwnedAccountDraws() public {
        warpTo(task, 0, 6000);
        SeedGrinder grinder = new SeedGrinder();
        vm.expectRevert(SubmissionBook.SeedDrawerNotEOA.selector);
        grinder.draw(book, task);
        // msg.sender must be tx.origin (forge's plain prank keeps the default origin).
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.SeedDrawerNotEOA.selector);
        book.drawEvalSeed(task);
        // An account with code (an EIP-7702 delegation looks like this) is refused too.
        address delegated = makeAddr("delegated");
        vm.etch(delegated, hex"ef0100aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        vm.prank(delegated, delegated);
        vm.expectRevert(SubmissionBook.SeedDrawerNotEOA.selector);
        book.drawEvalSeed(task);
        assertEq(book.evalSeedOf(task, 0), 0);
        // Once drawn, a contract may read it through the same call.
        bytes32 seed = _drawAs(vA);
        assertEq(grinder.draw(book, task), seed);
    }

    function test_seed_commitScoresNeedsIt() public {
        warpTo(task, 0, 6000);
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.EvalSeedNotDrawn.selector);
        book.commitScores(task, bytes32("c"));
        _drawAs(vA);
        vm.prank(vA);
        book.commitScores(task, bytes32("c"));
        assertEq(book.scoreCommitOf(task, 0, vA), bytes32("c"));
    }

    function test_seed_finalPhaseOnlyOnceTheFinalEvalSetIsSettled() public {
        warpTo(task, 3, 500);
        vm.prank(vA, vA);
        vm.expectRevert(SubmissionBook.FinalEvalUnsettled.selector);
        book.drawEvalSeed(task);
        vm.prank(creator);
        registry.revealFinalEval(task, keccak256("final"), bytes32("salt"));
        assertTrue(_drawAs(vA) != 0);
        // The fallback settles it too.
        uint256 t2 = createTask(defaultParams());
        warpTo(t2, 3, 999);
        vm.prank(vA, vA);
        vm.expectRevert(SubmissionBook.FinalEvalUnsettled.selector);
        book.drawEvalSeed(t2);
        warpTo(t2, 3, 1000);
        vm.prank(vA, vA);
        assertTrue(book.drawEvalSeed(t2) != 0);
    }

    // ================================================================ canary commitments

    function test_commitCanaries_creatorOnlyBeforeTheEpochReplaceable() public {
        bytes32 h = keccak256(abi.encode(KEY));
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.NotCreator.selector);
        book.commitCanaries(task, 0, h);
        vm.prank(creator);
        vm.expectRevert(SubmissionBook.EmptyCommitment.selector);
        book.commitCanaries(task, 0, 0);
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(SubmissionBook.NotScoringEpoch.selector, 4));
        book.commitCanaries(task, 4, h);
        vm.expectEmit(address(book));
        emit SubmissionBook.CanariesCommitted(task, 0, bytes32("first"));
        vm.prank(creator);
        book.commitCanaries(task, 0, bytes32("first"));
        vm.prank(creator);
        book.commitCanaries(task, 0, h);
        assertEq(book.canaryCommitOf(task, 0), h);
        // Until the epoch starts, also for later epochs during earlier ones.
        uint256 start0 = registry.schedule(task).startTime;
        vm.warp(start0 - 1);
        vm.prank(creator);
        book.commitCanaries(task, 0, h);
        vm.warp(start0);
        vm.prank(creator);
        vm.expectRevert(abi.encodeWithSelector(SubmissionBook.CanaryCommitClosed.selector, start0));
        book.commitCanaries(task, 0, h);
        vm.prank(creator);
        book.commitCanaries(task, 3, keccak256(abi.encode(KEY3)));
        assertEq(book.canaryCommitOf(task, 3), keccak256(abi.encode(KEY3)));
    }

    // ================================================================ canary reveal

    /// @dev Epoch 0: tA seals with the epoch's canary salt, tB with a canary salt of the wrong
    /// epoch, tC with one of another key: only tA's column is found.
    function _epoch0Canary() internal {
        vm.prank(creator);
        book.commitCanaries(task, 0, keccak256(abi.encode(KEY)));
        warpTo(task, 0, 100);
        bytes32 sA = book.canarySalt(task, 0, tA, KEY);
        bytes32 sB = book.canarySalt(task, 1, tB, KEY);
        bytes32 sC = book.canarySalt(task, 0, tC, keccak256("other key"));
        vm.prank(tB);
        book.sealSubmission(task, sealHash(task, 0, tB, "B", "wm", sB));
        vm.prank(tA);
        book.sealSubmission(task, sealHash(task, 0, tA, "A", "wm", sA));
        vm.prank(tC);
        book.sealSubmission(task, sealHash(task, 0, tC, "C", "wm", sC));
        warpTo(task, 0, 5500);
        vm.prank(tB);
        book.revealSubmission(task, "B", "B", "wm", seeded(), sB);
        vm.prank(tA);
        book.revealSubmission(task, "A", "A", "wm", seeded(), sA);
        vm.prank(tC);
        book.revealSubmission(task, "C", "C", "wm", seeded(), sC);
    }

    function test_canarySalt_isTheDocumentedHash() public view {
        assertEq(book.CANARY_DOMAIN(), keccak256("aiarena/canary/v1"));
        assertEq(
            book.canarySalt(task, 3, tA, KEY), keccak256(abi.encode(keccak256("aiarena/canary/v1"), task, 3, tA, KEY))
        );
        assertEq(book.MAX_CANARIES(), 16);
    }

    function test_revealCanaries_findsExactlyTheCanaryColumns() public {
        _epoch0Canary();
        warpTo(task, 0, 8500);
        vm.expectEmit(address(book));
        emit SubmissionBook.CanariesRevealed(task, 0, KEY, 1 << 1);
        vm.prank(creator);
        assertEq(book.revealCanaries(task, KEY), 1 << 1); // tA is column 1
        assertEq(book.canaryMask(task, 0), 1 << 1);
        assertTrue(book.canariesRevealed(task, 0));
        vm.prank(creator);
        vm.expectRevert(SubmissionBook.CanariesAlreadyRevealed.selector);
        book.revealCanaries(task, KEY);
    }

    function test_revealCanaries_refusals() public {
        _epoch0Canary();
        warpTo(task, 0, 8499);
        vm.prank(creator);
        vm.expectRevert(_wrong(Window.ScoreReveal, Window.ScoreCommit));
        book.revealCanaries(task, KEY);
        warpTo(task, 0, 8500);
        vm.prank(vA);
        vm.expectRevert(SubmissionBook.NotCreator.selector);
        book.revealCanaries(task, KEY);
        vm.prank(creator);
        vm.expectRevert(SubmissionBook.CanaryKeyMismatch.selector);
        book.revealCanaries(task, keccak256("other key"));
        assertEq(book.canaryMask(task, 0), 0);
        // The next epoch's window: no commitment for epoch 1.
        warpTo(task, 1, 8500);
        vm.prank(creator);
        vm.expectRevert(SubmissionBook.NoCanaryCommit.selector);
        book.revealCanaries(task, KEY);
        // Too late for epoch 0: its window is over, its mask stays 0.
        assertEq(book.canaryMask(task, 0), 0);
    }

    function test_revealCanaries_noMatchIsAnEmptyMask() public {
        vm.prank(creator);
        book.commitCanaries(task, 0, keccak256(abi.encode(KEY)));
        _sealReveal(0, tA, "A", "plain salt");
        warpTo(task, 0, 9000);
        vm.prank(creator);
        assertEq(book.revealCanaries(task, KEY), 0);
        assertTrue(book.canariesRevealed(task, 0));
    }

    /// @dev A final-phase canary is sealed in a submission epoch with the final epoch's number:
    /// an ordinary column then, a canary in the final epoch, whose columns are the latest
    /// submissions of every trainer.
    function test_revealCanaries_finalPhaseCanarySealedEarlier() public {
        vm.prank(creator);
        book.commitCanaries(task, 3, keccak256(abi.encode(KEY3)));
        vm.prank(creator);
        book.commitCanaries(task, 1, keccak256(abi.encode(KEY)));
        _sealReveal(0, tA, "A", "a");
        _sealReveal(1, tC, "C", book.canarySalt(task, 3, tC, KEY3));
        _sealReveal(1, tB, "B", "b");
        // In epoch 1 it is not a canary of epoch 1's key.
        warpTo(task, 1, 9000);
        vm.prank(creator);
        assertEq(book.revealCanaries(task, KEY), 0);
        warpTo(task, 3, 0);
        vm.prank(creator);
        registry.revealFinalEval(task, keccak256("final"), bytes32("salt"));
        assertEq(book.columnCount(task, 3), 3); // tA, tC, tB in order of first reveal
        warpTo(task, 3, 7000);
        vm.prank(creator);
        assertEq(book.revealCanaries(task, KEY3), 1 << 1);
        assertEq(book.columnSubmissionId(task, 3, 1), 1);
    }

    function test_revealCanaries_atMostSixteen() public {
        address[] memory probes = addrs("probe", 17);
        for (uint256 i; i < 17; ++i) {
            joinTrainer(task, probes[i], 10e18, 0);
        }
        vm.prank(creator);
        book.commitCanaries(task, 0, keccak256(abi.encode(KEY)));
        vm.prank(creator);
        book.commitCanaries(task, 1, keccak256(abi.encode(KEY3)));
        for (uint256 e; e < 2; ++e) {
            bytes32 key = e == 0 ? KEY : KEY3;
            uint256 count = e == 0 ? 17 : 16;
            warpTo(task, e, 100);
            for (uint256 i; i < count; ++i) {
                bytes32 salt = book.canarySalt(task, e, probes[i], key);
                vm.prank(probes[i]);
                book.sealSubmission(task, sealHash(task, e, probes[i], bytes32(i + 1), "wm", salt));
            }
            warpTo(task, e, 5500);
            for (uint256 i; i < count; ++i) {
                bytes32 salt = book.canarySalt(task, e, probes[i], key);
                vm.prank(probes[i]);
                book.revealSubmission(task, bytes32(i + 1), bytes32(i + 1), "wm", seeded(), salt);
            }
            warpTo(task, e, 9000);
            vm.prank(creator);
            if (e == 0) {
                vm.expectRevert(SubmissionBook.TooManyCanaries.selector);
                book.revealCanaries(task, key);
            } else {
                assertEq(book.revealCanaries(task, key), (1 << 16) - 1);
            }
        }
    }
}
