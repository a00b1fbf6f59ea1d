// Flags and environment of `npm run deploy`, checked before touching the network. The deployer
// key is read separately and never echoed: error messages describe it, not quote it.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getAddress, isAddress, parseUnits, type Address, type Hex } from 'viem';
import { isLocalDevChain } from '../../src/lib/chain/verifier-ceremony.ts';
import { deploymentsDir, REPO_ROOT } from './paths.ts';

export interface DeployOptions {
  rpcUrl: string;
  outDir: string;
  force: boolean;
  rejectQuorum: bigint;
  minReviewPeriod: bigint;
  initialSupply: bigint;
  /** null: the deployer's own address. */
  treasury: Address | null;
  /** A zk build folder whose verifier to deploy (docs/zk.md section 4); null: the tree's own. */
  zkBuild: string | null;
  /** Accept a zk build of a test circuit instance (tests of the production path only). */
  allowTestCircuit: boolean;
}

/** Public-chain defaults: a day-long review at minimum; 1% of the supply rejects a task. */
export const DEPLOY_DEFAULTS = {
  rejectQuorum: '1000000',
  minReviewPeriod: '86400',
  initialSupply: '100000000',
} as const;

export const DEPLOY_USAGE = `Usage: DEPLOYER_PRIVATE_KEY=0x... npm run deploy -- --rpc-url URL [options]

Deploys the AIArena contracts and writes <out-dir>/<chainId>.json.

  --rpc-url URL              JSON-RPC endpoint (env RPC_URL)
  --reject-quorum TOKENS     objection tokens that reject a task (env AIARENA_REJECT_QUORUM, default ${DEPLOY_DEFAULTS.rejectQuorum})
  --min-review-period SECS   shortest review a task may choose (env AIARENA_MIN_REVIEW_PERIOD, default ${DEPLOY_DEFAULTS.minReviewPeriod})
  --initial-supply TOKENS    tokens minted to the treasury (env AIARENA_INITIAL_SUPPLY, default ${DEPLOY_DEFAULTS.initialSupply})
  --treasury ADDRESS         receives the initial supply (env AIARENA_TREASURY, default: the deployer)
  --out-dir DIR              where deployment files go (env AIARENA_DEPLOYMENTS_DIR, default deployments/)
  --zk-build DIR             deploy the watermark verifier of this zk build folder (env AIARENA_ZK_BUILD), made by
                             \`npm run build:zk -- --only watermark_ownership --phase2 <final.zkey> --out-dir DIR\`;
                             default: the verifier in contracts/src/verifiers
  --allow-test-circuit       accept a --zk-build of a test circuit instance (for tests of this path)
  --force                    overwrite an existing deployment file of a non-local chain
  --help                     this text

Token amounts are whole tokens (18 decimals; "1.5" allowed). A verifier from the development
ceremony (the committed one) is refused on every chain but the local development chains
(31337, 1337): anyone can forge its proofs (docs/zk.md section 4).`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function tokens(value: string, what: string): bigint {
  if (!/^\d+(\.\d{1,18})?$/.test(value))
    throw new UsageError(`${what} must be a token amount like 1000 or 0.5, got "${value}"`);
  return parseUnits(value, 18);
}

const UINT32_MAX = 2n ** 32n - 1n;

/** Parses argv (after `--`) with env fallbacks; returns null when --help was asked. */
export function parseDeployOptions(argv: string[], env: NodeJS.ProcessEnv): DeployOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'rpc-url': { type: 'string' },
        'reject-quorum': { type: 'string' },
        'min-review-period': { type: 'string' },
        'initial-supply': { type: 'string' },
        treasury: { type: 'string' },
        'out-dir': { type: 'string' },
        'zk-build': { type: 'string' },
        'allow-test-circuit': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return null;

  const rpcUrl = values['rpc-url'] ?? env.RPC_URL;
  if (!rpcUrl) throw new UsageError('--rpc-url is required (or set RPC_URL)');
  if (!/^(https?|wss?):\/\//.test(rpcUrl)) throw new UsageError(`--rpc-url must be an http(s) or ws(s) URL`);

  const rejectQuorum = tokens(
    values['reject-quorum'] ?? env.AIARENA_REJECT_QUORUM ?? DEPLOY_DEFAULTS.rejectQuorum,
    'reject quorum',
  );
  if (rejectQuorum === 0n) throw new UsageError('reject quorum must be above 0 (0 would reject every task at once)');
  const initialSupply = tokens(
    values['initial-supply'] ?? env.AIARENA_INITIAL_SUPPLY ?? DEPLOY_DEFAULTS.initialSupply,
    'initial supply',
  );

  const review = values['min-review-period'] ?? env.AIARENA_MIN_REVIEW_PERIOD ?? DEPLOY_DEFAULTS.minReviewPeriod;
  if (!/^\d+$/.test(review)) throw new UsageError(`min review period must be whole seconds, got "${review}"`);
  const minReviewPeriod = BigInt(review);
  // Tasks store their review period as uint32: a larger minimum would make every task invalid.
  if (minReviewPeriod > UINT32_MAX) throw new UsageError(`min review period must be at most ${UINT32_MAX} s`);

  const treasuryRaw = values.treasury ?? env.AIARENA_TREASURY;
  if (treasuryRaw !== undefined && !isAddress(treasuryRaw, { strict: false })) {
    throw new UsageError(`treasury must be an address, got "${treasuryRaw}"`);
  }

  const zkBuild = values['zk-build'] ?? env.AIARENA_ZK_BUILD;
  if (zkBuild === '') throw new UsageError('--zk-build needs a folder');

  return {
    rpcUrl,
    zkBuild: zkBuild === undefined ? null : resolve(REPO_ROOT, zkBuild),
    allowTestCircuit: values['allow-test-circuit'] ?? false,
    outDir: values['out-dir'] ? deploymentsDir({ AIARENA_DEPLOYMENTS_DIR: values['out-dir'] }) : deploymentsDir(env),
    force: values.force ?? false,
    rejectQuorum,
    minReviewPeriod,
    initialSupply,
    treasury: treasuryRaw === undefined ? null : getAddress(treasuryRaw),
  };
}

/** DEPLOYER_PRIVATE_KEY, checked for shape only; the message never contains the value. */
export function readDeployerKey(env: NodeJS.ProcessEnv): Hex {
  const raw = env.DEPLOYER_PRIVATE_KEY?.trim();
  if (!raw) throw new UsageError('DEPLOYER_PRIVATE_KEY is not set: export the deployer key (0x + 64 hex digits)');
  const key = raw.startsWith('0x') ? raw : `0x${raw}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new UsageError(
      `DEPLOYER_PRIVATE_KEY is malformed: expected 0x followed by 64 hex digits (got ${raw.length} characters)`,
    );
  }
  return key as Hex;
}

/** Local development chains, whose deployment files are rewritten freely. */
export function isLocalChain(chainId: number): boolean {
  return isLocalDevChain(chainId);
}

/** An RPC URL without its path and query, where providers put API keys. */
export function redactRpcUrl(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname === '/' && !u.search ? `${u.protocol}//${u.host}` : `${u.protocol}//${u.host}/…`;
  } catch {
    return '(unparseable URL)';
  }
}
