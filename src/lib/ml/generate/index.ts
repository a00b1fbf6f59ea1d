export {
  generate,
  GenerateError,
  MAX_NEW_BYTES,
  START_BYTE,
  type GenerateOptions,
  type Generated,
} from './generate.ts';
export { argMax, pickToken, topKIds, type SampleSettings } from './sample.ts';
