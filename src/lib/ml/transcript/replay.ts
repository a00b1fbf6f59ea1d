// Segment replay (SPEC 8.3; docs/transcript.md section 5): `interval` steps of the fixed program
// from the start state on this backend, unrounded, compared with the claimed next state. The
// same code runs in the eval worker (ml/eval/service.ts) and in Node.
import type { Hex } from 'viem';
import { compareStates, type SegmentCheck } from './compare.ts';
import { TranscriptError } from './errors.ts';
import type { Program, StepHooks } from './program.ts';
import { leafOf, serializeState, type TranscriptState } from './state.ts';

export interface ReplayResult {
  status: 'done' | 'cancelled';
  /** Absent when cancelled. */
  check?: SegmentCheck;
  /** Leaves of the two states as given (what the Merkle proofs name). */
  startLeaf: Hex;
  claimedLeaf: Hex;
  seconds: number;
}

export interface ReplayOptions extends StepHooks {
  /** Failing coordinates listed. Default 10. */
  maxFailures?: number;
}

/**
 * Replays the segment from state bytes `start` and compares with state bytes `claimed`. Bytes
 * that are not states of the program's spec are a TranscriptError ('state' / 'nonfinite'): a
 * disclosure of such bytes fails before any step is run.
 */
export async function replaySegment(
  program: Program,
  start: Uint8Array,
  claimed: Uint8Array,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const t0 = performance.now();
  const from = decodeAs(program, start, 'the start state');
  const claim = decodeAs(program, claimed, 'the claimed state');
  const [startLeaf, claimedLeaf] = await Promise.all([leafOf(start), leafOf(claimed)]);
  const run = await program.run(from, program.settings.interval, options);
  const seconds = () => (performance.now() - t0) / 1000;
  if (run.status === 'cancelled') return { status: 'cancelled', startLeaf, claimedLeaf, seconds: seconds() };
  const check = compareStates(run.state!, claim, {
    settings: program.settings,
    params: program.params,
    optimizer: program.spec.optimizer.name,
    ...(options.maxFailures !== undefined ? { maxFailures: options.maxFailures } : {}),
  });
  return { status: 'done', check, startLeaf, claimedLeaf, seconds: seconds() };
}

function decodeAs(program: Program, bytes: Uint8Array, what: string): TranscriptState {
  try {
    return program.decode(bytes);
  } catch (e) {
    if (e instanceof TranscriptError) throw new TranscriptError(e.code, `${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Whether `leaf0` is the seeded start of this program's identity (SPEC 8.1): a transcript that
 * starts anywhere else (another trainer's state, a grinded seed) is refused.
 */
export async function isSeededStart(program: Program, leaf0: Hex): Promise<boolean> {
  const bytes = serializeState(program.specHash, program.params, program.startState());
  return (await leafOf(bytes)) === leaf0.toLowerCase();
}
