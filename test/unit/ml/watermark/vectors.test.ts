import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FIELD_P,
  bytes32ToField,
  decode,
  fieldToBytes32,
  keyCommit,
  keyGroupHashes,
  keyHash,
  keyLimbs,
  ownerBits,
  quantize,
  valuesPerLimb,
  wmCommit,
  wmLimbs,
} from '../../../../src/lib/ml/watermark/index.ts';
import { VECTORS_PATH, float32Hex, formatJson, generateVectors, type WatermarkVector } from './vectors.ts';

const UPDATE = process.env.UPDATE_WATERMARK_VECTORS === '1';
if (UPDATE) writeFileSync(VECTORS_PATH, formatJson(generateVectors()) + '\n');

const bitsOf = (s: string) => Uint8Array.from(s, (c) => (c === '1' ? 1 : c === '0' ? 0 : NaN));

describe('test/vectors/watermark.json', () => {
  const file = existsSync(VECTORS_PATH)
    ? (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as ReturnType<typeof generateVectors>)
    : undefined;

  it('exists and holds the three documented vectors', () => {
    expect(file, 'regenerate with UPDATE_WATERMARK_VECTORS=1').toBeDefined();
    expect(file!.format).toBe('aiarena-watermark-vectors');
    expect(file!.field).toBe(FIELD_P.toString());
    expect(file!.vectors.map((v) => [v.params.T, v.params.N])).toEqual([
      [16, 32],
      [64, 128],
      [64, 128],
    ]);
  });

  it('is what the generator produces (regenerate after changing it)', () => {
    expect(formatJson(file) + '\n').toBe(formatJson(generateVectors()) + '\n');
  });

  describe.each((file?.vectors ?? []) as WatermarkVector[])(
    '$name: every derived value recomputes from the inputs',
    (vec) => {
      const { T, N, WB, scale, maxErr } = vec.params;
      const bits = bitsOf(vec.key.bits);
      const salt = BigInt(vec.key.salt);
      const v = Float32Array.from(vec.vHex, (h) =>
        new DataView(Uint32Array.of(parseInt(h, 16)).buffer).getFloat32(0, true),
      );

      it('inputs are well formed', () => {
        expect(bits.length).toBe(T * N);
        expect(bits.every((b) => b === 0 || b === 1)).toBe(true);
        expect(salt < FIELD_P).toBe(true);
        expect(v.length).toBe(N);
        // The decimal and hex forms of v are the same float32s.
        vec.v.forEach((s, k) => {
          expect(Math.fround(Number(s))).toBe(Number(s));
          expect(Object.is(Number(s), v[k])).toBe(true);
          expect(float32Hex(v[k]!)).toBe(vec.vHex[k]);
        });
      });

      it('owner bits, quantization, decoding', () => {
        const b = ownerBits(vec.owner, T);
        expect(Array.from(b).join('')).toBe(vec.ownerBits);
        const q = quantize(v, scale, WB);
        expect(Array.from(q)).toEqual(vec.q);
        const d = decode(bits, q, b);
        expect(d.projections).toEqual(vec.projections);
        expect(d.margins).toEqual(vec.margins);
        expect(Array.from(d.bits).join('')).toBe(vec.decodedBits);
        expect(d.wrong).toBe(vec.wrong);
        expect(vec.carries).toBe(d.wrong <= maxErr);
      });

      it('commitments', () => {
        const q = Int32Array.from(vec.q);
        expect(keyLimbs(bits).map(String)).toEqual(vec.keyLimbs);
        expect(keyGroupHashes(bits).map(String)).toEqual(vec.keyGroupHashes);
        expect(keyHash(bits).toString()).toBe(vec.keyHash);
        expect(keyCommit({ bits, salt }).toString()).toBe(vec.keyCommit);
        expect(fieldToBytes32(BigInt(vec.keyCommit))).toBe(vec.keyCommitBytes32);
        expect(bytes32ToField(vec.keyCommitBytes32).toString()).toBe(vec.keyCommit);
        expect(wmLimbs(q, WB).map(String)).toEqual(vec.wmLimbs);
        expect(wmCommit(q, WB).toString()).toBe(vec.wmCommit);
        expect(fieldToBytes32(BigInt(vec.wmCommit))).toBe(vec.wmCommitBytes32);
        expect(vec.params.K).toBe(valuesPerLimb(WB));
        expect(vec.params.E).toBe(Math.ceil(N / valuesPerLimb(WB)));
        expect(vec.params.keyLimbCount).toBe(Math.ceil((T * N) / 128));
        expect(vec.params.keyGroups).toBe(Math.ceil(vec.params.keyLimbCount / 16));
      });
    },
  );

  it('covers the cases the circuit must get right', () => {
    const [small, five, random] = file!.vectors;
    expect(small!.wrong).toBe(0);
    expect(small!.q.slice(0, 7)).toEqual([32767, -32768, 1, 0, -1, 0, 3]);
    expect(five!.wrong).toBe(5);
    expect(five!.carries).toBe(true);
    expect(random!.carries).toBe(false);
    expect(random!.projections[0]).toBe(0);
    expect(random!.decodedBits[0]).toBe('0');
  });
});
