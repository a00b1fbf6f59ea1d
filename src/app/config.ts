// Where the app finds its chain and deployments file. Values come from Vite's env at build time
// (`npm start` sets them for the local stack); defaults match the local stack's defaults.
export interface AppConfig {
  rpcUrl: string;
  /** The chain the app expects; its deployments file is /deployments/<chainId>.json. */
  chainId: number;
  deploymentUrl: string;
  refreshMs: number;
  /** IPFS gateways for specs and dataset manifests, tried in order (`VITE_IPFS_GATEWAYS`). */
  gateways: string[];
}

export const DEFAULT_RPC_URL = 'http://127.0.0.1:8545';
export const DEFAULT_CHAIN_ID = 31337;
/** The local stack's blob store (scripts/lib/blob-store), as src/lib/storage/cas/config.ts. */
export const DEFAULT_GATEWAY = 'http://127.0.0.1:8546';

export function appConfig(env: Record<string, string | boolean | undefined>, baseUrl = '/'): AppConfig {
  const text = (key: string) => {
    const v = env[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const chainId = Number(text('VITE_CHAIN_ID') ?? DEFAULT_CHAIN_ID);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new Error(`VITE_CHAIN_ID must be a positive integer`);
  const refreshMs = Number(text('VITE_REFRESH_MS') ?? 3_000);
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return {
    rpcUrl: text('VITE_RPC_URL') ?? DEFAULT_RPC_URL,
    chainId,
    deploymentUrl: `${base}deployments/${chainId}.json`,
    refreshMs: Number.isFinite(refreshMs) && refreshMs >= 500 ? refreshMs : 3_000,
    gateways: (text('VITE_IPFS_GATEWAYS') ?? DEFAULT_GATEWAY)
      .split(',')
      .map((g) => g.trim().replace(/\/+$/, ''))
      .filter((g) => g !== ''),
  };
}
