import type { ModelSpec, OptimizerSpec } from '../spec/types.ts';

export type OptimizerOverrides = Partial<OptimizerSpec>;

/** The spec's optimizer defaults with a trainer's local overrides, range-checked like the spec. */
export function effectiveHyper(spec: ModelSpec, overrides: OptimizerOverrides = {}): OptimizerSpec {
  const h: OptimizerSpec = { ...spec.optimizer, ...stripUndefined(overrides) };
  const bad = (field: string, why: string): never => {
    throw new RangeError(`optimizer override ${field}: ${why}`);
  };
  if (h.name !== 'adam' && h.name !== 'sgd') bad('name', `must be adam or sgd, got ${String(h.name)}`);
  if (!(h.learningRate > 0 && h.learningRate <= 1)) bad('learningRate', `must be in (0, 1], got ${h.learningRate}`);
  if (!(h.momentum >= 0 && h.momentum < 1)) bad('momentum', `must be in [0, 1), got ${h.momentum}`);
  if (!Number.isInteger(h.batchSize) || h.batchSize < 1 || h.batchSize > 4096)
    bad('batchSize', `must be an integer in 1..4096, got ${h.batchSize}`);
  if (!Number.isInteger(h.epochs) || h.epochs < 1 || h.epochs > 1000)
    bad('epochs', `must be an integer in 1..1000, got ${h.epochs}`);
  return h;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
