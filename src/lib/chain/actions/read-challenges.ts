// Reads of SPEC section 7: a task's revealed submissions (what can be challenged, and whether a
// challenge of one is open), its challenges with their outcomes and times, and the public inputs a
// proof must carry.
// Status comes from the module's storage (the truth); events add when things happened and what
// moved. A deployment without a challenge module has no challenges: ChallengesUnavailableError.
import { getAddress, parseEventLogs, type Address, type Hex, type Log } from 'viem';
import { challengeModuleAbi, submissionBookAbi } from '../abi.generated.ts';
import type { Deployment } from '../deployments.ts';
import { BASE_FIELD_Q, proofWords, type SolidityProof } from '../../zk/calldata.ts';
import { ActionInputError, type ReadContext } from './context.ts';
import { readLogs } from './events.ts';
import { ArenaError } from '../../errors.ts';

export class ChallengesUnavailableError extends ArenaError<'challenges-unavailable'> {
  constructor(chainId: number) {
    super(
      'challenges-unavailable',
      `The protocol deployment on chain ${chainId} has no challenge module, so challenges are not available.`,
    );
    this.name = 'ChallengesUnavailableError';
  }
}

/** The challenge module's address, or ChallengesUnavailableError. */
export function challengeModuleOf(deployment: Deployment): Address {
  const address = deployment.contracts.challengeModule;
  if (!address) throw new ChallengesUnavailableError(deployment.chainId);
  return address;
}

/** ChallengeStatus of the contract, by name (None is never returned: unknown ids throw). */
export type ChallengeState = 'open' | 'answered' | 'upheld' | 'voided';
const STATES: Record<number, ChallengeState> = { 1: 'open', 2: 'answered', 3: 'upheld', 4: 'voided' };

export interface ChainMoment {
  block: bigint;
  /** Block timestamp, seconds. */
  time: bigint;
  tx: Hex;
}

export interface ChallengeView {
  challengeId: bigint;
  taskId: bigint;
  submissionId: bigint;
  trainer: Address;
  challenger: Address;
  bond: bigint;
  /** The accused may answer until this time, inclusive; resolve is possible after it. */
  deadline: bigint;
  /**
   * 'answered': the trainer proved ownership in time; the submission is proven and the bond went
   * back to the challenger (an ownership proof is necessary, not sufficient: until the learning
   * stage of SPEC section 8 nobody wins the bond). 'upheld': no proof in time, the trainer
   * forfeited to the challenger, who got its bond back. 'voided': the trainer had already
   * forfeited or the submission was already proven; the bond went back.
   */
  status: ChallengeState;
  opened: ChainMoment;
  /** How it ended (absent while open). Upheld: what the trainer forfeited to the challenger. */
  settled?: ChainMoment & { rewards?: bigint; slashed?: bigint };
}

export interface SubmissionView {
  submissionId: bigint;
  trainer: Address;
  epoch: number;
  duplicate: boolean;
  sealBlock: bigint;
  artifactHash: Hex;
  wmCommit: Hex;
  /** Its trainer already proved ownership: new challenges are refused, and none can fail it. */
  proven: boolean;
  /** The challenge of it that is open now (at most one at a time), or null. */
  openChallengeId: bigint | null;
}

/** The public inputs of a proof, in the verifier's order (docs/zk.md). */
export interface ProofInputs {
  wmCommit: bigint;
  keyCommit: bigint;
  owner: Address;
  maxErr: number;
}

export interface TaskChallenges {
  /** The module's tolerance: wrong bits a proof may have. */
  maxErr: number;
  challenges: ChallengeView[];
}

const toInputs = (w: readonly bigint[]): ProofInputs => ({
  wmCommit: w[0]!,
  keyCommit: w[1]!,
  owner: getAddress(`0x${w[2]!.toString(16).padStart(40, '0')}`),
  maxErr: Number(w[3]!),
});

export async function readMaxErr(ctx: ReadContext): Promise<number> {
  const module = challengeModuleOf(ctx.deployment);
  return Number(
    await ctx.publicClient.readContract({ address: module, abi: challengeModuleAbi, functionName: 'maxErr' }),
  );
}

/** Every revealed submission of the task, in id order, with whether its trainer proved it and its open challenge. */
export async function readSubmissions(ctx: ReadContext, taskId: bigint): Promise<SubmissionView[]> {
  const count = await ctx.publicClient.readContract({
    address: ctx.deployment.contracts.submissionBook,
    abi: submissionBookAbi,
    functionName: 'submissionCount',
    args: [taskId],
  });
  return Promise.all(
    Array.from({ length: Number(count) }, (_, i) => readSubmission(ctx, taskId, BigInt(i)) as Promise<SubmissionView>),
  );
}

/** One revealed submission, or null when the task has no such id. */
export async function readSubmission(
  ctx: ReadContext,
  taskId: bigint,
  submissionId: bigint,
): Promise<SubmissionView | null> {
  const book = ctx.deployment.contracts.submissionBook;
  const module = ctx.deployment.contracts.challengeModule;
  const count = await ctx.publicClient.readContract({
    address: book,
    abi: submissionBookAbi,
    functionName: 'submissionCount',
    args: [taskId],
  });
  if (submissionId < 0n || submissionId >= count) return null;
  const [s, proven, open] = await Promise.all([
    ctx.publicClient.readContract({
      address: book,
      abi: submissionBookAbi,
      functionName: 'getSubmission',
      args: [taskId, submissionId],
    }),
    module
      ? ctx.publicClient.readContract({
          address: module,
          abi: challengeModuleAbi,
          functionName: 'proven',
          args: [taskId, submissionId],
        })
      : Promise.resolve(false),
    module
      ? ctx.publicClient.readContract({
          address: module,
          abi: challengeModuleAbi,
          functionName: 'openChallengeOf',
          args: [taskId, submissionId],
        })
      : Promise.resolve(0n),
  ]);
  return {
    submissionId,
    trainer: s.trainer,
    epoch: s.epoch,
    duplicate: s.duplicate,
    sealBlock: s.sealBlock,
    artifactHash: s.artifactHash,
    wmCommit: s.wmCommit,
    proven,
    openChallengeId: open === 0n ? null : open,
  };
}

/** The challenge of a submission that is open now, or null (ChallengeModule.openChallengeOf). */
export async function readOpenChallengeOf(
  ctx: ReadContext,
  p: { taskId: bigint; submissionId: bigint },
): Promise<bigint | null> {
  const id = await ctx.publicClient.readContract({
    address: challengeModuleOf(ctx.deployment),
    abi: challengeModuleAbi,
    functionName: 'openChallengeOf',
    args: [p.taskId, p.submissionId],
  });
  return id === 0n ? null : id;
}

/** One challenge as stored (no times: see readChallenges), at the latest block or at `blockNumber`. */
export async function readChallenge(ctx: ReadContext, challengeId: bigint, blockNumber?: bigint) {
  const c = await ctx.publicClient.readContract({
    address: challengeModuleOf(ctx.deployment),
    abi: challengeModuleAbi,
    functionName: 'getChallenge',
    args: [challengeId],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
  if (c.status === 0) return null;
  return {
    challengeId,
    taskId: c.taskId,
    submissionId: BigInt(c.submissionId),
    trainer: c.trainer,
    challenger: c.challenger,
    bond: c.bond,
    deadline: c.deadline,
    status: STATES[c.status]!,
  };
}

/** The task's challenges (oldest first) with times and outcomes. */
export async function readChallenges(
  ctx: ReadContext,
  p: { taskId: bigint; trainer?: Address },
): Promise<TaskChallenges> {
  const address = challengeModuleOf(ctx.deployment);
  const abi = challengeModuleAbi;
  const args = { taskId: p.taskId, ...(p.trainer ? { trainer: p.trainer } : {}) };
  // Logs and storage are read at one block (fresh, not viem's cached number), so a challenge
  // is never shown settled without its time; a settling event in the logs wins.
  const head = await ctx.publicClient.getBlockNumber({ cacheTime: 0 });
  const [maxErr, opened, answered, upheld, voided] = await Promise.all([
    readMaxErr(ctx),
    readLogs(ctx, { address, abi, eventName: 'ChallengeOpened', args, toBlock: head }),
    readLogs(ctx, { address, abi, eventName: 'ChallengeAnswered', args, toBlock: head }),
    readLogs(ctx, { address, abi, eventName: 'ChallengeUpheld', args, toBlock: head }),
    readLogs(ctx, { address, abi, eventName: 'ChallengeVoided', args, toBlock: head }),
  ]);
  const times = new Map<bigint, Promise<bigint>>();
  const moment = async (log: Log): Promise<ChainMoment> => {
    const block = log.blockNumber!;
    let t = times.get(block);
    if (!t) {
      t = ctx.publicClient.getBlock({ blockNumber: block }).then((b) => b.timestamp);
      times.set(block, t);
    }
    return { block, time: await t, tx: log.transactionHash! };
  };

  type Settled = { status: ChallengeState; end: Promise<NonNullable<ChallengeView['settled']>> };
  const settled = new Map<bigint, Settled>();
  for (const e of parseEventLogs({ abi, eventName: 'ChallengeAnswered', logs: answered }))
    settled.set(e.args.challengeId, { status: 'answered', end: moment(e) });
  for (const e of parseEventLogs({ abi, eventName: 'ChallengeVoided', logs: voided }))
    settled.set(e.args.challengeId, { status: 'voided', end: moment(e) });
  for (const e of parseEventLogs({ abi, eventName: 'ChallengeUpheld', logs: upheld })) {
    settled.set(e.args.challengeId, {
      status: 'upheld',
      end: moment(e).then((m) => ({ ...m, rewards: e.args.rewards, slashed: e.args.slashed })),
    });
  }

  const challenges = await Promise.all(
    parseEventLogs({ abi, eventName: 'ChallengeOpened', logs: opened }).map(async (e): Promise<ChallengeView> => {
      const end = settled.get(e.args.challengeId);
      const stored = end ? null : await readChallenge(ctx, e.args.challengeId, head);
      return {
        challengeId: e.args.challengeId,
        taskId: e.args.taskId,
        submissionId: e.args.submissionId,
        trainer: e.args.trainer,
        challenger: e.args.challenger,
        bond: e.args.bond,
        deadline: e.args.deadline,
        status: end?.status ?? stored?.status ?? 'open',
        opened: await moment(e),
        ...(end ? { settled: await end.end } : {}),
      };
    }),
  );
  return {
    maxErr,
    challenges: challenges.sort((a, b) => (a.challengeId < b.challengeId ? -1 : 1)),
  };
}

/** What a response to `challengeId` must prove, read from the chain (the module reads the same). */
export async function readResponseInputs(ctx: ReadContext, challengeId: bigint): Promise<ProofInputs> {
  const words = await ctx.publicClient.readContract({
    address: challengeModuleOf(ctx.deployment),
    abi: challengeModuleAbi,
    functionName: 'responseInputs',
    args: [challengeId],
  });
  return toInputs(words);
}

/** A proof as the prover returns it (its `calldata`), or its eight words in the verifier's order. */
export type ProofArgument = SolidityProof | readonly bigint[];

const INPUT_NAMES = ['wmCommit', 'keyCommit', 'owner', 'maxErr'] as const;

/**
 * The eight proof words, checked before anything is sent: each a base-field coordinate, and, for
 * a prover's proof, its public inputs equal to what the chain will verify it against (a proof of
 * another submission, key, owner or tolerance would only revert with InvalidProof).
 */
export function checkedProofWords(proof: ProofArgument, expected: ProofInputs): readonly bigint[] {
  const words = Array.isArray(proof) ? (proof as readonly bigint[]) : proofWords(proof as SolidityProof);
  if (words.length !== 8)
    throw new ActionInputError('proof', `A proof has 8 words (a, b, c); this one has ${words.length}.`);
  words.forEach((w, i) => {
    if (typeof w !== 'bigint' || w < 0n || w >= BASE_FIELD_Q)
      throw new ActionInputError('proof', `Proof word ${i} is not a coordinate of the BN254 base field.`);
  });
  if (!Array.isArray(proof)) {
    const input = (proof as SolidityProof).input;
    const want = [expected.wmCommit, expected.keyCommit, BigInt(expected.owner), BigInt(expected.maxErr)];
    const differs = INPUT_NAMES.filter((_, i) => input[i] !== want[i]);
    if (differs.length > 0) {
      throw new ActionInputError(
        'proof',
        `The proof is for another claim: its ${differs.join(', ')} ${differs.length === 1 ? 'differs' : 'differ'} from what the chain checks (the submission's wmCommit, the owner's committed key, the owner's address and the module's tolerance of ${expected.maxErr} wrong bits).`,
      );
    }
  }
  return words;
}
