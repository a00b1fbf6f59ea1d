// What the "agent running" indicator says about the role agents in a tab. Pure.
export interface RunningAgent {
  role: 'trainer' | 'validator';
  taskId: bigint;
}

/** "The trainer agent of task #3 runs in this tab", or null when none runs. */
export function runningSentence(agents: readonly RunningAgent[]): string | null {
  if (agents.length === 0) return null;
  const parts = agents.map((a) => `the ${a.role} agent of task #${a.taskId}`);
  const who = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  const verb = agents.length === 1 ? 'runs' : 'run';
  return `${who[0]!.toUpperCase()}${who.slice(1)} ${verb} in this tab: closing it stops ${agents.length === 1 ? 'it' : 'them'}, and a window it misses meanwhile cannot be made up.`;
}

/**
 * The agents that still have something to do: an agent whose task has ended (chain time at or past
 * its end) has no window left to miss, so it neither shows as running nor makes the tab ask before
 * closing. Unknown end or chain time: kept.
 */
export function agentsWithWorkLeft(
  agents: readonly RunningAgent[],
  endOf: (taskId: bigint) => bigint | null,
  now: bigint | null,
): RunningAgent[] {
  return agents.filter((a) => {
    const end = endOf(a.taskId);
    return now === null || end === null || now < end;
  });
}
