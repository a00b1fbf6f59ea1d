// The Train page's words and plan for the trainer agent's transcript runs
// (src/lib/app-logic/transcript-plan.ts; the seal plan's transcript case in seal-plan.ts): K
// segments of `interval` steps from the epochs asked for, the stored progress a reload resumes
// from (read from a real transcript directory), what "Train more" starts, progress by segment,
// and whether the agent can answer a challenge by itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainerState } from '../../../src/lib/agents/index.ts';
import { sealPlan } from '../../../src/lib/app-logic/seal-plan.ts';
import {
  answerStatus,
  nextTranscript,
  readStoredTranscript,
  segmentProgress,
  segmentsFor,
  transcriptHint,
  transcriptStepsLeft,
} from '../../../src/lib/app-logic/transcript-plan.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { merkleRoot } from '../../../src/lib/ml/transcript/merkle.ts';
import type { TranscriptMeta, TranscriptStart } from '../../../src/lib/ml/transcript/store.ts';
import { openTranscriptDir } from '../../../src/lib/storage/transcripts-fs.ts';
import { schedule } from './support/schedule.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A trainer state with just what these rules read. */
const stateWith = (p: {
  transcript?: { base: string; continueFrom: string | null } | null;
  runs?: number;
  revealed?: { epoch: number; transcriptId: string }[];
  notes?: { key: string; epoch: number | null }[];
}): TrainerState =>
  ({
    training: { transcript: p.transcript ?? null, transcriptRuns: p.runs ?? 0 },
    epochs: (p.revealed ?? []).map((r) => ({
      epoch: r.epoch,
      seal: { status: 'revealed', transcriptId: r.transcriptId },
    })),
    notes: (p.notes ?? []).map((n) => ({ ...n, at: 0n, level: 'error', message: '' })),
  }) as unknown as TrainerState;

describe('transcript runs on the Train page', () => {
  it('K rounds the epochs’ steps up to whole segments; a resumed run trains only the segments not stored', () => {
    // digits: 41 steps an epoch, interval 50.
    expect([1, 2, 3, 200].map((e) => segmentsFor(e, 41, 50))).toEqual([1, 2, 3, 164]);
    const stored = { id: 'x.t0.k3', segments: 3, stored: 1, step: 50 };
    expect(
      transcriptStepsLeft({
        epochs: 2,
        addedEpochs: 1,
        stepsPerEpoch: 41,
        interval: 50,
        next: { kind: 'resume', stored },
      }),
    ).toEqual({ segments: 3, storedSegments: 1, stepsLeft: 100 });
    expect(
      transcriptStepsLeft({
        epochs: 2,
        addedEpochs: 0,
        stepsPerEpoch: 41,
        interval: 50,
        next: { kind: 'seeded', again: true },
      }),
    ).toEqual({ segments: 2, storedSegments: 0, stepsLeft: 100 });
  });

  it('the next start: the run in progress resumes; after a finished one, the newest revealed transcript continues, else seeded again', () => {
    const stored = { id: 'x.t0.k2', segments: 2, stored: 1, step: 50 };
    expect(nextTranscript(stateWith({ transcript: { base: 't0', continueFrom: null }, runs: 1 }), stored)).toEqual({
      kind: 'resume',
      stored,
    });
    expect(nextTranscript(stateWith({ runs: 0 }), null)).toEqual({ kind: 'seeded', again: false });
    expect(nextTranscript(stateWith({ runs: 1 }), null)).toEqual({ kind: 'seeded', again: true });
    expect(
      nextTranscript(
        stateWith({
          runs: 2,
          revealed: [
            { epoch: 0, transcriptId: 'a' },
            { epoch: 1, transcriptId: 'b' },
          ],
        }),
        null,
      ),
    ).toEqual({ kind: 'continued', epoch: 1 });
  });

  it('the epochs hint says where the run starts and how many segments it is', () => {
    const base = { specEpochs: 30, addedEpochs: 0, stepsPerEpoch: 41, interval: 50 };
    expect(
      transcriptHint({
        ...base,
        epochs: 2,
        next: { kind: 'resume', stored: { id: 'i', segments: 2, stored: 1, step: 50 } },
      }),
    ).toBe(
      'The run resumes its transcript from the state stored on this device after segment 1 (step 50). 2 epochs of 41 steps make a transcript of 2 segments of 50 steps (100 steps), 1 of them stored on this device. The model spec suggests 30.',
    );
    expect(transcriptHint({ ...base, addedEpochs: 1, epochs: 2, next: { kind: 'seeded', again: true } })).toBe(
      'A new transcript from the seeded start: none of yours is revealed yet, so it cannot be continued, and the epochs count from step 0 again. 3 epochs of 41 steps make a transcript of 3 segments of 50 steps (150 steps). The agent trains 1 epoch more than the number asked for, added so the watermark could be sealed. The model spec suggests 30.',
    );
    expect(transcriptHint({ ...base, epochs: null, next: { kind: 'continued', epoch: 1 } })).toBe(
      'A new transcript that continues the one revealed in epoch 1 from its last state: the epochs asked for are trained on top of it. The model spec suggests 30.',
    );
  });

  it('progress by segment, counted back from the end (a continued transcript counts steps on from its start)', () => {
    expect(segmentProgress({ step: 0, totalSteps: 100 }, 50)).toEqual({
      done: 0,
      segments: 2,
      text: 'segment 0 of 2 · step 0',
    });
    expect(segmentProgress({ step: 73, totalSteps: 100 }, 50).done).toBe(1);
    expect(segmentProgress({ step: 100, totalSteps: 100 }, 50).done).toBe(2);
    // A continued transcript from step 100, of 2 segments: steps 100..200.
    expect(segmentProgress({ step: 150, totalSteps: 200 }, 50)).toEqual({
      done: 3,
      segments: 4,
      text: 'segment 3 of 4 · step 150',
    });
  });

  it('the seal plan counts whole segments and the stored ones, and offers the epochs whose segments fit', () => {
    // 1,312 samples/s: 41 steps (one epoch) a second. 2 s left in epoch 0's seal window.
    const digits = {
      samples: 1297,
      batchSize: 32,
      speed: { backend: 'wasm' as const, samplesPerSec: 1312, source: 'device' as const },
    };
    const fresh = sealPlan({
      schedule,
      now: 10_498n,
      eligibleFrom: 0,
      epochs: 3,
      ...digits,
      transcript: { interval: 50, storedSegments: 0 },
    })!;
    expect([fresh.stepsLeft, fresh.estimateSec, fresh.inTime, fresh.fitEpochs]).toEqual([150, 4, false, 1]);
    expect(fresh.warning).toMatch(
      /^At the speed measured on this device of wasm \(1,312 samples\/s\), 3 training epochs of 1,297 samples as a transcript of 3 segments of 50 steps \(150 steps of 32 each\) need about 4 s, but the seal window of epoch 0 closes in 2 s \(chain time\)\./,
    );
    const resumed = sealPlan({
      schedule,
      now: 10_498n,
      eligibleFrom: 0,
      epochs: 3,
      ...digits,
      transcript: { interval: 50, storedSegments: 1 },
    })!;
    expect([resumed.stepsLeft, resumed.estimateSec, resumed.fitEpochs]).toEqual([100, 3, 2]);
    expect(resumed.warning).toContain('(100 more steps of 32 each, 1 segment stored on this device)');
    // In time: 150 steps in 4 s with 5 s left.
    expect(
      sealPlan({
        schedule,
        now: 10_495n,
        eligibleFrom: 0,
        epochs: 3,
        ...digits,
        transcript: { interval: 50, storedSegments: 0 },
      })!.inTime,
    ).toBe(true);
  });

  it('whether the agent answers by itself, and why not', () => {
    const ok = { transcripts: true, prover: true, keyOnDevice: true };
    expect(answerStatus(stateWith({}), ok)).toEqual({
      tone: 'ok',
      text: 'The agent keeps its training transcript on this device and answers a challenge by itself (ownership proof and disclosure) while this tab is open.',
    });
    expect(answerStatus(stateWith({ notes: [{ key: 'transcript-missing/0', epoch: 0 }] }), ok).text).toMatch(
      /^States of a sealed transcript are missing on this device \(epoch 0\)/,
    );
    expect(answerStatus(stateWith({}), { ...ok, keyOnDevice: false }).text).toMatch(
      /^The watermark key is not on this device/,
    );
    expect(answerStatus(stateWith({}), { ...ok, prover: false }).tone).toBe('warn');
    expect(answerStatus(stateWith({}), { ...ok, transcripts: false }).tone).toBe('warn');
  });

  it('reads the stored progress of a run from a transcript directory: the record with the most states, steps after a continued start', async () => {
    const d = mkdtempSync(join(tmpdir(), 'aiarena-plan-'));
    dirs.push(d);
    const store = await openTranscriptDir(d);
    const TRAINER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address;
    const write = async (id: string, K: number, stored: number, start: TranscriptStart) => {
      const leaves: Hex[] = [];
      for (let i = 0; i < stored; i++) {
        const bytes = new TextEncoder().encode(`${id}-${i}`);
        leaves.push(`0x${await sha256Hex(bytes)}`);
        const meta: TranscriptMeta = {
          format: 'aiarena-transcript',
          version: 1,
          id,
          specHash: 'ab'.repeat(32),
          chainId: '31337',
          task: '3',
          trainer: TRAINER,
          settings: { interval: 50, mantissaBits: 8, tolerance: 1e-4, outlierShare: 0.0025, outlierTolerance: 1e-2 },
          segments: K,
          start,
          leaves: [...leaves],
          ...(leaves.length === K + 1 ? { root: merkleRoot(leaves) } : {}),
          backend: 'cpu',
          createdAt: 1,
          updatedAt: 1,
        };
        await store.save(meta, i, bytes);
      }
      return leaves;
    };
    expect(await readStoredTranscript(store, 'tr-1.t0')).toBeNull();
    const first = await write('tr-1.t0.k2', 2, 3, { kind: 'seeded' });
    // K grew to 4: two states carried over and one more; a snapshot prefix is not the run.
    await write('tr-1.t0.k4', 4, 4, { kind: 'seeded' });
    await write('tr-1.t0.k2.p1', 1, 2, { kind: 'seeded' });
    expect(await readStoredTranscript(store, 'tr-1.t0')).toEqual({
      id: 'tr-1.t0.k4',
      segments: 4,
      stored: 3,
      step: 150,
    });
    // A continued transcript from t0.k2's last state (step 100).
    await write('tr-1.t1.k3', 3, 2, {
      kind: 'continued',
      from: 'tr-1.t0.k2',
      root: merkleRoot(first),
      segments: 2,
      leaf: first[2]!,
    });
    expect(await readStoredTranscript(store, 'tr-1.t1')).toEqual({
      id: 'tr-1.t1.k3',
      segments: 3,
      stored: 1,
      step: 150,
    });
  });
});
