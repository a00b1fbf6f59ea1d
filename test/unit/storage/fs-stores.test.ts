// The headless agents' state on disk (issue 13 part 1): atomic durable writes, the agent store,
// checkpoints and watermark keys in folders, the per-scope process lock, and a restart of the
// runner over files: a state stored before its action was sent is found again, and the action
// is not sent twice.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AgentError,
  AgentRunner,
  keyCommitHex,
  type AgentScope,
  type MachineDriver,
} from '../../../src/lib/agents/index.ts';
import { generateKey, keyToJson } from '../../../src/lib/ml/watermark/index.ts';
import type { TrainCheckpoint } from '../../../src/lib/ml/train/checkpoint.ts';
import { agentStoreInDir, scopeFolder } from '../../../src/lib/storage/agent-store-fs.ts';
import { checkpointStoreInDir } from '../../../src/lib/storage/checkpoints-fs.ts';
import { fileLocks } from '../../../src/lib/storage/file-lock-fs.ts';
import { accountWrapKeys, keyStoreInDir } from '../../../src/lib/storage/key-store-fs.ts';
import { StorageError } from '../../../src/lib/storage/idb.ts';
import { listDir, readRecord, writeFileAtomic, writeRecord } from '../../../src/lib/storage/records-fs.ts';
import { REGISTRY, TRAINER, VALIDATOR } from '../agents/fixtures.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'aiarena-fs-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const scope = (role: 'trainer' | 'validator' = 'trainer', taskId = 3n): AgentScope => ({
  chainId: 31337,
  registry: REGISTRY,
  taskId,
  account: role === 'trainer' ? TRAINER : VALIDATOR,
  role,
});
const hash = (b: number) => `0x${b.toString(16).padStart(2, '0').repeat(32)}` as Hex;
const KEY_A = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as Hex;
const KEY_B = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' as Hex;

describe('records on disk', () => {
  it('writes atomically: the new bytes or the old, owner-only, no temporary file left', async () => {
    const dir = tmp();
    const file = join(dir, 'sub', 'r.bin');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two');
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['r.bin']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A temporary file a killed process left behind is not a record.
    writeFileSync(join(dir, 'sub', '.r.bin.123.abcd.tmp'), 'torn');
    expect(await listDir(join(dir, 'sub'))).toEqual(['r.bin']);
  });

  it('keeps bigints and typed arrays exactly (the structured clone IndexedDB applies)', async () => {
    const file = join(tmp(), 'x.bin');
    const value = {
      n: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 255]),
      f: new Float32Array([0.1, -3]),
      nested: [{ a: null }],
    };
    await writeRecord(file, value);
    expect(await readRecord(file)).toEqual(value);
    expect(await readRecord(join(tmp(), 'none.bin'))).toBeUndefined();
    writeFileSync(file, 'not a record');
    await expect(readRecord(file)).rejects.toThrow(StorageError);
    await expect(readRecord(file)).rejects.toThrow(/x\.bin is not a readable record.*move it away/);
  });
});

describe('agent store in a folder', () => {
  it('saves and loads states per scope, lists scopes, and a new store on the folder sees them (a restart)', async () => {
    const dir = tmp();
    const store = agentStoreInDir(dir);
    const state = { phase: 'sealed', lastSeen: 1_700_000_000n, salt: hash(7), notes: [{ at: 5n, key: 'k' }] };
    expect(await store.loadState(scope())).toBeUndefined();
    await store.saveState(scope(), state, 'fp-1');
    await store.saveState(scope('validator'), { phase: 'waiting' }, 'fp-2');
    const again = agentStoreInDir(dir);
    const loaded = await again.loadState<typeof state>(scope());
    expect(loaded).toMatchObject({ state, fingerprint: 'fp-1' });
    expect(typeof loaded!.savedAt).toBe('number');
    expect((await again.listScopes()).map((s) => s.role).sort()).toEqual(['trainer', 'validator']);
    expect(readdirSync(dir).sort()).toEqual([scopeFolder(scope()), scopeFolder(scope('validator'))].sort());
    await again.deleteState(scope('validator'));
    expect(await again.loadState(scope('validator'))).toBeUndefined();
  });

  it('keeps artifacts by hash and prunes all but the kept ones; per-sample results by key', async () => {
    const store = agentStoreInDir(tmp());
    const s = scope();
    await store.putArtifact(s, hash(1), new Uint8Array([1]));
    await store.putArtifact(s, hash(2), new Uint8Array([2, 2]));
    await store.putArtifact(s, hash(3), new Uint8Array([3]));
    expect(await store.pruneArtifacts(s, [hash(2)])).toBe(2);
    expect(await store.getArtifact(s, hash(1))).toBeUndefined();
    expect(await store.getArtifact(s, hash(2))).toEqual(new Uint8Array([2, 2]));
    await expect(store.putArtifact(s, '0x../../etc' as Hex, new Uint8Array())).rejects.toThrow(/not an artifact hash/);

    const samples = {
      samples: 2,
      correct: new Uint8Array([1, 0]),
      losses: new Float32Array([0.5, 2]),
      predictions: new Int32Array([3, 4]),
    };
    const key = `${hash(2)}/${hash(4)}/${hash(5)}`;
    await store.putSamples(s, key, samples);
    expect(await store.getSamples(s, key)).toEqual(samples);
    // Samples live apart from artifacts: pruning artifacts leaves them.
    expect(await store.pruneArtifacts(s, [])).toBe(1);
    expect(await store.getSamples(s, key)).toEqual(samples);
    expect(await store.clearSamples(s)).toBe(1);
    expect(await store.getSamples(s, key)).toBeUndefined();
  });
});

describe('checkpoints in a folder', () => {
  it('saves, loads, summarizes, lists and deletes runs', async () => {
    const dir = tmp();
    const store = checkpointStoreInDir(dir);
    const ckpt = (step: number) =>
      ({
        step,
        epoch: 1,
        seed: 9,
        backend: 'wasm',
        savedAt: step,
        hyper: { epochs: 4 },
        weights: [new Float32Array([step])],
      }) as unknown as TrainCheckpoint;
    await store.save('agent:31337:0xabc:1:0xdef', ckpt(20), { task: '1' });
    await store.save('agent:31337:0xabc:1:0xdef', ckpt(40));
    await store.save('other', ckpt(10));
    const again = checkpointStoreInDir(dir);
    expect(await again.load('agent:31337:0xabc:1:0xdef')).toEqual(ckpt(40));
    expect(await again.summary('agent:31337:0xabc:1:0xdef')).toMatchObject({
      step: 40,
      epochs: 4,
      meta: { task: '1' },
    });
    expect((await again.list()).map((r) => r.runId)).toEqual(['agent:31337:0xabc:1:0xdef', 'other']);
    await again.delete('other');
    expect(await again.load('other')).toBeUndefined();
    expect(await again.list()).toHaveLength(1);
  });
});

describe('watermark keys in a folder', () => {
  const ref = { chainId: 31337, registry: REGISTRY, taskId: 3n, account: TRAINER };

  it('stores the key encrypted under a key derived from the account key; another account key cannot open it', async () => {
    const dir = tmp();
    const keys = keyStoreInDir(dir, accountWrapKeys(KEY_A));
    const key = generateKey(64, 128);
    const commit = await keys.put(ref, key);
    expect(commit).toBe(keyCommitHex(key));
    expect(await keyStoreInDir(dir, accountWrapKeys(KEY_A)).get(ref)).toEqual(key);
    expect(await keys.keyCommit(ref)).toBe(commit);
    // Nothing of the key is on disk in the clear.
    const [file] = readdirSync(dir);
    const text = readFileSync(join(dir, file!), 'utf8');
    const plain = JSON.parse(keyToJson(key)) as { x: string; salt: string };
    expect(text).not.toContain(plain.x);
    expect(text).not.toContain(plain.salt);
    // The wrong account key, or the file moved to another task, does not decrypt.
    await expect(keyStoreInDir(dir, accountWrapKeys(KEY_B)).get(ref)).rejects.toThrow(AgentError);
    const moved = keyStoreInDir(dir, accountWrapKeys(KEY_A));
    writeFileSync(join(dir, file!.replace('task3', 'task4')), text);
    await expect(moved.get({ ...ref, taskId: 4n })).rejects.toThrow(/cannot be decrypted/);
  });

  it('refuses to overwrite a different key unless asked', async () => {
    const keys = keyStoreInDir(tmp(), accountWrapKeys(KEY_A));
    await keys.put(ref, generateKey(64, 128));
    await expect(keys.put(ref, generateKey(64, 128))).rejects.toThrow(/refusing to overwrite/);
    const other = generateKey(64, 128);
    await keys.put(ref, other, { replace: true });
    expect(await keys.get(ref)).toEqual(other);
    await keys.remove(ref);
    expect(await keys.get(ref)).toBeUndefined();
  });
});

describe('process locks', () => {
  it('one holder per name; released locks and locks of dead processes are taken', async () => {
    const dir = tmp();
    const locks = fileLocks(dir);
    const release = await locks('aiarena-agent:a');
    expect(release).not.toBeNull();
    expect(await locks('aiarena-agent:a')).toBeNull();
    expect(locks.holder('aiarena-agent:a')).toMatchObject({ pid: process.pid, name: 'aiarena-agent:a' });
    expect(await locks('aiarena-agent:b')).not.toBeNull();
    release!();
    const again = await locks('aiarena-agent:a');
    expect(again).not.toBeNull();
    again!();
    // A lock file left by a process that is gone (a pid above the kernel's maximum).
    expect(await locks('aiarena-agent:c')).not.toBeNull();
    const [file] = readdirSync(dir).filter((f) => readFileSync(join(dir, f), 'utf8').includes('"aiarena-agent:c"'));
    writeFileSync(join(dir, file!), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), name: 'aiarena-agent:c' }));
    expect(await locks('aiarena-agent:c')).not.toBeNull();
    expect(locks.holder('aiarena-agent:c')!.pid).toBe(process.pid);
  });
});

describe('a runner over files, restarted', () => {
  type S = { sentAt: bigint | null; done: boolean };
  type A = { type: 'send' } | { type: 'explain'; note: never };
  type R = { type: 'sent' };
  const driver = (sends: string[], crash: boolean): MachineDriver<S, bigint, A, R> => ({
    // Store-before-send: the state that decides to send records when, before the action runs.
    step: (s, now) =>
      s.sentAt === null ? { state: { ...s, sentAt: now }, actions: [{ type: 'send' }] } : { state: s, actions: [] },
    record: (s) => ({ state: { ...s, done: true }, actions: [] }),
    observe: async () => 100n,
    timeOf: (o) => o,
    execute: async () => {
      sends.push('send');
      // The process dies while the transaction is in flight: the outcome is never recorded.
      if (crash) return new Promise<never>(() => {});
      return { type: 'sent' };
    },
    failure: () => ({ type: 'sent' }),
  });

  it('finds the state stored before the send and does not send again', async () => {
    const dir = tmp();
    const sends: string[] = [];
    const s = scope();
    const save = (store: ReturnType<typeof agentStoreInDir>) => ({ save: (st: S) => store.saveState(s, st, 'fp') });
    const first = new AgentRunner(
      driver(sends, true),
      save(agentStoreInDir(dir)),
      { sentAt: null, done: false },
      { pollMs: 10 },
    );
    void first.tick();
    await new Promise((r) => setTimeout(r, 50));
    expect(sends).toEqual(['send']);

    const stored = await agentStoreInDir(dir).loadState<S>(s);
    expect(stored!.state).toEqual({ sentAt: 100n, done: false });
    const second = new AgentRunner(driver(sends, false), save(agentStoreInDir(dir)), stored!.state, { pollMs: 10 });
    await second.tick();
    await second.tick();
    expect(sends).toEqual(['send']);
  });
});
