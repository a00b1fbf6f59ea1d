// A transcript run (SPEC 8.1, 8.2; docs/transcript.md section 6): the fixed program, rounded
// every `interval` steps and continued from the rounded state, each state stored with its leaf
// before the next segment starts. A run that finds its transcript in the store continues from
// the last stored state, which yields the transcript an uninterrupted run would have.
import type { Hex } from 'viem';
import { artifactHash } from '../artifact/hash.ts';
import { RunControl } from '../train/control.ts';
import { TranscriptError } from './errors.ts';
import { merkleRoot } from './merkle.ts';
import { createProgram, refuseOverrides, type Program, type ProgramOptions } from './program.ts';
import { leafOf, stateArtifact, type TranscriptState } from './state.ts';
import {
  TRANSCRIPT_FORMAT,
  TRANSCRIPT_VERSION,
  type TranscriptMeta,
  type TranscriptStart,
  type TranscriptStore,
} from './store.ts';

export interface TranscriptRunOptions extends ProgramOptions {
  /** Names the transcript in the store; a stored transcript of this id is resumed. */
  id: string;
  store: TranscriptStore;
  /** K: segments of `interval` steps in the finished transcript. */
  segments: number;
  /** Continue from the final state of this earlier, finished transcript of the same trainer and task. */
  continueFrom?: string;
  /** Stop after this many segments in this call (staged runs, tests); the transcript stays resumable. */
  maxSegments?: number;
  /** Recorded with the transcript. */
  backend?: string;
  control?: RunControl;
  /** After each step: global step and the transcript's last step. */
  onStep?: (step: number, lastStep: number) => void;
  onSegment?: (segment: SegmentDone) => void;
}

export interface SegmentDone {
  /** Index of the state just stored (1..K). */
  index: number;
  leaf: Hex;
  step: number;
  loss: number;
  penalty: number;
  accuracy: number;
  seconds: number;
}

export interface TranscriptRunResult {
  status: 'completed' | 'stopped' | 'cancelled';
  meta: TranscriptMeta;
  /** Stored states when this call began (0 for a fresh transcript). */
  resumedFrom: number;
  /** When completed: the last state's artifact (its weights) and sha256. */
  artifact?: Uint8Array;
  artifactHash?: `0x${string}`;
  root?: Hex;
}

const norm = (h: string) => h.replace(/^0x/, '').toLowerCase();

function checkSegments(segments: number): void {
  if (!Number.isSafeInteger(segments) || segments < 1 || segments >= 2 ** 32)
    throw new TranscriptError('program', `segments must be an integer in 1..2^32-1, got ${segments}`);
}

/** Stored state `index` of `meta`, checked against its leaf. */
export async function loadState(store: TranscriptStore, meta: TranscriptMeta, index: number): Promise<Uint8Array> {
  const bytes = await store.state(meta.id, index);
  if (bytes === undefined) throw new TranscriptError('store', `state ${index} of transcript ${meta.id} is missing`);
  const leaf = await leafOf(bytes);
  if (leaf !== meta.leaves[index])
    throw new TranscriptError(
      'store',
      `state ${index} of transcript ${meta.id} hashes to ${leaf}, its leaf is ${meta.leaves[index]}`,
    );
  return bytes;
}

function sameRun(a: TranscriptMeta, b: TranscriptMeta): string | null {
  const fields: [string, unknown, unknown][] = [
    ['spec', a.specHash, b.specHash],
    ['chain', a.chainId, b.chainId],
    ['task', a.task, b.task],
    ['trainer', a.trainer.toLowerCase(), b.trainer.toLowerCase()],
    ['settings', JSON.stringify(a.settings), JSON.stringify(b.settings)],
    ['segments', a.segments, b.segments],
    ['start', a.start.kind === 'seeded' ? 'seeded' : a.start.from, b.start.kind === 'seeded' ? 'seeded' : b.start.from],
  ];
  const diff = fields.find(([, x, y]) => x !== y);
  return diff ? `${diff[0]}: stored ${String(diff[1])}, asked ${String(diff[2])}` : null;
}

async function continuedStart(
  options: TranscriptRunOptions,
  fresh: TranscriptMeta,
): Promise<{ start: TranscriptStart; bytes: Uint8Array }> {
  const earlier = await options.store.meta(options.continueFrom!);
  if (earlier === undefined)
    throw new TranscriptError('program', `transcript ${options.continueFrom} to continue from is not in the store`);
  for (const [what, x, y] of [
    ['spec', earlier.specHash, fresh.specHash],
    ['chain', earlier.chainId, fresh.chainId],
    ['task', earlier.task, fresh.task],
    ['trainer', earlier.trainer.toLowerCase(), fresh.trainer.toLowerCase()],
    ['transcript settings', JSON.stringify(earlier.settings), JSON.stringify(fresh.settings)],
  ] as const) {
    if (x !== y)
      throw new TranscriptError(
        'program',
        `a transcript continues only the same trainer's transcript of the same task (SPEC 8.1): ${what} is ${x} there, ${y} here`,
      );
  }
  if (earlier.root === undefined || earlier.leaves.length !== earlier.segments + 1)
    throw new TranscriptError(
      'program',
      `transcript ${earlier.id} is not finished (${earlier.leaves.length - 1} of ${earlier.segments} segments)`,
    );
  const bytes = await loadState(options.store, earlier, earlier.segments);
  return {
    start: {
      kind: 'continued',
      from: earlier.id,
      root: earlier.root,
      segments: earlier.segments,
      leaf: earlier.leaves.at(-1)!,
    },
    bytes,
  };
}

export async function runTranscript(options: TranscriptRunOptions): Promise<TranscriptRunResult> {
  refuseOverrides(options);
  checkSegments(options.segments);
  const { store, id } = options;
  const program: Program = await createProgram(options);
  try {
    const now = Date.now();
    const fresh: TranscriptMeta = {
      format: TRANSCRIPT_FORMAT,
      version: TRANSCRIPT_VERSION,
      id,
      specHash: norm(options.specHash),
      chainId: BigInt(options.identity.chainId).toString(),
      task: BigInt(options.identity.task).toString(),
      trainer: options.identity.trainer,
      settings: program.settings,
      segments: options.segments,
      start:
        options.continueFrom === undefined
          ? { kind: 'seeded' }
          : { kind: 'continued', from: options.continueFrom, root: '0x', segments: 0, leaf: '0x' },
      leaves: [],
      backend: options.backend ?? 'unknown',
      createdAt: now,
      updatedAt: now,
    };

    let meta = await store.meta(id);
    let bytes: Uint8Array;
    if (meta !== undefined) {
      const diff = sameRun(meta, fresh);
      if (diff !== null)
        throw new TranscriptError(
          'store',
          `transcript ${id} exists with other settings (${diff}); delete it or use another id`,
        );
      if (meta.leaves.length === 0) throw new TranscriptError('store', `transcript ${id} has no states`);
      bytes = await loadState(store, meta, meta.leaves.length - 1);
    } else {
      if (fresh.start.kind === 'seeded') {
        bytes = program.encode(program.startState());
      } else {
        const c = await continuedStart(options, fresh);
        fresh.start = c.start;
        bytes = c.bytes;
      }
      meta = { ...fresh, leaves: [await leafOf(bytes)] };
      await store.save(meta, 0, bytes);
    }
    const resumedFrom = meta.leaves.length - 1;
    let state: TranscriptState = program.decode(bytes);
    const { interval } = program.settings;
    const lastStep = state.step + (options.segments - resumedFrom) * interval;
    const control = options.control ?? new RunControl();
    let done = 0;

    while (meta.leaves.length <= options.segments) {
      if (options.maxSegments !== undefined && done >= options.maxSegments)
        return { status: 'stopped', meta, resumedFrom };
      const t0 = performance.now();
      const base = state.step;
      const run = await program.run(state, interval, {
        control,
        onStep: (k) => options.onStep?.(base + k, lastStep),
      });
      // A cancel that lands after the last step (a lost GPU device among them) keeps the state
      // out of the transcript: what was read back may not be what was computed.
      if (run.status === 'cancelled' || control.state === 'cancelled')
        return { status: 'cancelled', meta, resumedFrom };
      state = program.round(run.state!);
      bytes = program.encode(state);
      const leaf = await leafOf(bytes);
      const leaves: Hex[] = [...meta.leaves, leaf];
      meta = {
        ...meta,
        leaves,
        updatedAt: Date.now(),
        ...(leaves.length === options.segments + 1 ? { root: merkleRoot(leaves) } : {}),
      };
      await store.save(meta, leaves.length - 1, bytes);
      done += 1;
      options.onSegment?.({
        index: leaves.length - 1,
        leaf,
        step: state.step,
        loss: run.loss,
        penalty: run.penalty,
        accuracy: run.accuracy,
        seconds: (performance.now() - t0) / 1000,
      });
    }
    const artifact = stateArtifact(bytes, program.params).slice();
    return {
      status: 'completed',
      meta,
      resumedFrom,
      artifact,
      artifactHash: await artifactHash(artifact),
      root: meta.root!,
    };
  } finally {
    program.dispose();
  }
}
