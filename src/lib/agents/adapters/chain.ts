// ChainPort over the protocol actions (src/lib/chain/actions): writes go through the actions
// (and so through whatever Sender the app configured: the transaction tracker, a dev account),
// reads are direct view calls. Failures become PortErrors that say whether trying again can help.
import { parseEventLogs, zeroHash, type Hex } from 'viem';
import { rewardEngineAbi, submissionBookAbi, taskRegistryAbi } from '../../chain/abi.generated.ts';
import {
  ActionInputError,
  FINAL_EVAL_STATES,
  chainTime,
  eligibleEpoch,
  ChallengesUnavailableError,
  discloseTranscript,
  drawEvalSeed,
  joinTask,
  readChallenges,
  readSubmission,
  respondChallenge,
  readEvalSeed,
  readLogs,
  readPool,
  revealScores,
  revealSubmission,
  sendScores,
  sendSeal,
  type ActionContext,
} from '../../chain/actions/index.ts';
import { TxError } from '../../chain/tx/errors.ts';
import { CHAIN_ROLES } from '../common.ts';
import {
  PortError,
  type ChainPort,
  type EpochOutcomeView,
  type PoolView,
  type TaskInfo,
  type TxResult,
} from '../ports.ts';
import type { ColumnView } from '../validator/machine.ts';
import type { ChallengeObservation } from '../trainer/challenges.ts';
import type { SubmissionView } from '../../chain/actions/read-challenges.ts';

/** A TxError or ActionInputError as the port's error, keeping whether it is worth another try. */
export function chainPortError(error: unknown): unknown {
  if (error instanceof PortError) return error;
  if (error instanceof TxError || error instanceof ActionInputError)
    return new PortError('chain', error.code, error.message, error.retryable, { cause: error });
  return error;
}

async function write<T extends { receipt: { transactionHash: Hex } }>(run: () => Promise<T>): Promise<TxResult> {
  try {
    return { txHash: (await run()).receipt.transactionHash };
  } catch (e) {
    throw chainPortError(e);
  }
}

export function actionsChainPort(ctx: ActionContext, taskId: bigint): ChainPort {
  const account = ctx.wallet.account.address;
  const { taskRegistry, submissionBook, rewardEngine } = ctx.deployment.contracts;
  const read = ctx.publicClient;
  // Artifact hash, root and wmCommit of a submission never change once revealed.
  const submissions = new Map<number, { artifactHash: Hex; artifactRoot: Hex; wmCommit: Hex }>();
  // Nor does what a challenged submission is.
  const challenged = new Map<bigint, SubmissionView>();

  return {
    account,
    taskId,
    now: () => chainTime(ctx),

    async task(): Promise<TaskInfo> {
      const t = await read.readContract({
        address: taskRegistry,
        abi: taskRegistryAbi,
        functionName: 'getTask',
        args: [taskId],
      });
      return {
        schedule: { ...t.schedule },
        modelSpec: t.modelSpec,
        trainData: t.trainData,
        evalData: t.evalData,
        evalSubsetSize: Number(t.evalSubsetSize),
        minStake: { trainer: t.stakeRules.minTrainerStake, validator: t.stakeRules.minValidatorStake },
        rules: {
          minScore: t.reward.minScore,
          floorBps: Number(t.reward.floorBps),
          tolV: t.reward.tolV,
          minValidators: Number(t.reward.minValidators),
        },
      };
    },

    async pool(): Promise<PoolView> {
      const p = await readPool(ctx, taskId, account);
      const role = CHAIN_ROLES[p.role];
      if (role === undefined)
        throw new PortError('chain', 'abi', `unknown role ${p.role} from the stake manager`, false);
      return {
        role,
        keyCommit: p.keyCommit === zeroHash ? null : p.keyCommit,
        eligibleFrom: role === 'None' ? null : eligibleEpoch(p.eligibleFrom),
        excluded: p.excluded,
      };
    },

    async seal(epoch) {
      const s = await read.readContract({
        address: submissionBook,
        abi: submissionBookAbi,
        functionName: 'getSeal',
        args: [taskId, BigInt(epoch), account],
      });
      return { commitment: s.commitment, revealed: s.revealed };
    },

    async scoreCommit(epoch) {
      const [commitment, revealed] = await Promise.all([
        read.readContract({
          address: submissionBook,
          abi: submissionBookAbi,
          functionName: 'scoreCommitOf',
          args: [taskId, BigInt(epoch), account],
        }),
        read.readContract({
          address: submissionBook,
          abi: submissionBookAbi,
          functionName: 'scoresRevealed',
          args: [taskId, BigInt(epoch), account],
        }),
      ]);
      return { commitment, revealed };
    },

    async columns(epoch): Promise<ColumnView[]> {
      const cols = await read.readContract({
        address: submissionBook,
        abi: submissionBookAbi,
        functionName: 'columns',
        args: [taskId, BigInt(epoch)],
      });
      return Promise.all(
        cols.map(async (c) => {
          const id = Number(c.submissionId);
          let sub = submissions.get(id);
          if (!sub) {
            const s = await read.readContract({
              address: submissionBook,
              abi: submissionBookAbi,
              functionName: 'getSubmission',
              args: [taskId, BigInt(c.submissionId)],
            });
            sub = { artifactHash: s.artifactHash, artifactRoot: s.artifactRoot, wmCommit: s.wmCommit };
            submissions.set(id, sub);
          }
          return {
            submissionId: id,
            trainer: c.trainer,
            artifactHash: sub.artifactHash,
            artifactRoot: sub.artifactRoot,
            wmCommit: sub.wmCommit,
            duplicate: c.duplicate,
          };
        }),
      );
    },

    async finalEval() {
      const [status, task] = await Promise.all([
        read.readContract({
          address: taskRegistry,
          abi: taskRegistryAbi,
          functionName: 'finalEvalStatus',
          args: [taskId],
        }),
        read.readContract({ address: taskRegistry, abi: taskRegistryAbi, functionName: 'getTask', args: [taskId] }),
      ]);
      const name = FINAL_EVAL_STATES[status] ?? 'None';
      return { status: name, hash: name === 'Revealed' ? task.finalEvalHash : null };
    },

    evalSeed: (epoch) => readEvalSeed(ctx, { taskId, epoch }),

    async epochOutcome(epoch): Promise<EpochOutcomeView> {
      const e = BigInt(epoch);
      const t = await read.readContract({
        address: taskRegistry,
        abi: taskRegistryAbi,
        functionName: 'getTask',
        args: [taskId],
      });
      if (Number(t.closedEpochs) <= epoch)
        return { finalized: false, degenerate: false, validators: 0, own: null, best: null };
      const [trainerLogs, finalLogs, revealers] = await Promise.all([
        readLogs(ctx, {
          address: rewardEngine,
          abi: rewardEngineAbi,
          eventName: 'TrainerRewarded',
          args: { taskId, epoch: e },
        }),
        readLogs(ctx, {
          address: rewardEngine,
          abi: rewardEngineAbi,
          eventName: 'EpochFinalized',
          args: { taskId, epoch: e },
        }),
        read.readContract({
          address: submissionBook,
          abi: submissionBookAbi,
          functionName: 'revealerCount',
          args: [taskId, e],
        }),
      ]);
      const rewarded = parseEventLogs({ abi: rewardEngineAbi, eventName: 'TrainerRewarded', logs: trainerLogs });
      const [finalized] = parseEventLogs({ abi: rewardEngineAbi, eventName: 'EpochFinalized', logs: finalLogs });
      const mine = rewarded.find((r) => r.args.trainer.toLowerCase() === account.toLowerCase());
      const best = rewarded.reduce<bigint | null>(
        (b, r) => (b === null || r.args.aggregate > b ? r.args.aggregate : b),
        null,
      );
      return {
        finalized: true,
        degenerate: finalized?.args.degenerate ?? false,
        validators: Number(revealers),
        own: mine
          ? {
              submissionId: Number(mine.args.submissionId),
              rank: Number(mine.args.rank),
              aggregate: mine.args.aggregate,
              pool: mine.args.pool,
            }
          : null,
        best,
      };
    },

    join: (role, amount, sigma, keyCommit) =>
      write(() =>
        joinTask(ctx, {
          taskId,
          role: role === 'Trainer' ? 'trainer' : 'validator',
          amount,
          sigma,
          ...(role === 'Trainer' ? { keyCommit } : {}),
        }),
      ),

    // The machine prepared the commitment (prepareSeal) and stored it with its salt: sent as it is.
    sealSubmission: (p) =>
      write(() =>
        sendSeal(ctx, {
          taskId,
          epoch: p.epoch,
          trainer: account,
          artifactHash: p.artifactHash,
          commitment: p.commitment,
        }),
      ),

    revealSubmission: (p) =>
      write(() =>
        revealSubmission(ctx, {
          taskId,
          artifactHash: p.artifactHash,
          artifactRoot: p.artifactRoot,
          wmCommit: p.wmCommit,
          transcript: p.transcript,
          salt: p.salt,
        }),
      ),

    commitScores: (p) =>
      write(() =>
        sendScores(ctx, { taskId, epoch: p.epoch, validator: account, scores: p.scores, commitment: p.commitment }),
      ),

    revealScores: (p) => write(() => revealScores(ctx, { taskId, scores: p.scores, salt: p.salt })),

    async drawEvalSeed(epoch) {
      try {
        const r = await drawEvalSeed(ctx, { taskId });
        // The chain's window decides the epoch; a mismatch means the machine's clock was stale.
        if (r.epoch !== epoch)
          throw new PortError(
            'chain',
            'wrong-epoch',
            `the chain is in epoch ${r.epoch}, not ${epoch}; nothing was drawn for ${epoch}`,
            true,
          );
        return { txHash: r.receipt?.transactionHash ?? null, seed: r.seed, drew: r.drew };
      } catch (e) {
        throw chainPortError(e);
      }
    },

    async challenges(): Promise<ChallengeObservation[]> {
      let all;
      try {
        all = (await readChallenges(ctx, { taskId, trainer: account })).challenges;
      } catch (e) {
        if (e instanceof ChallengesUnavailableError) return [];
        throw chainPortError(e);
      }
      return Promise.all(
        all.map(async (c) => {
          let sub = challenged.get(c.submissionId);
          if (!sub) {
            const read = await readSubmission(ctx, taskId, c.submissionId);
            if (!read)
              throw new PortError(
                'chain',
                'abi',
                `challenge ${c.challengeId} names unknown submission ${c.submissionId}`,
                false,
              );
            challenged.set(c.submissionId, (sub = read));
          }
          return {
            challengeId: c.challengeId,
            submissionId: Number(c.submissionId),
            epoch: sub.epoch,
            artifactHash: sub.artifactHash,
            transcript: sub.transcript,
            status: c.status,
            proven: c.proven,
            disclosure: c.disclosure,
            deadline: c.deadline,
          };
        }),
      );
    },

    respondChallenge: (challengeId, proof) => write(() => respondChallenge(ctx, { challengeId, proof })),

    discloseTranscript: (challengeId, manifest) => write(() => discloseTranscript(ctx, { challengeId, manifest })),
  };
}
