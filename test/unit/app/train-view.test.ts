import { getAddress, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { initialTrainerState, type TrainerState } from '../../../src/lib/agents/index.ts';
import type { BackendSelection } from '../../../src/lib/ml/backend/select.ts';
import type { TrainProgress } from '../../../src/lib/ml/train/trainer.ts';
import {
  trainingCharts,
  appendHistory,
  backendRows,
  backendSentence,
  candidateSentence,
  epochRows,
  HISTORY_LIMIT,
  timeline,
  trainerActivity,
  PHASE_SENTENCE,
  progressView,
} from '../../../src/app/pages/train/train-view.ts';
import { schedule } from './support/schedule.ts';
import { SEEDED_START } from '../../../src/lib/chain/transcript-commit.ts';

const account = getAddress('0x00000000000000000000000000000000000000a1');
const scope = {
  chainId: 31337,
  registry: getAddress('0x00000000000000000000000000000000000000f0'),
  taskId: 1n,
  account,
  role: 'trainer' as const,
};
const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;

const progress = (over: Partial<TrainProgress> = {}): TrainProgress => ({
  step: 50,
  totalSteps: 200,
  epoch: 1,
  epochs: 5,
  loss: 0.5,
  penalty: 0,
  accuracy: 0.8,
  samplesPerSec: 1234.4,
  etaSec: 75,
  backend: 'wasm',
  ...over,
});

function sealed(
  status: 'prepared' | 'sealed' | 'revealed',
  extra: Partial<TrainerState['epochs'][number]['seal'] & object> = {},
): TrainerState {
  const s = initialTrainerState(scope);
  s.epochs.push({
    epoch: 0,
    outcome: 'open',
    seal: {
      artifactHash: h(0xabc),
      wmCommit: h(2),
      transcript: { trajRoot: h(0x7a), segments: 8, startRoot: SEEDED_START, startLeaf: 0 },
      salt: h(3),
      commitment: h(4),
      status,
      preparedAt: 10_010n,
      sentAt: 10_010n,
      sends: 1,
      cid: null,
      uploadAt: null,
      revealSentAt: null,
      reveals: 0,
      halted: null,
      ...extra,
    },
  });
  return s;
}

describe('trainingCharts', () => {
  const history = [
    { step: 10, loss: 2 * Math.LN2, accuracy: 0.3 },
    { step: 20, loss: 1.5 * Math.LN2, accuracy: 0.4 },
  ];
  it('loss and accuracy for a classifier; loss and bits per byte for a byte-level language model', () => {
    const [loss, acc] = trainingCharts(history, { name: 'accuracy' });
    expect([loss.title, acc.title, acc.yDomain]).toEqual([
      'Training loss by step',
      'Training accuracy by step',
      [0, 1],
    ]);
    expect(acc.points).toEqual([
      { x: 10, y: 0.3 },
      { x: 20, y: 0.4 },
    ]);
    const [lmLoss, bpb] = trainingCharts(history, { name: 'bitsPerByte', cap: 8 });
    expect(lmLoss.points.map((p) => p.y)).toEqual([2 * Math.LN2, 1.5 * Math.LN2]);
    expect([bpb.title, bpb.yLabel, bpb.yDomain]).toEqual(['Training bits per byte by step', 'Bits per byte', null]);
    expect(bpb.points.map((p) => p.y)).toEqual([2, 1.5]);
    // Before the spec is read: the classifier's charts.
    expect(trainingCharts(history, null)[1].title).toBe('Training accuracy by step');
  });
});

describe('appendHistory', () => {
  it('appends in step order and replaces points at or after a step reported again (a resume from an earlier checkpoint)', () => {
    let hist = appendHistory([], progress({ step: 10, loss: 2 }));
    hist = appendHistory(hist, progress({ step: 20, loss: 1 }));
    hist = appendHistory(hist, progress({ step: 30, loss: 0.9 }));
    expect(hist.map((p) => p.step)).toEqual([10, 20, 30]);
    hist = appendHistory(hist, progress({ step: 20, loss: 1.1 }));
    expect(hist).toEqual([
      { step: 10, loss: 2, accuracy: 0.8 },
      { step: 20, loss: 1.1, accuracy: 0.8 },
    ]);
  });

  it('skips a report whose loss is not a number (a diverged batch) instead of breaking the chart', () => {
    expect(appendHistory([{ step: 1, loss: 1, accuracy: 0 }], progress({ step: 2, loss: Number.NaN }))).toEqual([
      { step: 1, loss: 1, accuracy: 0 },
    ]);
  });

  it('thins the older half past the limit, keeping the first point and the recent ones', () => {
    let hist: ReturnType<typeof appendHistory> = [];
    for (let s = 1; s <= HISTORY_LIMIT + 1; s++) hist = appendHistory(hist, progress({ step: s }));
    expect(hist.length).toBeLessThanOrEqual(HISTORY_LIMIT);
    expect(hist[0]!.step).toBe(1);
    expect(hist.at(-1)!.step).toBe(HISTORY_LIMIT + 1);
    expect(hist.slice(-10).map((p) => p.step)).toEqual(Array.from({ length: 10 }, (_, i) => HISTORY_LIMIT - 8 + i));
  });
});

describe('progressView', () => {
  it('says step, epoch (1-based) and the time left', () => {
    expect(progressView(progress(), 'running')).toEqual({
      value: 50,
      max: 200,
      text: 'step 50 of 200',
      detail: 'Epoch 2 of 5 · about 1 min 15 s left',
      speed: '1,234 samples/s on wasm',
    });
  });

  it('says paused rather than a time left, and finishing at the last step', () => {
    expect(progressView(progress(), 'paused')!.detail).toBe('Epoch 2 of 5 · paused');
    expect(progressView(progress({ step: 200, epoch: 5 }), 'running')!.detail).toBe('Epoch 5 of 5 · finishing');
    expect(progressView(progress({ step: 1234, totalSteps: 16400 }), 'running')!.text).toBe('step 1,234 of 16,400');
    expect(progressView(null, 'idle')).toBeNull();
    expect(progressView(progress(), 'idle')!.detail).toBe('Epoch 2 of 5 · not running');
    expect(progressView(progress({ step: 200, epoch: 5 }), 'idle')!.detail).toBe('Epoch 5 of 5 · finished');
  });
});

describe('backend report', () => {
  const selection: BackendSelection = {
    backend: 'wasm',
    info: { name: 'wasm', software: false, floatPrecision: 32 },
    samplesPerSec: 4571.2,
    report: [
      {
        name: 'wasm',
        status: 'calibrated',
        info: { name: 'wasm', software: false, floatPrecision: 32 },
        samplesPerSec: 4571.2,
      },
      {
        name: 'webgpu',
        status: 'skipped',
        info: {
          name: 'webgpu',
          software: true,
          floatPrecision: 32,
          adapter: { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true },
        },
        reason: 'wasm can train this model',
      },
      { name: 'webgl', status: 'unavailable', reason: 'no WebGL2 context' },
    ],
  };

  it('lists every candidate with what happened to it, the chosen one marked', () => {
    expect(backendRows(selection)).toEqual([
      { name: 'wasm', status: 'timed', detail: '4,571 samples/s', chosen: true },
      { name: 'webgpu', status: 'not timed', detail: 'google (software) · wasm can train this model', chosen: false },
      { name: 'webgl', status: 'not available', detail: 'no WebGL2 context', chosen: false },
    ]);
    expect(backendRows(null)).toEqual([]);
  });

  it('tells an automatic choice from the user forcing one and from the reference backend of a transcript run', () => {
    expect(backendSentence(selection, 'auto')).toBe(
      'Training on wasm: the fastest backend here that can train this model at about 4,571 samples/s.',
    );
    expect(backendSentence(selection, 'chosen')).toBe('Training on wasm, as you chose at about 4,571 samples/s.');
    expect(backendSentence(selection, 'reference')).toBe(
      'Training on wasm, the reference backend every validator replays transcripts on at about 4,571 samples/s.',
    );
    const soft = { ...selection, backend: 'webgpu' as const, info: selection.report[1]!.info! };
    expect(backendSentence(soft, 'chosen')).toContain('webgpu (a software implementation on the CPU)');
  });
});

describe('epochRows', () => {
  it('gives each submission epoch its windows and, before anything happened, "not sealed yet"', () => {
    const rows = epochRows(initialTrainerState(scope), schedule, 9_500n);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      epoch: 0,
      status: 'not sealed yet',
      tone: 'muted',
      sealWindow: { opens: 10_000n, closes: 10_500n },
      revealWindow: { opens: 10_500n, closes: 10_600n },
    });
    expect(rows[1]!.sealWindow).toEqual({ opens: 11_000n, closes: 11_500n });
    expect(epochRows(null, schedule, 10_600n)[0]!.status).toBe('no seal');
  });

  it('follows a seal through sealing, sealed, uploaded and revealed', () => {
    expect(epochRows(sealed('prepared'), schedule, 10_100n)[0]).toMatchObject({
      status: 'sealing…',
      tone: 'active',
      artifact: '0x000000…000abc',
    });
    expect(epochRows(sealed('sealed'), schedule, 10_100n)[0]!.status).toBe('sealed: reveal opens next');
    expect(epochRows(sealed('sealed'), schedule, 10_550n)[0]!.status).toBe('sealed, revealing…');
    expect(epochRows(sealed('sealed', { cid: 'bafkreiabc' }), schedule, 10_550n)[0]).toMatchObject({
      status: 'uploaded, revealing…',
      cid: 'bafkreiabc',
    });
    expect(epochRows(sealed('revealed'), schedule, 10_590n)[0]).toMatchObject({ status: 'revealed', tone: 'ok' });
    expect(epochRows(sealed('sealed'), schedule, 10_700n)[0]).toMatchObject({
      status: 'sealed, reveal window over',
      tone: 'warn',
    });
  });

  it('says why an epoch was missed or stopped', () => {
    const s = sealed('sealed', { halted: 'the wallet declined' });
    expect(epochRows(s, schedule, 10_550n)[0]).toMatchObject({ status: 'stopped: the wallet declined', tone: 'warn' });
    for (const [outcome, status] of [
      ['missed-seal', 'missed: nothing sealed'],
      ['missed-reveal', 'missed: sealed, not revealed'],
      ['seal-lost', 'missed: the seal did not land'],
      ['foreign', 'sealed from another device'],
      ['revealed', 'sealed and revealed'],
    ] as const) {
      const st = sealed('sealed');
      st.epochs[0]!.outcome = outcome;
      expect(epochRows(st, schedule, 10_700n)[0]!.status).toBe(status);
    }
  });
});

describe('sentences', () => {
  it('has a sentence for every trainer phase', () => {
    for (const text of Object.values(PHASE_SENTENCE)) expect(text).toMatch(/\.$/);
  });

  it('describes the best model with its watermark margin', () => {
    const s = initialTrainerState(scope);
    expect(candidateSentence(s)).toBeNull();
    s.training.last = {
      artifactHash: h(0xabc),
      wmCommit: h(1),
      wrong: 9,
      maxErr: 8,
      sealable: false,
      step: 40,
      trainingEpoch: 0,
      transcript: null,
      at: 1n,
    };
    expect(candidateSentence(s)).toBe(
      'Newest model (not sealable yet) 0x000000…000abc from step 40: 9 wrong watermark bits (at most 4 allowed to seal).',
    );
    s.best = { ...s.training.last, wrong: 0, sealable: true, step: 80 };
    expect(candidateSentence(s)).toBe(
      'Sealable model 0x000000…000abc from step 80: 0 wrong watermark bits (at most 4 allowed to seal).',
    );
  });
});

describe('trainerActivity and timeline', () => {
  it('tells the stake, the model, the seal, the upload and the reveal with their chain times, skipping what a note already says', () => {
    const s = sealed('revealed', { cid: 'bafkreiabc', uploadAt: 10_520n, revealSentAt: 10_521n, sends: 2 });
    s.join = { amount: 12_500_000_000_000_000_000n, sigma: 0n, sentAt: 9_000n, sends: 1 };
    s.training.last = {
      artifactHash: h(0xabc),
      wmCommit: h(2),
      wrong: 1,
      maxErr: 8,
      sealable: true,
      step: 90,
      trainingEpoch: 2,
      transcript: null,
      at: 9_500n,
    };
    expect(trainerActivity(s).map((n) => [n.at, n.message])).toEqual([
      [9_000n, 'Stake of 12.5 ARENA sent, committing the watermark key made on this device.'],
      [9_500n, 'Model 0x000000…000abc from step 90: 1 wrong watermark bits, sealable.'],
      [10_010n, 'Epoch 0: seal of model 0x000000…000abc sent (2 times).'],
      [10_520n, 'Epoch 0: model uploaded to the artifact store as bafkreiabc.'],
      [10_521n, 'Epoch 0: reveal sent.'],
    ]);
    s.notes.push({ key: 'revealed/0', at: 10_521n, epoch: 0, level: 'info', message: 'Epoch 0: model revealed.' });
    s.notes.push({ key: `trained/${h(0xabc)}`, at: 9_500n, epoch: null, level: 'info', message: 'Training finished.' });
    const merged = timeline(s.notes, trainerActivity(s));
    expect(merged.map((n) => n.message)).toEqual([
      'Stake of 12.5 ARENA sent, committing the watermark key made on this device.',
      'Training finished.',
      'Epoch 0: seal of model 0x000000…000abc sent (2 times).',
      'Epoch 0: model uploaded to the artifact store as bafkreiabc.',
      'Epoch 0: model revealed.',
    ]);
    expect(trainerActivity(null)).toEqual([]);
  });
});
