// What the Train and Validate pages share in their script: the route's task, the chain time, and
// the tab's one agent session of the role for (deployment, task, connected account). The session
// outlives the page (see ../train/sessions.ts); a failed one is dropped and opened again on retry.
import { untrack } from 'svelte';
import { appContext } from '../../context.ts';
import type { Route } from '../../router.ts';
import type { WalletSession } from '../../wallet/session.svelte.ts';
import { dropSession, sessionFor } from '../train/sessions.ts';
import type { SessionInput } from './agent-session.ts';

export type AgentRole = 'trainer' | 'validator';

/** Call during a role page's setup; read the fields in markup and effects. */
export function useRoleSession<S extends { close(): void }>(
  role: AgentRole,
  route: () => Route,
  wallet: WalletSession,
  make: (input: SessionInput) => S,
) {
  const { data, content } = appContext();

  const taskId = $derived.by(() => {
    const r = route();
    return 'taskId' in r ? r.taskId : 0n;
  });
  const task = $derived(data.snapshot?.tasks.find((t) => t.id === taskId) ?? null);
  const now = $derived(data.chainTime);
  const deployment = $derived(data.snapshot?.deployment ?? null);
  const key = $derived(
    wallet.connected && wallet.network.kind === 'ok' && deployment && task
      ? `${deployment.chainId}:${deployment.contracts.taskRegistry}:${taskId}:${wallet.address}`
      : null,
  );

  let session = $state.raw<S | null>(null);
  let attempt = $state(0);

  $effect(() => {
    const id = taskId;
    untrack(() => data.watch(id));
  });

  $effect(() => {
    const k = key;
    void attempt;
    untrack(() => {
      session =
        k === null
          ? null
          : sessionFor(role, k, () =>
              make({
                ctx: () => wallet.actionContext(),
                taskId,
                content,
                env: import.meta.env,
                base: import.meta.env.BASE_URL,
              }),
            );
    });
  });

  return {
    /** The chain snapshot has been read (the task may still be missing from it). */
    get loaded() {
      return data.snapshot !== null && data.snapshot !== undefined;
    },
    get taskId() {
      return taskId;
    },
    get task() {
      return task;
    },
    get now() {
      return now;
    },
    get session() {
      return session;
    },
    /** Drops a failed session and opens a fresh one. */
    retry() {
      if (key) dropSession(role, key);
      attempt += 1;
    },
  };
}
