import { getAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { appConfig } from '../../../src/app/config.ts';
import { loadSnapshot } from '../../../src/app/snapshot.ts';

const config = appConfig({ VITE_RPC_URL: 'http://rpc.test' });
const registry = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512';
const file = (chainId: number) =>
  JSON.stringify({
    chainId,
    deployer: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
    fromBlock: '0',
    contracts: {
      token: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
      taskRegistry: registry,
      stakeManager: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
      submissionBook: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9',
      rewardEngine: '0xdc64a140aa3e981100a9beca4e685f962f0cf6c9',
    },
    config: {
      rejectQuorum: '1',
      minReviewPeriod: '1',
      initialSupply: '1',
      treasury: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
    },
  });
const serve = (status: number, body = '') => (async () => new Response(body, { status })) as unknown as typeof fetch;

function chain(opts: { chainId?: number; down?: boolean; code?: `0x${string}` } = {}) {
  return {
    getChainId: async () => {
      if (opts.down)
        throw Object.assign(new Error('HTTP request failed.\nURL: http://rpc.test\nRequest body: {...}'), {
          shortMessage: 'HTTP request failed.',
        });
      return opts.chainId ?? 31337;
    },
    getBlock: async () => ({ number: 5n, timestamp: 1000n, hash: `0x${'11'.repeat(32)}` }),
    getCode: async () => opts.code ?? '0x6080',
    readContract: async (req: { functionName: string }) => {
      if (req.functionName === 'taskCount') return 0n;
      throw new Error(`unexpected ${req.functionName}`);
    },
    request: async (req: { method: string }) => {
      if (req.method === 'eth_getLogs') return [];
      throw new Error(`unexpected ${req.method}`);
    },
  };
}

describe('loadSnapshot', () => {
  it('is ok with the clock and tasks when everything answers', async () => {
    const snap = await loadSnapshot(chain() as never, config, { fetchFn: serve(200, file(31337)), now: () => 42 });
    expect(snap).toMatchObject({
      kind: 'ok',
      clock: { chainId: 31337, blockNumber: 5n, blockTime: 1000n, blockHash: `0x${'11'.repeat(32)}` },
      taskCount: 0n,
      tasks: [],
      log: { fromBlock: 0n, toBlock: 5n, toBlockHash: `0x${'11'.repeat(32)}`, events: [] },
      seenAtMs: 42,
    });
  });

  it('says when nothing is deployed or the file cannot be loaded', async () => {
    expect(await loadSnapshot(chain() as never, config, { fetchFn: serve(404) })).toMatchObject({
      kind: 'no-deployment',
      url: '/deployments/31337.json',
    });
    expect((await loadSnapshot(chain() as never, config, { fetchFn: serve(500) })).kind).toBe('deployment-unreachable');
  });

  it('says when the RPC is down', async () => {
    expect(
      await loadSnapshot(chain({ down: true }) as never, config, { fetchFn: serve(200, file(31337)) }),
    ).toMatchObject({
      kind: 'rpc-unreachable',
      rpcUrl: 'http://rpc.test',
      detail: 'HTTP request failed.',
    });
  });

  it('says when the RPC is another chain than the deployments file', async () => {
    expect(await loadSnapshot(chain({ chainId: 1 }) as never, config, { fetchFn: serve(200, file(31337)) })).toEqual({
      kind: 'wrong-chain',
      expected: 31337,
      actual: 1,
      rpcUrl: 'http://rpc.test',
    });
  });

  it('says when the chain was reset under the deployments file', async () => {
    expect(await loadSnapshot(chain({ code: '0x' }) as never, config, { fetchFn: serve(200, file(31337)) })).toEqual({
      kind: 'no-code',
      chainId: 31337,
      address: getAddress(registry),
    });
  });

  it('reads the verifier ceremony once per deployment, and again only after a failed read', async () => {
    const verifier = '0x2279b7a0a67db372996a5fab50d91eaa73d2ebe6';
    const withVerifier = JSON.stringify({
      ...JSON.parse(file(31337)),
      contracts: { ...JSON.parse(file(31337)).contracts, watermarkVerifier: verifier },
    });
    let reads = 0;
    let fail = true;
    const base = chain();
    const client = {
      ...base,
      readContract: async (req: { functionName: string }) => {
        if (req.functionName !== 'ceremony') return base.readContract(req);
        reads++;
        if (fail) throw new Error('socket hang up');
        return [true, 'development beacon', `0x${'ab'.repeat(32)}`];
      },
    };
    const first = await loadSnapshot(client as never, config, { fetchFn: serve(200, withVerifier) });
    if (first.kind !== 'ok') throw new Error(first.kind);
    expect(first.ceremony).toEqual({ kind: 'unreadable', detail: 'socket hang up' });
    fail = false;
    const second = await loadSnapshot(client as never, config, { fetchFn: serve(200, withVerifier), previous: first });
    if (second.kind !== 'ok') throw new Error(second.kind);
    expect(second.ceremony).toEqual({
      kind: 'known',
      ceremony: { development: true, description: 'development beacon', zkeySha256: `0x${'ab'.repeat(32)}` },
    });
    const third = await loadSnapshot(client as never, config, { fetchFn: serve(200, withVerifier), previous: second });
    expect(third.kind === 'ok' && third.ceremony).toEqual(second.ceremony);
    expect(reads).toBe(2);
    // Without a verifier in the deployment nothing is read.
    const none = await loadSnapshot(client as never, config, { fetchFn: serve(200, file(31337)) });
    expect(none.kind === 'ok' && none.ceremony).toEqual({ kind: 'unknown', reason: 'no-verifier' });
    expect(reads).toBe(2);
  });
});
