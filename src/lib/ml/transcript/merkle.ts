// trajRoot (SPEC 8.2; docs/transcript.md section 4): a binary Merkle tree over the leaves in
// order, keccak256(left || right) at every inner node. n leaves are padded with zero bytes32
// leaves up to the next power of two, so the depth is ceil(log2 n) (0 for one leaf: the root is
// the leaf). The leaf count is committed separately (K + 1), and a proof is valid only for an
// index below it and with exactly `depth` siblings, which keeps padding and inner nodes from
// passing as leaves.
import { concat, isHex, keccak256, type Hex } from 'viem';
import { TranscriptError } from './errors.ts';

export const ZERO_LEAF: Hex = `0x${'00'.repeat(32)}`;
/** Enough for any transcript (and for a uint256 index). */
export const MAX_LEAVES = 2 ** 32;

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LEAVES)
    throw new TranscriptError('merkle', `a tree needs 1..2^32 leaves, got ${n}`);
}

/** Siblings in a proof for `n` leaves: ceil(log2 n). */
export function merkleDepth(n: number): number {
  checkCount(n);
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

function checkLeaf(leaf: Hex, what: string): void {
  if (!isHex(leaf, { strict: true }) || leaf.length !== 66)
    throw new TranscriptError('merkle', `${what} must be a 0x-prefixed bytes32, got ${String(leaf)}`);
}

export const hashPair = (left: Hex, right: Hex): Hex => keccak256(concat([left, right]));

/** All levels, leaves (padded) first, the root last. */
function levels(leaves: readonly Hex[]): Hex[][] {
  const depth = merkleDepth(leaves.length);
  leaves.forEach((l, i) => checkLeaf(l, `leaf ${i}`));
  const out: Hex[][] = [
    [...leaves.map((l) => l.toLowerCase() as Hex), ...Array<Hex>(2 ** depth - leaves.length).fill(ZERO_LEAF)],
  ];
  for (let d = 0; d < depth; d++) {
    const below = out[d]!;
    const level: Hex[] = [];
    for (let i = 0; i < below.length; i += 2) level.push(hashPair(below[i]!, below[i + 1]!));
    out.push(level);
  }
  return out;
}

export function merkleRoot(leaves: readonly Hex[]): Hex {
  return levels(leaves).at(-1)![0]!;
}

/** Siblings of leaf `index`, bottom up. */
export function merkleProof(leaves: readonly Hex[], index: number): Hex[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length)
    throw new TranscriptError('merkle', `leaf index must be in 0..${leaves.length - 1}, got ${index}`);
  const all = levels(leaves);
  return all.slice(0, -1).map((level, d) => level[(index >>> d) ^ 1]!);
}

/** Whether `leaf` is leaf `index` of a tree of `count` leaves with this root. Never throws on bad input. */
export function verifyMerkleProof(root: Hex, leaf: Hex, index: number, count: number, proof: readonly Hex[]): boolean {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_LEAVES) return false;
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) return false;
  if (proof.length !== merkleDepth(count)) return false;
  const ok = (h: Hex) => isHex(h, { strict: true }) && h.length === 66;
  if (!ok(root) || !ok(leaf) || !proof.every(ok)) return false;
  let node = leaf.toLowerCase() as Hex;
  proof.forEach((sibling, d) => {
    node = Math.floor(index / 2 ** d) % 2 === 0 ? hashPair(node, sibling) : hashPair(sibling, node);
  });
  return node === root.toLowerCase();
}
