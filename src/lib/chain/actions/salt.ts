// Fresh 32-byte salts for seals and score commitments. The caller must keep the salt (the role
// agents persist it) until the reveal: without it the commitment cannot be opened.
import { toHex, type Hex } from 'viem';

export function randomSalt(): Hex {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return toHex(bytes);
}
