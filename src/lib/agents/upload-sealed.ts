// Uploading a sealed artifact before its reveal, shared by the trainer agent and the canary
// producer: the bytes must still be stored, and the store must answer the root CID of the bytes'
// UnixFS DAG (storage/unixfs), which the reveal then publishes as the artifact's root.
import type { Hex } from 'viem';
import { fileCid } from '../storage/unixfs/dag.ts';
import { rootOfCid } from '../storage/unixfs/ref.ts';
import { AgentError } from './common.ts';
import { PortError, type StorePort } from './ports.ts';

export interface UploadedArtifact {
  /** The root CID of the artifact's UnixFS DAG, as the store answered it. */
  cid: string;
  /** Its sha2-256 digest: the `artifactRoot` revealed with the artifact (ref.ts). */
  artifactRoot: Hex;
}

/**
 * Uploads `bytes`, the artifact `artifactHash` names, and resolves with its root CID and the
 * bytes32 root to reveal; `missing` is the sentence for bytes that are gone.
 */
export async function uploadSealedArtifact(
  store: StorePort,
  artifactHash: Hex,
  bytes: Uint8Array | null | undefined,
  missing: string,
): Promise<UploadedArtifact> {
  if (!bytes) throw new AgentError('artifact-missing', missing);
  const expected = await fileCid(bytes);
  const cid = await store.upload(bytes);
  if (cid !== expected)
    throw new PortError(
      'store',
      'cid',
      `the store answered CID ${cid} for the artifact ${artifactHash}, whose root CID is ${expected}`,
      true,
    );
  return { cid, artifactRoot: rootOfCid(cid) };
}
