// What a CAR or file answer will send, found before any header goes out: the DAG under a root is
// walked (dag-pb nodes read and checked, leaves only looked up), so content with a block missing
// gets a 404 naming it instead of a response cut off halfway.
import type { CID } from 'multiformats/cid';
import { BlockError } from '../../../src/lib/storage/unixfs/block.ts';
import { MissingBlockError, walkFileDag } from '../../../src/lib/storage/unixfs/walk.ts';
import type { BlockDisk } from './disk.ts';
import { BlobStoreError } from './errors.ts';

export interface PlannedBlock {
  cid: CID;
  /** The block's length. */
  size: number;
  /** A dag-pb node's bytes (read during the walk) and its own part of the file. */
  node?: { bytes: Uint8Array; data: Uint8Array };
  /** The file bytes a leaf must hold, as its parent declares; undefined for a raw root. */
  fileBytes: number | undefined;
}

export interface DagPlan {
  root: CID;
  /** Depth-first from the root: each block once (`repeats: skip`), or in file order (`walk`). */
  blocks: PlannedBlock[];
  fileSize: number;
}

export function notHeld(cid: CID): BlobStoreError {
  return new BlobStoreError(404, 'not_found', `This store does not hold ${cid.toString()}.`);
}

/**
 * The DAG under `root`, every block present. Throws 404 `not_found` (no root), 404
 * `incomplete_dag` naming the first missing block, 500 `corrupt_block` (a block failed its hash
 * check and was quarantined), 501 `not_a_file` (a dag-pb block that is not part of a UnixFS file).
 */
export async function planDag(
  disk: BlockDisk,
  root: CID,
  opts: { repeats: 'skip' | 'walk'; rootOnly?: boolean },
): Promise<DagPlan> {
  const nodeBytes = new Map<string, Uint8Array>();
  const blocks: PlannedBlock[] = [];
  let fileSize = 0;
  const steps = walkFileDag(
    root,
    async (cid) => {
      const bytes = await disk.readBlock(cid);
      if (bytes) nodeBytes.set(cid.toString(), bytes);
      return bytes;
    },
    { repeats: opts.repeats },
  );
  try {
    for await (const step of steps) {
      if (step.node) {
        const bytes = nodeBytes.get(step.cid.toString())!;
        blocks.push({ cid: step.cid, size: bytes.length, node: { bytes, data: step.node.data }, fileBytes: step.size });
        if (step.depth === 0) fileSize = step.node.fileSize;
      } else {
        const size = await disk.sizeOf(step.cid);
        if (size === undefined) throw new MissingBlockError(step.cid);
        if (step.size !== undefined && step.size !== size) {
          throw new BlockError(step.cid.toString(), {
            kind: 'format',
            message: `this raw leaf is ${size} bytes but its parent says ${step.size}`,
          });
        }
        blocks.push({ cid: step.cid, size, fileBytes: step.size });
        if (step.depth === 0) fileSize = size;
      }
      if (opts.rootOnly) break;
    }
  } catch (e) {
    if (e instanceof MissingBlockError) {
      if (e.cid.toString() === root.toString()) throw notHeld(root);
      throw new BlobStoreError(
        404,
        'incomplete_dag',
        `This store holds only part of ${root.toString()}: block ${e.cid.toString()} is missing.`,
        { missing: e.cid.toString() },
      );
    }
    if (e instanceof BlockError) {
      throw new BlobStoreError(
        501,
        'not_a_file',
        `${root.toString()} is not a file this store can serve: ${e.message}.`,
      );
    }
    throw e;
  }
  return { root, blocks, fileSize };
}
