// ChallengePort over the protocol actions (src/lib/chain/actions): the validator agent's reads
// and writes in the learning stage of challenges (SPEC 7, 8.4). Writes go through the actions, so
// the chain's rules are checked there before any wallet prompt (one open challenge per
// submission, the dispute and vote windows, juror weight); failures become PortErrors that say
// whether trying again can help.
import { zeroHash, type Hex } from 'viem';
import { arenaTokenAbi, taskRegistryAbi } from '../../chain/abi.generated.ts';
import {
  challenge,
  claimJuryShare,
  commitVerdict,
  disputeSegment,
  readChallenges,
  readJurorWeight,
  readJuryShare,
  readPool,
  readSubmission,
  readTally,
  readVote,
  revealVerdict,
  type ActionContext,
} from '../../chain/actions/index.ts';
import { PortError, type ChallengePort, type TxResult } from '../ports.ts';
import type { ChallengeObs } from '../validator/learning.ts';
import { chainPortError } from './chain.ts';

async function write<T extends { receipt: { transactionHash: Hex } }>(run: () => Promise<T>): Promise<TxResult> {
  try {
    return { txHash: (await run()).receipt.transactionHash };
  } catch (e) {
    throw chainPortError(e);
  }
}

export function actionsChallengePort(ctx: ActionContext, taskId: bigint): ChallengePort {
  const account = ctx.wallet.account.address;
  const read = ctx.publicClient;
  return {
    async challenges(): Promise<ChallengeObs[]> {
      const { challenges } = await readChallenges(ctx, { taskId });
      return Promise.all(
        challenges.map(async (c): Promise<ChallengeObs> => {
          const disputed = c.dispute !== null;
          const [vote, tally, share] = disputed
            ? await Promise.all([
                readVote(ctx, c.challengeId, account),
                readTally(ctx, c.challengeId),
                readJuryShare(ctx, c.challengeId, account),
              ])
            : [null, null, 0n];
          return {
            challengeId: c.challengeId.toString(),
            submissionId: Number(c.submissionId),
            trainer: c.trainer,
            challenger: c.challenger,
            status: c.status,
            disclosure: c.disclosure,
            disputeDeadline: c.disputeDeadline,
            dispute: c.dispute,
            vote: {
              committed: vote !== null && vote.commitment !== zeroHash,
              verdict: vote?.verdict ?? null,
              claimed: vote?.claimed ?? false,
            },
            majority: tally?.majority ?? null,
            share,
          };
        }),
      );
    },

    async terms() {
      const [params, balance, jurorWeight] = await Promise.all([
        read.readContract({
          address: ctx.deployment.contracts.taskRegistry,
          abi: taskRegistryAbi,
          functionName: 'challengeParams',
          args: [taskId],
        }),
        read.readContract({
          address: ctx.deployment.contracts.token,
          abi: arenaTokenAbi,
          functionName: 'balanceOf',
          args: [account],
        }),
        readJurorWeight(ctx, taskId, account),
      ]);
      return { bond: params.bond, balance, jurorWeight };
    },

    async submission(submissionId) {
      const s = await readSubmission(ctx, taskId, BigInt(submissionId));
      if (s === null)
        throw new PortError('chain', 'unknown-submission', `task ${taskId} has no submission ${submissionId}`, false);
      const pool = await readPool(ctx, taskId, s.trainer);
      return {
        trainer: s.trainer,
        artifactHash: s.artifactHash,
        artifactRoot: s.artifactRoot,
        transcript: s.transcript,
        keyCommit: pool.keyCommit === zeroHash ? null : pool.keyCommit,
      };
    },

    async challenge(submissionId) {
      try {
        const r = await challenge(ctx, { taskId, submissionId: BigInt(submissionId) });
        return { challengeId: r.challengeId, txHash: r.receipt.transactionHash };
      } catch (e) {
        throw chainPortError(e);
      }
    },
    disputeSegment: (challengeId, segment) => write(() => disputeSegment(ctx, { challengeId, segment })),
    commitVerdict: (challengeId, replays, salt) => write(() => commitVerdict(ctx, { challengeId, replays, salt })),
    revealVerdict: (challengeId, replays, salt) => write(() => revealVerdict(ctx, { challengeId, replays, salt })),
    claimJuryShare: (challengeId) => write(() => claimJuryShare(ctx, { challengeId })),
  };
}
