// The role agents running in this tab, for the indicator every page shows and the warning before
// the tab is closed (issue 10, section 2): a trainer or validator agent acts only while its tab
// is open, so closing it can cost a seal, a reveal or a score commitment. sessions.ts reports
// each session opened and closed here.
import { runningSentence, type RunningAgent } from '../../../lib/app-logic/running-agents.ts';

class RunningAgents {
  list = $state.raw<RunningAgent[]>([]);

  set(agent: RunningAgent): void {
    this.list = [...this.list.filter((a) => a.role !== agent.role), agent];
  }

  remove(role: RunningAgent['role']): void {
    if (this.list.some((a) => a.role === role)) this.list = this.list.filter((a) => a.role !== role);
  }
}

export const runningAgents = new RunningAgents();

let guarded = false;

/**
 * Asks before the tab closes or reloads while an agent with work left runs here (the browser words
 * the question). `active`: the agents that count (default: every one running).
 */
export function guardUnload(
  active: () => readonly RunningAgent[] = () => runningAgents.list,
  target: Pick<Window, 'addEventListener'> | undefined = globalThis.window,
): void {
  if (guarded || !target) return;
  guarded = true;
  target.addEventListener('beforeunload', (e: BeforeUnloadEvent) => {
    const text = runningSentence(active());
    if (text === null) return;
    e.preventDefault();
    // Older browsers show (or at least need) a return value.
    e.returnValue = text;
  });
}
