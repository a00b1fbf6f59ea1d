// What the actions check before touching the chain: bad input is refused with a plain message
// and nothing is sent (the context's clients throw if anything is called).
import { describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/lib/chain/actions/context.ts';
import {
  ActionInputError,
  addStake,
  advanceTo,
  checkTaskParams,
  createTask,
  delegate,
  faucet,
  joinTask,
  NotLocalChainError,
  roleName,
  roleNumber,
  setSigma,
  sigmaEffectiveEpoch,
  splitSignature,
  taskDeposit,
  type TaskParamsInput,
} from '../../../src/lib/chain/actions/index.ts';
import {
  DEFAULT_EVAL_SUBSET_SIZE,
  DEFAULT_REWARD_PARAMS,
  DEFAULT_WINDOWS,
} from '../../../src/lib/chain/task-defaults.ts';
import { testSchedule } from './fixtures.ts';
import type { Deployment } from '../../../src/lib/chain/deployments.ts';
import { TxError } from '../../../src/lib/chain/tx/errors.ts';

const A = '0x1111111111111111111111111111111111111111';
const untouchable = new Proxy(
  {},
  {
    get(_t, key) {
      if (key === 'then') return undefined;
      throw new Error(`the client was called (${String(key)}) before the input was checked`);
    },
  },
);

function ctx(chainId = 31337): ActionContext {
  const deployment: Deployment = {
    chainId,
    deployer: A,
    fromBlock: 0n,
    contracts: { token: A, taskRegistry: A, stakeManager: A, submissionBook: A, rewardEngine: A },
    config: { rejectQuorum: 1n, minReviewPeriod: 1n, initialSupply: 0n, treasury: A },
  };
  return { publicClient: untouchable as never, wallet: { account: { address: A } } as never, deployment };
}

const WAD = 10n ** 18n;

async function inputError(run: Promise<unknown>): Promise<ActionInputError> {
  const e = await run.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ActionInputError);
  return e as ActionInputError;
}

describe('action inputs', () => {
  it('a trainer joins with a key commitment, a validator without one', async () => {
    const noKey = await inputError(joinTask(ctx(), { taskId: 1n, role: 'trainer', amount: WAD, sigma: 0n }));
    expect([noKey.field, noKey.message]).toEqual([
      'keyCommit',
      'A trainer joins with the commitment of its watermark key.',
    ]);
    const zeroKey = await inputError(
      joinTask(ctx(), { taskId: 1n, role: 'trainer', amount: WAD, sigma: 0n, keyCommit: `0x${'0'.repeat(64)}` }),
    );
    expect(zeroKey.field).toBe('keyCommit');
    // 2^256 - 1 and the field modulus itself: no Poseidon output, so no proof could use them.
    for (const keyCommit of [
      `0x${'f'.repeat(64)}`,
      '0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001',
    ] as const) {
      const outside = await inputError(
        joinTask(ctx(), { taskId: 1n, role: 'trainer', amount: WAD, sigma: 0n, keyCommit }),
      );
      expect([outside.field, outside.message]).toEqual([
        'keyCommit',
        'The key commitment is not a Poseidon field element, so no ownership proof could ever use it; it was not made by this app.',
      ]);
    }
    const validatorKey = await inputError(
      joinTask(ctx(), { taskId: 1n, role: 'validator', amount: WAD, sigma: 0n, keyCommit: `0x${'1'.repeat(64)}` }),
    );
    expect(validatorKey.message).toBe('A validator joins without a watermark key commitment.');
  });

  it('amounts must be positive and sigma a fraction', async () => {
    expect((await inputError(joinTask(ctx(), { taskId: 1n, role: 'validator', amount: 0n, sigma: 0n }))).message).toBe(
      'amount must be more than zero.',
    );
    expect(
      (await inputError(joinTask(ctx(), { taskId: 1n, role: 'validator', amount: 1n, sigma: WAD + 1n }))).message,
    ).toBe('sigma must be between 0 and 1 (0 and 1e18 in WAD).');
    await inputError(setSigma(ctx(), { taskId: 1n, sigma: -1n }));
    await inputError(addStake(ctx(), { taskId: 1n, amount: -5n }));
    await inputError(delegate(ctx(), { taskId: 1n, delegatee: A, amount: 0n }));
  });

  it('the faucet and the clock exist only on a local chain', async () => {
    const e = await faucet(ctx(1), { amount: 1n }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TxError);
    expect((e as TxError).message).toBe('The faucet exists only on a local development chain.');
    const clock = { setNextBlockTimestamp: untouchable as never, mine: untouchable as never };
    const t = await advanceTo(ctx(8453), clock, 10n).catch((x: unknown) => x);
    expect(t).toBeInstanceOf(NotLocalChainError);
    expect((t as Error).message).toBe('Moving the clock works only on a local development chain; this is chain 8453.');
  });
});

describe('revision 2 parameters and rules', () => {
  const params: TaskParamsInput = {
    modelSpec: `0x${'01'.repeat(32)}`,
    trainData: `0x${'02'.repeat(32)}`,
    evalData: `0x${'03'.repeat(32)}`,
    finalEvalCommit: `0x${'04'.repeat(32)}`,
    startTime: 1_000n,
    epochLength: 600,
    reviewPeriod: 60,
    submissionEpochs: 3,
    finalEpochs: 1,
    challengeEpochs: 1,
    ...DEFAULT_WINDOWS,
    rewardPerEpoch: WAD,
    reward: { ...DEFAULT_REWARD_PARAMS },
    stakeRules: {
      minTrainerStake: WAD,
      minValidatorStake: WAD,
      maxTrainers: 256,
      maxValidators: 512,
      sigmaCooldown: 1,
    },
    challenge: { bond: WAD, responseTime: 60, slashBps: 0, disputeTime: 60, voteTime: 60, juryBps: 1000 },
    evalSubsetSize: DEFAULT_EVAL_SUBSET_SIZE,
  };

  it("createTask refuses parameters outside the registry's ranges before touching the chain, naming the field", async () => {
    expect(() => checkTaskParams(params)).not.toThrow();
    const cases: [Partial<TaskParamsInput>, string, string][] = [
      [
        { reward: { ...params.reward, minScore: WAD } },
        'reward.minScore',
        'reward.minScore must be from 0 up to, not including, 1; it is 1.',
      ],
      [
        { reward: { ...params.reward, tolV: -1n } },
        'reward.tolV',
        'reward.tolV must be between 0 and 1; it is -0.000000000000000001.',
      ],
      [{ reward: { ...params.reward, floorBps: 1.5 } }, 'reward.floorBps', 'reward.floorBps must be a whole number.'],
      [
        { reward: { ...params.reward, minValidators: 513 } },
        'reward.minValidators',
        'reward.minValidators must be between 1 and 512; it is 513.',
      ],
      [
        { stakeRules: { ...params.stakeRules, maxValidators: 2 } },
        'reward.minValidators',
        'reward.minValidators is 3 but the task admits at most 2 validators: every epoch would roll over.',
      ],
      [
        { reward: { ...params.reward, gamma: WAD + 1n } },
        'reward.gamma',
        'reward.gamma must be between 0 and 1; it is 1.000000000000000001.',
      ],
      [{ evalSubsetSize: 0 }, 'evalSubsetSize', 'evalSubsetSize must be a whole number of samples from 1; it is 0.'],
      [
        { challenge: { ...params.challenge, bond: 0n } },
        'challenge.bond',
        'The challenge bond must be at least 1 token (a free challenge costs nothing to open against every submission); it is 0 ARENA.',
      ],
      [
        { challenge: { ...params.challenge, disputeTime: 0 } },
        'challenge.disputeTime',
        'challenge.disputeTime must be at least 1 second (a validator must be able to name a segment); it is 0.',
      ],
      [
        { challenge: { ...params.challenge, voteTime: 1 } },
        'challenge.voteTime',
        'challenge.voteTime must be at least 2 seconds (verdicts are committed in its first half and revealed in its second); it is 1.',
      ],
      [
        { challenge: { ...params.challenge, juryBps: 10_001 } },
        'challenge.juryBps',
        'challenge.juryBps must be between 0% and 100%; it is 10001 bps.',
      ],
      [
        { challenge: { ...params.challenge, responseTime: 0 } },
        'challenge.responseTime',
        'challenge.responseTime must be at least 1 second (the accused must be able to answer); it is 0.',
      ],
    ];
    for (const [change, field, message] of cases) {
      const e = await inputError(createTask(ctx(), { ...params, ...change }));
      expect([e.field, e.message]).toEqual([field, message]);
    }
  });

  it('a sigma increase applies one epoch later than a decrease', () => {
    const s = testSchedule({ startTime: 1000n, reviewEnd: 900n, epochLength: 100 });
    // Before the start the next epoch is 0; in epoch 1 it is 2.
    expect([
      sigmaEffectiveEpoch(s, 950n, WAD / 2n, WAD / 4n),
      sigmaEffectiveEpoch(s, 950n, WAD / 2n, WAD / 2n),
      sigmaEffectiveEpoch(s, 950n, WAD / 4n, WAD / 2n),
    ]).toEqual([0, 0, 1]);
    expect([sigmaEffectiveEpoch(s, 1150n, WAD / 2n, 0n), sigmaEffectiveEpoch(s, 1150n, 0n, 1n)]).toEqual([2, 3]);
  });
});

describe('permit signatures and task parameters', () => {
  it('splits a 65-byte signature into r, s and v (27/28 whether the wallet gives v or yParity)', () => {
    const r = 'a'.repeat(64);
    const s = 'b'.repeat(64);
    expect(splitSignature(`0x${r}${s}1b`)).toEqual({ r: `0x${r}`, s: `0x${s}`, v: 27 });
    expect(splitSignature(`0x${r}${s}01`)).toEqual({ r: `0x${r}`, s: `0x${s}`, v: 28 });
    expect(() => splitSignature('0x1234')).toThrow('not a 65-byte signature');
  });

  it('the deposit is the reward of every scoring epoch', () => {
    expect(taskDeposit({ rewardPerEpoch: 7n * WAD, submissionEpochs: 3, finalEpochs: 2 })).toBe(35n * WAD);
    expect([roleNumber('trainer'), roleNumber('validator'), roleName(1), roleName(2), roleName(0)]).toEqual([
      1,
      2,
      'trainer',
      'validator',
      undefined,
    ]);
  });
});
