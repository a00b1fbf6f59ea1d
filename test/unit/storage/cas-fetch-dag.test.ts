// fetchVerified on files of several blocks (UnixFS DAGs built with the project's settings),
// against scripted gateways that serve blocks by CID: every block checked, a gateway that sends a
// tampered block dropped for the next one, resume from the blocks already received, the whole
// file checked against the chain's hash, and DAGs that lie about their sizes refused.
// test/integration/blob-store.test.ts runs the same client against the real store over HTTP.
import { createHash } from 'node:crypto';
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { pseudoRandomBytes as pseudoRandom } from './support/bytes.ts';
import { describe, expect, it } from 'vitest';
import {
  BlobNotFoundError,
  BlobTooLargeError,
  CidMismatchError,
  ContentMismatchError,
  DagFormatError,
  fetchVerified,
  type FetchFn,
} from '../../../src/lib/storage/cas/index.ts';
import { fileDag, type FileDag } from '../../../src/lib/storage/unixfs/dag.ts';
import { CHUNK_BYTES } from '../../../src/lib/storage/unixfs/settings.ts';

const file = pseudoRandom(3 * CHUNK_BYTES + 12_345, 7);
const dag = await fileDag(file);
const fileHash = `0x${createHash('sha256').update(file).digest('hex')}` as const;

type Serve = (cid: string, block: Uint8Array | undefined) => Response | Error;

/** Gateways by host, each answering `/ipfs/<cid>?format=raw` from a block map through `serve`. */
function gateways(d: FileDag, hosts: Record<string, Serve>) {
  const blocks = new Map(d.blocks.map((b) => [b.cid.toString(), b.bytes]));
  const calls: string[] = [];
  const fetch: FetchFn = async (url) => {
    const u = new URL(url);
    const cid = u.pathname.replace('/ipfs/', '');
    calls.push(`${u.host} ${cid}`);
    const a = (hosts[u.host] ?? (() => new TypeError('fetch failed')))(cid, blocks.get(cid));
    if (a instanceof Error) throw a;
    return a;
  };
  return { fetch, calls };
}

const honest: Serve = (_cid, block) =>
  block
    ? new Response(block.slice(), { headers: { 'content-length': String(block.length) } })
    : new Response('{"error":"not here"}', { status: 404 });

const A = 'https://a.example';
const B = 'https://b.example';
const fast = { backoffMs: 1, maxBackoffMs: 2 };

describe('fetchVerified on a UnixFS DAG', () => {
  it('puts the file together from its verified blocks, with progress in file bytes', async () => {
    expect(dag.blocks).toHaveLength(5); // a root and four 1 MiB-or-less leaves
    const g = gateways(dag, { 'a.example': honest });
    const progress: [number, number | undefined, number][] = [];
    const got = await fetchVerified(dag.root.toString(), {
      gateways: [A],
      fetch: g.fetch,
      sha256: fileHash,
      onProgress: (p) => progress.push([p.loaded, p.total, p.blocks]),
    });
    expect(Buffer.from(got.bytes).equals(Buffer.from(file))).toBe(true);
    expect(got.blockCount).toBe(5);
    expect(new Set(g.calls).size).toBe(5);
    expect(progress.at(-1)).toEqual([file.length, file.length, 5]);
    expect(progress.map((p) => p[0])).toEqual([...progress.map((p) => p[0])].sort((a, b) => a - b));
  });

  it('drops a gateway that tampers with one block and reads the rest from the next', async () => {
    const victim = dag.blocks[2]!.cid.toString();
    const tamper: Serve = (cid, block) => {
      if (cid !== victim || !block) return honest(cid, block);
      const bad = block.slice();
      bad[100] = bad[100]! ^ 1;
      return new Response(bad);
    };
    const g = gateways(dag, { 'a.example': tamper, 'b.example': honest });
    const told: string[] = [];
    const got = await fetchVerified(dag.root.toString(), {
      gateways: [A, B],
      fetch: g.fetch,
      sha256: fileHash,
      concurrency: 1,
      onFailure: (f) => told.push(f.code),
    });
    expect(Buffer.from(got.bytes).equals(Buffer.from(file))).toBe(true);
    expect(told).toEqual(['cid_mismatch']);
    const mismatch = got.failures[0] as CidMismatchError;
    expect(mismatch).toMatchObject({ gateway: A, expected: victim });
    // After the tampered block, A is asked for nothing more.
    const afterLie = g.calls.slice(g.calls.indexOf(`a.example ${victim}`) + 1);
    expect(afterLie.length).toBeGreaterThan(0);
    expect(afterLie.every((c) => c.startsWith('b.example'))).toBe(true);
  });

  it('throws the mismatch when the only gateway tampers, naming the block', async () => {
    const victim = dag.blocks[1]!.cid.toString();
    const g = gateways(dag, {
      'a.example': (cid, block) => (cid === victim ? new Response(new Uint8Array(10)) : honest(cid, block)),
    });
    const err = await fetchVerified(dag.root.toString(), { gateways: [A], fetch: g.fetch, ...fast }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CidMismatchError);
    expect((err as CidMismatchError).expected).toBe(victim);
  });

  it('resumes after a dropped connection from the blocks already received', async () => {
    let served = 0;
    const drops: Serve = (cid, block) => (++served > 3 ? new TypeError('connection reset') : honest(cid, block));
    const cache = new Map<string, Uint8Array>();
    const first = gateways(dag, { 'a.example': drops });
    const err = await fetchVerified(dag.root.toString(), {
      gateways: [A],
      fetch: first.fetch,
      blocks: cache,
      concurrency: 1,
      retries: 0,
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('CasFetchError');
    expect(cache.size).toBe(3);

    const again = gateways(dag, { 'a.example': honest });
    const got = await fetchVerified(dag.root.toString(), { gateways: [A], fetch: again.fetch, blocks: cache });
    expect(Buffer.from(got.bytes).equals(Buffer.from(file))).toBe(true);
    expect(again.calls).toHaveLength(2); // only the two blocks that had not arrived
  });

  it('refuses a file whose blocks are fine but whose sha-256 is not the expected one', async () => {
    const g = gateways(dag, { 'a.example': honest });
    const other = `0x${'ab'.repeat(32)}` as const;
    const err = await fetchVerified(dag.root.toString(), { gateways: [A], fetch: g.fetch, sha256: other }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContentMismatchError);
    expect(err).toMatchObject({ expected: other, actual: fileHash, retryable: false });
  });

  it('refuses a file over the cap from its root alone, before fetching any leaf', async () => {
    const g = gateways(dag, { 'a.example': honest });
    const err = await fetchVerified(dag.root.toString(), {
      gateways: [A],
      fetch: g.fetch,
      maxBytes: CHUNK_BYTES,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobTooLargeError);
    expect((err as BlobTooLargeError).seen).toBe(file.length);
    expect(g.calls).toEqual([`a.example ${dag.root.toString()}`]);
  });

  it('refuses a node whose sizes disagree with its leaves', async () => {
    // A valid dag-pb node (its CID matches) that says its first leaf is one byte longer than it is.
    const root = dagPb.decode(dag.blocks[0]!.bytes);
    const unixfs = UnixFS.unmarshal(root.Data!);
    unixfs.blockSizes[0] = unixfs.blockSizes[0]! + 1n;
    const liar = dagPb.encode(dagPb.prepare({ Data: unixfs.marshal(), Links: root.Links }));
    const liarCid = CID.createV1(dagPb.code, await sha256.digest(liar));
    const lying: FileDag = { ...dag, root: liarCid, blocks: [{ cid: liarCid, bytes: liar }, ...dag.blocks.slice(1)] };
    const g = gateways(lying, { 'a.example': honest });
    const err = await fetchVerified(liarCid.toString(), { gateways: [A], fetch: g.fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DagFormatError);
    expect((err as Error).message).toMatch(/parent says 1048577/);
  });

  it('says not found, naming the block, when a leaf is missing everywhere', async () => {
    const missing = dag.blocks[3]!.cid.toString();
    const g = gateways(dag, {
      'a.example': (cid, block) => (cid === missing ? new Response('', { status: 404 }) : honest(cid, block)),
      'b.example': (cid) => (cid === missing ? new Response('', { status: 404 }) : new TypeError('down')),
    });
    const err = await fetchVerified(dag.root.toString(), { gateways: [A, B], fetch: g.fetch, ...fast }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BlobNotFoundError);
    expect((err as Error).message).toContain(`block ${missing} of ${dag.root.toString()}`);
  });

  it('reads the identity probe CID without asking anyone', async () => {
    const g = gateways(dag, {});
    const got = await fetchVerified('bafkqaaa', { gateways: [A], fetch: g.fetch });
    expect(got.bytes.length).toBe(0);
    expect(g.calls).toEqual([]);
  });
});
