// Wallet settings read from Vite's env, next to the app's AppConfig (src/app/config.ts):
//   VITE_WALLETCONNECT_PROJECT_ID  WalletConnect Cloud project id; without it the option is hidden
//   VITE_RPC_FALLBACK_URLS         comma-separated RPC URLs tried after VITE_RPC_URL
//   VITE_DEV_ACCOUNTS              'off' hides the dev accounts even on a local chain
export interface WalletSettings {
  walletConnectProjectId?: string;
  fallbackRpcUrls: string[];
  devAccounts: boolean;
  /** Shown by phone wallets when pairing over WalletConnect. */
  appName: string;
  appDescription: string;
}

export function walletSettings(env: Record<string, string | boolean | undefined>): WalletSettings {
  const text = (key: string) => {
    const v = env[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const fallbackRpcUrls = (text('VITE_RPC_FALLBACK_URLS') ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  for (const url of fallbackRpcUrls) {
    if (!/^https?:\/\//.test(url)) throw new Error(`VITE_RPC_FALLBACK_URLS: "${url}" is not an http(s) URL`);
  }
  const projectId = text('VITE_WALLETCONNECT_PROJECT_ID');
  return {
    ...(projectId ? { walletConnectProjectId: projectId } : {}),
    fallbackRpcUrls,
    devAccounts: text('VITE_DEV_ACCOUNTS') !== 'off',
    appName: 'AIArena',
    appDescription: 'Decentralized AI training in the browser, with on-chain incentives',
  };
}
