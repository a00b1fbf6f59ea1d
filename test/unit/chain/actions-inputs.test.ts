// What the actions check before touching the chain: bad input is refused with a plain message
// and nothing is sent (the context's clients throw if anything is called).
import { describe, expect, it } from 'vitest';
import type { ActionContext } from '../../../src/lib/chain/actions/context.ts';
import {
  ActionInputError,
  addStake,
  advanceTo,
  delegate,
  faucet,
  joinTask,
  NotLocalChainError,
  roleName,
  roleNumber,
  setSigma,
  splitSignature,
  taskDeposit,
} from '../../../src/lib/chain/actions/index.ts';
import type { Deployment } from '../../../src/lib/chain/deployments.ts';
import { TxError } from '../../../src/lib/chain/tx/errors.ts';

const A = '0x1111111111111111111111111111111111111111';
const untouchable = new Proxy({}, {
  get(_t, key) {
    if (key === 'then') return undefined;
    throw new Error(`the client was called (${String(key)}) before the input was checked`);
  },
});

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
    expect([noKey.field, noKey.message]).toEqual(['keyCommit', 'A trainer joins with the commitment of its watermark key.']);
    const zeroKey = await inputError(joinTask(ctx(), { taskId: 1n, role: 'trainer', amount: WAD, sigma: 0n, keyCommit: `0x${'0'.repeat(64)}` }));
    expect(zeroKey.field).toBe('keyCommit');
    // 2^256 - 1 and the field modulus itself: no Poseidon output, so no proof could use them.
    for (const keyCommit of [`0x${'f'.repeat(64)}`, '0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001'] as const) {
      const outside = await inputError(joinTask(ctx(), { taskId: 1n, role: 'trainer', amount: WAD, sigma: 0n, keyCommit }));
      expect([outside.field, outside.message]).toEqual(['keyCommit', 'The key commitment is not a Poseidon field element, so no ownership proof could ever use it; it was not made by this app.']);
    }
    const validatorKey = await inputError(joinTask(ctx(), { taskId: 1n, role: 'validator', amount: WAD, sigma: 0n, keyCommit: `0x${'1'.repeat(64)}` }));
    expect(validatorKey.message).toBe('A validator joins without a watermark key commitment.');
  });

  it('amounts must be positive and sigma a fraction', async () => {
    expect((await inputError(joinTask(ctx(), { taskId: 1n, role: 'validator', amount: 0n, sigma: 0n }))).message).toBe('amount must be more than zero.');
    expect((await inputError(joinTask(ctx(), { taskId: 1n, role: 'validator', amount: 1n, sigma: WAD + 1n }))).message).toBe(
      'sigma must be between 0 and 1 (0 and 1e18 in WAD).',
    );
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
    expect([roleNumber('trainer'), roleNumber('validator'), roleName(1), roleName(2), roleName(0)]).toEqual([1, 2, 'trainer', 'validator', undefined]);
  });
});
