// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Schedule, Role, Window, TranscriptCommit} from "./lib/TaskTypes.sol";
import {ScheduleLib} from "./lib/ScheduleLib.sol";
import {ScorePacking} from "./lib/ScorePacking.sol";
import {ITaskRegistry} from "./interfaces/ITaskRegistry.sol";
import {IStakeManager} from "./interfaces/IStakeManager.sol";
import {ISubmissionBook, Column} from "./interfaces/ISubmissionBook.sol";

/// @title SubmissionBook
/// @notice Sealed model submissions, commit-reveal scores, the per-epoch evaluation seeds and the
/// creator's canaries (SPEC sections 2.2-2.3, docs/reward-math.md step 3, docs/contracts.md).
/// @dev Commitments bind task, epoch and sender, so a copied commitment or a replayed reveal
/// fails. Seals also bind the submission's training transcript (SPEC 8.2: root, segments, start).
/// Scores are stored packed (see ScorePacking) in the order validators revealed.
contract SubmissionBook is ISubmissionBook {
    using ScheduleLib for Schedule;

    /// @notice Domain of canary seal salts: `canarySalt` hashes it first.
    bytes32 public constant CANARY_DOMAIN = keccak256("aiarena/canary/v1");
    /// @notice The most canary columns one epoch may have.
    uint256 public constant MAX_CANARIES = 16;
    /// @notice The start of a transcript that begins at the seeded initialization (SPEC 8.1),
    /// as `TranscriptCommit.startRoot` (with `startLeaf` 0). A fixed marker rather than zero,
    /// so that a forgotten field never reads as a valid start.
    bytes32 public constant SEEDED_START = keccak256("aiarena/transcript/seeded/v1");

    struct Seal {
        bytes32 commitment;
        uint64 seq;
        uint64 blockNumber;
        bool revealed;
    }

    /// @dev The transcript's K and start leaf share the seal's slot (one fewer slot per reveal).
    /// `artifactRoot` locates the artifact (docs/contracts.md "Artifact roots"); the seal, the
    /// duplicate rule and the circuits use `artifactHash` only.
    struct Submission {
        address trainer;
        uint32 epoch;
        bool duplicate;
        uint64 sealSeq;
        uint64 sealBlock;
        // The training transcript committed in the seal (SPEC 8.2): segments K, start leaf, root, start.
        uint32 segments;
        uint32 startLeaf;
        bytes32 artifactHash;
        bytes32 artifactRoot;
        bytes32 wmCommit;
        bytes32 trajRoot;
        bytes32 startRoot;
    }

    ITaskRegistry public immutable registry;
    IStakeManager public immutable stakes;

    /// @notice Global seal counter: the order in which seals happened, used for tie-breaks.
    uint64 public sealCount;

    mapping(uint256 => mapping(uint256 => mapping(address => Seal))) internal _seals;
    mapping(uint256 => Submission[]) internal _submissions;
    mapping(uint256 => mapping(uint256 => uint32[])) internal _epochSubmissions;
    mapping(uint256 => address[]) internal _submitters;
    mapping(uint256 => mapping(address => uint32)) internal _latestPlusOne;
    mapping(uint256 => mapping(bytes32 => uint32)) internal _firstByHashPlusOne;
    mapping(uint256 => mapping(uint256 => mapping(address => bytes32))) public scoreCommitOf;
    mapping(uint256 => mapping(uint256 => address[])) internal _revealers;
    /// @dev Score word `w` of the epoch's `j`-th revealer at key `j << 4 | w` (n <= 256 columns
    /// make at most 16 words). A flat mapping: finalization reads each word with one SLOAD.
    mapping(uint256 => mapping(uint256 => mapping(uint256 => uint256))) internal _scoreWords;
    mapping(uint256 => mapping(uint256 => mapping(address => bool))) public scoresRevealed;
    mapping(uint256 => mapping(uint256 => bytes32)) internal _evalSeeds;
    /// @notice The creator's canary key commitment per epoch: keccak256(abi.encode(canaryKey)).
    mapping(uint256 => mapping(uint256 => bytes32)) public canaryCommitOf;
    mapping(uint256 => mapping(uint256 => bool)) public canariesRevealed;
    mapping(uint256 => mapping(uint256 => uint256)) internal _canaryMasks;
    /// @dev Per task and trainer: 1 + the last leaf (K) of every transcript it revealed, by root.
    /// A continuation must start at such a root's last leaf.
    mapping(uint256 => mapping(address => mapping(bytes32 => uint256))) internal _finalLeafPlusOne;

    event SubmissionSealed(
        uint256 indexed taskId, uint256 indexed epoch, address indexed trainer, bytes32 commitment, uint64 seq
    );
    event SubmissionRevealed(
        uint256 indexed taskId,
        uint256 indexed epoch,
        address indexed trainer,
        uint256 submissionId,
        bytes32 artifactHash,
        bytes32 artifactRoot,
        bytes32 wmCommit,
        bool duplicate
    );
    /// @notice The transcript a revealed submission's seal committed to (SPEC 8.2).
    event TranscriptCommitted(
        uint256 indexed taskId,
        uint256 indexed submissionId,
        address indexed trainer,
        bytes32 trajRoot,
        uint256 segments,
        bytes32 startRoot,
        uint256 startLeaf
    );
    event DuplicateFlagged(uint256 indexed taskId, uint256 indexed submissionId, uint256 original);
    event ScoresCommitted(uint256 indexed taskId, uint256 indexed epoch, address indexed validator, bytes32 commitment);
    event ScoresRevealed(uint256 indexed taskId, uint256 indexed epoch, address indexed validator, uint256[] words);
    event EvalSeedDrawn(uint256 indexed taskId, uint256 indexed epoch, bytes32 seed);
    event CanariesCommitted(uint256 indexed taskId, uint256 indexed epoch, bytes32 keyHash);
    event CanariesRevealed(uint256 indexed taskId, uint256 indexed epoch, bytes32 canaryKey, uint256 mask);

    error WrongWindow(Window expected, Window current);
    error NotEligible();
    error EmptyCommitment();
    error NoSeal();
    error AlreadyRevealed();
    error CommitmentMismatch();
    error EmptyArtifact();
    error EmptyArtifactRoot();
    error EmptyTranscript();
    error InvalidSeededStart();
    error UnknownStart(bytes32 startRoot);
    error StartNotFinal(uint256 finalLeaf);
    error FinalEvalUnsettled();
    error NoScoreCommit();
    error SeedDrawerNotEOA();
    error EvalSeedNotDrawn();
    error NotCreator();
    error NotScoringEpoch(uint256 epoch);
    error CanaryCommitClosed(uint256 startedAt);
    error NoCanaryCommit();
    error CanaryKeyMismatch();
    error CanariesAlreadyRevealed();
    error TooManyCanaries();

    constructor(ITaskRegistry registry_, IStakeManager stakes_) {
        registry = registry_;
        stakes = stakes_;
    }

    // ---------------------------------------------------------------- trainers

    /// @notice Seals a submission: `sealCommitment(task, epoch, trainer, artifactHash, wmCommit,
    /// transcript, salt)`. Sealing again in the window replaces the seal (and its place in line).
    function sealSubmission(uint256 taskId, bytes32 commitment) external {
        uint256 epoch = _inWindow(taskId, Window.Seal);
        if (commitment == 0) revert EmptyCommitment();
        if (!stakes.isEligible(taskId, msg.sender, Role.Trainer, epoch)) revert NotEligible();
        uint64 seq = ++sealCount;
        _seals[taskId][epoch][msg.sender] =
            Seal({commitment: commitment, seq: seq, blockNumber: uint64(block.number), revealed: false});
        emit SubmissionSealed(taskId, epoch, msg.sender, commitment, seq);
    }

    /// @notice The seal commitment: `keccak256(abi.encode(task, epoch, trainer, artifactHash,
    /// wmCommit, transcript.trajRoot, transcript.segments, transcript.startRoot,
    /// transcript.startLeaf, salt))` (the struct is static, so it encodes inline as four words).
    function sealCommitment(
        uint256 taskId,
        uint256 epoch,
        address trainer,
        bytes32 artifactHash,
        bytes32 wmCommit,
        TranscriptCommit memory transcript,
        bytes32 salt
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(taskId, epoch, trainer, artifactHash, wmCommit, transcript, salt));
    }

    /// @notice Opens the caller's seal of the current epoch; only revealed submissions are scored.
    /// The transcript must have a root and at least one segment, and start at the seeded
    /// initialization or at the last leaf of a transcript the caller revealed earlier in the task
    /// (SPEC 8.1: nothing else).
    /// @param artifactHash the artifact's sha-256, as sealed (SPEC 5)
    /// @param artifactRoot where the artifact is: the sha2-256 digest of its UnixFS root CID (equal
    /// to `artifactHash` for a file of one chunk, which is its own raw block). Not sealed: a
    /// locator, checked by every fetch against `artifactHash`, so a wrong one only makes the
    /// caller's own artifact unavailable (scored as missing). Zero reverts.
    /// @return submissionId the submission's index in the task
    function revealSubmission(
        uint256 taskId,
        bytes32 artifactHash,
        bytes32 artifactRoot,
        bytes32 wmCommit,
        TranscriptCommit calldata transcript,
        bytes32 salt
    ) external returns (uint256 submissionId) {
        uint256 epoch = _inWindow(taskId, Window.Reveal);
        Seal storage seal = _seals[taskId][epoch][msg.sender];
        if (seal.commitment == 0) revert NoSeal();
        if (seal.revealed) revert AlreadyRevealed();
        if (sealCommitment(taskId, epoch, msg.sender, artifactHash, wmCommit, transcript, salt) != seal.commitment) {
            revert CommitmentMismatch();
        }
        if (artifactHash == 0) revert EmptyArtifact();
        if (artifactRoot == 0) revert EmptyArtifactRoot();
        _checkTranscript(taskId, transcript);
        if (!stakes.isEligible(taskId, msg.sender, Role.Trainer, epoch)) revert NotEligible();
        seal.revealed = true;

        Submission[] storage subs = _submissions[taskId];
        submissionId = subs.length;
        bool duplicate = _checkDuplicate(taskId, artifactHash, seal.seq, submissionId);
        subs.push(
            Submission({
                trainer: msg.sender,
                epoch: uint32(epoch),
                duplicate: duplicate,
                sealSeq: seal.seq,
                sealBlock: seal.blockNumber,
                artifactHash: artifactHash,
                artifactRoot: artifactRoot,
                wmCommit: wmCommit,
                segments: transcript.segments,
                startLeaf: transcript.startLeaf,
                trajRoot: transcript.trajRoot,
                startRoot: transcript.startRoot
            })
        );
        _epochSubmissions[taskId][epoch].push(uint32(submissionId));
        if (_latestPlusOne[taskId][msg.sender] == 0) _submitters[taskId].push(msg.sender);
        _latestPlusOne[taskId][msg.sender] = uint32(submissionId + 1);
        _finalLeafPlusOne[taskId][msg.sender][transcript.trajRoot] = uint256(transcript.segments) + 1;
        emit SubmissionRevealed(
            taskId, epoch, msg.sender, submissionId, artifactHash, artifactRoot, wmCommit, duplicate
        );
        emit TranscriptCommitted(
            taskId,
            submissionId,
            msg.sender,
            transcript.trajRoot,
            transcript.segments,
            transcript.startRoot,
            transcript.startLeaf
        );
    }

    /// @dev SPEC 8.1: a transcript starts at the seeded initialization or at the final state of
    /// the trainer's own earlier transcript in the task, which the chain knows once revealed. A
    /// start at another trainer's state, or in the middle of an earlier transcript, is refused.
    function _checkTranscript(uint256 taskId, TranscriptCommit calldata t) internal view {
        if (t.trajRoot == 0 || t.segments == 0) revert EmptyTranscript();
        if (t.startRoot == SEEDED_START) {
            if (t.startLeaf != 0) revert InvalidSeededStart();
            return;
        }
        uint256 finalPlusOne = _finalLeafPlusOne[taskId][msg.sender][t.startRoot];
        if (finalPlusOne == 0) revert UnknownStart(t.startRoot);
        if (t.startLeaf != finalPlusOne - 1) revert StartNotFinal(finalPlusOne - 1);
    }

    /// @dev A copy of another trainer's earlier-sealed artifact is a duplicate (scored 0). Reveal
    /// order can differ from seal order inside an epoch, so an earlier reveal may be the copy.
    /// Resubmitting one's own artifact is not copying.
    function _checkDuplicate(uint256 taskId, bytes32 artifactHash, uint64 seq, uint256 id)
        internal
        returns (bool duplicate)
    {
        uint32 firstPlusOne = _firstByHashPlusOne[taskId][artifactHash];
        if (firstPlusOne == 0) {
            _firstByHashPlusOne[taskId][artifactHash] = uint32(id + 1);
            return false;
        }
        Submission storage first = _submissions[taskId][firstPlusOne - 1];
        if (first.trainer == msg.sender) return false;
        if (first.sealSeq < seq) return true;
        first.duplicate = true;
        _firstByHashPlusOne[taskId][artifactHash] = uint32(id + 1);
        emit DuplicateFlagged(taskId, firstPlusOne - 1, id);
        return false;
    }

    // ---------------------------------------------------------------- validators

    /// @notice Draws the current epoch's evaluation seed (SPEC 2.2): the subset of the eval set
    /// every validator scores this epoch. Open in the epoch's score-commit window (in the final
    /// phase once the final eval set is settled), so nobody knows it before the submissions are
    /// fixed. The first call draws, later calls return the stored seed. Only an externally owned
    /// account may draw: a contract could draw, inspect the seed and revert until it liked one.
    /// @return seed keccak256(abi.encode(block.prevrandao, blockhash(block.number - 1), task, epoch))
    function drawEvalSeed(uint256 taskId) external returns (bytes32 seed) {
        uint256 epoch = _inWindow(taskId, Window.ScoreCommit);
        seed = _evalSeeds[taskId][epoch];
        if (seed != 0) return seed;
        if (msg.sender != tx.origin || msg.sender.code.length != 0) revert SeedDrawerNotEOA();
        _requireFinalEvalSettled(taskId, epoch);
        seed = keccak256(abi.encode(block.prevrandao, blockhash(block.number - 1), taskId, epoch));
        _evalSeeds[taskId][epoch] = seed;
        emit EvalSeedDrawn(taskId, epoch, seed);
    }

    /// @notice Commits scores: `keccak256(abi.encode(task, epoch, validator, words, salt))` where
    /// `words` are the packed scores of the epoch's columns in list order (see ScorePacking),
    /// evaluated on the subset the epoch's seed selects (drawn first, `drawEvalSeed`).
    function commitScores(uint256 taskId, bytes32 commitment) external {
        uint256 epoch = _inWindow(taskId, Window.ScoreCommit);
        if (commitment == 0) revert EmptyCommitment();
        if (!stakes.isEligible(taskId, msg.sender, Role.Validator, epoch)) revert NotEligible();
        _requireFinalEvalSettled(taskId, epoch);
        if (_evalSeeds[taskId][epoch] == 0) revert EvalSeedNotDrawn();
        scoreCommitOf[taskId][epoch][msg.sender] = commitment;
        emit ScoresCommitted(taskId, epoch, msg.sender, commitment);
    }

    /// @notice Reveals committed scores: one per column of the epoch, each 0..10000.
    function revealScores(uint256 taskId, uint256[] calldata words, bytes32 salt) external {
        uint256 epoch = _inWindow(taskId, Window.ScoreReveal);
        bytes32 commitment = scoreCommitOf[taskId][epoch][msg.sender];
        if (commitment == 0) revert NoScoreCommit();
        if (scoresRevealed[taskId][epoch][msg.sender]) revert AlreadyRevealed();
        if (keccak256(abi.encode(taskId, epoch, msg.sender, words, salt)) != commitment) revert CommitmentMismatch();
        ScorePacking.validate(words, columnCount(taskId, epoch));
        scoresRevealed[taskId][epoch][msg.sender] = true;
        address[] storage revealers = _revealers[taskId][epoch];
        mapping(uint256 => uint256) storage slots = _scoreWords[taskId][epoch];
        uint256 base = revealers.length << 4;
        for (uint256 w; w < words.length; ++w) {
            slots[base | w] = words[w];
        }
        revealers.push(msg.sender);
        emit ScoresRevealed(taskId, epoch, msg.sender, words);
    }

    function _requireFinalEvalSettled(uint256 taskId, uint256 epoch) internal view {
        if (epoch >= registry.schedule(taskId).submissionEpochs && !registry.finalEvalSettled(taskId)) {
            revert FinalEvalUnsettled();
        }
    }

    // ---------------------------------------------------------------- canaries (task creator)

    /// @notice The seal salt of a canary: a trainer account of the creator seals a probe model
    /// with this salt, indistinguishable from a random one until the key is revealed.
    /// @param useEpoch the epoch the canary is scored as one: its seal's epoch in the submission
    /// phase; the final epoch's number for a final-phase canary sealed earlier
    function canarySalt(uint256 taskId, uint256 useEpoch, address trainer, bytes32 canaryKey)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(CANARY_DOMAIN, taskId, useEpoch, trainer, canaryKey));
    }

    /// @notice The creator commits to the canary key of `epoch` before the epoch starts:
    /// `keyHash = keccak256(abi.encode(canaryKey))`. Replaceable until then. A key must be fresh
    /// per epoch: once revealed, anyone can recognize the canaries it salts.
    function commitCanaries(uint256 taskId, uint256 epoch, bytes32 keyHash) external {
        if (msg.sender != registry.creatorOf(taskId)) revert NotCreator();
        if (keyHash == 0) revert EmptyCommitment();
        Schedule memory s = registry.schedule(taskId);
        if (epoch >= s.scoringEpochs()) revert NotScoringEpoch(epoch);
        uint256 startsAt = s.epochStart(epoch);
        if (block.timestamp >= startsAt) revert CanaryCommitClosed(startsAt);
        canaryCommitOf[taskId][epoch] = keyHash;
        emit CanariesCommitted(taskId, epoch, keyHash);
    }

    /// @notice The creator reveals the current epoch's canary key in its score-reveal window
    /// (every score is committed by then). Column i of the epoch is a canary iff its seal opens
    /// with `canarySalt(task, epoch, trainer, canaryKey)`; the engine checks validators against
    /// those columns' consensus (docs/reward-math.md step 3). Once per epoch.
    /// @return mask bit i set iff column i is a canary
    function revealCanaries(uint256 taskId, bytes32 canaryKey) external returns (uint256 mask) {
        if (msg.sender != registry.creatorOf(taskId)) revert NotCreator();
        uint256 epoch = _inWindow(taskId, Window.ScoreReveal);
        bytes32 keyHash = canaryCommitOf[taskId][epoch];
        if (keyHash == 0) revert NoCanaryCommit();
        if (canariesRevealed[taskId][epoch]) revert CanariesAlreadyRevealed();
        if (keccak256(abi.encode(canaryKey)) != keyHash) revert CanaryKeyMismatch();
        bool finalPhase = epoch >= registry.schedule(taskId).submissionEpochs;
        uint256 n = finalPhase ? _submitters[taskId].length : _epochSubmissions[taskId][epoch].length;
        uint256 found;
        for (uint256 i; i < n; ++i) {
            Submission storage sub = _submissions[taskId][_columnId(taskId, epoch, i, finalPhase)];
            address trainer = sub.trainer;
            uint256 sealEpoch = sub.epoch;
            bytes32 salt = canarySalt(taskId, epoch, trainer, canaryKey);
            if (_opening(taskId, sealEpoch, sub, salt) == _seals[taskId][sealEpoch][trainer].commitment) {
                if (++found > MAX_CANARIES) revert TooManyCanaries();
                mask |= 1 << i;
            }
        }
        canariesRevealed[taskId][epoch] = true;
        _canaryMasks[taskId][epoch] = mask;
        emit CanariesRevealed(taskId, epoch, canaryKey, mask);
    }

    /// @dev The seal commitment a revealed submission opens with `salt`.
    function _opening(uint256 taskId, uint256 sealEpoch, Submission storage sub, bytes32 salt)
        internal
        view
        returns (bytes32)
    {
        TranscriptCommit memory t = TranscriptCommit({
            trajRoot: sub.trajRoot, segments: sub.segments, startRoot: sub.startRoot, startLeaf: sub.startLeaf
        });
        return sealCommitment(taskId, sealEpoch, sub.trainer, sub.artifactHash, sub.wmCommit, t, salt);
    }

    /// @notice The canary columns of `epoch` (bit i = column i); 0 until revealed.
    function canaryMask(uint256 taskId, uint256 epoch) external view returns (uint256) {
        return _canaryMasks[taskId][epoch];
    }

    /// @notice The epoch's evaluation seed; 0 while not drawn.
    function evalSeedOf(uint256 taskId, uint256 epoch) external view returns (bytes32) {
        return _evalSeeds[taskId][epoch];
    }

    // ---------------------------------------------------------------- views

    /// @notice Number of columns scored in `epoch`: its revealed submissions in the submission
    /// phase; every trainer that ever revealed (its latest submission) in the final phase.
    function columnCount(uint256 taskId, uint256 epoch) public view returns (uint256) {
        if (epoch < registry.schedule(taskId).submissionEpochs) return _epochSubmissions[taskId][epoch].length;
        return _submitters[taskId].length;
    }

    /// @notice The columns of `epoch` in list order: the order validators' scores follow.
    function columns(uint256 taskId, uint256 epoch) external view returns (Column[] memory out) {
        Submission[] storage subs = _submissions[taskId];
        if (epoch < registry.schedule(taskId).submissionEpochs) {
            uint32[] storage ids = _epochSubmissions[taskId][epoch];
            out = new Column[](ids.length);
            for (uint256 i; i < ids.length; ++i) {
                out[i] = _column(subs[ids[i]], ids[i]);
            }
        } else {
            address[] storage trainers = _submitters[taskId];
            out = new Column[](trainers.length);
            for (uint256 i; i < trainers.length; ++i) {
                uint32 id = _latestPlusOne[taskId][trainers[i]] - 1;
                out[i] = _column(subs[id], id);
            }
        }
    }

    /// @notice The submission id of column `column` of `epoch`.
    function columnSubmissionId(uint256 taskId, uint256 epoch, uint256 column) external view returns (uint256) {
        return _columnId(taskId, epoch, column, epoch >= registry.schedule(taskId).submissionEpochs);
    }

    function _columnId(uint256 taskId, uint256 epoch, uint256 column, bool finalPhase) internal view returns (uint256) {
        if (!finalPhase) return _epochSubmissions[taskId][epoch][column];
        return _latestPlusOne[taskId][_submitters[taskId][column]] - 1;
    }

    function _column(Submission storage sub, uint32 id) internal view returns (Column memory) {
        return Column({trainer: sub.trainer, sealSeq: sub.sealSeq, duplicate: sub.duplicate, submissionId: id});
    }

    function revealersOf(uint256 taskId, uint256 epoch) external view returns (address[] memory) {
        return _revealers[taskId][epoch];
    }

    function revealerCount(uint256 taskId, uint256 epoch) external view returns (uint256) {
        return _revealers[taskId][epoch].length;
    }

    /// @notice Revealers `[from, from + count)` of `epoch`, so large epochs can be read in parts.
    function revealersSlice(uint256 taskId, uint256 epoch, uint256 from, uint256 count)
        external
        view
        returns (address[] memory out)
    {
        address[] storage all = _revealers[taskId][epoch];
        out = new address[](count);
        for (uint256 i; i < count; ++i) {
            out[i] = all[from + i];
        }
    }

    /// @notice Packed score words `[fromWord, fromWord + wordCount)` of every revealer of
    /// `epoch`, revealer-major: entry `j * wordCount + w`.
    function scoreBlock(uint256 taskId, uint256 epoch, uint256 fromWord, uint256 wordCount)
        external
        view
        returns (uint256[] memory out)
    {
        uint256 m = _revealers[taskId][epoch].length;
        out = new uint256[](m * wordCount);
        mapping(uint256 => uint256) storage slots = _scoreWords[taskId][epoch];
        for (uint256 j; j < m; ++j) {
            for (uint256 w; w < wordCount; ++w) {
                out[j * wordCount + w] = slots[(j << 4) | (fromWord + w)];
            }
        }
    }

    /// @notice The packed scores the epoch's `revealerIndex`-th revealer gave.
    function scoresOf(uint256 taskId, uint256 epoch, uint256 revealerIndex)
        external
        view
        returns (uint256[] memory out)
    {
        out = new uint256[](ScorePacking.wordsFor(columnCount(taskId, epoch)));
        for (uint256 w; w < out.length; ++w) {
            out[w] = _scoreWords[taskId][epoch][(revealerIndex << 4) | w];
        }
    }

    function getSubmission(uint256 taskId, uint256 submissionId) external view returns (Submission memory) {
        return _submissions[taskId][submissionId];
    }

    function submissionCount(uint256 taskId) external view returns (uint256) {
        return _submissions[taskId].length;
    }

    function epochSubmissionIds(uint256 taskId, uint256 epoch) external view returns (uint32[] memory) {
        return _epochSubmissions[taskId][epoch];
    }

    function submittersOf(uint256 taskId) external view returns (address[] memory) {
        return _submitters[taskId];
    }

    /// @return exists whether `trainer` has revealed a submission in the task
    /// @return submissionId its latest one
    function latestSubmission(uint256 taskId, address trainer)
        external
        view
        returns (bool exists, uint256 submissionId)
    {
        uint32 plusOne = _latestPlusOne[taskId][trainer];
        return (plusOne != 0, plusOne == 0 ? 0 : plusOne - 1);
    }

    function getSeal(uint256 taskId, uint256 epoch, address trainer) external view returns (Seal memory) {
        return _seals[taskId][epoch][trainer];
    }

    function _inWindow(uint256 taskId, Window expected) internal view returns (uint256 epoch) {
        Window current;
        (current, epoch) = registry.schedule(taskId).windowAt(block.timestamp);
        if (current != expected) revert WrongWindow(expected, current);
    }
}
