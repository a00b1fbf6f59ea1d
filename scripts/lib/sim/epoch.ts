// One scoring epoch of the simulation, window by window: trainers seal and reveal (submission
// phase), validators evaluate, draw the seed, commit and reveal their rows, the keeper finalizes
// in work-budgeted calls. Agents act by themselves when ticked; everyone else through the app's
// actions with its own key. Only the clock is moved by the run.
import { parseEventLogs, type Hex } from 'viem';
import { evaluationKey, type ColumnView } from '../../../src/lib/agents/validator/machine.ts';
import { rewardEngineAbi } from '../../../src/lib/chain/abi.generated.ts';
import {
  commitScores,
  drawEvalSeed,
  finalizeEpoch,
  randomSalt,
  revealScores,
  revealSubmission,
  sealSubmission,
} from '../../../src/lib/chain/actions/index.ts';
import { epochStart, windowTimes, type Window } from '../../../src/lib/chain/schedule.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { rootOfCid } from '../../../src/lib/storage/unixfs/ref.ts';
import { SCORE_UNIT } from '../../../src/lib/protocol/rewards.ts';
import { agentRow, committed, driveUntil, revealed, tickAll } from './agents.ts';
import { settleChallenges } from './challenges.ts';
import { SimError } from './errors.ts';
import { accuracyOn, duplicateModel, stealModel, type Model } from './models.ts';
import { inPool } from './pool.ts';
import { strategyRow, type EpochScene } from './scoring.ts';
import type { EpochRecord, World } from './world.ts';

/** Mines a block at `t` (or the next second when `t` has passed). */
export async function warp(w: World, t: bigint): Promise<void> {
  const now = await w.net.driver.now();
  await w.net.driver.warp(t > now ? t : now + 1n);
}

/** A quarter into `window` of `epoch`: room on both sides for the transactions sent in it. */
const into = (w: World, epoch: number, window: Exclude<Window, 'None'>, share = 0.02): bigint => {
  const t = windowTimes(w.schedule, epoch, window);
  if (!t) throw new SimError('sim-run', `epoch ${epoch} has no ${window} window`);
  return t.opens + BigInt(Math.floor(Number(t.closes - t.opens) * share));
};

const trainerOf = (w: World, address: string): number => {
  const a = w.net.byAddress.get(address.toLowerCase());
  if (!a || a.role !== 'trainer') throw new SimError('sim-run', `column of unknown trainer ${address}`);
  return a.index;
};

/** What every trainer submits in submission epoch `e` (adversaries copy last epoch's best). */
async function submissions(w: World, e: number): Promise<Map<number, Model>> {
  const out = new Map<number, Model>();
  const previous = w.epochs.at(-1);
  const best = previous?.best ?? null;
  const bestModel = best !== null ? w.submitted[e - 1]?.get(best) : undefined;
  for (const t of w.pop.trainers) {
    const id = {
      chainId: w.net.driver.deployment.chainId,
      taskId: w.taskId,
      address: w.net.trainers[t.index]!.address,
      key: w.keys[t.index]!,
    };
    if (t.role === 'honest' || t.role === 'freeRider') {
      out.set(t.index, w.trained.get(t.index)!);
    } else if (bestModel) {
      if (t.role === 'duplicate') out.set(t.index, duplicateModel(id, bestModel));
      else {
        // The thief takes the published bytes from the store, as anyone can once they are revealed.
        const published = await w.net.store.fetchVerified({ hash: bestModel.artifactHash, root: rootOf(bestModel) });
        const stolen = await stealModel(w.env, id, published, w.env.transcripts);
        w.thief = { victim: best, rewatermarkSteps: stolen.rewatermarkSteps, wrongBits: stolen.wrongBits };
        out.set(t.index, stolen);
      }
    }
  }
  for (const m of out.values())
    if (!w.quality.has(m.artifactHash)) w.quality.set(m.artifactHash, await accuracyOn(w.env, m, w.env.data.hidden));
  return out;
}

const roots = new WeakMap<Model, Hex>();
const rootOf = (m: Model): Hex => roots.get(m)!;

async function upload(w: World, m: Model): Promise<Hex> {
  let root = roots.get(m);
  if (!root) {
    const cid = await w.net.store.upload(m.artifact);
    if (cid !== (await fileCid(m.artifact)).toString()) throw new SimError('sim-run', 'the store answered another CID');
    roots.set(m, (root = rootOfCid(cid)));
  }
  return root;
}

/** Seal window, then reveal window: thief and duplicate reveal first (before their victim). */
async function sealAndReveal(w: World, e: number, subs: Map<number, Model>): Promise<void> {
  const order = [...subs.keys()];
  const salts = new Map<number, Hex>();
  await warp(w, into(w, e, 'Seal'));
  await inPool(order, w.config.concurrency, async (i) => {
    const m = subs.get(i)!;
    const salt = randomSalt();
    salts.set(i, salt);
    await sealSubmission(w.net.trainers[i]!.ctx, {
      taskId: w.taskId,
      artifactHash: m.artifactHash,
      wmCommit: m.wmCommit,
      transcript: m.transcript,
      salt,
    });
  });
  await warp(w, into(w, e, 'Reveal'));
  const copiers = order.filter((i) => w.pop.trainers[i]!.role === 'thief' || w.pop.trainers[i]!.role === 'duplicate');
  const reveal = async (i: number) => {
    const m = subs.get(i)!;
    const artifactRoot = await upload(w, m);
    await revealSubmission(w.net.trainers[i]!.ctx, {
      taskId: w.taskId,
      artifactHash: m.artifactHash,
      artifactRoot,
      wmCommit: m.wmCommit,
      transcript: m.transcript,
      salt: salts.get(i)!,
    });
  };
  for (const i of copiers) await reveal(i);
  await inPool(
    order.filter((i) => !copiers.includes(i)),
    w.config.concurrency,
    reveal,
  );
}

/** Ticks the agents until each has evaluated every column (and made its similarity hints). */
async function agentsEvaluate(w: World, e: number, columns: readonly ColumnView[], dataHash: Hex): Promise<void> {
  await driveUntil(
    w.agents,
    (a) =>
      columns.every((c) => {
        if (c.duplicate) return true;
        const ev = a.agent.state.evaluations[evaluationKey(c, dataHash)];
        if (!ev) return false;
        return ev.check !== 'ok' || !ev.predictions || a.agent.state.learning.hints[c.submissionId] !== undefined;
      }),
    `every column of epoch ${e} evaluated`,
  );
}

/** Score commit and reveal of every validator, the agents' rows checked against the shared honest row. */
async function score(
  w: World,
  e: number,
  columns: ColumnView[],
  dataHash: Hex,
  commitWindow: bigint,
  revealWindow: bigint,
) {
  await warp(w, commitWindow);
  // The first plain honest validator draws the seed (anyone may; agents find it drawn).
  const drawer = w.pop.validators.find((v) => v.role === 'honest' && !v.agent)!;
  const { seed } = await drawEvalSeed(w.net.validators[drawer.index]!.ctx, { taskId: w.taskId });
  const subset = { seed, size: w.config.evalSubsetSize };
  const honestRow = await w.shared.row(columns, dataHash, subset);
  const scene: EpochScene = {
    epoch: e,
    trainers: columns.map((c) => trainerOf(w, c.trainer)),
    columns,
    honestRow,
    previous: previousAggregates(w, e),
    seed: w.config.seed,
    friend: w.pop.friend,
  };
  const direct = w.pop.validators.filter((v) => !v.agent);
  const rows = new Map(
    direct.map((v) => [v.index, v.role === 'honest' ? honestRow : strategyRow(v.role, v.index, scene)]),
  );
  const salts = new Map<number, Hex>();
  await inPool(direct, w.config.concurrency, async (v) => {
    const salt = randomSalt();
    salts.set(v.index, salt);
    await commitScores(w.net.validators[v.index]!.ctx, {
      taskId: w.taskId,
      scores: rows.get(v.index)!,
      salt,
      epoch: e,
    });
  });
  await driveUntil(w.agents, (a) => committed(a, e), `scores of epoch ${e} committed`);
  await warp(w, revealWindow);
  await inPool(direct, w.config.concurrency, (v) =>
    revealScores(w.net.validators[v.index]!.ctx, {
      taskId: w.taskId,
      scores: rows.get(v.index)!,
      salt: salts.get(v.index)!,
    }),
  );
  await driveUntil(w.agents, (a) => revealed(a, e), `scores of epoch ${e} revealed`);
  let compared = 0;
  let differing = 0;
  for (const a of w.agents) {
    const row = agentRow(a, e)!;
    for (let i = 0; i < columns.length; i++) {
      compared += 1;
      if (row[i] !== honestRow[i]) differing += 1;
    }
  }
  return { seed, revealed: direct.length + w.agents.length, agentColumns: { compared, differing } };
}

/** Last finalized epoch's aggregates (units) by trainer index, as every validator can read them. */
function previousAggregates(w: World, e: number): Map<number, number> | undefined {
  const last = w.bookings.trainers.filter((b) => b.epoch === e - 1);
  return last.length === 0 ? undefined : new Map(last.map((b) => [b.index, b.aggregate]));
}

/** The keeper finalizes the epoch; its bookings are read from the receipts' events. */
async function finalize(w: World, e: number) {
  await warp(w, epochStart(w.schedule, e + 1) + 1n);
  const steps = await finalizeEpoch(w.net.keeper.ctx, { taskId: w.taskId });
  const last = steps.at(-1)!;
  if (last.epoch !== BigInt(e)) throw new SimError('sim-run', `finalized epoch ${last.epoch}, expected ${e}`);
  const validatorIndex = (a: string) => w.net.byAddress.get(a.toLowerCase())!.index;
  let best: number | null = null;
  for (const s of steps) {
    for (const ev of parseEventLogs({ abi: rewardEngineAbi, logs: s.receipt.logs })) {
      if (ev.eventName === 'TrainerRewarded') {
        const index = trainerOf(w, ev.args.trainer);
        const rank = Number(ev.args.rank);
        if (rank === 1) best = index;
        w.bookings.trainers.push({
          epoch: e,
          index,
          pool: ev.args.pool,
          own: ev.args.own,
          aggregate: Number(ev.args.aggregate / SCORE_UNIT),
          rank,
        });
      } else if (ev.eventName === 'ValidatorRewarded') {
        w.bookings.validators.push({
          epoch: e,
          index: validatorIndex(ev.args.validator),
          pool: ev.args.pool,
          own: ev.args.own,
          aggregate: 0,
          rank: 0,
        });
      }
    }
  }
  return {
    booked: last.booked ?? 0n,
    rollover: last.rollover ?? 0n,
    degenerate: last.degenerate ?? false,
    calls: steps.length,
    best,
  };
}

export async function playSubmissionEpoch(w: World, e: number): Promise<EpochRecord> {
  const started = performance.now();
  w.net.ledger.phase = `epoch ${e}`;
  const subs = await submissions(w, e);
  w.submitted[e] = subs;
  await sealAndReveal(w, e, subs);
  const columns = await w.reader.columns(e);
  const dataHash = w.env.data.eval;
  await Promise.all([
    Promise.all(columns.filter((c) => !c.duplicate).map((c) => w.shared.evaluate(c, dataHash))),
    agentsEvaluate(w, e, columns, dataHash),
  ]);
  // A hint above the threshold is acted on in the agent's next step: the challenge is sent.
  await tickAll(w.agents, 2);
  // Challenges the agents opened in the reveal window are answered and settled before scores.
  await settleChallenges(w, e);
  return scoreAndFinalize(w, e, 'submission', columns, dataHash, started);
}

/** Every validator scores the epoch's columns on `dataHash`, then the keeper finalizes it. */
async function scoreAndFinalize(
  w: World,
  e: number,
  phase: EpochRecord['phase'],
  columns: Awaited<ReturnType<World['reader']['columns']>>,
  dataHash: Hex,
  started: number,
): Promise<EpochRecord> {
  const s = await score(w, e, columns, dataHash, into(w, e, 'ScoreCommit'), into(w, e, 'ScoreReveal'));
  const f = await finalize(w, e);
  return {
    epoch: e,
    phase,
    columns: columns.length,
    revealed: s.revealed,
    seed: s.seed,
    booked: f.booked,
    rollover: f.rollover,
    degenerate: f.degenerate,
    finalizeCalls: f.calls,
    agentColumns: s.agentColumns,
    wallSeconds: (performance.now() - started) / 1000,
    best: f.best,
  };
}

/** The final phase scores every trainer's latest submission on the hidden set the creator reveals. */
export async function playFinalEpoch(w: World, e: number, revealHidden: () => Promise<void>): Promise<EpochRecord> {
  const started = performance.now();
  w.net.ledger.phase = `epoch ${e} (final)`;
  await warp(w, epochStart(w.schedule, e) + 10n);
  await revealHidden();
  const columns = await w.reader.columns(e);
  const dataHash = w.env.data.hidden;
  await Promise.all(columns.filter((c) => !c.duplicate).map((c) => w.shared.evaluate(c, dataHash)));
  // The final phase's commit window opens with the epoch: the agents evaluate there.
  return scoreAndFinalize(w, e, 'final', columns, dataHash, started);
}
