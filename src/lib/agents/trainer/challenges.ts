// The trainer agent answering challenges against its own submissions by itself (SPEC 7 steps 1
// and 2, 8.4; docs/transcript.md section 11), as pure decisions: within the response time it
// posts the ownership proof and discloses the submission's transcript (states and manifest to the
// artifact store first, the manifest's digest on chain after). Each attempt is recorded in the
// state before its action runs (the runner stores the state first), the manifest is recorded
// before the transaction that names it, and every reason it cannot answer becomes a note.
import type { Hex } from 'viem';
import type { TranscriptCommitment } from '../../chain/transcript-commit.ts';
import { due, formatTime, type ActionFailure } from '../common.ts';
import type { NoteFn } from '../machine-parts.ts';

/** A challenge against one of this account's submissions, as the chain shows it. */
export interface ChallengeObservation {
  challengeId: bigint;
  submissionId: number;
  /** The challenged submission's epoch and artifact. */
  epoch: number;
  artifactHash: Hex;
  transcript: TranscriptCommitment;
  status: 'open' | 'answered' | 'disputed' | 'upheld' | 'cleared' | 'voided';
  proven: boolean;
  disclosure: Hex | null;
  /** The proof and the disclosure are due by this time (inclusive). */
  deadline: bigint;
}

export interface ChallengeRecord {
  challengeId: bigint;
  submissionId: number;
  epoch: number;
  deadline: bigint;
  /** The challenged submission's transcript in the store (null: sealed without one). */
  transcriptId: string | null;
  proofAt: bigint | null;
  proofs: number;
  /** Why the proof cannot be made or sent (no key, a refusal): no more tries. */
  proofHalted: string | null;
  /** The uploaded disclosure's manifest (sha256), once every state and the manifest are stored. */
  manifest: Hex | null;
  uploadAt: bigint | null;
  discloseAt: bigint | null;
  discloses: number;
  disclosureHalted: string | null;
  /** The chain's view at the last step. */
  proven: boolean;
  disclosed: boolean;
  status: ChallengeObservation['status'];
}

export type ChallengeAction =
  | { type: 'prove'; epoch: number; challengeId: bigint }
  | { type: 'uploadDisclosure'; epoch: number; challengeId: bigint; transcriptId: string }
  | { type: 'disclose'; epoch: number; challengeId: bigint; manifest: Hex };

export type ChallengeOutcome =
  | { type: 'proven'; epoch: number; challengeId: bigint; txHash: Hex; at: bigint }
  | { type: 'disclosure-uploaded'; epoch: number; challengeId: bigint; manifest: Hex; bytes: number; at: bigint }
  | { type: 'disclosed'; epoch: number; challengeId: bigint; txHash: Hex; at: bigint };

export const CHALLENGE_ACTIONS: readonly string[] = ['prove', 'uploadDisclosure', 'disclose'];

/** Seals the agent knows: the transcript id of the submission with this artifact. */
export interface SealIndex {
  transcriptIdOf(artifactHash: Hex, epoch: number): string | null | undefined;
}

export interface ChallengeInputs {
  now: bigint;
  challenges: readonly ChallengeObservation[];
  /** Actions of these kinds for these challenge ids are still running (`prove/<id>`, ...). */
  busy: readonly string[];
  /** The agent can make ownership proofs here. */
  prover: boolean;
  retryAfterSec: number;
}

export const busyKey = (kind: 'prove' | 'uploadDisclosure' | 'disclose', id: bigint): string => `${kind}/${id}`;

/** Decides the proof and disclosure actions for every open challenge against this account. */
export function answerChallenges(
  records: ChallengeRecord[],
  seals: SealIndex,
  inp: ChallengeInputs,
  note: NoteFn,
): ChallengeAction[] {
  const actions: ChallengeAction[] = [];
  const { now } = inp;
  for (const c of inp.challenges) {
    let rec = records.find((r) => r.challengeId === c.challengeId);
    if (!rec) {
      rec = {
        challengeId: c.challengeId,
        submissionId: c.submissionId,
        epoch: c.epoch,
        deadline: c.deadline,
        transcriptId: seals.transcriptIdOf(c.artifactHash, c.epoch) ?? null,
        proofAt: null,
        proofs: 0,
        proofHalted: null,
        manifest: null,
        uploadAt: null,
        discloseAt: null,
        discloses: 0,
        disclosureHalted: null,
        proven: c.proven,
        disclosed: c.disclosure !== null,
        status: c.status,
      };
      records.push(rec);
      if (c.status === 'open')
        note(
          `challenged/${c.challengeId}`,
          'warn',
          `Epoch ${c.epoch}: your submission was challenged (challenge ${c.challengeId}). The agent answers by itself with the ownership proof and the training transcript before ${formatTime(c.deadline)}; keep this app running until then.`,
          c.epoch,
        );
    }
    rec.proven = c.proven;
    rec.disclosed = c.disclosure !== null;
    const was = rec.status;
    rec.status = c.status;
    if (c.status !== 'open') {
      if (was === 'open' && c.status === 'answered')
        note(
          `answered/${c.challengeId}`,
          'info',
          `Epoch ${c.epoch}: challenge ${c.challengeId} is answered (proof and transcript are on chain). Validators may now name a segment they claim does not replay.`,
          c.epoch,
        );
      continue;
    }
    if (now > c.deadline) {
      const missing = [!c.proven && 'the ownership proof', c.disclosure === null && 'the transcript disclosure'].filter(
        Boolean,
      );
      note(
        `challenge-late/${c.challengeId}`,
        'error',
        `Epoch ${c.epoch}: the time to answer challenge ${c.challengeId} ended at ${formatTime(c.deadline)} without ${missing.join(' and ')}: the challenge will be upheld (SPEC 7).`,
        c.epoch,
      );
      continue;
    }
    const retry = inp.retryAfterSec;
    // 1. Ownership proof.
    if (!c.proven && rec.proofHalted === null) {
      if (!inp.prover) {
        note(
          `no-prover/${c.challengeId}`,
          'error',
          `Epoch ${c.epoch}: the agent cannot make the ownership proof for challenge ${c.challengeId} here (no prover); answer it on the Challenges page before ${formatTime(c.deadline)}.`,
          c.epoch,
        );
      } else if (!inp.busy.includes(busyKey('prove', c.challengeId)) && due(rec.proofAt, now, retry)) {
        rec.proofAt = now;
        rec.proofs += 1;
        actions.push({ type: 'prove', epoch: c.epoch, challengeId: c.challengeId });
      }
    }
    // 2. Disclosure: upload (states, then manifest), then post the manifest's digest.
    if (c.disclosure === null && rec.disclosureHalted === null) {
      if (rec.transcriptId === null) {
        rec.disclosureHalted = 'the submission was sealed without a training transcript';
        note(
          `no-disclosure/${c.challengeId}`,
          'error',
          `Epoch ${c.epoch}: challenge ${c.challengeId} cannot be answered with a disclosure: the submission was sealed without a training transcript (MISSING_TRANSCRIPT), so the challenge will be upheld.`,
          c.epoch,
        );
      } else if (rec.manifest === null) {
        if (!inp.busy.includes(busyKey('uploadDisclosure', c.challengeId)) && due(rec.uploadAt, now, retry)) {
          rec.uploadAt = now;
          actions.push({
            type: 'uploadDisclosure',
            epoch: c.epoch,
            challengeId: c.challengeId,
            transcriptId: rec.transcriptId,
          });
        }
      } else if (!inp.busy.includes(busyKey('disclose', c.challengeId)) && due(rec.discloseAt, now, retry)) {
        rec.discloseAt = now;
        rec.discloses += 1;
        actions.push({ type: 'disclose', epoch: c.epoch, challengeId: c.challengeId, manifest: rec.manifest });
      }
    }
  }
  return actions;
}

/** Folds a challenge outcome into the records (pure). */
export function recordChallenge(records: ChallengeRecord[], o: ChallengeOutcome, note: NoteFn): void {
  const rec = records.find((r) => r.challengeId === o.challengeId);
  if (!rec) return;
  switch (o.type) {
    case 'proven':
      rec.proven = true;
      note(
        `proven/${o.challengeId}`,
        'info',
        `Epoch ${o.epoch}: the ownership proof for challenge ${o.challengeId} is on chain.`,
        o.epoch,
      );
      break;
    case 'disclosure-uploaded':
      rec.manifest = o.manifest;
      // Sent at once: the upload just finished, no retry wait.
      rec.discloseAt = null;
      break;
    case 'disclosed':
      rec.disclosed = true;
      note(
        `disclosed/${o.challengeId}`,
        'info',
        `Epoch ${o.epoch}: the training transcript for challenge ${o.challengeId} is disclosed (manifest ${rec.manifest?.slice(0, 10)}…).`,
        o.epoch,
      );
      break;
  }
}

/** A failed challenge action: a permanent failure stops that part of the answer (with its note, by the caller). */
export function challengeFailed(records: ChallengeRecord[], f: ActionFailure): void {
  if (f.retryable || !CHALLENGE_ACTIONS.includes(f.action)) return;
  // One open challenge per submission, one submission per epoch: the epoch names the challenge.
  const rec = records.find((r) => r.epoch === f.epoch && r.status === 'open');
  if (!rec) return;
  if (f.action === 'prove') rec.proofHalted = f.message;
  else rec.disclosureHalted = f.message;
}
