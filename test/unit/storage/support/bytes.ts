// Deterministic pseudo-random bytes (xorshift32) for store and client tests: content that does
// not repeat within a chunk, so a file of n chunks has n distinct leaves.
export function pseudoRandomBytes(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
