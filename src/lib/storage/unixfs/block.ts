// One block of a UnixFS file as received from anywhere: checked against its CID, then read for
// what it contributes to the file (pure; the walk that fetches children is in src/lib/storage/cas).
// Accepts any valid UnixFS file DAG, not only ours (a file someone added with other settings is
// still the file), but only sha2-256 CIDs of raw or dag-pb blocks.
import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import type { CID } from 'multiformats/cid';
import { ArenaError } from '../../errors.ts';
import { sha256Bytes } from '../../ml/hash.ts';
import { DAG_PB_CODEC, RAW_CODEC, SHA2_256 } from './ref.ts';

export type BlockProblem = { kind: 'hash'; message: string } | { kind: 'format'; message: string };

export class BlockError extends ArenaError<'block'> {
  constructor(
    readonly cid: string,
    readonly problem: BlockProblem,
  ) {
    super('block', `block ${cid}: ${problem.message}`);
    this.name = 'BlockError';
  }
}

/** What a block says about its part of the file. */
export type FileNode =
  /** A raw leaf: these bytes are the file's, at this point. */
  | { kind: 'leaf'; data: Uint8Array }
  /**
   * A UnixFS file node: its own data first, then its children in order, each `sizes[i]` file
   * bytes long; `fileSize` = data length + the sum of sizes.
   */
  | { kind: 'node'; data: Uint8Array; children: CID[]; sizes: number[]; fileSize: number };

/** Throws BlockError unless `bytes` hash to the digest `cid` names. */
export async function verifyBlock(cid: CID, bytes: Uint8Array): Promise<void> {
  if (cid.multihash.code !== SHA2_256) {
    throw new BlockError(cid.toString(), { kind: 'format', message: 'only sha2-256 blocks are read here' });
  }
  const actual = await sha256Bytes(bytes);
  const expected = cid.multihash.digest;
  let same = actual.length === expected.length;
  for (let i = 0; same && i < actual.length; i++) same = actual[i] === expected[i];
  if (!same)
    throw new BlockError(cid.toString(), { kind: 'hash', message: `its ${bytes.length} bytes hash to something else` });
}

/** Reads a verified block as part of a file. */
export function readFileNode(cid: CID, bytes: Uint8Array): FileNode {
  if (cid.code === RAW_CODEC) return { kind: 'leaf', data: bytes };
  const bad = (message: string) => new BlockError(cid.toString(), { kind: 'format', message });
  if (cid.code !== DAG_PB_CODEC) throw bad(`codec 0x${cid.code.toString(16)} is neither raw nor dag-pb`);
  let node: dagPb.PBNode;
  let unixfs: UnixFS;
  try {
    node = dagPb.decode(bytes);
    if (!node.Data) throw new Error('the node has no UnixFS data');
    unixfs = UnixFS.unmarshal(node.Data);
  } catch (e) {
    throw bad(`not a UnixFS node (${(e as Error).message})`);
  }
  if (unixfs.type !== 'file' && unixfs.type !== 'raw') throw bad(`a UnixFS ${unixfs.type}, not a file`);
  const data = unixfs.data ?? new Uint8Array(0);
  if (node.Links.length !== unixfs.blockSizes.length) {
    throw bad(`${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`);
  }
  const sizes = unixfs.blockSizes.map(Number);
  if (sizes.some((s) => !Number.isSafeInteger(s) || s < 0)) throw bad('a block size is out of range');
  const fileSize = data.length + sizes.reduce((a, b) => a + b, 0);
  if (unixfs.fileSize() !== BigInt(fileSize)) throw bad('its file size disagrees with its parts');
  return { kind: 'node', data, children: node.Links.map((l) => l.Hash), sizes, fileSize };
}
