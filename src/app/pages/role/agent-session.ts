// What the trainer and validator sessions share: how they are opened, the statuses they go
// through, and how a failure to open reads on the page.
import { AgentError } from '../../../lib/agents/index.ts';
import { errorSentence } from '../../../lib/app-logic/errors.ts';
import type { ActionContext } from '../../../lib/chain/actions/index.ts';
import type { RolePortsInput } from '../train/role-ports.ts';

/** What a session is opened with: the ports' input, the account's action context on demand. */
export type SessionInput = Omit<RolePortsInput, 'ctx' | 'role'> & {
  ctx: () => Promise<ActionContext>;
  pollMs?: number;
};

export type SessionStatus = 'opening' | 'ready' | 'locked' | 'failed' | 'closed';

/** A short sentence for the page: never a raw library message with request bodies and versions. */
export const messageOf = (e: unknown): string => errorSentence(e);

/** A failed open: 'locked' when another tab runs this agent, otherwise 'failed' with the reason. */
export function openFailure(e: unknown): { status: 'locked' | 'failed'; problem: string } {
  if (e instanceof AgentError && e.code === 'locked') return { status: 'locked', problem: e.message };
  return { status: 'failed', problem: messageOf(e) };
}
