// The runner core with a toy machine (the order of storing and executing, background outcomes,
// the polling loop, errors), and the per-scope tab lock of the agents.
import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import {
  AgentRunner,
  TrainerAgent,
  agentStoreOn,
  keyStoreOn,
  openAgentDatabase,
  webLocks,
  type MachineDriver,
  type TabLock,
} from '../../../src/lib/agents/index.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { FakeMl, FakeStore, FakeWorld } from './support/fakes.ts';
import { REGISTRY, SCHEDULE, TRAINER, hex32 } from './fixtures.ts';

type Toy = { n: number; pending: boolean };
type ToyAction =
  | { type: 'send'; n: number }
  | { type: 'slow' }
  | { type: 'explain'; note: { key: string; at: bigint; epoch: null; level: 'info'; message: string } };
type ToyOutcome = { type: 'done'; n: number } | { type: 'failed'; message: string };

function toy(log: string[], opts: { failSave?: (s: Toy) => boolean; observeFails?: () => boolean } = {}) {
  const driver: MachineDriver<Toy, number, ToyAction, ToyOutcome> = {
    step: (s, o) => {
      if (s.pending) return { state: s, actions: [] };
      if (o % 2 === 1) return { state: { n: s.n, pending: true }, actions: [{ type: 'slow' }] };
      return {
        state: { n: s.n + 1, pending: false },
        actions: [
          { type: 'send', n: s.n + 1 },
          { type: 'explain', note: { key: `k${s.n}`, at: 0n, epoch: null, level: 'info', message: `sent ${s.n + 1}` } },
        ],
      };
    },
    record: (s, r) => ({ state: r.type === 'done' ? { n: r.n, pending: false } : s, actions: [] }),
    observe: async () => {
      if (opts.observeFails?.()) throw new Error('RPC down');
      return clock.t;
    },
    timeOf: (o) => BigInt(o),
    execute: async (a, ctx) => {
      log.push(`execute ${a.type}`);
      if (a.type === 'slow') {
        ctx.background(
          async () => {
            await new Promise((r) => setTimeout(r, 20));
            return { type: 'done', n: 100 };
          },
          (e) => ({ type: 'failed', message: String(e) }),
        );
        return null;
      }
      return null;
    },
    failure: (_a, e) => ({ type: 'failed', message: String(e) }),
  };
  const clock = { t: 0 };
  const runner = new AgentRunner(
    driver,
    {
      save: async (s) => {
        if (opts.failSave?.(s)) throw new Error('disk full');
        log.push(`save ${s.n}${s.pending ? ' pending' : ''}`);
      },
    },
    { n: 0, pending: false },
    { pollMs: 5, maxRounds: 1 },
  );
  return { runner, clock };
}

describe('AgentRunner', () => {
  it('stores the state a step returns before executing its actions, and executes nothing if storing fails', async () => {
    const log: string[] = [];
    let fail = true;
    const { runner } = toy(log, { failSave: (s) => fail && s.n === 1 });
    await expect(runner.tick()).rejects.toThrow(/disk full/);
    expect(log).toEqual([]);
    expect(runner.current.n).toBe(0);
    fail = false;
    const notes: string[] = [];
    runner.subscribe((e) => e.type === 'note' && notes.push(e.note.message));
    await runner.tick();
    expect(log).toEqual(['save 1', 'execute send']);
    expect(notes).toEqual(['sent 1']);
  });

  it('records a background outcome in turn, and settled() waits for it', async () => {
    const log: string[] = [];
    const { runner, clock } = toy(log);
    clock.t = 1;
    await runner.tick();
    expect(runner.current).toEqual({ n: 0, pending: true });
    await runner.settled();
    expect(runner.current).toEqual({ n: 100, pending: false });
    expect(log).toEqual(['save 0 pending', 'execute slow', 'save 100']);
  });

  it('start() ticks on its own until stop(); a failing tick is reported and the loop goes on', async () => {
    const log: string[] = [];
    let down = 2;
    const { runner } = toy(log, { observeFails: () => down-- > 0 });
    const errors: string[] = [];
    runner.subscribe((e) => e.type === 'error' && errors.push((e.error as Error).message));
    runner.start();
    await new Promise((r) => setTimeout(r, 80));
    runner.stop();
    const n = runner.current.n;
    expect(errors).toEqual(['RPC down', 'RPC down']);
    expect(n).toBeGreaterThan(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(runner.current.n).toBe(n);
  });
});

/** A FAKE lock manager: exclusive names, released by the holder. */
function fakeLocks(): TabLock {
  const held = new Set<string>();
  return async (name) => {
    if (held.has(name)) return null;
    held.add(name);
    return () => held.delete(name);
  };
}

describe('tab lock', () => {
  it('only one agent per task, account and role runs; stopping gives the lock back', async () => {
    const specBytes = new Uint8Array(readFileSync(new URL('../../../public/specs/digits-mlp.json', import.meta.url)));
    const world = new FakeWorld({
      schedule: SCHEDULE,
      modelSpec: `0x${await sha256Hex(specBytes)}`,
      trainData: hex32(1),
      evalData: hex32(2),
      evalSubsetSize: 100,
      minStake: { trainer: 1n, validator: 1n },
      rules: { minScore: 0n, floorBps: 5000, tolV: 5n * 10n ** 15n, minValidators: 1 },
    });
    const lock = fakeLocks();
    const open = async () => {
      const db = await openAgentDatabase(new IDBFactory());
      return TrainerAgent.open({
        scope: { chainId: 31337, registry: REGISTRY, taskId: 7n, account: TRAINER, role: 'trainer' },
        chain: world.portFor(TRAINER),
        store: new FakeStore(),
        ml: new FakeMl(specBytes),
        persist: agentStoreOn(db),
        keys: keyStoreOn(db),
        lock,
        pollMs: 1000,
      });
    };
    const first = await open();
    const second = await open();
    await first.start();
    await expect(second.start()).rejects.toMatchObject({
      code: 'locked',
      message: expect.stringMatching(/already running in another tab/),
    });
    first.stop();
    await second.start();
    second.stop();
  });

  it('webLocks asks the browser for the lock only if it is free, and holds it until released', async () => {
    // A FAKE LockManager with the Web Locks semantics: held while the callback's promise is pending.
    const held = new Set<string>();
    const manager = {
      async request(name: string, _opts: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<void> | void) {
        if (held.has(name)) return cb(null);
        held.add(name);
        try {
          await cb({ name });
        } finally {
          held.delete(name);
        }
      },
    };
    const lock = webLocks(manager)!;
    const release = await lock('a');
    expect(release).toBeTypeOf('function');
    expect(await lock('a')).toBeNull();
    expect(await lock('b')).toBeTypeOf('function');
    release!();
    await new Promise((r) => setTimeout(r, 0));
    expect(held.has('a')).toBe(false);
    expect(webLocks(undefined)).toBeNull();
  });
});
