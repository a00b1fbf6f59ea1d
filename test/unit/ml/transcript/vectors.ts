// Generator of test/vectors/transcript-merkle.json (docs/transcript.md): Merkle trees over fixed
// leaves for leaf counts around powers of two, every inclusion proof, proofs that must fail, and
// the seeds of one identity. The TypeScript tests recompute all of it; the contracts' forge test
// checks the same file. Regenerate with UPDATE_TRANSCRIPT_VECTORS=1 npx vitest run
// test/unit/ml/transcript/merkle.test.ts.
import { createHash } from 'node:crypto';
import { encodeAbiParameters, type Address, type Hex } from 'viem';
import { merkleProof, merkleRoot } from '../../../../src/lib/ml/transcript/merkle.ts';
import { DATA_TAG, INIT_TAG, NOISE_TAG, transcriptSeeds } from '../../../../src/lib/ml/transcript/seeds.ts';

export const VECTORS_PATH = new URL('../../../vectors/transcript-merkle.json', import.meta.url);
export const LEAF_COUNTS = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17];

/** Leaf i of the vectors: sha256 of the ASCII text `aiarena/transcript-vector/<i>`. */
export function vectorLeaf(i: number): Hex {
  return `0x${createHash('sha256').update(`aiarena/transcript-vector/${i}`).digest('hex')}`;
}

export const SEED_IDENTITY = {
  chainId: 31337,
  task: 7,
  trainer: '0x5B38Da6a701c568545dCfcB03FcB875f56beddC4' as Address,
};

export function generateVectors() {
  const trees = LEAF_COUNTS.map((n) => {
    const leaves = Array.from({ length: n }, (_, i) => vectorLeaf(i));
    const root = merkleRoot(leaves);
    const proofs = leaves.map((_, i) => merkleProof(leaves, i));
    return { count: n, leaves, root, proofs };
  });
  const five = trees.find((t) => t.count === 5)!;
  const four = trees.find((t) => t.count === 4)!;
  const z = `0x${'00'.repeat(32)}` as Hex;
  const bad = (about: string, root: Hex, count: number, index: number, leaf: Hex, proof: Hex[]) => ({
    about,
    root,
    count,
    index,
    leaf,
    proof,
  });
  const invalid = [
    bad('index equal to the count (a padding leaf)', five.root, 5, 5, z, merkleProof([...five.leaves, z], 5)),
    bad('right leaf, wrong index', five.root, 5, 1, five.leaves[0]!, five.proofs[0]!),
    bad('proof one sibling short', five.root, 5, 0, five.leaves[0]!, five.proofs[0]!.slice(0, 2)),
    bad('proof one sibling long', five.root, 5, 0, five.leaves[0]!, [...five.proofs[0]!, five.leaves[1]!]),
    bad('count that does not match the tree', five.root, 9, 0, five.leaves[0]!, five.proofs[0]!),
    bad('an inner node passed as a leaf with a shorter proof', four.root, 4, 0, merkleRoot(four.leaves.slice(0, 2)), [
      merkleRoot(four.leaves.slice(2, 4)),
    ]),
  ];
  const seeds = transcriptSeeds(SEED_IDENTITY);
  const encoding = (tag: string) =>
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'address' }],
      [tag, BigInt(SEED_IDENTITY.chainId), BigInt(SEED_IDENTITY.task), SEED_IDENTITY.trainer],
    );
  return {
    format: 'aiarena-transcript-vectors',
    version: 1,
    about:
      'trajRoot Merkle trees (docs/transcript.md section 4): node = keccak256(left || right), leaves padded with bytes32(0) to a power of two, proofs bottom-up; a proof is valid only with index < count and exactly ceil(log2(count)) siblings. Leaves are sha256("aiarena/transcript-vector/<i>"). `invalid` lists proofs every verifier must reject. `seeds`: keccak256(abi.encode(tag, chainId, taskId, trainer)) (docs/transcript.md section 1).',
    generator: 'test/unit/ml/transcript/vectors.ts',
    trees,
    invalid,
    seeds: {
      chainId: SEED_IDENTITY.chainId,
      task: SEED_IDENTITY.task,
      trainer: SEED_IDENTITY.trainer,
      init: { tag: INIT_TAG, encoding: encoding(INIT_TAG), seed: seeds.init },
      data: { tag: DATA_TAG, encoding: encoding(DATA_TAG), seed: seeds.data },
      noise: { tag: NOISE_TAG, encoding: encoding(NOISE_TAG), seed: seeds.noise },
    },
  };
}
