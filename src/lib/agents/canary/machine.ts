// The canary producer as a pure state machine (docs/canaries.md): a task creator's pool of
// trainer accounts joins with its own watermark keys, every pool account trains and submits one
// model per submission epoch (canary or ordinary, by the plan), the creator commits each epoch's
// canary key before the epoch starts and reveals it in the epoch's score-reveal window.
//
// canaryStep(state, observation, plan) decides; canaryRecord(state, outcome, plan) folds in what
// an action produced. Neither does I/O. The state holds no secret: keys and salts come from the
// plan (derived from the creator secret), so a restart re-derives them, and the chain is read
// every step, so a restart that lost the state file continues from what the chain shows (a seal
// on chain is matched by retraining its model: training is seeded, see docs/canaries.md).
import { zeroHash, type Address, type Hex } from 'viem';
import { prepareSeal } from '../../chain/prepare.ts';
import type { TranscriptCommitment } from '../../chain/transcript-commit.ts';
import { MISSING_TRANSCRIPT_WARNING, sealTranscript } from '../transcript-gap.ts';
import { maskColumns } from '../../chain/canary.ts';
import {
  epochAt,
  epochStart,
  phaseAt,
  scoringEpochs,
  windowAt,
  windowTimes,
  type Schedule,
} from '../../chain/schedule.ts';
import { formatTokens } from '../../format.ts';
import { clause, due, formatTime, type ActionFailure, type ChainRole, type Note, type StepResult } from '../common.ts';
import { noteFailure, noteInto, type NoteFn } from '../machine-parts.ts';
import type { SealView } from '../trainer/machine.ts';
import type { CanaryScope } from './derive.ts';
import type { CanaryPlan, PlannedSubmission, SubmissionUse } from './plan.ts';

export interface CanaryConfig {
  /** Own stake of each pool account; null: the task's minimum trainer stake. */
  stake: bigint | null;
  /** Epoch e's key is committed from the start of epoch e - commitAheadEpochs on (before e starts). */
  commitAheadEpochs: number;
  /** Seals go out at a secret point in the first part of the seal window (basis points of it). */
  sealSpreadBps: number;
  /** Reveals (upload, then reveal) likewise in the reveal window. */
  revealSpreadBps: number;
  /**
   * The key is revealed once this much of the score-reveal window has passed: late enough that a
   * validator which saw it has little time left to react, early enough to retry (docs/canaries.md).
   */
  canaryRevealBps: number;
  /** A transaction not seen on chain is sent again after this long (capped to a quarter of its window). */
  retryAfterSec: number;
  /** A model whose training failed this often for good is given up for that epoch. */
  maxTrainFailures: number;
}

export const DEFAULT_CANARY_CONFIG: CanaryConfig = {
  stake: null,
  commitAheadEpochs: 2,
  sealSpreadBps: 8_000,
  revealSpreadBps: 6_000,
  canaryRevealBps: 5_000,
  retryAfterSec: 30,
  maxTrainFailures: 3,
};

export interface TxTrack {
  sentAt: bigint | null;
  sends: number;
  /** Why the chain refused it for good (no more tries). */
  halted: string | null;
}

export interface CommitRecord extends TxTrack {
  epoch: number;
  status: 'pending' | 'committed' | 'missed';
}

export interface MemberRecord extends TxTrack {
  account: Address;
  status: 'pending' | 'joined' | 'unusable';
}

export interface ModelRecord {
  artifactHash: Hex;
  wmCommit: Hex;
  /** Training steps actually run (at least the planned ones; more if the watermark needed them). */
  steps: number;
  /** Wrong watermark bits of the account's own key. */
  wrong: number;
  /** The run's transcript commitment (SPEC 8.2); null while the engine records none (transcript-gap.ts). */
  transcript: TranscriptCommitment | null;
}

/** planned: not sealed yet; sealed: the seal is on chain (or sent); revealed; missed: not revealed, with the reason. */
export type SubStatus = 'planned' | 'sealed' | 'revealed' | 'missed';

export interface SubRecord {
  epoch: number;
  account: Address;
  use: SubmissionUse;
  model: ModelRecord | null;
  /** One run at a time; a run that failed is asked again after the retry delay. */
  training: { askedAt: bigint | null; running: boolean; failures: number };
  /**
   * A seal, upload or reveal of this submission is under way (they run concurrently across the
   * pool, so a short window fits them all): nothing else is sent for it until its outcome.
   */
  inFlight: boolean;
  /** prepareSeal's commitment (task, epoch, account, artifactHash, wmCommit, transcript, salt) once the model is known. */
  commitment: Hex | null;
  status: SubStatus;
  seal: TxTrack;
  cid: string | null;
  /**
   * That CID's sha2-256 digest, set with it: the root the reveal publishes. Absent in states
   * stored before roots were revealed: the artifact is then uploaded again, which answers it.
   */
  artifactRoot?: Hex | null;
  uploadAt: bigint | null;
  reveal: TxTrack;
  /** Why it was not revealed (status 'missed'). */
  missed: string | null;
}

export interface RevealRecord extends TxTrack {
  epoch: number;
  status: 'pending' | 'revealed' | 'missed';
  /** The canary columns the chain marked (decimal bitmask), once revealed. */
  mask: string | null;
}

export interface CanaryState {
  kind: 'canary-producer';
  version: 1;
  scope: CanaryScope & { creator: Address };
  /** Identifies the plan (pool, canaries per epoch, steps): a state made for another plan is not reused. */
  planId: string;
  lastSeen: bigint | null;
  commits: CommitRecord[];
  members: MemberRecord[];
  subs: SubRecord[];
  reveals: RevealRecord[];
  notes: Note[];
}

export interface MemberView {
  role: ChainRole;
  keyCommit: Hex | null;
  eligibleFrom: number | null;
  excluded: boolean;
}

export interface CanaryObservation {
  now: bigint;
  schedule: Schedule;
  /** The task's minimum trainer stake. */
  minStake: bigint;
  chain: {
    /** canaryCommitOf for the epochs canaryReads named (zeroHash: none). */
    commits: Record<number, Hex>;
    /** Whether the epochs canaryReads named had their canaries revealed. */
    reveals: Record<number, { revealed: boolean; mask: bigint }>;
    /** Every pool account. */
    members: Record<Address, MemberView>;
    /** Seals under subKey(epoch, account) for the pairs canaryReads named. */
    seals: Record<string, SealView>;
  };
}

export type CanaryAction =
  | { type: 'commit'; epoch: number; keyHash: Hex }
  | { type: 'join'; account: Address; amount: bigint; keyCommit: Hex }
  | { type: 'train'; epoch: number; account: Address; seed: number; steps: number }
  | {
      type: 'seal';
      epoch: number;
      account: Address;
      commitment: Hex;
      artifactHash: Hex;
      wmCommit: Hex;
      transcript: TranscriptCommitment;
      salt: Hex;
    }
  | { type: 'upload'; epoch: number; account: Address; artifactHash: Hex }
  | {
      type: 'reveal';
      epoch: number;
      account: Address;
      artifactHash: Hex;
      artifactRoot: Hex;
      wmCommit: Hex;
      transcript: TranscriptCommitment;
      salt: Hex;
    }
  | { type: 'revealCanaries'; epoch: number; key: Hex }
  | { type: 'explain'; note: Note };

export type CanaryOutcome =
  | { type: 'trained'; epoch: number; account: Address; model: ModelRecord; at: bigint }
  | {
      type: 'uploaded';
      epoch: number;
      account: Address;
      artifactHash: Hex;
      cid: string;
      artifactRoot: Hex;
      at: bigint;
    }
  | {
      type: 'sent';
      action: 'commit' | 'join' | 'seal' | 'reveal';
      epoch: number | null;
      account: Address | null;
      txHash: Hex;
      at: bigint;
    }
  | { type: 'canariesRevealed'; epoch: number; mask: bigint; txHash: Hex; at: bigint }
  | (ActionFailure & { account?: Address | null });

/** The identity the machine acts for: the plan and each pool account's watermark key commitment. */
export interface CanaryIdentity {
  plan: CanaryPlan;
  keyCommits: Readonly<Record<Address, Hex>>;
}

export const subKey = (epoch: number, account: Address): string => `${epoch}:${account.toLowerCase()}`;

export function initialCanaryState(scope: CanaryScope & { creator: Address }, planId: string): CanaryState {
  return {
    kind: 'canary-producer',
    version: 1,
    scope,
    planId,
    lastSeen: null,
    commits: [],
    members: [],
    subs: [],
    reveals: [],
    notes: [],
  };
}

const track = (): TxTrack => ({ sentAt: null, sends: 0, halted: null });

/** What an observation must carry for `state` at `now`. */
export function canaryReads(
  state: CanaryState,
  plan: CanaryPlan,
  schedule: Schedule,
  now: bigint,
  config: CanaryConfig = DEFAULT_CANARY_CONFIG,
): { commits: number[]; reveals: number[]; seals: { epoch: number; account: Address }[] } {
  const scoring = scoringEpochs(schedule);
  const { started, epoch } = epochAt(schedule, now);
  const cur = started ? epoch : 0;
  const commits: number[] = [];
  for (let e = cur; e < scoring && e <= cur + config.commitAheadEpochs + 1; e++) commits.push(e);
  const reveals = started && epoch < scoring ? [epoch] : [];
  const seals = new Map<string, { epoch: number; account: Address }>();
  const add = (e: number, account: Address) => seals.set(subKey(e, account), { epoch: e, account });
  if (started && epoch < schedule.submissionEpochs) for (const account of plan.input.pool) add(epoch, account);
  if (started && epoch >= schedule.submissionEpochs && epoch < scoring)
    for (const account of plan.canaries(epoch)) add(schedule.submissionEpochs - 1, account);
  for (const r of state.subs)
    if ((r.status === 'sealed' || r.status === 'planned') && r.epoch <= cur) add(r.epoch, r.account);
  return { commits, reveals, seals: [...seals.values()] };
}

/**
 * Why a window passed unused when the producer was not running through it: it had not stepped
 * since before the window opened (`s.lastSeen` is the previous step's time). Null otherwise.
 */
function offline(s: CanaryState, t: { opens: bigint; closes: bigint }): string | null {
  if (s.lastSeen !== null && s.lastSeen >= t.opens) return null;
  if (s.lastSeen === null)
    return `the producer has no record of running before the window closed at ${formatTime(t.closes)} (a fresh or lost state)`;
  return `the producer was not running from ${formatTime(s.lastSeen)} until after the window closed at ${formatTime(t.closes)}`;
}

function retryFor(schedule: Schedule, bps: number, config: CanaryConfig): number {
  const windowSec = Math.floor((schedule.epochLength * bps) / 10_000);
  return Math.max(2, Math.min(config.retryAfterSec, Math.floor(windowSec / 4)));
}

/** A point `fraction * spreadBps` into a window. */
function pointIn(t: { opens: bigint; closes: bigint }, fraction: number, spreadBps: number): bigint {
  const span = Number(t.closes - t.opens);
  return t.opens + BigInt(Math.floor((span * fraction * spreadBps) / 10_000));
}

const short = (h: string) => `${h.slice(0, 10)}…`;
// Notes never say which submissions are canaries: logs outlive the epoch's key reveal, and a
// note printed before it would tell anyone who reads the log. The key reveal's note names them.
const revealedText = (rec: SubRecord) =>
  `Epoch ${rec.epoch}: pool account ${rec.account} revealed its model${rec.model ? ` (${short(rec.model.artifactHash)}, ${rec.model.steps} training steps)` : ''}.`;

export function canaryStep(
  prev: CanaryState,
  obs: CanaryObservation,
  id: CanaryIdentity,
  config: CanaryConfig = DEFAULT_CANARY_CONFIG,
): StepResult<CanaryState, CanaryAction> {
  const s = structuredClone(prev);
  const actions: CanaryAction[] = [];
  const { now, schedule: sch } = obs;
  const note = noteInto(s, now, actions);
  const phase = phaseAt(sch, now);
  if (sch.rejected) {
    note(
      'rejected',
      'info',
      'The task was rejected in review: no canaries; the pool accounts can withdraw their stakes.',
    );
    s.lastSeen = now;
    return { state: s, actions };
  }
  members(s, obs, id, config, note, actions);
  commits(s, obs, id, config, note, actions);
  submissions(s, obs, id, config, note, actions);
  canaryReveals(s, obs, id, config, note, actions);
  if (phase === 'Challenge' || phase === 'Ended')
    note('done', 'info', 'Every scoring epoch is over: the producer has nothing left to do in this task.');
  s.lastSeen = now;
  return { state: s, actions };
}

function members(
  s: CanaryState,
  obs: CanaryObservation,
  id: CanaryIdentity,
  config: CanaryConfig,
  note: NoteFn,
  actions: CanaryAction[],
): void {
  const { now, schedule: sch } = obs;
  const stake = config.stake ?? obs.minStake;
  const { started, epoch } = epochAt(sch, now);
  // A stake made now first counts in this epoch + 1 (or epoch 0 before the start).
  const effective = started ? epoch + 1 : 0;
  for (const account of id.plan.input.pool) {
    let rec = s.members.find((m) => m.account.toLowerCase() === account.toLowerCase());
    if (!rec) s.members.push((rec = { account, status: 'pending', ...track() }));
    const view = obs.chain.members[account];
    if (!view) continue;
    const expected = id.keyCommits[account]!;
    if (view.role === 'Trainer' && view.keyCommit?.toLowerCase() === expected.toLowerCase() && !view.excluded) {
      rec.status = 'joined';
      continue;
    }
    if (view.role === 'Validator') {
      rec.status = 'unusable';
      note(
        `member-validator/${account}`,
        'error',
        `Pool account ${account} is a validator of this task, so it cannot submit; it is left out of the plan.`,
      );
      continue;
    }
    if (view.role === 'Trainer' && view.excluded) {
      rec.status = 'unusable';
      note(
        `member-excluded/${account}`,
        'error',
        `Pool account ${account} was excluded after a failed challenge; it is left out of the plan.`,
      );
      continue;
    }
    if (view.role === 'Trainer') {
      rec.status = 'unusable';
      note(
        `member-key/${account}`,
        'error',
        `Pool account ${account} joined with another watermark key (keyCommit ${short(view.keyCommit ?? zeroHash)}) than the one this secret derives (${short(expected)}): it cannot train models it could defend, so it is left out. Was the producer started with another secret?`,
      );
      continue;
    }
    // Not joined.
    if (effective >= sch.submissionEpochs) {
      rec.status = 'unusable';
      note(
        `member-late/${account}`,
        'warn',
        `Pool account ${account} has not joined and a stake made now would first count after the last submission epoch: it is left out.`,
      );
      continue;
    }
    if (stake < obs.minStake) {
      note(
        `stake-below/${stake}`,
        'error',
        `A pool account joins with at least ${formatTokens(obs.minStake, 4)} ARENA, the task's minimum trainer stake; the configured ${formatTokens(stake, 4)} ARENA is below it, so nothing was sent.`,
      );
      continue;
    }
    if (rec.halted === null && due(rec.sentAt, now, config.retryAfterSec)) {
      rec.sentAt = now;
      rec.sends += 1;
      actions.push({ type: 'join', account, amount: stake, keyCommit: expected });
    }
  }
}

const usable = (s: CanaryState, account: Address) =>
  s.members.find((m) => m.account.toLowerCase() === account.toLowerCase())?.status !== 'unusable';

function commits(
  s: CanaryState,
  obs: CanaryObservation,
  id: CanaryIdentity,
  config: CanaryConfig,
  note: NoteFn,
  actions: CanaryAction[],
): void {
  const { now, schedule: sch } = obs;
  const scoring = scoringEpochs(sch);
  const len = BigInt(sch.epochLength);
  for (let e = 0; e < scoring; e++) {
    const starts = epochStart(sch, e);
    const onChain = obs.chain.commits[e];
    let rec = s.commits.find((c) => c.epoch === e);
    if (onChain === undefined) continue;
    const ours = id.plan.keyHash(e);
    if (!rec) {
      if (now < starts - BigInt(config.commitAheadEpochs) * len && onChain !== ours) continue;
      s.commits.push((rec = { epoch: e, status: 'pending', ...track() }));
      s.commits.sort((x, y) => x.epoch - y.epoch);
    }
    if (onChain.toLowerCase() === ours.toLowerCase()) {
      note(`committed/${e}`, 'info', `Epoch ${e}: canary key committed.`, e);
      rec.status = 'committed';
      continue;
    }
    if (rec.status === 'missed') continue;
    if (now >= starts) {
      rec.status = 'missed';
      const what =
        onChain === zeroHash
          ? 'no canary commitment'
          : `another canary commitment (${short(onChain)}) than this secret's`;
      note(
        `commit-missed/${e}`,
        'warn',
        `Epoch ${e} started at ${formatTime(starts)} with ${what}: it has no canaries of this producer, and the pool's submissions planned as its canaries are ordinary ones.`,
        e,
      );
      continue;
    }
    if (rec.status === 'committed') {
      // Seen before and changed since: replaced by another run of the creator, or a reorganization.
      rec.status = 'pending';
      rec.sentAt = null;
    }
    if (onChain !== zeroHash)
      note(
        `commit-replace/${e}/${onChain}`,
        'warn',
        `Epoch ${e}: the chain holds another canary commitment (${short(onChain)}); it is replaced with this secret's before the epoch starts.`,
        e,
      );
    const retry = Math.max(2, Math.min(config.retryAfterSec, Math.floor(sch.epochLength / 8)));
    if (rec.halted === null && due(rec.sentAt, now, retry)) {
      rec.sentAt = now;
      rec.sends += 1;
      actions.push({ type: 'commit', epoch: e, keyHash: ours });
    }
  }
}

function recordFor(s: CanaryState, p: PlannedSubmission): SubRecord {
  let rec = s.subs.find((r) => r.epoch === p.epoch && r.account.toLowerCase() === p.account.toLowerCase());
  if (!rec) {
    rec = {
      epoch: p.epoch,
      account: p.account,
      use: p.use,
      model: null,
      training: { askedAt: null, running: false, failures: 0 },
      inFlight: false,
      commitment: null,
      status: 'planned',
      seal: track(),
      cid: null,
      artifactRoot: null,
      uploadAt: null,
      reveal: track(),
      missed: null,
    };
    s.subs.push(rec);
    s.subs.sort((x, y) => x.epoch - y.epoch || (x.account.toLowerCase() < y.account.toLowerCase() ? -1 : 1));
  }
  return rec;
}

function miss(rec: SubRecord, why: string, note: NoteFn): void {
  rec.status = 'missed';
  rec.missed = why;
  note(
    `missed/${rec.epoch}/${rec.account}`,
    'warn',
    `Epoch ${rec.epoch}: pool account ${rec.account} did not submit its model: ${why}.`,
    rec.epoch,
  );
}

function submissions(
  s: CanaryState,
  obs: CanaryObservation,
  id: CanaryIdentity,
  config: CanaryConfig,
  note: NoteFn,
  actions: CanaryAction[],
): void {
  const { now, schedule: sch } = obs;
  const x0 = sch.submissionEpochs;
  const { started, epoch } = epochAt(sch, now);
  const { window } = windowAt(sch, now);
  const cur = started ? epoch : -1;
  const busy = () => s.subs.some((r) => r.training.running);
  // Records from the current submission epoch and the next one (trained ahead, during this epoch or the review).
  const open = [cur, cur + 1].filter((e) => e >= 0 && e < x0);
  if (!started && x0 > 0) open.splice(0, open.length, 0);
  for (const e of open)
    for (const p of id.plan.submissions(e))
      if (usable(s, p.account) || s.subs.some((r) => r.epoch === e && r.account === p.account)) recordFor(s, p);

  for (const rec of s.subs) {
    if (rec.status === 'revealed' || rec.status === 'missed') continue;
    const p = id.plan.submissions(rec.epoch).find((x) => x.account.toLowerCase() === rec.account.toLowerCase())!;
    const e = rec.epoch;
    const view = obs.chain.seals[subKey(e, rec.account)];
    const sealT = windowTimes(sch, e, 'Seal')!;
    const revealT = windowTimes(sch, e, 'Reveal')!;
    const member = obs.chain.members[rec.account];

    // What the chain shows wins: our commitment sealed or revealed, another one, or none.
    if (view && rec.commitment !== null) {
      const ours = view.commitment.toLowerCase() === rec.commitment.toLowerCase();
      if (ours) {
        rec.status = view.revealed ? 'revealed' : 'sealed';
        if (view.revealed) {
          note(`revealed/${e}/${rec.account}`, 'info', revealedText(rec), e);
          continue;
        }
      } else if (view.commitment !== zeroHash) {
        miss(
          rec,
          `the chain holds another seal of this account (${short(view.commitment)}) than the model this secret trains; it is left alone`,
          note,
        );
        continue;
      } else if (rec.status === 'sealed') {
        // Seen or sent before and not on chain now (a lagging node, a reorganization): sent
        // again once its retry time has passed.
        rec.status = 'planned';
      }
    }

    if (rec.inFlight) continue;
    if (!usable(s, rec.account)) {
      if (rec.status === 'planned') miss(rec, 'the account cannot take part (see its note)', note);
      continue;
    }

    // Train (one run at a time), from the start of the previous epoch on. A seal already on chain
    // with no model here (a restart that lost the state) is retrained to be revealed: training is
    // seeded, so the same bytes come back and the commitment tells.
    if (rec.model === null) {
      const t = rec.training;
      const chainSealed = view !== undefined && view.commitment !== zeroHash;
      if (chainSealed && view.revealed) {
        rec.status = 'revealed';
        continue;
      }
      if (now >= (chainSealed ? revealT.closes : sealT.closes)) {
        const why =
          t.failures >= config.maxTrainFailures
            ? `its model could not be trained (${t.failures} failures)`
            : chainSealed
              ? `it was sealed but not revealed: ${offline(s, revealT) ?? 'its model was not retrained before the reveal window closed'}`
              : (offline(s, sealT) ?? 'its model was not trained before the seal window closed');
        miss(rec, why, note);
        continue;
      }
      const from = e === 0 ? 0n : epochStart(sch, e - 1);
      if (
        now >= from &&
        !t.running &&
        t.failures < config.maxTrainFailures &&
        !busy() &&
        due(t.askedAt, now, config.retryAfterSec)
      ) {
        t.askedAt = now;
        t.running = true;
        actions.push({ type: 'train', epoch: e, account: rec.account, seed: p.seed, steps: p.steps });
      }
      continue;
    }
    // Derived from the model each time (a missing transcript maps to the same placeholder), so the
    // seal and the reveal carry the same one.
    const { transcript, missing } = sealTranscript(rec.model.transcript ?? null);
    if (rec.commitment === null && missing) {
      note(
        `no-transcript/${e}/${rec.account}`,
        'warn',
        `Epoch ${e}: the probe model of ${rec.account} is sealed, but ${MISSING_TRANSCRIPT_WARNING}.`,
        e,
      );
    }
    rec.commitment ??= prepareSeal({
      taskId: s.scope.taskId,
      epoch: e,
      trainer: rec.account,
      artifactHash: rec.model.artifactHash,
      wmCommit: rec.model.wmCommit,
      transcript,
      salt: p.salt,
    }).commitment;
    if (view && view.commitment.toLowerCase() === rec.commitment.toLowerCase()) {
      // A seal this producer made before a restart that lost its state (the model retrained to the same bytes).
      rec.status = view.revealed ? 'revealed' : 'sealed';
      if (rec.status === 'revealed') continue;
    }

    // Seal at its secret point of the seal window.
    if (rec.status === 'planned') {
      if (now >= sealT.closes) {
        miss(
          rec,
          rec.seal.halted !== null
            ? `its seal was refused: ${clause(rec.seal.halted)}`
            : rec.seal.sends > 0
              ? `its seal never showed on chain before the window closed (${rec.seal.sends} sent)`
              : (offline(s, sealT) ?? 'it was not sealed in its seal window'),
          note,
        );
        continue;
      }
      if (window !== 'Seal' || epoch !== e) continue;
      if (member && (member.eligibleFrom === null || member.eligibleFrom > e)) {
        note(
          `ineligible/${e}/${rec.account}`,
          'warn',
          `Epoch ${e}: pool account ${rec.account} is not eligible yet (its stake counts from epoch ${member.eligibleFrom ?? '-'}).`,
          e,
        );
        continue;
      }
      if (now < pointIn(sealT, p.sealAt, config.sealSpreadBps) || view === undefined) continue;
      if (rec.seal.halted === null && due(rec.seal.sentAt, now, retryFor(sch, sch.sealEnd, config))) {
        rec.seal.sentAt = now;
        rec.seal.sends += 1;
        rec.inFlight = true;
        actions.push({
          type: 'seal',
          epoch: e,
          account: rec.account,
          commitment: rec.commitment,
          artifactHash: rec.model.artifactHash,
          wmCommit: rec.model.wmCommit,
          transcript,
          salt: p.salt,
        });
      }
      continue;
    }

    // Sealed: upload and reveal at its secret point of the reveal window.
    if (rec.status === 'sealed') {
      if (now >= revealT.closes) {
        miss(
          rec,
          rec.reveal.halted !== null
            ? `its reveal was refused: ${clause(rec.reveal.halted)}`
            : offline(s, revealT) !== null
              ? offline(s, revealT)!
              : rec.cid === null || !rec.artifactRoot
                ? 'its artifact could not be uploaded in the reveal window'
                : 'its reveal did not go through in the reveal window',
          note,
        );
        continue;
      }
      if (window !== 'Reveal' || epoch !== e || now < pointIn(revealT, p.revealAt, config.revealSpreadBps)) continue;
      const retry = retryFor(sch, sch.revealEnd - sch.sealEnd, config);
      if (rec.cid === null || !rec.artifactRoot) {
        if (rec.reveal.halted === null && due(rec.uploadAt, now, retry)) {
          rec.uploadAt = now;
          rec.inFlight = true;
          actions.push({ type: 'upload', epoch: e, account: rec.account, artifactHash: rec.model.artifactHash });
        }
      } else if (rec.reveal.halted === null && due(rec.reveal.sentAt, now, retry)) {
        rec.reveal.sentAt = now;
        rec.reveal.sends += 1;
        rec.inFlight = true;
        actions.push({
          type: 'reveal',
          epoch: e,
          account: rec.account,
          artifactHash: rec.model.artifactHash,
          artifactRoot: rec.artifactRoot,
          wmCommit: rec.model.wmCommit,
          transcript,
          salt: p.salt,
        });
      }
    }
  }
}

/** The seal epoch of the submission that is a canary in scoring epoch `epoch`. */
const sealEpochOf = (sch: Schedule, epoch: number) => (epoch < sch.submissionEpochs ? epoch : sch.submissionEpochs - 1);

function canaryReveals(
  s: CanaryState,
  obs: CanaryObservation,
  id: CanaryIdentity,
  config: CanaryConfig,
  note: NoteFn,
  actions: CanaryAction[],
): void {
  const { now, schedule: sch } = obs;
  const { window, epoch } = windowAt(sch, now);
  for (const rec of s.reveals) {
    if (rec.status !== 'pending') continue;
    const closes = windowTimes(sch, rec.epoch, 'ScoreReveal')!.closes;
    if (now >= closes) {
      rec.status = 'missed';
      const why =
        rec.halted !== null
          ? `it was refused: ${clause(rec.halted)}`
          : rec.sends > 0
            ? `the transaction did not go through before the window closed (${rec.sends} sent)`
            : 'the producer was not running in the window';
      note(
        `reveal-missed/${rec.epoch}`,
        'warn',
        `Epoch ${rec.epoch}: the canary key was not revealed: ${why}. The epoch has no canaries; its planned canaries count as ordinary submissions.`,
        rec.epoch,
      );
    }
  }
  if (window !== 'ScoreReveal') return;
  const commit = s.commits.find((c) => c.epoch === epoch);
  const onChain = obs.chain.reveals[epoch];
  if (!onChain) return;
  let rec = s.reveals.find((r) => r.epoch === epoch);
  if (onChain.revealed) {
    if (!rec) s.reveals.push((rec = { epoch, status: 'pending', mask: null, ...track() }));
    // Once per epoch (notes are keyed), also when this producer's own reveal recorded it first.
    canariesNote(s, obs, id, epoch, onChain.mask, note);
    rec.status = 'revealed';
    rec.mask = onChain.mask.toString();
    return;
  }
  if (commit?.status !== 'committed') return;
  if (!rec) {
    s.reveals.push((rec = { epoch, status: 'pending', mask: null, ...track() }));
    s.reveals.sort((x, y) => x.epoch - y.epoch);
  }
  if (rec.status !== 'pending') return;
  const t = windowTimes(sch, epoch, 'ScoreReveal')!;
  if (now < t.opens + ((t.closes - t.opens) * BigInt(config.canaryRevealBps)) / 10_000n) return;
  const bps = epoch < sch.submissionEpochs ? 10_000 - sch.commitEnd : 10_000 - sch.finalCommitEnd;
  if (rec.halted === null && due(rec.sentAt, now, retryFor(sch, bps, config))) {
    rec.sentAt = now;
    rec.sends += 1;
    actions.push({ type: 'revealCanaries', epoch, key: id.plan.key(epoch) });
  }
}

/** Explains a reveal: which columns were marked and whether they are the planned canaries. */
function canariesNote(
  s: CanaryState,
  obs: CanaryObservation,
  id: CanaryIdentity,
  epoch: number,
  mask: bigint,
  note: NoteFn,
): void {
  const sealEpoch = sealEpochOf(obs.schedule, epoch);
  const planned = id.plan.canaries(epoch);
  const revealed = planned.filter(
    (a) =>
      obs.chain.seals[subKey(sealEpoch, a)]?.revealed ??
      s.subs.some(
        (r) => r.epoch === sealEpoch && r.account.toLowerCase() === a.toLowerCase() && r.status === 'revealed',
      ),
  );
  const columns = maskColumns(mask);
  const where = columns.length === 0 ? 'no column' : `column${columns.length === 1 ? '' : 's'} ${columns.join(', ')}`;
  const level = columns.length === revealed.length ? 'info' : 'warn';
  const tail =
    columns.length === revealed.length
      ? ''
      : ` (${revealed.length} planned canar${revealed.length === 1 ? 'y was' : 'ies were'} revealed as submissions)`;
  note(
    `canaries/${epoch}`,
    level,
    `Epoch ${epoch}: canary key revealed; the chain marked ${where} as canar${columns.length === 1 ? 'y' : 'ies'}${tail}.`,
    epoch,
  );
}

/** Folds an action's result into the state (pure). */
export function canaryRecord(prev: CanaryState, outcome: CanaryOutcome): StepResult<CanaryState, CanaryAction> {
  const s = structuredClone(prev);
  const actions: CanaryAction[] = [];
  const note = noteInto(s, outcome.at, actions);
  const sub = (epoch: number | null, account: Address | null | undefined) =>
    epoch === null || !account
      ? undefined
      : s.subs.find((r) => r.epoch === epoch && r.account.toLowerCase() === account.toLowerCase());
  switch (outcome.type) {
    case 'trained': {
      const rec = sub(outcome.epoch, outcome.account);
      if (rec) rec.training.running = false;
      if (rec && rec.model === null) {
        rec.model = outcome.model;
        rec.commitment = null;
      }
      break;
    }
    case 'uploaded': {
      const rec = sub(outcome.epoch, outcome.account);
      if (rec) rec.inFlight = false;
      if (rec?.model && rec.model.artifactHash.toLowerCase() === outcome.artifactHash.toLowerCase()) {
        rec.cid = outcome.cid;
        rec.artifactRoot = outcome.artifactRoot;
      }
      break;
    }
    case 'sent': {
      const rec = sub(outcome.epoch, outcome.account);
      if (rec && (outcome.action === 'seal' || outcome.action === 'reveal')) rec.inFlight = false;
      if (rec && outcome.action === 'seal' && rec.status === 'planned') rec.status = 'sealed';
      if (rec && outcome.action === 'reveal') {
        rec.status = 'revealed';
        note(`revealed/${rec.epoch}/${rec.account}`, 'info', revealedText(rec), rec.epoch);
      }
      if (outcome.action === 'commit' && outcome.epoch !== null) {
        const c = s.commits.find((x) => x.epoch === outcome.epoch);
        if (c) c.status = 'committed';
        note(`committed/${outcome.epoch}`, 'info', `Epoch ${outcome.epoch}: canary key committed.`, outcome.epoch);
      }
      if (outcome.action === 'join') {
        const m = s.members.find((x) => x.account.toLowerCase() === outcome.account?.toLowerCase());
        if (m) m.status = 'joined';
        note(
          `joined/${outcome.account}`,
          'info',
          `Pool account ${outcome.account} joined the task as a trainer with its watermark key.`,
        );
      }
      break;
    }
    case 'canariesRevealed': {
      const r = s.reveals.find((x) => x.epoch === outcome.epoch);
      if (r) {
        r.status = 'revealed';
        r.mask = outcome.mask.toString();
      }
      break;
    }
    case 'failed': {
      noteFailure(outcome, note);
      const rec = sub(outcome.epoch, outcome.account);
      if (rec && (outcome.action === 'seal' || outcome.action === 'upload' || outcome.action === 'reveal'))
        rec.inFlight = false;
      if (outcome.action === 'train' && rec) {
        rec.training.running = false;
        if (!outcome.retryable) rec.training.failures += 1;
      }
      if (outcome.retryable) break;
      if (outcome.action === 'seal' && rec) rec.seal.halted = outcome.message;
      if ((outcome.action === 'reveal' || outcome.action === 'upload') && rec) rec.reveal.halted = outcome.message;
      if (outcome.action === 'commit') {
        const c = s.commits.find((x) => x.epoch === outcome.epoch);
        if (c) c.halted = outcome.message;
      }
      if (outcome.action === 'join') {
        const m = s.members.find((x) => x.account.toLowerCase() === outcome.account?.toLowerCase());
        if (m) m.halted = outcome.message;
      }
      if (outcome.action === 'revealCanaries') {
        const r = s.reveals.find((x) => x.epoch === outcome.epoch);
        if (r) r.halted = outcome.message;
      }
      break;
    }
  }
  return { state: s, actions };
}

/** A one-line summary per scoring epoch, for logs: planned canaries and what happened. */
export function canarySummary(s: CanaryState, id: CanaryIdentity, sch: Schedule): string[] {
  const lines: string[] = [];
  for (let e = 0; e < scoringEpochs(sch); e++) {
    const c = s.commits.find((x) => x.epoch === e);
    const r = s.reveals.find((x) => x.epoch === e);
    const canaries = id.plan.canaries(e).length;
    const subs = s.subs.filter((x) => x.epoch === e);
    const revealed = subs.filter((x) => x.status === 'revealed').length;
    lines.push(
      `epoch ${e}: key ${c?.status ?? 'not yet'}, ${canaries} canar${canaries === 1 ? 'y' : 'ies'} planned` +
        (e < sch.submissionEpochs ? `, ${revealed}/${subs.length} pool submissions revealed` : '') +
        `, canaries ${r?.status === 'revealed' ? `revealed (mask ${r.mask})` : (r?.status ?? 'not yet revealed')}`,
    );
  }
  return lines;
}
