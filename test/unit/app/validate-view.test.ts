import { getAddress, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  evaluationKey,
  initialValidatorState,
  resultKey,
  type ColumnView,
  type EvaluationRecord,
  type ValidatorEpochRecord,
  type ValidatorState,
} from '../../../src/lib/agents/index.ts';
import {
  backendView,
  dataSetSentence,
  epochViews,
  modelChecks,
  validatorActivity,
  VALIDATOR_PHASE_SENTENCE,
} from '../../../src/app/pages/validate/validate-view.ts';
import { schedule } from './support/schedule.ts';

const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const scope = { chainId: 31337, registry: addr(0xf0), taskId: 1n, account: addr(0xa1), role: 'validator' as const };
const evalData = h(0xeeee);
const col = (id: number, extra: Partial<ColumnView> = {}): ColumnView => ({
  submissionId: id,
  trainer: addr(0x100 + id),
  artifactHash: h(0xa00 + id),
  artifactRoot: h(0xa00 + id),
  wmCommit: h(0xb00 + id),
  duplicate: false,
  ...extra,
});
const none = { stages: {}, failures: {}, subsetSize: 100 };
const seed = h(0x5eed);
const subset = { seed, size: 100 };
const evaluated = (fullScore: number, at: bigint, extra: Partial<EvaluationRecord> = {}): EvaluationRecord => ({
  check: 'ok',
  reason: null,
  samples: 250,
  fullScore,
  backend: 'wasm',
  at,
  ...extra,
});
const record = (r: Partial<ValidatorEpochRecord> & { epoch: number }): ValidatorEpochRecord => ({
  outcome: 'open',
  dataHash: evalData,
  columns: null,
  seed: null,
  seedDraw: null,
  scoringAt: null,
  commit: null,
  ...r,
});

describe('modelChecks', () => {
  it('marks the failed check and skips the rest for each kind of zero', () => {
    expect(modelChecks('ok', null)).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'ok' });
    expect(modelChecks('missing', null)).toEqual({
      fetch: 'failed',
      hash: 'skipped',
      wmCommit: 'skipped',
      evaluation: 'skipped',
    });
    expect(modelChecks('hash', null)).toEqual({
      fetch: 'ok',
      hash: 'failed',
      wmCommit: 'skipped',
      evaluation: 'skipped',
    });
    expect(modelChecks('watermark', null)).toEqual({
      fetch: 'ok',
      hash: 'ok',
      wmCommit: 'failed',
      evaluation: 'skipped',
    });
    expect(modelChecks('artifact', null).wmCommit).toBe('failed');
    expect(modelChecks('duplicate', null)).toEqual({
      fetch: 'skipped',
      hash: 'skipped',
      wmCommit: 'skipped',
      evaluation: 'skipped',
    });
  });

  it('follows the live stage while a model is worked on', () => {
    expect(modelChecks(null, 'fetching')).toEqual({
      fetch: 'running',
      hash: 'pending',
      wmCommit: 'pending',
      evaluation: 'pending',
    });
    expect(modelChecks(null, 'checking')).toEqual({
      fetch: 'ok',
      hash: 'ok',
      wmCommit: 'running',
      evaluation: 'pending',
    });
    expect(modelChecks(null, 'evaluating')).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'running' });
    expect(modelChecks(null, null)).toEqual({
      fetch: 'pending',
      hash: 'pending',
      wmCommit: 'pending',
      evaluation: 'pending',
    });
  });
});

describe('epochViews', () => {
  it('shows the columns the page read while reveals come in, with the live stage of the one being evaluated', () => {
    const s = initialValidatorState(scope);
    const c0 = col(0);
    const c1 = col(1);
    const k0 = evaluationKey(c0, evalData);
    const k1 = evaluationKey(c1, evalData);
    s.evaluations[k0] = evaluated(0.9532, 10_520n);
    const [v] = epochViews({
      state: s,
      schedule,
      now: 10_550n,
      subsetSize: 100,
      evaluating: k1,
      stages: { [k1]: { stage: 'evaluating', done: 96, total: 250 } },
      failures: {},
      live: { 0: { columns: [c0, c1], dataHash: evalData } },
    });
    expect(v!.epoch).toBe(0);
    expect(v!.status).toBe('evaluating: 1 of 2 models evaluated');
    expect(v!.models.map((m) => [m.submissionId, m.status, m.scoreText, m.fullScoreText, m.activity])).toEqual([
      [
        0,
        'evaluated',
        null,
        '0.9532',
        "evaluated on all 250 samples of the eval set; scored on the epoch's subset once the seed is drawn",
      ],
      [1, 'evaluating', null, null, 'evaluating on the whole eval set: 96 of 250 samples'],
    ]);
    expect(v!.models[1]!.checks).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'running' });
    // While the artifact downloads, its verified bytes so far.
    const [fetching] = epochViews({
      state: s,
      schedule,
      now: 10_550n,
      subsetSize: 100,
      evaluating: k1,
      stages: { [k1]: { stage: 'fetching', done: 3_145_728, total: 17_311_560 } },
      failures: {},
      live: { 0: { columns: [c0, c1], dataHash: evalData } },
    });
    expect(fetching!.models[1]!.activity).toBe('fetching the artifact: 3.1 of 17.3 MB, every block checked');
    expect(fetching!.models[1]!.checks.fetch).toBe('running');
    expect(v!.commitWindow).toEqual({ opens: 10_600n, closes: 10_850n });
    expect(v!.seed).toEqual({
      seed: null,
      state: 'waiting',
      text: "Evaluation seed not drawn yet: it is drawn when the score commit window opens, once every submission is revealed; it chooses the 100 of the eval set's 250 samples every validator scores.",
    });
  });

  it('says the seed is being drawn, then scores each model on the subset it selects', () => {
    const s = initialValidatorState(scope);
    const c0 = col(0);
    const c1 = col(1);
    s.evaluations[evaluationKey(c0, evalData)] = evaluated(0.95, 10_520n);
    s.evaluations[evaluationKey(c1, evalData)] = evaluated(0.81, 10_540n);
    s.epochs.push(record({ epoch: 0, seedDraw: { sentAt: 10_601n, sends: 1, halted: null } }));
    const input = {
      state: s,
      schedule,
      now: 10_605n,
      evaluating: null,
      ...none,
      live: { 0: { columns: [c0, c1], dataHash: evalData } },
    };
    let [v] = epochViews(input);
    expect(v!.status).toBe('every model evaluated; drawing the evaluation seed');
    expect(v!.seed).toMatchObject({ state: 'drawing', seed: null });
    expect(v!.seed.text).toBe(
      "Drawing the evaluation seed: it chooses the 100 of the eval set's 250 samples every validator scores this epoch.",
    );

    s.epochs[0]!.seed = seed;
    s.results[resultKey(c0, evalData, subset)] = { score: 0.94, units: 9400, check: 'ok', reason: null, at: 10_606n };
    [v] = epochViews(input);
    expect(v!.status).toBe('scoring the subset: 1 of 2 models scored');
    expect(v!.seed).toMatchObject({ state: 'drawn', seed });
    expect(v!.seed.text).toBe(
      "Evaluation seed 0x000000…005eed: every validator scores each model on the 100 of the eval set's 250 samples it selects.",
    );
    expect(v!.models.map((m) => [m.status, m.scoreText, m.fullScoreText])).toEqual([
      ['scored', '0.9400', '0.9500'],
      ['evaluated', null, '0.8100'],
    ]);
    s.results[resultKey(c1, evalData, subset)] = { score: 0.8, units: 8000, check: 'ok', reason: null, at: 10_606n };
    expect(epochViews(input)[0]!.status).toBe(
      'all models scored on the subset; scores are committed in the score commit window',
    );
    // A score on another subset is not this epoch's.
    expect(epochViews({ ...input, subsetSize: 50 })[0]!.models.map((m) => m.status)).toEqual([
      'evaluated',
      'evaluated',
    ]);
  });

  it('says a refused draw waits for another validator, and a subset as large as the set is all of it', () => {
    const s = initialValidatorState(scope);
    const c0 = col(0);
    s.evaluations[evaluationKey(c0, evalData)] = evaluated(0.95, 10_520n);
    s.epochs.push(record({ epoch: 0, seedDraw: { sentAt: 10_601n, sends: 1, halted: 'SeedDrawerNotEOA' } }));
    const [v] = epochViews({
      state: s,
      schedule,
      now: 10_620n,
      evaluating: null,
      ...none,
      subsetSize: 400,
      live: { 0: { columns: [c0], dataHash: evalData } },
    });
    expect(v!.seed.state).toBe('refused');
    expect(v!.seed.text).toContain('was refused (SeedDrawerNotEOA)');
    s.epochs[0]!.seed = seed;
    expect(
      epochViews({
        state: s,
        schedule,
        now: 10_620n,
        evaluating: null,
        ...none,
        subsetSize: 400,
        live: { 0: { columns: [c0], dataHash: evalData } },
      })[0]!.seed.text,
    ).toBe(
      'Evaluation seed 0x000000…005eed: every model is scored on all 250 samples of the eval set (the subset size, 400, covers it).',
    );
  });

  it('keeps every failed attempt and shows the zero with its reason once the agent gives up', () => {
    const s = initialValidatorState(scope);
    const c = col(3);
    const k = evaluationKey(c, evalData);
    s.evaluations[k] = {
      check: 'missing',
      reason: 'could not be fetched or evaluated in 3 attempts (last: not found)',
      samples: 0,
      fullScore: 0,
      backend: null,
      at: 10_580n,
    };
    const [v] = epochViews({
      state: s,
      schedule,
      now: 10_590n,
      subsetSize: 100,
      evaluating: null,
      stages: {},
      failures: { [k]: ['CID mismatch', 'not found', 'not found'] },
      live: { 0: { columns: [c], dataHash: evalData } },
    });
    expect(v!.models[0]).toMatchObject({
      status: 'zero',
      scoreText: '0.0000',
      reason: 'could not be fetched or evaluated in 3 attempts (last: not found)',
      failures: ['CID mismatch', 'not found', 'not found'],
    });
    expect(v!.models[0]!.checks.fetch).toBe('failed');
    expect(v!.models[0]!.fullScoreText).toBeNull();
    expect(v!.status).toBe('all models scored on the subset; scores are committed in the score commit window');
  });

  it('gives a flagged duplicate zero without evaluating it', () => {
    const s = initialValidatorState(scope);
    const [v] = epochViews({
      state: s,
      schedule,
      now: 10_550n,
      evaluating: null,
      ...none,
      live: { 0: { columns: [col(0, { duplicate: true })], dataHash: evalData } },
    });
    expect(v!.models[0]).toMatchObject({
      status: 'zero',
      score: 0,
      checks: { fetch: 'skipped', hash: 'skipped', wmCommit: 'skipped', evaluation: 'skipped' },
    });
    expect(v!.models[0]!.reason).toContain('copy of an earlier submission');
  });

  it('prefers the recorded columns and commitment once committed, then says revealed', () => {
    const s: ValidatorState = initialValidatorState(scope);
    const c = col(0);
    s.evaluations[evaluationKey(c, evalData)] = evaluated(0.52, 1n);
    s.results[resultKey(c, evalData, subset)] = { score: 0.5, units: 5000, check: 'ok', reason: null, at: 1n };
    s.epochs.push(
      record({
        epoch: 0,
        columns: [c],
        seed,
        commit: {
          scores: [5000],
          words: [1n],
          salt: h(1),
          commitment: h(2),
          status: 'committed',
          preparedAt: 10_610n,
          sentAt: 10_610n,
          sends: 1,
          revealSentAt: null,
          reveals: 0,
          halted: null,
        },
      }),
    );
    const views = epochViews({ state: s, schedule, now: 10_700n, evaluating: null, ...none });
    expect(views[0]).toMatchObject({
      status: 'scores committed; reveal comes in the score reveal window',
      committed: [5000],
    });
    expect(views[0]!.models[0]).toMatchObject({ scoreText: '0.5000', fullScoreText: '0.5200' });
    // An accuracy task's scores are the accuracy: nothing else to say.
    expect(views[0]!.models[0]).toMatchObject({ scoreMetric: null, fullScoreMetric: null });
    expect(views[0]!.scoresMetric).toBeNull();
    // A language-model task's scores also read as the bits per byte they stand for.
    const lm = epochViews({
      state: s,
      schedule,
      now: 10_700n,
      evaluating: null,
      ...none,
      metric: { name: 'bitsPerByte', cap: 8 },
    });
    expect(lm[0]!.models[0]).toMatchObject({
      scoreText: '0.5000',
      scoreMetric: '4.000 bits per byte',
      fullScoreMetric: '3.840 bits per byte',
    });
    expect(lm[0]!.scoresMetric).toEqual(['4.000 bits per byte']);
    s.epochs[0]!.outcome = 'revealed';
    expect(epochViews({ state: s, schedule, now: 10_900n, evaluating: null, ...none })[0]!.status).toBe(
      'scores committed and revealed',
    );
    s.epochs[0]!.outcome = 'missed-reveal';
    expect(epochViews({ state: s, schedule, now: 11_100n, evaluating: null, ...none })[0]).toMatchObject({
      status: 'missed: committed, not revealed',
      tone: 'warn',
    });
  });

  it('lists epochs newest first, and nothing without a state', () => {
    const s = initialValidatorState(scope);
    s.epochs.push(record({ epoch: 0, outcome: 'no-columns', columns: [] }));
    const views = epochViews({
      state: s,
      schedule,
      now: 11_600n,
      evaluating: null,
      ...none,
      live: { 1: { columns: [col(0)], dataHash: evalData } },
    });
    expect(views.map((v) => [v.epoch, v.status])).toEqual([
      [1, 'evaluating: 0 of 1 models evaluated'],
      [0, 'no submission was revealed: nothing to score'],
    ]);
    expect(epochViews({ state: null, schedule, now: 0n, evaluating: null, ...none })).toEqual([]);
  });

  it('waits for reveals only while they can come: an open epoch past its reveal window with none says so', () => {
    const s = initialValidatorState(scope);
    s.epochs.push(record({ epoch: 0 }));
    // Epoch 0's reveal window closes at 10_600 (the score commit window opens).
    expect(epochViews({ state: s, schedule, now: 10_500n, evaluating: null, ...none })[0]).toMatchObject({
      status: 'waiting for revealed submissions',
      tone: 'active',
    });
    expect(epochViews({ state: s, schedule, now: 10_600n, evaluating: null, ...none })[0]).toMatchObject({
      status: 'no submission was revealed: nothing to score',
      tone: 'muted',
    });
    expect(epochViews({ state: s, schedule, now: 12_000n, evaluating: null, ...none })[0]!.status).toBe(
      'no submission was revealed: nothing to score',
    );
  });

  it('has a sentence for every validator phase', () => {
    for (const text of Object.values(VALIDATOR_PHASE_SENTENCE)) expect(text).toMatch(/\.$/);
  });

  it('tells what the agent did: models scored or zeroed, scores committed and revealed', () => {
    const s = initialValidatorState(scope);
    s.join = { amount: 1n, sigma: 0n, sentAt: 9_000n, sends: 1 };
    s.evaluations[evaluationKey(col(0), evalData)] = evaluated(0.97, 10_530n);
    s.evaluations[evaluationKey(col(1), evalData)] = {
      check: 'missing',
      reason: 'gone',
      samples: 0,
      fullScore: 0,
      backend: null,
      at: 10_560n,
    };
    s.results[resultKey(col(0), evalData, subset)] = {
      score: 0.98,
      units: 9800,
      check: 'ok',
      reason: null,
      at: 10_605n,
    };
    s.results[resultKey(col(1), evalData, subset)] = {
      score: 0,
      units: 0,
      check: 'missing',
      reason: 'gone',
      at: 10_605n,
    };
    s.epochs.push(
      record({
        epoch: 0,
        outcome: 'revealed',
        columns: [col(0), col(1)],
        seed,
        commit: {
          scores: [9800, 0],
          words: [1n],
          salt: h(1),
          commitment: h(2),
          status: 'revealed',
          preparedAt: 10_610n,
          sentAt: 10_610n,
          sends: 1,
          revealSentAt: 10_860n,
          reveals: 1,
          halted: null,
        },
      }),
    );
    expect(validatorActivity(s).map((n) => [n.at, n.level, n.message])).toEqual([
      [9_000n, 'info', 'Validator stake sent.'],
      [10_530n, 'info', 'Model 0x000000…000a00 evaluated on all 250 samples of the eval set (wasm): 0.9700.'],
      [10_560n, 'warn', 'Model 0x000000…000a01 scores 0 (could not be fetched).'],
      [10_605n, 'info', 'Model 0x000000…000a00 scored 0.9800 on the 100-sample subset.'],
      [10_610n, 'info', 'Epoch 0: score commitment for 2 submissions sent (9800, 0 of 10000).'],
      [10_860n, 'info', 'Epoch 0: score reveal sent.'],
    ]);
    // For a language-model task the same lines say the bits per byte (0 is above the cap).
    expect(
      validatorActivity(s, { name: 'bitsPerByte', cap: 8 })
        .map((n) => n.message)
        .slice(1, 4),
    ).toEqual([
      'Model 0x000000…000a00 evaluated on all 250 samples of the eval set (wasm): 0.9700 (0.240 bits per byte).',
      'Model 0x000000…000a01 scores 0 (could not be fetched).',
      'Model 0x000000…000a00 scored 0.9800 (0.160 bits per byte) on the 100-sample subset.',
    ]);
    s.notes.push({ key: 'revealed/0', at: 10_860n, epoch: 0, level: 'info', message: 'Epoch 0: scores revealed.' });
    expect(validatorActivity(s).map((n) => n.key)).not.toContain('activity/reveal/0');
  });

  it('names the backend used and a refused 16-bit backend', () => {
    const s = initialValidatorState(scope);
    expect(backendView(s, {})).toEqual({ backend: null, refused16: null });
    s.evaluations[evaluationKey(col(0), evalData)] = evaluated(0.9, 10n, { backend: 'cpu' });
    s.evaluations[evaluationKey(col(1), evalData)] = evaluated(0.9, 20n, { backend: 'wasm' });
    expect(backendView(s, {})).toEqual({ backend: 'wasm', refused16: null });
    const why = 'the evaluator computed in 16-bit floats on webgl; validators score in 32-bit floats only';
    s.attempts[evaluationKey(col(2), evalData)] = { count: 1, lastAt: 30n, lastError: why };
    expect(backendView(s, {}).refused16).toBe(why);
    expect(backendView(initialValidatorState(scope), { k: ['fetch failed', why] }).refused16).toBe(why);
  });
});

describe('dataSetSentence', () => {
  const sets = { public: `0x${'aa'.repeat(32)}`, final: `0x${'BB'.repeat(32)}` } as const;
  it('names the hidden final set, the public set, and the fallback of a final phase to the public set', () => {
    expect(dataSetSentence(`0x${'bb'.repeat(32)}`, true, sets)).toBe(
      'Scored on the hidden final eval set, revealed by the creator for the final phase.',
    );
    expect(dataSetSentence(sets.public, false, sets)).toBe('Scored on the public eval set.');
    expect(dataSetSentence(sets.public, true, { ...sets, final: null })).toMatch(
      /^Scored on the public eval set: the creator did not reveal the hidden final set/,
    );
    expect(dataSetSentence(null, true, sets)).toBeNull();
    expect(dataSetSentence(`0x${'cc'.repeat(32)}`, false, sets)).toBe('Scored on the data set 0xcccccc…cccccc.');
  });
});
