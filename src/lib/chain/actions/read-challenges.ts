// Reads of SPEC sections 7 and 8.4: a task's revealed submissions (what can be challenged, their
// transcripts, and whether a challenge of one is unsettled), its challenges with their stages,
// times and outcomes, and the public inputs a proof must carry.
// Status comes from the module's storage (the truth); events add when things happened and what
// moved. A deployment without a challenge module has no challenges: ChallengesUnavailableError.
import { getAddress, parseEventLogs, zeroAddress, zeroHash, type Address, type Hex, type Log } from 'viem';
import { challengeModuleAbi, submissionBookAbi } from '../abi.generated.ts';
import type { Deployment } from '../deployments.ts';
import { BASE_FIELD_Q, proofWords, type SolidityProof } from '../../zk/calldata.ts';
import { ActionInputError, type ReadContext } from './context.ts';
import { readLogs } from './events.ts';
import { ArenaError } from '../../errors.ts';
import type { TranscriptCommitment } from '../transcript-commit.ts';

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

/** ChallengeStatus of the contract, by name (None is never returned: unknown ids throw or read null). */
export type ChallengeState = 'open' | 'answered' | 'disputed' | 'upheld' | 'cleared' | 'voided';
const STATES: Record<number, ChallengeState> = {
  1: 'open',
  2: 'answered',
  3: 'disputed',
  4: 'upheld',
  5: 'cleared',
  6: 'voided',
};

/** The states in which a challenge still holds its bond and counts against its trainer. */
export const UNSETTLED_STATES: readonly ChallengeState[] = ['open', 'answered', 'disputed'];
export const isUnsettled = (s: ChallengeState): boolean => UNSETTLED_STATES.includes(s);

export interface ChainMoment {
  block: bigint;
  /** Block timestamp, seconds. */
  time: bigint;
  tx: Hex;
}

/** A challenge as stored in the module (SPEC 7 and 8.4; docs/contracts.md, "Challenges"). */
export interface StoredChallenge {
  challengeId: bigint;
  taskId: bigint;
  submissionId: bigint;
  trainer: Address;
  challenger: Address;
  bond: bigint;
  /** The accused posts the ownership proof and the disclosure until this time, inclusive. */
  deadline: bigint;
  /**
   * 'open': waiting for the accused's proof and disclosure. 'answered': both are in; a segment may
   * be disputed until `disputeDeadline`. 'disputed': the validators' vote runs until `voteEnd`.
   * 'upheld': the accused failed (proof or disclosure missing, or the majority found the segment
   * does not replay) and forfeited to the challenger (and the jury). 'cleared': nobody disputed in
   * time, or the vote did not uphold: the bond went to the accused, less the jury's share.
   * 'voided': the accused had already forfeited in another challenge; the bond went back.
   */
  status: ChallengeState;
  /** The accused posted a valid ownership proof. */
  proven: boolean;
  /** The disclosed transcript manifest's content address (sha256), or null. */
  disclosure: Hex | null;
  /** Set once the response is complete: the last second a segment may be named. */
  disputeDeadline: bigint | null;
  /** Set once disputed: who named which segment, and the vote's windows. */
  dispute: { disputer: Address; segment: number; commitEnd: bigint; voteEnd: bigint } | null;
}

export interface ChallengeView extends StoredChallenge {
  opened: ChainMoment;
  /** When each stage happened (absent until it did). */
  proofAt?: ChainMoment;
  disclosedAt?: ChainMoment;
  answeredAt?: ChainMoment;
  disputedAt?: ChainMoment;
  /**
   * How it ended (absent while unsettled). Upheld: what the trainer forfeited; cleared: what the
   * trainer received. Both: the jury's share (0 without a majority).
   */
  settled?: ChainMoment & { rewards?: bigint; slashed?: bigint; toTrainer?: bigint; juryShare?: bigint };
}

export interface SubmissionView {
  submissionId: bigint;
  trainer: Address;
  epoch: number;
  duplicate: boolean;
  sealBlock: bigint;
  artifactHash: Hex;
  /** Where the artifact is: the sha2-256 digest of its UnixFS root CID (storage/unixfs/ref.ts). */
  artifactRoot: Hex;
  wmCommit: Hex;
  /** The training transcript its seal committed to (SPEC 8.2). */
  transcript: TranscriptCommitment;
  /** The unsettled challenge of it (at most one at a time), or null. */
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

/** Every revealed submission of the task, in id order, with its transcript and its unsettled challenge. */
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
  const [s, open] = await Promise.all([
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
    artifactRoot: s.artifactRoot,
    wmCommit: s.wmCommit,
    transcript: { trajRoot: s.trajRoot, segments: s.segments, startRoot: s.startRoot, startLeaf: s.startLeaf },
    openChallengeId: open === 0n ? null : open,
  };
}

/** The unsettled challenge of a submission, or null (ChallengeModule.openChallengeOf). */
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

/** One challenge as stored (no times: see readChallenges), at the latest block or at `blockNumber`; null if unknown. */
export async function readChallenge(
  ctx: ReadContext,
  challengeId: bigint,
  blockNumber?: bigint,
): Promise<StoredChallenge | null> {
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
    proven: c.proven,
    disclosure: c.disclosure === zeroHash ? null : c.disclosure,
    disputeDeadline: c.disputeDeadline === 0n ? null : c.disputeDeadline,
    dispute:
      c.disputer === zeroAddress
        ? null
        : { disputer: c.disputer, segment: c.segment, commitEnd: c.commitEnd, voteEnd: c.voteEnd },
  };
}

/** The task's challenges (oldest first) with their stages' times and outcomes. */
export async function readChallenges(
  ctx: ReadContext,
  p: { taskId: bigint; trainer?: Address },
): Promise<TaskChallenges> {
  const address = challengeModuleOf(ctx.deployment);
  const abi = challengeModuleAbi;
  const args = { taskId: p.taskId, ...(p.trainer ? { trainer: p.trainer } : {}) };
  const taskOnly = { taskId: p.taskId };
  // Logs and storage are read at one block (fresh, not viem's cached number), so a stage is
  // never shown without its time.
  const head = await ctx.publicClient.getBlockNumber({ cacheTime: 0 });
  const logs = (eventName: (typeof STAGE_EVENTS)[number], a: Record<string, unknown>) =>
    readLogs(ctx, { address, abi, eventName, args: a, toBlock: head });
  const [maxErr, opened, ...stages] = await Promise.all([
    readMaxErr(ctx),
    readLogs(ctx, { address, abi, eventName: 'ChallengeOpened', args, toBlock: head }),
    // SegmentDisputed is indexed by disputer, not trainer: read by task and matched by id.
    ...STAGE_EVENTS.map((name) => logs(name, name === 'SegmentDisputed' ? taskOnly : args)),
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
  const byId = new Map<
    bigint,
    Partial<Record<(typeof STAGE_EVENTS)[number], Log & { args: Record<string, unknown> }>>
  >();
  STAGE_EVENTS.forEach((eventName, i) => {
    for (const e of parseEventLogs({ abi, eventName, logs: stages[i]! })) {
      const id = (e.args as { challengeId: bigint }).challengeId;
      const entry = byId.get(id) ?? {};
      entry[eventName] = e as unknown as Log & { args: Record<string, unknown> };
      byId.set(id, entry);
    }
  });

  const challenges = await Promise.all(
    parseEventLogs({ abi, eventName: 'ChallengeOpened', logs: opened }).map(async (e): Promise<ChallengeView> => {
      const id = e.args.challengeId;
      const stored = (await readChallenge(ctx, id, head))!;
      const ev = byId.get(id) ?? {};
      const view: ChallengeView = { ...stored, opened: await moment(e) };
      if (ev.OwnershipProven) view.proofAt = await moment(ev.OwnershipProven);
      if (ev.TranscriptDisclosed) view.disclosedAt = await moment(ev.TranscriptDisclosed);
      if (ev.ChallengeAnswered) view.answeredAt = await moment(ev.ChallengeAnswered);
      if (ev.SegmentDisputed) view.disputedAt = await moment(ev.SegmentDisputed);
      const upheld = ev.ChallengeUpheld;
      const cleared = ev.ChallengeCleared;
      const voided = ev.ChallengeVoided;
      if (upheld) {
        const a = upheld.args as { rewards: bigint; slashed: bigint; juryShare: bigint };
        view.settled = { ...(await moment(upheld)), rewards: a.rewards, slashed: a.slashed, juryShare: a.juryShare };
      } else if (cleared) {
        const a = cleared.args as { toTrainer: bigint; juryShare: bigint };
        view.settled = { ...(await moment(cleared)), toTrainer: a.toTrainer, juryShare: a.juryShare };
      } else if (voided) view.settled = await moment(voided);
      return view;
    }),
  );
  return {
    maxErr,
    challenges: challenges.sort((a, b) => (a.challengeId < b.challengeId ? -1 : 1)),
  };
}

/** The stage and outcome events readChallenges reads, besides ChallengeOpened. */
const STAGE_EVENTS = [
  'OwnershipProven',
  'TranscriptDisclosed',
  'ChallengeAnswered',
  'SegmentDisputed',
  'ChallengeUpheld',
  'ChallengeCleared',
  'ChallengeVoided',
] as const;

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
