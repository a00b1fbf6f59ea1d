export { evaluateModel, evaluateArtifact, metricScore, specHashBytes, type EvalResult, type EvalOptions } from './evaluate.ts';
