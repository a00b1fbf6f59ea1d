// The trainer's automation as a pure state machine (SPEC sections 2.2 and 6): join with a key
// commitment and at least the task's minimum stake, train, seal a model whose watermark decodes
// with margin inside the seal window, upload and reveal it inside the reveal window, explain every
// window it could not use, and, once an epoch is finalized, what it earned or why it did not
// qualify (SPEC 4.3).
//
// trainerStep(state, observation) decides; trainerRecord(state, outcome) folds in what an action
// produced. Neither does I/O: salts come from the observation's entropy, and the runner persists
// the returned state before it executes any returned action, so a salt is stored before the
// commitment that needs it is sent.
import { zeroHash, type Hex } from 'viem';
import { prepareSeal } from '../../chain/prepare.ts';
import type { TranscriptCommitment } from '../../chain/transcript-commit.ts';
import { MISSING_TRANSCRIPT_WARNING, sealTranscript } from '../transcript-gap.ts';
import { epochAt, phaseAt, windowAt, windowTimes, type Phase, type Schedule } from '../../chain/schedule.ts';
import type { BackendName } from '../../ml/backend/types.ts';
import { formatTokens, formatWad } from '../../format.ts';
import {
  AgentError,
  clause,
  due,
  formatTime,
  offlineSpan,
  whyMissed,
  type ActionFailure,
  type AgentScope,
  type ChainRole,
  type Note,
  type StepResult,
} from '../common.ts';
import {
  answerChallenges,
  challengeFailed,
  recordChallenge,
  type ChallengeAction,
  type ChallengeObservation,
  type ChallengeOutcome,
  type ChallengeRecord,
} from './challenges.ts';
import {
  epochRecord,
  finishStep,
  joinRequest,
  noteFailure,
  noteInto,
  windowsOpenSince,
  type NoteFn,
} from '../machine-parts.ts';

export interface TrainerConfig {
  /**
   * Part of the seal window (basis points) kept in reserve: while training runs, the agent waits
   * for it to finish until only this much of the window is left, then seals what it has.
   */
  sealReserveBps: number;
  /** The reserve is at least this long (a snapshot and a transaction must fit in it). */
  minSealReserveSec: number;
  /** A transaction sent but not seen on chain is sent again after this long (capped to a quarter of its window). */
  retryAfterSec: number;
  /** Extra epochs the agent may train beyond the plan to get the watermark sealable (SPEC 6). */
  maxExtraEpochs: number;
  /** Steps further apart than this mean the app was not running in between. */
  gapSec: number;
  /**
   * Train with transcripts (SPEC 8): the agent has a transcript store. Without one, runs are plain
   * and seal the MISSING_TRANSCRIPT placeholder with a warning (transcript-gap.ts).
   */
  transcripts: boolean;
}

export const DEFAULT_TRAINER_CONFIG: TrainerConfig = {
  sealReserveBps: 2000,
  minSealReserveSec: 20,
  retryAfterSec: 30,
  maxExtraEpochs: 10,
  gapSec: 60,
  transcripts: false,
};

/** A trained model the agent could seal. */
export interface Candidate {
  artifactHash: Hex;
  wmCommit: Hex;
  /** Wrong watermark bits of the owner's key (docs/ml.md section 4). */
  wrong: number;
  maxErr: number;
  /** 2 * wrong <= maxErr: the margin SPEC section 6 requires before sealing. */
  sealable: boolean;
  step: number;
  /** The training epoch (ML, not the task's) the run ended in, 0-based, as checkpoints count it. */
  trainingEpoch: number;
  /** The run's transcript commitment (SPEC 8.2); null for a plain run (transcript-gap.ts). */
  transcript: TranscriptCommitment | null;
  /** Its id in the transcript store (absent in states stored before transcripts). */
  transcriptId?: string | null;
  at: bigint;
}

export type SealStatus = 'prepared' | 'sealed' | 'revealed';

export interface SealRecord {
  artifactHash: Hex;
  wmCommit: Hex;
  /** The transcript the seal commits to; the reveal carries it unchanged. */
  transcript: TranscriptCommitment;
  /** That transcript's id in the store (null: the placeholder, nothing to disclose). */
  transcriptId?: string | null;
  salt: Hex;
  commitment: Hex;
  status: SealStatus;
  preparedAt: bigint;
  sentAt: bigint | null;
  sends: number;
  /** Where the artifact was uploaded (set in the reveal window). */
  cid: string | null;
  /**
   * That CID's sha2-256 digest, set with it: the root the reveal publishes. Absent in states
   * stored before roots were revealed: the artifact is then uploaded again, which answers it.
   */
  artifactRoot?: Hex | null;
  uploadAt: bigint | null;
  revealSentAt: bigint | null;
  reveals: number;
  /** Why the chain or the wallet refused the seal, reveal or upload for good (no more tries). */
  halted: string | null;
}

export type EpochOutcome =
  | 'open'
  | 'revealed'
  /** The seal window closed without a seal from this account. */
  | 'missed-seal'
  /** Sealed but not revealed in the reveal window: not scored (SPEC 2.2). */
  | 'missed-reveal'
  /** The seal transaction never showed on chain before the seal window closed. */
  | 'seal-lost'
  /** The chain holds a seal this device did not make (another device or tab). */
  | 'foreign'
  /** Not eligible in this epoch (stake below the minimum or excluded). */
  | 'ineligible';

/** What the chain booked for a revealed submission once its epoch was finalized. */
export interface TrainerEpochResult {
  /** Nothing was booked for anyone (too few validators revealed, or nothing to score): it rolled over. */
  degenerate: boolean;
  /** 1 = best; 0 = did not qualify (or no column of this account was scored). */
  rank: number;
  /** The stake-weighted median of the validators' scores, WAD (null when not scored). */
  aggregate: bigint | null;
  /** The best aggregate of the epoch, WAD (null when none). */
  best: bigint | null;
  /** The trainer pool's reward (own and delegators'). */
  pool: bigint;
}

export interface TrainerEpochRecord {
  epoch: number;
  outcome: EpochOutcome;
  seal: SealRecord | null;
  /** Once the epoch is finalized (absent in records stored before revision 2). */
  result?: TrainerEpochResult | null;
}

export type TrainerPhase =
  | 'not-joined'
  | 'joining'
  | 'wrong-role'
  | 'key-missing'
  | 'key-mismatch'
  | 'waiting-start'
  | 'training'
  | 'waiting-seal'
  | 'sealed'
  | 'revealing'
  | 'revealed'
  | 'submissions-over'
  | 'excluded';

export interface TrainingPlan {
  /** The user asked to train (start); cleared when a run finishes with a sealable model. */
  wanted: boolean;
  /** Paused by the user: stays paused across reloads. */
  paused: boolean;
  /** Total training epochs (null: the spec's default). */
  epochs: number | null;
  /** Epochs added automatically because the watermark was not yet sealable. */
  extraEpochs: number;
  /** Run seed, drawn once from entropy. */
  seed: number | null;
  backend: BackendName | 'auto';
  /** A snapshot asked for in the seal window of this task epoch (done: its candidate came back). */
  snapshot: { epoch: number; done: boolean } | null;
  /** Epochs the spec plans (learned from the first finished run; for extensions). */
  plannedEpochs: number | null;
  /** The last finished run. */
  last: Candidate | null;
  /** When the agent last asked the worker to train (a failing start is retried, not looped). */
  startedAt: bigint | null;
  /**
   * The transcript run in progress (config.transcripts): its name under the agent's run id and
   * the earlier transcript it continues. Kept across stops, snapshots and extra epochs (the run
   * resumes); cleared when a run finishes with a sealable model, so the next one starts anew.
   */
  transcript?: TranscriptPlan | null;
  /** Transcript runs started so far (names the next one). */
  transcriptRuns?: number;
}

export interface TranscriptPlan {
  base: string;
  /** Id of the trainer's own earlier transcript, revealed on chain, that this one continues. */
  continueFrom: string | null;
}

export interface TrainerState {
  kind: 'trainer';
  version: 1;
  scope: AgentScope;
  phase: TrainerPhase;
  /** Chain time of the last step. */
  lastSeen: bigint | null;
  join: { amount: bigint; sigma: bigint; sentAt: bigint | null; sends: number } | null;
  /** When the agent last asked for a key to be made (so it asks once). */
  keyRequestedAt: bigint | null;
  training: TrainingPlan;
  /** The newest sealable candidate: what gets sealed. */
  best: Candidate | null;
  epochs: TrainerEpochRecord[];
  /** Challenges against this account's submissions and how the agent answered (absent in older states). */
  challenges?: ChallengeRecord[];
  /** When the agent deleted this task's transcripts once its rewards vested; 'failed': it gave up. */
  transcriptsPruned?: bigint | 'failed';
  notes: Note[];
}

export interface SealView {
  /** zeroHash when the account has no seal in that epoch. */
  commitment: Hex;
  revealed: boolean;
}

/** The epoch's booked outcome as the chain reports it (ChainPort.epochOutcome). */
export interface EpochOutcomeObservation {
  finalized: boolean;
  degenerate: boolean;
  validators: number;
  own: { submissionId: number; rank: number; aggregate: bigint; pool: bigint } | null;
  best: bigint | null;
}

export interface TrainerObservation {
  /** Chain time (unix seconds). */
  now: bigint;
  schedule: Schedule;
  /** The task's minimum trainer stake: a join below it is not sent. */
  minStake: bigint;
  /** The task's qualifying rule and minValidators, to explain results. */
  rules: { minScore: bigint; floorBps: number; minValidators: number };
  chain: {
    role: ChainRole;
    keyCommit: Hex | null;
    /** First epoch the account's stake counts in; null: not (yet) at the minimum. */
    eligibleFrom: number | null;
    excluded: boolean;
    /** Seals of this account for the epochs trainerReads() named. */
    seals: Record<number, SealView>;
    /** Booked outcomes for the epochs trainerResultReads() named. */
    results: Record<number, EpochOutcomeObservation>;
    /** Challenges against this account's submissions (absent where the deployment has none). */
    challenges?: ChallengeObservation[];
  };
  local: {
    /** keyCommit of the watermark key on this device, if any. */
    keyCommit: Hex | null;
    training: 'idle' | 'running' | 'paused';
    /** Challenge actions still running (challenges.ts busyKey). */
    busy?: string[];
    /** The agent can make ownership proofs here. */
    prover?: boolean;
    /** For each transcript id a seal of an open or revealed record names: whether all its states are stored. */
    transcripts?: Record<string, boolean>;
  };
  /** 32 fresh random bytes: the salt if this step prepares a seal, the seed if it starts a run. */
  entropy: Hex;
}

export type TrainerAction =
  | { type: 'generateKey' }
  | { type: 'join'; amount: bigint; sigma: bigint; keyCommit: Hex }
  | {
      type: 'train';
      seed: number;
      epochs: number | null;
      backend: BackendName | 'auto';
      /** A transcript run (config.transcripts), else a plain one. */
      transcript: TranscriptPlan | null;
    }
  | { type: 'snapshot'; epoch: number }
  | {
      type: 'seal';
      epoch: number;
      commitment: Hex;
      artifactHash: Hex;
      wmCommit: Hex;
      transcript: TranscriptCommitment;
      salt: Hex;
    }
  | { type: 'upload'; epoch: number; artifactHash: Hex }
  /** Delete this scope's transcripts: the task ended and its rewards vested (pruneWhenVested). */
  | { type: 'pruneTranscripts' }
  | {
      type: 'reveal';
      epoch: number;
      artifactHash: Hex;
      artifactRoot: Hex;
      wmCommit: Hex;
      transcript: TranscriptCommitment;
      salt: Hex;
    }
  | ChallengeAction
  | { type: 'explain'; note: Note };

export type TrainerOutcome =
  | {
      type: 'trained';
      status: 'completed' | 'stopped' | 'cancelled';
      reason?: string;
      /** Training epochs the run was planned for (the spec's or the override). */
      plannedEpochs: number;
      candidate: Omit<Candidate, 'at'>;
      at: bigint;
    }
  | { type: 'uploaded'; epoch: number; artifactHash: Hex; cid: string; artifactRoot: Hex; at: bigint }
  | { type: 'sent'; action: 'join' | 'seal' | 'reveal'; epoch: number | null; txHash: Hex; at: bigint }
  | { type: 'pruned'; transcripts: number; at: bigint }
  | ChallengeOutcome
  | ActionFailure;

/** What the user can ask of a trainer agent; the runner applies these to the state. */
export type TrainerCommand =
  | { type: 'join'; amount: bigint; sigma: bigint }
  /** Withdraw a join request the agent cannot send (staking closed meanwhile). */
  | { type: 'cancelJoin' }
  | { type: 'startTraining'; epochs?: number | null; backend?: BackendName | 'auto' }
  | { type: 'pauseTraining' }
  | { type: 'resumeTraining' }
  | { type: 'stopTraining' }
  /** Try an epoch's halted seal or reveal again (after the user fixed what refused it). */
  | { type: 'retry'; epoch: number };

export function initialTrainerState(scope: AgentScope): TrainerState {
  if (scope.role !== 'trainer')
    throw new AgentError('wrong-scope', `a trainer agent needs a trainer scope, got ${scope.role}`);
  return {
    kind: 'trainer',
    version: 1,
    scope,
    phase: 'not-joined',
    lastSeen: null,
    join: null,
    keyRequestedAt: null,
    training: {
      wanted: false,
      paused: false,
      epochs: null,
      extraEpochs: 0,
      seed: null,
      backend: 'auto',
      snapshot: null,
      plannedEpochs: null,
      last: null,
      startedAt: null,
    },
    best: null,
    epochs: [],
    notes: [],
  };
}

/** Applies a user command (pure). */
export function trainerCommand(prev: TrainerState, cmd: TrainerCommand): TrainerState {
  const s = structuredClone(prev);
  switch (cmd.type) {
    case 'join':
      s.join = joinRequest(cmd.amount, cmd.sigma);
      break;
    case 'cancelJoin':
      s.join = null;
      break;
    case 'startTraining':
      s.training.wanted = true;
      s.training.paused = false;
      if (cmd.epochs !== undefined) s.training.epochs = cmd.epochs;
      if (cmd.backend !== undefined) s.training.backend = cmd.backend;
      break;
    case 'pauseTraining':
      s.training.paused = true;
      break;
    case 'resumeTraining':
      s.training.paused = false;
      break;
    case 'stopTraining':
      s.training.wanted = false;
      s.training.paused = false;
      break;
    case 'retry': {
      const seal = s.epochs.find((r) => r.epoch === cmd.epoch)?.seal;
      if (seal) {
        seal.halted = null;
        seal.sentAt = null;
        seal.uploadAt = null;
        seal.revealSentAt = null;
      }
      break;
    }
  }
  return s;
}

/** The epochs whose seals an observation must carry. */
export function trainerReads(state: TrainerState, schedule: Schedule, now: bigint): number[] {
  const epochs = new Set<number>();
  const { started, epoch } = epochAt(schedule, now);
  if (started && epoch < schedule.submissionEpochs) epochs.add(epoch);
  for (const r of state.epochs) if (r.outcome === 'open') epochs.add(r.epoch);
  return [...epochs].sort((a, b) => a - b);
}

/** Epochs with a revealed submission whose booked outcome is not known yet and whose epoch has ended. */
export function trainerResultReads(state: TrainerState, schedule: Schedule, now: bigint): number[] {
  return state.epochs
    .filter(
      (r) => r.outcome === 'revealed' && !r.result && now >= windowTimes(schedule, r.epoch, 'ScoreReveal')!.closes,
    )
    .map((r) => r.epoch);
}

/** Seconds of the seal window kept in reserve (see TrainerConfig.sealReserveBps). */
export function sealReserve(schedule: Schedule, config: TrainerConfig): bigint {
  const seal = (BigInt(schedule.epochLength) * BigInt(schedule.sealEnd)) / 10_000n;
  const byShare = (seal * BigInt(config.sealReserveBps)) / 10_000n;
  const min = BigInt(config.minSealReserveSec);
  // Never more than the whole window.
  const reserve = byShare > min ? byShare : min;
  return reserve < seal ? reserve : seal;
}

function retryFor(schedule: Schedule, bps: number, config: TrainerConfig): number {
  const windowSec = Math.floor((schedule.epochLength * bps) / 10_000);
  return Math.max(2, Math.min(config.retryAfterSec, Math.floor(windowSec / 4)));
}

const shortHash = (h: Hex) => `${h.slice(0, 10)}…`;

export function trainerStep(
  prev: TrainerState,
  obs: TrainerObservation,
  config: TrainerConfig = DEFAULT_TRAINER_CONFIG,
): StepResult<TrainerState, TrainerAction> {
  const s = structuredClone(prev);
  const actions: TrainerAction[] = [];
  const { now, schedule: sch } = obs;
  const note = noteInto(s, now, actions);
  const phase = phaseAt(sch, now);
  const { window, epoch } = windowAt(sch, now);
  const offline = offlineSpan(s.lastSeen, now, config.gapSec);
  const role = obs.chain.role;
  const localKey = obs.local.keyCommit;
  const submissionOpen = phase === 'Review' || phase === 'Pending' || phase === 'Submission';

  reconcile(s, obs, note);

  if (sch.rejected) {
    s.training.wanted = false;
    note('rejected', 'info', 'The task was rejected in review: nothing to train or submit. Stakes are withdrawable.');
    return finish(s, 'submissions-over', now, actions);
  }

  // Who this account is in the task.
  if (role === 'Validator') {
    note(
      'wrong-role',
      'error',
      'This account is a validator of this task. One address cannot train and validate the same task; use another account to train.',
    );
    return finish(s, 'wrong-role', now, actions);
  }
  if (role === 'Trainer' && obs.chain.excluded) {
    note(
      'excluded',
      'error',
      'This account has been excluded from the task after a failed challenge (SPEC section 7); it can no longer submit.',
    );
    return finish(s, 'excluded', now, actions);
  }
  const keyMatches =
    localKey !== null && (role === 'None' || obs.chain.keyCommit?.toLowerCase() === localKey.toLowerCase());
  if (role === 'Trainer' && localKey === null) {
    note(
      'key-missing',
      'error',
      `The watermark key committed for this task (keyCommit ${shortHash(obs.chain.keyCommit ?? zeroHash)}) is not on this device. Import your encrypted key backup to train and seal: without it the model cannot carry your watermark, and a challenge could not be answered.`,
    );
  } else if (role === 'Trainer' && !keyMatches) {
    note(
      'key-mismatch',
      'error',
      `The watermark key on this device (keyCommit ${shortHash(localKey!)}) is not the one committed on chain (${shortHash(obs.chain.keyCommit ?? zeroHash)}). Import the backup of the committed key; a model watermarked with another key could not be defended in a challenge.`,
    );
  }

  // Joining: stake with the key commitment (SPEC 6: committed before any model is public).
  if (role === 'None' && s.join !== null && s.join.amount < obs.minStake) {
    note(
      `join-below-minimum/${s.join.amount}`,
      'error',
      `A trainer joins this task with at least ${formatTokens(obs.minStake, 4)} ARENA, the task's minimum trainer stake; ${formatTokens(s.join.amount, 4)} ARENA was asked, so nothing was sent.`,
    );
    s.join = null;
  }
  const needKey = (role === 'None' && s.join !== null) || (s.training.wanted && localKey === null && role === 'None');
  if (needKey && localKey === null && due(s.keyRequestedAt, now, config.retryAfterSec)) {
    s.keyRequestedAt = now;
    actions.push({ type: 'generateKey' });
  }
  if (role === 'None') {
    if (s.join === null) {
      note(
        'not-joined',
        'info',
        'Not staked in this task yet. Staking commits your watermark key; training can start before that.',
      );
    } else if (!submissionOpen || sch.rejected || (phase === 'Submission' && epoch + 1 >= sch.submissionEpochs)) {
      note(
        'staking-closed',
        'error',
        'Trainer staking is closed: a stake made now would first count after the last submission epoch.',
      );
    } else if (localKey !== null && due(s.join.sentAt, now, config.retryAfterSec)) {
      s.join.sentAt = now;
      s.join.sends += 1;
      actions.push({ type: 'join', amount: s.join.amount, sigma: s.join.sigma, keyCommit: localKey });
    }
  }

  // Training: the worker runs while wanted, not paused, and the key is the committed one.
  const canTrain = keyMatches && submissionOpen;
  let willTrain = obs.local.training !== 'idle';
  if (
    s.training.wanted &&
    !s.training.paused &&
    obs.local.training === 'idle' &&
    canTrain &&
    due(s.training.startedAt, now, config.retryAfterSec)
  ) {
    if (s.training.seed === null) s.training.seed = Number.parseInt(obs.entropy.slice(2, 10), 16) >>> 0;
    s.training.startedAt = now;
    if (config.transcripts && !s.training.transcript) s.training.transcript = nextTranscript(s);
    actions.push({
      type: 'train',
      seed: s.training.seed,
      epochs: plannedEpochs(s.training),
      backend: s.training.backend,
      transcript: config.transcripts ? s.training.transcript! : null,
    });
    willTrain = true;
  }
  if (!submissionOpen && s.training.wanted) {
    s.training.wanted = false;
    note(
      'training-over',
      'info',
      'The submission phase is over, so training stopped: new models can no longer be submitted.',
    );
  }

  if (role !== 'Trainer' || !keyMatches) {
    return finish(
      s,
      role === 'None' ? (s.join ? 'joining' : 'not-joined') : localKey === null ? 'key-missing' : 'key-mismatch',
      now,
      actions,
    );
  }

  const eligibleIn = (e: number) => obs.chain.eligibleFrom !== null && obs.chain.eligibleFrom <= e;

  // Seal windows that were still open at the last step and have closed since get a record, so
  // an epoch the app slept through is explained rather than silently skipped.
  if (s.lastSeen !== null && phase !== 'Review' && phase !== 'Pending') {
    for (const e of windowsOpenSince(sch, s.lastSeen, Math.min(epoch, sch.submissionEpochs - 1), 'Seal'))
      if (eligibleIn(e)) recordFor(s, e);
  }

  if (phase === 'Submission') {
    const eligible = eligibleIn(epoch);
    // A record opens in the seal window; later in the epoch only one made then is acted on.
    const rec = !eligible
      ? null
      : window === 'Seal'
        ? recordFor(s, epoch)
        : (s.epochs.find((r) => r.epoch === epoch) ?? null);
    if (!eligible) {
      const from = obs.chain.eligibleFrom;
      note(
        `ineligible/${epoch}`,
        'info',
        from === null
          ? `Epoch ${epoch}: your own stake is below the task's minimum, so you cannot submit. Add stake to take part from the next epoch.`
          : `Epoch ${epoch}: your stake counts from epoch ${from}; submissions start then.`,
        epoch,
      );
    } else if (rec !== null && window === 'Seal') {
      sealWindow(s, rec, obs, config, willTrain, actions, note);
    } else if (rec !== null && window === 'Reveal') {
      revealWindow(rec, obs, config, actions);
    }
  }

  closeOut(s, obs, offline, note);
  noteResults(s, obs, note);
  keptTranscripts(s, obs, note);
  pruneWhenVested(s, obs, phase, actions);
  if (obs.chain.challenges && obs.chain.challenges.length > 0) {
    s.challenges ??= [];
    actions.push(
      ...answerChallenges(
        s.challenges,
        {
          transcriptIdOf: (hash, e) => {
            const seal = s.epochs.find((r) => r.epoch === e)?.seal;
            return seal && seal.artifactHash.toLowerCase() === hash.toLowerCase() ? (seal.transcriptId ?? null) : null;
          },
        },
        {
          now,
          challenges: obs.chain.challenges,
          busy: obs.local.busy ?? [],
          prover: obs.local.prover ?? false,
          retryAfterSec: config.retryAfterSec,
        },
        note,
      ),
    );
  }

  const cur = phase === 'Submission' ? s.epochs.find((r) => r.epoch === epoch) : undefined;
  let label: TrainerPhase;
  if (phase !== 'Submission' && !submissionOpen) label = 'submissions-over';
  else if (cur?.seal?.status === 'revealed') label = 'revealed';
  else if (cur?.seal && window === 'Reveal') label = 'revealing';
  else if (cur?.seal) label = 'sealed';
  else if (willTrain) label = 'training';
  else if (s.best) label = 'waiting-seal';
  else label = 'waiting-start';
  return finish(s, label, now, actions);
}

const finish = finishStep<TrainerState, TrainerAction>;

/**
 * A new transcript run: it continues the transcript of this account's newest revealed seal (SPEC
 * 8.1: the chain accepts only the seeded start or the last leaf of the trainer's own earlier
 * revealed transcript), or starts seeded.
 */
export function nextTranscript(s: TrainerState): TranscriptPlan {
  const n = s.training.transcriptRuns ?? 0;
  s.training.transcriptRuns = n + 1;
  const revealed = s.epochs
    .filter((r) => r.seal?.status === 'revealed' && r.seal.transcriptId)
    .sort((a, b) => b.epoch - a.epoch)[0];
  return { base: `t${n}`, continueFrom: revealed?.seal?.transcriptId ?? null };
}

function plannedEpochs(t: TrainingPlan): number | null {
  if (t.extraEpochs === 0) return t.epochs;
  const base = t.epochs ?? t.plannedEpochs;
  return base === null ? null : base + t.extraEpochs;
}

const recordFor = (s: TrainerState, epoch: number): TrainerEpochRecord =>
  epochRecord(s.epochs, epoch, () => ({ epoch, outcome: 'open', seal: null }));

/** The transcript ids whose states the agent must still hold: seals that are open or revealed. */
export function transcriptsToKeep(s: TrainerState): string[] {
  const ids = new Set<string>();
  for (const r of s.epochs)
    if (r.seal?.transcriptId && (r.outcome === 'open' || r.outcome === 'revealed')) ids.add(r.seal.transcriptId);
  return [...ids];
}

/** Warns, before any challenge, when a sealed transcript could not be disclosed (SPEC 8.2: kept until vesting). */
function keptTranscripts(s: TrainerState, obs: TrainerObservation, note: NoteFn): void {
  const kept = obs.local.transcripts;
  // Deleted on purpose once the rewards vested (pruneWhenVested): nothing is owed any more.
  if (!kept || s.transcriptsPruned !== undefined) return;
  for (const r of s.epochs) {
    const id = r.seal?.transcriptId;
    if (!id || kept[id] !== false || (r.outcome !== 'open' && r.outcome !== 'revealed')) continue;
    note(
      `transcript-missing/${r.epoch}`,
      'error',
      `Epoch ${r.epoch}: the training transcript sealed with this submission is no longer complete on this device (states missing), so a challenge of it could not be answered with a disclosure and would be upheld. Keep the app's storage until the rewards vest.`,
      r.epoch,
    );
  }
}

/**
 * Once the task has ended no challenge can be opened (ChallengeModule refuses after the end), and
 * once none against this account is unsettled its rewards have vested (SPEC 2.4): its transcripts
 * are owed no longer (SPEC 8.2 keeps them until vesting) and the agent deletes them, once, so a
 * device that trains in many tasks does not fill up with states nobody can ask for.
 */
function pruneWhenVested(s: TrainerState, obs: TrainerObservation, phase: Phase, actions: TrainerAction[]): void {
  if (phase !== 'Ended' || obs.local.transcripts === undefined || s.transcriptsPruned !== undefined) return;
  const unsettled = (obs.chain.challenges ?? []).some(
    (c) => c.status === 'open' || c.status === 'answered' || c.status === 'disputed',
  );
  if (unsettled || (obs.local.busy ?? []).length > 0) return;
  actions.push({ type: 'pruneTranscripts' });
}

/** Brings records in line with what the chain shows: the chain is the authority. */
function reconcile(s: TrainerState, obs: TrainerObservation, note: NoteFn): void {
  for (const rec of s.epochs) {
    const view = obs.chain.seals[rec.epoch];
    if (!view || !rec.seal || rec.outcome !== 'open') continue;
    const ours = view.commitment.toLowerCase() === rec.seal.commitment.toLowerCase();
    if (ours) {
      rec.seal.status = view.revealed ? 'revealed' : 'sealed';
    } else if (view.commitment !== zeroHash) {
      rec.outcome = 'foreign';
      note(
        `foreign/${rec.epoch}`,
        'warn',
        `Epoch ${rec.epoch}: the chain holds a seal from this account that replaced this device's (another device or tab sealed too). Only the device holding its salt can reveal it; this one leaves it alone.`,
        rec.epoch,
      );
    } else if (rec.seal.status !== 'prepared') {
      // Seen before and gone now: a reorganization dropped it. It is sent again once its retry
      // time has passed (sentAt stays), so a lagging RPC node does not cause a double send.
      rec.seal.status = 'prepared';
    }
  }
}

function sealWindow(
  s: TrainerState,
  rec: TrainerEpochRecord,
  obs: TrainerObservation,
  config: TrainerConfig,
  training: boolean,
  actions: TrainerAction[],
  note: NoteFn,
): void {
  const { now, schedule: sch } = obs;
  const e = rec.epoch;
  const view = obs.chain.seals[e];
  const retry = retryFor(sch, sch.sealEnd, config);
  if (rec.seal) {
    if (rec.seal.status === 'prepared' && rec.seal.halted === null && due(rec.seal.sentAt, now, retry)) {
      rec.seal.sentAt = now;
      rec.seal.sends += 1;
      actions.push(sealAction(e, rec.seal));
    }
    return;
  }
  if (view && view.commitment !== zeroHash) {
    rec.outcome = 'foreign';
    note(
      `foreign/${e}`,
      'warn',
      `Epoch ${e} already holds a seal from this account that this device did not make (another device or tab?). This device leaves it alone; only the device holding its salt can reveal it.`,
      e,
    );
    return;
  }
  const closes = windowTimes(sch, e, 'Seal')!.closes;
  const reserve = sealReserve(sch, config);
  const reserveAt = closes - reserve;
  const snap = s.training.snapshot;
  if (training && now >= reserveAt && !(snap !== null && snap.epoch === e)) {
    s.training.snapshot = { epoch: e, done: false };
    actions.push({ type: 'snapshot', epoch: e });
    note(
      `snapshot/${e}`,
      'info',
      `Epoch ${e}: the seal window closes at ${formatTime(closes)} and training is still running, so the current weights are taken now; training continues afterwards.`,
      e,
    );
    return;
  }
  // While training runs the agent waits for its result, up to the reserve; then for the snapshot,
  // up to half the reserve (a hung worker must not cost the epoch when an older model can be sealed).
  const snapshotDone = snap !== null && snap.epoch === e && snap.done;
  if (training && !snapshotDone && now < closes - reserve / 2n) return;
  const best = s.best;
  if (best === null) {
    const last = s.training.last;
    const why =
      last === null
        ? 'no model has been trained yet'
        : `the newest model's watermark decodes with ${last.wrong} wrong bits, more than the ${Math.floor(last.maxErr / 2)} allowed before sealing (SPEC section 6)${training ? '; training continues' : ''}`;
    note(`no-sealable/${e}`, 'warn', `Epoch ${e}: nothing to seal: ${why}.`, e);
    return;
  }
  const { transcript, missing } = sealTranscript(best.transcript);
  if (missing)
    note(`no-transcript/${e}`, 'warn', `Epoch ${e}: the model is sealed, but ${MISSING_TRANSCRIPT_WARNING}.`, e);
  // Prepared once: the commitment stored here is the one the action sends and the reveal opens.
  const prepared = prepareSeal({
    taskId: s.scope.taskId,
    epoch: e,
    trainer: s.scope.account,
    artifactHash: best.artifactHash,
    wmCommit: best.wmCommit,
    transcript,
    salt: obs.entropy,
  });
  rec.seal = {
    artifactHash: prepared.artifactHash,
    wmCommit: prepared.wmCommit,
    transcript: prepared.transcript,
    transcriptId: missing ? null : (best.transcriptId ?? null),
    salt: prepared.salt,
    commitment: prepared.commitment,
    status: 'prepared',
    preparedAt: now,
    sentAt: now,
    sends: 1,
    cid: null,
    artifactRoot: null,
    uploadAt: null,
    revealSentAt: null,
    reveals: 0,
    halted: null,
  };
  actions.push(sealAction(e, rec.seal));
}

const sealAction = (epoch: number, seal: SealRecord): TrainerAction => ({
  type: 'seal',
  epoch,
  commitment: seal.commitment,
  artifactHash: seal.artifactHash,
  wmCommit: seal.wmCommit,
  transcript: seal.transcript,
  salt: seal.salt,
});

function revealWindow(
  rec: TrainerEpochRecord,
  obs: TrainerObservation,
  config: TrainerConfig,
  actions: TrainerAction[],
): void {
  const { now, schedule: sch } = obs;
  const seal = rec.seal;
  const e = rec.epoch;
  if (!seal || seal.status !== 'sealed' || seal.halted !== null) return;
  const retry = retryFor(sch, sch.revealEnd - sch.sealEnd, config);
  if (seal.cid === null || !seal.artifactRoot) {
    if (due(seal.uploadAt, now, retry)) {
      seal.uploadAt = now;
      actions.push({ type: 'upload', epoch: e, artifactHash: seal.artifactHash });
    }
    return;
  }
  if (due(seal.revealSentAt, now, retry)) {
    seal.revealSentAt = now;
    seal.reveals += 1;
    actions.push({
      type: 'reveal',
      epoch: e,
      artifactHash: seal.artifactHash,
      artifactRoot: seal.artifactRoot,
      wmCommit: seal.wmCommit,
      transcript: seal.transcript,
      salt: seal.salt,
    });
  }
}

/** Settles records whose windows have passed, with an explanation for each miss. */
function closeOut(
  s: TrainerState,
  obs: TrainerObservation,
  offline: { from: bigint; to: bigint } | null,
  note: NoteFn,
): void {
  const { now, schedule: sch } = obs;
  for (const rec of s.epochs) {
    if (rec.outcome !== 'open') continue;
    const e = rec.epoch;
    const sealClose = windowTimes(sch, e, 'Seal')!.closes;
    const revealClose = windowTimes(sch, e, 'Reveal')!.closes;
    if (rec.seal?.status === 'revealed') {
      rec.outcome = 'revealed';
      continue;
    }
    if (rec.seal === null && now >= sealClose) {
      rec.outcome = 'missed-seal';
      const why =
        whyMissed(sealClose, offline) ??
        (s.best === null ? 'no model with a sealable watermark was ready' : 'the seal could not be sent in time');
      note(
        `missed-seal/${e}`,
        'warn',
        `Epoch ${e}: no seal: ${why}. An epoch without a submission earns nothing, and costs nothing else.`,
        e,
      );
    } else if (rec.seal !== null && rec.seal.status === 'prepared' && now >= sealClose) {
      rec.outcome = 'seal-lost';
      const why =
        rec.seal.halted !== null
          ? `it was refused: ${clause(rec.seal.halted)}`
          : `the transaction never showed on chain before the window closed at ${formatTime(sealClose)} (${rec.seal.sends} sent)`;
      note(`seal-lost/${e}`, 'warn', `Epoch ${e}: no seal: ${why}. This epoch has no submission.`, e);
    } else if (rec.seal !== null && rec.seal.status === 'sealed' && now >= revealClose) {
      rec.outcome = 'missed-reveal';
      const why =
        whyMissed(revealClose, offline) ??
        (rec.seal.halted !== null
          ? `it was refused: ${clause(rec.seal.halted)}`
          : rec.seal.cid === null || !rec.seal.artifactRoot
            ? 'the artifact could not be uploaded in time'
            : 'the reveal transaction did not go through in time');
      note(
        `missed-reveal/${e}`,
        'warn',
        `Epoch ${e}: the seal was not revealed: ${why}. A seal that is not revealed is not scored (SPEC section 2.2): the epoch earns nothing, nothing is slashed, and the model stays private.`,
        e,
      );
    }
  }
}

const score = (wad: bigint) => formatWad(wad, 4);

/** Records and explains what finalization booked for each revealed submission (SPEC 4.3, 4.6). */
function noteResults(s: TrainerState, obs: TrainerObservation, note: NoteFn): void {
  const { minScore, floorBps, minValidators } = obs.rules;
  for (const rec of s.epochs) {
    if (rec.outcome !== 'revealed' || rec.result) continue;
    const view = obs.chain.results[rec.epoch];
    if (!view?.finalized) continue;
    const own = view.own;
    rec.result = {
      degenerate: view.degenerate,
      rank: own?.rank ?? 0,
      aggregate: own?.aggregate ?? null,
      best: view.best,
      pool: own?.pool ?? 0n,
    };
    const e = rec.epoch;
    if (view.degenerate) {
      const why =
        view.validators < minValidators
          ? `only ${view.validators} validator${view.validators === 1 ? '' : 's'} revealed scores and the task needs at least ${minValidators}`
          : 'no submission could be scored';
      note(
        `result/${e}`,
        'warn',
        `Epoch ${e}: nothing was booked: ${why}. The epoch's reward rolls over to the next scoring epoch (SPEC 4.6).`,
        e,
      );
    } else if (own === null) {
      note(
        `result/${e}`,
        'warn',
        `Epoch ${e}: your submission was not among the epoch's scored columns, so it earned nothing.`,
        e,
      );
    } else if (own.rank > 0) {
      note(
        `result/${e}`,
        'info',
        `Epoch ${e}: your submission ranked #${own.rank} with a score of ${score(own.aggregate)} (the stake-weighted median of the validators' scores) and earned ${formatTokens(own.pool, 4)} ARENA for your pool.`,
        e,
      );
    } else {
      const best = view.best ?? 0n;
      const floor = (best * BigInt(floorBps)) / 10_000n;
      const why =
        own.aggregate <= minScore
          ? `its score ${score(own.aggregate)} is not above the task's minimum score ${score(minScore)}`
          : `its score ${score(own.aggregate)} is below ${floorBps / 100}% of the epoch's best score ${score(best)} (the floor is ${score(floor)})`;
      note(
        `result/${e}`,
        'warn',
        `Epoch ${e}: your submission did not qualify for a reward: ${why}. Only submissions above the minimum and within the floor of the best take a rank (SPEC 4.3); copies, invalid and untrained models never do. Train further to qualify in a later epoch.`,
        e,
      );
    }
  }
}

/** Folds an action's result into the state (pure). */
export function trainerRecord(
  prev: TrainerState,
  outcome: TrainerOutcome,
  config: TrainerConfig = DEFAULT_TRAINER_CONFIG,
): StepResult<TrainerState, TrainerAction> {
  const s = structuredClone(prev);
  const actions: TrainerAction[] = [];
  const note = noteInto(s, outcome.at, actions);
  switch (outcome.type) {
    case 'trained': {
      const c: Candidate = { ...outcome.candidate, at: outcome.at };
      const t = s.training;
      t.last = c;
      // A finished run may be followed at once (an extension, or the run resumed after a snapshot).
      t.startedAt = null;
      t.plannedEpochs = outcome.plannedEpochs - t.extraEpochs;
      if (t.snapshot && !t.snapshot.done) t.snapshot.done = true;
      if (c.sealable) s.best = c;
      // 'stopped' is a run that reached its step limit: as finished as it will get.
      if (outcome.status === 'completed' || outcome.status === 'stopped') {
        if (c.sealable) {
          t.wanted = false;
          // Finished: a later run is a new transcript (continuing this one once it is revealed).
          t.transcript = null;
          note(
            `trained/${c.artifactHash}`,
            'info',
            `Training finished at step ${c.step}: the watermark decodes with ${c.wrong} wrong bits (at most ${Math.floor(c.maxErr / 2)} allowed), so the model can be sealed.`,
          );
        } else if (outcome.status === 'completed' && t.extraEpochs < config.maxExtraEpochs) {
          t.extraEpochs += 1;
          note(
            `extend/${t.extraEpochs}`,
            'info',
            `Training finished but the watermark decodes with ${c.wrong} wrong bits, more than the ${Math.floor(c.maxErr / 2)} allowed before sealing (SPEC section 6): training one more epoch.`,
          );
        } else {
          t.wanted = false;
          note(
            `extend-limit/${c.artifactHash}`,
            'error',
            outcome.status === 'stopped'
              ? `Training reached its step limit with the watermark decoding ${c.wrong} wrong bits, more than the ${Math.floor(c.maxErr / 2)} allowed before sealing; train longer to get a model that can be sealed.`
              : `The watermark still decodes with ${c.wrong} wrong bits after ${t.extraEpochs} extra epochs; the agent stops here rather than seal a model it could not defend. Check the key and the task's watermark settings.`,
          );
        }
      } else if (outcome.status === 'cancelled' && outcome.reason !== 'snapshot') {
        t.wanted = false;
      }
      break;
    }
    case 'uploaded': {
      const seal = s.epochs.find((r) => r.epoch === outcome.epoch)?.seal;
      if (seal && seal.artifactHash.toLowerCase() === outcome.artifactHash.toLowerCase()) {
        seal.cid = outcome.cid;
        seal.artifactRoot = outcome.artifactRoot;
      }
      break;
    }
    case 'sent':
      if (outcome.action === 'seal' || outcome.action === 'reveal') {
        const rec = s.epochs.find((r) => r.epoch === outcome.epoch);
        if (rec?.seal && outcome.action === 'seal' && rec.seal.status === 'prepared') rec.seal.status = 'sealed';
        if (rec?.seal && outcome.action === 'reveal') {
          // The record closes once the chain shows the reveal (closeOut), not on our word.
          rec.seal.status = 'revealed';
          note(
            `revealed/${rec.epoch}`,
            'info',
            `Epoch ${rec.epoch}: model ${shortHash(rec.seal.artifactHash)} revealed; validators score it now.`,
            rec.epoch,
          );
        }
      }
      break;
    case 'proven':
    case 'disclosure-uploaded':
    case 'disclosed':
      recordChallenge((s.challenges ??= []), outcome, note);
      break;
    case 'pruned':
      s.transcriptsPruned = outcome.at;
      if (outcome.transcripts > 0)
        note(
          'transcripts-pruned',
          'info',
          `The task has ended and its rewards have vested, so nobody can ask for the training transcripts any more: the agent deleted the ${outcome.transcripts === 1 ? 'transcript' : `${outcome.transcripts} transcripts`} of this task from this device.`,
        );
      break;
    case 'failed':
      failed(s, outcome, note);
      challengeFailed(s.challenges ?? [], outcome);
      if (outcome.action === 'pruneTranscripts' && !outcome.retryable) s.transcriptsPruned = 'failed';
      break;
  }
  return { state: s, actions };
}

function failed(s: TrainerState, f: ActionFailure, note: NoteFn): void {
  noteFailure(f, note);
  if (f.retryable) return;
  if (f.action === 'train') s.training.wanted = false;
  // A write refused for good (a revert, the user declining in the wallet) is not repeated every
  // retry interval; the 'retry' command clears this.
  const seal = f.epoch !== null ? s.epochs.find((r) => r.epoch === f.epoch)?.seal : undefined;
  if (seal && (f.action === 'seal' || f.action === 'reveal' || f.action === 'upload')) seal.halted = f.message;
  // A join the chain refused (staking closed, no allowance...) waits for the user to ask again.
  if (f.action === 'join') s.join = null;
}
