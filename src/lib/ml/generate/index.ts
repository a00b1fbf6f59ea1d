export {
  generate,
  GenerateError,
  MAX_NEW_BYTES,
  START_BYTE,
  type GenerateOptions,
  type Generated,
} from './generate.ts';
export { argMax, pickToken, topKIds, type SampleSettings } from './sample.ts';
export {
  createGenerateService,
  MAX_PROMPT_BYTES,
  type GenerateEvents,
  type GenerateJob,
  type GenerateOutcome,
  type GenerateService,
  type GenerateServiceEnv,
} from './service.ts';
