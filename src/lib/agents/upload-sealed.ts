// Uploading a sealed artifact before its reveal, shared by the trainer agent and the canary
// producer: the bytes must still be stored, and the store must answer the CID the seal names.
import type { Hex } from 'viem';
import { cidFromDigest } from '../ml/artifact/cid.ts';
import { AgentError } from './common.ts';
import { PortError, type StorePort } from './ports.ts';

/**
 * Uploads `bytes`, the artifact `artifactHash` names, and resolves with its CID; `missing` is the
 * sentence for bytes that are gone.
 */
export async function uploadSealedArtifact(
  store: StorePort,
  artifactHash: Hex,
  bytes: Uint8Array | null | undefined,
  missing: string,
): Promise<string> {
  if (!bytes) throw new AgentError('artifact-missing', missing);
  const cid = await store.upload(bytes);
  const expected = cidFromDigest(artifactHash);
  if (cid !== expected)
    throw new PortError('store', 'cid', `the store answered CID ${cid} for an artifact whose CID is ${expected}`, true);
  return cid;
}
