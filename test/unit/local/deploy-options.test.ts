import { join } from 'node:path';
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  isLocalChain,
  parseDeployOptions,
  readDeployerKey,
  redactRpcUrl,
  UsageError,
} from '../../../scripts/lib/deploy-options.ts';
import { REPO_ROOT } from '../../../scripts/lib/paths.ts';

const RPC = ['--rpc-url', 'https://sepolia.base.org'];

describe('parseDeployOptions', () => {
  it('has public-chain defaults with the treasury left to the deployer', () => {
    expect(parseDeployOptions(RPC, {})).toEqual({
      rpcUrl: 'https://sepolia.base.org',
      outDir: join(REPO_ROOT, 'deployments'),
      force: false,
      rejectQuorum: parseEther('1000000'),
      minReviewPeriod: 86_400n,
      initialSupply: parseEther('100000000'),
      treasury: null,
      zkBuild: null,
      allowTestCircuit: false,
    });
  });

  it('takes env values, and flags over env', () => {
    const env = {
      RPC_URL: 'http://127.0.0.1:9000',
      AIARENA_REJECT_QUORUM: '50',
      AIARENA_MIN_REVIEW_PERIOD: '120',
      AIARENA_INITIAL_SUPPLY: '7.25',
      AIARENA_TREASURY: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
      AIARENA_DEPLOYMENTS_DIR: '/tmp/elsewhere',
      AIARENA_ZK_BUILD: 'build/zk-prod',
    };
    expect(parseDeployOptions([], env)).toEqual({
      rpcUrl: 'http://127.0.0.1:9000',
      outDir: '/tmp/elsewhere',
      force: false,
      rejectQuorum: parseEther('50'),
      minReviewPeriod: 120n,
      initialSupply: parseEther('7.25'),
      treasury: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      zkBuild: join(REPO_ROOT, 'build', 'zk-prod'),
      allowTestCircuit: false,
    });
    const o = parseDeployOptions(
      [
        ...RPC,
        '--reject-quorum',
        '60',
        '--out-dir',
        'out/x',
        '--force',
        '--zk-build',
        '/tmp/zk',
        '--allow-test-circuit',
      ],
      env,
    )!;
    expect(o.zkBuild).toBe('/tmp/zk');
    expect(o.allowTestCircuit).toBe(true);
    expect(o.rpcUrl).toBe('https://sepolia.base.org');
    expect(o.rejectQuorum).toBe(parseEther('60'));
    expect(o.outDir).toBe(join(REPO_ROOT, 'out', 'x'));
    expect(o.force).toBe(true);
  });

  it('returns null for --help', () => {
    expect(parseDeployOptions(['--help'], {})).toBeNull();
  });

  it.each([
    [[], /--rpc-url is required/],
    [['--rpc-url', 'localhost:8545'], /http\(s\) or ws\(s\) URL/],
    [[...RPC, '--reject-quorum', '0'], /reject quorum must be above 0/],
    [[...RPC, '--reject-quorum=-1'], /token amount/],
    [[...RPC, '--initial-supply', '1e6'], /initial supply must be a token amount/],
    [[...RPC, '--min-review-period', '1.5'], /whole seconds/],
    [[...RPC, '--min-review-period', '4294967296'], /at most 4294967295/],
    [[...RPC, '--treasury', '0x1234'], /treasury must be an address/],
    [[...RPC, '--frobnicate'], /Unknown option '--frobnicate'/],
    [[...RPC, 'extra'], /Unexpected argument/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDeployOptions(argv as string[], {})).toThrow(message);
    expect(() => parseDeployOptions(argv as string[], {})).toThrow(UsageError);
  });
});

describe('readDeployerKey', () => {
  const key = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

  it('accepts a key with or without 0x', () => {
    expect(readDeployerKey({ DEPLOYER_PRIVATE_KEY: key })).toBe(key);
    expect(readDeployerKey({ DEPLOYER_PRIVATE_KEY: ` ${key.slice(2)}\n` })).toBe(key);
  });

  it('explains a missing or malformed key without quoting it', () => {
    expect(() => readDeployerKey({})).toThrow(/DEPLOYER_PRIVATE_KEY is not set/);
    expect(() => readDeployerKey({ DEPLOYER_PRIVATE_KEY: '  ' })).toThrow(/not set/);
    const bad = `${key.slice(0, 60)}zz`;
    let message = '';
    try {
      readDeployerKey({ DEPLOYER_PRIVATE_KEY: bad });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/malformed/);
    expect(message).not.toContain(key.slice(2, 20));
  });
});

describe('helpers', () => {
  it('knows the local chains', () => {
    expect(isLocalChain(31337)).toBe(true);
    expect(isLocalChain(1337)).toBe(true);
    expect(isLocalChain(84532)).toBe(false);
  });

  it('keeps API keys in RPC paths off the terminal', () => {
    expect(redactRpcUrl('https://base-sepolia.g.alchemy.com/v2/SECRET')).toBe('https://base-sepolia.g.alchemy.com/…');
    expect(redactRpcUrl('https://rpc.example/?key=SECRET')).toBe('https://rpc.example/…');
    expect(redactRpcUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
  });
});
