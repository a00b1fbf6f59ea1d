// A small seeded generator (mulberry32) so a failing random test can be replayed by its seed.
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** A random subset of `items` of a random size in [min, items.length], in random order. */
  subset<T>(items: readonly T[], min = 1): T[] {
    const shuffled = [...items].sort(() => this.next() - 0.5);
    return shuffled.slice(0, this.int(Math.min(min, items.length), items.length));
  }

  /** Random wei amount between lo and hi tokens, log-uniform, with random low digits. */
  tokens(lo: number, hi: number): bigint {
    const whole = Math.exp(Math.log(lo) + this.next() * (Math.log(hi) - Math.log(lo)));
    return BigInt(Math.floor(whole * 1e6)) * 10n ** 12n + BigInt(this.int(0, 999_999));
  }

  /** A WAD fraction in [0, 1]; the ends come up on purpose. */
  wad(): bigint {
    const r = this.next();
    if (r < 0.08) return 0n;
    if (r < 0.16) return 10n ** 18n;
    return BigInt(Math.floor(this.next() * 1e9)) * 10n ** 9n + BigInt(this.int(0, 999_999_999));
  }
}
