// Whether a task's model spec can be defended with the deployed ownership circuit. The ML engine
// accepts any watermark shape the spec format allows, but a challenge can only be answered by a
// proof from the one circuit instance whose verifier the ChallengeModule calls (T x N x WB), with
// the module's fixed tolerance as the public maxErr. A task whose spec differs would leave its
// trainers unable to answer a challenge, so the Create page refuses it before anything is sent
// (docs/zk.md section 2).

import type { ModelSpec } from '../ml/spec/types.ts';
import { PRODUCTION_SHAPE, type CircuitShape } from './circuit.ts';

export interface SpecFitProblem {
  /** The spec field to change, as the spec parser names fields. */
  field: string;
  reason: string;
}

export interface CircuitFit {
  shape?: CircuitShape;
  /** The ChallengeModule's maxErr, when it has been read from the chain. */
  challengeMaxErr?: number | null;
}

/** The first way `spec` does not fit the circuit, or null when its trainers can prove ownership. */
export function circuitFitProblem(spec: ModelSpec, fit: CircuitFit = {}): SpecFitProblem | null {
  const shape = fit.shape ?? PRODUCTION_SHAPE;
  const wm = spec.watermark;
  const circuit = `the deployed ownership circuit (T=${shape.T}, N=${shape.N}, WB=${shape.WB})`;
  if (wm === undefined) {
    return {
      field: 'watermark',
      reason: `is required: without it a challenged trainer cannot prove ownership with ${circuit}`,
    };
  }
  if (wm.bits !== shape.T)
    return { field: 'watermark.bits', reason: `must be ${shape.T} to be provable with ${circuit}, got ${wm.bits}` };
  if (wm.length !== shape.N)
    return { field: 'watermark.length', reason: `must be ${shape.N} to be provable with ${circuit}, got ${wm.length}` };
  if (wm.quantization.bits !== shape.WB) {
    return {
      field: 'watermark.quantization.bits',
      reason: `must be ${shape.WB} to be provable with ${circuit}, got ${wm.quantization.bits}`,
    };
  }
  const limit = fit.challengeMaxErr;
  if (limit !== undefined && limit !== null && wm.maxErr > limit) {
    // Trainers seal at maxErr/2 wrong bits and count on maxErr of slack after fine-tuning; the
    // chain accepts a proof only within its own tolerance.
    return {
      field: 'watermark.maxErr',
      reason: `must be at most ${limit}, the wrong bits the ChallengeModule accepts in a proof, got ${wm.maxErr}`,
    };
  }
  return null;
}
