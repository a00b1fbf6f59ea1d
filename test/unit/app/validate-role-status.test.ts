// The role pages' status line against the epoch lines (issue 10, 1.2): a step is said done only
// once the chain holds it, and a commitment that was refused or never landed reads the same in
// the status, the epoch status and the scores' label.
import { getAddress, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  initialTrainerState,
  initialValidatorState,
  type ValidatorEpochRecord,
  type ValidatorState,
} from '../../../src/lib/agents/index.ts';
import type { ScoreCommitRecord } from '../../../src/lib/agents/validator/machine.ts';
import {
  commitStanding,
  committedScoresLabel,
  trainerStatus,
  validatorStatus,
} from '../../../src/lib/app-logic/role-status.ts';
import { epochViews } from '../../../src/app/pages/validate/validate-view.ts';
import { schedule } from './support/schedule.ts';
import { SEEDED_START } from '../../../src/lib/chain/transcript-commit.ts';

const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as Hex;
const scope = { chainId: 31337, registry: addr(0xf0), taskId: 1n, account: addr(0xa1), role: 'validator' as const };

const commit = (over: Partial<ScoreCommitRecord> = {}): ScoreCommitRecord => ({
  scores: [9800],
  words: [1n],
  salt: h(1),
  commitment: h(2),
  status: 'prepared',
  preparedAt: 10_610n,
  sentAt: 10_610n,
  sends: 1,
  revealSentAt: null,
  reveals: 0,
  halted: null,
  ...over,
});

function withCommit(
  phase: ValidatorState['phase'],
  c: ScoreCommitRecord,
  outcome: ValidatorEpochRecord['outcome'] = 'open',
): ValidatorState {
  const s = initialValidatorState(scope);
  s.phase = phase;
  s.epochs.push({
    epoch: 0,
    outcome,
    dataHash: h(0xeeee),
    columns: [],
    seed: h(0x5eed),
    seedDraw: null,
    scoringAt: null,
    commit: c,
  });
  return s;
}

const view = (s: ValidatorState, now: bigint) =>
  epochViews({ state: s, schedule, now, evaluating: null, stages: {}, failures: {}, subsetSize: 100 })[0]!;

describe('validatorStatus', () => {
  it('says "committing" while the commitment is sent and not on chain, and names the scores so', () => {
    const s = withCommit('committed', commit());
    expect(validatorStatus(s)).toEqual({
      text: 'Epoch 0: committing scores. The transaction is sent and not on chain yet.',
      tone: 'active',
    });
    const v = view(s, 10_620n);
    expect(v.status).toBe('committing scores…');
    expect(v.committed).toBeNull();
    expect(v.scores).toEqual({
      label: 'Scores being committed (sent, not on chain yet)',
      standing: 'sending',
      values: [9800],
    });
  });

  it('says "committed" once the chain holds it', () => {
    const s = withCommit('committed', commit({ status: 'committed' }));
    expect(validatorStatus(s).text).toBe(
      'Scores committed; they are revealed in the score reveal window by themselves.',
    );
    expect(view(s, 10_700n)).toMatchObject({
      committed: [9800],
      scores: { label: 'Committed scores', standing: 'committed' },
    });
  });

  it('reads a late commitment the same everywhere: not committed (the reported contradiction)', () => {
    // The machine still labels the phase 'committed'; the record says the commitment was lost.
    const s = withCommit(
      'committed',
      commit({ halted: 'the chain refused it: the score commit window is closed' }),
      'commit-lost',
    );
    expect(validatorStatus(s)).toEqual({
      text: 'Epoch 0: no scores committed. The commitment did not land before the commit window closed, so this epoch earns this validator nothing.',
      tone: 'warn',
    });
    const v = view(s, 10_900n);
    expect(v.status).toBe('missed: the commitment did not land');
    expect(v.committed).toBeNull();
    expect(v.scores).toEqual({ label: 'Scores prepared but not committed', standing: 'lost', values: [9800] });
    for (const text of [validatorStatus(s).text, v.status, v.scores!.label])
      expect(text).not.toMatch(/^Scores committed|^Committed scores/);
  });

  it('says a refusal before the window closed, and a revealed or unrevealed commitment', () => {
    expect(validatorStatus(withCommit('committed', commit({ halted: 'insufficient funds for gas' }))).text).toBe(
      'Epoch 0: the score commitment was refused: insufficient funds for gas. Nothing is committed.',
    );
    expect(validatorStatus(withCommit('revealed', commit({ status: 'revealed' })))).toEqual({
      text: 'Scores revealed for this epoch.',
      tone: 'ok',
    });
    expect(validatorStatus(withCommit('waiting', commit({ status: 'committed' }), 'missed-reveal')).text).toBe(
      'Staked. Submissions are evaluated as soon as they are revealed.',
    );
  });
});

describe('commitStanding and committedScoresLabel', () => {
  const rec = (
    c: ScoreCommitRecord | null,
    outcome: ValidatorEpochRecord['outcome'] = 'open',
  ): ValidatorEpochRecord => ({
    epoch: 0,
    outcome,
    dataHash: null,
    columns: null,
    seed: null,
    seedDraw: null,
    scoringAt: null,
    commit: c,
  });
  it('names each standing once', () => {
    expect(commitStanding(rec(null))).toBeNull();
    expect(commitStanding(rec(commit()))).toBe('sending');
    expect(commitStanding(rec(commit({ halted: 'x' })))).toBe('refused');
    expect(commitStanding(rec(commit(), 'commit-lost'))).toBe('lost');
    expect(commitStanding(rec(commit({ status: 'committed' }), 'missed-reveal'))).toBe('not-revealed');
    expect(commitStanding(rec(commit({ status: 'revealed' }), 'revealed'))).toBe('revealed');
    expect(commitStanding(rec(commit(), 'foreign'))).toBe('foreign');
    expect(committedScoresLabel('refused')).toBe('Scores prepared but not committed');
    expect(committedScoresLabel('revealed')).toBe('Committed and revealed scores');
    expect(committedScoresLabel('foreign')).toBeNull();
  });
});

describe('trainerStatus', () => {
  const tscope = { ...scope, role: 'trainer' as const };
  it('says "sealing" until the chain holds the seal, then "Sealed"', () => {
    const s = initialTrainerState(tscope);
    s.phase = 'sealed';
    const seal = {
      artifactHash: h(0xabc),
      wmCommit: h(2),
      transcript: { trajRoot: h(0x7a), segments: 8, startRoot: SEEDED_START, startLeaf: 0 },
      salt: h(3),
      commitment: h(4),
      status: 'prepared' as const,
      preparedAt: 10_010n,
      sentAt: 10_010n,
      sends: 1,
      cid: null,
      uploadAt: null,
      revealSentAt: null,
      reveals: 0,
      halted: null,
    };
    s.epochs.push({ epoch: 0, outcome: 'open', seal });
    expect(trainerStatus(s)).toEqual({
      text: 'Epoch 0: sealing. The seal transaction is sent and not on chain yet.',
      tone: 'active',
    });
    s.epochs[0]!.seal = { ...seal, halted: 'the seal window is closed' };
    expect(trainerStatus(s).text).toBe('Epoch 0: the seal was refused: the seal window is closed. Nothing is sealed.');
    s.epochs[0]!.seal = { ...seal, status: 'sealed' };
    expect(trainerStatus(s).text).toBe(
      'Sealed. The model will be uploaded and revealed in the reveal window by itself.',
    );
  });
});
