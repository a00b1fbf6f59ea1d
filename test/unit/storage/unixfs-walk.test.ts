// The depth-first walk of a UnixFS file (src/lib/storage/unixfs/walk.ts) over DAGs built with the
// platform's settings: its order is the DAG's, repeats are skipped or walked, and a missing,
// inconsistent or too deep DAG is refused.
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { BlockError } from '../../../src/lib/storage/unixfs/block.ts';
import { fileDag, type FileDag } from '../../../src/lib/storage/unixfs/dag.ts';
import { MissingBlockError, walkFileDag, type DagStep } from '../../../src/lib/storage/unixfs/walk.ts';

const MIB = 1024 * 1024;

function pseudoRandom(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function reader(dag: FileDag, without?: string) {
  const blocks = new Map(dag.blocks.map((b) => [b.cid.toString(), b.bytes]));
  const reads: string[] = [];
  return {
    reads,
    read: (cid: CID) => {
      reads.push(cid.toString());
      return Promise.resolve(cid.toString() === without ? undefined : blocks.get(cid.toString()));
    },
  };
}

async function collect(gen: AsyncGenerator<DagStep>): Promise<DagStep[]> {
  const out: DagStep[] = [];
  for await (const s of gen) out.push(s);
  return out;
}

async function pbFile(children: { cid: CID; size: number }[]): Promise<{ cid: CID; bytes: Uint8Array }> {
  const unixfs = new UnixFS({ type: 'file', blockSizes: children.map((c) => BigInt(c.size)) });
  const bytes = dagPb.encode({
    Data: unixfs.marshal(),
    Links: children.map((c) => ({ Hash: c.cid, Tsize: c.size })),
  });
  return { cid: CID.createV1(dagPb.code, await sha256.digest(bytes)), bytes };
}

describe('walkFileDag', () => {
  it('visits a 2.5 MiB file root first, then its leaves in file order, reading only the root', async () => {
    const dag = await fileDag(pseudoRandom(2.5 * MIB, 7));
    const r = reader(dag);
    const steps = await collect(walkFileDag(dag.root, r.read, { repeats: 'skip' }));
    expect(steps.map((s) => s.cid.toString())).toEqual(dag.blocks.map((b) => b.cid.toString()));
    expect(steps.map((s) => s.size)).toEqual([undefined, MIB, MIB, MIB / 2]);
    expect(steps[0]!.node?.fileSize).toBe(2.5 * MIB);
    expect(steps.slice(1).every((s) => s.node === undefined && s.depth === 1)).toBe(true);
    expect(r.reads).toEqual([dag.root.toString()]);
  });

  it('a one-chunk file is its raw root alone, never read', async () => {
    const dag = await fileDag(pseudoRandom(1000, 3));
    const r = reader(dag);
    const steps = await collect(walkFileDag(dag.root, r.read, { repeats: 'skip' }));
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({ size: undefined, depth: 0, node: undefined, repeat: false });
    expect(r.reads).toEqual([]);
  });

  it('identical chunks share a leaf: skipped once seen for a CAR, walked again for the bytes', async () => {
    const dag = await fileDag(new Uint8Array(3 * MIB));
    expect(dag.blocks).toHaveLength(2);
    const skip = await collect(walkFileDag(dag.root, reader(dag).read, { repeats: 'skip' }));
    expect(skip).toHaveLength(2);
    const walk = await collect(walkFileDag(dag.root, reader(dag).read, { repeats: 'walk' }));
    expect(walk.map((s) => s.repeat)).toEqual([false, false, true, true]);
    expect(walk.slice(1).map((s) => s.cid.toString())).toEqual(Array(3).fill(dag.blocks[1]!.cid.toString()));
  });

  it('throws MissingBlockError for a node it cannot read', async () => {
    const dag = await fileDag(pseudoRandom(2 * MIB + 1, 5));
    const err = await collect(walkFileDag(dag.root, reader(dag, dag.root.toString()).read, { repeats: 'skip' })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MissingBlockError);
    expect((err as MissingBlockError).cid.toString()).toBe(dag.root.toString());
  });

  it('refuses a node whose size disagrees with its parent, and a DAG past the depth limit', async () => {
    const dag = await fileDag(pseudoRandom(2 * MIB, 9));
    const inner = { cid: dag.root, size: 2 * MIB };
    const lying = await pbFile([{ ...inner, size: 2 * MIB - 1 }]);
    const blocks = new Map([...dag.blocks, lying].map((b) => [b.cid.toString(), b.bytes]));
    const read = (cid: CID) => Promise.resolve(blocks.get(cid.toString()));
    const err = (await collect(walkFileDag(lying.cid, read, { repeats: 'skip' })).catch(
      (e: unknown) => e,
    )) as BlockError;
    expect(err).toBeInstanceOf(BlockError);
    expect(err.message).toMatch(/holds 2097152 file bytes but its parent says 2097151/);

    let top = inner;
    for (let i = 0; i < 3; i++) {
      const node = await pbFile([top]);
      blocks.set(node.cid.toString(), node.bytes);
      top = { cid: node.cid, size: 2 * MIB };
    }
    expect(await collect(walkFileDag(top.cid, read, { repeats: 'skip', maxDepth: 4 }))).toHaveLength(6);
    const deep = await collect(walkFileDag(top.cid, read, { repeats: 'skip', maxDepth: 3 })).catch((e: unknown) => e);
    expect(deep).toBeInstanceOf(BlockError);
    expect((deep as Error).message).toMatch(/4 links deep, past the limit of 3/);
  });
});
