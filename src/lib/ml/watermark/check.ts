// Everything the client does with a trained model's watermark, in one call: used before
// sealing (SPEC section 6) and to prepare a challenge response.
import type { WatermarkSpec } from '../spec/types.ts';
import { wmCommit } from './commit.ts';
import { ownerBits } from './bits.ts';
import { decode, type DecodeResult } from './decode.ts';
import { extractV } from './extract.ts';
import { quantize } from './quantize.ts';
import { WatermarkError, type WatermarkKey } from './types.ts';

export interface WatermarkReport extends DecodeResult {
  v: Float32Array;
  q: Int32Array;
  wmCommit: bigint;
  /** wrong <= maxErr: the model carries the owner's watermark. */
  carries: boolean;
  /** wrong <= maxErr / 2: the margin the client requires before sealing. */
  sealable: boolean;
}

export function checkWatermark(
  wm: WatermarkSpec,
  kernel: Float32Array,
  shape: readonly number[],
  key: WatermarkKey,
  owner: string,
): WatermarkReport {
  if (key.T !== wm.bits || key.N !== wm.length) {
    throw new WatermarkError(`the key is ${key.T}x${key.N}, the spec's watermark needs ${wm.bits}x${wm.length}`);
  }
  const v = extractV(wm.rule, kernel, shape, wm.length);
  const q = quantize(v, wm.quantization.scale, wm.quantization.bits);
  const result = decode(key.bits, q, ownerBits(owner, wm.bits));
  return {
    ...result,
    v,
    q,
    wmCommit: wmCommit(q, wm.quantization.bits),
    carries: result.wrong <= wm.maxErr,
    sealable: 2 * result.wrong <= wm.maxErr,
  };
}
