// The blocks of a UnixFS file in depth-first order from the root: the order of a trustless
// gateway's CAR (`order=dfs`) and, with repeats walked, the order of the file's bytes. Pure: the
// caller supplies the dag-pb nodes (already checked against their CIDs) from wherever it holds them
// (a CAR, a block store, a gateway); raw leaves are never read here, only named, so a caller that
// only needs to know a leaf is present never loads it.
import type { CID } from 'multiformats/cid';
import { ArenaError } from '../../errors.ts';
import { BlockError, readFileNode, type FileNode } from './block.ts';
import { RAW_CODEC } from './ref.ts';

export type FileNodeOf<K extends FileNode['kind']> = Extract<FileNode, { kind: K }>;

export interface DagStep {
  cid: CID;
  /** The file bytes under this block as its parent declares them; undefined for the root. */
  size: number | undefined;
  /** Links from the root (the root is 0). */
  depth: number;
  /** The node of a dag-pb block; undefined for a raw leaf, which the walk does not read. */
  node: FileNodeOf<'node'> | undefined;
  /** The CID came earlier in this walk (identical chunks of a file share one leaf). */
  repeat: boolean;
}

/**
 * Deeper than any file DAG needs (1,024 links of 1 MiB chunks give 1 GiB at depth 1, 1 TiB at
 * depth 2; Kubo's 174 links and 256 KiB chunks reach depth 3 at 7 GiB); a bound on a hostile DAG.
 */
export const MAX_DAG_DEPTH = 8;

export interface WalkOptions {
  /**
   * `skip`: a CID seen before is not yielded again, nor its subtree (a CAR with `dups=n`, a
   * completeness check). `walk`: it is yielded (with `repeat`) and its subtree walked again (the
   * file's bytes in order).
   */
  repeats: 'skip' | 'walk';
  maxDepth?: number;
}

/**
 * Walks the file under `root`. `readNode` gets the verified bytes of a dag-pb block (or undefined
 * when they are not available: the walk then throws `MissingBlockError`). Throws `BlockError` for a
 * node that is not a UnixFS file or whose size disagrees with what its parent declares, and for a
 * DAG deeper than `maxDepth`.
 */
export async function* walkFileDag(
  root: CID,
  readNode: (cid: CID) => Promise<Uint8Array | undefined>,
  opts: WalkOptions,
): AsyncGenerator<DagStep, void, undefined> {
  const maxDepth = opts.maxDepth ?? MAX_DAG_DEPTH;
  const nodes = new Map<string, FileNodeOf<'node'>>();
  const seen = new Set<string>();
  const stack: { cid: CID; size: number | undefined; depth: number }[] = [{ cid: root, size: undefined, depth: 0 }];
  while (stack.length > 0) {
    const { cid, size, depth } = stack.pop()!;
    const key = cid.toString();
    const repeat = seen.has(key);
    if (repeat && opts.repeats === 'skip') continue;
    seen.add(key);
    if (depth > maxDepth) {
      throw new BlockError(key, {
        kind: 'format',
        message: `it is ${depth} links deep, past the limit of ${maxDepth}`,
      });
    }
    if (cid.code === RAW_CODEC) {
      yield { cid, size, depth, node: undefined, repeat };
      continue;
    }
    let node = nodes.get(key);
    if (!node) {
      const bytes = await readNode(cid);
      if (bytes === undefined) throw new MissingBlockError(cid);
      const read = readFileNode(cid, bytes);
      if (read.kind !== 'node') throw new Error('unreachable: a non-raw CID read as a leaf');
      node = read;
      nodes.set(key, node);
    }
    if (size !== undefined && node.fileSize !== size) {
      throw new BlockError(key, {
        kind: 'format',
        message: `it holds ${node.fileSize} file bytes but its parent says ${size}`,
      });
    }
    yield { cid, size, depth, node, repeat };
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ cid: node.children[i]!, size: node.sizes[i]!, depth: depth + 1 });
    }
  }
}

/** A block the walk needed is not available. */
export class MissingBlockError extends ArenaError<'missing-block'> {
  /** The missing block's CID (a string: errors cross worker boundaries as JSON). */
  readonly cid: string;

  constructor(cid: CID | string) {
    super('missing-block', `block ${cid.toString()} is missing`);
    this.cid = cid.toString();
    this.name = 'MissingBlockError';
  }
}
