// What a headless agent (`aiarena agent train|validate`) tells its agent when it starts: the
// operator's wishes from the command line turned into the same commands the app's buttons send,
// given what the stored state and the chain already show. Restarting with the same command line
// must not repeat anything: a join already requested (and possibly sent) is left to the machine,
// whose stored sentAt keeps it from sending twice, and a stake already on chain is not asked
// for again. Pure.
import type { BackendName } from '../../ml/backend/types.ts';
import type { ChainRole } from '../common.ts';
import type { TrainerCommand, TrainerState } from '../trainer/machine.ts';
import type { ValidatorCommand, ValidatorState } from '../validator/machine.ts';

export interface JoinWish {
  /** Own stake to join with (wei); null: the operator did not ask to stake. */
  stake: bigint | null;
  /** Own share of pool rewards (WAD). */
  sigma: bigint;
}

export interface StartPlan<C> {
  commands: C[];
  /** Why a wish was not turned into a command, for the operator. */
  notes: string[];
}

function joinCommand(
  kind: 'trainer' | 'validator',
  join: unknown,
  role: ChainRole,
  wish: JoinWish,
): StartPlan<{ type: 'join'; amount: bigint; sigma: bigint }> {
  const own = kind === 'trainer' ? 'Trainer' : 'Validator';
  if (role === own) {
    return {
      commands: [],
      notes: wish.stake !== null ? [`already staked as ${kind} in this task: --stake is not sent again`] : [],
    };
  }
  if (role !== 'None') return { commands: [], notes: [] };
  if (join !== null)
    return {
      commands: [],
      notes: [
        `a stake request from an earlier run is pending: the agent sends it${wish.stake !== null ? ' (this --stake is not added)' : ''}`,
      ],
    };
  if (wish.stake === null)
    return { commands: [], notes: [`not staked in this task: pass --stake <ARENA> to join as ${kind}`] };
  return { commands: [{ type: 'join', amount: wish.stake, sigma: wish.sigma }], notes: [] };
}

export interface TrainWish extends JoinWish {
  /** Training epochs of a run (null: the model spec's). */
  epochs: number | null;
  /** Start another run even though a sealable model exists (it continues the transcript). */
  trainMore: boolean;
  backend: BackendName | 'auto';
}

/**
 * The trainer's start: join if asked and not joined; train unless a sealable model already
 * exists (the agent seals it in every epoch's seal window) or a run is already wanted (it
 * resumes from its transcript), or when the operator asks for more.
 */
export function trainerStartPlan(state: TrainerState, role: ChainRole, wish: TrainWish): StartPlan<TrainerCommand> {
  const plan: StartPlan<TrainerCommand> = joinCommand('trainer', state.join, role, wish);
  const t = state.training;
  if (t.paused) plan.commands.push({ type: 'resumeTraining' });
  if (wish.trainMore || (!t.wanted && state.best === null))
    plan.commands.push({ type: 'startTraining', epochs: wish.epochs, backend: wish.backend });
  else if (t.wanted) plan.notes.push('a training run from an earlier start is resumed');
  else plan.notes.push('a sealable model exists: the agent seals it each epoch (--train-more trains on)');
  return plan;
}

export function validatorStartPlan(
  state: ValidatorState,
  role: ChainRole,
  wish: JoinWish,
): StartPlan<ValidatorCommand> {
  return joinCommand('validator', state.join, role, wish);
}
