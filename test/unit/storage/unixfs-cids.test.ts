// The CIDs the app computes (src/lib/storage/unixfs) are the ones IPFS computes for the same
// bytes: every file the demo and the tests publish (specs, dataset manifests and shards, the
// hidden final sets, zk files, model artifacts of each demo spec) is imported again with
// ipfs-unixfs-importer configured independently of our settings module, twice:
//   - the library's own IPIP-499 profile `unixfs-v1-2025`, which our settings write out;
//   - what the README's `ipfs add --cid-version=1 --raw-leaves --chunker=size-1048576` does in
//     Kubo: its default balanced layout of 174 links a node.
// Both must give the app's CID, and the manifests must list exactly those CIDs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importBytes } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { cidFromBytes } from '../../../src/lib/ml/artifact/cid.ts';
import { serializeArtifact } from '../../../src/lib/ml/artifact/serialize.ts';
import { sha256Bytes } from '../../../src/lib/ml/hash.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { paramElements } from '../../../src/lib/ml/artifact/format.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { fileCid } from '../../../src/lib/storage/unixfs/dag.ts';
import { CHUNK_BYTES, IPFS_ADD_COMMAND } from '../../../src/lib/storage/unixfs/settings.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const discard = { put: (cid: CID) => Promise.resolve(cid) };

const byProfile = async (bytes: Uint8Array) =>
  (await importBytes(bytes, discard, { profile: 'unixfs-v1-2025' })).cid.toString();

/** Kubo's `ipfs add` with the README's flags: CIDv1, raw leaves, 1 MiB chunks, its default 174 links. */
const byKuboFlags = async (bytes: Uint8Array) =>
  (
    await importBytes(bytes, discard, {
      cidVersion: 1,
      rawLeaves: true,
      reduceSingleLeafToSelf: true,
      chunker: fixedSize({ chunkSize: 1_048_576 }),
      layout: balanced({ maxChildrenPerNode: 174 }),
    })
  ).cid.toString();

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), keep) : keep(e.name) ? [join(dir, e.name)] : [],
  );
}

const published = [
  ...filesUnder(join(ROOT, 'public', 'datasets'), (n) => n.endsWith('.json') || n.endsWith('.bin')),
  ...filesUnder(join(ROOT, 'datasets', 'hidden'), (n) => n.endsWith('.json') || n.endsWith('.bin')),
  ...filesUnder(join(ROOT, 'public', 'specs'), (n) => n.endsWith('.json')),
  ...filesUnder(join(ROOT, 'public', 'zk'), () => true),
].sort();

/** A model artifact of a demo spec with deterministic weights (what a trainer uploads). */
async function demoArtifact(spec: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(readFileSync(join(ROOT, 'public', 'specs', spec)));
  const { spec: parsed } = await parseModelSpecBytes(bytes);
  const { params } = specShapes(parsed);
  let x = 1;
  const tensors = params.map((p) =>
    Float32Array.from({ length: paramElements(p) }, () => (x = (x * 48271) % 2147483647) / 2147483647 - 0.5),
  );
  return serializeArtifact(await sha256Bytes(bytes), params, tensors);
}

describe('CIDs match IPFS', () => {
  it(`every published demo file: the app's CID is the importer's (profile and "${IPFS_ADD_COMMAND}")`, async () => {
    expect(published.length).toBeGreaterThan(20);
    let multiChunk = 0;
    for (const path of published) {
      const bytes = new Uint8Array(readFileSync(path));
      const cid = await fileCid(bytes);
      expect({ path, cid: await byProfile(bytes) }).toEqual({ path, cid });
      expect({ path, cid: await byKuboFlags(bytes) }).toEqual({ path, cid });
      // One chunk: the raw CID of the sha-256 the chain holds; more: a dag-pb root.
      if (bytes.length <= CHUNK_BYTES) expect(cid).toBe(await cidFromBytes(bytes));
      else {
        expect(cid).toMatch(/^bafybei/);
        multiChunk++;
      }
    }
    expect(multiChunk).toBeGreaterThanOrEqual(8); // the fashion shards and the zk wasm and zkey
  });

  it('manifests list the CIDs of the files they name', async () => {
    for (const manifestPath of published.filter((p) => p.endsWith('manifest.json') && p.includes('datasets'))) {
      const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
        shards: { sha256: string; bytes: number; cid?: string }[];
      };
      for (const s of m.shards) {
        const bytes = new Uint8Array(readFileSync(join(manifestPath, '..', `${s.sha256}.bin`)));
        if (s.bytes > CHUNK_BYTES) expect(s.cid).toBe(await byKuboFlags(bytes));
        else expect(s.cid).toBeUndefined();
      }
    }
    const zk = JSON.parse(readFileSync(join(ROOT, 'public', 'zk', 'manifest.json'), 'utf8')) as {
      circuits: Record<string, { files: Record<string, { path: string; cid: string }> }>;
    };
    for (const c of Object.values(zk.circuits)) {
      for (const f of Object.values(c.files)) {
        expect(f.cid).toBe(await byKuboFlags(new Uint8Array(readFileSync(join(ROOT, 'public', 'zk', f.path)))));
      }
    }
  });

  it.each(['digits-mlp.json', 'fashion-mlp.json', 'fashion-cnn.json'])('a model artifact of %s', async (spec) => {
    const bytes = await demoArtifact(spec);
    const cid = await fileCid(bytes);
    expect(await byProfile(bytes)).toBe(cid);
    expect(await byKuboFlags(bytes)).toBe(cid);
  });

  it('a 20 MB artifact-sized file and the boundaries around one chunk', async () => {
    for (const n of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 20_000_000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 131) ^ (i >>> 20));
      const cid = await fileCid(bytes);
      expect({ n, cid: await byProfile(bytes) }).toEqual({ n, cid });
      expect({ n, cid: await byKuboFlags(bytes) }).toEqual({ n, cid });
    }
  });
});
