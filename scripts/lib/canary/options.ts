// Flags and environment of `npm run canaries`, checked before touching the network. Keys come
// from environment variables only and are never echoed.
import { parseArgs } from 'node:util';
import { parseUnits, type Hex } from 'viem';
import { checkSecret, CanarySecretError } from '../../../src/lib/agents/canary/index.ts';
import { MAX_CANARIES } from '../../../src/lib/chain/canary.ts';
import { deploymentsDir, stateDir } from '../paths.ts';

export interface CanaryOptions {
  taskId: bigint;
  rpcUrl: string;
  deploymentsDir: string;
  stateDir: string;
  poolSize: number;
  perEpoch: number;
  steps: { min: number; max: number };
  /** Own stake of each pool account in wei; null: the task's minimum. */
  stake: bigint | null;
  specFile: string | undefined;
  trainDir: string | undefined;
  /** The blob store's base URL (uploads to URL/upload); undefined: VITE_* settings or the local store. */
  store: string | undefined;
  fund: boolean;
  once: boolean;
  pollMs: number;
}

export const CANARY_DEFAULTS = {
  rpcUrl: 'http://127.0.0.1:8545',
  poolSize: 4,
  perEpoch: 1,
  steps: '2..100',
  pollMs: 2_000,
} as const;

export const CANARY_USAGE = `Usage: CANARY_CREATOR_KEY=0x... CANARY_SECRET=0x... npm run canaries -- --task ID [options]

Runs the task creator's canary producer (docs/canaries.md): a pool of trainer accounts submits
genuinely trained models of random quality every submission epoch; in each scoring epoch some of
them are canaries, committed before the epoch and revealed in its score-reveal window, so a
validator that does not evaluate fails them and earns nothing that epoch. Runs until the last
scoring epoch is over; stop and start it at will (state in --state-dir, keys from the secret).

Environment (never printed):
  CANARY_CREATOR_KEY   private key of the task's creator (commits and reveals the canary keys)
  CANARY_SECRET        32-byte secret (0x + 64 hex digits) every canary key, salt, pool key and
                       training draw derives from; keep it: a restart with it loses nothing
  CANARY_POOL_KEYS     optional: comma-separated private keys of the pool accounts (default: --pool
                       accounts derived from CANARY_SECRET for this task)

Options:
  --task ID            the task (required)
  --rpc-url URL        JSON-RPC endpoint (env RPC_URL, default ${CANARY_DEFAULTS.rpcUrl})
  --deployments DIR    where <chainId>.json lives (env AIARENA_DEPLOYMENTS_DIR, default deployments/)
  --pool N             pool accounts derived from the secret (default ${CANARY_DEFAULTS.poolSize})
  --per-epoch K        canaries per scoring epoch, 1..${MAX_CANARIES} (default ${CANARY_DEFAULTS.perEpoch})
  --steps MIN..MAX     training steps of a model, drawn log-uniformly (default ${CANARY_DEFAULTS.steps})
  --stake TOKENS       own stake of each pool account (default: the task's minimum trainer stake)
  --spec FILE          the task's model spec file (default: found among public/specs by hash)
  --train-data DIR     the task's training set folder (default: found among public/datasets by hash)
  --store URL          artifact store base URL, uploads go to URL/upload (default: VITE_IPFS_GATEWAYS /
                       VITE_UPLOAD_URL, else the local stack's store)
  --state-dir DIR      where the producer keeps its state (env AIARENA_STATE_DIR, default .local)
  --fund               local chain only: fund the pool accounts (gas and stake) before starting
  --once               one step, then exit (for a scheduler); default: run until the task's scoring ends
  --poll-ms MS         milliseconds between steps (default ${CANARY_DEFAULTS.pollMs})
  --help               this text`;

export class CanaryUsageError extends Error {
  override name = 'CanaryUsageError';
}

function whole(value: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new CanaryUsageError(`${what} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new CanaryUsageError(`${what} must be from ${min} to ${max}, got ${n}`);
  return n;
}

export function parseSteps(value: string): { min: number; max: number } {
  const m = /^(\d+)\.\.(\d+)$/.exec(value);
  if (!m) throw new CanaryUsageError(`--steps must look like 4..120, got "${value}"`);
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1 || max < min || max > 1_000_000)
    throw new CanaryUsageError(`--steps needs 1 <= MIN <= MAX <= 1000000, got ${min}..${max}`);
  return { min, max };
}

/** Parses argv (after `--`) with env fallbacks; null when --help was asked. */
export function parseCanaryOptions(argv: string[], env: NodeJS.ProcessEnv): CanaryOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        task: { type: 'string' },
        'rpc-url': { type: 'string' },
        deployments: { type: 'string' },
        pool: { type: 'string' },
        'per-epoch': { type: 'string' },
        steps: { type: 'string' },
        stake: { type: 'string' },
        spec: { type: 'string' },
        'train-data': { type: 'string' },
        store: { type: 'string' },
        'state-dir': { type: 'string' },
        fund: { type: 'boolean', default: false },
        once: { type: 'boolean', default: false },
        'poll-ms': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new CanaryUsageError((e as Error).message);
  }
  if (values.help) return null;
  if (values.task === undefined) throw new CanaryUsageError('--task is required');
  if (!/^\d+$/.test(values.task) || values.task === '0')
    throw new CanaryUsageError(`--task must be a task id (1, 2, ...), got "${values.task}"`);
  const rpcUrl = values['rpc-url'] ?? env.RPC_URL ?? CANARY_DEFAULTS.rpcUrl;
  if (!/^https?:\/\//.test(rpcUrl)) throw new CanaryUsageError('--rpc-url must be an http(s) URL');
  const stake = values.stake;
  if (stake !== undefined && !/^\d+(\.\d{1,18})?$/.test(stake))
    throw new CanaryUsageError(`--stake must be a token amount like 10 or 2.5, got "${stake}"`);
  if (values.store !== undefined && !/^https?:\/\//.test(values.store))
    throw new CanaryUsageError('--store must be an http(s) URL');
  return {
    taskId: BigInt(values.task),
    rpcUrl,
    deploymentsDir: values.deployments
      ? deploymentsDir({ AIARENA_DEPLOYMENTS_DIR: values.deployments })
      : deploymentsDir(env),
    stateDir: values['state-dir'] ? stateDir({ AIARENA_STATE_DIR: values['state-dir'] }) : stateDir(env),
    poolSize: whole(values.pool ?? String(CANARY_DEFAULTS.poolSize), '--pool', 1, 256),
    perEpoch: whole(values['per-epoch'] ?? String(CANARY_DEFAULTS.perEpoch), '--per-epoch', 1, MAX_CANARIES),
    steps: parseSteps(values.steps ?? CANARY_DEFAULTS.steps),
    stake: stake === undefined ? null : parseUnits(stake, 18),
    specFile: values.spec,
    trainDir: values['train-data'],
    store: values.store?.replace(/\/+$/, ''),
    fund: values.fund ?? false,
    once: values.once ?? false,
    pollMs: whole(values['poll-ms'] ?? String(CANARY_DEFAULTS.pollMs), '--poll-ms', 100, 600_000),
  };
}

/** CANARY_SECRET, checked for shape; the message never contains it. */
export function readCanarySecret(env: NodeJS.ProcessEnv): Hex {
  const raw = env.CANARY_SECRET?.trim();
  if (!raw)
    throw new CanaryUsageError(
      'CANARY_SECRET is not set: export a 32-byte secret (0x + 64 hex digits), e.g. from `openssl rand -hex 32`, and keep it',
    );
  try {
    checkSecret(raw);
  } catch (e) {
    if (e instanceof CanarySecretError) throw new CanaryUsageError(`CANARY_SECRET: ${e.message}`);
    throw e;
  }
  return raw as Hex;
}
