// What the Train page says about the trainer agent's transcript runs (SPEC 8; docs/transcript.md
// sections 6, 7 and 11), as pure functions of the agent's state, the spec's transcript interval
// and what this device has stored. A transcript run trains K segments of `interval` steps, K
// from the epochs asked for (segmentsOf); a closed tab resumes from the last stored state, and
// a run after a finished one is a new transcript that continues the trainer's newest revealed
// one (or starts seeded again while none is revealed), as the agent does (machine.ts,
// nextTranscript).
import type { Note, TrainerState } from '../agents/index.ts';
import type { TranscriptMeta, TranscriptStore } from '../ml/transcript/store.ts';

/** The stored progress of the transcript run in progress on this device. */
export interface StoredTranscript {
  /** The transcript's id in the store. */
  id: string;
  /** K of the stored record. */
  segments: number;
  /** Segments whose end state is stored (leaves - 1). */
  stored: number;
  /** The step of the last stored state (a continued transcript counts on from its start). */
  step: number;
}

/** K for `epochs` of `stepsPerEpoch` steps (the agent's rule: ceil(epochs * S / interval)). */
export const segmentsFor = (epochs: number, stepsPerEpoch: number, interval: number): number =>
  Math.max(1, Math.ceil((epochs * stepsPerEpoch) / interval));

export type NextTranscript =
  /** The run in progress: it resumes from its last stored state (stored 0: from its start). */
  | { kind: 'resume'; stored: StoredTranscript | null }
  /** A new transcript from the seeded start. */
  | { kind: 'seeded'; again: boolean }
  /** A new transcript continuing the one revealed in `epoch`. */
  | { kind: 'continued'; epoch: number };

/** What the next start trains from, as the agent decides it. */
export function nextTranscript(state: TrainerState | null, stored: StoredTranscript | null): NextTranscript {
  const t = state?.training;
  if (t?.transcript) return { kind: 'resume', stored };
  const revealed = [...(state?.epochs ?? [])]
    .filter((r) => r.seal?.status === 'revealed' && r.seal.transcriptId)
    .sort((a, b) => b.epoch - a.epoch)[0];
  if (revealed) return { kind: 'continued', epoch: revealed.epoch };
  return { kind: 'seeded', again: (t?.transcriptRuns ?? 0) > 0 };
}

const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, one: string) => `${count(n)} ${one}${n === 1 ? '' : 's'}`;

/**
 * Steps the next start trains: K segments of `interval` for the epochs asked for (those the agent
 * added for the watermark included), less the segments already stored when it resumes.
 */
export function transcriptStepsLeft(p: {
  epochs: number;
  addedEpochs: number;
  stepsPerEpoch: number;
  interval: number;
  next: NextTranscript;
}): { segments: number; storedSegments: number; stepsLeft: number } {
  const segments = segmentsFor(p.epochs + Math.max(0, p.addedEpochs), p.stepsPerEpoch, p.interval);
  const stored = p.next.kind === 'resume' ? Math.min(segments, p.next.stored?.stored ?? 0) : 0;
  return { segments, storedSegments: stored, stepsLeft: (segments - stored) * p.interval };
}

/** The line under the epochs field for a transcript run. */
export function transcriptHint(p: {
  specEpochs: number | null;
  epochs: number | null;
  addedEpochs: number;
  stepsPerEpoch: number;
  interval: number;
  next: NextTranscript;
}): string {
  const spec = p.specEpochs === null ? '' : ` The model spec suggests ${p.specEpochs}.`;
  const added =
    p.addedEpochs > 0
      ? ` The agent trains ${plural(p.addedEpochs, 'epoch')} more than the number asked for, added so the watermark could be sealed.`
      : '';
  const plan =
    p.epochs === null
      ? ''
      : (() => {
          const { segments, storedSegments } = transcriptStepsLeft({ ...p, epochs: p.epochs });
          return ` ${plural(p.epochs + Math.max(0, p.addedEpochs), 'epoch')} of ${count(p.stepsPerEpoch)} steps make a transcript of ${plural(segments, 'segment')} of ${count(p.interval)} steps (${count(segments * p.interval)} steps)${storedSegments > 0 ? `, ${count(storedSegments)} of them stored on this device` : ''}.`;
        })();
  const n = p.next;
  const from =
    n.kind === 'resume'
      ? n.stored && n.stored.stored > 0
        ? `The run resumes its transcript from the state stored on this device after segment ${count(n.stored.stored)} (step ${count(n.stored.step)}).`
        : 'The run resumes its transcript from its start.'
      : n.kind === 'continued'
        ? `A new transcript that continues the one revealed in epoch ${n.epoch} from its last state: the epochs asked for are trained on top of it.`
        : n.again
          ? 'A new transcript from the seeded start: none of yours is revealed yet, so it cannot be continued, and the epochs count from step 0 again.'
          : 'Trained as a transcript from the seeded start.';
  return `${from}${plan}${added}${spec}`;
}

/** The progress bar's words for a transcript run: segments done of K, and the step. */
export function segmentProgress(
  p: { step: number; totalSteps: number },
  interval: number,
): { done: number; segments: number; text: string } {
  const segments = Math.max(1, Math.round(p.totalSteps / interval));
  // Steps count on from a continued transcript's start: segments are counted back from the end.
  const done = Math.max(0, segments - Math.ceil(Math.max(0, p.totalSteps - p.step) / interval));
  return { done, segments, text: `segment ${count(done)} of ${count(segments)} · step ${count(p.step)}` };
}

export interface AnswerStatus {
  tone: 'ok' | 'warn';
  text: string;
}

/**
 * Whether the agent can answer a challenge by itself while the tab is open (proof + disclosure):
 * it needs the key on this device and every state of each sealed transcript.
 */
export function answerStatus(
  state: TrainerState | null,
  p: { transcripts: boolean; prover: boolean; keyOnDevice: boolean },
): AnswerStatus {
  if (!p.transcripts)
    return {
      tone: 'warn',
      text: 'This device keeps no training transcripts here, so the agent cannot disclose one: a challenge would be upheld.',
    };
  const missing = (state?.notes ?? []).filter((n: Note) => n.key.startsWith('transcript-missing/'));
  if (missing.length > 0)
    return {
      tone: 'warn',
      text: `States of a sealed transcript are missing on this device (epoch ${missing.map((n) => n.epoch).join(', ')}): a challenge of that submission cannot be answered with a disclosure and would be upheld.`,
    };
  if (!p.keyOnDevice)
    return {
      tone: 'warn',
      text: 'The watermark key is not on this device, so the agent cannot prove ownership if challenged: import the key.',
    };
  if (!p.prover)
    return {
      tone: 'warn',
      text: 'The agent keeps its training transcript, but cannot make ownership proofs here: answer challenges on the Challenges page.',
    };
  return {
    tone: 'ok',
    text: 'The agent keeps its training transcript on this device and answers a challenge by itself (ownership proof and disclosure) while this tab is open.',
  };
}

/** The step a transcript's state 0 has: 0 seeded, else its start's last step (followed back). */
async function startStep(store: TranscriptStore, meta: TranscriptMeta, depth = 0): Promise<number> {
  if (meta.start.kind !== 'continued' || depth > 64) return 0;
  const from = await store.meta(meta.start.from);
  const before = from ? await startStep(store, from, depth + 1) : 0;
  return before + meta.start.segments * meta.settings.interval;
}

/**
 * The run `<runBase>.<plan base>`'s stored progress: its record with the most stored states
 * (the agent keeps one record per K and carries states over when K grows), not a snapshot prefix.
 */
export async function readStoredTranscript(store: TranscriptStore, base: string): Promise<StoredTranscript | null> {
  const prefix = `${base}.k`;
  const best = (await store.list())
    .filter((m) => m.id.startsWith(prefix) && /^\d+$/.test(m.id.slice(prefix.length)))
    .sort((a, b) => b.leaves.length - a.leaves.length)[0];
  if (!best) return null;
  const stored = Math.max(0, best.leaves.length - 1);
  return {
    id: best.id,
    segments: best.segments,
    stored,
    step: (await startStep(store, best)) + stored * best.settings.interval,
  };
}
