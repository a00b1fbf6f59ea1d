import { MAX_T, WatermarkError } from './types.ts';

/** b_j = bit j of the 160-bit address, j = 0 the most significant; the first T bits. */
export function ownerBits(address: string, T: number): Uint8Array {
  // Any case is accepted: the bits do not depend on the EIP-55 checksum.
  if (!/^0x[0-9a-fA-F]{40}$/.test(address))
    throw new WatermarkError(`owner must be a 20-byte 0x address, got "${address}"`);
  if (!Number.isInteger(T) || T < 1 || T > MAX_T)
    throw new WatermarkError(`T must be an integer in 1..${MAX_T}, got ${T}`);
  const a = BigInt(address);
  return Uint8Array.from({ length: T }, (_, j) => Number((a >> BigInt(MAX_T - 1 - j)) & 1n));
}
