// The Task page's epoch picker: which epochs exist, what state each is in, and which one to show
// first. Pure.
import type { EpochResult } from '../../../lib/chain/reads/activity.ts';
import { scoringEpochs, type Schedule } from '../../../lib/chain/schedule.ts';
import { currentEpoch } from '../../../lib/chain/countdown.ts';

export type EpochState = 'finalized' | 'rolled-over' | 'awaiting-finalization' | 'running' | 'upcoming';

export function epochState(s: Schedule, r: EpochResult, chainTime: bigint): EpochState {
  if (r.finalized) return r.degenerate ? 'rolled-over' : 'finalized';
  const now = currentEpoch(s, chainTime);
  if (now === null || r.epoch > now) return 'upcoming';
  return r.epoch === now ? 'running' : 'awaiting-finalization';
}

export const EPOCH_STATE_LABEL: Record<EpochState, string> = {
  finalized: 'finalized',
  'rolled-over': 'no scores, reward rolled over',
  'awaiting-finalization': 'ended, awaiting finalization',
  running: 'running now',
  upcoming: 'not started',
};

export function epochPhase(s: Schedule, epoch: number): 'submission' | 'final' {
  return epoch < s.submissionEpochs ? 'submission' : 'final';
}

/**
 * The epoch to show: the one asked for in the address when it exists, else the latest finalized
 * epoch with results, else the running one, else epoch 0.
 */
export function pickEpoch(s: Schedule, results: readonly EpochResult[], chainTime: bigint, requested?: string): number {
  const count = scoringEpochs(s);
  if (requested !== undefined && /^\d+$/.test(requested)) {
    const n = Number(requested);
    if (n < count) return n;
  }
  for (let i = results.length - 1; i >= 0; i--) if (results[i]!.finalized && !results[i]!.degenerate) return i;
  const now = currentEpoch(s, chainTime);
  if (now !== null) return Math.min(now, count - 1);
  return 0;
}
