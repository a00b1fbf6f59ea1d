// The validator machine, pure: windows, evaluation scheduling, the evaluation seed and subset
// scores, commit and reveal, final phase, missed windows and crash recovery, driven by hand-made
// observations.
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { packScores, scoresCommitment, unpackScores } from '../../../src/lib/chain/commitments.ts';
import {
  DEFAULT_VALIDATOR_CONFIG,
  columnProgress,
  epochDataHash,
  evaluationKey,
  initialValidatorState,
  resultKey,
  validatorCommand,
  validatorReads,
  validatorRecord,
  validatorStep,
  type ColumnView,
  type ValidatorAction,
  type ValidatorObservation,
  type ValidatorState,
} from '../../../src/lib/agents/validator/machine.ts';
import {
  EVAL_DATA,
  FINAL_DATA,
  SCHEDULE,
  SUBSET_SIZE,
  VALIDATOR,
  at,
  column,
  hex32,
  validatorScope,
  vobs,
} from './fixtures.ts';

const types = (actions: ValidatorAction[]) => actions.filter((a) => a.type !== 'explain').map((a) => a.type);
const notes = (actions: ValidatorAction[]) => actions.flatMap((a) => (a.type === 'explain' ? [a.note] : []));
const find = <T extends ValidatorAction['type']>(actions: ValidatorAction[], type: T) =>
  actions.find((a) => a.type === type) as Extract<ValidatorAction, { type: T }> | undefined;
const step = (s: ValidatorState, o: ValidatorObservation) => validatorStep(s, o);
const noCommit = { commitment: `0x${'0'.repeat(64)}` as const, revealed: false };

const SEED0: Hex = hex32(0x5eed0);
const SEED1: Hex = hex32(0x5eed1);
const SEED3: Hex = hex32(0x5eed3);
const COLS = [column(0), column(1), column(2, { duplicate: true }), column(3)];
/** Scores on the whole eval set (previews) and on epoch 0's subset (what is committed): different on purpose. */
const FULL = [0.912, 0.5, 0, 0.75];
const SUBSET = [0.9, 0.48, 0, 0.76];
const UNITS = [9000, 4800, 0, 7600];

function evaluated(
  s: ValidatorState,
  c: ColumnView,
  fullScore: number,
  dataHash = EVAL_DATA,
  at = 1700n,
): ValidatorState {
  return validatorRecord(s, {
    type: 'evaluated',
    key: evaluationKey(c, dataHash),
    check: 'ok',
    reason: null,
    samples: 250,
    fullScore,
    backend: 'wasm',
    floatPrecision: 32,
    at,
  }).state;
}

/** A joined validator that has evaluated every non-duplicate column of epoch 0 on the whole set. */
function allEvaluated(): ValidatorState {
  let s = initialValidatorState(validatorScope);
  COLS.forEach((c, i) => {
    if (!c.duplicate) s = evaluated(s, c, FULL[i]!);
  });
  return s;
}

/** The subset score a test gives each evaluation (by evaluation key); SUBSET by default. */
const subsetOf = (key: string): number => {
  const i = COLS.findIndex((c) => evaluationKey(c, EVAL_DATA) === key || evaluationKey(c, FINAL_DATA) === key);
  return i >= 0 ? SUBSET[i]! : 0.3;
};

/**
 * One step; when it asks for subset scores, answers them like the agent (from `table`) and steps
 * again with the same observation: the runner does both in one tick.
 */
function stepScoring(s: ValidatorState, o: ValidatorObservation, table = subsetOf) {
  const r = step(s, o);
  const ask = find(r.actions, 'scoreSubset');
  if (!ask) return { ...r, asked: null };
  const scored = validatorRecord(r.state, {
    type: 'scored',
    epoch: ask.epoch,
    scores: ask.items.map((i) => ({ key: i.key, score: table(i.evaluation) })),
    missing: [],
    at: o.now,
  }).state;
  const again = step(scored, o);
  return { state: again.state, actions: [...r.actions, ...again.actions], asked: ask };
}

describe('validator machine: windows', () => {
  const cases: { name: string; now: bigint; seeds?: Record<number, Hex>; expect: string[] }[] = [
    { name: 'review', now: 800n, expect: [] },
    { name: 'seal window', now: at(0, 100), expect: [] },
    { name: 'reveal window (pre-evaluation, no seed yet)', now: at(0, 550), expect: ['evaluate'] },
    {
      name: 'score commit window, seed not drawn: draw it while evaluating',
      now: at(0, 600),
      expect: ['drawSeed', 'evaluate'],
    },
    { name: 'score commit window, seed drawn by someone', now: at(0, 600), seeds: { 0: SEED0 }, expect: ['evaluate'] },
    { name: 'score reveal window without a commitment', now: at(0, 900), expect: [] },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.expect.join(', ') || 'nothing to do'}`, () => {
      const r = step(
        initialValidatorState(validatorScope),
        vobs({ now: c.now, columns: { 0: COLS }, commits: { 0: noCommit }, ...(c.seeds ? { seeds: c.seeds } : {}) }),
      );
      expect(types(r.actions)).toEqual(c.expect);
    });
  }

  it('reads columns only while they matter, seeds from the score commit window on, and commitments of open epochs', () => {
    const s = initialValidatorState(validatorScope);
    expect(validatorReads(s, SCHEDULE, at(0, 100))).toEqual({ commits: [0], columns: [], seeds: [] });
    expect(validatorReads(s, SCHEDULE, at(0, 550))).toEqual({ commits: [0], columns: [0], seeds: [] });
    expect(validatorReads(s, SCHEDULE, at(0, 600))).toEqual({ commits: [0], columns: [0], seeds: [0] });
    expect(validatorReads(s, SCHEDULE, at(3, 10))).toEqual({ commits: [3], columns: [3], seeds: [3] });
    expect(validatorReads(s, SCHEDULE, at(4, 10))).toEqual({ commits: [], columns: [], seeds: [] });
  });

  it('a whole epoch: evaluate each model once on every sample, draw the seed, score the subset, commit, reveal with the stored salt', () => {
    let s = initialValidatorState(validatorScope);
    const keys: string[] = [];
    // One evaluation at a time, in column order, skipping the duplicate; no seed is needed yet.
    for (let i = 0; i < 4; i++) {
      const r = step(s, vobs({ now: at(0, 550 + i), columns: { 0: COLS }, commits: { 0: noCommit } }));
      const ev = find(r.actions, 'evaluate');
      if (i === 3) {
        expect(ev).toBeUndefined();
        s = r.state;
        break;
      }
      keys.push(ev!.key);
      expect(ev!.dataHash).toBe(EVAL_DATA);
      const busy = step(
        r.state,
        vobs({ now: at(0, 550 + i), columns: { 0: COLS }, commits: { 0: noCommit }, evaluating: ev!.key }),
      );
      expect(types(busy.actions)).toEqual([]);
      const idx = COLS.findIndex((c) => c.submissionId === ev!.column.submissionId);
      s = evaluated(r.state, ev!.column, FULL[idx]!);
    }
    expect(keys).toEqual([
      evaluationKey(COLS[0]!, EVAL_DATA),
      evaluationKey(COLS[1]!, EVAL_DATA),
      evaluationKey(COLS[3]!, EVAL_DATA),
    ]);
    expect(Object.keys(s.results)).toEqual([]);

    // The commit window opens: nobody drew the seed, so this validator does; nothing else yet.
    let r = step(s, vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual(['drawSeed']);
    expect(r.state.phase).toBe('drawing-seed');
    s = validatorRecord(r.state, {
      type: 'seedDrawn',
      epoch: 0,
      seed: SEED0,
      drew: true,
      txHash: hex32(9),
      at: at(0, 600),
    }).state;
    expect(s.epochs[0]!.seed).toBe(SEED0);
    expect(s.notes.at(-1)!.message).toMatch(/^Epoch 0: drew the evaluation seed \(0x000000…05eed0\)/);

    const entropy = hex32(0x5a17);
    const scored = stepScoring(
      s,
      vobs({ now: at(0, 601), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 }, entropy }),
    );
    // Only the evaluated models need a computation; the duplicate is 0 without one.
    expect(scored.asked).toEqual({
      type: 'scoreSubset',
      epoch: 0,
      subset: { seed: SEED0, size: SUBSET_SIZE },
      items: [0, 1, 3].map((i) => ({
        key: resultKey(COLS[i]!, EVAL_DATA, { seed: SEED0, size: SUBSET_SIZE }),
        evaluation: evaluationKey(COLS[i]!, EVAL_DATA),
      })),
    });
    const commit = find(scored.actions, 'commitScores')!;
    // The subset scores are committed, not the whole-set previews.
    expect(commit).toEqual({
      type: 'commitScores',
      epoch: 0,
      commitment: scoresCommitment(7n, 0n, VALIDATOR, packScores(UNITS), entropy),
      scores: UNITS,
      salt: entropy,
    });
    expect(scored.state.epochs[0]!.commit).toMatchObject({ scores: UNITS, salt: entropy, status: 'prepared' });
    expect(notes(scored.actions).find((n) => n.key === 'subset/0')!.message).toBe(
      "Epoch 0: scored 4 submissions on 100 of the eval set's 250 samples selected by the epoch's seed 0x000000…05eed0; committing.",
    );
    s = validatorRecord(scored.state, {
      type: 'sent',
      action: 'commitScores',
      epoch: 0,
      txHash: hex32(1),
      at: at(0, 601),
    }).state;

    r = step(
      s,
      vobs({
        now: at(0, 700),
        columns: { 0: COLS },
        commits: { 0: { commitment: commit.commitment, revealed: false } },
        seeds: { 0: SEED0 },
      }),
    );
    expect(types(r.actions)).toEqual([]);
    expect(r.state.phase).toBe('committed');
    r = step(
      r.state,
      vobs({
        now: at(0, 850),
        columns: { 0: COLS },
        commits: { 0: { commitment: commit.commitment, revealed: false } },
        seeds: { 0: SEED0 },
      }),
    );
    const reveal = find(r.actions, 'revealScores')!;
    expect(reveal).toEqual({ type: 'revealScores', epoch: 0, scores: UNITS, words: packScores(UNITS), salt: entropy });
    expect(unpackScores(reveal.words, 4)).toEqual(UNITS);
    s = validatorRecord(r.state, {
      type: 'sent',
      action: 'revealScores',
      epoch: 0,
      txHash: hex32(2),
      at: at(0, 851),
    }).state;
    r = step(
      s,
      vobs({
        now: at(0, 860),
        columns: { 0: COLS },
        commits: { 0: { commitment: commit.commitment, revealed: true } },
      }),
    );
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('revealed');
  });

  it('commits in the first step of the window when every model was evaluated and the seed is already drawn', () => {
    const r = stepScoring(
      allEvaluated(),
      vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    expect(types(r.actions)).toEqual(['scoreSubset', 'commitScores']);
    expect(notes(r.actions).find((n) => n.key === 'seed/0')!.message).toMatch(
      /^Epoch 0: another validator drew the evaluation seed/,
    );
  });

  it('an epoch without submissions: nothing to draw or commit, explained', () => {
    const r = step(
      initialValidatorState(validatorScope),
      vobs({ now: at(1, 600), columns: { 1: [] }, commits: { 1: noCommit } }),
    );
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('no-columns');
    expect(notes(r.actions)[0]!.message).toMatch(/rolls over \(SPEC 4.6\)/);
  });

  it('a model resubmitted in a later epoch is not evaluated again, but scored afresh on the new subset', () => {
    let s = stepScoring(
      allEvaluated(),
      vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    ).state;
    const again = [column(10, { artifactHash: COLS[0]!.artifactHash, wmCommit: COLS[0]!.wmCommit })];
    const r = stepScoring(
      s,
      vobs({ now: at(1, 600), columns: { 1: again }, commits: { 0: noCommit, 1: noCommit }, seeds: { 1: SEED1 } }),
      () => 0.8123,
    );
    expect(types(r.actions)).toEqual(['scoreSubset', 'commitScores']);
    expect(r.asked!.items).toEqual([
      {
        key: resultKey(again[0]!, EVAL_DATA, { seed: SEED1, size: SUBSET_SIZE }),
        evaluation: evaluationKey(COLS[0]!, EVAL_DATA),
      },
    ]);
    s = r.state;
    expect(s.epochs.find((e) => e.epoch === 1)!.commit!.scores).toEqual([8123]);
    // Epoch 0's score of the same model stays under epoch 0's subset.
    expect(s.results[resultKey(COLS[0]!, EVAL_DATA, { seed: SEED0, size: SUBSET_SIZE })]!.units).toBe(9000);
  });

  it('result keys carry the subset: another seed or another size never finds a score', () => {
    const c = COLS[0]!;
    const keys = new Set([
      resultKey(c, EVAL_DATA, { seed: SEED0, size: 100 }),
      resultKey(c, EVAL_DATA, { seed: SEED1, size: 100 }),
      resultKey(c, EVAL_DATA, { seed: SEED0, size: 101 }),
      resultKey(c, FINAL_DATA, { seed: SEED0, size: 100 }),
      evaluationKey(c, EVAL_DATA),
    ]);
    expect(keys.size).toBe(5);
    expect(resultKey(c, EVAL_DATA, { seed: SEED0, size: 100 }).startsWith(evaluationKey(c, EVAL_DATA))).toBe(true);
  });

  it('the same artifact revealed with another wmCommit is evaluated on its own', () => {
    const s = allEvaluated();
    const forged = [column(11, { artifactHash: COLS[0]!.artifactHash, wmCommit: hex32(0x666) })];
    const r = step(s, vobs({ now: at(1, 600), columns: { 1: forged }, commits: { 1: noCommit }, seeds: { 1: SEED1 } }));
    expect(types(r.actions)).toEqual(['evaluate']);
  });
});

describe('validator machine: the evaluation seed', () => {
  it('is drawn once, retried only after the retry time, and not at all once the chain shows one', () => {
    let r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual(['drawSeed']);
    expect(r.state.epochs[0]!.seedDraw).toEqual({ sentAt: at(0, 600), sends: 1, halted: null });
    r = step(r.state, vobs({ now: at(0, 601), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, vobs({ now: at(0, 630), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual(['drawSeed']);
    // Another validator's draw landed: this one scores on it.
    const s = stepScoring(
      r.state,
      vobs({ now: at(0, 631), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    expect(types(s.actions)).toEqual(['scoreSubset', 'commitScores']);
    expect(s.state.epochs[0]!.seed).toBe(SEED0);
  });

  it("a draw that lost a race reports the other validator's seed", () => {
    const r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    const s = validatorRecord(r.state, {
      type: 'seedDrawn',
      epoch: 0,
      seed: SEED0,
      drew: false,
      txHash: null,
      at: at(0, 600),
    });
    expect(s.state.epochs[0]!.seed).toBe(SEED0);
    expect(notes(s.actions)[0]!.message).toMatch(
      /^Epoch 0: another validator drew the evaluation seed \(0x000000…05eed0\)/,
    );
  });

  it("the chain's seed wins over one this agent heard of before committing (a reorganization)", () => {
    let s = validatorRecord(
      step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } })).state,
      {
        type: 'seedDrawn',
        epoch: 0,
        seed: SEED1,
        drew: true,
        txHash: hex32(3),
        at: at(0, 600),
      },
    ).state;
    const r = stepScoring(
      s,
      vobs({ now: at(0, 601), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    expect(r.asked!.subset.seed).toBe(SEED0);
    s = r.state;
    expect(s.epochs[0]!.seed).toBe(SEED0);
  });

  it("a draw refused for good is not repeated; another validator's draw or retry unblocks it; never drawn: explained", () => {
    const r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    let s = validatorRecord(r.state, {
      type: 'failed',
      action: 'drawSeed',
      epoch: 0,
      message: 'Refused.',
      retryable: false,
      at: at(0, 600),
    }).state;
    expect(s.epochs[0]!.seedDraw!.halted).toBe('Refused.');
    expect(types(step(s, vobs({ now: at(0, 700), columns: { 0: COLS }, commits: { 0: noCommit } })).actions)).toEqual(
      [],
    );
    const retried = step(
      validatorCommand(s, { type: 'retry', epoch: 0 }),
      vobs({ now: at(0, 701), columns: { 0: COLS }, commits: { 0: noCommit } }),
    );
    expect(types(retried.actions)).toEqual(['drawSeed']);
    s = step(s, vobs({ now: at(0, 849), columns: { 0: COLS }, commits: { 0: noCommit } })).state;
    const closed = step(s, vobs({ now: at(0, 851), commits: { 0: noCommit } }));
    expect(closed.state.epochs[0]!.outcome).toBe('missed-commit');
    expect(notes(closed.actions)[0]!.message).toBe(
      "Epoch 0: no scores committed: the epoch's evaluation seed was never drawn (the draw was refused: Refused), and scores cannot be committed without it. This epoch earns this validator nothing, and costs nothing else.",
    );
  });

  it('a transient draw failure is tried again after the retry time', () => {
    const r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    const s = validatorRecord(r.state, {
      type: 'failed',
      action: 'drawSeed',
      epoch: 0,
      message: 'RPC down',
      retryable: true,
      at: at(0, 600),
    }).state;
    expect(types(step(s, vobs({ now: at(0, 610), columns: { 0: COLS }, commits: { 0: noCommit } })).actions)).toEqual(
      [],
    );
    expect(types(step(s, vobs({ now: at(0, 630), columns: { 0: COLS }, commits: { 0: noCommit } })).actions)).toEqual([
      'drawSeed',
    ]);
  });
});

describe('validator machine: failures and retries', () => {
  it('a fetch that keeps failing is retried with a pause, then scores 0 on any subset with the reason (SPEC 4.7)', () => {
    let s = initialValidatorState(validatorScope);
    const cols = [column(0)];
    const key = evaluationKey(cols[0]!, EVAL_DATA);
    let t = 600;
    for (let i = 1; i <= DEFAULT_VALIDATOR_CONFIG.maxEvalAttempts; i++) {
      const r = step(s, vobs({ now: at(0, t), columns: { 0: cols }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }));
      expect(types(r.actions)).toEqual(['evaluate']);
      s = validatorRecord(r.state, {
        type: 'evalFailed',
        key,
        epoch: 0,
        message: 'gateway timeout',
        at: at(0, t),
      }).state;
      if (i < DEFAULT_VALIDATOR_CONFIG.maxEvalAttempts) {
        expect(columnProgress(s, cols, EVAL_DATA, null)[0]).toMatchObject({
          status: 'retrying',
          attempts: i,
          reason: 'gateway timeout',
        });
        // Not before the retry pause.
        expect(
          types(
            step(s, vobs({ now: at(0, t + 1), columns: { 0: cols }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }))
              .actions,
          ),
        ).toEqual([]);
      }
      t += DEFAULT_VALIDATOR_CONFIG.evalRetrySec;
    }
    expect(s.evaluations[key]).toMatchObject({ fullScore: 0, check: 'missing' });
    expect(s.evaluations[key]!.reason).toMatch(/in 3 attempts \(last: gateway timeout\)/);
    // Nothing to compute: the commitment follows in the same step.
    const r = step(s, vobs({ now: at(0, t), columns: { 0: cols }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }));
    expect(types(r.actions)).toEqual(['commitScores']);
    expect(r.state.epochs[0]!.commit!.scores).toEqual([0]);
    expect(r.state.results[resultKey(cols[0]!, EVAL_DATA, { seed: SEED0, size: SUBSET_SIZE })]).toMatchObject({
      units: 0,
      check: 'missing',
    });
  });

  it('scores out of range, and evaluations in 16-bit floats, are refused', () => {
    const s = initialValidatorState(validatorScope);
    const ev = {
      type: 'evaluated',
      key: 'k',
      check: 'ok',
      reason: null,
      samples: 250,
      backend: 'wasm',
      floatPrecision: 32,
      at: 1n,
    } as const;
    expect(() => validatorRecord(s, { ...ev, fullScore: 1.5 })).toThrow(/\[0, 1\]/);
    expect(() => validatorRecord(s, { ...ev, fullScore: Number.NaN })).toThrow(/\[0, 1\]/);
    expect(() => validatorRecord(s, { ...ev, fullScore: 0.5, backend: 'webgl', floatPrecision: 16 })).toThrow(
      /16-bit floats cannot be used/,
    );
    expect(() =>
      validatorRecord(s, { type: 'scored', epoch: 0, scores: [{ key: 'k', score: -0.1 }], missing: [], at: 1n }),
    ).toThrow(/\[0, 1\]/);
  });

  it('says which backend evaluates, once', () => {
    let s = evaluated(initialValidatorState(validatorScope), COLS[0]!, 0.9);
    s = evaluated(s, COLS[1]!, 0.5);
    const backend = s.notes.filter((n) => n.key.startsWith('eval-backend/'));
    expect(backend).toHaveLength(1);
    expect(backend[0]!.message).toMatch(
      /^Models are evaluated on the wasm backend in 32-bit floats\. A backend that computes in 16-bit floats \(WebGL on a device without float32 render targets, common on phones\) is never used/,
    );
  });

  it('per-sample results lost from the device: the model is evaluated again, then scored', () => {
    const r = step(
      allEvaluated(),
      vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    const ask = find(r.actions, 'scoreSubset')!;
    const lost = evaluationKey(COLS[1]!, EVAL_DATA);
    const s = validatorRecord(r.state, {
      type: 'scored',
      epoch: 0,
      scores: ask.items.filter((i) => i.evaluation !== lost).map((i) => ({ key: i.key, score: 0.5 })),
      missing: [lost],
      at: at(0, 600),
    }).state;
    expect(s.evaluations[lost]).toBeUndefined();
    expect(s.notes.at(-1)!.level).toBe('warn');
    const again = step(
      s,
      vobs({ now: at(0, 601), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    expect(types(again.actions)).toEqual(['evaluate']);
    expect(find(again.actions, 'evaluate')!.key).toBe(lost);
  });

  it('evaluations unfinished at the commit deadline: no partial commitment, explained', () => {
    let s = evaluated(initialValidatorState(validatorScope), COLS[0]!, 0.9);
    s = step(
      s,
      vobs({
        now: at(0, 840),
        columns: { 0: COLS },
        commits: { 0: noCommit },
        seeds: { 0: SEED0 },
        evaluating: evaluationKey(COLS[1]!, EVAL_DATA),
      }),
    ).state;
    const r = step(
      s,
      vobs({ now: at(0, 851), commits: { 0: noCommit }, evaluating: evaluationKey(COLS[1]!, EVAL_DATA) }),
    );
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('missed-commit');
    expect(notes(r.actions)[0]!.message).toMatch(
      /only 2 of 4 submissions were evaluated in time; partial scores are not committed/,
    );
  });

  it('resends a commitment the chain does not show only after the retry time; never when it does', () => {
    let r = stepScoring(
      allEvaluated(),
      vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    const commit = find(r.actions, 'commitScores')!;
    r = {
      ...step(r.state, vobs({ now: at(0, 601), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } })),
      asked: null,
    };
    expect(types(r.actions)).toEqual([]);
    r = {
      ...step(r.state, vobs({ now: at(0, 630), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } })),
      asked: null,
    };
    expect(find(r.actions, 'commitScores')).toEqual(commit);
    for (const t of [660, 700, 849]) {
      r = {
        ...step(
          r.state,
          vobs({
            now: at(0, t),
            columns: { 0: COLS },
            commits: { 0: { commitment: commit.commitment, revealed: false } },
            seeds: { 0: SEED0 },
          }),
        ),
        asked: null,
      };
      expect(types(r.actions)).toEqual([]);
    }
  });

  it('a commitment dropped by a reorganization is sent again, the same one', () => {
    let r = stepScoring(
      allEvaluated(),
      vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    const commit = find(r.actions, 'commitScores')!;
    let s = step(
      r.state,
      vobs({
        now: at(0, 610),
        columns: { 0: COLS },
        commits: { 0: { commitment: commit.commitment, revealed: false } },
        seeds: { 0: SEED0 },
      }),
    ).state;
    s = step(s, vobs({ now: at(0, 611), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } })).state;
    expect(s.epochs[0]!.commit!.status).toBe('prepared');
    r = {
      ...step(s, vobs({ now: at(0, 640), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } })),
      asked: null,
    };
    expect(find(r.actions, 'commitScores')).toEqual(commit);
  });

  it('a commitment the chain refuses for good is not repeated; retry sends it again', () => {
    const first = stepScoring(
      allEvaluated(),
      vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    const commit = find(first.actions, 'commitScores')!;
    let s = validatorRecord(first.state, {
      type: 'failed',
      action: 'commitScores',
      epoch: 0,
      message: 'Your stake does not count in this epoch.',
      retryable: false,
      at: at(0, 601),
    }).state;
    let r = step(s, vobs({ now: at(0, 700), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }));
    expect(types(r.actions)).toEqual([]);
    s = validatorCommand(r.state, { type: 'retry', epoch: 0 });
    r = step(s, vobs({ now: at(0, 701), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }));
    expect(find(r.actions, 'commitScores')).toEqual(commit);
    s = validatorRecord(r.state, {
      type: 'failed',
      action: 'commitScores',
      epoch: 0,
      message: 'Refused.',
      retryable: false,
      at: at(0, 702),
    }).state;
    r = step(s, vobs({ now: at(0, 850), commits: { 0: noCommit } }));
    expect(notes(r.actions)[0]!.message).toBe(
      'Epoch 0: no scores committed: it was refused: Refused. This epoch earns this validator nothing.',
    );
  });

  it('a commitment it did not make is left alone', () => {
    const r = step(
      allEvaluated(),
      vobs({
        now: at(0, 600),
        columns: { 0: COLS },
        commits: { 0: { commitment: hex32(5), revealed: false } },
        seeds: { 0: SEED0 },
      }),
    );
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('foreign');
  });
});

describe('validator machine: crash between storing and sending, and missed windows', () => {
  function prepared() {
    const r = stepScoring(
      allEvaluated(),
      vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    return { stored: r.state, commitment: find(r.actions, 'commitScores')!.commitment };
  }

  it('the send went through: the restarted agent reveals with the stored salt', () => {
    const { stored, commitment } = prepared();
    const r = step(stored, vobs({ now: at(0, 850), commits: { 0: { commitment, revealed: false } } }));
    const reveal = find(r.actions, 'revealScores')!;
    expect(scoresCommitment(7n, 0n, VALIDATOR, reveal.words, reveal.salt)).toBe(commitment);
  });

  it('the send never happened: the stored commitment is sent, not a new one', () => {
    const { stored, commitment } = prepared();
    const r = step(
      stored,
      vobs({ now: at(0, 640), columns: { 0: COLS }, commits: { 0: noCommit }, seeds: { 0: SEED0 } }),
    );
    expect(find(r.actions, 'commitScores')!.commitment).toBe(commitment);
  });

  it('closed past the commit window: the lost commitment is explained', () => {
    const { stored } = prepared();
    const r = step(stored, vobs({ now: at(0, 900), commits: { 0: noCommit } }));
    expect(r.state.epochs[0]!.outcome).toBe('commit-lost');
    expect(types(r.actions)).toEqual([]);
  });

  it('a score reveal window missed while the tab was closed: explained (earns nothing), the next epoch goes on', () => {
    const { stored, commitment } = prepared();
    let r = step(
      stored,
      vobs({
        now: at(0, 610),
        columns: { 0: COLS },
        commits: { 0: { commitment, revealed: false } },
        seeds: { 0: SEED0 },
      }),
    );
    r = step(
      r.state,
      vobs({
        now: at(1, 550),
        columns: { 1: [column(5)] },
        commits: { 0: { commitment, revealed: false }, 1: noCommit },
      }),
    );
    expect(r.state.epochs[0]!.outcome).toBe('missed-reveal');
    const n = notes(r.actions).find((x) => x.key === 'missed-reveal/0')!;
    expect(n.message).toMatch(/this app was not running/);
    expect(n.message).toMatch(/earns nothing for the epoch \(SPEC 2.2\)/);
    expect(types(r.actions)).toEqual(['evaluate']);
  });

  it('commit windows slept through are each explained', () => {
    let r = step(initialValidatorState(validatorScope), vobs({ now: at(0, 10) }));
    r = step(r.state, vobs({ now: at(2, 100) }));
    expect(r.state.epochs.map((e) => [e.epoch, e.outcome])).toEqual([
      [0, 'missed-commit'],
      [1, 'missed-commit'],
      [2, 'open'],
    ]);
    expect(notes(r.actions)[0]!.message).toMatch(/^Epoch 0: no scores committed: this app was not running/);
  });
});

describe('validator machine: final phase (SPEC 2.3)', () => {
  const finalCols = [column(0), column(3)];

  it('waits for the final eval set, then evaluates on it', () => {
    let r = step(
      allEvaluated(),
      vobs({
        now: at(3, 10),
        columns: { 3: finalCols },
        commits: { 3: noCommit },
        finalEval: { status: 'Pending', hash: null },
      }),
    );
    expect(types(r.actions)).toEqual([]);
    expect(r.state.phase).toBe('waiting-final-eval');
    expect(notes(r.actions)[0]!.key).toBe('final-eval-pending/3');
    r = step(
      r.state,
      vobs({
        now: at(3, 20),
        columns: { 3: finalCols },
        commits: { 3: noCommit },
        finalEval: { status: 'Revealed', hash: FINAL_DATA },
        seeds: { 3: SEED3 },
      }),
    );
    // The public-set evaluations do not count: the final set is another dataset.
    const ev = find(r.actions, 'evaluate')!;
    expect(ev).toMatchObject({ epoch: 3, dataHash: FINAL_DATA, key: evaluationKey(finalCols[0]!, FINAL_DATA) });
  });

  it('falls back to the public eval set when the creator did not reveal in time: no new evaluation, a new subset', () => {
    const r = stepScoring(
      allEvaluated(),
      vobs({
        now: at(3, 150),
        columns: { 3: finalCols },
        commits: { 3: noCommit },
        finalEval: { status: 'Fallback', hash: null },
        seeds: { 3: SEED3 },
      }),
    );
    expect(types(r.actions)).toEqual(['scoreSubset', 'commitScores']);
    expect(r.asked!.subset).toEqual({ seed: SEED3, size: SUBSET_SIZE });
    expect(r.state.epochs[0]!.commit!.scores).toEqual([9000, 7600]);
    expect(r.state.epochs[0]!.dataHash).toBe(EVAL_DATA);
  });

  it('the data hash per epoch', () => {
    const base = vobs({ now: 0n });
    expect(epochDataHash(base, 2)).toBe(EVAL_DATA);
    expect(epochDataHash(base, 3)).toBeNull();
    expect(
      epochDataHash({ ...base, chain: { ...base.chain, finalEval: { status: 'Revealed', hash: FINAL_DATA } } }, 3),
    ).toBe(FINAL_DATA);
    expect(epochDataHash({ ...base, chain: { ...base.chain, finalEval: { status: 'Fallback', hash: null } } }, 3)).toBe(
      EVAL_DATA,
    );
  });

  it('final phase windows: commit [0, 70%), reveal [70%, 100%)', () => {
    const fallback = { status: 'Fallback', hash: null } as const;
    const r = stepScoring(
      allEvaluated(),
      vobs({
        now: at(3, 0),
        columns: { 3: finalCols },
        commits: { 3: noCommit },
        finalEval: fallback,
        seeds: { 3: SEED3 },
      }),
    );
    const { commitment } = find(r.actions, 'commitScores')!;
    let s = step(
      r.state,
      vobs({
        now: at(3, 699),
        commits: { 3: { commitment, revealed: false } },
        columns: { 3: finalCols },
        finalEval: fallback,
        seeds: { 3: SEED3 },
      }),
    );
    expect(types(s.actions)).toEqual([]);
    s = step(
      s.state,
      vobs({
        now: at(3, 700),
        commits: { 3: { commitment, revealed: false } },
        columns: { 3: finalCols },
        finalEval: fallback,
        seeds: { 3: SEED3 },
      }),
    );
    expect(types(s.actions)).toEqual(['revealScores']);
  });

  it('once the task has nothing left to score, the kept per-sample results are deleted, once', () => {
    let r = step(allEvaluated(), vobs({ now: at(4, 10) }));
    expect(types(r.actions)).toEqual(['clearSamples']);
    expect(r.state.samplesCleared).toBe(true);
    r = step(r.state, vobs({ now: at(4, 20) }));
    expect(types(r.actions)).toEqual([]);
  });
});

describe('validator machine: joining and roles', () => {
  it('a join is sent once (then retried after the retry time), and refused roles are explained', () => {
    let s = validatorCommand(initialValidatorState(validatorScope), { type: 'join', amount: 3n, sigma: 0n });
    let r = step(s, vobs({ now: 800n, role: 'None' }));
    expect(find(r.actions, 'join')).toEqual({ type: 'join', amount: 3n, sigma: 0n });
    r = step(r.state, vobs({ now: 801n, role: 'None' }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, vobs({ now: 831n, role: 'None' }));
    expect(types(r.actions)).toEqual(['join']);
    s = validatorCommand(r.state, { type: 'cancelJoin' });
    expect(types(step(s, vobs({ now: 900n, role: 'None' })).actions)).toEqual([]);
    const trainer = step(
      initialValidatorState(validatorScope),
      vobs({ now: at(0, 600), role: 'Trainer', columns: { 0: COLS } }),
    );
    expect(types(trainer.actions)).toEqual([]);
    expect(trainer.state.phase).toBe('wrong-role');
  });

  it("a join below the task's minimum stake is not sent, and says the minimum", () => {
    const s = validatorCommand(initialValidatorState(validatorScope), {
      type: 'join',
      amount: 5n * 10n ** 18n,
      sigma: 0n,
    });
    const r = step(s, vobs({ now: 800n, role: 'None', minStake: 10n * 10n ** 18n }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.join).toBeNull();
    expect(notes(r.actions)[0]!).toMatchObject({
      level: 'error',
      message:
        "A validator joins this task with at least 10 ARENA, the task's minimum validator stake; 5 ARENA was asked, so nothing was sent.",
    });
    const enough = step(
      validatorCommand(s, { type: 'join', amount: 10n * 10n ** 18n, sigma: 0n }),
      vobs({ now: 801n, role: 'None', minStake: 10n * 10n ** 18n }),
    );
    expect(types(enough.actions)).toEqual(['join']);
  });

  it('validators may still join for the final phase; not after it', () => {
    const s = validatorCommand(initialValidatorState(validatorScope), { type: 'join', amount: 3n, sigma: 0n });
    expect(types(step(s, vobs({ now: at(2, 10), role: 'None' })).actions)).toEqual(['join']);
    const late = step(s, vobs({ now: at(3, 10), role: 'None' }));
    expect(types(late.actions)).toEqual([]);
    expect(notes(late.actions)[0]!.key).toBe('staking-closed');
  });

  it('a rejected task: nothing to do, explained', () => {
    const o = vobs({ now: at(0, 600), columns: { 0: COLS } });
    const r = step(initialValidatorState(validatorScope), { ...o, schedule: { ...SCHEDULE, rejected: true } });
    expect(types(r.actions)).toEqual([]);
    expect(r.state.phase).toBe('over');
    expect(notes(r.actions).map((n) => n.key)).toEqual(['rejected']);
  });

  it('not eligible yet: explained, nothing evaluated', () => {
    const r = step(
      initialValidatorState(validatorScope),
      vobs({ now: at(0, 600), eligibleFrom: 1, columns: { 0: COLS } }),
    );
    expect(types(r.actions)).toEqual([]);
    expect(notes(r.actions)[0]!.message).toBe('Epoch 0: your stake counts from epoch 1; scoring starts then.');
  });

  it('progress per model: previews on the whole set before the seed, subset scores after', () => {
    let s = evaluated(initialValidatorState(validatorScope), COLS[0]!, 0.9);
    s = validatorRecord(s, {
      type: 'evaluated',
      key: evaluationKey(COLS[3]!, EVAL_DATA),
      check: 'watermark',
      reason: 'wmCommit mismatch',
      samples: 0,
      fullScore: 0,
      backend: null,
      floatPrecision: null,
      at: 1n,
    }).state;
    const before = columnProgress(s, COLS, EVAL_DATA, evaluationKey(COLS[1]!, EVAL_DATA));
    expect(before.map((x) => [x.status, x.score, x.fullScore])).toEqual([
      ['evaluated', null, 0.9],
      ['evaluating', null, null],
      ['zero', 0, 0],
      ['zero', 0, 0],
    ]);
    expect(before[3]!.reason).toBe('wmCommit mismatch');
    const subset = { seed: SEED0, size: SUBSET_SIZE };
    s = validatorRecord(s, {
      type: 'scored',
      epoch: 0,
      scores: [{ key: resultKey(COLS[0]!, EVAL_DATA, subset), score: 0.88 }],
      missing: [],
      at: 2n,
    }).state;
    expect(columnProgress(s, COLS, EVAL_DATA, null, subset)[0]).toMatchObject({
      status: 'scored',
      score: 0.88,
      fullScore: 0.9,
    });
    // Another epoch's subset has no score yet.
    expect(columnProgress(s, COLS, EVAL_DATA, null, { seed: SEED1, size: SUBSET_SIZE })[0]).toMatchObject({
      status: 'evaluated',
      score: null,
    });
    expect(structuredClone(s)).toEqual(s);
  });
});
