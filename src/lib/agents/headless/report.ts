// What a headless agent reports: from the agents' events (states, notes, progress) to records an
// operator reads (one line each) or a program parses (--json, one object per line). States are
// reduced to the facts that matter (phase, the model, each epoch's seal or scores) and only
// changes are reported, so a record means something happened. Pure.
import type { Note } from '../common.ts';
import type { TrainerState } from '../trainer/machine.ts';
import type { ValidatorState } from '../validator/machine.ts';
import { formatTokens } from '../../format.ts';
import { metricValue, scoreOfUnits } from '../../app-logic/metric-view.ts';
import type { Metric } from '../../ml/spec/types.ts';

/** Who a record is about: an agent, the keeper, or the command itself ('cli'). */
export type AgentRole = 'trainer' | 'validator' | 'keeper' | 'cli';

/** One reported fact. Values are JSON-safe (bigints as decimal strings). */
export interface ReportRecord {
  type: string;
  role: AgentRole;
  task?: string;
  [field: string]: unknown;
}

/**
 * The facts of a state that are worth a record when they change, by key. With the task's metric,
 * a bits-per-byte task's committed scores also carry the bits per byte they stand for (null for a
 * score of 0: at or above the cap).
 */
export function stateFacts(
  state: TrainerState | ValidatorState,
  metric: Metric | null = null,
): Map<string, Record<string, unknown>> {
  const facts = new Map<string, Record<string, unknown>>();
  facts.set('phase', { phase: state.phase });
  if (state.kind === 'trainer') {
    if (state.best)
      facts.set('model', {
        artifactHash: state.best.artifactHash,
        step: state.best.step,
        wrongBits: state.best.wrong,
        maxErr: state.best.maxErr,
        transcript: state.best.transcript !== null,
      });
    for (const r of state.epochs)
      facts.set(`epoch/${r.epoch}`, {
        epoch: r.epoch,
        outcome: r.outcome,
        seal: r.seal?.status ?? null,
        ...(r.result ? { rank: r.result.rank, pool: String(r.result.pool), degenerate: r.result.degenerate } : {}),
      });
  } else {
    const evaluations = Object.values(state.evaluations);
    if (evaluations.length > 0) facts.set('evaluations', { count: evaluations.length });
    for (const r of state.epochs)
      facts.set(`epoch/${r.epoch}`, {
        epoch: r.epoch,
        outcome: r.outcome,
        columns: r.columns?.length ?? null,
        seed: r.seed !== null,
        commit: r.commit?.status ?? null,
        ...(r.commit ? { scores: r.commit.scores } : {}),
        ...(r.commit && metric?.name === 'bitsPerByte'
          ? {
              bitsPerByte: r.commit.scores.map((u) => {
                const v = metricValue(metric, scoreOfUnits(u));
                return v === null ? null : Number(v.toFixed(4));
              }),
            }
          : {}),
      });
  }
  return facts;
}

const same = (a: Record<string, unknown> | undefined, b: Record<string, unknown>) =>
  a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** Records for what changed from `before` to `after` (before: null at the first state). */
export function stateChanges(
  before: Map<string, Record<string, unknown>> | null,
  after: Map<string, Record<string, unknown>>,
): { key: string; fact: Record<string, unknown> }[] {
  const out: { key: string; fact: Record<string, unknown> }[] = [];
  for (const [key, fact] of after) if (!same(before?.get(key), fact)) out.push({ key, fact });
  return out;
}

/** The record type of a fact key: 'phase', 'model', 'epoch'. */
export const factType = (key: string): string => key.split('/')[0]!;

/** A fact as a sentence fragment for the text output. */
export function factText(key: string, f: Record<string, unknown>): string {
  switch (factType(key)) {
    case 'phase':
      return `now ${String(f.phase)}`;
    case 'evaluations':
      return `${String(f.count)} model${f.count === 1 ? '' : 's'} evaluated`;
    case 'model':
      return `model ready: ${String(f.artifactHash).slice(0, 12)}… after ${String(f.step)} steps, watermark ${String(f.wrongBits)} wrong bits (at most ${Math.floor(Number(f.maxErr) / 2)} to seal)`;
    case 'epoch': {
      const parts = [`epoch ${String(f.epoch)}: ${String(f.outcome)}`];
      if (typeof f.columns === 'number') parts.push(`${f.columns} submission${f.columns === 1 ? '' : 's'}`);
      if (f.seed === true) parts.push('seed drawn');
      if (f.seal) parts.push(`seal ${String(f.seal)}`);
      if (f.commit)
        parts.push(`scores ${String(f.commit)}${Array.isArray(f.scores) ? ` [${f.scores.join(', ')}]` : ''}`);
      if (Array.isArray(f.bitsPerByte))
        parts.push(
          `bits per byte [${f.bitsPerByte.map((b) => (b === null ? 'above the cap' : Number(b).toFixed(3))).join(', ')}]`,
        );
      if (f.rank !== undefined)
        parts.push(
          f.degenerate
            ? 'nothing booked'
            : `rank ${String(f.rank)}, pool ${formatTokens(BigInt(String(f.pool)), 4)} ARENA`,
        );
      return parts.join(', ');
    }
    default:
      return JSON.stringify(f);
  }
}

export const noteRecord = (n: Note): Record<string, unknown> => ({
  level: n.level,
  key: n.key,
  epoch: n.epoch,
  at: String(n.at),
  message: n.message,
});

/** JSON.stringify with bigints as decimal strings. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Fits a progress line to the terminal: longer lines are cut with an ellipsis. */
export function fitLine(line: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 100) - 1);
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
