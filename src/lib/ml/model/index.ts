export { buildModel, WeightShapeError, type Model, type ForwardOptions } from './model.ts';
export { initialWeights } from './init.ts';
export { dropoutMask } from './dropout.ts';
