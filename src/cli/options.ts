// The options every networked command shares, what each defaults to (the local stack that
// `npm start` runs), and the environment variables that stand in for them (for services: a
// systemd unit sets variables rather than a long command line). Secrets are read from the
// environment only, never from options: a command line is visible to every user of the machine.
import { isAbsolute, resolve } from 'node:path';
import { casConfigFromEnv, CasConfigError, type CasConfig } from '../lib/storage/cas/index.ts';
import { UsageError, single, type Parsed } from './args.ts';
import { DEFAULT_RPC, DEFAULT_STATE } from './option-specs.ts';

export * from './option-specs.ts';

export type Env = Record<string, string | undefined>;

const envText = (env: Env, key: string): string | undefined => {
  const v = env[key]?.trim();
  return v ? v : undefined;
};

function httpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what}: ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${what}: ${JSON.stringify(value)} must be an http or https URL`);
  return value;
}

export interface NetworkConfig {
  rpcUrl: string;
  /** The deployment file the user named, absolute; null: look it up by chain id. */
  deploymentFile: string | null;
  /** Where deployments/<chain id>.json files are looked up. */
  deploymentsDir: string;
}

export function networkConfig(p: Parsed, env: Env, o: { cwd: string; repoRoot: string }): NetworkConfig {
  const rpc = single(p, 'rpc') ?? envText(env, 'AIARENA_RPC_URL') ?? DEFAULT_RPC;
  const file = single(p, 'deployment') ?? envText(env, 'AIARENA_DEPLOYMENT');
  const dir = envText(env, 'AIARENA_DEPLOYMENTS_DIR');
  return {
    rpcUrl: httpUrl(rpc, single(p, 'rpc') ? '--rpc' : 'AIARENA_RPC_URL'),
    deploymentFile: file ? resolve(o.cwd, file) : null,
    deploymentsDir: dir ? (isAbsolute(dir) ? dir : resolve(o.repoRoot, dir)) : resolve(o.repoRoot, 'deployments'),
  };
}

/** The content store settings, checked by the app's own rules (storage/cas/config.ts). */
export function contentConfig(p: Parsed, env: Env): CasConfig {
  const gateways = p.values.gateway ?? envText(env, 'AIARENA_GATEWAYS')?.split(',');
  const upload = single(p, 'upload') ?? envText(env, 'AIARENA_UPLOAD_URL');
  const named: Record<string, string> = {
    VITE_IPFS_GATEWAYS: p.values.gateway ? '--gateway' : 'AIARENA_GATEWAYS',
    VITE_UPLOAD_URL: single(p, 'upload') ? '--upload' : 'AIARENA_UPLOAD_URL',
    VITE_UPLOAD_AUTH: 'AIARENA_UPLOAD_AUTH',
    VITE_PINNING_URL: 'AIARENA_PINNING_URL',
    VITE_PINNING_TOKEN: 'AIARENA_PINNING_TOKEN',
    VITE_BLOB_MAX_BYTES: 'AIARENA_BLOB_MAX_BYTES',
  };
  try {
    return casConfigFromEnv({
      VITE_IPFS_GATEWAYS: gateways?.join(','),
      VITE_UPLOAD_URL: upload,
      VITE_UPLOAD_AUTH: envText(env, 'AIARENA_UPLOAD_AUTH'),
      VITE_PINNING_URL: envText(env, 'AIARENA_PINNING_URL'),
      VITE_PINNING_TOKEN: envText(env, 'AIARENA_PINNING_TOKEN'),
      VITE_BLOB_MAX_BYTES: envText(env, 'AIARENA_BLOB_MAX_BYTES'),
    });
  } catch (e) {
    if (!(e instanceof CasConfigError)) throw e;
    // The app's sentences name its Vite variables; say what the operator set instead.
    let message = e.message;
    for (const [vite, ours] of Object.entries(named)) message = message.replaceAll(vite, ours);
    throw new UsageError(message);
  }
}

export function stateDir(p: Parsed, cwd: string): string {
  return resolve(cwd, single(p, 'state') ?? DEFAULT_STATE);
}
