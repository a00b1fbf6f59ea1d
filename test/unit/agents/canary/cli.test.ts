// `npm run canaries` options and environment (checked before any network), and the producer's
// state file (bigints survive; a half-written file never replaces a good one).
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initialCanaryState } from '../../../../src/lib/agents/canary/index.ts';
import { CanaryAccountError, poolKeys, readPoolKeys, readPrivateKey } from '../../../../scripts/lib/canary/accounts.ts';
import {
  CANARY_DEFAULTS,
  CanaryUsageError,
  parseCanaryOptions,
  parseSteps,
  readCanarySecret,
} from '../../../../scripts/lib/canary/options.ts';
import { canaryStateDir, fileStash } from '../../../../scripts/lib/canary/stash.ts';

const KEY = `0x${'12'.repeat(32)}` as const;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('npm run canaries options', () => {
  it('has defaults, takes flags over env, and returns null for --help', () => {
    const o = parseCanaryOptions(['--task', '3'], { RPC_URL: 'http://10.0.0.1:8545' })!;
    expect(o).toMatchObject({
      taskId: 3n,
      rpcUrl: 'http://10.0.0.1:8545',
      poolSize: 4,
      perEpoch: 1,
      steps: parseSteps(CANARY_DEFAULTS.steps),
      stake: null,
      fund: false,
      once: false,
      pollMs: 2_000,
    });
    const p = parseCanaryOptions(
      [
        '--task',
        '3',
        '--rpc-url',
        'http://x:1',
        '--pool',
        '9',
        '--per-epoch',
        '3',
        '--steps',
        '5..50',
        '--stake',
        '2.5',
        '--fund',
        '--once',
        '--store',
        'http://s:2/',
      ],
      {},
    )!;
    expect(p).toMatchObject({
      rpcUrl: 'http://x:1',
      poolSize: 9,
      perEpoch: 3,
      steps: { min: 5, max: 50 },
      stake: 2_500_000_000_000_000_000n,
      fund: true,
      once: true,
      store: 'http://s:2',
    });
    expect(parseCanaryOptions(['--help'], {})).toBeNull();
  });

  it('refuses bad input with a sentence', () => {
    const bad = (argv: string[]) => {
      try {
        parseCanaryOptions(argv, {});
        return null;
      } catch (e) {
        expect(e).toBeInstanceOf(CanaryUsageError);
        return (e as Error).message;
      }
    };
    expect(bad([])).toBe('--task is required');
    expect(bad(['--task', '0'])).toBe('--task must be a task id (1, 2, ...), got "0"');
    expect(bad(['--task', '1', '--per-epoch', '17'])).toBe('--per-epoch must be from 1 to 16, got 17');
    expect(bad(['--task', '1', '--steps', '9..3'])).toBe('--steps needs 1 <= MIN <= MAX <= 1000000, got 9..3');
    expect(bad(['--task', '1', '--steps', 'many'])).toBe('--steps must look like 4..120, got "many"');
    expect(bad(['--task', '1', '--stake', 'ten'])).toBe('--stake must be a token amount like 10 or 2.5, got "ten"');
    expect(bad(['--task', '1', '--rpc-url', 'ftp://x'])).toBe('--rpc-url must be an http(s) URL');
    expect(bad(['--task', '1', '--nope'])).toMatch(/Unknown option '--nope'/);
  });

  it('reads keys and the secret from the environment without quoting them', () => {
    expect(readPrivateKey({ K: KEY }, 'K')).toBe(KEY);
    expect(readPrivateKey({ K: KEY.slice(2) }, 'K')).toBe(KEY);
    expect(() => readPrivateKey({}, 'K')).toThrow('K is not set: export the key (0x + 64 hex digits)');
    expect(() => readPrivateKey({ K: '0xabc' }, 'K')).toThrow(
      'K is malformed: expected 0x followed by 64 hex digits (got 5 characters)',
    );
    expect(() => readPrivateKey({ K: `0x${'0'.repeat(64)}` }, 'K')).toThrow('K is not a valid secp256k1 private key');
    expect(readCanarySecret({ CANARY_SECRET: KEY })).toBe(KEY);
    expect(() => readCanarySecret({})).toThrow(/CANARY_SECRET is not set/);
    try {
      readCanarySecret({ CANARY_SECRET: `0x${'ab'.repeat(31)}zz` });
    } catch (e) {
      expect((e as Error).message).not.toContain('abab');
    }
    expect(readPoolKeys({})).toBeNull();
    expect(readPoolKeys({ CANARY_POOL_KEYS: `${KEY}, ${`0x${'34'.repeat(32)}`}` })).toEqual([
      KEY,
      `0x${'34'.repeat(32)}`,
    ]);
    expect(() => readPoolKeys({ CANARY_POOL_KEYS: `${KEY},${KEY}` })).toThrow('CANARY_POOL_KEYS lists a key twice');
    expect(() => readPoolKeys({ CANARY_POOL_KEYS: `${KEY},0x12` })).toThrow(/CANARY_POOL_KEYS\[1\] is malformed/);
    const scope = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const, taskId: 1n };
    expect(poolKeys(KEY, scope, 3, null)).toHaveLength(3);
    expect(poolKeys(KEY, scope, 3, [KEY])).toEqual([KEY]);
    expect(() => poolKeys(KEY, scope, 0, null)).toThrow(CanaryAccountError);
  });
});

describe('the producer state folder', () => {
  it('round-trips the state with its bigints and keeps artifacts by hash', async () => {
    const root = mkdtempSync(join(tmpdir(), 'canary-stash-'));
    dirs.push(root);
    const scope = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const, taskId: 7n };
    const dir = canaryStateDir(root, scope);
    expect(dir).toBe(join(root, 'canaries', '31337-0x5fbdb2315678afecb367f032d93f642f64180aa3-task7'));
    const stash = fileStash(dir);
    expect(await stash.load()).toBeNull();
    const state = {
      ...initialCanaryState({ ...scope, creator: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' }, 'plan-x'),
      lastSeen: 1234n,
    };
    state.commits.push({ epoch: 0, status: 'committed', sentAt: 99n, sends: 1, halted: null });
    await stash.save(state);
    expect(await stash.load()).toEqual(state);
    // Only the state file remains: the temporary file was renamed over it.
    expect(readdirSync(dir)).toEqual(['state.json']);
    const hash = `0x${'ab'.repeat(32)}` as const;
    await stash.putArtifact(hash, new Uint8Array([1, 2, 3]));
    expect([...(await stash.getArtifact(hash))!]).toEqual([1, 2, 3]);
    expect(await stash.getArtifact(`0x${'cd'.repeat(32)}`)).toBeNull();
    await expect(stash.putArtifact('0x12' as `0x${string}`, new Uint8Array())).rejects.toThrow(
      'not an artifact hash: 0x12',
    );
    // A corrupt file is not fatal: the producer starts from what the chain shows.
    writeFileSync(join(dir, 'state.json'), '{"kind": ');
    expect(await stash.load()).toBeNull();
  });
});
