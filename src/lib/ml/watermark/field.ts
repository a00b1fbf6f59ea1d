// The BN254 scalar field: Poseidon commitments and the challenge circuit (SPEC section 7) live
// in it, and the chain stores its elements as bytes32.

export const FIELD_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export type Bytes32 = `0x${string}`;

export const isFieldElement = (x: bigint): boolean => x >= 0n && x < FIELD_P;

/** 0x-prefixed, 64 lowercase hex digits, big-endian (Solidity's bytes32(uint256(x))). */
export function fieldToBytes32(x: bigint): Bytes32 {
  if (!isFieldElement(x)) throw new RangeError(`${x} is not a field element (0 <= x < p)`);
  return `0x${x.toString(16).padStart(64, '0')}`;
}

/** Inverse of fieldToBytes32; rejects malformed hex and values >= p. */
export function bytes32ToField(hex: string): bigint {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError(`expected 0x and 64 hex digits, got "${hex}"`);
  const x = BigInt(hex);
  if (x >= FIELD_P) throw new RangeError(`${hex} is not a field element: it is >= the BN254 scalar field modulus`);
  return x;
}
