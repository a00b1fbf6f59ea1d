// The Train page's warnings and previews (issue 10, 1.6, 1.9 and section 2): a run that cannot
// finish before the seal window closes, the seals table for a stake that counts from a later
// epoch, the public-eval accuracy line, and the agents-running sentence.
import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { initialTrainerState } from '../../../src/lib/agents/index.ts';
import { publicEvalBitsPerByte, publicEvalSentence } from '../../../src/lib/app-logic/public-eval.ts';
import { agentsWithWorkLeft, runningSentence } from '../../../src/lib/app-logic/running-agents.ts';
import { sealDeadline } from '../../../src/lib/app-logic/seal-deadline.ts';
import { epochRows } from '../../../src/app/pages/train/train-view.ts';
import { schedule } from './support/schedule.ts';

// 1000 steps for 10 training epochs, half done, 0.9 s a step: 450 s left.
const run = { step: 500, totalSteps: 1000, epochs: 10, etaSec: 450 };

describe('sealDeadline', () => {
  it('is quiet when the run ends before the next usable seal window closes', () => {
    expect(sealDeadline({ schedule, now: 10_000n, run, eligibleFrom: 0 })).toEqual({
      next: { epoch: 0, closes: 10_500n },
      finishesAt: 10_450n,
      inTime: true,
      warning: null,
    });
  });

  it('warns with the time needed, the time left in chain time, the later epoch, and the training epochs that fit', () => {
    const d = sealDeadline({ schedule, now: 10_300n, run, eligibleFrom: 0 });
    expect(d.inTime).toBe(false);
    // 200 s left at 0.9 s a step: 222 more steps, 722 of 1000 = 7 whole training epochs.
    expect(d.warning).toBe(
      "At the measured speed this run needs about 7 min 30 s more, but the seal window of epoch 0 closes in 3 min 20 s (chain time). Only the weights it has by then can be sealed for that epoch, not the finished model. The finished model can be sealed in epoch 1. At this speed a run of about 7 training epochs (this one is planned for 10) ends before epoch 0's seal window closes.",
    );
  });

  it('counts from the epoch the stake counts in, and from the next epoch when not staked', () => {
    expect(sealDeadline({ schedule, now: 10_100n, run, eligibleFrom: 1 }).next).toEqual({ epoch: 1, closes: 11_500n });
    expect(sealDeadline({ schedule, now: 10_100n, run, eligibleFrom: null }).next).toEqual({
      epoch: 1,
      closes: 11_500n,
    });
    expect(sealDeadline({ schedule, now: 9_990n, run, eligibleFrom: null }).next).toEqual({
      epoch: 0,
      closes: 10_500n,
    });
  });

  it('says when no usable seal window is left, or when even the last cannot be made', () => {
    expect(sealDeadline({ schedule, now: 11_600n, run, eligibleFrom: 0 }).warning).toBe(
      'No seal window is left that this account can use: a model trained now cannot be submitted in this task.',
    );
    const long = sealDeadline({ schedule, now: 11_400n, run: { ...run, etaSec: 5 * 3600 }, eligibleFrom: 0 });
    expect(long.warning).toContain(
      'It cannot finish before the last seal window this account can use (epoch 1) closes either.',
    );
    expect(long.warning).toContain(
      "a run of about 5 training epochs (this one is planned for 10) ends before epoch 1's seal window closes.",
    );
    expect(sealDeadline({ schedule, now: 11_499n, run: { ...run, step: 0 }, eligibleFrom: 0 }).warning).toContain(
      "Not even one training epoch fits before epoch 1's seal window closes.",
    );
  });

  it('has nothing to say about a finished run', () => {
    expect(
      sealDeadline({ schedule, now: 11_400n, run: { ...run, step: 1000, etaSec: 0 }, eligibleFrom: 0 }).warning,
    ).toBeNull();
  });
});

describe('epochRows for a stake that counts from a later epoch', () => {
  const scope = {
    chainId: 31337,
    registry: getAddress('0x00000000000000000000000000000000000000f0'),
    taskId: 1n,
    account: getAddress('0x00000000000000000000000000000000000000a1'),
    role: 'trainer' as const,
  };
  it('does not offer epoch 0 to a stake counting from epoch 1', () => {
    const rows = epochRows(initialTrainerState(scope), schedule, 10_100n, null, { eligibleFrom: 1 });
    expect(rows.map((r) => [r.epoch, r.status, r.notYours])).toEqual([
      [0, 'not for you: before your stake counts (from epoch 1)', 'before your stake counts (from epoch 1)'],
      [1, 'not sealed yet', null],
    ]);
    expect(epochRows(initialTrainerState(scope), schedule, 10_100n, null, { eligibleFrom: null })[1]!.status).toBe(
      'not for you: your own stake is below the task’s minimum',
    );
    // Not staked: the windows are shown as they are.
    expect(epochRows(initialTrainerState(scope), schedule, 10_100n)[0]!.notYours).toBeNull();
  });
});

describe('publicEvalSentence', () => {
  it('gives the accuracy on the public eval set next to the training batches’, and flags a large gap', () => {
    expect(
      publicEvalSentence(
        { status: 'done', accuracy: 0.912, score: 0.912, samples: 250 },
        { loss: 0.3, accuracy: 0.95 },
      ),
    ).toBe(
      'Accuracy on the public eval set: 91.2 % of 250 samples (training batches: 95.0 %). Validators score a seeded subset of this set each epoch (the hidden final set in the final phase), so expect about this.',
    );
    expect(
      publicEvalSentence({ status: 'done', accuracy: 0.6, score: 0.6, samples: 250 }, { loss: 0.1, accuracy: 0.99 }),
    ).toMatch(/may be overfitting\.$/);
    expect(publicEvalSentence({ status: 'running', done: 96, total: 250 }, null)).toBe(
      'Evaluating on the public eval set: 96 of 250 samples…',
    );
    expect(publicEvalSentence({ status: 'failed', error: 'the worker crashed' }, null)).toBe(
      'Could not be evaluated on the public eval set: the worker crashed',
    );
    expect(publicEvalSentence(undefined, null)).toBe('Not evaluated on the public eval set yet.');
  });

  it('gives a language model’s bits per byte on the public eval set next to the training batches’', () => {
    const bpb = { name: 'bitsPerByte', cap: 8 } as const;
    // 2 nats per byte = 2.885 bits per byte; the training batches' 1.8 nats = 2.597.
    const done = { status: 'done', accuracy: 0.4, score: 1 - 2 / Math.LN2 / 8, samples: 3457, loss: 2 } as const;
    expect(publicEvalBitsPerByte(done, bpb)).toBeCloseTo(2 / Math.LN2, 12);
    expect(publicEvalSentence(done, { loss: 1.8, accuracy: 0.45 }, bpb)).toBe(
      'Bits per byte on the public eval set: 2.885 over 3457 sequences, score 0.6393 (training batches: 2.597). Validators score a seeded subset of this set each epoch (the hidden final set in the final phase), so expect about this.',
    );
    expect(publicEvalSentence(done, { loss: 1.2, accuracy: 0.6 }, bpb)).toMatch(
      /may be memorizing its training files\.$/,
    );
    expect(publicEvalSentence({ ...done, loss: 6, score: 0 }, null, bpb)).toBe(
      'Bits per byte on the public eval set: 8.656 over 3457 sequences, at or above the cap of 8: it scores 0. Validators score a seeded subset of this set each epoch (the hidden final set in the final phase), so expect about this.',
    );
    // Without the loss (an older stored result) or for a classifier there is no bits-per-byte figure.
    expect(publicEvalBitsPerByte({ ...done, loss: undefined }, bpb)).toBeNull();
    expect(publicEvalBitsPerByte(done, { name: 'accuracy' })).toBeNull();
  });
});

describe('runningSentence', () => {
  it('names every agent running in the tab, and nothing when none runs', () => {
    expect(runningSentence([])).toBeNull();
    expect(runningSentence([{ role: 'trainer', taskId: 3n }])).toBe(
      'The trainer agent of task #3 runs in this tab: closing it stops it, and a window it misses meanwhile cannot be made up.',
    );
    expect(
      runningSentence([
        { role: 'trainer', taskId: 3n },
        { role: 'validator', taskId: 4n },
      ]),
    ).toMatch(
      /^The trainer agent of task #3 and the validator agent of task #4 run in this tab: closing it stops them/,
    );
  });
});

describe('agentsWithWorkLeft', () => {
  it('drops an agent whose task has ended, keeps the others and any with an unknown end or time', () => {
    const agents = [
      { role: 'trainer', taskId: 3n },
      { role: 'validator', taskId: 4n },
    ] as const;
    const ends = (id: bigint) => (id === 3n ? 1000n : id === 4n ? 2000n : null);
    expect(agentsWithWorkLeft(agents, ends, 999n).map((a) => a.taskId)).toEqual([3n, 4n]);
    expect(agentsWithWorkLeft(agents, ends, 1000n).map((a) => a.taskId)).toEqual([4n]);
    expect(agentsWithWorkLeft(agents, ends, 5000n)).toEqual([]);
    expect(agentsWithWorkLeft(agents, () => null, 5000n)).toHaveLength(2);
    expect(agentsWithWorkLeft(agents, ends, null)).toHaveLength(2);
  });
});
