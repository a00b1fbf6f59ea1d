// A second task for the Task page's revision 2 views, played on the app world's anvil after the
// shared played task (test/integration/support/played-task.ts): three validators and
// minValidators 3; in epoch 0 three trainers and one canary of the creator (a trainer account it
// controls, sealed with the canary salt of a key committed before the epoch and revealed in the
// score reveal window). Trainer A qualifies, B scores under the floor (half of the best), C scores
// 0 (at the minimum score); validator 3 misses the canary's consensus and fails it. In epoch 1
// only two validators reveal: the epoch pays nobody and rolls over. Epoch 2 has a revealed
// submission and no seed yet. Epochs are 60 s, so the first task's clock moves about 190 s.
import {
  encodeAbiParameters,
  getAddress,
  keccak256,
  parseEther,
  toHex,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { demoHashes } from '../../scripts/lib/demo-content.ts';
import type { Driver } from '../../scripts/lib/driver.ts';
import {
  Role,
  bookCall,
  commitScores,
  createTask,
  defaultTaskParams,
  finalizeEpoch,
  fund,
  join,
  revealScores,
  syntheticTranscript,
  timeIn,
} from '../../scripts/lib/actions.ts';
import { sealCommitment } from '../../src/lib/chain/commitments.ts';
import type { Schedule } from '../../src/lib/chain/schedule.ts';
import { DEFAULT_REWARD_PARAMS } from '../../src/lib/chain/task-defaults.ts';

const addr = (n: number): Address => getAddress(`0x${(0xb0b0000 + n).toString(16).padStart(40, '0')}`);

export const SCORED = {
  creator: addr(1),
  trainers: [addr(10), addr(11), addr(12)],
  /** The creator's canary account. */
  canary: addr(19),
  validators: [addr(20), addr(21), addr(22)],
  keeper: addr(40),
};

/** Epoch 0 scores in column order [A, B, C, canary]: validator 3 is far from the canary's median. */
export const EPOCH0_SCORES = [
  [9000, 3000, 0, 6000],
  [8990, 3010, 0, 6010],
  [9000, 3000, 0, 2000],
];
const EPOCH1_SCORES = [
  [9100, 5000, 100],
  [9100, 5000, 100],
];
export const SCORED_SUBSET = 64;
const CANARY_KEY = keccak256(toHex('scored-task/canary-key/epoch-0'));

export interface ScoredTask {
  taskId: bigint;
  schedule: Schedule;
  receipts: TransactionReceipt[];
}

async function sealWithSalt(d: Driver, taskId: bigint, epoch: number, trainer: Address, artifact: Hex, salt: Hex) {
  const wmCommit = keccak256(toHex(`wm/${trainer}/${epoch}`));
  const transcript = syntheticTranscript(trainer, epoch);
  const receipt = await d.send(
    trainer,
    bookCall(d, 'sealSubmission', [
      taskId,
      sealCommitment(taskId, BigInt(epoch), trainer, artifact, wmCommit, transcript, salt),
    ]),
  );
  return { trainer, artifact, wmCommit, transcript, salt, receipt };
}

export async function playScoredTask(d: Driver): Promise<ScoredTask> {
  const receipts: TransactionReceipt[] = [];
  const keep = <T extends TransactionReceipt | TransactionReceipt[]>(r: T): T => {
    receipts.push(...(Array.isArray(r) ? r : [r]));
    return r;
  };
  for (const who of [SCORED.creator, ...SCORED.trainers, SCORED.canary, ...SCORED.validators]) await fund(d, who);
  const hashes = demoHashes();
  const now = await d.now();
  const params = defaultTaskParams(now + 30n, {
    modelSpec: hashes.modelSpec,
    trainData: hashes.trainData,
    evalData: hashes.evalData,
    epochLength: 60,
    reviewPeriod: 10,
    submissionEpochs: 3,
    finalEpochs: 0,
    finalEvalCommit: `0x${'0'.repeat(64)}`,
    rewardPerEpoch: parseEther('1000'),
    // tolV 0.005 (50 units): the first two validators differ by 10 units and both stay in
    // tolerance, so the canary is valid and only the third (4000 units off) fails it.
    reward: { ...DEFAULT_REWARD_PARAMS, tolV: parseEther('0.005'), minValidators: 3 },
    evalSubsetSize: SCORED_SUBSET,
  });
  const created = await createTask(d, SCORED.creator, params);
  keep(created.receipt);
  const { taskId, schedule } = created;
  for (const [i, t] of [...SCORED.trainers, SCORED.canary].entries())
    keep(await join(d, taskId, t, Role.Trainer, parseEther(String(100 - 20 * i)), parseEther('0.5')));
  for (const [i, v] of SCORED.validators.entries())
    keep(await join(d, taskId, v, Role.Validator, parseEther(String(300 - 100 * i)), parseEther('0.5')));
  // The canary key of epoch 0, committed before the epoch starts.
  keep(
    await d.send(
      SCORED.creator,
      bookCall(d, 'commitCanaries', [taskId, 0n, keccak256(encodeAbiParameters([{ type: 'bytes32' }], [CANARY_KEY]))]),
    ),
  );

  const reveal = (s: Awaited<ReturnType<typeof sealWithSalt>>) =>
    d.send(
      s.trainer,
      bookCall(d, 'revealSubmission', [taskId, s.artifact, s.artifact, s.wmCommit, s.transcript, s.salt]),
    );
  const artifact = (epoch: number, i: number): Hex => `0x${(0xa000 + epoch * 16 + i).toString(16).padStart(64, '0')}`;
  const salt = (epoch: number, who: Address) => keccak256(toHex(`scored-task/salt/${epoch}/${who}`));

  // Epoch 0: A, B, C and the canary; three validators; the creator reveals the canary key.
  await d.warp(timeIn(schedule, 0, 1_000));
  const sealed = [];
  for (const [i, t] of SCORED.trainers.entries())
    sealed.push(await sealWithSalt(d, taskId, 0, t, artifact(0, i), salt(0, t)));
  const canarySalt = await d.read<Hex>(bookCall(d, 'canarySalt', [taskId, 0n, SCORED.canary, CANARY_KEY]));
  sealed.push(await sealWithSalt(d, taskId, 0, SCORED.canary, artifact(0, 9), canarySalt));
  for (const s of sealed) keep(s.receipt);
  await d.warp(timeIn(schedule, 0, 5_500));
  for (const s of sealed) keep(await reveal(s));
  await d.warp(timeIn(schedule, 0, 7_000));
  for (const [j, v] of SCORED.validators.entries()) keep(await commitScores(d, taskId, 0, v, EPOCH0_SCORES[j]!));
  await d.warp(timeIn(schedule, 0, 9_000));
  for (const [j, v] of SCORED.validators.entries()) keep(await revealScores(d, taskId, 0, v, EPOCH0_SCORES[j]!));
  keep(await d.send(SCORED.creator, bookCall(d, 'revealCanaries', [taskId, CANARY_KEY])));
  await d.warp(timeIn(schedule, 1, 100));
  keep(await finalizeEpoch(d, SCORED.keeper, taskId));

  // Epoch 1: only two of the three validators reveal: fewer than minValidators.
  const sealed1 = [];
  for (const [i, t] of SCORED.trainers.entries())
    sealed1.push(await sealWithSalt(d, taskId, 1, t, artifact(1, i), salt(1, t)));
  for (const s of sealed1) keep(s.receipt);
  await d.warp(timeIn(schedule, 1, 5_500));
  for (const s of sealed1) keep(await reveal(s));
  await d.warp(timeIn(schedule, 1, 7_000));
  for (const [j, v] of SCORED.validators.slice(0, 2).entries())
    keep(await commitScores(d, taskId, 1, v, EPOCH1_SCORES[j]!));
  await d.warp(timeIn(schedule, 1, 9_000));
  for (const [j, v] of SCORED.validators.slice(0, 2).entries())
    keep(await revealScores(d, taskId, 1, v, EPOCH1_SCORES[j]!));
  await d.warp(timeIn(schedule, 2, 100));
  keep(await finalizeEpoch(d, SCORED.keeper, taskId));

  // Epoch 2: A seals and reveals; nobody has drawn the seed.
  const a = await sealWithSalt(d, taskId, 2, SCORED.trainers[0]!, artifact(2, 0), salt(2, SCORED.trainers[0]!));
  keep(a.receipt);
  await d.warp(timeIn(schedule, 2, 5_200));
  keep(await reveal(a));
  return { taskId, schedule, receipts };
}
