// The WatermarkOwnership constraints on the committed test instances (circuits/artifacts):
// honest witnesses pass and carry the commitments of test/vectors/watermark.json, every broken
// claim is rejected by the constraint the design says rejects it (aliasing attacks included), and
// no wire of the constraint system is free.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { REPO_ROOT } from '../../../scripts/zk/sources.ts';
import { vectorByName, vectorClaim } from '../../../scripts/zk/vectors.ts';
import { FIELD_P } from '../../../src/lib/ml/watermark/field.ts';
import { generateKey } from '../../../src/lib/ml/watermark/key.ts';
import { decode } from '../../../src/lib/ml/watermark/decode.ts';
import { ownerBits } from '../../../src/lib/ml/watermark/bits.ts';
import { keyLimbs, poseidon, wmLimbs } from '../../../src/lib/ml/watermark/commit.ts';
import type { CircuitShape } from '../../../src/lib/zk/circuit.ts';
import { WitnessError } from '../../../src/lib/zk/errors.ts';
import {
  encodeCircuitInput,
  prepareOwnershipProof,
  publicSignalsFor,
  type CircuitInput,
  type OwnershipClaim,
} from '../../../src/lib/zk/inputs.ts';
import { Drbg } from '../ml/watermark/drbg.ts';
import { testCircuit, witness, type TestCircuit } from './helpers.ts';
import { constraintsByWire, satisfied, violated, type R1cs } from './r1cs.ts';

const SMALL: CircuitShape = { T: 16, N: 32, WB: 16 };
const ODD: CircuitShape = { T: 5, N: 17, WB: 8 };

// Where each check sits in the circuit source, so the tests name the constraint that must fail.
const source = (file: string) => readFileSync(join(REPO_ROOT, 'circuits', 'lib', file), 'utf8').split('\n');
const lineOf = (file: string, text: string) => {
  const i = source(file).findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${file} has no line with ${text}`);
  return `line ${i + 1}`;
};
const MAIN = 'watermark_ownership.circom';
const FAILS = {
  keyCommit: `WatermarkOwnership ${lineOf(MAIN, 'keyC.out === keyCommit')}`,
  wmCommit: `WatermarkOwnership ${lineOf(MAIN, 'wmC.out === wmCommit')}`,
  tooManyErrors: `ErrorsAtMost ${lineOf('decoding.circom', 'le.out === 1')}`,
  maxErrRange: `< ErrorsAtMost ${lineOf('decoding.circom', 'maxErrBits.in <== maxErr')}`,
  qRange: `< SignedRange ${lineOf('ranges.circom', 'bits[i].in <== in[i] + (1 << (WB - 1))')}`,
  keyBit: `AssertBits ${lineOf('ranges.circom', 'in[i] * (in[i] - 1) === 0')}`,
  ownerRange: `< OwnerBits ${lineOf('decoding.circom', 'n2b.in <== owner')}`,
};

async function rejects(c: TestCircuit, input: unknown, where: string): Promise<void> {
  const e = await witness(c, input as CircuitInput).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `expected the circuit to reject (${where})`).toBeInstanceOf(WitnessError);
  expect((e as WitnessError).message).toContain(where);
}

async function accepts(c: TestCircuit, input: CircuitInput): Promise<bigint[]> {
  const w = await witness(c, input);
  expect(violated(c.r1cs(), w)).toEqual([]);
  return w;
}

/** The owner address with its first `count` bits (most significant first) flipped. */
const flipOwnerBits = (owner: string, count: number) => {
  const mask = ((1n << BigInt(count)) - 1n) << BigInt(160 - count);
  return `0x${(BigInt(owner) ^ mask).toString(16).padStart(40, '0')}`;
};

/** An input for any claim, honest or not: public signals recomputed in TS, no decode check. */
const inputFor = (shape: CircuitShape, claim: OwnershipClaim) =>
  encodeCircuitInput(claim, publicSignalsFor(shape, claim));

/** wrong bits of a claim as the TS decoder counts them. */
const wrongBits = (shape: CircuitShape, claim: OwnershipClaim) =>
  decode(claim.key.bits, claim.q, ownerBits(claim.owner, shape.T)).wrong;

let small: TestCircuit;
let odd: TestCircuit;
const vector = vectorByName('small-16x32');
const honest = vectorClaim(vector);
let honestInput: CircuitInput;

beforeAll(() => {
  small = testCircuit('watermark_ownership_16x32');
  odd = testCircuit('watermark_ownership_5x17x8');
  honestInput = prepareOwnershipProof(SMALL, honest).input;
  // circom's witness calculator prints every failed assert to the console; the tests check
  // the error itself.
  vi.spyOn(console, 'error').mockImplementation(() => {});
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('WatermarkOwnership(16, 32, 16): honest claims', () => {
  test('the vector small-16x32 gives a satisfying witness whose public wires are its commitments', async () => {
    const w = await accepts(small, honestInput);
    expect(small.r1cs().nPubIn).toBe(4);
    // Wire 0 is the constant 1, then the public inputs in declaration order.
    expect(w.slice(0, 5)).toEqual([
      1n,
      BigInt(vector.wmCommit),
      BigInt(vector.keyCommit),
      BigInt(vector.owner),
      BigInt(vector.params.maxErr),
    ]);
  });

  test('exactly maxErr wrong bits pass, maxErr + 1 fail, at the boundary', async () => {
    expect(wrongBits(SMALL, honest)).toBe(0);
    const twoWrong = { ...honest, owner: flipOwnerBits(honest.owner, 2) };
    expect(wrongBits(SMALL, twoWrong)).toBe(2);
    await accepts(small, inputFor(SMALL, { ...twoWrong, maxErr: 2 }));
    const threeWrong = { ...honest, owner: flipOwnerBits(honest.owner, 3) };
    await rejects(small, inputFor(SMALL, { ...threeWrong, maxErr: 2 }), FAILS.tooManyErrors);
    await accepts(small, inputFor(SMALL, { ...threeWrong, maxErr: 3 }));
  });

  test('zero and +-1 projections decode as the TS decoder does (s > 0 is 1, s = 0 is 0)', async () => {
    const zeros = { ...honest, q: new Int32Array(32) };
    const wrongZero = wrongBits(SMALL, zeros);
    expect(wrongZero).toBe([...vector.ownerBits].filter((b) => b === '1').length);
    await accepts(small, inputFor(SMALL, { ...zeros, maxErr: wrongZero }));
    await rejects(small, inputFor(SMALL, { ...zeros, maxErr: wrongZero - 1 }), FAILS.tooManyErrors);

    const unit = Int32Array.from({ length: 32 }, (_, k) => (k === 0 ? 1 : 0));
    const e0 = { ...honest, q: unit };
    const wrongUnit = wrongBits(SMALL, e0);
    await accepts(small, inputFor(SMALL, { ...e0, maxErr: wrongUnit }));
    await rejects(small, inputFor(SMALL, { ...e0, maxErr: wrongUnit - 1 }), FAILS.tooManyErrors);
  });

  test('extreme values: |s| = N 2^(WB-1), the largest projection magnitude, decodes correctly', async () => {
    // Row j of the key all ones for even j, all zeros for odd j: s_j = +-sum q.
    const bits = Uint8Array.from({ length: 16 * 32 }, (_, i) => (Math.floor(i / 32) % 2 === 0 ? 1 : 0));
    const key = { ...honest.key, bits };
    for (const value of [-(2 ** 15), 2 ** 15 - 1]) {
      const claim = { ...honest, key, q: new Int32Array(32).fill(value) };
      const wrong = wrongBits(SMALL, claim);
      await accepts(small, inputFor(SMALL, { ...claim, maxErr: wrong }));
      if (wrong > 0) await rejects(small, inputFor(SMALL, { ...claim, maxErr: wrong - 1 }), FAILS.tooManyErrors);
    }
  });
});

describe('WatermarkOwnership(16, 32, 16): broken claims fail', () => {
  test('a wrong key bit (keyCommit no longer matches)', async () => {
    const key = honestInput.key.map((row) => [...row]);
    key[3]![7] = 1 - key[3]![7]!;
    await rejects(small, { ...honestInput, key }, FAILS.keyCommit);
  });

  test("a wrong salt, or another trainer's keyCommit", async () => {
    await rejects(small, { ...honestInput, keySalt: (BigInt(honestInput.keySalt) + 1n).toString() }, FAILS.keyCommit);
    await rejects(
      small,
      { ...honestInput, keyCommit: vectorByName('production-64x128-random').keyCommit },
      FAILS.keyCommit,
    );
  });

  test("a wrong weight, or another submission's wmCommit", async () => {
    const q = [...honestInput.q];
    q[5] = (Number(q[5]) + 1).toString();
    await rejects(small, { ...honestInput, q }, FAILS.wmCommit);
    await rejects(
      small,
      { ...honestInput, wmCommit: vectorByName('production-64x128-random').wmCommit },
      FAILS.wmCommit,
    );
  });

  test('another owner (its bits do not decode)', async () => {
    const thief = '0xab8483f64d9c6d1ecf9b849ae677dd3315835cb2';
    expect(wrongBits(SMALL, { ...honest, owner: thief })).toBeGreaterThan(2);
    await rejects(small, { ...honestInput, owner: BigInt(thief).toString() }, FAILS.tooManyErrors);
  });

  test("an owner of 160+ bits whose low bits are the true owner's is out of range", async () => {
    await rejects(small, { ...honestInput, owner: (BigInt(vector.owner) + (1n << 160n)).toString() }, FAILS.ownerRange);
    await rejects(small, { ...honestInput, owner: (FIELD_P - 1n).toString() }, FAILS.ownerRange);
  });

  test('maxErr out of range: 256, and -1 (p - 1), which would otherwise tolerate everything', async () => {
    await rejects(small, { ...honestInput, maxErr: '256' }, FAILS.maxErrRange);
    await rejects(small, { ...honestInput, maxErr: (FIELD_P - 1n).toString() }, FAILS.maxErrRange);
    await accepts(small, { ...honestInput, maxErr: '255' });
  });

  test('q out of range: q_k + 2^16 with q_(k+1) - 1 packs to the same limb (same wmCommit) and is rejected', async () => {
    const k = 3; // same limb as k + 1 (K = 15)
    const q = [...honestInput.q].map(BigInt);
    q[k] = q[k]! + (1n << 16n);
    q[k + 1] = q[k + 1]! - 1n;
    // The aliased vector's limbs, packed without a range check, equal the honest limbs.
    const limb = (vals: bigint[], i: number) =>
      vals.slice(15 * i, 15 * i + 15).reduce((acc, u, j) => acc + (u + (1n << 15n)) * (1n << BigInt(16 * j)), 0n);
    const honestLimbs = wmLimbs(honest.q, 16);
    expect([0, 1, 2].map((i) => limb(q, i))).toEqual(honestLimbs);
    expect(poseidon(honestLimbs)).toBe(BigInt(vector.wmCommit));
    await rejects(small, { ...honestInput, q: q.map(String) }, FAILS.qRange);
    // And plainly out of range by one at either end.
    await rejects(
      small,
      { ...honestInput, q: honestInput.q.map((x, i) => (i === 0 ? String(2 ** 15) : x)) },
      FAILS.qRange,
    );
    await rejects(
      small,
      { ...honestInput, q: honestInput.q.map((x, i) => (i === 0 ? String(-(2 ** 15) - 1) : x)) },
      FAILS.qRange,
    );
  });

  test('a key bit of 2 in place of a carry packs to the same limb (same keyCommit) and is rejected', async () => {
    // Find positions b, b+1 in one 128-bit limb with X[b] = 0, X[b+1] = 1: (2, 0) gives the same limb.
    const bits = honest.key.bits;
    const b = bits.findIndex((x, i) => x === 0 && bits[i + 1] === 1 && i % 128 !== 127);
    const aliased = Array.from(bits, Number);
    aliased[b] = 2;
    aliased[b + 1] = 0;
    const limbOf = (arr: number[], i: number) =>
      arr.slice(128 * i, 128 * i + 128).reduce((acc, x, j) => acc + BigInt(x) * (1n << BigInt(j)), 0n);
    const honestLimbs = keyLimbs(bits);
    expect(honestLimbs.map((_, i) => limbOf(aliased, i))).toEqual(honestLimbs);
    const key = Array.from({ length: 16 }, (_, j) => aliased.slice(32 * j, 32 * j + 32));
    await rejects(small, { ...honestInput, key }, FAILS.keyBit);
  });
});

describe('WatermarkOwnership(5, 17, 8): packing edge cases against the TS commitments', () => {
  test('one partial key limb, one weight limb (Poseidon1), 8-bit values: honest passes, broken fails', async () => {
    const rng = new Drbg('zk odd instance');
    const key = generateKey(5, 17, rng.fill);
    const q = Int32Array.from({ length: 17 }, () => (rng.u32() % 256) - 128);
    q[0] = -128;
    q[1] = 127;
    // An owner whose first 5 bits are what this key decodes, so the claim is honest with 0 wrong.
    const decoded = decode(key.bits, q, new Uint8Array(5)).bits;
    const top = decoded.reduce((acc, b) => (acc << 1n) | BigInt(b), 0n);
    const owner = `0x${((top << 155n) | 0x1234n).toString(16).padStart(40, '0')}`;
    const claim = { q, key, owner, maxErr: 0 };
    const prepared = prepareOwnershipProof(ODD, claim);
    expect(prepared.decoded.wrong).toBe(0);
    const w = await accepts(odd, prepared.input);
    expect(w.slice(1, 5)).toEqual([
      prepared.publicSignals.wmCommit,
      prepared.publicSignals.keyCommit,
      BigInt(owner),
      0n,
    ]);
    await rejects(odd, inputFor(ODD, { ...claim, owner: flipOwnerBits(owner, 1) }), FAILS.tooManyErrors);
    await rejects(
      odd,
      { ...prepared.input, q: prepared.input.q.map((x, i) => (i === 16 ? String(Number(x) ^ 1) : x)) },
      FAILS.wmCommit,
    );
    await rejects(odd, { ...prepared.input, q: prepared.input.q.map((x, i) => (i === 16 ? '128' : x)) }, FAILS.qRange);
  });
});

/** Wires that can change alone while every constraint still holds. */
function freeWires(r1cs: R1cs, w: readonly bigint[]): number[] {
  const byWire = constraintsByWire(r1cs);
  const free: number[] = [];
  for (let wire = 1; wire < r1cs.nWires; wire++) {
    const changed = w.slice();
    changed[wire] = (changed[wire]! + 1n) % FIELD_P;
    if (byWire[wire]!.every((i) => satisfied(r1cs.constraints[i]!, changed))) free.push(wire);
  }
  return free;
}

describe('no free wires', () => {
  // Changing any single wire of a satisfying witness must violate a constraint: otherwise that
  // wire (a hint, a bit, an intermediate) would be unconstrained and a prover could choose it.
  for (const name of ['watermark_ownership_16x32', 'watermark_ownership_5x17x8']) {
    test(name, async () => {
      const c = name === 'watermark_ownership_16x32' ? small : odd;
      let input = honestInput;
      if (c === odd) {
        const rng = new Drbg('zk odd wires');
        const key = generateKey(5, 17, rng.fill);
        const q = Int32Array.from({ length: 17 }, () => (rng.u32() % 256) - 128);
        const wrong = decode(key.bits, q, ownerBits(vector.owner, 5)).wrong;
        input = inputFor(ODD, { q, key, owner: vector.owner, maxErr: wrong });
      }
      const w = await accepts(c, input);
      const r1cs = c.r1cs();
      expect(freeWires(r1cs, w)).toEqual([]);
      // The check itself finds a wire once its constraints are gone.
      const gone = new Set(constraintsByWire(r1cs)[100]);
      expect(freeWires({ ...r1cs, constraints: r1cs.constraints.filter((_, i) => !gone.has(i)) }, w)).toContain(100);
      expect(r1cs.nWires).toBe(w.length);
    });
  }
});
