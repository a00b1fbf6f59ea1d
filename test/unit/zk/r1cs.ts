// Minimal readers of circom's .r1cs and snarkjs's .wtns binary files (iden3 binfile layout:
// magic, version, sections of (type u32, size u64)), enough to check a witness against the
// constraints directly, as a verifier of the constraint system would, independent of the
// witness calculator's own asserts.
import { FIELD_P } from '../../../src/lib/ml/watermark/field.ts';

type Sections = Map<number, DataView>;

function sections(bytes: Uint8Array, magic: string): Sections {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = String.fromCharCode(...bytes.subarray(0, 4));
  if (got !== magic) throw new Error(`not a ${magic} file (starts with ${JSON.stringify(got)})`);
  const n = view.getUint32(8, true);
  const out: Sections = new Map();
  let at = 12;
  for (let i = 0; i < n; i++) {
    const type = view.getUint32(at, true);
    const size = Number(view.getBigUint64(at + 4, true));
    out.set(type, new DataView(bytes.buffer, bytes.byteOffset + at + 12, size));
    at += 12 + size;
  }
  return out;
}

function readField(v: DataView, at: number, n8: number): bigint {
  let x = 0n;
  for (let i = n8 - 1; i >= 0; i--) x = (x << 8n) | BigInt(v.getUint8(at + i));
  return x;
}

export type LinearCombination = Map<number, bigint>;
export interface Constraint {
  a: LinearCombination;
  b: LinearCombination;
  c: LinearCombination;
}

export interface R1cs {
  nWires: number;
  nPubIn: number;
  nConstraints: number;
  constraints: Constraint[];
}

export function readR1cs(bytes: Uint8Array): R1cs {
  const s = sections(bytes, 'r1cs');
  const h = s.get(1)!;
  const n8 = h.getUint32(0, true);
  if (readField(h, 4, n8) !== FIELD_P) throw new Error('the r1cs is not over BN254');
  let at = 4 + n8;
  const nWires = h.getUint32(at, true);
  const nPubIn = h.getUint32(at + 8, true);
  const nConstraints = h.getUint32(at + 24, true);
  const body = s.get(2)!;
  at = 0;
  const lc = (): LinearCombination => {
    const m = new Map<number, bigint>();
    const terms = body.getUint32(at, true);
    at += 4;
    for (let t = 0; t < terms; t++) {
      m.set(body.getUint32(at, true), readField(body, at + 4, n8));
      at += 4 + n8;
    }
    return m;
  };
  const constraints: Constraint[] = [];
  for (let i = 0; i < nConstraints; i++) constraints.push({ a: lc(), b: lc(), c: lc() });
  return { nWires, nPubIn, nConstraints, constraints };
}

/** The witness values of a .wtns file (wire 0 is the constant 1). */
export function readWtns(bytes: Uint8Array): bigint[] {
  const s = sections(bytes, 'wtns');
  const h = s.get(1)!;
  const n8 = h.getUint32(0, true);
  const n = h.getUint32(4 + n8, true);
  const body = s.get(2)!;
  return Array.from({ length: n }, (_, i) => readField(body, i * n8, n8));
}

const evalLc = (lc: LinearCombination, w: readonly bigint[]) => {
  let acc = 0n;
  for (const [wire, coeff] of lc) acc += coeff * w[wire]!;
  return acc % FIELD_P;
};

export const satisfied = (c: Constraint, w: readonly bigint[]): boolean =>
  (evalLc(c.a, w) * evalLc(c.b, w) - evalLc(c.c, w)) % FIELD_P === 0n;

/** Indices of the constraints the witness violates. */
export function violated(r1cs: R1cs, w: readonly bigint[]): number[] {
  const bad: number[] = [];
  r1cs.constraints.forEach((c, i) => {
    if (!satisfied(c, w)) bad.push(i);
  });
  return bad;
}

/** For each wire, the constraints it appears in. */
export function constraintsByWire(r1cs: R1cs): number[][] {
  const by: number[][] = Array.from({ length: r1cs.nWires }, () => []);
  r1cs.constraints.forEach((c, i) => {
    for (const lc of [c.a, c.b, c.c]) for (const wire of lc.keys()) if (by[wire]!.at(-1) !== i) by[wire]!.push(i);
  });
  return by;
}
