import { getAddress, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { initialValidatorState, resultKey, type ColumnView, type ValidatorState } from '../../../src/lib/agents/index.ts';
import { epochViews, modelChecks, validatorActivity, VALIDATOR_PHASE_SENTENCE } from '../../../src/app/pages/validate/validate-view.ts';

// Epoch 0: score commit [10600, 10850), score reveal [10850, 11000).
const schedule = { startTime: 10_000n, reviewEnd: 9_000n, epochLength: 1000, submissionEpochs: 2, finalEpochs: 1, challengeEpochs: 1, sealEnd: 5000, revealEnd: 6000, commitEnd: 8500, finalCommitEnd: 7000, rejected: false };
const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const scope = { chainId: 31337, registry: addr(0xf0), taskId: 1n, account: addr(0xa1), role: 'validator' as const };
const evalData = h(0xeeee);
const col = (id: number, extra: Partial<ColumnView> = {}): ColumnView => ({ submissionId: id, trainer: addr(0x100 + id), artifactHash: h(0xa00 + id), wmCommit: h(0xb00 + id), duplicate: false, ...extra });
const none = { stages: {}, failures: {} };

describe('modelChecks', () => {
  it('marks the failed check and skips the rest for each kind of zero', () => {
    expect(modelChecks('ok', null)).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'ok' });
    expect(modelChecks('missing', null)).toEqual({ fetch: 'failed', hash: 'skipped', wmCommit: 'skipped', evaluation: 'skipped' });
    expect(modelChecks('hash', null)).toEqual({ fetch: 'ok', hash: 'failed', wmCommit: 'skipped', evaluation: 'skipped' });
    expect(modelChecks('watermark', null)).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'failed', evaluation: 'skipped' });
    expect(modelChecks('artifact', null).wmCommit).toBe('failed');
    expect(modelChecks('duplicate', null)).toEqual({ fetch: 'skipped', hash: 'skipped', wmCommit: 'skipped', evaluation: 'skipped' });
  });

  it('follows the live stage while a model is worked on', () => {
    expect(modelChecks(null, 'fetching')).toEqual({ fetch: 'running', hash: 'pending', wmCommit: 'pending', evaluation: 'pending' });
    expect(modelChecks(null, 'checking')).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'running', evaluation: 'pending' });
    expect(modelChecks(null, 'evaluating')).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'running' });
    expect(modelChecks(null, null)).toEqual({ fetch: 'pending', hash: 'pending', wmCommit: 'pending', evaluation: 'pending' });
  });
});

describe('epochViews', () => {
  it('shows the columns the page read while reveals come in, with the live stage of the one being evaluated', () => {
    const s = initialValidatorState(scope);
    const c0 = col(0);
    const c1 = col(1);
    const k0 = resultKey(c0, evalData);
    const k1 = resultKey(c1, evalData);
    s.results[k0] = { score: 0.9532, units: 9532, check: 'ok', reason: null, at: 10_520n };
    const [v] = epochViews({
      state: s,
      schedule,
      now: 10_550n,
      evaluating: k1,
      stages: { [k1]: { stage: 'evaluating', done: 96, total: 250 } },
      failures: {},
      live: { 0: { columns: [c0, c1], dataHash: evalData } },
    });
    expect(v!.epoch).toBe(0);
    expect(v!.status).toBe('evaluating: 1 of 2 models scored');
    expect(v!.models.map((m) => [m.submissionId, m.status, m.scoreText, m.activity])).toEqual([
      [0, 'scored', '0.9532', null],
      [1, 'evaluating', null, 'evaluating: 96 of 250 samples'],
    ]);
    expect(v!.models[1]!.checks).toEqual({ fetch: 'ok', hash: 'ok', wmCommit: 'ok', evaluation: 'running' });
    expect(v!.commitWindow).toEqual({ opens: 10_600n, closes: 10_850n });
  });

  it('keeps every failed attempt and shows the zero with its reason once the agent gives up', () => {
    const s = initialValidatorState(scope);
    const c = col(3);
    const k = resultKey(c, evalData);
    s.results[k] = { score: 0, units: 0, check: 'missing', reason: 'could not be fetched or evaluated in 3 attempts (last: not found)', at: 10_580n };
    const [v] = epochViews({ state: s, schedule, now: 10_590n, evaluating: null, stages: {}, failures: { [k]: ['CID mismatch', 'not found', 'not found'] }, live: { 0: { columns: [c], dataHash: evalData } } });
    expect(v!.models[0]).toMatchObject({ status: 'zero', scoreText: '0.0000', reason: 'could not be fetched or evaluated in 3 attempts (last: not found)', failures: ['CID mismatch', 'not found', 'not found'] });
    expect(v!.models[0]!.checks.fetch).toBe('failed');
    expect(v!.status).toBe('all models scored; scores are committed in the score commit window');
  });

  it('gives a flagged duplicate zero without evaluating it', () => {
    const s = initialValidatorState(scope);
    const [v] = epochViews({ state: s, schedule, now: 10_550n, evaluating: null, ...none, live: { 0: { columns: [col(0, { duplicate: true })], dataHash: evalData } } });
    expect(v!.models[0]).toMatchObject({ status: 'zero', score: 0, checks: { fetch: 'skipped', hash: 'skipped', wmCommit: 'skipped', evaluation: 'skipped' } });
    expect(v!.models[0]!.reason).toContain('copy of an earlier submission');
  });

  it('prefers the recorded columns and commitment once committed, then says revealed', () => {
    const s: ValidatorState = initialValidatorState(scope);
    const c = col(0);
    s.results[resultKey(c, evalData)] = { score: 0.5, units: 5000, check: 'ok', reason: null, at: 1n };
    s.epochs.push({
      epoch: 0,
      outcome: 'open',
      dataHash: evalData,
      columns: [c],
      commit: { scores: [5000], words: [1n], salt: h(1), commitment: h(2), status: 'committed', preparedAt: 10_610n, sentAt: 10_610n, sends: 1, revealSentAt: null, reveals: 0, halted: null },
    });
    const views = epochViews({ state: s, schedule, now: 10_700n, evaluating: null, ...none });
    expect(views[0]).toMatchObject({ status: 'scores committed; reveal comes in the score reveal window', committed: [5000] });
    s.epochs[0]!.outcome = 'revealed';
    expect(epochViews({ state: s, schedule, now: 10_900n, evaluating: null, ...none })[0]!.status).toBe('scores committed and revealed');
    s.epochs[0]!.outcome = 'missed-reveal';
    expect(epochViews({ state: s, schedule, now: 11_100n, evaluating: null, ...none })[0]).toMatchObject({ status: 'missed: committed, not revealed', tone: 'warn' });
  });

  it('lists epochs newest first, and nothing without a state', () => {
    const s = initialValidatorState(scope);
    s.epochs.push({ epoch: 0, outcome: 'no-columns', dataHash: evalData, columns: [], commit: null });
    const views = epochViews({ state: s, schedule, now: 11_600n, evaluating: null, ...none, live: { 1: { columns: [col(0)], dataHash: evalData } } });
    expect(views.map((v) => [v.epoch, v.status])).toEqual([
      [1, 'evaluating: 0 of 1 models scored'],
      [0, 'no submission was revealed: nothing to score'],
    ]);
    expect(epochViews({ state: null, schedule, now: 0n, evaluating: null, ...none })).toEqual([]);
  });

  it('has a sentence for every validator phase', () => {
    for (const text of Object.values(VALIDATOR_PHASE_SENTENCE)) expect(text).toMatch(/\.$/);
  });

  it('tells what the agent did: models scored or zeroed, scores committed and revealed', () => {
    const s = initialValidatorState(scope);
    s.join = { amount: 1n, sigma: 0n, sentAt: 9_000n, sends: 1 };
    s.results[resultKey(col(0), evalData)] = { score: 0.98, units: 9800, check: 'ok', reason: null, at: 10_530n };
    s.results[resultKey(col(1), evalData)] = { score: 0, units: 0, check: 'missing', reason: 'gone', at: 10_560n };
    s.epochs.push({
      epoch: 0,
      outcome: 'revealed',
      dataHash: evalData,
      columns: [col(0), col(1)],
      commit: { scores: [9800, 0], words: [1n], salt: h(1), commitment: h(2), status: 'revealed', preparedAt: 10_610n, sentAt: 10_610n, sends: 1, revealSentAt: 10_860n, reveals: 1, halted: null },
    });
    expect(validatorActivity(s).map((n) => [n.at, n.level, n.message])).toEqual([
      [9_000n, 'info', 'Validator stake sent.'],
      [10_530n, 'info', 'Model 0x000000…000a00 scored 0.9800.'],
      [10_560n, 'warn', 'Model 0x000000…000a01 scores 0 (could not be fetched).'],
      [10_610n, 'info', 'Epoch 0: scores for 2 submissions committed (9800, 0 of 10000).'],
      [10_860n, 'info', 'Epoch 0: score reveal sent.'],
    ]);
    s.notes.push({ key: 'revealed/0', at: 10_860n, epoch: 0, level: 'info', message: 'Epoch 0: scores revealed.' });
    expect(validatorActivity(s).map((n) => n.key)).not.toContain('activity/reveal/0');
  });
});
