// poseidon-lite against circomlibjs (iden3's own JS for circomlib's Poseidon: the wasm build and
// the unoptimized reference from the original constants), and the commitments of the shared
// vectors recomputed from scratch on circomlibjs with packing written independently here.
import { readFileSync } from 'node:fs';
import { buildPoseidon, buildPoseidonReference } from 'circomlibjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIELD_P, poseidon } from '../../../../src/lib/ml/watermark/index.ts';
import { Drbg } from './drbg.ts';
import { VECTORS_PATH, type WatermarkVector } from './vectors.ts';

type Hash = (xs: bigint[]) => bigint;
let wasm: Hash;
let reference: Hash;

beforeAll(async () => {
  const p = await buildPoseidon();
  wasm = (xs) => p.F.toObject(p(xs));
  const r = await buildPoseidonReference();
  reference = (xs) => r.F.toObject(r(xs));
});

function randomField(rng: Drbg): bigint {
  let x = 0n;
  for (const b of rng.fill(new Uint8Array(32))) x = (x << 8n) | BigInt(b);
  return x % FIELD_P;
}

describe('Poseidon: poseidon-lite equals circomlibjs', () => {
  it('known circomlib values', () => {
    // From circomlib's poseidon tests; also the value every circomlib port quotes.
    expect(poseidon([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
    expect(wasm([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
  });

  it.each(Array.from({ length: 16 }, (_, i) => i + 1))('arity %i: random, zero, edge inputs', (n) => {
    const rng = new Drbg(`poseidon arity ${n}`);
    const cases: bigint[][] = [
      Array.from({ length: n }, () => randomField(rng)),
      Array.from({ length: n }, () => randomField(rng)),
      Array.from({ length: n }, () => 0n),
      Array.from({ length: n }, () => FIELD_P - 1n),
      Array.from({ length: n }, (_, i) => (1n << 128n) - 1n - BigInt(i)), // full 128-bit key limbs
      Array.from({ length: n }, (_, i) => (1n << 240n) - 1n - BigInt(i)), // full 15x16-bit weight limbs
    ];
    for (const xs of cases) {
      const ours = poseidon(xs);
      expect(ours).toBe(wasm(xs));
      expect(ours).toBe(reference(xs));
    }
  });

  it('refuses inputs the circuit could not take', () => {
    expect(() => poseidon([FIELD_P])).toThrow(/not a field element/);
    expect(() => poseidon([-1n])).toThrow(/not a field element/);
    expect(() => poseidon([])).toThrow(/1\.\.16/);
    expect(() => poseidon(Array.from({ length: 17 }, () => 0n))).toThrow(/1\.\.16/);
  });
});

describe('vector commitments recomputed on circomlibjs', () => {
  const vectors = (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { vectors: WatermarkVector[] }).vectors;

  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_, vec) => {
    const { WB, N } = vec.params;
    // Key limbs: bit b of limb i is X[128 i + b], i.e. the limb is the reversed 128-char slice.
    const bits = vec.key.bits;
    const limbs: bigint[] = [];
    for (let i = 0; i < bits.length; i += 128)
      limbs.push(BigInt(`0b${[...bits.slice(i, i + 128).padEnd(128, '0')].reverse().join('')}`));
    const groups: bigint[] = [];
    for (let g = 0; g < limbs.length; g += 16)
      groups.push(wasm(Array.from({ length: 16 }, (_, k) => limbs[g + k] ?? 0n)));
    const hx = wasm(groups);
    expect(hx.toString()).toBe(vec.keyHash);
    expect(wasm([hx, BigInt(vec.key.salt)]).toString()).toBe(vec.keyCommit);

    // Weight limbs: K = floor(253/WB) offset values per limb, value k at bits WB k.
    const K = Math.floor(253 / WB);
    const f: bigint[] = [];
    for (let i = 0; i < Math.ceil(N / K); i++) {
      let acc = 0n;
      vec.q.slice(K * i, K * i + K).forEach((q, k) => (acc += BigInt(q + 2 ** (WB - 1)) * 2n ** BigInt(WB * k)));
      f.push(acc);
    }
    expect(f.map(String)).toEqual(vec.wmLimbs);
    expect(wasm(f).toString()).toBe(vec.wmCommit);
  });
});
