// Steps both role machines take the same way: queueing notes as 'explain' actions, closing a
// step, keeping one record per epoch, catching up on windows that closed while the app slept,
// checking a join request, and explaining a failed action. Pure: they change only the state
// (or the action list) they are given.
import { epochAt, windowTimes, type Schedule, type Window } from '../chain/schedule.ts';
import { WAD } from '../protocol/wad.ts';
import {
  AgentError,
  addNote,
  clause,
  type ActionFailure,
  type Note,
  type NoteLevel,
  type Noted,
  type StepResult,
} from './common.ts';

export type NoteFn = (key: string, level: NoteLevel, message: string, epoch?: number | null) => void;

/** Where a machine's step collects its actions: a note is one of them. */
interface ActionList {
  push(action: { type: 'explain'; note: Note }): unknown;
}

/** A NoteFn that adds notes to `s`, stamped `at`, and queues an 'explain' action for each new one. */
export function noteInto(s: Noted, at: bigint, actions: ActionList): NoteFn {
  return (key, level, message, epoch = null) => {
    const added = addNote(s, { key, at, epoch, level, message });
    if (added) actions.push({ type: 'explain', note: added });
  };
}

/** Ends a step: the phase label and the time seen, with the actions decided. */
export function finishStep<S extends { phase: unknown; lastSeen: bigint | null }, A>(
  s: S,
  phase: S['phase'],
  now: bigint,
  actions: A[],
): StepResult<S, A> {
  s.phase = phase;
  s.lastSeen = now;
  return { state: s, actions };
}

/** The record of `epoch`, made by `make` (and kept in epoch order) if there is none yet. */
export function epochRecord<R extends { epoch: number }>(epochs: R[], epoch: number, make: (epoch: number) => R): R {
  let rec = epochs.find((r) => r.epoch === epoch);
  if (!rec) {
    rec = make(epoch);
    epochs.push(rec);
    epochs.sort((a, b) => a.epoch - b.epoch);
  }
  return rec;
}

/**
 * The epochs up to `upTo` whose `window` was still open at `lastSeen`: those that closed since
 * get a record, so an epoch the app slept through is explained rather than silently skipped.
 */
export function windowsOpenSince(schedule: Schedule, lastSeen: bigint, upTo: number, window: Window): number[] {
  const last = epochAt(schedule, lastSeen);
  const epochs: number[] = [];
  for (let e = last.started ? last.epoch : 0; e <= upTo; e++) {
    if (windowTimes(schedule, e, window)!.closes > lastSeen) epochs.push(e);
  }
  return epochs;
}

/** A join request as the user gave it: a positive stake and sigma in [0, 1] (WAD). */
export function joinRequest(amount: bigint, sigma: bigint): { amount: bigint; sigma: bigint; sentAt: null; sends: 0 } {
  if (amount <= 0n) throw new AgentError('bad-state', 'the stake must be more than zero');
  if (sigma < 0n || sigma > WAD) throw new AgentError('bad-state', 'sigma must be between 0 and 1 (WAD)');
  return { amount, sigma, sentAt: null, sends: 0 };
}

/** Explains a failed action; a retryable one says it will be tried again. */
export function noteFailure(f: ActionFailure, note: NoteFn): void {
  const where = f.epoch !== null ? `Epoch ${f.epoch}: ` : '';
  const retry = f.retryable ? ' It will be tried again.' : '';
  note(
    `failed/${f.action}/${f.epoch ?? '-'}/${f.message}`,
    f.retryable ? 'warn' : 'error',
    `${where}${f.action} failed: ${clause(f.message)}.${retry}`,
    f.epoch,
  );
}
