// A small seeded PRNG shared by the data loader and the training engine. Runs must replay exactly
// (same seed, same epoch, same batches, same initial weights) on every backend and after a
// checkpoint, so randomness never comes from Math.random or tfjs: it comes from here, and the
// whole generator state is four 32-bit words that a checkpoint can store.
//
// Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state with a
// counter, so no seed falls into a short cycle). Seeding: the seed and stream labels are hashed
// with a murmur3-style mix into the four state words, so nearby seeds (1, 2, 3) and nearby stream
// labels (epoch 0, 1, ...) give unrelated sequences.
//
// The output sequence for a given seed is part of the reproducibility contract: the regression
// vectors in test/unit/ml/rng.test.ts pin it.

/** Generator state: four unsigned 32-bit words. */
export type RngState = readonly [number, number, number, number];

/** A seed part: a non-negative safe integer or a string (UTF-8). */
export type SeedPart = number | string;

const utf8 = new TextEncoder();

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** murmur3's 32-bit finalizer: full avalanche on one word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Every part becomes a type tag, a length and its 32-bit words, so [1, 2] and ["\x01\x02"] or
// [12] and [1, 2] cannot hash alike.
function seedWords(parts: readonly SeedPart[]): number[] {
  const words: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (typeof part === 'number') {
      if (!Number.isSafeInteger(part) || part < 0) {
        throw new RangeError(`seed part ${i}: must be a non-negative safe integer or a string, got ${part}`);
      }
      words.push(1, part >>> 0, Math.floor(part / 2 ** 32) >>> 0);
    } else if (typeof part === 'string') {
      const bytes = utf8.encode(part);
      words.push(2, bytes.length);
      for (let j = 0; j < bytes.length; j += 4) {
        words.push(
          (bytes[j] ?? 0) | ((bytes[j + 1] ?? 0) << 8) | ((bytes[j + 2] ?? 0) << 16) | ((bytes[j + 3] ?? 0) << 24),
        );
      }
    } else {
      throw new TypeError(`seed part ${i}: must be a number or a string`);
    }
  }
  return words;
}

function murmur(words: readonly number[], seed: number): number {
  let h = seed >>> 0;
  for (const w of words) {
    let k = Math.imul(w, 0xcc9e2d51);
    k = rotl(k, 15);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ (words.length * 4));
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(state: RngState) {
    [this.a, this.b, this.c, this.d] = state;
  }

  /**
   * A generator for the stream named by `parts`, e.g. `Rng.seeded(runSeed, 'shuffle', epoch)`.
   * Different part lists give independent streams.
   */
  static seeded(...parts: SeedPart[]): Rng {
    const words = seedWords(parts);
    const rng = new Rng([
      murmur(words, 0x243f6a88),
      murmur(words, 0x85a308d3),
      murmur(words, 0x13198a2e),
      murmur(words, 0x03707344),
    ]);
    // sfc32's author recommends discarding the first outputs after seeding.
    for (let i = 0; i < 12; i++) rng.nextU32();
    return rng;
  }

  /** A generator that continues exactly where the one that produced `state` was. */
  static restore(state: RngState): Rng {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new RangeError('rng state: must be four unsigned 32-bit integers');
    }
    return new Rng(state);
  }

  /** The state to store in a checkpoint; `Rng.restore(state)` continues the sequence. */
  state(): RngState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  clone(): Rng {
    return new Rng(this.state());
  }

  /** Uniform unsigned 32-bit integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = rotl(this.c, 21);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits (two outputs), like a float64 can hold. */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling); n in 1..2^32. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32)
      throw new RangeError(`nextInt: n must be an integer in 1..2^32, got ${n}`);
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const u = this.nextU32();
      if (u < limit) return u % n;
    }
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.nextFloat();
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const tmp = items[i] as A[number];
      items[i] = items[j] as A[number];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
