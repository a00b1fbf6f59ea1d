// trajRoot (docs/transcript.md section 4) against a hand-written tree and the shared vectors
// file the contracts check too.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { concat, keccak256, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  ZERO_LEAF,
  merkleDepth,
  merkleProof,
  merkleRoot,
  verifyMerkleProof,
} from '../../../../src/lib/ml/transcript/merkle.ts';
import { LEAF_COUNTS, VECTORS_PATH, generateVectors, vectorLeaf } from './vectors.ts';

if (process.env.UPDATE_TRANSCRIPT_VECTORS === '1')
  writeFileSync(VECTORS_PATH, JSON.stringify(generateVectors(), null, 2) + '\n');

const H = (a: Hex, b: Hex) => keccak256(concat([a, b]));
const L = (i: number) => vectorLeaf(i);

describe('merkle', () => {
  it('builds the documented tree: positional keccak pairs, zero padding to a power of two', () => {
    expect(merkleRoot([L(0)])).toBe(L(0));
    expect(merkleRoot([L(0), L(1)])).toBe(H(L(0), L(1)));
    expect(merkleRoot([L(1), L(0)])).not.toBe(merkleRoot([L(0), L(1)]));
    expect(merkleRoot([L(0), L(1), L(2)])).toBe(H(H(L(0), L(1)), H(L(2), ZERO_LEAF)));
    const five = [0, 1, 2, 3, 4].map(L);
    const z = ZERO_LEAF;
    expect(merkleRoot(five)).toBe(H(H(H(L(0), L(1)), H(L(2), L(3))), H(H(L(4), z), H(z, z))));
    expect([1, 2, 3, 4, 5, 8, 9].map(merkleDepth)).toEqual([0, 1, 2, 2, 3, 3, 4]);
    // A count is bound by the proof length, not the root: 3 leaves and [3 leaves, 0] share a root.
    expect(merkleRoot([L(0), L(1), L(2), z])).toBe(merkleRoot([L(0), L(1), L(2)]));
  });

  it('proves and verifies every leaf; rejects wrong leaves, indices, counts and lengths', () => {
    for (const n of LEAF_COUNTS) {
      const leaves = Array.from({ length: n }, (_, i) => L(i));
      const root = merkleRoot(leaves);
      leaves.forEach((leaf, i) => {
        const proof = merkleProof(leaves, i);
        expect(proof.length).toBe(merkleDepth(n));
        expect(verifyMerkleProof(root, leaf, i, n, proof)).toBe(true);
        expect(verifyMerkleProof(root, L(100), i, n, proof)).toBe(false);
        if (n > 1) expect(verifyMerkleProof(root, leaf, (i + 1) % n, n, proof)).toBe(false);
        expect(verifyMerkleProof(root, leaf, i, n, [...proof, ZERO_LEAF])).toBe(false);
      });
      expect(verifyMerkleProof(root, ZERO_LEAF, n, n, merkleProof([...leaves, ZERO_LEAF], n))).toBe(false);
    }
    expect(verifyMerkleProof(merkleRoot([L(0)]), L(0), 0, 0, [])).toBe(false);
    expect(verifyMerkleProof('0x12' as Hex, L(0), 0, 1, [])).toBe(false);
    expect(() => merkleRoot([])).toThrow(/1\.\.2\^32 leaves/);
    expect(() => merkleRoot(['0x1234' as Hex])).toThrow(/leaf 0 must be a 0x-prefixed bytes32/);
    expect(() => merkleProof([L(0)], 1)).toThrow(/leaf index/);
  });
});

describe('test/vectors/transcript-merkle.json', () => {
  const file = existsSync(VECTORS_PATH)
    ? (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as ReturnType<typeof generateVectors>)
    : undefined;

  it('is what the code computes', () => {
    expect(file).toEqual(generateVectors());
  });

  it('its proofs verify and its invalid proofs fail', () => {
    for (const t of file!.trees) {
      t.leaves.forEach((leaf, i) => expect(verifyMerkleProof(t.root, leaf, i, t.count, t.proofs[i]!)).toBe(true));
    }
    expect(file!.invalid.length).toBe(6);
    for (const v of file!.invalid)
      expect(verifyMerkleProof(v.root, v.leaf, v.index, v.count, v.proof), v.about).toBe(false);
  });
});
