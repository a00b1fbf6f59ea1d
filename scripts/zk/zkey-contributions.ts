// The phase-2 contributions a .zkey lists (its MPC section, number 10), read without snarkjs's
// internals (not exported): the build refuses to import, as a "production" key, a zkey whose
// every contribution is a beacon, since a beacon's randomness is public and such a key is as
// forgeable as the development one. Format: snarkjs src/zkey_utils.js (readMPCParams,
// readContribution): binfile header "zkey", version, section count, then sections (id u32, size
// u64); section 2 starts with n8q; section 10 holds csHash (64 bytes), a count, and per
// contribution deltaAfter, g1_s, g1_sx (G1, 2 n8q bytes each), g2_spx (G2, 4 n8q), a 64-byte
// transcript, the type (0 contribution, 1 beacon) and sorted parameters (1 name, 2 iterations
// exponent, 3 beacon hash).
import { readFileSync } from 'node:fs';

export interface ZkeyContribution {
  type: 'contribution' | 'beacon';
  name?: string;
  /** Beacon only: the public beacon value, hex. */
  beaconHash?: string;
  /** Beacon only: log2 of the hash iterations. */
  iterationsExp?: number;
}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly what: string,
  ) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error(`${this.what} is truncated or not a zkey file`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${this.what}: section size out of range`);
    return Number(v);
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

/** Every phase-2 contribution of the zkey at `path`, oldest first. */
export function readZkeyContributions(path: string): ZkeyContribution[] {
  const r = new Reader(readFileSync(path), path);
  if (r.bytes(4).toString('latin1') !== 'zkey') throw new Error(`${path} is not a zkey file`);
  r.u32(); // version
  const sections = new Map<number, { start: number; size: number }>();
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const id = r.u32();
    const size = r.u64();
    if (sections.has(id)) throw new Error(`${path}: section ${id} appears twice`);
    sections.set(id, { start: r.pos, size });
    r.bytes(size);
  }
  const header = sections.get(2);
  const mpc = sections.get(10);
  if (!header || !mpc) throw new Error(`${path} is not a Groth16 zkey with a phase-2 record (sections 2 and 10)`);
  r.pos = header.start;
  const n8q = r.u32();

  r.pos = mpc.start;
  r.bytes(64); // csHash
  const n = r.u32();
  const out: ZkeyContribution[] = [];
  for (let i = 0; i < n; i++) {
    r.bytes(3 * 2 * n8q + 4 * n8q + 64); // deltaAfter, g1_s, g1_sx, g2_spx, transcript
    const type = r.u32();
    if (type !== 0 && type !== 1) throw new Error(`${path}: contribution ${i + 1} has unknown type ${type}`);
    const c: ZkeyContribution = { type: type === 0 ? 'contribution' : 'beacon' };
    const paramsEnd = r.u32() + r.pos;
    while (r.pos < paramsEnd) {
      const p = r.u8();
      if (p === 1) c.name = r.bytes(r.u8()).toString('utf8');
      else if (p === 2) c.iterationsExp = r.u8();
      else if (p === 3) c.beaconHash = r.bytes(r.u8()).toString('hex');
      else throw new Error(`${path}: contribution ${i + 1} has unknown parameter ${p}`);
    }
    if (r.pos !== paramsEnd) throw new Error(`${path}: contribution ${i + 1}'s parameters overrun their length`);
    out.push(c);
  }
  if (r.pos !== mpc.start + mpc.size) throw new Error(`${path}: the phase-2 section has trailing bytes`);
  return out;
}

/** Contributions made with private randomness (not beacons): at least one must be honest. */
export const privateContributions = (cs: readonly ZkeyContribution[]): number =>
  cs.filter((c) => c.type === 'contribution').length;
