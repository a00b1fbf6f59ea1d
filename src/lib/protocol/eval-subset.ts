// The samples a scoring epoch is evaluated on (SPEC 2.2, revision 2): `evalSubsetSize` indices of
// the epoch's eval set, drawn from the seed the chain recorded (SubmissionBook.evalSeedOf). Every
// honest validator derives the same indices from the same seed; a validator that reuses a score
// from another epoch or another set is off by that subset's sampling noise. Why a subset at all,
// and how its size and the tolerance were chosen: docs/bench/consensus.md.
import { encodePacked, keccak256, type Hex } from 'viem';
import { InputError } from './errors.ts';

const ZERO_SEED = `0x${'0'.repeat(64)}`;
// i is encoded as uint32, so neither the set nor the subset can be larger.
const MAX_SAMPLES = 2 ** 32 - 1;

/**
 * The sorted indices of the samples to evaluate: all of `0..datasetSize-1` when
 * `k >= datasetSize`, else a partial Fisher-Yates shuffle of `[0..N)` driven by
 * `keccak256(abi.encodePacked(bytes32 seed, uint32 i))` for `i = 0..k-1`, its first `k` entries
 * sorted ascending. A zero seed is refused: on chain it means "not drawn yet", and evaluating
 * on it would commit scores nobody else computes.
 */
export function evalSubset(seed: Hex, datasetSize: number, k: number): number[] {
  if (typeof seed !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(seed))
    throw new InputError('seed', `must be 32 bytes as 0x-prefixed hex, got ${String(seed)}`);
  if (seed === ZERO_SEED)
    throw new InputError(
      'seed',
      "is zero: the epoch's evaluation seed has not been drawn (SubmissionBook.drawEvalSeed)",
    );
  if (!Number.isSafeInteger(datasetSize) || datasetSize < 1 || datasetSize > MAX_SAMPLES) {
    throw new InputError('datasetSize', `must be an integer in 1..${MAX_SAMPLES}, got ${datasetSize}`);
  }
  if (!Number.isSafeInteger(k) || k < 1 || k > MAX_SAMPLES)
    throw new InputError('k', `must be an integer in 1..${MAX_SAMPLES} (evalSubsetSize >= 1), got ${k}`);
  const n = datasetSize;
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  // Only touched positions are stored: a 5-sample subset of a million-sample set stays cheap.
  const swapped = new Map<number, number>();
  const at = (p: number) => swapped.get(p) ?? p;
  const out = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    const r = BigInt(keccak256(encodePacked(['bytes32', 'uint32'], [seed, i])));
    const j = i + Number(r % BigInt(n - i));
    const aj = at(j);
    swapped.set(j, at(i));
    out[i] = aj;
  }
  return out.sort((a, b) => a - b);
}
