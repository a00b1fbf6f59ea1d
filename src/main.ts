import { mount } from 'svelte';
import { createPublicClient, http } from 'viem';
import App from './app/App.svelte';
import { appConfig } from './app/config.ts';
import { openSnapshotStore } from './app/snapshot-store.ts';
import './app/app.css';

const config = appConfig(import.meta.env, import.meta.env.BASE_URL);
// One HTTP request per refresh round: the task list is many small reads.
const client = createPublicClient({ transport: http(config.rpcUrl, { batch: true, timeout: 8_000, retryCount: 0 }) });
// Without IndexedDB (some private modes) the app still works, just without an offline copy.
const store = openSnapshotStore().catch((e: unknown) => {
  console.warn(`no offline copy of chain data: ${(e as Error).message}`);
  return null;
});

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
mount(App, { target, props: { config, client, store } });
