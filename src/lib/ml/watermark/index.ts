export { FIELD_P, bytes32ToField, fieldToBytes32, isFieldElement, type Bytes32 } from './field.ts';
export { WatermarkError, type WatermarkKey, MAX_KEY_BITS, MAX_T } from './types.ts';
export {
  generateKey,
  randomFieldElement,
  validateKey,
  keyToJson,
  keyFromJson,
  exportKeyEncrypted,
  importKeyEncrypted,
  secureRandom,
  type RandomFill,
  DEFAULT_ITERATIONS,
  MIN_ITERATIONS,
} from './key.ts';
export { keyCommit, keyHash, keyGroupHashes, keyLimbs, wmCommit, wmLimbs, valuesPerLimb, poseidon } from './commit.ts';
export { ownerBits } from './bits.ts';
export { quantize } from './quantize.ts';
export { extractV, watermarkKernelIndex } from './extract.ts';
export { projections, decode, type DecodeResult } from './decode.ts';
export { checkWatermark, type WatermarkReport } from './check.ts';
