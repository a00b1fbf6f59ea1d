// RPC failures are retried with backoff: a small HTTP proxy in front of anvil drops requests
// (resets the connection before forwarding, or answers 503), and reads and whole actions still
// succeed through the app's transport; with retries off the same proxy makes them fail, so the
// proxy is known to bite. A dead primary URL falls back to the next one.
import { connect } from '@wagmi/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPublicClient } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/anvil.ts';
import { faucet } from '../../src/lib/chain/actions/index.ts';
import { arenaTokenAbi } from '../../src/lib/chain/abi.generated.ts';
import { decodeContractError } from '../../src/lib/chain/tx/decode.ts';
import { TxError } from '../../src/lib/chain/tx/errors.ts';
import { sendCall } from '../../src/lib/chain/tx/send.ts';
import { memoryTxStore } from '../../src/lib/chain/tx/store.ts';
import { createTxTracker, type TxTracker } from '../../src/lib/chain/tx/tracker.ts';
import { createArenaWagmiConfig } from '../../src/lib/chain/wallet/config.ts';
import { DEV_CONNECTOR_ID } from '../../src/lib/chain/wallet/dev-accounts.ts';
import { walletActionContext } from '../../src/lib/chain/wallet/session.ts';
import { walletSettings } from '../../src/lib/chain/wallet/settings.ts';
import { arenaTransport } from '../../src/lib/chain/wallet/transport.ts';
import { startArenaEnv, tokenBalance, type ArenaEnv } from './support/chain-actions-env.ts';

interface FlakyProxy {
  url: string;
  seen: number;
  dropped: number;
  /** JSON-RPC methods forwarded, in order (batches flattened). */
  methods: string[];
  close(): Promise<void>;
}

/** What to do with request n: 'reset' drops it unsent, 503 answers busy, 'lose' forwards it and drops the answer. */
type Failure = 'reset' | 503 | 'lose' | undefined;

/** Forwards JSON-RPC to `target`, failing request n (0-based) when `fail(n, methods)` says how. */
async function flakyProxy(target: string, fail: (n: number, methods: string[]) => Failure): Promise<FlakyProxy> {
  const state = { seen: 0, dropped: 0, methods: [] as string[] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const parsed = JSON.parse(body.toString('utf8')) as { method: string } | { method: string }[];
      const methods = (Array.isArray(parsed) ? parsed : [parsed]).map((m) => m.method);
      const how = fail(state.seen++, methods);
      if (how === 'reset') {
        state.dropped++;
        req.socket.destroy();
        return;
      }
      if (how === 503) {
        state.dropped++;
        res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
        return;
      }
      state.methods.push(...methods);
      const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const answer = await upstream.text();
      if (how === 'lose') {
        state.dropped++;
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get seen() {
      return state.seen;
    },
    get dropped() {
      return state.dropped;
    },
    methods: state.methods,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('RPC retries and fallback', () => {
  let env: ArenaEnv;
  const proxies: FlakyProxy[] = [];
  const proxy = async (fail: (n: number, methods: string[]) => Failure) => {
    const p = await flakyProxy(env.rpcUrl, fail);
    proxies.push(p);
    return p;
  };

  beforeAll(async () => {
    env = await startArenaEnv();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await env?.stop();
  });

  it('a read succeeds after the first three requests are dropped', async () => {
    const p = await proxy((n) => (n < 3 ? 'reset' : undefined));
    const client = createPublicClient({
      transport: arenaTransport([p.url], { retryCount: 4, retryDelayMs: 20, batch: false }),
    });
    const started = Date.now();
    expect(await client.getChainId()).toBe(31337);
    expect([p.dropped, p.seen]).toEqual([3, 4]);
    // Backoff 20, 40, 80 ms between the attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('503 answers are retried the same way', async () => {
    const p = await proxy((n) => (n < 2 ? 503 : undefined));
    const client = createPublicClient({
      transport: arenaTransport([p.url], { retryCount: 3, retryDelayMs: 10, batch: false }),
    });
    expect(await client.getChainId()).toBe(31337);
    expect([p.dropped, p.seen]).toEqual([2, 3]);
  });

  it('without retries the same proxy makes the read fail, told as an unreachable RPC', async () => {
    const p = await proxy((n) => (n < 3 ? 'reset' : undefined));
    const client = createPublicClient({ transport: arenaTransport([p.url], { retryCount: 0, batch: false }) });
    const error = await client.getChainId().catch((e: unknown) => e);
    expect(decodeContractError(error)).toEqual({
      code: 'rpc-unavailable',
      sentence: 'The chain cannot be reached right now (the RPC endpoint did not answer); try again in a moment.',
    });
  });

  it('a dead primary URL falls back to the next one', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const p = await proxy(() => undefined);
    const client = createPublicClient({
      transport: arenaTransport([dead, p.url], { retryCount: 1, retryDelayMs: 10, batch: false }),
    });
    expect(await client.getChainId()).toBe(31337);
    expect(p.seen).toBe(1);
  });

  it('a whole action (simulate, sign, send, receipt) goes through a proxy dropping every other request', async () => {
    // viem never resends eth_sendRawTransaction (a resend could double-spend), so a send dropped
    // before it reached the node fails the action; that case is the next describe's.
    const p = await proxy((n, methods) =>
      n % 2 === 1 && !methods.includes('eth_sendRawTransaction') ? 'reset' : undefined,
    );
    const config = createArenaWagmiConfig({ chainId: 31337, rpcUrl: p.url }, walletSettings({}), {
      storage: null,
      devAccountIndex: 3,
      transport: { retryCount: 5, retryDelayMs: 10 },
    });
    await connect(config, { connector: config.connectors.find((c) => c.id === DEV_CONNECTOR_ID)! });
    const ctx = await walletActionContext(config, env.deployment);
    await faucet(ctx, { amount: 123n });
    await faucet(ctx, { amount: 877n });
    expect(await tokenBalance(ctx)).toBe(1_000n);
    expect(p.dropped).toBeGreaterThanOrEqual(3);
  });

  describe('a send whose answer is lost after the node took the transaction', () => {
    // The first eth_sendRawTransaction reaches anvil (which mines it at once) but its answer is
    // dropped. viem does not resend it, so the send fails as if the RPC were down although the
    // transaction is mined (a transport that resends would get "nonce too low" instead).
    const loseFirstSend = () => {
      let lost = false;
      return (_n: number, methods: string[]): Failure => {
        if (lost || !methods.includes('eth_sendRawTransaction')) return undefined;
        lost = true;
        return 'lose';
      };
    };
    const contextOver = async (url: string, devAccountIndex: number, options: { tracker?: TxTracker } = {}) => {
      const config = createArenaWagmiConfig({ chainId: 31337, rpcUrl: url }, walletSettings({}), {
        storage: null,
        devAccountIndex,
        transport: { retryCount: 3, retryDelayMs: 10 },
      });
      await connect(config, { connector: config.connectors.find((c) => c.id === DEV_CONNECTOR_ID)! });
      return walletActionContext(config, env.deployment, options);
    };

    it('the action finds its transaction in the nonce slot and succeeds once', async () => {
      const p = await proxy(loseFirstSend());
      const ctx = await contextOver(p.url, 4);
      const before = await tokenBalance(ctx);
      await faucet(ctx, { amount: 555n });
      // Sent once, its answer lost, and not sent again: minted once.
      expect(p.methods.filter((m) => m === 'eth_sendRawTransaction')).toHaveLength(1);
      expect(p.dropped).toBe(1);
      expect((await tokenBalance(ctx)) - before).toBe(555n);
    });

    it('the tracker records the found hash, confirmed', async () => {
      const p = await proxy(loseFirstSend());
      const probe = await contextOver(p.url, 6);
      const tracker = await createTxTracker({
        store: memoryTxStore(),
        client: probe.publicClient,
        chainId: 31337,
        wait: { pollingIntervalMs: 50 },
      });
      try {
        const ctx = await contextOver(p.url, 6, { tracker });
        await faucet(ctx, { amount: 7n });
        const [record] = tracker.list();
        expect(record).toMatchObject({ status: 'confirmed', kind: 'faucet' });
        const mined = await ctx.publicClient.getTransactionReceipt({ hash: record!.hash! });
        expect([mined.status, mined.blockNumber, mined.from]).toEqual([
          'success',
          record!.blockNumber,
          ctx.wallet.account.address.toLowerCase(),
        ]);
        expect([p.methods.filter((m) => m === 'eth_sendRawTransaction').length, p.dropped]).toEqual([1, 1]);
      } finally {
        tracker.close();
      }
    });

    it('without the slot search the same loss says the chain is unreachable, though the transaction is mined', async () => {
      const p = await proxy(loseFirstSend());
      const ctx = await contextOver(p.url, 7);
      const before = await tokenBalance(ctx);
      const wallet = ctx.wallet;
      const call = {
        address: env.deployment.contracts.token,
        abi: arenaTokenAbi,
        functionName: 'faucet',
        args: [wallet.account.address, 9n],
      } as const;
      const error = await sendCall(wallet, call as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TxError);
      // "Try again in a moment" would send it twice: this is the hash the search recovers.
      expect((error as TxError).code).toBe('rpc-unavailable');
      expect((await tokenBalance(ctx)) - before).toBe(9n);
    });
  });
});
