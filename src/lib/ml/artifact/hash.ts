import { sha256Hex } from '../hash.ts';

/** sha256 of the artifact bytes as the `bytes32` sealed on chain. */
export async function artifactHash(bytes: Uint8Array): Promise<`0x${string}`> {
  return `0x${await sha256Hex(bytes)}`;
}
