// Proving ownership for the Challenges page and the challenge alert: what the chain will check
// (prepareResponse), the revealed artifact by its hash, the key on this device checked against
// the committed one, then the proof from the prover (the worker in the app, the Node service in
// tests). Sending stays with the caller (respondChallenge), so the UI can show the proof's stage
// and let the user cancel before anything is signed. (Revision 2 removed the theft claim: a key
// can be fitted to any public model, so "my key decodes your model" proves nothing.)
import type { Address, Hex } from 'viem';
import type { ReadContext } from '../chain/actions/context.ts';
import { prepareResponse } from '../chain/actions/respond-challenge.ts';
import type { ProofInputs, SubmissionView } from '../chain/actions/read-challenges.ts';
import type { ContentFetcher } from '../chain/reads/gateway.ts';
import { keyCommit } from '../ml/watermark/commit.ts';
import type { ModelSpec } from '../ml/spec/types.ts';
import type { WatermarkKey } from '../ml/watermark/types.ts';
import type { OwnershipProof, ProveProgress } from '../zk/prove.ts';
import type { ProveEvents, ProveJob } from '../zk/service.ts';
import { ArenaError } from '../errors.ts';

/** The prover's surface (createProver() in the app, createProveService() in Node). */
export interface ProverLike {
  prove(job: ProveJob, events?: ProveEvents): Promise<OwnershipProof>;
}

export interface OwnershipEnv {
  prover: ProverLike;
  manifestUrl: string;
  /** Hash-checked bytes by on-chain sha256 (the app context's content fetcher). */
  content: ContentFetcher;
  spec: ModelSpec;
  /** sha256 of the task's model spec file (the task's modelSpec). */
  specHash: Hex;
}

export class OwnershipKeyError extends ArenaError<'key-missing' | 'key-mismatch'> {
  constructor(code: 'key-missing' | 'key-mismatch', message: string) {
    super(code, message);
    this.name = 'OwnershipKeyError';
  }
}

export type ProofStep = { stage: 'checking' } | { stage: 'fetching'; artifactHash: Hex } | ProveProgress;

export interface OwnershipResult {
  proof: OwnershipProof;
  inputs: ProofInputs;
  submission: SubmissionView;
}

/** What a caller can pass to follow and stop a proof. */
export interface ProofControl {
  onStep?: (s: ProofStep) => void;
  /** Called right before the prover starts; throw from it to stop (a cancelled run). */
  check?: () => void;
}

async function proveFor(
  env: OwnershipEnv,
  key: WatermarkKey | undefined,
  prepared: { inputs: ProofInputs; submission: SubmissionView },
  onStep: (s: ProofStep) => void,
  check: () => void,
): Promise<OwnershipResult> {
  const { inputs, submission } = prepared;
  if (!key)
    throw new OwnershipKeyError(
      'key-missing',
      'There is no watermark key for this task and account on this device; import your key backup on the Train page first.',
    );
  if (keyCommit(key) !== inputs.keyCommit) {
    throw new OwnershipKeyError(
      'key-mismatch',
      'The watermark key on this device is not the one this account committed when it joined the task; import the backup of the committed key on the Train page.',
    );
  }
  onStep({ stage: 'fetching', artifactHash: submission.artifactHash });
  const artifact = await env.content(submission.artifactHash, submission.artifactRoot);
  check();
  const proof = await env.prover.prove(
    {
      manifestUrl: env.manifestUrl,
      artifactClaim: {
        spec: env.spec,
        specHash: env.specHash.slice(2),
        artifact,
        key,
        owner: inputs.owner,
        maxErr: inputs.maxErr,
      },
    },
    { onProgress: onStep },
  );
  return { proof, inputs, submission };
}

/**
 * A proof answering `challengeId` for `account`: throws ActionInputError when it cannot be
 * answered (settled, late, not the accused), OwnershipKeyError for a missing or wrong key, and
 * the prover's WatermarkDoesNotDecodeError when the model does not carry the account's watermark.
 */
export async function proveResponse(
  ctx: ReadContext,
  env: OwnershipEnv,
  p: { challengeId: bigint; account: Address; key: WatermarkKey | undefined } & ProofControl,
): Promise<OwnershipResult> {
  const onStep = p.onStep ?? (() => {});
  onStep({ stage: 'checking' });
  return proveFor(
    env,
    p.key,
    await prepareResponse(ctx, { challengeId: p.challengeId, account: p.account }),
    onStep,
    p.check ?? (() => {}),
  );
}
