// Adam and SGD (with momentum) written out, not tf.train.*: a checkpoint must restore the exact
// optimizer state, and tf.train.adam rebuilds its beta powers with pow() on restore where it had
// multiplied them step by step, so a resumed run would drift from an uninterrupted one. Here the
// state is the moments and an integer step, and bias corrections are computed in float64 in JS.
import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import type { OptimizerSpec } from '../spec/types.ts';

export type OptimizerConfig = Pick<OptimizerSpec, 'name' | 'learningRate' | 'momentum'>;

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;

/** Serializable optimizer state: adam slots [m, v], sgd slots [velocity] or [] without momentum. */
export interface OptimizerState {
  name: 'adam' | 'sgd';
  /** Updates applied so far. */
  step: number;
  slots: Float32Array[][];
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  readonly step: number;
  /** Applies one update from gradients in variable order. Call inside tf.tidy. */
  apply(grads: readonly Tensor[]): void;
  readState(): Promise<OptimizerState>;
  writeState(state: OptimizerState): void;
  dispose(): void;
}

const zerosLike = (v: Variable) => tf.tidy(() => tf.variable(tf.zerosLike(v), false));

export function createOptimizer(config: OptimizerConfig, variables: readonly Variable[]): Optimizer {
  const slotCount = config.name === 'adam' ? 2 : config.momentum > 0 ? 1 : 0;
  const slots: Variable[][] = Array.from({ length: slotCount }, () => variables.map(zerosLike));
  let step = 0;

  const update =
    config.name === 'adam'
      ? (grads: readonly Tensor[], t: number) => {
          const [m, v] = slots as [Variable[], Variable[]];
          const lr = (config.learningRate * Math.sqrt(1 - ADAM_BETA2 ** t)) / (1 - ADAM_BETA1 ** t);
          variables.forEach((w, i) => {
            const g = grads[i]!;
            const mi = tf.add(tf.mul(m[i]!, ADAM_BETA1), tf.mul(g, 1 - ADAM_BETA1));
            const vi = tf.add(tf.mul(v[i]!, ADAM_BETA2), tf.mul(tf.square(g), 1 - ADAM_BETA2));
            m[i]!.assign(mi);
            v[i]!.assign(vi);
            w.assign(tf.sub(w, tf.div(tf.mul(mi, lr), tf.add(tf.sqrt(vi), ADAM_EPSILON))));
          });
        }
      : (grads: readonly Tensor[]) => {
          variables.forEach((w, i) => {
            const g = grads[i]!;
            if (slotCount === 0) {
              w.assign(tf.sub(w, tf.mul(g, config.learningRate)));
              return;
            }
            const vel = slots[0]![i]!;
            const next = tf.add(tf.mul(vel, config.momentum), g);
            vel.assign(next);
            w.assign(tf.sub(w, tf.mul(next, config.learningRate)));
          });
        };

  return {
    config,
    get step() {
      return step;
    },
    apply(grads) {
      if (grads.length !== variables.length)
        throw new Error(`expected ${variables.length} gradients, got ${grads.length}`);
      update(grads, step + 1);
      step += 1;
    },
    async readState() {
      const out: Float32Array[][] = [];
      for (const group of slots) {
        const arrays: Float32Array[] = [];
        for (const s of group) arrays.push(new Float32Array(await s.data<'float32'>()));
        out.push(arrays);
      }
      return { name: config.name, step, slots: out };
    },
    writeState(state) {
      if (state.name !== config.name)
        throw new Error(`optimizer state is for ${state.name}, this run uses ${config.name}`);
      if (state.slots.length !== slotCount || state.slots.some((g) => g.length !== variables.length)) {
        throw new Error(
          `optimizer state has ${state.slots.length} slot groups, expected ${slotCount} of ${variables.length}`,
        );
      }
      if (!Number.isSafeInteger(state.step) || state.step < 0)
        throw new Error(`optimizer step must be a non-negative integer, got ${state.step}`);
      tf.tidy(() =>
        slots.forEach((group, g) =>
          group.forEach((s, i) => {
            const values = state.slots[g]![i]!;
            if (values.length !== s.size)
              throw new Error(`optimizer slot ${g}/${i} has ${values.length} values, expected ${s.size}`);
            s.assign(tf.tensor(values, s.shape, 'float32'));
          }),
        ),
      );
      step = state.step;
    },
    dispose() {
      for (const group of slots) for (const s of group) s.dispose();
    },
  };
}
