// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaTest} from "./utils/ArenaTest.sol";
import {SEEDED_START, seededTranscript, sealHashOf} from "./utils/Seals.sol";
import {SubmissionBook} from "../src/SubmissionBook.sol";
import {TranscriptCommit} from "../src/lib/TaskTypes.sol";

/// @notice The training transcript in the seal (SPEC 8.1-8.2; docs/contracts.md, "Transcript
/// commitments"): the seal binds root, segments and start; the reveal carries them; the book
/// stores them and refuses a start the SPEC does not allow.
contract TranscriptCommitTest is ArenaTest {
    uint256 internal task;
    address internal tA = makeAddr("trainerA");
    address internal tB = makeAddr("trainerB");
    bytes32 internal constant WM = bytes32("wm");
    bytes32 internal constant R1 = keccak256("root 1");
    bytes32 internal constant R2 = keccak256("root 2");

    function setUp() public override {
        super.setUp();
        task = createTask(defaultParams());
        joinTrainer(task, tA, 10e18, 0);
        joinTrainer(task, tB, 10e18, 0);
    }

    function _seal(address who, uint256 epoch, bytes32 artifact, TranscriptCommit memory t) internal {
        warpTo(task, epoch, 100);
        vm.prank(who);
        book.sealSubmission(task, sealHashOf(task, epoch, who, artifact, WM, t, "s"));
        warpTo(task, epoch, 5500);
    }

    function _reveal(address who, bytes32 artifact, TranscriptCommit memory t) internal returns (uint256) {
        vm.prank(who);
        return book.revealSubmission(task, artifact, artifact, WM, t, "s");
    }

    function _continuation(bytes32 root, bytes32 startRoot, uint32 startLeaf)
        internal
        pure
        returns (TranscriptCommit memory)
    {
        return TranscriptCommit({trajRoot: root, segments: 4, startRoot: startRoot, startLeaf: startLeaf});
    }

    function test_seededMarkerIsTheDocumentedConstant() public view {
        assertEq(book.SEEDED_START(), keccak256("aiarena/transcript/seeded/v1"));
        assertEq(book.SEEDED_START(), SEEDED_START);
    }

    /// @notice The documented encoding, written out in Seals.sol, is what the book computes.
    function testFuzz_sealCommitmentIsTheDocumentedEncoding(
        uint256 taskId,
        uint256 epoch,
        address trainer,
        bytes32 artifact,
        bytes32 wm,
        TranscriptCommit memory t,
        bytes32 salt
    ) public view {
        assertEq(
            book.sealCommitment(taskId, epoch, trainer, artifact, wm, t, salt),
            sealHashOf(taskId, epoch, trainer, artifact, wm, t, salt)
        );
    }

    /// @notice A fixed vector, shared with the TypeScript twin (test/unit/chain/transcript-seal.test.ts).
    function test_sealCommitmentVector() public view {
        TranscriptCommit memory t =
            TranscriptCommit({trajRoot: bytes32(uint256(0xabc)), segments: 12, startRoot: R1, startLeaf: 7});
        bytes32 got = book.sealCommitment(3, 2, address(0xBEEF), bytes32(uint256(1)), bytes32(uint256(2)), t, "salt");
        assertEq(got, 0x37c15fcb61a9b7c7ca3eb993073133f850508b9ffd554ccbb3cc1000b1defd97);
    }

    function test_reveal_storesAndAnnouncesTheTranscript() public {
        TranscriptCommit memory t = seededTranscript(R1, 12);
        _seal(tA, 0, "A", t);
        vm.expectEmit(address(book));
        emit SubmissionBook.TranscriptCommitted(task, 0, tA, R1, 12, SEEDED_START, 0);
        uint256 id = _reveal(tA, "A", t);
        SubmissionBook.Submission memory s = book.getSubmission(task, id);
        assertEq(s.trajRoot, R1);
        assertEq(s.segments, 12);
        assertEq(s.startRoot, SEEDED_START);
        assertEq(s.startLeaf, 0);
        assertEq(s.artifactHash, bytes32("A"));
        assertEq(s.artifactRoot, bytes32("A"));
    }

    /// @notice Each field of the transcript is bound by the seal: a reveal with any other value
    /// does not open it.
    function test_reveal_mustCarryTheSealedTranscript() public {
        TranscriptCommit memory t = seededTranscript(R1, 12);
        _seal(tA, 0, "A", t);
        TranscriptCommit[4] memory others = [
            seededTranscript(R2, 12),
            seededTranscript(R1, 13),
            TranscriptCommit({trajRoot: R1, segments: 12, startRoot: R2, startLeaf: 0}),
            TranscriptCommit({trajRoot: R1, segments: 12, startRoot: SEEDED_START, startLeaf: 1})
        ];
        for (uint256 i; i < others.length; ++i) {
            vm.prank(tA);
            vm.expectRevert(SubmissionBook.CommitmentMismatch.selector);
            book.revealSubmission(task, "A", "A", WM, others[i], "s");
        }
        _reveal(tA, "A", t);
    }

    function test_reveal_refusesAnEmptyTranscript() public {
        TranscriptCommit memory noRoot = seededTranscript(0, 12);
        _seal(tA, 0, "A", noRoot);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.EmptyTranscript.selector);
        book.revealSubmission(task, "A", "A", WM, noRoot, "s");
        TranscriptCommit memory noSegments = seededTranscript(R1, 0);
        _seal(tB, 1, "B", noSegments);
        vm.prank(tB);
        vm.expectRevert(SubmissionBook.EmptyTranscript.selector);
        book.revealSubmission(task, "B", "B", WM, noSegments, "s");
    }

    function test_reveal_refusesASeededStartWithALeaf() public {
        TranscriptCommit memory t = TranscriptCommit({trajRoot: R1, segments: 4, startRoot: SEEDED_START, startLeaf: 3});
        _seal(tA, 0, "A", t);
        vm.prank(tA);
        vm.expectRevert(SubmissionBook.InvalidSeededStart.selector);
        book.revealSubmission(task, "A", "A", WM, t, "s");
    }

    /// @notice SPEC 8.1: a transcript may continue the final state of the trainer's own earlier
    /// transcript in the task.
    function test_continuation_fromTheOwnEarlierFinalLeaf() public {
        _seal(tA, 0, "A0", seededTranscript(R1, 12));
        _reveal(tA, "A0", seededTranscript(R1, 12));
        TranscriptCommit memory next = _continuation(R2, R1, 12);
        _seal(tA, 1, "A1", next);
        uint256 id = _reveal(tA, "A1", next);
        assertEq(book.getSubmission(task, id).startRoot, R1);
        assertEq(book.getSubmission(task, id).startLeaf, 12);
        // And a continuation of the continuation.
        TranscriptCommit memory third = _continuation(keccak256("root 3"), R2, 4);
        _seal(tA, 2, "A2", third);
        _reveal(tA, "A2", third);
    }

    function test_continuation_refusesAStateInsideTheEarlierTranscript() public {
        _seal(tA, 0, "A0", seededTranscript(R1, 12));
        _reveal(tA, "A0", seededTranscript(R1, 12));
        TranscriptCommit memory mid = _continuation(R2, R1, 5);
        _seal(tA, 1, "A1", mid);
        vm.prank(tA);
        vm.expectRevert(abi.encodeWithSelector(SubmissionBook.StartNotFinal.selector, 12));
        book.revealSubmission(task, "A1", "A1", WM, mid, "s");
    }

    /// @notice Issue 11, attack (d): a transcript that starts from another trainer's state is refused.
    function test_continuation_refusesAnotherTrainersTranscript() public {
        _seal(tA, 0, "A0", seededTranscript(R1, 12));
        _reveal(tA, "A0", seededTranscript(R1, 12));
        TranscriptCommit memory stolen = _continuation(R2, R1, 12);
        _seal(tB, 1, "B1", stolen);
        vm.prank(tB);
        vm.expectRevert(abi.encodeWithSelector(SubmissionBook.UnknownStart.selector, R1));
        book.revealSubmission(task, "B1", "B1", WM, stolen, "s");
    }

    function test_continuation_refusesAnUnrevealedOrUnknownStart() public {
        // tA seals R1 in epoch 0 and never reveals it: the chain does not know that transcript.
        _seal(tA, 0, "A0", seededTranscript(R1, 12));
        TranscriptCommit memory next = _continuation(R2, R1, 12);
        _seal(tA, 1, "A1", next);
        vm.prank(tA);
        vm.expectRevert(abi.encodeWithSelector(SubmissionBook.UnknownStart.selector, R1));
        book.revealSubmission(task, "A1", "A1", WM, next, "s");
    }

    /// @notice Canary seals open with the transcript the submission stored.
    function test_canaryWithATranscriptIsRecognized() public {
        bytes32 key = keccak256("canary key");
        commitCanaryKey(task, 0, key);
        TranscriptCommit memory t = seededTranscript(R1, 3);
        bytes32 salt = book.canarySalt(task, 0, tA, key);
        bytes32 commitment = sealHashOf(task, 0, tA, "A", WM, t, salt);
        warpTo(task, 0, 100);
        vm.prank(tA);
        book.sealSubmission(task, commitment);
        vm.prank(tB);
        book.sealSubmission(task, sealHash(task, 0, tB, "B", WM, "b"));
        warpTo(task, 0, 5500);
        vm.prank(tA);
        book.revealSubmission(task, "A", "A", WM, t, salt);
        vm.prank(tB);
        book.revealSubmission(task, "B", "B", WM, seeded(), "b");
        warpTo(task, 0, 9000);
        vm.prank(creator);
        assertEq(book.revealCanaries(task, key), 1);
    }
}
