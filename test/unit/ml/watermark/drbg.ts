// Deterministic byte stream for test vectors and seeded tests: SHA-256 in counter mode,
// block i = sha256(utf8(seed) || u32be(i)), blocks concatenated. Easy to reimplement anywhere
// (a circuit test harness in Python or JS) from this one line.
import { createHash } from 'node:crypto';

export class Drbg {
  private block = new Uint8Array(0);
  private pos = 0;
  private counter = 0;

  constructor(private readonly seed: string) {}

  /** Fills `out` with the next bytes of the stream (usable as a RandomFill). */
  readonly fill = (out: Uint8Array): Uint8Array => {
    for (let i = 0; i < out.length; i++) {
      if (this.pos === this.block.length) {
        const ctr = Buffer.alloc(4);
        ctr.writeUInt32BE(this.counter++);
        this.block = new Uint8Array(createHash('sha256').update(this.seed, 'utf8').update(ctr).digest());
        this.pos = 0;
      }
      out[i] = this.block[this.pos++]!;
    }
    return out;
  };

  /** Next 4 bytes as a big-endian u32. */
  u32(): number {
    const b = this.fill(new Uint8Array(4));
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  /** u32 / 2^32, in [0, 1). */
  uniform(): number {
    return this.u32() / 2 ** 32;
  }
}
