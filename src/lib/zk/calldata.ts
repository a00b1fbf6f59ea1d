// Groth16 proofs as the generated Solidity verifier takes them (contracts/src/verifiers/
// WatermarkOwnershipVerifier.sol): verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[4] input),
// as viem argument tuples of bigints.
import { FIELD_P } from '../ml/watermark/field.ts';
import { publicSignalTuple, type PublicSignalTuple, type PublicSignals } from './circuit.ts';
import { ZkInputError } from './errors.ts';

/** BN254's base field: proof coordinates live here. */
export const BASE_FIELD_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** snarkjs's proof object (projective coordinates as decimal strings). */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

type Pair = readonly [bigint, bigint];

export interface SolidityProof {
  a: Pair;
  b: readonly [Pair, Pair];
  c: Pair;
  input: PublicSignalTuple;
}

function coordinate(s: string | undefined, what: string): bigint {
  if (typeof s !== 'string' || !/^[0-9]+$/.test(s)) throw new ZkInputError(`proof ${what} must be a decimal string`);
  const x = BigInt(s);
  if (x >= BASE_FIELD_Q) throw new ZkInputError(`proof ${what} is not a base field element`);
  return x;
}

/**
 * The verifier's arguments. G2 coordinates swap: snarkjs writes an Fp2 element as [c0, c1],
 * the EVM pairing precompile (EIP-197) reads (c1, c0).
 */
export function toSolidityProof(proof: Groth16Proof, publicSignals: PublicSignals): SolidityProof {
  if (proof.protocol !== 'groth16' || proof.curve !== 'bn128')
    throw new ZkInputError(`expected a groth16 proof on bn128, got ${proof.protocol} on ${proof.curve}`);
  // Affine points: snarkjs normalizes z to 1.
  if (proof.pi_a[2] !== '1' || proof.pi_c[2] !== '1' || proof.pi_b[2]?.[0] !== '1' || proof.pi_b[2]?.[1] !== '0') {
    throw new ZkInputError('the proof points are not in affine form (z = 1)');
  }
  const input = publicSignalTuple(publicSignals);
  if (input.some((x) => x < 0n || x >= FIELD_P)) throw new ZkInputError('a public signal is not a field element');
  return {
    a: [coordinate(proof.pi_a[0], 'a.x'), coordinate(proof.pi_a[1], 'a.y')],
    b: [
      [coordinate(proof.pi_b[0]?.[1], 'b.x.c1'), coordinate(proof.pi_b[0]?.[0], 'b.x.c0')],
      [coordinate(proof.pi_b[1]?.[1], 'b.y.c1'), coordinate(proof.pi_b[1]?.[0], 'b.y.c0')],
    ],
    c: [coordinate(proof.pi_c[0], 'c.x'), coordinate(proof.pi_c[1], 'c.y')],
    input,
  };
}

/** `args` for viem's readContract / writeContract of verifyProof. */
export const verifierArgs = (p: SolidityProof) => [p.a, p.b, p.c, p.input] as const;

/** The proof as eight words in the verifier's order (a, b, c), for a contract taking uint256[8]. */
export const proofWords = (p: SolidityProof): readonly bigint[] => [...p.a, ...p.b[0], ...p.b[1], ...p.c];
