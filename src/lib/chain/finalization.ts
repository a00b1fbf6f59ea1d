// When a task's next scoring epoch may be finalized: the keeper's decision, kept pure so it can
// be tested without a chain. Mirrors the guards at the top of RewardEngine.finalize.
import { epochStart, scoringEpochs, type Schedule } from './schedule.ts';

/** RewardEngine.progressOf, the two fields that matter here. Stage 0 is `Start`. */
export interface FinalizationProgress {
  epoch: number;
  stage: number;
}

export type FinalizationState =
  | { kind: 'done' }
  | { kind: 'rejected' }
  | { kind: 'wait'; epoch: number; endsAt: bigint }
  | { kind: 'due'; epoch: number };

export function finalizationState(s: Schedule, p: FinalizationProgress, now: bigint): FinalizationState {
  if (s.rejected) return { kind: 'rejected' };
  // A finalization already under way is resumable at any time.
  if (p.stage !== 0) return { kind: 'due', epoch: p.epoch };
  if (p.epoch >= scoringEpochs(s)) return { kind: 'done' };
  const endsAt = epochStart(s, p.epoch + 1);
  return now >= endsAt ? { kind: 'due', epoch: p.epoch } : { kind: 'wait', epoch: p.epoch, endsAt };
}
