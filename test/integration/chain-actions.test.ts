// One full epoch on a real anvil through the chain client's actions only, each role connected the
// way the app connects it (wagmi config, dev-accounts connector, network check): a task is
// created with a permit, two trainers join with permits, seal and reveal, a validator draws the
// epoch's evaluation seed, two validators commit and reveal scores, a keeper finalizes, everyone
// claims; a delegator delegates with a permit and claims its share. The reads (leaderboard,
// participants, positions, claimables) are checked against the SPEC's reference math (revision
// 2: median, qualifying floor, tolerance) and against the tokens that actually moved.
import { keccak256, toFunctionSelector, toHex, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stakeManagerAbi, taskRegistryAbi } from '../../src/lib/chain/abi.generated.ts';
import {
  ActionInputError,
  addStake,
  advanceTo,
  advanceToEpoch,
  advanceToWindow,
  claimDelegationRewards,
  claimOwnRewards,
  commitScores,
  createTask,
  delegate,
  drawEvalSeed,
  readEvalSeed,
  faucet,
  finalizeEpoch,
  joinTask,
  randomSalt,
  readClaimables,
  readLeaderboard,
  readAccountPositions,
  readParticipants,
  readSubmission,
  readTaskView,
  revealScores,
  revealSubmission,
  sealSubmission,
  setSigma,
  undelegate,
  objectToTask,
  withdrawObjection,
  withdrawRemainder,
  withdrawDelegation,
  withdrawStake,
  type ActionContext,
  type TaskParamsInput,
} from '../../src/lib/chain/actions/index.ts';
import { DEFAULT_REWARD_PARAMS } from '../../src/lib/chain/task-defaults.ts';
import { TxError } from '../../src/lib/chain/tx/errors.ts';
import { epochRewards } from '../../src/lib/protocol/rewards.ts';
import {
  fieldKey,
  oneEpochTaskParams,
  startArenaEnv,
  tokenBalance,
  type ArenaEnv,
} from './support/chain-actions-env.ts';
import { seededTranscript } from '../../src/lib/chain/transcript-commit.ts';

/** The transcript these submissions seal: synthetic (no model is trained here), seeded, 8 segments. */
const TRANSCRIPT = seededTranscript(`0x${'7a'.repeat(32)}`, 8);

const WAD = 10n ** 18n;
const T = (n: number) => BigInt(n) * WAD;
const SCORE_UNIT = 10n ** 14n;

async function selectorOf(ctx: ActionContext, hash: Hex): Promise<Hex> {
  return (await ctx.publicClient.getTransaction({ hash })).input.slice(0, 10) as Hex;
}

const near = (a: bigint, b: bigint) => {
  const diff = a > b ? a - b : b - a;
  return diff <= b / 1_000_000_000n + 2n;
};

describe('chain actions: one full epoch on anvil', () => {
  let env: ArenaEnv;
  let creator: ActionContext, trainerA: ActionContext, trainerB: ActionContext;
  let validatorA: ActionContext,
    validatorB: ActionContext,
    delegator: ActionContext,
    keeper: ActionContext,
    undecided: ActionContext;
  let taskId: bigint;
  let baseParams: TaskParamsInput;
  const artifacts = { a: keccak256(toHex('model A')), b: keccak256(toHex('model B')) };
  // A's model stands for a file of several chunks (a dag-pb root, not its hash); B's for one chunk.
  const roots = { a: keccak256(toHex('root of model A')), b: artifacts.b };
  const wm = { a: keccak256(toHex('wm A')), b: keccak256(toHex('wm B')) };
  const salts = { a: randomSalt(), b: randomSalt(), va: randomSalt(), vb: randomSalt() };
  // Validator A (stake 200 + 100 delegated) and B (100) score the two columns, in column order,
  // within the tolerance of each other (honest validators on one subset differ by float noise).
  let scores: { a: number[]; b: number[] };

  beforeAll(async () => {
    env = await startArenaEnv();
    [creator, trainerA, trainerB, validatorA, validatorB, delegator, keeper, undecided] = (await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) => env.as(i)),
    )) as ActionContext[] as [
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
      ActionContext,
    ];
  }, 120_000);
  afterAll(() => env?.stop());

  it('funds every role from the local faucet', async () => {
    for (const ctx of [creator, trainerA, trainerB, validatorA, validatorB, delegator]) {
      await faucet(ctx, { amount: T(10_000) });
      expect(await tokenBalance(ctx)).toBe(T(10_000));
    }
  });

  it('creates a task paying its deposit with a permit (no approve transaction)', async () => {
    const now = (await creator.publicClient.getBlock()).timestamp;
    baseParams = oneEpochTaskParams(now + 60n, {
      rewardPerEpoch: T(1_000),
      reward: { ...DEFAULT_REWARD_PARAMS, minValidators: 2 },
    });
    const nonceBefore = await creator.publicClient.getTransactionCount({ address: creator.wallet.account.address });
    const created = await createTask(creator, baseParams);
    taskId = created.taskId;
    expect(taskId).toBe(1n);
    expect(created.deposit).toBe(T(1_000));
    expect(await tokenBalance(creator)).toBe(T(9_000));
    // One transaction (createTaskWithPermit), no approve before it.
    expect(await creator.publicClient.getTransactionCount({ address: creator.wallet.account.address })).toBe(
      nonceBefore + 1,
    );
    expect(await selectorOf(creator, created.receipt.transactionHash)).toBe(
      toFunctionSelector(taskRegistryAbi.find((f) => f.type === 'function' && f.name === 'createTaskWithPermit')!),
    );
  });

  it('two trainers and two validators join with permits; a delegator delegates with one', async () => {
    const joinWithPermit = toFunctionSelector(
      stakeManagerAbi.find((f) => f.type === 'function' && f.name === 'joinWithPermit')!,
    );
    const joins: [ActionContext, 'trainer' | 'validator', bigint, bigint][] = [
      [trainerA, 'trainer', T(60), WAD / 2n],
      [trainerB, 'trainer', T(300), WAD / 2n],
      [validatorA, 'validator', T(200), WAD / 5n],
      [validatorB, 'validator', T(100), WAD],
    ];
    for (const [ctx, role, amount, sigma] of joins) {
      const keyCommit = role === 'trainer' ? fieldKey(`key/${ctx.wallet.account.address}`) : undefined;
      const joined = await joinTask(ctx, { taskId, role, amount, sigma, ...(keyCommit ? { keyCommit } : {}) });
      expect(joined.effectiveEpoch).toBe(0n);
      expect(await selectorOf(ctx, joined.receipt.transactionHash)).toBe(joinWithPermit);
    }
    // More stake with a permit, and a sigma change: both count from epoch 0 (the task has not started).
    const added = await addStake(trainerA, { taskId, amount: T(40) });
    expect(added.effectiveEpoch).toBe(0n);
    expect(await selectorOf(trainerA, added.receipt.transactionHash)).toBe(
      toFunctionSelector(stakeManagerAbi.find((f) => f.type === 'function' && f.name === 'addStakeWithPermit')!),
    );
    // A decrease applies from the next epoch (epoch 0 here); an increase only from the epoch after
    // next, which this one-epoch task does not have: refused before anything is sent.
    expect(await setSigma(validatorB, { taskId, sigma: WAD / 2n })).toMatchObject({
      effectiveEpoch: 0n,
      increase: false,
    });
    const up = await setSigma(validatorA, { taskId, sigma: WAD / 2n }).catch((e: unknown) => e);
    expect((up as Error).message).toBe(
      `An increase applies only from the epoch after next (epoch 1, so delegators can leave first), and task ${taskId}'s last scoring epoch is 0: the change would never apply.`,
    );

    const d = await delegate(delegator, { taskId, delegatee: validatorA.wallet.account.address, amount: T(100) });
    expect(d.effectiveEpoch).toBe(0n);
    expect(await tokenBalance(delegator)).toBe(T(9_900));
    // Undelegating before the start pays back at once.
    await faucet(undecided, { amount: T(50) });
    await delegate(undecided, { taskId, delegatee: trainerB.wallet.account.address, amount: T(50) });
    const undone = await undelegate(undecided, { taskId, delegatee: trainerB.wallet.account.address, amount: T(50) });
    expect(undone.paidBack).toBe(T(50));
    expect(await tokenBalance(undecided)).toBe(T(50));
    const [position] = await readAccountPositions(undecided, undecided.wallet.account.address);
    expect(position!.delegations.map((x) => [x.delegatee, x.principal, x.unbonding])).toEqual([
      [trainerB.wallet.account.address, 0n, 0n],
    ]);
    expect(await readClaimables(undecided, undecided.wallet.account.address)).toEqual({
      rewards: [],
      withdrawals: [],
      claimableNow: 0n,
      withdrawableNow: 0n,
    });

    const { trainers, validators } = await readParticipants(creator, taskId);
    expect(trainers.map((t) => [t.account, t.own, t.eligibleFrom])).toEqual([
      [trainerA.wallet.account.address, T(100), 0],
      [trainerB.wallet.account.address, T(300), 0],
    ]);
    expect(validators.map((v) => [v.account, v.own, v.delegated, v.sigma])).toEqual([
      [validatorA.wallet.account.address, T(200), T(100), WAD / 5n],
      [validatorB.wallet.account.address, T(100), 0n, WAD / 2n],
    ]);
  });

  it('a revert is told in a plain sentence before the wallet is asked', async () => {
    // Still before the start: sealing is refused by the contract's window check.
    let asked = 0;
    const counting = {
      ...trainerA,
      wallet: new Proxy(trainerA.wallet, {
        get(target, key, receiver) {
          if (key === 'writeContract' || key === 'signTypedData' || key === 'sendTransaction') asked++;
          return Reflect.get(target, key, receiver);
        },
      }),
    } as ActionContext;
    const error = await sealSubmission(counting, {
      taskId,
      artifactHash: artifacts.a,
      wmCommit: wm.a,
      transcript: TRANSCRIPT,
      salt: salts.a,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TxError);
    expect((error as TxError).code).toBe('reverted');
    expect((error as TxError).errorName).toBe('WrongWindow');
    expect((error as TxError).message).toBe(
      'This can be done only in the seal window, and the task is in no window now.',
    );
    // Joining twice: refused by name, with the role filled in.
    const again = await joinTask(counting, {
      taskId,
      role: 'trainer',
      amount: T(1),
      sigma: 0n,
      keyCommit: fieldKey('k'),
    }).catch((e: unknown) => e);
    expect((again as TxError).message).toBe('You already joined this task as a trainer.');
    // More than the balance: said before any permit signature.
    const poor = await joinTask(keeper, { taskId, role: 'validator', amount: T(5), sigma: 0n }).catch(
      (e: unknown) => e,
    );
    expect((poor as TxError).errorName).toBe('ERC20InsufficientBalance');
    expect((poor as TxError).message).toMatch(
      /^The account 0x[0-9a-fA-F]{4}…[0-9a-fA-F]{4} holds 0 ARENA but this needs 5 ARENA\.$/,
    );
    expect(asked).toBe(0);
  });

  it('trainers seal and reveal in their windows', async () => {
    await advanceToWindow(creator, env.clock, taskId, 'Seal');
    const sa = await sealSubmission(trainerA, {
      taskId,
      artifactHash: artifacts.a,
      wmCommit: wm.a,
      transcript: TRANSCRIPT,
      salt: salts.a,
    });
    const sb = await sealSubmission(trainerB, {
      taskId,
      artifactHash: artifacts.b,
      wmCommit: wm.b,
      transcript: TRANSCRIPT,
      salt: salts.b,
    });
    expect([sa.epoch, sb.epoch]).toEqual([0, 0]);
    expect(sb.seq).toBe(sa.seq + 1n);

    await advanceToWindow(creator, env.clock, taskId, 'Reveal');
    // A wrong salt cannot open a seal: the sentence names what does not match.
    const wrong = await revealSubmission(trainerA, {
      taskId,
      artifactHash: artifacts.a,
      artifactRoot: roots.a,
      wmCommit: wm.a,
      transcript: TRANSCRIPT,
      salt: salts.b,
    }).catch((e: unknown) => e);
    expect((wrong as TxError).message).toBe(
      'The artifact hash, watermark commitment, transcript or salt does not match your seal.',
    );
    // No root: refused before anything is sent (the contract would refuse it too).
    const rootless = await revealSubmission(trainerA, {
      taskId,
      artifactHash: artifacts.a,
      artifactRoot: `0x${'0'.repeat(64)}`,
      wmCommit: wm.a,
      transcript: TRANSCRIPT,
      salt: salts.a,
    }).catch((e: unknown) => e);
    expect(rootless).toBeInstanceOf(ActionInputError);
    expect((rootless as ActionInputError).field).toBe('artifactRoot');
    const ra = await revealSubmission(trainerA, {
      taskId,
      artifactHash: artifacts.a,
      artifactRoot: roots.a,
      wmCommit: wm.a,
      transcript: TRANSCRIPT,
      salt: salts.a,
    });
    const rb = await revealSubmission(trainerB, {
      taskId,
      artifactHash: artifacts.b,
      artifactRoot: roots.b,
      wmCommit: wm.b,
      transcript: TRANSCRIPT,
      salt: salts.b,
    });
    expect([ra.submissionId, rb.submissionId, ra.duplicate, rb.duplicate]).toEqual([0n, 1n, false, false]);
    const subA = await readSubmission(creator, taskId, 0n);
    expect([subA?.artifactHash, subA?.artifactRoot]).toEqual([artifacts.a, roots.a]);
    const twice = await revealSubmission(trainerA, {
      taskId,
      artifactHash: artifacts.a,
      artifactRoot: roots.a,
      wmCommit: wm.a,
      transcript: TRANSCRIPT,
      salt: salts.a,
    }).catch((e: unknown) => e);
    expect((twice as TxError).message).toBe('You already revealed your submission for this epoch.');
  });

  it('validators commit and reveal scores for the columns in contract order', async () => {
    const board = await readLeaderboard(creator, taskId, 0);
    expect(board.finalized).toBe(false);
    expect(board.rows.map((r) => [r.trainer, r.artifactHash, r.artifactRoot])).toEqual([
      [trainerA.wallet.account.address, artifacts.a, roots.a],
      [trainerB.wallet.account.address, artifacts.b, roots.b],
    ]);
    // Trainer B's model is the better one for both validators.
    // Apart by 4 score units: within the default tolV (0.0005, 5 units), so both validators earn.
    scores = { a: [6_000, 9_000], b: [6_004, 8_996] };
    await advanceToWindow(creator, env.clock, taskId, 'ScoreCommit');
    // No commitment before the epoch's evaluation seed is drawn (SPEC 2.2).
    const early = await commitScores(validatorA, { taskId, scores: scores.a, salt: salts.va }).catch((e: unknown) => e);
    expect((early as TxError).errorName).toBe('EvalSeedNotDrawn');
    expect(await readEvalSeed(creator, { taskId, epoch: 0 })).toBeNull();
    const drawn = await drawEvalSeed(validatorA, { taskId });
    expect(drawn).toMatchObject({ epoch: 0, drew: true });
    expect(drawn.seed).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await readEvalSeed(creator, { taskId, epoch: 0 })).toBe(drawn.seed);
    // Drawn already: the second validator gets the same seed without a transaction.
    expect(await drawEvalSeed(validatorB, { taskId })).toEqual({
      epoch: 0,
      seed: drawn.seed,
      drew: false,
      receipt: null,
    });
    await commitScores(validatorA, { taskId, scores: scores.a, salt: salts.va });
    await commitScores(validatorB, { taskId, scores: scores.b, salt: salts.vb });
    await advanceToWindow(creator, env.clock, taskId, 'ScoreReveal');
    // Revealing other scores than committed is refused with the scores' own sentence.
    const lie = await revealScores(validatorA, { taskId, scores: [9_000, 9_000], salt: salts.va }).catch(
      (e: unknown) => e,
    );
    expect((lie as TxError).message).toBe('These scores and salt do not match your score commitment.');
    await revealScores(validatorA, { taskId, scores: scores.a, salt: salts.va });
    await revealScores(validatorB, { taskId, scores: scores.b, salt: salts.vb });
    const revealed = await readLeaderboard(creator, taskId, 0);
    expect(revealed.validators.map((v) => [v.validator, v.scores])).toEqual([
      [validatorA.wallet.account.address, scores.a],
      [validatorB.wallet.account.address, scores.b],
    ]);
  });

  it('a keeper finalizes the epoch; the leaderboard agrees with the reference math', async () => {
    const early = await finalizeEpoch(keeper, { taskId }).catch((e: unknown) => e);
    expect((early as TxError).errorName).toBe('EpochNotOver');
    await advanceToEpoch(creator, env.clock, taskId, 1);
    const steps = await finalizeEpoch(keeper, { taskId });
    const last = steps.at(-1)!;
    expect(last.finished).toBe(true);
    expect(last.degenerate).toBe(false);

    const ref = epochRewards({
      R: T(1_000),
      params: { ...DEFAULT_REWARD_PARAMS, minValidators: 2 },
      trainers: [
        { own: T(100), delegated: 0n, sigma: WAD / 2n, seal: 1n },
        { own: T(300), delegated: 0n, sigma: WAD / 2n, seal: 2n },
      ],
      validators: [
        { own: T(200), delegated: T(100), sigma: WAD / 5n },
        { own: T(100), delegated: 0n, sigma: WAD / 2n },
      ],
      scores: [scores.a.map((s) => BigInt(s) * SCORE_UNIT), scores.b.map((s) => BigInt(s) * SCORE_UNIT)],
    });
    expect(near(last.booked!, ref.booked)).toBe(true);

    const board = await readLeaderboard(creator, taskId, 0);
    expect(board.finalized).toBe(true);
    expect(board.rows.map((r) => r.trainer)).toEqual([
      trainerB.wallet.account.address,
      trainerA.wallet.account.address,
    ]);
    expect(board.rows.map((r) => r.rank)).toEqual([1, 2]);
    expect(board.rows.map((r) => r.qualified)).toEqual([true, true]);
    // Aggregates: stake-weighted lower medians; validator A holds 300 of the 400 staked.
    expect(board.rows.map((r) => r.aggregate)).toEqual([0.9, 0.6]);
    expect(board.evalSeed).toBe(await readEvalSeed(creator, { taskId, epoch: 0 }));
    // Both validators are within tolV of every median: both earn.
    expect(board.validators.map((v) => [v.failedCanary, v.pool! > 0n])).toEqual([
      [false, true],
      [false, true],
    ]);
    for (const row of board.rows) {
      const r = ref.trainers[row.column]!;
      expect(near(row.pool!, r.pool) && near(row.own!, r.own), `trainer column ${row.column}`).toBe(true);
    }
    board.validators.forEach((v, j) => {
      expect(near(v.pool!, ref.validators[j]!.pool) && near(v.own!, ref.validators[j]!.own), `validator ${j}`).toBe(
        true,
      );
    });
    const sumPools = board.rows.reduce((s, r) => s + r.pool!, 0n) + board.validators.reduce((s, v) => s + v.pool!, 0n);
    expect(sumPools).toBe(last.booked);

    const view = await readTaskView(creator, taskId);
    expect(view.phase).toBe('Ended');
    expect(view.closedEpochs).toBe(1);
    expect(view.finalization).toEqual({ kind: 'done' });
    const { trainers } = await readParticipants(creator, taskId);
    expect(trainers.map((t) => t.pastRewards.pool)).toEqual([board.rows[1]!.pool, board.rows[0]!.pool]);
  });

  it('everyone claims exactly what the claimables view promised, and takes the stake back', async () => {
    const board = await readLeaderboard(creator, taskId, 0);
    for (const [ctx, own] of [
      [trainerA, board.rows.find((r) => r.trainer === trainerA.wallet.account.address)!.own!],
      [trainerB, board.rows.find((r) => r.trainer === trainerB.wallet.account.address)!.own!],
      [validatorA, board.validators[0]!.own!],
      [validatorB, board.validators[1]!.own!],
    ] as const) {
      const view = await readClaimables(ctx, ctx.wallet.account.address);
      expect(view.rewards).toEqual([{ taskId, kind: 'own', amount: own, now: true }]);
      const before = await tokenBalance(ctx);
      const claimed = await claimOwnRewards(ctx, { taskId });
      expect(claimed.amount).toBe(own);
      const stake = await withdrawStake(ctx, { taskId });
      expect(await tokenBalance(ctx)).toBe(before + own + stake.amount);
    }
    const again = await claimOwnRewards(trainerA, { taskId }).catch((e: unknown) => e);
    expect((again as TxError).message).toBe('There is nothing to claim yet.');
  });

  it('the delegator claims its share of the validator pool and withdraws its principal', async () => {
    const board = await readLeaderboard(creator, taskId, 0);
    const poolA = board.validators[0]!;
    const share = poolA.pool! - poolA.own!;
    const account = delegator.wallet.account.address;
    const [position] = await readAccountPositions(delegator, account);
    expect(position!.delegations[0]!.principal).toBe(T(100));
    const view = await readClaimables(delegator, account);
    expect(view.rewards).toHaveLength(1);
    expect(view.rewards[0]!.kind).toBe('delegation');
    // Only delegator in the pool: everything booked for delegators, less at most a wei of flooring.
    expect(share - view.rewards[0]!.amount).toBeGreaterThanOrEqual(0n);
    expect(share - view.rewards[0]!.amount).toBeLessThanOrEqual(1n);
    expect(view.withdrawals).toEqual([
      { taskId, kind: 'delegation', delegatee: validatorA.wallet.account.address, amount: T(100), now: true },
    ]);

    const before = await tokenBalance(delegator);
    const claimed = await claimDelegationRewards(delegator, { taskId, delegatee: validatorA.wallet.account.address });
    expect(claimed.amount).toBe(view.rewards[0]!.amount);
    const back = await withdrawDelegation(delegator, { taskId, delegatee: validatorA.wallet.account.address });
    expect(back.amount).toBe(T(100));
    expect(await tokenBalance(delegator)).toBe(before + claimed.amount + T(100));
    const after = await readClaimables(delegator, account);
    expect(after.rewards).toEqual([]);
    expect(after.withdrawals).toEqual([]);
  });

  it('the creator takes back what was not paid; objections lock tokens during a review', async () => {
    const view = await readTaskView(creator, taskId);
    const refundable = view.remainder - view.refunded;
    if (refundable > 0n) expect((await withdrawRemainder(creator, { taskId })).amount).toBe(refundable);
    const none = await withdrawRemainder(creator, { taskId }).catch((e: unknown) => e);
    expect((none as TxError).message).toBe('There is nothing to withdraw.');
    expect(view.paid + refundable).toBeLessThanOrEqual(view.deposit);

    // A second task under review: an objection goes in with an approval (no objectWithPermit).
    const now = (await creator.publicClient.getBlock()).timestamp;
    const second = await createTask(creator, { ...baseParams, startTime: now + 500n, reviewPeriod: 100 });
    const before = await tokenBalance(undecided);
    await objectToTask(undecided, { taskId: second.taskId, amount: T(10) });
    expect(await tokenBalance(undecided)).toBe(before - T(10));
    const locked = await withdrawObjection(undecided, { taskId: second.taskId }).catch((e: unknown) => e);
    expect((locked as Error).message).toMatch(
      /^Your objection of 10 ARENA stays locked until the review ends at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, also when the task is already rejected/,
    );
    await advanceTo(creator, env.clock, (await readTaskView(creator, second.taskId)).schedule.reviewEnd);
    await withdrawObjection(undecided, { taskId: second.taskId });
    expect(await tokenBalance(undecided)).toBe(before);
  });
});
