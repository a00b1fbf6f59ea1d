// A file as a UnixFS DAG with the fixed settings (settings.ts), built by ipfs-unixfs-importer:
// the root CID and every block, in memory. Files here are at most ~96 MiB and already in memory,
// so the blocks are too (about the file's size again, plus a few hundred bytes of nodes).
import { importBytes } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import type { CID } from 'multiformats/cid';
import { CHUNK_BYTES, CID_VERSION, MAX_LINKS_PER_NODE } from './settings.ts';

export interface DagBlock {
  cid: CID;
  bytes: Uint8Array;
}

export interface FileDag {
  root: CID;
  /**
   * Every block once, root first, then the others in the order written (leaves in file order: the
   * depth-first order of a CAR, for the one-level trees of files up to 1 GiB).
   */
  blocks: DagBlock[];
  /** The file's length in bytes. */
  size: number;
}

const IMPORT_OPTIONS = {
  cidVersion: CID_VERSION,
  rawLeaves: true,
  reduceSingleLeafToSelf: true,
  chunker: fixedSize({ chunkSize: CHUNK_BYTES }),
  layout: balanced({ maxChildrenPerNode: MAX_LINKS_PER_NODE }),
  // One file: its leaves are written in order, so the DAG's block order is deterministic.
  blockWriteConcurrency: 1,
} as const;

export async function fileDag(bytes: Uint8Array): Promise<FileDag> {
  const written = new Map<string, DagBlock>();
  const store = {
    put(cid: CID, block: Uint8Array) {
      written.set(cid.toString(), { cid, bytes: block });
      return Promise.resolve(cid);
    },
  };
  const { cid: root } = await importBytes(bytes, store, IMPORT_OPTIONS);
  const rootBlock = written.get(root.toString());
  if (!rootBlock) throw new Error(`the importer did not write the root block ${root.toString()}`);
  written.delete(root.toString());
  return { root, blocks: [rootBlock, ...written.values()], size: bytes.length };
}

/** The root CID of a file (`bafkrei...` for one chunk, `bafybei...` above). */
export async function fileCid(bytes: Uint8Array): Promise<string> {
  return (await fileDag(bytes)).root.toString();
}
