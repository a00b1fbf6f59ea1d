// Starts anvil from node_modules (the @foundry-rs/anvil platform package) and waits for its RPC.
import { spawn, type ChildProcess } from 'node:child_process';
import { foundryBinary } from '../bin/foundry.mjs';

export function anvilBinary(): string {
  return foundryBinary('anvil');
}

export interface AnvilOptions {
  port: number;
  chainId?: number;
  accounts?: number;
  balanceEth?: number;
  blockTime?: number;
  gasLimit?: bigint;
  silent?: boolean;
  extraArgs?: string[];
}

export interface Anvil {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startAnvil(opts: AnvilOptions): Promise<Anvil> {
  // Without pruning anvil keeps every block's state and spills it to ~/.foundry/anvil/tmp: tens of
  // GB after a few thousand blocks, left behind when the process is killed.
  const args = ['--port', String(opts.port), '--host', '127.0.0.1', '--prune-history', '64'];
  if (opts.chainId) args.push('--chain-id', String(opts.chainId));
  if (opts.accounts) args.push('--accounts', String(opts.accounts));
  if (opts.balanceEth) args.push('--balance', String(opts.balanceEth));
  if (opts.blockTime) args.push('--block-time', String(opts.blockTime));
  if (opts.gasLimit) args.push('--gas-limit', opts.gasLimit.toString());
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(anvilBinary(), args, { stdio: opts.silent === false ? 'inherit' : 'ignore' });
  const url = `http://127.0.0.1:${opts.port}`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`anvil exited with code ${code} (is port ${opts.port} free?)`))),
  );
  await Promise.race([waitForRpc(url, 20_000), exited]);
  return {
    url,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function waitForRpc(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`anvil did not answer at ${url} within ${timeoutMs} ms`);
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
