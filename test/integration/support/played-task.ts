// A task played on a real anvil for the app's read tests: three trainers, two validators, two
// delegators, two finalized submission epochs and a third one in progress (sealed and revealed,
// not scored), using the demo task's real spec and dataset hashes. Each scored epoch's evaluation
// seed is drawn by the first validator; the task pays out with two validators (minValidators 2),
// who agree within the tolerance, and every submission qualifies. Every event the protocol
// emitted is kept from the transaction receipts (decoded by viem), so tests can check the app's
// own log scan and decoders against an independent path.
import { getAddress, parseEther, type Address, type TransactionReceipt } from 'viem';
import { demoHashes } from '../../../scripts/lib/demo-content.ts';
import type { Driver } from '../../../scripts/lib/driver.ts';
import {
  Role,
  commitScores,
  createTask,
  defaultTaskParams,
  drawEvalSeed,
  finalizeEpoch,
  fund,
  join,
  revealScores,
  revealSubmission,
  seal,
  stakeCall,
  timeIn,
} from '../../../scripts/lib/actions.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';
import { DEFAULT_REWARD_PARAMS } from '../../../src/lib/chain/task-defaults.ts';

const addr = (n: number): Address => getAddress(`0x${(0xa11ce000 + n).toString(16).padStart(40, '0')}`);

export const PLAYERS = {
  creator: addr(1),
  trainers: [addr(10), addr(11), addr(12)],
  validators: [addr(20), addr(21)],
  delegators: [addr(30), addr(31)],
  keeper: addr(40),
};

/**
 * Scores (0..10000) each validator gives each trainer in epochs 0 and 1, in column order: the two
 * validators differ by at most 40 units (inside the task's tolV of 50, TOL_V), and the weakest model
 * stays above half of the best (the default floor).
 */
export const SCORES: number[][][] = [
  [
    [9000, 6200, 4600],
    [8980, 6230, 4620],
  ],
  [
    [9300, 8100, 5000],
    [9260, 8140, 5030],
  ],
];

/**
 * The task's validator tolerance: 0.005 (50 units), wider than the default (0.0005), so that
 * both validators' scores above count.
 */
export const TOL_V = parseEther('0.005');

/** Samples of the eval set each epoch scores (the digits eval set has 250). */
export const EVAL_SUBSET_SIZE = 128;

export const EPOCH_LENGTH = 1_000;
export const REWARD_PER_EPOCH = parseEther('1000');

export interface PlayedTask {
  taskId: bigint;
  schedule: Schedule;
  /** Every receipt of the play, in order. */
  receipts: TransactionReceipt[];
}

export async function playTask(d: Driver): Promise<PlayedTask> {
  const receipts: TransactionReceipt[] = [];
  const keep = <T extends TransactionReceipt | TransactionReceipt[]>(r: T): T => {
    receipts.push(...(Array.isArray(r) ? r : [r]));
    return r;
  };
  const everyone = [PLAYERS.creator, ...PLAYERS.trainers, ...PLAYERS.validators, ...PLAYERS.delegators];
  for (const who of everyone) await fund(d, who);

  const now = await d.now();
  const hashes = demoHashes();
  const params = defaultTaskParams(now + 200n, {
    modelSpec: hashes.modelSpec,
    trainData: hashes.trainData,
    evalData: hashes.evalData,
    epochLength: EPOCH_LENGTH,
    reviewPeriod: 100,
    rewardPerEpoch: REWARD_PER_EPOCH,
    reward: { ...DEFAULT_REWARD_PARAMS, tolV: TOL_V, minValidators: PLAYERS.validators.length },
    evalSubsetSize: EVAL_SUBSET_SIZE,
  });
  const created = await createTask(d, PLAYERS.creator, params);
  keep(created.receipt);
  const { taskId, schedule } = created;

  // Stakes and delegations before the start count from epoch 0.
  for (const [i, t] of PLAYERS.trainers.entries())
    keep(await join(d, taskId, t, Role.Trainer, parseEther(String(100 + 50 * i)), parseEther('0.2')));
  for (const [i, v] of PLAYERS.validators.entries())
    keep(await join(d, taskId, v, Role.Validator, parseEther(String(300 - 100 * i)), parseEther('0.5')));
  keep(await d.send(PLAYERS.delegators[0]!, stakeCall(d, 'delegate', [taskId, PLAYERS.trainers[0], parseEther('50')])));
  keep(
    await d.send(PLAYERS.delegators[1]!, stakeCall(d, 'delegate', [taskId, PLAYERS.validators[0], parseEther('100')])),
  );
  keep(await d.send(PLAYERS.delegators[1]!, stakeCall(d, 'delegate', [taskId, PLAYERS.trainers[1], parseEther('20')])));

  for (let epoch = 0; epoch < 3; epoch++) {
    await d.warp(timeIn(schedule, epoch, 1_000));
    const sealed = [];
    for (const [i, t] of PLAYERS.trainers.entries()) {
      const s = await seal(d, taskId, epoch, t, `0x${(epoch * 16 + i + 1).toString(16).padStart(64, '0')}`);
      keep(s.receipt);
      sealed.push(s);
    }
    await d.warp(timeIn(schedule, epoch, 5_500));
    for (const s of sealed) keep(await revealSubmission(d, taskId, s));
    const scores = SCORES[epoch];
    if (!scores) break; // epoch 2 stays unscored: in progress
    await d.warp(timeIn(schedule, epoch, 7_000));
    keep((await drawEvalSeed(d, taskId, epoch, PLAYERS.validators[0]!)).receipt);
    for (const [j, v] of PLAYERS.validators.entries()) keep(await commitScores(d, taskId, epoch, v, scores[j]!));
    await d.warp(timeIn(schedule, epoch, 9_000));
    for (const [j, v] of PLAYERS.validators.entries()) keep(await revealScores(d, taskId, epoch, v, scores[j]!));
    await d.warp(timeIn(schedule, epoch + 1, 10));
    keep(await finalizeEpoch(d, PLAYERS.keeper, taskId));
  }
  return { taskId, schedule, receipts };
}
