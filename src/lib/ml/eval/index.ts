export {
  evaluateModel,
  evaluateArtifact,
  metricScore,
  specHashBytes,
  type EvalResult,
  type EvalOptions,
  type PerSample,
} from './evaluate.ts';
export { selectSamples, sortedIndices } from './subset.ts';
