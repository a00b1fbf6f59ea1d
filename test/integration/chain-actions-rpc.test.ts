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
import { decodeContractError } from '../../src/lib/chain/tx/decode.ts';
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
  close(): Promise<void>;
}

/** Forwards JSON-RPC to `target`, failing request n (0-based) when `fail(n)` says how. */
async function flakyProxy(target: string, fail: (n: number) => 'reset' | 503 | undefined): Promise<FlakyProxy> {
  const state = { seen: 0, dropped: 0 };
  const server: Server = createServer((req, res) => {
    const n = state.seen++;
    const how = fail(n);
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
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('RPC retries and fallback', () => {
  let env: ArenaEnv;
  const proxies: FlakyProxy[] = [];
  const proxy = async (fail: (n: number) => 'reset' | 503 | undefined) => {
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
    const client = createPublicClient({ transport: arenaTransport([p.url], { retryCount: 4, retryDelayMs: 20, batch: false }) });
    const started = Date.now();
    expect(await client.getChainId()).toBe(31337);
    expect([p.dropped, p.seen]).toEqual([3, 4]);
    // Backoff 20, 40, 80 ms between the attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('503 answers are retried the same way', async () => {
    const p = await proxy((n) => (n < 2 ? 503 : undefined));
    const client = createPublicClient({ transport: arenaTransport([p.url], { retryCount: 3, retryDelayMs: 10, batch: false }) });
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
    const client = createPublicClient({ transport: arenaTransport([dead, p.url], { retryCount: 1, retryDelayMs: 10, batch: false }) });
    expect(await client.getChainId()).toBe(31337);
    expect(p.seen).toBe(1);
  });

  it('a whole action (simulate, sign, send, receipt) goes through a proxy dropping every third request', async () => {
    const p = await proxy((n) => (n % 3 === 1 ? 'reset' : undefined));
    const config = createArenaWagmiConfig(
      { chainId: 31337, rpcUrl: p.url },
      walletSettings({}),
      { storage: null, devAccountIndex: 3, transport: { retryCount: 5, retryDelayMs: 10 } },
    );
    await connect(config, { connector: config.connectors.find((c) => c.id === DEV_CONNECTOR_ID)! });
    const ctx = await walletActionContext(config, env.deployment);
    await faucet(ctx, { amount: 123n });
    await faucet(ctx, { amount: 877n });
    expect(await tokenBalance(ctx)).toBe(1_000n);
    expect(p.dropped).toBeGreaterThanOrEqual(3);
  });
});
