import { mount } from 'svelte';
import { createClient, http } from 'viem';
import { getBlock, getChainId, getCode, readContract } from 'viem/actions';
import App from './app/App.svelte';
import { appConfig } from './app/config.ts';
import type { SnapshotClient } from './app/snapshot.ts';
import { openSnapshotStore } from './app/snapshot-store.ts';
import './app/app.css';

const config = appConfig(import.meta.env, import.meta.env.BASE_URL);
// One HTTP request per refresh round: the task list is many small reads. A bare client with only
// the actions the pages use: createPublicClient would bundle every public action (signature
// recovery and its elliptic-curve code included) into the first page.
const base = createClient({ transport: http(config.rpcUrl, { batch: true, timeout: 8_000, retryCount: 0 }) });
const client: SnapshotClient = {
  request: base.request,
  getChainId: () => getChainId(base),
  getBlock: ((args) => getBlock(base, args)) as SnapshotClient['getBlock'],
  getCode: (args) => getCode(base, args),
  readContract: ((args) => readContract(base, args)) as SnapshotClient['readContract'],
};
// Without IndexedDB (some private modes) the app still works, just without an offline copy.
const store = openSnapshotStore().catch((e: unknown) => {
  console.warn(`no offline copy of chain data: ${(e as Error).message}`);
  return null;
});

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
// The wallet button (wagmi, connectors) loads after the first render, off the critical path.
mount(App, { target, props: { config, client, store, loadWallet: () => import('./app/wallet/WalletButton.svelte') } });
