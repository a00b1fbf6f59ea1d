export {
  train,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type TrainStatus,
  type WatermarkTraining,
} from './trainer.ts';
export { RunControl, yieldToEventLoop, type ControlState } from './control.ts';
export { memoryData, START, type TrainingData, type EpochReader, type MemoryDataOptions } from './data.ts';
export { datasetData, type DatasetDataOptions } from './dataset.ts';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  checkCheckpoint,
  type TrainCheckpoint,
} from './checkpoint.ts';
export { createOptimizer, type Optimizer, type OptimizerState, type OptimizerConfig } from './optimizer.ts';
export { effectiveHyper, type OptimizerOverrides } from './hyper.ts';
export { trainStep, type StepInput, type StepOutput } from './step.ts';
export { crossEntropyPerSample, correctCount } from './loss.ts';
export { watermarkVector, createWatermarkPenalty, type WatermarkPenalty } from './watermark.ts';
