// The app's chain reads (src/lib/chain/reads) against a real anvil with a played task: the task
// record equals the contracts' views, the incremental log scan finds exactly the events the
// receipts carried (decoded independently by viem), its chunking and reset detection change
// nothing, and the summaries equal numbers worked out here from the scores played. Content is
// read from the local stack's real blob store.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEventLogs, type Abi, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicContentFiles, seedFiles, startBlobStore, type BlobStore } from '../../scripts/lib/blob-store/index.ts';
import { demoHashes } from '../../scripts/lib/demo-content.ts';
import { launchArena, type Driver } from '../../scripts/lib/driver.ts';
import * as abis from '../../src/lib/chain/abi.generated.ts';
import { epochResults, scoreSeries, taskActivity } from '../../src/lib/chain/reads/activity.ts';
import { WAD } from '../../src/lib/protocol/wad.ts';
import { gatewayFetcher, readDatasetManifest, readModelSpec } from '../../src/lib/chain/reads/content.ts';
import { BlobNotFoundError, CidMismatchError } from '../../src/lib/storage/cas/errors.ts';
import { emptyEventLog, syncEventLog, type EventLog } from '../../src/lib/chain/reads/event-log.ts';
import { READ_EVENTS, type ArenaEvent } from '../../src/lib/chain/reads/events.ts';
import { readTaskIds, readTaskRecord } from '../../src/lib/chain/reads/task-record.ts';
import { weightedMedian } from '../../src/lib/protocol/median.ts';
import {
  EPOCH_LENGTH,
  EVAL_SUBSET_SIZE,
  PLAYERS,
  playTask,
  REWARD_PER_EPOCH,
  SCORES,
  type PlayedTask,
} from './support/played-task.ts';

const ALL_ABIS = [
  abis.taskRegistryAbi,
  abis.stakeManagerAbi,
  abis.submissionBookAbi,
  abis.rewardEngineAbi,
].flat() as Abi;
const SCORE_UNIT = 10n ** 14n;

let d: Driver;
let played: PlayedTask;
let head: { number: bigint; hash: Hex };
let full: EventLog;

beforeAll(async () => {
  d = await launchArena();
  played = await playTask(d);
  const block = await d.client.getBlock({ blockTag: 'latest' });
  head = { number: block.number, hash: block.hash };
  full = await syncEventLog(d.client, d.deployment.contracts, emptyEventLog(d.deployment.fromBlock), head);
}, 180_000);

afterAll(() => d?.stop());

/** The receipts' logs of the events the app reads, decoded by viem, as comparable strings. */
function fromReceipts(): string[] {
  const kinds = new Set(Object.keys(READ_EVENTS));
  return played.receipts
    .flatMap((r) => parseEventLogs({ abi: ALL_ABIS, logs: r.logs }))
    .filter((l) => kinds.has(l.eventName))
    .map((l) => `${l.blockNumber}:${l.logIndex}:${l.eventName}:${(l.args as { taskId: bigint }).taskId}`);
}
const keyOf = (e: ArenaEvent) => `${e.block}:${e.logIndex}:${e.kind}:${e.taskId}`;

describe('task record', () => {
  it('equals the contracts views', async () => {
    expect(await readTaskIds(d.client, d.deployment)).toEqual([played.taskId]);
    const t = await readTaskRecord(d.client, d.deployment, played.taskId);
    const raw = await d.client.readContract({
      address: d.c.taskRegistry,
      abi: abis.taskRegistryAbi,
      functionName: 'getTask',
      args: [played.taskId],
    });
    expect(t.creator).toBe(PLAYERS.creator);
    expect(t.phase).toBe('Submission');
    expect(t.schedule).toEqual(played.schedule);
    expect(t.modelSpec).toBe(demoHashes().modelSpec);
    expect(t.trainData).toBe(demoHashes().trainData);
    expect(t.rewardPerEpoch).toBe(REWARD_PER_EPOCH);
    expect(t.deposit).toBe(REWARD_PER_EPOCH * 4n);
    expect(t.paid).toBe(raw.paid);
    expect(t.paid).toBeGreaterThan(0n);
    expect(t.closedEpochs).toBe(2);
    expect(t.finalEval).toBe('Pending');
    expect(t.finalEvalHash).toBeNull();
    expect(t.trainers).toEqual(PLAYERS.trainers);
    expect(t.validators).toEqual(PLAYERS.validators);
    expect(t.submissions).toBe(9);
    expect(t.stakeRules.minTrainerStake).toBe(WAD);
    expect(t.reward.gamma).toBe(7n * 10n ** 17n);
    expect(t.reward).toEqual({ ...raw.reward, floorBps: 5_000, minValidators: 2 });
    expect(t.evalSubsetSize).toBe(EVAL_SUBSET_SIZE);
  });
});

describe('event log', () => {
  it('finds exactly the events the receipts carried', () => {
    expect(full.toBlock).toBe(head.number);
    expect(full.toBlockHash).toBe(head.hash);
    expect(full.events.map(keyOf)).toEqual(fromReceipts());
    const kinds = full.events.reduce<Record<string, number>>((n, e) => ({ ...n, [e.kind]: (n[e.kind] ?? 0) + 1 }), {});
    expect(kinds).toEqual({
      Delegated: 3,
      SubmissionRevealed: 9,
      EvalSeedDrawn: 2,
      ScoresRevealed: 4,
      EpochScored: 2,
      TrainerRewarded: 6,
      ValidatorRewarded: 4,
      EpochClosed: 2,
      EpochFinalized: 2,
    });
  });

  it('gives the same events when read in small chunks or in two steps', async () => {
    const chunked = await syncEventLog(d.client, d.deployment.contracts, emptyEventLog(d.deployment.fromBlock), head, {
      maxRange: 7n,
    });
    expect(chunked.events).toEqual(full.events);
    const mid = (d.deployment.fromBlock + head.number) / 2n;
    const midBlock = await d.client.getBlock({ blockNumber: mid });
    const first = await syncEventLog(d.client, d.deployment.contracts, emptyEventLog(d.deployment.fromBlock), {
      number: mid,
      hash: midBlock.hash,
    });
    expect(first.toBlock).toBe(mid);
    expect(first.events.length).toBeLessThan(full.events.length);
    const second = await syncEventLog(d.client, d.deployment.contracts, first, head);
    expect(second.events).toEqual(full.events);
    // Nothing new: the same log comes back.
    expect(await syncEventLog(d.client, d.deployment.contracts, second, head)).toBe(second);
  });

  it('starts over when the last scanned block is not on the chain any more', async () => {
    const forged: EventLog = { ...full, toBlock: head.number - 1n, toBlockHash: `0x${'ab'.repeat(32)}`, events: [] };
    const again = await syncEventLog(d.client, d.deployment.contracts, forged, head);
    expect(again.events).toEqual(full.events);
    const ahead: EventLog = { ...full, toBlock: head.number + 100n, events: [] };
    expect((await syncEventLog(d.client, d.deployment.contracts, ahead, head)).events).toEqual(full.events);
  });
});

describe('activity', () => {
  it('counts the paper Table 1 columns and the rewards booked', () => {
    const a = taskActivity(full.events, played.taskId);
    expect(a.delegators).toBe(2);
    expect(a.validationSubmissions).toBe(4);
    expect(a.finalizedEpochs).toBe(2);
    expect(a.degenerateEpochs).toBe(0);
    // Everyone qualified and every validator was within the tolerance: nothing rolled over.
    expect(a.rolledOver).toBe(0n);
    expect(a.trainerRewards.rewarded).toBe(3);
    expect(a.validatorRewards.rewarded).toBe(2);
    const booked = full.events
      .filter((e) => e.kind === 'EpochFinalized')
      .reduce((n, e) => n + (e.kind === 'EpochFinalized' ? e.booked : 0n), 0n);
    expect(a.trainerRewards.total + a.validatorRewards.total).toBe(booked);
    expect(booked).toBeLessThanOrEqual(REWARD_PER_EPOCH * 2n);
    expect(booked).toBeGreaterThan(REWARD_PER_EPOCH * 2n - 1_000_000n);
    expect(taskActivity(full.events, played.taskId + 1n).validationSubmissions).toBe(0);
  });

  it('ranks each epoch by the stake-weighted median the played scores give', () => {
    const results = epochResults(full.events, played.taskId, 4);
    // Validator stakes: 300 own + 100 delegated, and 200.
    const stakes = [400n, 200n];
    for (const epoch of [0, 1]) {
      const r = results[epoch]!;
      expect(r.finalized).toBe(true);
      expect(r.degenerate).toBe(false);
      expect(r.rollover).toBe(0n);
      expect(r.scoreReveals).toBe(2);
      expect(r.evalSeed).toMatch(/^0x[0-9a-f]{64}$/);
      expect(r.split).toMatchObject({ qualified: 3, columns: 3, validatorsRevealed: 2 });
      const expected = PLAYERS.trainers.map((trainer, i) => ({
        trainer,
        aggregate: weightedMedian(
          SCORES[epoch]!.map((row) => BigInt(row[i]!) * SCORE_UNIT),
          stakes,
        ),
      }));
      expected.sort((a, b) => (a.aggregate > b.aggregate ? -1 : 1));
      expect(r.trainers.map((t) => ({ trainer: t.trainer, aggregate: t.aggregate }))).toEqual(expected);
      expect(r.trainers.map((t) => [t.rank, t.qualified])).toEqual([
        [1, true],
        [2, true],
        [3, true],
      ]);
      expect(r.validators.map((v) => [v.failedCanary, v.pool > 0n])).toEqual([
        [false, true],
        [false, true],
      ]);
      for (const t of r.trainers) expect(t.own + t.delegators).toBe(t.pool);
      // Distance: mean over columns of |consensus - validator's score|, floored to score units.
      for (const v of r.validators) {
        const j = PLAYERS.validators.indexOf(v.validator);
        const sum = PLAYERS.trainers.reduce((n, trainer, i) => {
          const agg = expected.find((x) => x.trainer === trainer)!.aggregate;
          const mine = BigInt(SCORES[epoch]![j]![i]!) * SCORE_UNIT;
          return n + ((agg > mine ? agg - mine : mine - agg) / SCORE_UNIT) * SCORE_UNIT;
        }, 0n);
        expect(v.distance).toBe(sum / 3n);
      }
      expect(r.validators[0]!.distance).toBeLessThanOrEqual(r.validators[1]!.distance);
      expect(r.split!.trainers + r.split!.validators).toBe(REWARD_PER_EPOCH);
    }
    expect(results[0]!.trainers[0]!.aggregate).toBe(9n * 10n ** 17n);
    expect(results[0]!.evalSeed).not.toBe(results[1]!.evalSeed);
    const running = results[2]!;
    expect(running.finalized).toBe(false);
    expect(running.trainers).toEqual([]);
    expect(running.revealed.map((s) => s.trainer)).toEqual(PLAYERS.trainers);
    expect(results[3]!.revealed).toEqual([]);
    const series = scoreSeries(results);
    expect(series.map((s) => s.points.map((p) => p.x))).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(series.find((s) => s.key === PLAYERS.trainers[0])!.points[0]!.y).toBe(0.9);
  });
});

describe('content', () => {
  let store: BlobStore;
  let liar: Server;
  let liarUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'aiarena-reads-store-'));

  beforeAll(async () => {
    store = await startBlobStore({ dir, port: 0 });
    await seedFiles(store.disk, publicContentFiles(), store.maxBlobBytes);
    // A gateway that answers every CID with the wrong bytes.
    liar = createServer((_req, res) => res.end('{"format":"aiarena-model-spec"}'));
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    liarUrl = `http://127.0.0.1:${(liar.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await store?.close();
    liar?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the task spec and datasets by their on-chain hashes', async () => {
    const fetcher = gatewayFetcher([store.url]);
    const { spec, shapes } = await readModelSpec(fetcher, demoHashes().modelSpec);
    expect(spec.name).toBe('digits-mlp');
    expect(shapes.outputs).toEqual([[64], [128], [10]]);
    expect(shapes.paramCount).toBe(64 * 128 + 128 + 128 * 10 + 10);
    const train = await readDatasetManifest(fetcher, demoHashes().trainData);
    expect(train.name).toBe('digits-train');
    expect(train.samples).toBe(1297);
    expect((await readDatasetManifest(fetcher, demoHashes().evalData)).name).toBe('digits-eval');
  });

  it('skips a gateway that serves other bytes, and says why when none has them', async () => {
    const spec = await readModelSpec(gatewayFetcher([liarUrl, store.url]), demoHashes().modelSpec);
    expect(spec.spec.name).toBe('digits-mlp');
    const err = await readModelSpec(gatewayFetcher([liarUrl]), demoHashes().modelSpec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CidMismatchError);
    expect((err as Error).message).toMatch(
      /served wrong content for bafkrei\w+: the 31 bytes it sent hash to bafkrei\w+/,
    );
    const missing = await readModelSpec(gatewayFetcher([store.url]), `0x${'00'.repeat(32)}`).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(BlobNotFoundError);
    expect((missing as Error).message).toMatch(/HTTP 404/);
  });
});

it('plays epochs of the length it says', () => {
  expect(played.schedule.epochLength).toBe(EPOCH_LENGTH);
});
