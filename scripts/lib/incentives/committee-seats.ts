// Committee seats (docs/scale.md, "Validator committees"): which validators score which column.
// Validator j draws L_j ~ Poisson(k n s_j / S) seats for the epoch, each on a column chosen
// uniformly, all from the epoch's seed and j's address. By Poisson splitting, the seats of j in
// one column are then Poisson(k s_j / S), independent across columns and validators, so a
// column's committee holds Poisson(k) seats and splitting a stake over identities changes no
// distribution. The chain can recompute L_j and its columns from (seed, j, s_j, S) alone.
// Here the seed's hash is the simulator's hashUniform, not keccak: the draw's distribution is
// what the simulation needs.

import { hashUniform } from './rng.ts';

/** Parts of at most this mean keep e^-lambda far from underflow in the inverse CDF. */
const PART = 16;
const SEAT_SALT = 0x5ea7c0;
const COUNT_SALT = 0xc0417;

export interface SeatDrawInput {
  /** Committee size parameter: the mean number of seats per column. */
  k: number;
  columns: number;
  /** Validators' accounts and stakes (tokens or wei as a number; only ratios matter). */
  validators: readonly { account: number; stake: number }[];
  /** The epoch's seed (on chain: the drawn evaluation seed). */
  seed: number;
  epoch: number;
}

/** Poisson(lambda) by inverse CDF on one uniform; lambda <= PART. */
export function poissonInverse(lambda: number, u: number): number {
  if (!(lambda >= 0) || lambda > PART) throw new RangeError(`poissonInverse: lambda in [0, ${PART}], got ${lambda}`);
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  while (u >= cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
    if (p === 0) break;
  }
  return k;
}

/** Poisson(lambda) as a sum of Poisson parts of mean at most PART, one hashed uniform each. */
export function seatCount(lambda: number, seed: number, epoch: number, account: number): number {
  const parts = Math.max(1, Math.ceil(lambda / PART));
  let total = 0;
  for (let p = 0; p < parts; p++) {
    total += poissonInverse(lambda / parts, hashUniform(seed ^ COUNT_SALT, epoch, account, p));
  }
  return total;
}

/** seats[j][i]: validator j's seats in column i (0 = not in the committee). */
export function drawSeats(input: SeatDrawInput): number[][] {
  const { k, columns: n, validators, seed, epoch } = input;
  if (!(k > 0)) throw new RangeError(`drawSeats: k must be positive, got ${k}`);
  const S = validators.reduce((s, v) => s + v.stake, 0);
  if (!(S > 0)) throw new RangeError('drawSeats: the validators hold no stake');
  return validators.map((v) => {
    const row = new Array<number>(n).fill(0);
    if (n === 0) return row;
    const L = seatCount((k * n * v.stake) / S, seed, epoch, v.account);
    for (let l = 0; l < L; l++) {
      const i = Math.min(n - 1, Math.floor(hashUniform(seed ^ SEAT_SALT, epoch, v.account, l) * n));
      row[i]!++;
    }
    return row;
  });
}
