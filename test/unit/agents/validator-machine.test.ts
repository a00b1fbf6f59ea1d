// The validator machine, pure: windows, evaluation scheduling, commit and reveal, final phase,
// missed windows and crash recovery, driven by hand-made observations.
import { describe, expect, it } from 'vitest';
import { packScores, scoresCommitment, unpackScores } from '../../../src/lib/chain/commitments.ts';
import {
  DEFAULT_VALIDATOR_CONFIG,
  columnProgress,
  epochDataHash,
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
import { EVAL_DATA, FINAL_DATA, SCHEDULE, VALIDATOR, at, column, hex32, validatorScope, vobs } from './fixtures.ts';

const types = (actions: ValidatorAction[]) => actions.filter((a) => a.type !== 'explain').map((a) => a.type);
const notes = (actions: ValidatorAction[]) => actions.flatMap((a) => (a.type === 'explain' ? [a.note] : []));
const find = <T extends ValidatorAction['type']>(actions: ValidatorAction[], type: T) => actions.find((a) => a.type === type) as Extract<ValidatorAction, { type: T }> | undefined;
const step = (s: ValidatorState, o: ValidatorObservation) => validatorStep(s, o);
const noCommit = { commitment: `0x${'0'.repeat(64)}` as const, revealed: false };

const COLS = [column(0), column(1), column(2, { duplicate: true }), column(3)];
const SCORES = [0.912, 0.5, 0, 0.75];

function evaluated(s: ValidatorState, c: ColumnView, score: number, dataHash = EVAL_DATA, at = 1700n): ValidatorState {
  return validatorRecord(s, { type: 'evaluated', key: resultKey(c, dataHash), score, check: 'ok', reason: null, at }).state;
}

/** A joined validator that has evaluated every non-duplicate column of epoch 0. */
function allEvaluated(): ValidatorState {
  let s = initialValidatorState(validatorScope);
  COLS.forEach((c, i) => {
    if (!c.duplicate) s = evaluated(s, c, SCORES[i]!);
  });
  return s;
}

describe('validator machine: windows', () => {
  const cases: { name: string; now: bigint; expect: string[] }[] = [
    { name: 'review', now: 800n, expect: [] },
    { name: 'seal window', now: at(0, 100), expect: [] },
    { name: 'reveal window (pre-evaluation)', now: at(0, 550), expect: ['evaluate'] },
    { name: 'score commit window', now: at(0, 600), expect: ['evaluate'] },
    { name: 'score reveal window without a commitment', now: at(0, 900), expect: [] },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.expect.join(', ') || 'nothing to do'}`, () => {
      const r = step(initialValidatorState(validatorScope), vobs({ now: c.now, columns: { 0: COLS }, commits: { 0: noCommit } }));
      expect(types(r.actions)).toEqual(c.expect);
    });
  }

  it('reads columns only while they matter, and commitments of open epochs', () => {
    const s = initialValidatorState(validatorScope);
    expect(validatorReads(s, SCHEDULE, at(0, 100))).toEqual({ commits: [0], columns: [] });
    expect(validatorReads(s, SCHEDULE, at(0, 550))).toEqual({ commits: [0], columns: [0] });
    expect(validatorReads(s, SCHEDULE, at(3, 10))).toEqual({ commits: [3], columns: [3] });
    expect(validatorReads(s, SCHEDULE, at(4, 10))).toEqual({ commits: [], columns: [] });
  });

  it('a whole epoch: evaluate each model once, commit the packed scores, reveal them with the stored salt', () => {
    let s = initialValidatorState(validatorScope);
    const keys: string[] = [];
    // One evaluation at a time, in column order, skipping the duplicate.
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
      const busy = step(r.state, vobs({ now: at(0, 550 + i), columns: { 0: COLS }, commits: { 0: noCommit }, evaluating: ev!.key }));
      expect(types(busy.actions)).toEqual([]);
      const idx = COLS.findIndex((c) => c.submissionId === ev!.column.submissionId);
      s = evaluated(r.state, ev!.column, SCORES[idx]!);
    }
    expect(keys).toEqual([resultKey(COLS[0]!, EVAL_DATA), resultKey(COLS[1]!, EVAL_DATA), resultKey(COLS[3]!, EVAL_DATA)]);

    const entropy = hex32(0x5a17);
    let r = step(s, vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit }, entropy }));
    const commit = find(r.actions, 'commitScores')!;
    const units = [9120, 5000, 0, 7500];
    expect(commit).toEqual({ type: 'commitScores', epoch: 0, commitment: scoresCommitment(7n, 0n, VALIDATOR, packScores(units), entropy), scores: units, salt: entropy });
    expect(r.state.epochs[0]!.commit).toMatchObject({ scores: units, salt: entropy, status: 'prepared' });
    s = validatorRecord(r.state, { type: 'sent', action: 'commitScores', epoch: 0, txHash: hex32(1), at: at(0, 601) }).state;

    r = step(s, vobs({ now: at(0, 700), columns: { 0: COLS }, commits: { 0: { commitment: commit.commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.phase).toBe('committed');
    r = step(r.state, vobs({ now: at(0, 850), columns: { 0: COLS }, commits: { 0: { commitment: commit.commitment, revealed: false } } }));
    const reveal = find(r.actions, 'revealScores')!;
    expect(reveal).toEqual({ type: 'revealScores', epoch: 0, scores: units, words: packScores(units), salt: entropy });
    expect(unpackScores(reveal.words, 4)).toEqual(units);
    s = validatorRecord(r.state, { type: 'sent', action: 'revealScores', epoch: 0, txHash: hex32(2), at: at(0, 851) }).state;
    r = step(s, vobs({ now: at(0, 860), columns: { 0: COLS }, commits: { 0: { commitment: commit.commitment, revealed: true } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('revealed');
  });

  it('commits at once when every model was evaluated during the reveal window', () => {
    const r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual(['commitScores']);
  });

  it('an epoch without submissions: nothing to commit, explained', () => {
    const r = step(initialValidatorState(validatorScope), vobs({ now: at(1, 600), columns: { 1: [] }, commits: { 1: noCommit } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('no-columns');
    expect(notes(r.actions)[0]!.message).toMatch(/rolls over \(SPEC 4.6\)/);
  });

  it('a model resubmitted in a later epoch is not evaluated again', () => {
    const s = allEvaluated();
    const again = [column(10, { artifactHash: COLS[0]!.artifactHash, wmCommit: COLS[0]!.wmCommit })];
    const r = step(s, vobs({ now: at(1, 600), columns: { 1: again }, commits: { 1: noCommit } }));
    expect(types(r.actions)).toEqual(['commitScores']);
    expect(r.state.epochs[0]!.commit!.scores).toEqual([9120]);
  });

  it('the same artifact revealed with another wmCommit is evaluated on its own', () => {
    const s = allEvaluated();
    const forged = [column(11, { artifactHash: COLS[0]!.artifactHash, wmCommit: hex32(0x666) })];
    const r = step(s, vobs({ now: at(1, 600), columns: { 1: forged }, commits: { 1: noCommit } }));
    expect(types(r.actions)).toEqual(['evaluate']);
  });
});

describe('validator machine: failures and retries', () => {
  it('a fetch that keeps failing is retried with a pause, then scores 0 with the reason (SPEC 4.7)', () => {
    let s = initialValidatorState(validatorScope);
    const cols = [column(0)];
    const key = resultKey(cols[0]!, EVAL_DATA);
    let t = 600;
    for (let i = 1; i <= DEFAULT_VALIDATOR_CONFIG.maxEvalAttempts; i++) {
      const r = step(s, vobs({ now: at(0, t), columns: { 0: cols }, commits: { 0: noCommit } }));
      expect(types(r.actions)).toEqual(['evaluate']);
      s = validatorRecord(r.state, { type: 'evalFailed', key, epoch: 0, message: 'gateway timeout', at: at(0, t) }).state;
      if (i < DEFAULT_VALIDATOR_CONFIG.maxEvalAttempts) {
        expect(columnProgress(s, cols, EVAL_DATA, null)[0]).toMatchObject({ status: 'retrying', attempts: i, reason: 'gateway timeout' });
        // Not before the retry pause.
        expect(types(step(s, vobs({ now: at(0, t + 1), columns: { 0: cols }, commits: { 0: noCommit } })).actions)).toEqual([]);
      }
      t += DEFAULT_VALIDATOR_CONFIG.evalRetrySec;
    }
    expect(s.results[key]).toMatchObject({ score: 0, units: 0, check: 'missing' });
    expect(s.results[key]!.reason).toMatch(/in 3 attempts \(last: gateway timeout\)/);
    const r = step(s, vobs({ now: at(0, t), columns: { 0: cols }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual(['commitScores']);
    expect(r.state.epochs[0]!.commit!.scores).toEqual([0]);
  });

  it('scores out of range are refused', () => {
    const s = initialValidatorState(validatorScope);
    expect(() => validatorRecord(s, { type: 'evaluated', key: 'k', score: 1.5, check: 'ok', reason: null, at: 1n })).toThrow(/\[0, 1\]/);
    expect(() => validatorRecord(s, { type: 'evaluated', key: 'k', score: Number.NaN, check: 'ok', reason: null, at: 1n })).toThrow(/\[0, 1\]/);
  });

  it('evaluations unfinished at the commit deadline: no partial commitment, explained', () => {
    let s = evaluated(initialValidatorState(validatorScope), COLS[0]!, 0.9);
    s = step(s, vobs({ now: at(0, 840), columns: { 0: COLS }, commits: { 0: noCommit }, evaluating: resultKey(COLS[1]!, EVAL_DATA) })).state;
    const r = step(s, vobs({ now: at(0, 851), commits: { 0: noCommit }, evaluating: resultKey(COLS[1]!, EVAL_DATA) }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('missed-commit');
    expect(notes(r.actions)[0]!.message).toMatch(/only 2 of 4 submissions were evaluated in time; partial scores are not committed/);
  });

  it('resends a commitment the chain does not show only after the retry time; never when it does', () => {
    let r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    const commit = find(r.actions, 'commitScores')!;
    r = step(r.state, vobs({ now: at(0, 601), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, vobs({ now: at(0, 630), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(find(r.actions, 'commitScores')).toEqual(commit);
    for (const t of [660, 700, 849]) {
      r = step(r.state, vobs({ now: at(0, t), columns: { 0: COLS }, commits: { 0: { commitment: commit.commitment, revealed: false } } }));
      expect(types(r.actions)).toEqual([]);
    }
  });

  it('a commitment dropped by a reorganization is sent again, the same one', () => {
    let r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    const commit = find(r.actions, 'commitScores')!;
    r = step(r.state, vobs({ now: at(0, 610), columns: { 0: COLS }, commits: { 0: { commitment: commit.commitment, revealed: false } } }));
    r = step(r.state, vobs({ now: at(0, 611), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(r.state.epochs[0]!.commit!.status).toBe('prepared');
    r = step(r.state, vobs({ now: at(0, 640), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(find(r.actions, 'commitScores')).toEqual(commit);
  });

  it('a commitment the chain refuses for good is not repeated; retry sends it again', () => {
    let r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
    const commit = find(r.actions, 'commitScores')!;
    let s = validatorRecord(r.state, { type: 'failed', action: 'commitScores', epoch: 0, message: 'Your stake does not count in this epoch.', retryable: false, at: at(0, 601) }).state;
    r = step(s, vobs({ now: at(0, 700), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(types(r.actions)).toEqual([]);
    s = validatorCommand(r.state, { type: 'retry', epoch: 0 });
    r = step(s, vobs({ now: at(0, 701), columns: { 0: COLS }, commits: { 0: noCommit } }));
    expect(find(r.actions, 'commitScores')).toEqual(commit);
    s = validatorRecord(r.state, { type: 'failed', action: 'commitScores', epoch: 0, message: 'Refused.', retryable: false, at: at(0, 702) }).state;
    r = step(s, vobs({ now: at(0, 850), commits: { 0: noCommit } }));
    expect(notes(r.actions)[0]!.message).toBe('Epoch 0: no scores committed: it was refused: Refused. This epoch earns this validator nothing.');
  });

  it('a commitment it did not make is left alone', () => {
    const r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: { commitment: hex32(5), revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('foreign');
  });
});

describe('validator machine: crash between storing and sending, and missed windows', () => {
  function prepared() {
    const r = step(allEvaluated(), vobs({ now: at(0, 600), columns: { 0: COLS }, commits: { 0: noCommit } }));
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
    const r = step(stored, vobs({ now: at(0, 640), columns: { 0: COLS }, commits: { 0: noCommit } }));
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
    let r = step(stored, vobs({ now: at(0, 610), columns: { 0: COLS }, commits: { 0: { commitment, revealed: false } } }));
    r = step(r.state, vobs({ now: at(1, 550), columns: { 1: [column(5)] }, commits: { 0: { commitment, revealed: false }, 1: noCommit } }));
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

  it('waits for the final eval set, then scores on it', () => {
    let r = step(allEvaluated(), vobs({ now: at(3, 10), columns: { 3: finalCols }, commits: { 3: noCommit }, finalEval: { status: 'Pending', hash: null } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.phase).toBe('waiting-final-eval');
    expect(notes(r.actions)[0]!.key).toBe('final-eval-pending/3');
    r = step(r.state, vobs({ now: at(3, 20), columns: { 3: finalCols }, commits: { 3: noCommit }, finalEval: { status: 'Revealed', hash: FINAL_DATA } }));
    // The public-set scores do not count: the final set is another dataset.
    const ev = find(r.actions, 'evaluate')!;
    expect(ev).toMatchObject({ epoch: 3, dataHash: FINAL_DATA, key: resultKey(finalCols[0]!, FINAL_DATA) });
  });

  it('falls back to the public eval set when the creator did not reveal in time', () => {
    const r = step(allEvaluated(), vobs({ now: at(3, 150), columns: { 3: finalCols }, commits: { 3: noCommit }, finalEval: { status: 'Fallback', hash: null } }));
    expect(types(r.actions)).toEqual(['commitScores']);
    expect(r.state.epochs[0]!.commit!.scores).toEqual([9120, 7500]);
    expect(r.state.epochs[0]!.dataHash).toBe(EVAL_DATA);
  });

  it('the data hash per epoch', () => {
    const base = vobs({ now: 0n });
    expect(epochDataHash(base, 2)).toBe(EVAL_DATA);
    expect(epochDataHash(base, 3)).toBeNull();
    expect(epochDataHash({ ...base, chain: { ...base.chain, finalEval: { status: 'Revealed', hash: FINAL_DATA } } }, 3)).toBe(FINAL_DATA);
    expect(epochDataHash({ ...base, chain: { ...base.chain, finalEval: { status: 'Fallback', hash: null } } }, 3)).toBe(EVAL_DATA);
  });

  it('final phase windows: commit [0, 70%), reveal [70%, 100%)', () => {
    let r = step(allEvaluated(), vobs({ now: at(3, 0), columns: { 3: finalCols }, commits: { 3: noCommit }, finalEval: { status: 'Fallback', hash: null } }));
    const { commitment } = find(r.actions, 'commitScores')!;
    r = step(r.state, vobs({ now: at(3, 699), commits: { 3: { commitment, revealed: false } }, columns: { 3: finalCols }, finalEval: { status: 'Fallback', hash: null } }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, vobs({ now: at(3, 700), commits: { 3: { commitment, revealed: false } }, columns: { 3: finalCols }, finalEval: { status: 'Fallback', hash: null } }));
    expect(types(r.actions)).toEqual(['revealScores']);
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
    const trainer = step(initialValidatorState(validatorScope), vobs({ now: at(0, 600), role: 'Trainer', columns: { 0: COLS } }));
    expect(types(trainer.actions)).toEqual([]);
    expect(trainer.state.phase).toBe('wrong-role');
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
    const r = step(initialValidatorState(validatorScope), vobs({ now: at(0, 600), eligibleFrom: 1, columns: { 0: COLS } }));
    expect(types(r.actions)).toEqual([]);
    expect(notes(r.actions)[0]!.message).toBe('Epoch 0: your stake counts from epoch 1; scoring starts then.');
  });

  it('progress per model', () => {
    let s = evaluated(initialValidatorState(validatorScope), COLS[0]!, 0.9);
    s = validatorRecord(s, { type: 'evaluated', key: resultKey(COLS[3]!, EVAL_DATA), score: 0, check: 'watermark', reason: 'wmCommit mismatch', at: 1n }).state;
    const p = columnProgress(s, COLS, EVAL_DATA, resultKey(COLS[1]!, EVAL_DATA));
    expect(p.map((x) => [x.status, x.score])).toEqual([
      ['scored', 0.9],
      ['evaluating', null],
      ['zero', 0],
      ['zero', 0],
    ]);
    expect(p[3]!.reason).toBe('wmCommit mismatch');
    expect(structuredClone(s)).toEqual(s);
  });
});
