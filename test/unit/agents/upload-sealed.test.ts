// The upload before a reveal: the store must answer the root CID of the artifact's UnixFS DAG,
// and the agents reveal that CID's digest as the artifact's root (docs/contracts.md "Artifact
// roots"). A file of one chunk is its own raw block (root == hash); a larger one is not.
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { AgentError } from '../../../src/lib/agents/common.ts';
import { PortError, type StorePort } from '../../../src/lib/agents/ports.ts';
import { uploadSealedArtifact } from '../../../src/lib/agents/upload-sealed.ts';
import { cidFromBytes } from '../../../src/lib/ml/artifact/cid.ts';
import { artifactHash } from '../../../src/lib/ml/artifact/hash.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { cidOfRef } from '../../../src/lib/storage/unixfs/ref.ts';
import { CHUNK_BYTES } from '../../../src/lib/storage/unixfs/settings.ts';

/** A store that keeps what it is given and answers the CID `answer` computes. */
function storeAnswering(answer: (bytes: Uint8Array) => Promise<string>) {
  const uploaded: Uint8Array[] = [];
  const store: StorePort = {
    async upload(bytes) {
      uploaded.push(bytes);
      return answer(bytes);
    },
    fetchVerified: () => Promise.reject(new Error('not used')),
  };
  return { store, uploaded };
}

const bytesOf = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('uploadSealedArtifact', () => {
  it('a file of one chunk: its raw CID, and its root is its hash', async () => {
    const bytes = bytesOf(4_000, 1);
    const hash = await artifactHash(bytes);
    const { store, uploaded } = storeAnswering(fileCid);
    const got = await uploadSealedArtifact(store, hash, bytes, 'gone');
    expect(got.cid).toBe(await cidFromBytes(bytes));
    expect(got.cid.startsWith('bafkrei')).toBe(true);
    expect(got.artifactRoot).toBe(hash);
    expect(uploaded).toEqual([bytes]);
  });

  it('a file of several chunks: a dag-pb root that is not its hash, and names the CID back', async () => {
    const bytes = bytesOf(2 * CHUNK_BYTES + 12_345, 2);
    const hash = await artifactHash(bytes);
    const { store } = storeAnswering(fileCid);
    const got = await uploadSealedArtifact(store, hash, bytes, 'gone');
    expect(got.cid.startsWith('bafybei')).toBe(true);
    expect(got.cid).toBe(await fileCid(bytes));
    expect(got.artifactRoot).toMatch(/^0x[0-9a-f]{64}$/);
    expect(got.artifactRoot).not.toBe(hash);
    expect(cidOfRef({ hash, root: got.artifactRoot }).toString()).toBe(got.cid);
  });

  it('refuses a store that answers the raw CID of a file of several chunks (retryable)', async () => {
    const bytes = bytesOf(CHUNK_BYTES + 1, 3);
    const hash = await artifactHash(bytes);
    const raw = await cidFromBytes(bytes);
    const { store } = storeAnswering(cidFromBytes);
    const err = await uploadSealedArtifact(store, hash, bytes, 'gone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortError);
    expect(err).toMatchObject({ port: 'store', code: 'cid', retryable: true });
    expect((err as PortError).message).toBe(
      `the store answered CID ${raw} for the artifact ${hash}, whose root CID is ${await fileCid(bytes)}`,
    );
  });

  it('bytes that are gone: the caller’s sentence, nothing uploaded', async () => {
    const { store, uploaded } = storeAnswering(fileCid);
    const err = await uploadSealedArtifact(store, `0x${'11'.repeat(32)}` as Hex, null, 'the artifact is gone').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AgentError);
    expect(err).toMatchObject({ code: 'artifact-missing', message: 'the artifact is gone' });
    expect(uploaded).toEqual([]);
  });
});
