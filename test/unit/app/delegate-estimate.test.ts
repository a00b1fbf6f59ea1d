// The Delegate page's estimate: hand-computed cases of the reference reward math with a
// delegation added (docs/app/pages.md, Delegate), the bases it picks, and every "no estimate"
// reason.
import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  epochsLeftFor,
  estimateDelegation,
  type EstimateInput,
  type PoolStake,
} from '../../../src/lib/app-logic/delegate-estimate.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const a = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, '0')}`);
const pool = (account: Address, own: bigint, sigma: bigint, delegated = 0n, eligible = true): PoolStake => ({
  account,
  own,
  delegated,
  sigma,
  eligible,
});

// Revision 2: tolV = 1 and floor 0, so the hand-computed cases below keep every validator weighted and every trainer ranked; minValidators 1.
const params = {
  gamma: WAD / 2n,
  q: WAD / 2n,
  alphaT: WAD,
  alphaV: WAD,
  lambdaV: 20n * WAD,
  minScore: 0n,
  tolV: WAD,
  floorBps: 0,
  minValidators: 1,
};

function input(over: Partial<EstimateInput>): EstimateInput {
  return {
    rewardPerEpoch: T(1000),
    params,
    trainers: [pool(a(1), T(100), WAD / 5n)],
    validators: [pool(a(2), T(100), WAD / 5n)],
    lastScored: null,
    target: { account: a(2), role: 'validator' },
    amount: T(100),
    epochsLeft: 3,
    ...over,
  };
}

describe('delegation estimate', () => {
  it('a lone validator: its pool is R_V, the delegator gets (1 - sigma) of it pro rata', () => {
    // gamma = 0.5 splits R in half whatever the stakes: R_V = 500. The validator keeps
    // 500 (0.2 * 200 + 0.8 * 100) / 200 = 300; the delegator, the only one, gets 200.
    const e = estimateDelegation(input({}));
    expect(e).toEqual({
      kind: 'ok',
      basis: 'even',
      pool: T(500),
      perEpoch: T(200),
      epochs: 3,
      total: T(600),
      rateWad: 2n * WAD,
    });
  });

  it('shares the delegators’ part with the delegators already there, pro rata', () => {
    // Delegated 100 already: stake 300 with ours. Kept: 500 (0.2 * 300 + 0.8 * 100) / 300 = 233.33..;
    // delegators 266.66..; ours is half of it.
    const e = estimateDelegation(input({ validators: [pool(a(2), T(100), WAD / 5n, T(100))] }));
    if (e.kind !== 'ok') throw new Error(e.reason);
    const delegators = T(500) - (T(500) * ((WAD / 5n) * T(300) + ((4n * WAD) / 5n) * T(100))) / (WAD * T(300));
    expect(e.perEpoch).toBe((delegators * T(100)) / T(200));
  });

  it('replays the last scored epoch for a trainer: ranks from the scores, the delegation in the stake weight', () => {
    // Trainer A (100, score 0.9) outranks B (100 + our 100, score 0.5); q = 0.5:
    // u_A = 1 * 100, u_B = 0.5 * 200, so P_B = R_T / 2 = 250. sigma 0: B keeps 250 * 100 / 200 = 125.
    const e = estimateDelegation(
      input({
        trainers: [pool(a(1), T(100), 0n), pool(a(3), T(100), 0n)],
        validators: [pool(a(2), T(100), WAD / 5n)],
        lastScored: { epoch: 4, trainers: [a(1), a(3)], validators: [a(2)], scores: [[9000, 5000]] },
        target: { account: a(3), role: 'trainer' },
      }),
    );
    expect(e).toMatchObject({
      kind: 'ok',
      basis: 'last-epoch',
      basisEpoch: 4,
      pool: T(250),
      perEpoch: T(125),
      total: T(375),
    });
  });

  it('with no scored epoch, ranks are unknown: every rank weighs the same (q taken as 1)', () => {
    const e = estimateDelegation(
      input({ trainers: [pool(a(1), T(100), 0n), pool(a(3), T(100), 0n)], target: { account: a(3), role: 'trainer' } }),
    );
    // u = stake: P_B = 500 * 200 / 300.
    expect(e).toMatchObject({ kind: 'ok', basis: 'even', pool: (T(500) * 200n) / 300n });
  });

  it('leaves out participants that left and columns of trainers no longer there', () => {
    const e = estimateDelegation(
      input({
        trainers: [pool(a(3), T(100), 0n)],
        lastScored: {
          epoch: 1,
          trainers: [a(9), a(3)],
          validators: [a(8), a(2)],
          scores: [
            [1000, 2000],
            [9000, 5000],
          ],
        },
        target: { account: a(3), role: 'trainer' },
      }),
    );
    // One column, one validator row left: the lone trainer's pool is R_T.
    expect(e).toMatchObject({ kind: 'ok', basis: 'last-epoch', pool: T(500) });
  });

  it('says why there is no estimate', () => {
    const reason = (over: Partial<EstimateInput>) => {
      const e = estimateDelegation(input(over));
      return e.kind === 'none' ? e.reason : 'estimated';
    };
    expect(reason({ amount: 0n })).toMatch(/Type an amount/);
    expect(reason({ epochsLeft: 0 })).toMatch(/No scoring epoch is left/);
    expect(
      reason({
        trainers: [pool(a(1), T(100), 0n), pool(a(3), T(100), 0n)],
        lastScored: { epoch: 2, trainers: [a(1)], validators: [a(2)], scores: [[9000]] },
        target: { account: a(3), role: 'trainer' },
      }),
    ).toMatch(/did not submit in epoch 2/);
    expect(
      reason({
        validators: [pool(a(2), T(100), 0n), pool(a(4), T(100), 0n)],
        lastScored: { epoch: 2, trainers: [a(1)], validators: [a(4)], scores: [[9000]] },
      }),
    ).toMatch(/did not reveal scores in epoch 2/);
    expect(reason({ validators: [pool(a(2), T(100), 0n, 0n, false)] })).toMatch(/minimum/);
    expect(reason({ trainers: [], target: { account: a(2), role: 'validator' } })).toMatch(
      /at least one trainer and one validator/,
    );
  });

  it('revision 2: pays nothing below minValidators, and nothing to a trainer under the floor', () => {
    const e = estimateDelegation(input({ params: { ...params, minValidators: 2 } }));
    expect(e).toEqual({
      kind: 'none',
      reason:
        "An epoch pays nobody while fewer than 2 validators (the task's minimum) reveal scores: its reward rolls over. The task has 1.",
    });
    // B scored 0.4, under the default floor of 50 % of A's 0.9: it does not qualify and its pool earns 0.
    const under = estimateDelegation(
      input({
        params: { ...params, floorBps: 5000 },
        trainers: [pool(a(1), T(100), 0n), pool(a(3), T(100), 0n)],
        validators: [pool(a(2), T(100), WAD / 5n)],
        lastScored: { epoch: 4, trainers: [a(1), a(3)], validators: [a(2)], scores: [[9000, 4000]] },
        target: { account: a(3), role: 'trainer' },
      }),
    );
    expect(under).toMatchObject({ kind: 'ok', pool: 0n, perEpoch: 0n });
  });

  it('counts the scoring epochs a delegation made now still earns in', () => {
    const s: Schedule = {
      startTime: 1000n,
      reviewEnd: 900n,
      epochLength: 100,
      submissionEpochs: 3,
      finalEpochs: 1,
      challengeEpochs: 1,
      sealEnd: 5000,
      revealEnd: 6000,
      commitEnd: 8500,
      finalCommitEnd: 7000,
      rejected: false,
    };
    expect(epochsLeftFor(s, 500n)).toBe(4); // before the start: counts from epoch 0
    expect(epochsLeftFor(s, 1000n)).toBe(3); // in epoch 0: from epoch 1
    expect(epochsLeftFor(s, 1350n)).toBe(0); // in the final epoch: nothing left
    expect(epochsLeftFor({ ...s, rejected: true }, 500n)).toBe(0);
  });
});
