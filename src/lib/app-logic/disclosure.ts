// Disclosing a challenged submission's transcript from the Challenges page (SPEC 7 step 2, 8.4),
// for a trainer whose agent is not running: the transcript this device kept for the submission
// (found by its sealed root), uploaded with the key (src/lib/agents/disclosure.ts), then the
// manifest's digest posted. The trainer agent does the same by itself while it runs.
import type { Hex } from 'viem';
import { uploadDisclosure, type DisclosureProgress } from '../agents/disclosure.ts';
import type { StorePort } from '../agents/ports.ts';
import type { ActionContext, ReadContext } from '../chain/actions/context.ts';
import { discloseTranscript, type DiscloseResult } from '../chain/actions/disclose-transcript.ts';
import { readChallenge, readSubmission } from '../chain/actions/read-challenges.ts';
import type { TranscriptCommitment } from '../chain/transcript-commit.ts';
import { ArenaError } from '../errors.ts';
import type { TranscriptMeta, TranscriptStore } from '../ml/transcript/store.ts';
import type { WatermarkKey } from '../ml/watermark/types.ts';

export class DisclosureUnavailableError extends ArenaError<'no-transcript' | 'key-missing'> {
  constructor(code: 'no-transcript' | 'key-missing', message: string) {
    super(code, message);
    this.name = 'DisclosureUnavailableError';
  }
}

/** The finished transcript in `transcripts` whose root and K are what the submission sealed. */
export async function findSealedTranscript(
  transcripts: TranscriptStore,
  sealed: TranscriptCommitment,
  identity: { chainId: number; taskId: bigint; trainer: string },
): Promise<TranscriptMeta | null> {
  const all = await transcripts.list();
  return (
    all.find(
      (m) =>
        m.root?.toLowerCase() === sealed.trajRoot.toLowerCase() &&
        m.segments === sealed.segments &&
        m.chainId === String(identity.chainId) &&
        m.task === identity.taskId.toString() &&
        m.trainer.toLowerCase() === identity.trainer.toLowerCase(),
    ) ?? null
  );
}

/**
 * Uploads and posts the disclosure answering `challengeId`; null when it is already disclosed.
 * DisclosureUnavailableError when this device has no transcript for the submission or no key.
 */
export async function discloseForChallenge(
  read: ReadContext,
  send: () => Promise<ActionContext>,
  p: {
    challengeId: bigint;
    store: StorePort;
    transcripts: TranscriptStore;
    key: WatermarkKey | undefined;
    onProgress?: (p: DisclosureProgress) => void;
  },
): Promise<(DiscloseResult & { bytes: number }) | null> {
  const c = await readChallenge(read, p.challengeId);
  if (!c) throw new DisclosureUnavailableError('no-transcript', `There is no challenge ${p.challengeId}.`);
  if (c.disclosure !== null) return null;
  const submission = await readSubmission(read, c.taskId, c.submissionId);
  const meta = submission
    ? await findSealedTranscript(p.transcripts, submission.transcript, {
        chainId: read.deployment.chainId,
        taskId: c.taskId,
        trainer: c.trainer,
      })
    : null;
  if (!meta)
    throw new DisclosureUnavailableError(
      'no-transcript',
      'This device has no training transcript for the challenged submission (it was trained elsewhere, sealed without one, or its states were cleared), so it cannot be disclosed here.',
    );
  if (!p.key)
    throw new DisclosureUnavailableError(
      'key-missing',
      'The disclosure carries the watermark key, and there is none for this task and account on this device; import your key backup on the Train page first.',
    );
  const { manifest, bytes } = await uploadDisclosure(p.store, p.transcripts, meta.id, p.key, {
    ...(p.onProgress ? { onProgress: p.onProgress } : {}),
  });
  return {
    ...(await discloseTranscript(await send(), { challengeId: p.challengeId, manifest: manifest as Hex })),
    bytes,
  };
}
