// What every page can reach without props: the chain data, the route, toasts, content fetching
// and the config. Set once by App.svelte.
import { getContext, setContext } from 'svelte';
import type { ContentFetcher } from '../lib/chain/reads/gateway.ts';
import type { ChainData } from './chain-data.svelte.ts';
import type { AppConfig } from './config.ts';
import type { PwaState } from './pwa.svelte.ts';
import type { RouteState } from './route-state.svelte.ts';
import type { Toasts } from './ui/toasts.svelte.ts';

export interface AppContext {
  config: AppConfig;
  data: ChainData;
  route: RouteState;
  toasts: Toasts;
  pwa: PwaState;
  /** Hash-checked bytes of a spec or dataset manifest by its on-chain sha256. */
  content: ContentFetcher;
}

const KEY = Symbol('aiarena-app');

export function setAppContext(ctx: AppContext): AppContext {
  return setContext(KEY, ctx);
}

export function appContext(): AppContext {
  const ctx = getContext<AppContext | undefined>(KEY);
  if (!ctx) throw new Error('appContext() called outside the app (App.svelte sets it)');
  return ctx;
}
