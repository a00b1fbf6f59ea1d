// A validator's check of a disclosed training transcript (SPEC 8.3, 8.4): fetch the manifest
// and check it against the seal's commitment, then replay segments with the task's fixed
// program, reporting TranscriptCheckProgress as it goes. 'whole' (the challenger) replays every
// segment in order and stops at the first that fails, which is the one it disputes; 'segment' (a
// juror) replays the disputed one. The first segment of a seeded transcript must start from the
// trainer's seeded start, and the last state's weights must be the submitted artifact. The
// replay itself is the ML port's (the eval worker's EvalService.replay in the browser, the same
// service in process in Node).
import type { Address, Hex } from 'viem';
import type { TranscriptCommitment } from '../../chain/transcript-commit.ts';
import { TRANSCRIPT_BACKEND } from '../../ml/spec/transcript.ts';
import type { SegmentReplayRequest, SegmentReplayResult } from '../ports.ts';
import type { TranscriptCheckProblem, TranscriptCheckProgress } from '../transcript-check.ts';
import { ArenaError } from '../../errors.ts';

/** What the seal committed to and who must have trained it: a disclosure is checked against it. */
export interface DisclosureExpectation {
  commitment: TranscriptCommitment;
  chainId: number;
  task: bigint;
  trainer: Address;
  /** The trainer's key commitment at join (null: none recorded, every disclosure mismatches). */
  keyCommit: Hex | null;
}

export interface OpenedTranscript {
  /** What checkDisclosure found wrong with the manifest (empty: it matches the seal). */
  problems: string[];
  segments: number;
  seeded: boolean;
  /** The disclosed watermark key bits, for the replay's regularizer. */
  keyBits?: Uint8Array;
  /** State i's bytes, checked against its leaf. */
  state(i: number): Promise<Uint8Array>;
}

/**
 * Reads a disclosure: the trainer helper's manifest module (openDisclosure, checkDisclosure)
 * behind an interface, so the check is tested without the store. `open` throws DisclosureFetchError
 * when the manifest cannot be had, anything else when it is malformed.
 */
export interface DisclosureReader {
  open(manifest: Hex, expect: DisclosureExpectation): Promise<OpenedTranscript>;
}

/** The manifest or a state could not be fetched (worth trying again). */
export class DisclosureFetchError extends ArenaError<'disclosure-unavailable'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('disclosure-unavailable', message, { ...options, retryable: true });
    this.name = 'DisclosureFetchError';
  }
}

export interface CheckTarget {
  challengeId: string;
  expect: DisclosureExpectation;
  manifest: Hex;
  /** The submission's artifact hash: the last state's weights must hash to it. */
  artifactHash: Hex;
  mode: 'whole' | 'segment';
  /** The disputed segment (mode 'segment'). */
  segment: number | null;
}

export interface CheckDeps {
  disclosures: DisclosureReader;
  replay(
    request: SegmentReplayRequest,
    events?: { onProgress?(done: number, total: number): void },
  ): Promise<SegmentReplayResult>;
  /** sha256 of the artifact a state's weights make (transcript stateArtifact, then artifactHash). */
  artifactHashOf(state: Uint8Array): Promise<Hex>;
  /** Every change of the report; `step` only moves the step counter (frequent). */
  report(progress: TranscriptCheckProgress, change: 'status' | 'segment' | 'step'): void;
  /** Milliseconds (Date.now). */
  clock?: () => number;
}

export async function checkTranscript(t: CheckTarget, deps: CheckDeps): Promise<TranscriptCheckProgress> {
  const clock = deps.clock ?? Date.now;
  const p: TranscriptCheckProgress = {
    challengeId: t.challengeId,
    taskId: t.expect.task.toString(),
    trainer: t.expect.trainer,
    manifest: t.manifest,
    mode: t.mode,
    status: 'fetching',
    segments: t.expect.commitment.segments,
    toCheck: [],
    checked: [],
    firstFailing: null,
    startedAt: clock(),
    updatedAt: clock(),
  };
  const emit = (change: 'status' | 'segment' | 'step') => {
    p.updatedAt = clock();
    deps.report(structuredClone(p), change);
  };
  const stop = (kind: TranscriptCheckProblem, message: string, segment: number | null = null) => {
    p.status = 'problem';
    p.problem = { kind, message };
    p.firstFailing = segment;
    delete p.step;
    emit('status');
    return structuredClone(p);
  };
  emit('status');

  let opened: OpenedTranscript;
  try {
    opened = await deps.disclosures.open(t.manifest, t.expect);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return e instanceof DisclosureFetchError
      ? stop('unavailable', `the disclosure could not be fetched: ${message}`)
      : stop('mismatch', `the disclosure is malformed: ${message}`, 0);
  }
  if (opened.problems.length > 0)
    return stop('mismatch', `the disclosure does not match the seal: ${opened.problems.join('; ')}`, 0);
  const k = opened.segments;
  p.segments = k;
  if (t.mode === 'segment' && (t.segment === null || t.segment < 0 || t.segment >= k))
    return stop('mismatch', `segment ${t.segment} is not one of the transcript's ${k}`, 0);
  p.toCheck = t.mode === 'whole' ? Array.from({ length: k }, (_, i) => i) : [t.segment!];
  p.status = 'replaying';
  emit('status');

  const cache = new Map<number, Uint8Array>();
  const state = async (i: number) => {
    let b = cache.get(i);
    if (!b) {
      b = await opened.state(i);
      cache.set(i, b);
      cache.delete(i - 2);
    }
    return b;
  };
  for (const i of p.toCheck) {
    let start: Uint8Array, claimed: Uint8Array;
    try {
      [start, claimed] = [await state(i), await state(i + 1)];
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return stop('unavailable', `state ${i} or ${i + 1} could not be fetched: ${message}`, i);
    }
    if (i === k - 1 && (await deps.artifactHashOf(claimed)).toLowerCase() !== t.artifactHash.toLowerCase())
      return stop(
        'not-the-artifact',
        `the last state's weights are not the submitted artifact ${t.artifactHash}`,
        k - 1,
      );
    const replay = () => {
      p.step = { segment: i, done: 0, of: 0 };
      emit('step');
      return deps.replay(
        {
          identity: { chainId: t.expect.chainId, task: t.expect.task, trainer: t.expect.trainer },
          ...(opened.keyBits ? { keyBits: opened.keyBits } : {}),
          start,
          claimed,
          ...(i === 0 && opened.seeded ? { checkSeededStart: true } : {}),
          // Every juror replays on the reference backend, where an honest segment is exact.
          backend: TRANSCRIPT_BACKEND,
        },
        {
          onProgress: (done, of) => {
            p.step = { segment: i, done, of };
            emit('step');
          },
        },
      );
    };
    const r = await replay();
    if (r.status === 'cancelled') {
      p.status = 'cancelled';
      delete p.step;
      emit('status');
      return structuredClone(p);
    }
    if (r.seededStart === false)
      return stop('foreign-start', "the transcript does not start from the trainer's seeded start state (SPEC 8.1)", 0);
    p.checked.push({
      segment: i,
      replays: r.replays,
      failing: r.failing,
      maxDeviation: r.maxDeviation,
      seconds: r.seconds,
      backend: r.backend,
    });
    emit('segment');
    if (!r.replays) {
      p.firstFailing = i;
      p.status = 'fails';
      delete p.step;
      emit('status');
      return structuredClone(p);
    }
  }
  p.status = 'replays';
  delete p.step;
  emit('status');
  return structuredClone(p);
}
