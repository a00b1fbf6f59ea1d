// One honest trainer and honest validators as the app opens them (real chain actions, the blob
// store, one IndexedDB), with every note and error they report collected for the test to check.
import { IDBFactory } from 'fake-indexeddb';
import {
  TrainerAgent,
  ValidatorAgent,
  actionsChainPort,
  agentStoreOn,
  casStorePort,
  keyStoreOn,
  openAgentDatabase,
  type AgentScope,
  type MlPort,
  type Note,
} from '../../../src/lib/agents/index.ts';
import type { ActionContext } from '../../../src/lib/chain/actions/index.ts';
import type { CasConfig } from '../../../src/lib/storage/cas/index.ts';
import type { ArenaEnv } from './chain-actions-env.ts';

export async function openHonestAgents(o: {
  env: ArenaEnv;
  taskId: bigint;
  trainer: ActionContext;
  validators: readonly ActionContext[];
  cas: CasConfig;
  ml: MlPort;
}) {
  const db = await openAgentDatabase(new IDBFactory());
  const persist = agentStoreOn(db);
  const keys = keyStoreOn(db);
  const scope = (ctx: ActionContext, role: 'trainer' | 'validator'): AgentScope => ({
    chainId: o.env.deployment.chainId,
    registry: o.env.deployment.contracts.taskRegistry,
    taskId: o.taskId,
    account: ctx.wallet.account.address,
    role,
  });
  const trainer = await TrainerAgent.open({
    scope: scope(o.trainer, 'trainer'),
    chain: actionsChainPort(o.trainer, o.taskId),
    store: casStorePort(o.cas),
    ml: o.ml,
    persist,
    keys,
  });
  const validators = await Promise.all(
    o.validators.map((ctx) =>
      ValidatorAgent.open({
        scope: scope(ctx, 'validator'),
        chain: actionsChainPort(ctx, o.taskId),
        store: casStorePort(o.cas),
        ml: o.ml,
        persist,
      }),
    ),
  );
  const notes: Note[] = [];
  const errors: unknown[] = [];
  for (const agent of [trainer, ...validators]) {
    agent.subscribe((e) => {
      if (e.type === 'note') notes.push(e.note);
      if (e.type === 'error') errors.push(e.error);
    });
  }
  return { trainer, validators, notes, errors, persist, keys, scope };
}
