// Pieces both role machines share: notes (the explanations a user reads), retry timing, the
// agent's scope, and chain-side enums. Pure data and pure functions only: the machines' state is
// persisted in IndexedDB and must survive structuredClone unchanged.
import type { Address } from 'viem';
import { ArenaError } from '../errors.ts';

/** Which agent a state belongs to: one per (chain, deployment, task, account, role). */
export interface AgentScope {
  chainId: number;
  /** TaskRegistry address: tells two deployments on one chain id apart. */
  registry: Address;
  taskId: bigint;
  account: Address;
  role: 'trainer' | 'validator';
}

/** The contracts' Role enum order (TaskTypes.sol): one definition, src/lib/chain/roles.ts. */
export { CHAIN_ROLES, type ChainRole } from '../chain/roles.ts';

export type NoteLevel = 'info' | 'warn' | 'error';

/** An explanation shown to the user. `key` makes it idempotent: a step repeats no note. */
export interface Note {
  key: string;
  /** Chain time (unix seconds) when the agent noticed. */
  at: bigint;
  epoch: number | null;
  level: NoteLevel;
  message: string;
}

/** Newest notes kept in a state; older ones drop off (they are explanations, not records). */
export const MAX_NOTES = 100;

export interface Noted {
  notes: Note[];
}

/** Adds a note unless one with the same key is already kept; returns the note if added. */
export function addNote(state: Noted, note: Note): Note | null {
  if (state.notes.some((n) => n.key === note.key)) return null;
  state.notes.push(note);
  if (state.notes.length > MAX_NOTES) state.notes.splice(0, state.notes.length - MAX_NOTES);
  return note;
}

/** True when an action last tried at `last` may be tried again at `now`. */
export function due(last: bigint | null, now: bigint, retryAfterSec: number): boolean {
  return last === null || now - last >= BigInt(retryAfterSec);
}

/** Chain time as a UTC timestamp for messages (deterministic: no locale, no time zone). */
export function formatTime(t: bigint): string {
  return new Date(Number(t) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The span the app was not running, if the gap since the last step exceeds `gapSec`. */
export function offlineSpan(lastSeen: bigint | null, now: bigint, gapSec: number): { from: bigint; to: bigint } | null {
  return lastSeen !== null && now - lastSeen > BigInt(gapSec) ? { from: lastSeen, to: now } : null;
}

/** A reason a window passed, in words, given the offline span (if any) that covers its close. */
export function whyMissed(closes: bigint, offline: { from: bigint; to: bigint } | null): string | null {
  if (offline && offline.from < closes && closes <= offline.to) {
    return `this app was not running from ${formatTime(offline.from)} to ${formatTime(offline.to)} (chain time), so it could not act before the window closed at ${formatTime(closes)}`;
  }
  return null;
}

/** A reason to embed mid-sentence: without its own final period. */
export const clause = (reason: string): string => reason.trim().replace(/\.+$/, '');

export interface StepResult<S, A> {
  state: S;
  actions: A[];
}

/** A failed action as the runner reports it back to a machine. */
export interface ActionFailure {
  type: 'failed';
  action: string;
  epoch: number | null;
  message: string;
  /** A transient failure (network, RPC, a worker crash) is retried; a permanent one is not. */
  retryable: boolean;
  at: bigint;
}

export class AgentError extends ArenaError<AgentErrorCode> {
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AgentError';
  }
}

export type AgentErrorCode =
  | 'wrong-scope'
  | 'key-mismatch'
  | 'key-exists'
  | 'key-missing'
  | 'artifact-missing'
  | 'bad-state'
  | 'busy'
  | 'locked'
  /** A transcript's states are gone or changed: it cannot be disclosed (not worth retrying). */
  | 'transcript-missing';
