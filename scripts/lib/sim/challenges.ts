// Challenges in the simulation (SPEC 7, 8.4). The agents open them by themselves (similarity hint
// above the threshold), replay disclosed transcripts, dispute a failing segment and vote. The
// accused answers as the trainer agent does: an ownership proof with its own key (the same
// proving path, ownershipProverPort), then the disclosure of the challenged submission's
// transcript. The keeper resolves each challenge once its stage is over; the clock moves only to
// the deadlines the module set.
import type { TranscriptCheckProgress } from '../../../src/lib/agents/transcript-check.ts';
import { ownershipProverPort } from '../../../src/lib/agents/adapters/prover.ts';
import { uploadDisclosure } from '../../../src/lib/agents/disclosure.ts';
import { segmentToDispute } from '../../../src/lib/agents/validator/learning.ts';
import {
  discloseTranscript,
  isUnsettled,
  readChallenges,
  readSubmission,
  resolveChallenge,
  respondChallenge,
  type ChallengeView,
} from '../../../src/lib/chain/actions/index.ts';
import { WatermarkDoesNotDecodeError } from '../../../src/lib/zk/errors.ts';
import { driveUntil, tickAll, type AgentValidator } from './agents.ts';
import { SimError } from './errors.ts';
import type { Model } from './models.ts';
import type { ChallengeRecord, World } from './world.ts';

const MAX_ROUNDS = 40;

const indexOf = (w: World, address: string): number => {
  const a = w.net.byAddress.get(address.toLowerCase());
  if (!a) throw new SimError('sim-run', `unknown participant ${address}`);
  return a.index;
};

function modelOf(w: World, trainer: number, artifactHash: string): Model | null {
  for (const subs of w.submitted) {
    const m = subs?.get(trainer);
    if (m && m.artifactHash.toLowerCase() === artifactHash.toLowerCase()) return m;
  }
  return null;
}

/** The accused answers: proof (if its key decodes the model), then its transcript (if it has one). */
async function answer(w: World, c: ChallengeView, record: ChallengeRecord): Promise<void> {
  const i = record.trainer;
  const account = w.net.trainers[i]!;
  const key = w.keys[i]!;
  const sub = await readSubmission(w.net.keeper.ctx, w.taskId, c.submissionId);
  const model = sub ? modelOf(w, i, sub.artifactHash) : null;
  const started = performance.now();
  try {
    const proof = await ownershipProverPort(account.ctx, w.ownership, account.address).proveOwnership({
      challengeId: c.challengeId,
      key,
    });
    record.proofSeconds = (performance.now() - started) / 1000;
    await respondChallenge(account.ctx, { challengeId: c.challengeId, proof });
  } catch (e) {
    // A copy that still carries its owner's watermark: this key cannot prove it (SPEC 7 step 1).
    if (!(e instanceof WatermarkDoesNotDecodeError)) throw e;
    w.log(`challenge ${c.challengeId}: ${w.pop.trainers[i]!.label} cannot prove ownership (${e.message})`);
  }
  if (model?.transcriptId) {
    const { manifest } = await uploadDisclosure(w.net.store, w.env.transcripts, model.transcriptId, key);
    await discloseTranscript(account.ctx, { challengeId: c.challengeId, manifest });
  }
}

const finished = (p: TranscriptCheckProgress | undefined): p is TranscriptCheckProgress =>
  p !== undefined && (p.status === 'fails' || p.status === 'problem' || p.status === 'replays');

/** The challenger agent has checked the whole disclosure and disputed, or found nothing to dispute. */
function challengerDone(a: AgentValidator, id: bigint): boolean {
  const check = a.agent.state.learning.checks[`${id}/whole`];
  if (!finished(check)) return false;
  return segmentToDispute(check) === null || a.agent.state.learning.disputes[String(id)]?.status === 'sent';
}

const verdictIs = (a: AgentValidator, id: bigint, statuses: readonly string[]) => {
  const v = a.agent.state.learning.verdicts[String(id)];
  return v !== undefined && (statuses.includes(v.status) || v.halted !== null);
};

async function resolve(w: World, c: ChallengeView, record: ChallengeRecord): Promise<void> {
  const r = await resolveChallenge(w.net.keeper.ctx, { challengeId: c.challengeId });
  record.outcome = r.outcome;
  if (r.outcome === 'upheld') {
    record.forfeited = r.rewards;
    record.slashed = r.slashed;
  } else if (r.outcome === 'cleared') {
    record.toTrainer = r.toTrainer;
  }
}

function newRecord(w: World, c: ChallengeView, epoch: number): ChallengeRecord {
  const challenger = w.agents.find((a) => a.account.address.toLowerCase() === c.challenger.toLowerCase());
  const hint = challenger?.agent.state.learning.challenges[String(c.submissionId)]?.hint;
  const record: ChallengeRecord = {
    challengeId: c.challengeId,
    epoch,
    trainer: indexOf(w, c.trainer),
    challenger: indexOf(w, c.challenger),
    probes: hint?.probes ?? null,
    answered: false,
    disputedSegment: null,
    outcome: 'open',
    proofSeconds: 0,
    forfeited: 0n,
    slashed: 0n,
    toTrainer: 0n,
  };
  w.log(
    `challenge ${c.challengeId}: ${w.pop.validators[record.challenger]!.label} challenges ${w.pop.trainers[record.trainer]!.label}'s submission ${c.submissionId}${record.probes !== null ? ` (probe agreement ${record.probes.toFixed(3)})` : ''}`,
  );
  return record;
}

/** When the challenge's current stage ends (what the clock moves to when nothing else is left to do). */
function stageEnd(c: ChallengeView, now: bigint): bigint {
  if (c.status === 'open') return c.deadline + 1n;
  if (c.status === 'answered') return c.disputeDeadline! + 1n;
  const d = c.dispute!;
  return now < d.commitEnd ? d.commitEnd : d.voteEnd + 1n;
}

/**
 * Answers, replays, disputes, votes and resolves every unsettled challenge of the task. Each
 * round does what can be done at the current time for every challenge; only when nothing is
 * left does the clock move, to the earliest end of a stage.
 */
export async function settleChallenges(w: World, epoch: number): Promise<void> {
  const answered = new Set<bigint>();
  const agentOf = (address: string) => w.agents.find((a) => a.account.address.toLowerCase() === address.toLowerCase());
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { challenges } = await readChallenges(w.net.keeper.ctx, { taskId: w.taskId });
    const unsettled = challenges.filter((c) => isUnsettled(c.status));
    if (unsettled.length === 0) return;
    const now = await w.net.driver.now();
    let acted = false;
    for (const c of unsettled) {
      let record = w.challenges.find((r) => r.challengeId === c.challengeId);
      if (!record) w.challenges.push((record = newRecord(w, c, epoch)));
      const challenger = agentOf(c.challenger);
      if (c.status === 'open') {
        if (!answered.has(c.challengeId) && now <= c.deadline) {
          answered.add(c.challengeId);
          await answer(w, c, record);
          acted = true;
        } else if (now > c.deadline) {
          await resolve(w, c, record);
          acted = true;
        }
      } else if (c.status === 'answered') {
        record.answered = true;
        if (challenger && !challengerDone(challenger, c.challengeId)) {
          await driveUntil(
            [challenger],
            (a) => challengerDone(a, c.challengeId),
            `the check of challenge ${c.challengeId}`,
          );
          acted = true;
        } else if (now > c.disputeDeadline!) {
          await resolve(w, c, record);
          acted = true;
        }
      } else {
        record.answered = true;
        const d = c.dispute!;
        record.disputedSegment = d.segment;
        const statuses =
          now < d.commitEnd ? ['committed', 'revealed', 'claimed', 'missed'] : ['revealed', 'claimed', 'missed'];
        if (now <= d.voteEnd && !w.agents.every((a) => verdictIs(a, c.challengeId, statuses))) {
          await driveUntil(
            w.agents,
            (a) => verdictIs(a, c.challengeId, statuses),
            `verdicts on challenge ${c.challengeId}`,
          );
          acted = true;
        } else if (now > d.voteEnd) {
          await resolve(w, c, record);
          acted = true;
        }
      }
    }
    if (acted) {
      // The agents see what moved (a dispute to vote on, a jury share to claim).
      await tickAll(w.agents);
      continue;
    }
    const next = unsettled.map((c) => stageEnd(c, now)).reduce((a, b) => (a < b ? a : b));
    await w.net.driver.warp(next > now ? next : now + 1n);
  }
  throw new SimError('sim-run', `challenges still unsettled after ${MAX_ROUNDS} rounds`);
}
