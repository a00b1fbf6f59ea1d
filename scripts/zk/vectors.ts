// test/vectors/watermark.json (docs/ml.md section 4) as claims the prover takes. Shared by the
// build (the forge proof fixture), the benchmark and the circuit tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WatermarkKey } from '../../src/lib/ml/watermark/types.ts';
import type { OwnershipClaim } from '../../src/lib/zk/inputs.ts';
import { REPO_ROOT } from './sources.ts';

export interface WatermarkVectorJson {
  name: string;
  params: { T: number; N: number; WB: number; scale: number; maxErr: number };
  owner: string;
  /** The owner's first T bits, most significant first, as '0'/'1' characters. */
  ownerBits: string;
  key: { bits: string; salt: string };
  q: number[];
  keyCommit: string;
  wmCommit: string;
  wrong: number;
  carries: boolean;
}

export function loadVectors(): WatermarkVectorJson[] {
  const json = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'vectors', 'watermark.json'), 'utf8')) as {
    vectors: WatermarkVectorJson[];
  };
  return json.vectors;
}

export function vectorByName(name: string): WatermarkVectorJson {
  const v = loadVectors().find((x) => x.name === name);
  if (!v) throw new Error(`test/vectors/watermark.json has no vector "${name}"`);
  return v;
}

export function vectorKey(v: WatermarkVectorJson): WatermarkKey {
  return {
    T: v.params.T,
    N: v.params.N,
    bits: Uint8Array.from(v.key.bits, (c) => Number(c)),
    salt: BigInt(v.key.salt),
  };
}

/** The vector as a claim with the vector's own maxErr (or another one). */
export function vectorClaim(v: WatermarkVectorJson, maxErr = v.params.maxErr): OwnershipClaim {
  return { q: Int32Array.from(v.q), key: vectorKey(v), owner: v.owner, maxErr };
}

/** The production vector that decodes with 5 wrong bits (maxErr 8): a valid production claim. */
export const PRODUCTION_VECTOR = 'production-64x128-five-wrong';
