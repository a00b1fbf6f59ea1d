// Where the app reads and writes content, from Vite's env (set at build time; `npm start` sets
// them for the local stack). Defaults are the local stack's own store.
//
//   VITE_IPFS_GATEWAYS   comma-separated gateway URLs, tried in order
//   VITE_UPLOAD_URL      the local store's `.../upload`, or a Kubo RPC API base ending in `/api/v0`
//   VITE_UPLOAD_AUTH     Authorization header value for the Kubo RPC API (optional)
//   VITE_PINNING_URL     an IPFS Pinning Service API base (`.../pins` is appended); optional
//   VITE_PINNING_TOKEN   its bearer access token
//   VITE_BLOB_MAX_BYTES  the largest blob the app will download or upload
//
// Values in VITE_* variables are compiled into the static bundle and readable by anyone who loads
// the app: a token put there is public. See docs/app/artifact-store.md.
import { CasConfigError } from './errors.ts';
import { DEFAULT_MAX_BLOB_BYTES } from './fetch.ts';

export const LOCAL_STORE_URL = 'http://127.0.0.1:8546';

export type UploadTarget =
  /** The local stack's blob store: POST the raw bytes. */
  | { kind: 'store'; url: string }
  /** A Kubo RPC API (`.../api/v0`): `add` with the project's UnixFS settings. */
  | { kind: 'kubo'; url: string; authorization?: string };

export interface PinningConfig {
  /** Base URL of the Pinning Service API (`${url}/pins`). */
  url: string;
  token: string;
  /** Multiaddrs of nodes that hold the content, handed to the service as `origins`. */
  origins?: string[];
  pollMs: number;
  timeoutMs: number;
}

export interface CasConfig {
  gateways: string[];
  upload: UploadTarget;
  pinning?: PinningConfig;
  maxBytes: number;
}

type Env = Record<string, string | boolean | undefined>;

function text(env: Env, key: string): string | undefined {
  const v = env[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function httpUrl(value: string, variable: string): string {
  // {cid} makes a gateway template; check the URL around it.
  const probe = value.replaceAll('{cid}', 'bafkqaaa');
  let url: URL;
  try {
    url = new URL(probe);
  } catch {
    throw new CasConfigError(variable, `${variable}: "${value}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CasConfigError(variable, `${variable}: "${value}" must be an http or https URL.`);
  }
  return value.replace(/\/+$/, '');
}

export function isKuboRpcUrl(url: string): boolean {
  return /\/api\/v0\/?$/.test(new URL(url).pathname);
}

export function casConfigFromEnv(env: Env): CasConfig {
  const gateways = (text(env, 'VITE_IPFS_GATEWAYS') ?? LOCAL_STORE_URL)
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g) => httpUrl(g, 'VITE_IPFS_GATEWAYS'));
  if (gateways.length === 0) throw new CasConfigError('VITE_IPFS_GATEWAYS', 'VITE_IPFS_GATEWAYS lists no gateway.');

  const uploadUrl = httpUrl(text(env, 'VITE_UPLOAD_URL') ?? `${LOCAL_STORE_URL}/upload`, 'VITE_UPLOAD_URL');
  const authorization = text(env, 'VITE_UPLOAD_AUTH');
  const upload: UploadTarget = isKuboRpcUrl(uploadUrl)
    ? { kind: 'kubo', url: uploadUrl, ...(authorization ? { authorization } : {}) }
    : { kind: 'store', url: uploadUrl };

  const maxRaw = text(env, 'VITE_BLOB_MAX_BYTES');
  const maxBytes = maxRaw === undefined ? DEFAULT_MAX_BLOB_BYTES : Number(maxRaw);
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
    throw new CasConfigError('VITE_BLOB_MAX_BYTES', `VITE_BLOB_MAX_BYTES must be a positive integer, got "${maxRaw}".`);
  }

  const config: CasConfig = { gateways, upload, maxBytes };
  const pinningUrl = text(env, 'VITE_PINNING_URL');
  if (pinningUrl !== undefined) {
    const token = text(env, 'VITE_PINNING_TOKEN');
    if (token === undefined)
      throw new CasConfigError('VITE_PINNING_TOKEN', 'VITE_PINNING_URL is set but VITE_PINNING_TOKEN is not.');
    config.pinning = { url: httpUrl(pinningUrl, 'VITE_PINNING_URL'), token, pollMs: 2_000, timeoutMs: 120_000 };
  }
  return config;
}
