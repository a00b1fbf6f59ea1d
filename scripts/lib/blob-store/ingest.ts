// Files into the store, in the two forms an upload takes: the file's bytes (made into a DAG here
// with the platform's fixed settings, src/lib/storage/unixfs/dag.ts) or a CAR of a DAG the client
// built (every block checked against its CID, the DAG checked complete and a UnixFS file of
// blocks an IPFS client can fetch). Blocks are written children first and the root last, so a
// stored root means the blocks under it were written before it.
import type { CID } from 'multiformats/cid';
import { BlockError } from '../../../src/lib/storage/unixfs/block.ts';
import { readCar, type ReadCar } from '../../../src/lib/storage/unixfs/car.ts';
import { fileDag, type DagBlock } from '../../../src/lib/storage/unixfs/dag.ts';
import { MAX_BLOCK_BYTES } from '../../../src/lib/storage/unixfs/settings.ts';
import { MissingBlockError, walkFileDag } from '../../../src/lib/storage/unixfs/walk.ts';
import type { BlockDisk } from './disk.ts';
import { BlobStoreError } from './errors.ts';

export interface StoredFile {
  /** The file's root CID. */
  cid: CID;
  /** The file's length in bytes. */
  size: number;
  /** Blocks in the file's DAG (each counted once). */
  blocks: number;
  /** False when the store already held the root. */
  created: boolean;
}

export interface IngestOptions {
  maxFileBytes: number;
  /** The root the uploader expects (`?cid=`): anything else is refused with 422 before storing. */
  expected?: CID;
}

/** A CAR's framing and dag-pb nodes on top of the file bytes: generous for any chunking down to 4 KiB. */
export function maxCarBytes(maxFileBytes: number): number {
  return maxFileBytes + Math.ceil(maxFileBytes / 32) + 1024 * 1024;
}

export function tooLarge(limit: number, what = 'The upload'): BlobStoreError {
  return new BlobStoreError(413, 'too_large', `${what} is larger than this store's limit of ${limit} bytes.`, {
    limit,
  });
}

/** Stores a file given as its bytes. */
export async function ingestBytes(disk: BlockDisk, bytes: Uint8Array, opts: IngestOptions): Promise<StoredFile> {
  if (bytes.length > opts.maxFileBytes) throw tooLarge(opts.maxFileBytes);
  const dag = await fileDag(bytes);
  checkExpected(dag.root, opts.expected, dag.size);
  return writeDag(disk, dag.root, dag.blocks, dag.size, dag.blocks.length);
}

/** Stores a file given as a CAR with one root. */
export async function ingestCar(disk: BlockDisk, car: Uint8Array, opts: IngestOptions): Promise<StoredFile> {
  let parsed: ReadCar;
  try {
    parsed = await readCar(car);
  } catch (e) {
    if (e instanceof BlockError && e.problem.kind === 'hash') {
      throw new BlobStoreError(
        422,
        'block_mismatch',
        `Block ${e.cid} of the CAR does not hash to its CID; nothing was stored.`,
        { block: e.cid },
      );
    }
    throw new BlobStoreError(400, 'bad_car', `The body is not a CAR this store reads: ${(e as Error).message}.`);
  }
  if (parsed.roots.length !== 1) {
    throw new BlobStoreError(
      400,
      'bad_car',
      `The CAR names ${parsed.roots.length} roots; an upload is one file with exactly one root.`,
    );
  }
  const root = parsed.roots[0]!.toV1();
  checkExpected(root, opts.expected, undefined);
  const inCar = new Map<string, Uint8Array>();
  for (const b of parsed.blocks) {
    if (b.bytes.length > MAX_BLOCK_BYTES) {
      throw new BlobStoreError(
        400,
        'block_too_large',
        `Block ${b.cid.toString()} is ${b.bytes.length} bytes; IPFS clients fetch blocks of at most ${MAX_BLOCK_BYTES}. Chunk the file (1 MiB chunks).`,
        { block: b.cid.toString(), limit: MAX_BLOCK_BYTES },
      );
    }
    inCar.set(b.cid.toV1().toString(), b.bytes);
  }

  // Walk from the root: nodes from the CAR or the store, leaves looked up; only what the root
  // reaches is stored (other blocks in the CAR are dropped).
  const reached: DagBlock[] = [];
  let fileSize = 0;
  let count = 0;
  try {
    const steps = walkFileDag(root, async (cid) => inCar.get(cid.toString()) ?? (await disk.readBlock(cid)), {
      repeats: 'skip',
    });
    for await (const step of steps) {
      count++;
      const carried = inCar.get(step.cid.toString());
      if (step.node) {
        if (step.depth === 0) {
          fileSize = step.node.fileSize;
          if (fileSize > opts.maxFileBytes) throw tooLarge(opts.maxFileBytes, `The file (${fileSize} bytes)`);
        }
      } else {
        const size = carried?.length ?? (await disk.sizeOf(step.cid));
        if (size === undefined) throw new MissingBlockError(step.cid);
        if (size > MAX_BLOCK_BYTES) {
          throw new BlobStoreError(
            400,
            'block_too_large',
            `The DAG links block ${step.cid.toString()} of ${size} bytes.`,
            {
              block: step.cid.toString(),
              limit: MAX_BLOCK_BYTES,
            },
          );
        }
        if (step.size !== undefined && step.size !== size) {
          throw new BlockError(step.cid.toString(), {
            kind: 'format',
            message: `this raw leaf is ${size} bytes but its parent says ${step.size}`,
          });
        }
        if (step.depth === 0) fileSize = size;
      }
      if (carried) reached.push({ cid: step.cid, bytes: carried });
    }
  } catch (e) {
    if (e instanceof MissingBlockError) {
      throw new BlobStoreError(
        400,
        'incomplete_dag',
        `The DAG of ${root.toString()} links block ${e.cid.toString()}, which is neither in the CAR nor in this store; nothing was stored.`,
        { missing: e.cid.toString() },
      );
    }
    if (e instanceof BlockError) {
      throw new BlobStoreError(400, 'not_a_file', `The CAR is not a UnixFS file: ${e.message}; nothing was stored.`);
    }
    throw e;
  }
  if (fileSize > opts.maxFileBytes) throw tooLarge(opts.maxFileBytes, `The file (${fileSize} bytes)`);
  return writeDag(disk, root, reached, fileSize, count);
}

function checkExpected(root: CID, expected: CID | undefined, size: number | undefined): void {
  if (expected === undefined || expected.toString() === root.toString()) return;
  throw new BlobStoreError(
    422,
    'cid_mismatch',
    `The upload is ${root.toString()}, not the expected ${expected.toString()}; nothing was stored.`,
    { expected: expected.toString(), actual: root.toString(), ...(size === undefined ? {} : { size }) },
  );
}

/** Writes `blocks` (root first, depth-first) in reverse: children before parents, the root last. */
async function writeDag(
  disk: BlockDisk,
  root: CID,
  blocks: readonly DagBlock[],
  size: number,
  count: number,
): Promise<StoredFile> {
  const created = !(await disk.has(root));
  for (let i = blocks.length - 1; i >= 0; i--) await disk.putBlock(blocks[i]!.cid, blocks[i]!.bytes);
  return { cid: root, size, blocks: count, created };
}
