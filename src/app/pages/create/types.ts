// What the Create page's sections hand to the page.
import type { Hex } from 'viem';
import type { ModelSpec } from '../../../lib/ml/spec/types.ts';

/** A model spec that parsed: its exact bytes (uploaded), their sha256 (named on chain) and the spec. */
export interface ChosenSpec {
  bytes: Uint8Array;
  hash: Hex;
  spec: ModelSpec;
}
