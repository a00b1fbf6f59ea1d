// The join form's decisions (issue 10, 1.1 and 1.8, and the Max button): when staking is closed
// and why, where a requested stake stands from the agent's notes, and what the confirmation says.
import { describe, expect, it } from 'vitest';
import { getAddress } from 'viem';
import { initialTrainerState, trainerCommand, type Note } from '../../../src/lib/agents/index.ts';
import { maxAmountText } from '../../../src/lib/app-logic/amount.ts';
import { joinStatus, stakeFacts, stakingClosedReason } from '../../../src/lib/app-logic/role-stake.ts';
import { schedule } from './support/schedule.ts';

const WAD = 10n ** 18n;
const note = (key: string, message: string, level: Note['level'] = 'error', at = 10_000n): Note => ({
  key,
  at,
  epoch: null,
  level,
  message,
});

describe('stakingClosedReason', () => {
  it('is open while a stake would still count in one of the role’s epochs (StakeManager._requireStakingOpen)', () => {
    expect(stakingClosedReason('trainer', schedule, 9_500n)).toBeNull();
    // In epoch 0 a stake counts from epoch 1, the last submission epoch.
    expect(stakingClosedReason('trainer', schedule, 10_999n)).toBeNull();
    expect(stakingClosedReason('validator', schedule, 11_500n)).toBeNull();
  });

  it('says a trainer stake in the last submission epoch would first count after it', () => {
    expect(stakingClosedReason('trainer', schedule, 11_000n)).toBe(
      "Trainer staking is closed: a stake sent now would first count in epoch 2, after the task's last submission epoch (epoch 1).",
    );
  });

  it('keeps validators open through the final phase’s epochs but the last', () => {
    expect(stakingClosedReason('validator', schedule, 12_000n)).toBe(
      "Validator staking is closed: a stake sent now would first count in epoch 3, after the task's last scoring epoch (epoch 2).",
    );
  });

  it('says the task is over, or rejected', () => {
    expect(stakingClosedReason('trainer', schedule, 14_000n)).toBe(
      'The task is over: no trainer can join it any more.',
    );
    expect(stakingClosedReason('validator', { ...schedule, rejected: true }, 9_500n)).toMatch(
      /^The task was rejected in review/,
    );
  });
});

describe('joinStatus', () => {
  const base = { role: 'trainer' as const, schedule, now: 10_100n };

  it('is idle with nothing asked, and pending while the agent holds the request', () => {
    expect(joinStatus({ ...base, join: null, notes: [], askedWith: null })).toEqual({ kind: 'idle' });
    expect(joinStatus({ ...base, join: { amount: 10n * WAD }, notes: [], askedWith: new Set() })).toEqual({
      kind: 'pending',
      amount: 10n * WAD,
      warning: null,
    });
  });

  it('shows a retried failure while pending, but not one from before the request', () => {
    const old = note('failed/join/-/old', 'join failed: old.', 'warn');
    const fresh = note('failed/join/-/rpc down', 'join failed: rpc down. It will be tried again.', 'warn');
    expect(joinStatus({ ...base, join: { amount: WAD }, notes: [old, fresh], askedWith: new Set([old.key]) })).toEqual({
      kind: 'pending',
      amount: WAD,
      warning: fresh.message,
    });
    expect(joinStatus({ ...base, join: { amount: WAD }, notes: [old], askedWith: new Set([old.key]) })).toMatchObject({
      warning: null,
    });
  });

  it('turns a request the agent can never send (staking closed meanwhile) into a refusal with a way out', () => {
    const s = joinStatus({
      ...base,
      now: 11_200n,
      join: { amount: WAD },
      notes: [note('staking-closed', 'Trainer staking is closed.')],
      askedWith: new Set(),
    });
    expect(s).toEqual({
      kind: 'refused',
      cancel: true,
      text: "Trainer staking is closed: a stake sent now would first count in epoch 2, after the task's last submission epoch (epoch 1). Nothing was sent.",
    });
  });

  it('says why a request that disappeared without a stake was refused, the same refusal twice included', () => {
    const refused = note('failed/join/-/insufficient allowance', 'join failed: the token allowance is too low.');
    expect(joinStatus({ ...base, join: null, notes: [refused], askedWith: new Set() })).toEqual({
      kind: 'refused',
      cancel: false,
      text: refused.message,
    });
    // The agent keeps one note per key: a second identical refusal adds none, and is still said.
    expect(joinStatus({ ...base, join: null, notes: [refused], askedWith: new Set([refused.key]) })).toEqual({
      kind: 'refused',
      cancel: false,
      text: refused.message,
    });
    expect(
      joinStatus({
        ...base,
        join: null,
        notes: [note('join-below-minimum/1', 'A trainer joins this task with at least 10 ARENA.')],
        askedWith: new Set(),
      }),
    ).toMatchObject({
      text: 'A trainer joins this task with at least 10 ARENA.',
    });
  });
});

describe('stakeFacts', () => {
  it('names the amount, the role, the first epoch it counts in, the lock until the end and the fee', () => {
    expect(
      stakeFacts({
        role: 'validator',
        amount: 12_500_000_000_000_000_000n,
        sigma: WAD / 4n,
        schedule,
        now: 10_500n,
        fee: 'about 0.0002 ETH (estimated, 226,817 gas)',
      }),
    ).toEqual([
      { label: 'Stake', value: '12.5 ARENA' },
      { label: 'As', value: 'validator' },
      { label: 'Own reward share (σ)', value: '25 %' },
      { label: 'Counts from', value: 'epoch 1' },
      { label: 'Locked', value: 'until the task ends, in about 58 min 20 s; then you withdraw it' },
      { label: 'Network fee', value: 'about 0.0002 ETH (estimated, 226,817 gas)' },
    ]);
  });
});

describe('maxAmountText', () => {
  it('fills the whole balance as the field would show it, and nothing while the balance is unknown', () => {
    expect(maxAmountText(1_234_500_000_000_000_000_000n)).toBe('1234.5');
    expect(maxAmountText(0n)).toBe('0');
    expect(maxAmountText(5n * WAD, 2n * WAD)).toBe('3');
    expect(maxAmountText(WAD, 2n * WAD)).toBe('0');
    expect(maxAmountText(null)).toBeNull();
  });
});

describe('withdrawing a join request the agent cannot send', () => {
  it('clears the trainer’s request, as the validator’s cancelJoin does', () => {
    const scope = {
      chainId: 31337,
      registry: getAddress('0x00000000000000000000000000000000000000f0'),
      taskId: 1n,
      account: getAddress('0x00000000000000000000000000000000000000a1'),
      role: 'trainer' as const,
    };
    const asked = trainerCommand(initialTrainerState(scope), { type: 'join', amount: WAD, sigma: WAD / 2n });
    expect(asked.join).toMatchObject({ amount: WAD });
    expect(trainerCommand(asked, { type: 'cancelJoin' }).join).toBeNull();
  });
});
