// The revision 2 rules as the chain client's actions meet them on a real anvil: the new task
// parameters and their ranges (checked before signing, and the same as the registry's), a join
// below the role's minimum, the per-epoch evaluation seed (including two validators drawing in
// one block), sigma increases applying one epoch later than decreases, and objections locked for
// the whole review period even after a rejection (SPEC 2.1, 2.2, 3, 4).
import type { Abi, Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fund } from '../../scripts/lib/actions.ts';
import {
  arenaTokenAbi,
  stakeManagerAbi,
  submissionBookAbi,
  taskRegistryAbi,
} from '../../src/lib/chain/abi.generated.ts';
import {
  ActionInputError,
  advanceTo,
  advanceToWindow,
  createTask,
  drawEvalSeed,
  faucet,
  joinTask,
  objectToTask,
  readEvalSeed,
  readLogs,
  readMinStake,
  readObjection,
  readSchedule,
  readTaskView,
  setSigma,
  sigmaEffectiveEpoch,
  withdrawObjection,
  type ActionContext,
  type TaskParamsInput,
} from '../../src/lib/chain/actions/index.ts';
import { DEFAULT_REWARD_PARAMS } from '../../src/lib/chain/task-defaults.ts';
import { toTxError } from '../../src/lib/chain/tx/decode.ts';
import {
  fieldKey,
  oneEpochTaskParams,
  startArenaEnv,
  tokenBalance,
  type ArenaEnv,
} from './support/chain-actions-env.ts';

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const QUORUM = T(100);

/** The custom error `call` from `from` reverts with, by simulating it (a reverting transaction cannot even be sent under the gas cap). */
async function revertOf(
  env: ArenaEnv,
  from: Address,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
): Promise<string | undefined> {
  const e = await env.driver.client.simulateContract({ account: from, ...call } as never).then(
    () => null,
    (x: unknown) => x,
  );
  if (e === null) return 'no revert';
  const decoded = toTxError(e);
  return decoded.errorName === undefined
    ? decoded.message
    : `${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`;
}

async function refused(run: Promise<unknown>): Promise<ActionInputError> {
  const e = await run.catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ActionInputError);
  return e as ActionInputError;
}

describe('chain actions: revision 2 rules on anvil', () => {
  let env: ArenaEnv;
  let creator: ActionContext,
    trainer: ActionContext,
    validatorA: ActionContext,
    validatorB: ActionContext,
    objector: ActionContext;
  let taskId: bigint;
  let params: TaskParamsInput;
  const nonce = (ctx: ActionContext) => ctx.publicClient.getTransactionCount({ address: ctx.wallet.account.address });

  beforeAll(async () => {
    env = await startArenaEnv({ rejectQuorum: QUORUM });
    [creator, trainer, validatorA, validatorB, objector] = (await Promise.all(
      [1, 2, 3, 4, 5].map((i) => env.as(i)),
    )) as ActionContext[] as [ActionContext, ActionContext, ActionContext, ActionContext, ActionContext];
    for (const ctx of [creator, trainer, validatorA, validatorB, objector]) await faucet(ctx, { amount: T(10_000) });
  }, 120_000);
  afterAll(() => env?.stop());

  it('creates a task with the revision 2 parameters; out-of-range ones are refused by field before anything is signed', async () => {
    const now = (await creator.publicClient.getBlock()).timestamp;
    params = oneEpochTaskParams(now + 60n, {
      submissionEpochs: 3,
      reward: { ...DEFAULT_REWARD_PARAMS, minScore: WAD / 10n, tolV: WAD / 100n, floorBps: 6_000, minValidators: 2 },
      stakeRules: {
        minTrainerStake: T(10),
        minValidatorStake: T(20),
        maxTrainers: 16,
        maxValidators: 16,
        sigmaCooldown: 1,
      },
      evalSubsetSize: 128,
    });
    const bad: [string, TaskParamsInput, RegExp][] = [
      [
        'reward.minScore',
        { ...params, reward: { ...params.reward, minScore: WAD } },
        /^reward\.minScore must be from 0 up to, not including, 1; it is 1\.$/,
      ],
      [
        'reward.tolV',
        { ...params, reward: { ...params.reward, tolV: WAD + 1n } },
        /^reward\.tolV must be between 0 and 1; it is 1\.000000000000000001\.$/,
      ],
      [
        'reward.floorBps',
        { ...params, reward: { ...params.reward, floorBps: 10_001 } },
        /^reward\.floorBps must be between 0% and 100%; it is 100\.01%\.$/,
      ],
      [
        'reward.minValidators',
        { ...params, reward: { ...params.reward, minValidators: 0 } },
        /^reward\.minValidators must be between 1 and 512; it is 0\.$/,
      ],
      [
        'reward.minValidators',
        { ...params, reward: { ...params.reward, minValidators: 17 } },
        /admits at most 16 validators: every epoch would roll over/,
      ],
      [
        'evalSubsetSize',
        { ...params, evalSubsetSize: 0 },
        /^evalSubsetSize must be a whole number of samples from 1; it is 0\.$/,
      ],
      [
        'challenge.bond',
        { ...params, challenge: { ...params.challenge, bond: WAD - 1n } },
        /^The challenge bond must be at least 1 token/,
      ],
    ];
    const before = await nonce(creator);
    for (const [field, p, message] of bad) {
      const e = await refused(createTask(creator, p));
      expect([e.field, e.message]).toEqual([field, expect.stringMatching(message)]);
    }
    expect(await nonce(creator)).toBe(before);

    taskId = (await createTask(creator, params)).taskId;
    const view = await readTaskView(creator, taskId);
    expect(view.reward).toEqual(params.reward);
    expect(view.evalSubsetSize).toBe(128);
  });

  it("the ranges are the registry's: the edges pass, one step outside reverts on chain", async () => {
    const d = env.driver;
    const who = '0x00000000000000000000000000000000000a11ce' as Address;
    await fund(d, who);
    const now = await d.now();
    const edge = oneEpochTaskParams(now + 60n, {
      reward: { ...DEFAULT_REWARD_PARAMS, minScore: WAD - 1n, tolV: WAD, floorBps: 10_000, minValidators: 16 },
      evalSubsetSize: 1,
      challenge: { bond: WAD, responseTime: 60, slashBps: 0, disputeTime: 60, voteTime: 60, juryBps: 0 },
    });
    await createTask(creator, { ...edge, startTime: now + 100n });
    const outside: [TaskParamsInput, string][] = [
      [{ ...edge, reward: { ...edge.reward, minScore: WAD } }, 'InvalidRewardParams'],
      [{ ...edge, reward: { ...edge.reward, tolV: WAD + 1n } }, 'InvalidRewardParams'],
      [{ ...edge, reward: { ...edge.reward, floorBps: 10_001 } }, 'InvalidRewardParams'],
      [{ ...edge, reward: { ...edge.reward, minValidators: 0 } }, 'InvalidRewardParams'],
      [{ ...edge, evalSubsetSize: 0 }, 'InvalidSchedule'],
      [{ ...edge, challenge: { ...edge.challenge, bond: WAD - 1n } }, 'InvalidChallengeParams'],
    ];
    const registry = {
      address: env.deployment.contracts.taskRegistry,
      abi: taskRegistryAbi as Abi,
      functionName: 'createTask',
    };
    expect(await revertOf(env, who, { ...registry, args: [edge] })).toBe('no revert');
    for (const [p, error] of outside) expect(await revertOf(env, who, { ...registry, args: [p] })).toBe(`${error}()`);
  });

  it("a join below the role's minimum is refused before sending, naming it; the minimum itself joins", async () => {
    expect(await readMinStake(creator, { taskId, role: 'trainer' })).toBe(T(10));
    expect(await readMinStake(creator, { taskId, role: 'validator' })).toBe(T(20));
    const before = await nonce(validatorA);
    const low = await refused(joinTask(validatorA, { taskId, role: 'validator', amount: T(19), sigma: WAD / 2n }));
    expect([low.field, low.message]).toEqual([
      'amount',
      `A validator joins task ${taskId} with at least 20 ARENA (the task's minimum validator stake); 19 ARENA is below it.`,
    ]);
    const lowTrainer = await refused(
      joinTask(trainer, { taskId, role: 'trainer', amount: T(1), sigma: 0n, keyCommit: fieldKey('k') }),
    );
    expect(lowTrainer.message).toMatch(
      /at least 10 ARENA \(the task's minimum trainer stake\); 1 ARENA is below it\.$/,
    );
    expect(await nonce(validatorA)).toBe(before);
    await joinTask(validatorA, { taskId, role: 'validator', amount: T(20), sigma: WAD / 2n });
    await joinTask(validatorB, { taskId, role: 'validator', amount: T(25), sigma: WAD / 2n });
    await joinTask(trainer, {
      taskId,
      role: 'trainer',
      amount: T(10),
      sigma: WAD / 5n,
      keyCommit: fieldKey(`key/${trainer.wallet.account.address}`),
    });
    // The chain refuses it on its own too (StakeManager.join: StakeBelowMinimum, slot squatting).
    const dust = objector.wallet.account.address;
    await env.driver.send(dust, {
      address: env.deployment.contracts.token,
      abi: arenaTokenAbi,
      functionName: 'approve',
      args: [env.deployment.contracts.stakeManager, T(1)],
    });
    const join = { address: env.deployment.contracts.stakeManager, abi: stakeManagerAbi as Abi, functionName: 'join' };
    expect(await revertOf(env, dust, { ...join, args: [taskId, 2, T(1), 0n, `0x${'0'.repeat(64)}`] })).toBe(
      `StakeBelowMinimum(${T(20)})`,
    );
  });

  it('sigma: a decrease applies from the next epoch, an increase only from the epoch after next', async () => {
    const schedule = await readSchedule(creator, taskId);
    const now = (await creator.publicClient.getBlock()).timestamp;
    // Before the start "the next epoch" is epoch 0.
    const down = await setSigma(validatorA, { taskId, sigma: WAD / 4n });
    expect([down.effectiveEpoch, down.increase]).toEqual([0n, false]);
    const up = await setSigma(trainer, { taskId, sigma: WAD / 2n });
    expect([up.effectiveEpoch, up.increase]).toEqual([1n, true]);
    expect(sigmaEffectiveEpoch(schedule, now, WAD / 5n, WAD / 2n)).toBe(1);
    expect(sigmaEffectiveEpoch(schedule, now, WAD / 2n, WAD / 4n)).toBe(0);
    // In the last scoring epoch an increase would apply after it: refused before sending.
    await advanceToWindow(creator, env.clock, taskId, 'Seal', 2);
    const late = await refused(setSigma(validatorB, { taskId, sigma: WAD }));
    expect(late.message).toBe(
      `An increase applies only from the epoch after next (epoch 4, so delegators can leave first), and task ${taskId}'s last scoring epoch is 2: the change would never apply.`,
    );
  });

  it('the evaluation seed: refused outside the score commit window; two validators drawing in one block get one seed', async () => {
    const early = await refused(drawEvalSeed(validatorA, { taskId }));
    expect(early.message).toBe(
      `Task ${taskId} is in the Seal window of epoch 2 now: the evaluation seed is drawn in an epoch's score commit window, once the submissions are fixed.`,
    );
    await advanceToWindow(creator, env.clock, taskId, 'ScoreCommit', 2);
    expect(await readEvalSeed(creator, { taskId, epoch: 2 })).toBeNull();

    // Both read "not drawn" and send; one block holds both transactions.
    const test = env.driver.anvil.url;
    const rpc = (method: string, params: unknown[] = []) =>
      fetch(test, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      }).then((r) => r.json());
    await rpc('evm_setAutomine', [false]);
    let results;
    try {
      const both = Promise.all([drawEvalSeed(validatorA, { taskId }), drawEvalSeed(validatorB, { taskId })]);
      for (let i = 0; i < 100; i++) {
        const pool = (await rpc('txpool_status')) as { result: { pending: string } };
        if (Number(pool.result.pending) >= 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await rpc('evm_mine');
      results = await both;
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    const [a, b] = results;
    expect(a.receipt!.blockNumber).toBe(b.receipt!.blockNumber);
    expect([a.drew, b.drew].sort()).toEqual([false, true]);
    expect(a.seed).toBe(b.seed);
    expect(a.epoch).toBe(2);
    expect(await readEvalSeed(creator, { taskId, epoch: 2 })).toBe(a.seed);
    const logs = await readLogs(creator, {
      address: env.deployment.contracts.submissionBook,
      abi: submissionBookAbi,
      eventName: 'EvalSeedDrawn',
      args: { taskId },
    });
    expect(logs).toHaveLength(1);
    // Epochs draw their own seeds: epoch 0 and 1 had none.
    expect(await readEvalSeed(creator, { taskId, epoch: 1 })).toBeNull();
  });

  it('objections stay locked until the review ends, also after they rejected the task', async () => {
    const now = (await creator.publicClient.getBlock()).timestamp;
    const { taskId: second } = await createTask(creator, { ...params, startTime: now + 400n, reviewPeriod: 300 });
    const before = await tokenBalance(objector);
    await objectToTask(objector, { taskId: second, amount: QUORUM });
    const view = await readTaskView(creator, second);
    expect(view.phase).toBe('Rejected');
    const lock = await readObjection(creator, { taskId: second, account: objector.wallet.account.address });
    expect(lock).toEqual({ amount: QUORUM, unlocksAt: view.schedule.reviewEnd, withdrawable: false });

    const sent = await nonce(objector);
    const locked = await refused(withdrawObjection(objector, { taskId: second }));
    expect(locked.message).toMatch(
      /^Your objection of 100 ARENA stays locked until the review ends at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, also when the task is already rejected: a rejection must cost the objectors their capital for the review period\.$/,
    );
    expect(await nonce(objector)).toBe(sent);
    // The registry refuses it on its own too (the flash-loan rejection of SPEC 2.1).
    const withdraw = {
      address: env.deployment.contracts.taskRegistry,
      abi: taskRegistryAbi as Abi,
      functionName: 'withdrawObjection',
      args: [second],
    };
    expect(await revertOf(env, objector.wallet.account.address, withdraw)).toBe(
      `ObjectionLocked(${view.schedule.reviewEnd})`,
    );

    await advanceTo(creator, env.clock, view.schedule.reviewEnd);
    expect((await withdrawObjection(objector, { taskId: second })).amount).toBe(QUORUM);
    expect(await tokenBalance(objector)).toBe(before);
    const none = await refused(withdrawObjection(objector, { taskId: second }));
    expect(none.message).toBe(`This account has no objection to task ${second} to withdraw.`);
  });
});
