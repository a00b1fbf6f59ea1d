// The one status sentence a role page shows for its agent, from the agent's whole state rather
// than its phase label alone. The machines label an epoch 'committed' (or 'sealed') as soon as
// the commitment is prepared and sent; the page may say a step is done only once the chain has
// it (the receipt, seen again by the agent's reads), and must never contradict the epoch's own
// line: a commitment that was refused or never landed is said so here too (issue 10, 1.2). Pure.
import type { TrainerPhase, TrainerState } from '../agents/trainer/machine.ts';
import type { ValidatorEpochRecord, ValidatorPhase, ValidatorState } from '../agents/validator/machine.ts';

export type StatusTone = 'ok' | 'active' | 'warn' | 'muted';

export interface StatusLine {
  text: string;
  tone: StatusTone;
}

export const PHASE_SENTENCE: Record<TrainerPhase, string> = {
  'not-joined': 'Not staked in this task yet. You can start training now and stake before the submission phase ends.',
  joining: 'Staking: the stake transaction commits your watermark key.',
  'wrong-role': 'This account is a validator of this task; use another account to train.',
  'key-missing': 'The watermark key committed on chain is not on this device: import your key backup.',
  'key-mismatch':
    'The watermark key on this device is not the one committed on chain: import the backup of the committed key.',
  'waiting-start': 'Staked. Start training to have a model to seal.',
  training: 'Training. The model will be sealed in the seal window by itself.',
  'waiting-seal': 'A model is ready; it will be sealed when the seal window opens.',
  sealed: 'Sealed. The model will be uploaded and revealed in the reveal window by itself.',
  revealing: 'Revealing: uploading the model and sending the reveal.',
  revealed: 'Revealed: validators are scoring your model.',
  'submissions-over': 'The submission phase is over.',
  excluded: 'This account was excluded from the task after a failed challenge.',
};

export const VALIDATOR_PHASE_SENTENCE: Record<ValidatorPhase, string> = {
  'not-joined': 'Not staked in this task yet.',
  joining: 'Staking: the stake transaction is on its way.',
  'wrong-role': 'This account is a trainer of this task; use another account to validate.',
  waiting: 'Staked. Submissions are evaluated as soon as they are revealed.',
  evaluating: 'Evaluating the revealed submissions.',
  'drawing-seed':
    "Every model is evaluated; drawing the epoch's evaluation seed, which chooses the samples every validator scores.",
  committed: 'Scores committed; they are revealed in the score reveal window by themselves.',
  revealed: 'Scores revealed for this epoch.',
  'waiting-final-eval': 'Waiting for the final eval set to be revealed.',
  over: 'The task has no more epochs to score.',
};

/** The newest epoch record that holds a score commitment of this device. */
function newestCommit(state: ValidatorState): ValidatorEpochRecord | null {
  return [...state.epochs].reverse().find((r) => r.commit !== null) ?? null;
}

/** Where an epoch's score commitment stands, as the page names it everywhere. */
export type CommitStanding = 'sending' | 'refused' | 'lost' | 'committed' | 'revealed' | 'not-revealed' | 'foreign';

export function commitStanding(rec: ValidatorEpochRecord): CommitStanding | null {
  const c = rec.commit;
  if (rec.outcome === 'foreign') return 'foreign';
  if (c === null) return null;
  if (rec.outcome === 'commit-lost') return 'lost';
  if (rec.outcome === 'revealed' || c.status === 'revealed') return 'revealed';
  if (rec.outcome === 'missed-reveal') return 'not-revealed';
  if (c.status === 'committed') return 'committed';
  // 'prepared': sent (or about to be), not seen on chain.
  return c.halted !== null ? 'refused' : 'sending';
}

/** The validator's status sentence; 'committed' only once the chain holds the commitment. */
export function validatorStatus(state: ValidatorState | null): StatusLine {
  if (!state) return { text: VALIDATOR_PHASE_SENTENCE['not-joined'], tone: 'muted' };
  const phase = state.phase;
  if (phase !== 'committed' && phase !== 'revealed')
    return { text: VALIDATOR_PHASE_SENTENCE[phase], tone: phase === 'wrong-role' ? 'warn' : 'active' };
  const rec = newestCommit(state);
  const standing = rec ? commitStanding(rec) : null;
  const e = rec?.epoch;
  switch (standing) {
    case 'sending':
      return { text: `Epoch ${e}: committing scores. The transaction is sent and not on chain yet.`, tone: 'active' };
    case 'refused':
      return {
        text: `Epoch ${e}: the score commitment was refused: ${rec!.commit!.halted}. Nothing is committed.`,
        tone: 'warn',
      };
    case 'lost':
      return {
        text: `Epoch ${e}: no scores committed. The commitment did not land before the commit window closed, so this epoch earns this validator nothing.`,
        tone: 'warn',
      };
    case 'not-revealed':
      return {
        text: `Epoch ${e}: scores committed but not revealed in time; this epoch earns this validator nothing.`,
        tone: 'warn',
      };
    case 'revealed':
      return { text: VALIDATOR_PHASE_SENTENCE.revealed, tone: 'ok' };
    default:
      return { text: VALIDATOR_PHASE_SENTENCE[phase], tone: 'active' };
  }
}

/** The scores an epoch's commitment carries, named by where the commitment stands. */
export function committedScoresLabel(standing: CommitStanding | null): string | null {
  switch (standing) {
    case null:
    case 'foreign':
      return null;
    case 'sending':
      return 'Scores being committed (sent, not on chain yet)';
    case 'refused':
    case 'lost':
      return 'Scores prepared but not committed';
    case 'committed':
    case 'not-revealed':
      return 'Committed scores';
    case 'revealed':
      return 'Committed and revealed scores';
  }
}

/** The trainer's status sentence; 'sealed' only once the chain holds the seal. */
export function trainerStatus(state: TrainerState | null): StatusLine {
  if (!state) return { text: PHASE_SENTENCE['not-joined'], tone: 'muted' };
  const phase = state.phase;
  if (phase === 'sealed' || phase === 'revealing') {
    const rec = [...state.epochs].reverse().find((r) => r.seal !== null && r.outcome === 'open');
    const seal = rec?.seal;
    if (rec && seal && seal.status === 'prepared') {
      if (seal.halted !== null)
        return { text: `Epoch ${rec.epoch}: the seal was refused: ${seal.halted}. Nothing is sealed.`, tone: 'warn' };
      return {
        text: `Epoch ${rec.epoch}: sealing. The seal transaction is sent and not on chain yet.`,
        tone: 'active',
      };
    }
  }
  const tone: StatusTone =
    phase === 'wrong-role' || phase === 'excluded' || phase === 'key-missing' || phase === 'key-mismatch'
      ? 'warn'
      : phase === 'revealed'
        ? 'ok'
        : 'active';
  return { text: PHASE_SENTENCE[phase], tone };
}
