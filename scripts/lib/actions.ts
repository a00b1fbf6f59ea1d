// Protocol steps as one-liners over a Driver, shared by tests and benchmarks. Each returns the
// transaction receipt(s) so callers can read gas and events. They send without the app's
// checks on purpose (tests use them to reach the contracts' own refusals); what is not about
// refusals runs the app's action (finalizeEpoch), and the commitments come from the same pure
// prepare step the agents use.
import { keccak256, toHex, zeroHash, type Address, type Hex, type TransactionReceipt } from 'viem';
import * as abis from '../../src/lib/chain/abi.generated.ts';
import { packScores } from '../../src/lib/chain/commitments.ts';
import { prepareScores, prepareSeal } from '../../src/lib/chain/prepare.ts';
import { seededTranscript, type TranscriptCommitment } from '../../src/lib/chain/transcript-commit.ts';
import { epochStart, type Schedule } from '../../src/lib/chain/schedule.ts';
import { DEFAULT_EVAL_SUBSET_SIZE, DEFAULT_REWARD_PARAMS, DEFAULT_WINDOWS } from '../../src/lib/chain/task-defaults.ts';
import { FAUCET_LIMIT } from '../../src/lib/chain/actions/faucet.ts';
import { finalizeEpoch as finalizeEpochAction } from '../../src/lib/chain/actions/finalize.ts';
import { WAD } from '../../src/lib/protocol/wad.ts';
import { Role, type TaskParamsInput } from '../../src/lib/chain/actions/task-params.ts';
import type { Driver } from './driver.ts';

const MAX_UINT = 2n ** 256n - 1n;

// The struct and the Role enum are the app's (src/lib/chain/actions): one definition for both.
export { Role, type TaskParamsInput } from '../../src/lib/chain/actions/task-params.ts';

export function defaultTaskParams(startTime: bigint, overrides: Partial<TaskParamsInput> = {}): TaskParamsInput {
  return {
    modelSpec: keccak256(toHex('spec')),
    trainData: keccak256(toHex('train')),
    evalData: keccak256(toHex('eval')),
    finalEvalCommit: keccak256(toHex('final')),
    startTime,
    epochLength: 100_000,
    reviewPeriod: 100,
    submissionEpochs: 3,
    finalEpochs: 1,
    challengeEpochs: 1,
    ...DEFAULT_WINDOWS,
    rewardPerEpoch: 1000n * WAD,
    reward: { ...DEFAULT_REWARD_PARAMS },
    stakeRules: {
      minTrainerStake: WAD,
      minValidatorStake: WAD,
      maxTrainers: 256,
      maxValidators: 512,
      sigmaCooldown: 1,
    },
    challenge: { bond: WAD, responseTime: 3600, slashBps: 5000, disputeTime: 3600, voteTime: 3600, juryBps: 1000 },
    evalSubsetSize: DEFAULT_EVAL_SUBSET_SIZE,
    ...overrides,
  };
}

/** Mints `amount` to `who` through the local faucet and approves the protocol's spenders. */
export async function fund(d: Driver, who: Address, amount = FAUCET_LIMIT): Promise<void> {
  for (let left = amount; left > 0n; left -= left > FAUCET_LIMIT ? FAUCET_LIMIT : left) {
    const drip = left > FAUCET_LIMIT ? FAUCET_LIMIT : left;
    await d.send(who, { address: d.c.token, abi: abis.arenaTokenAbi, functionName: 'faucet', args: [who, drip] });
  }
  for (const spender of [d.c.taskRegistry, d.c.stakeManager]) {
    await d.send(who, {
      address: d.c.token,
      abi: abis.arenaTokenAbi,
      functionName: 'approve',
      args: [spender, MAX_UINT],
    });
  }
}

export async function createTask(d: Driver, creator: Address, params: TaskParamsInput) {
  const receipt = await d.send(creator, {
    address: d.c.taskRegistry,
    abi: abis.taskRegistryAbi,
    functionName: 'createTask',
    args: [params],
  });
  const created = d.events(receipt).find((e) => e.eventName === 'TaskCreated');
  const taskId = (created!.args as { taskId: bigint }).taskId;
  const schedule = (await d.read({
    address: d.c.taskRegistry,
    abi: abis.taskRegistryAbi,
    functionName: 'schedule',
    args: [taskId],
  })) as Schedule;
  return { taskId, schedule, receipt };
}

/** Unix time `bps` basis points into `epoch`. */
export function timeIn(s: Schedule, epoch: number, bps: number): bigint {
  return epochStart(s, epoch) + (BigInt(s.epochLength) * BigInt(bps)) / 10_000n;
}

export function stakeCall(d: Driver, functionName: string, args: readonly unknown[]) {
  return { address: d.c.stakeManager, abi: abis.stakeManagerAbi, functionName, args };
}

export function bookCall(d: Driver, functionName: string, args: readonly unknown[]) {
  return { address: d.c.submissionBook, abi: abis.submissionBookAbi, functionName, args };
}

/** A stand-in key commitment: a hash with its top nibble cleared, so a BN254 field element as Poseidon's are. */
export const fieldKey = (label: string): Hex => keccak256(toHex(label)).replace(/^0x./, '0x0') as Hex;

export function join(d: Driver, taskId: bigint, who: Address, role: number, amount: bigint, sigma: bigint) {
  const key = role === Role.Trainer ? fieldKey(`key/${who}`) : zeroHash;
  return d.send(who, stakeCall(d, 'join', [taskId, role, amount, sigma, key]));
}

/**
 * The transcript commitment these drivers seal: synthetic, like their artifacts and wmCommits
 * (no model is trained here), seeded, 8 segments, a root derived from trainer and epoch.
 */
export function syntheticTranscript(trainer: Address, epoch: number): TranscriptCommitment {
  return seededTranscript(keccak256(toHex(`traj/${trainer}/${epoch}`)), 8);
}

export interface SealedSubmission {
  trainer: Address;
  artifact: Hex;
  wmCommit: Hex;
  transcript: TranscriptCommitment;
  salt: Hex;
  seq: bigint;
  receipt: TransactionReceipt;
}

export async function seal(
  d: Driver,
  taskId: bigint,
  epoch: number,
  trainer: Address,
  artifact: Hex,
): Promise<SealedSubmission> {
  const wmCommit = keccak256(toHex(`wm/${trainer}/${epoch}`));
  const salt = keccak256(toHex(`salt/${taskId}/${trainer}/${epoch}`));
  const transcript = syntheticTranscript(trainer, epoch);
  const { commitment } = prepareSeal({ taskId, epoch, trainer, artifactHash: artifact, wmCommit, transcript, salt });
  const receipt = await d.send(trainer, bookCall(d, 'sealSubmission', [taskId, commitment]));
  const ev = d.events(receipt).find((e) => e.eventName === 'SubmissionSealed');
  return { trainer, artifact, wmCommit, transcript, salt, seq: (ev!.args as { seq: bigint }).seq, receipt };
}

/**
 * Reveals a seal. The drivers' synthetic artifacts stand for files of one chunk, whose UnixFS
 * root is their hash (storage/unixfs/ref.ts), unless `artifactRoot` says otherwise.
 */
export function revealSubmission(d: Driver, taskId: bigint, s: SealedSubmission, artifactRoot: Hex = s.artifact) {
  return d.send(
    s.trainer,
    bookCall(d, 'revealSubmission', [taskId, s.artifact, artifactRoot, s.wmCommit, s.transcript, s.salt]),
  );
}

function scoresSalt(taskId: bigint, validator: Address, epoch: number): Hex {
  return keccak256(toHex(`scores/${taskId}/${validator}/${epoch}`));
}

/** The epoch's evaluation seed, 0x0..0 while not drawn. */
export function evalSeedOf(d: Driver, taskId: bigint, epoch: number): Promise<Hex> {
  return d.read<Hex>(bookCall(d, 'evalSeedOf', [taskId, BigInt(epoch)]));
}

/** Draws the current epoch's evaluation seed from `from` (in its score commit window). */
export async function drawEvalSeed(
  d: Driver,
  taskId: bigint,
  epoch: number,
  from: Address,
): Promise<{ seed: Hex; receipt: TransactionReceipt }> {
  const receipt = await d.send(from, bookCall(d, 'drawEvalSeed', [taskId]));
  return { seed: await evalSeedOf(d, taskId, epoch), receipt };
}

/**
 * Commits `scores` (integers 0..10000 in column order) for `validator` in `epoch`. The chain
 * refuses a commitment before the epoch's evaluation seed is drawn, so the validator draws it
 * first when nobody has (a separate transaction: the commit's receipt stays the commit's alone).
 */
export async function commitScores(
  d: Driver,
  taskId: bigint,
  epoch: number,
  validator: Address,
  scores: readonly number[],
) {
  if ((await evalSeedOf(d, taskId, epoch)) === zeroHash) await drawEvalSeed(d, taskId, epoch, validator);
  const { commitment } = prepareScores({
    taskId,
    epoch,
    validator,
    scores,
    salt: scoresSalt(taskId, validator, epoch),
  });
  return d.send(validator, bookCall(d, 'commitScores', [taskId, commitment]));
}

export function revealScores(d: Driver, taskId: bigint, epoch: number, validator: Address, scores: readonly number[]) {
  return d.send(
    validator,
    bookCall(d, 'revealScores', [taskId, packScores(scores), scoresSalt(taskId, validator, epoch)]),
  );
}

/** Calls finalize (the app's action) until the epoch is finalized; returns every receipt. */
export async function finalizeEpoch(
  d: Driver,
  caller: Address,
  taskId: bigint,
  maxCalls = 200,
): Promise<TransactionReceipt[]> {
  const steps = await finalizeEpochAction(d.actionContext(caller), { taskId, maxCalls });
  return steps.map((s) => s.receipt);
}
