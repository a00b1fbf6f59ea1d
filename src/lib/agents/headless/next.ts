// What a headless agent would do next, in words (`aiarena status`): from the phase its stored
// state last reached (or, with no state on this machine, the account's role on chain) and the
// task's schedule at chain time. A reading aid, not a decision: the machine decides when it runs.
// Pure.
import { formatTime } from '../common.ts';
import type { ChainRole } from '../common.ts';
import { windowTimes, windowAt, phaseAt, type Schedule, type Window } from '../../chain/schedule.ts';
import type { TrainerPhase } from '../trainer/machine.ts';
import type { ValidatorPhase } from '../validator/machine.ts';

export interface NextInput {
  role: 'trainer' | 'validator';
  /** The stored state's phase, or null when this machine has none for the account. */
  phase: TrainerPhase | ValidatorPhase | null;
  chainRole: ChainRole;
  schedule: Schedule;
  now: bigint;
  taskId: bigint;
}

/** When `window` of the current (or, once passed, the next) epoch opens; null when no epoch has one any more. */
function opens(s: Schedule, now: bigint, window: Window): string | null {
  const { epoch } = windowAt(s, now);
  for (const e of [epoch, epoch + 1]) {
    const t = windowTimes(s, e, window);
    if (t && t.opens > now) return `epoch ${e}'s ${window} window, from ${formatTime(t.opens)}`;
    if (t && t.closes > now) return `epoch ${e}'s ${window} window (open now, until ${formatTime(t.closes)})`;
  }
  return null;
}

export function nextStep(i: NextInput): string {
  const phase = phaseAt(i.schedule, i.now);
  if (phase === 'Rejected') return 'the task was rejected in review: withdraw the stake (aiarena claim --withdraw)';
  if (phase === 'Ended') return 'the task has ended: claim what is claimable (aiarena claim)';
  const cmd = i.role === 'trainer' ? 'train' : 'validate';
  const other = i.role === 'trainer' ? 'Validator' : 'Trainer';
  if (i.chainRole === other)
    return `this account is a ${other.toLowerCase()} of task ${i.taskId}: one address cannot have both roles in a task`;
  if (i.phase === null)
    return i.chainRole === 'None'
      ? `no ${i.role} agent has run here: \`aiarena agent ${cmd} --task ${i.taskId} --stake <ARENA>\` joins and starts it`
      : `no ${i.role} agent state here: \`aiarena agent ${cmd} --task ${i.taskId}\` starts one (it reads the rest from the chain)`;
  const seal = opens(i.schedule, i.now, 'Seal');
  switch (i.phase) {
    case 'not-joined':
      return `not staked: start the agent with --stake <ARENA> to join`;
    case 'joining':
      return 'sends the stake (join) at its next step';
    case 'wrong-role':
      return `this account has the other role in task ${i.taskId}`;
    case 'key-missing':
    case 'key-mismatch':
      return 'waits for the watermark key committed on chain: it is not in this state folder (copy keys/ from the machine that joined)';
    case 'excluded':
      return 'excluded after a failed challenge: nothing more to submit';
    case 'waiting-start':
      return 'nothing to do until training is started (aiarena agent train starts it)';
    case 'training':
      return seal === null ? 'training, but no seal window is left' : `training; seals the best model in ${seal}`;
    case 'waiting-seal':
      return seal === null ? 'no seal window is left' : `seals its model in ${seal}`;
    case 'sealed':
      return `uploads and reveals the sealed model in ${opens(i.schedule, i.now, 'Reveal') ?? "this epoch's Reveal window"}`;
    case 'revealing':
      return 'uploading and revealing the sealed model';
    case 'revealed':
      if (i.role === 'trainer')
        return seal === null
          ? 'revealed; that was the last submission epoch: rewards vest when the task ends'
          : `revealed; seals again in ${seal}`;
      return `scores revealed; scores the next epoch's models from ${opens(i.schedule, i.now, 'Reveal') ?? 'the next Reveal window'}`;
    case 'submissions-over':
      return 'submissions are over: nothing more to seal; rewards vest when the task ends';
    case 'waiting':
      return `evaluates the revealed models in ${opens(i.schedule, i.now, 'Reveal') ?? 'the next Reveal window'}`;
    case 'evaluating':
      return `evaluating; commits scores in ${opens(i.schedule, i.now, 'ScoreCommit') ?? "this epoch's ScoreCommit window"}`;
    case 'drawing-seed':
      return 'drawing the epoch evaluation seed, then commits scores';
    case 'committed':
      return `reveals its scores in ${opens(i.schedule, i.now, 'ScoreReveal') ?? "this epoch's ScoreReveal window"}`;
    case 'waiting-final-eval':
      return 'waits for the task creator to reveal the final eval set';
    case 'over':
      return 'nothing left to score in this task';
  }
  return `in phase ${i.phase}`;
}
