// How likely a coalition is to hold the median of one committee (docs/scale.md, "Capture").
// The lower median of a column moves to the coalition's score when the coalition's revealed
// seats A and the honest revealed seats H satisfy A > H (pushing up: the lower median needs
// 2 x weight(<= honest score) >= A + H to stay honest) or A >= H (pushing down). Three ways to
// draw a committee of mean size k from stakes where the coalition holds a fraction f:
// - poisson: the protocol's draw (committee-seats.ts): A ~ Poisson(k f), H ~ Poisson(k (1 - f) rho)
//   independent, rho the share of honest seats that reveal;
// - binomial: exactly k seats drawn with replacement by stake: A ~ Binomial(k, f);
// - hypergeometric: k distinct validators of V equal stakes, f V of them in the coalition.
// Everything in log space, so probabilities far below 1e-300 do not underflow on the way.

export type Draw = 'poisson' | 'binomial' | 'hypergeometric';
export type Direction = 'up' | 'down';

export interface CaptureQuery {
  k: number;
  /** Coalition's share of validator stake, in [0, 1). */
  f: number;
  direction: Direction;
  draw: Draw;
  /** Share of honest seats that reveal (poisson only; default 1). */
  rho?: number;
  /** Validators of equal stake (hypergeometric only). */
  V?: number;
}

function logFactorials(n: number): Float64Array {
  const lf = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) lf[i] = lf[i - 1]! + Math.log(i);
  return lf;
}

/** log P(X = x) for x = 0..max, X ~ Poisson(lambda). */
function poissonLogPmf(lambda: number, max: number): Float64Array {
  const out = new Float64Array(max + 1);
  if (lambda === 0) {
    out.fill(-Infinity);
    out[0] = 0;
    return out;
  }
  out[0] = -lambda;
  for (let x = 1; x <= max; x++) out[x] = out[x - 1]! + Math.log(lambda / x);
  return out;
}

/** log(sum exp(values)) over a range, stable. */
function logSumExp(values: ArrayLike<number>, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i <= to; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (let i = from; i <= to; i++) s += Math.exp(values[i]! - max);
  return max + Math.log(s);
}

/** Probability that the coalition moves one column's median in `direction`. */
export function captureProbability(q: CaptureQuery): number {
  const { k, f, direction } = q;
  if (!(k >= 1) || !(f >= 0 && f < 1))
    throw new RangeError(`captureProbability: k >= 1 and f in [0, 1), got ${k}, ${f}`);
  // A seat count a beats h honest seats when a > h (up) or a >= h with a committee at all (down).
  const wins = (a: number, h: number) => (direction === 'up' ? a > h : a >= h && a + h > 0);
  if (q.draw === 'poisson') {
    const rho = q.rho ?? 1;
    const la = k * f;
    const lh = k * (1 - f) * rho;
    const max = Math.ceil(k + 12 * Math.sqrt(k) + 40);
    const pa = poissonLogPmf(la, max);
    const ph = poissonLogPmf(lh, max);
    // Survival of A in log space, summed from the top: log P(A >= a).
    const survA = new Float64Array(max + 2).fill(-Infinity);
    for (let a = max; a >= 0; a--) survA[a] = logAdd(survA[a + 1]!, pa[a]!);
    const terms: number[] = [];
    for (let h = 0; h <= max; h++) {
      const from = direction === 'up' ? h + 1 : h === 0 ? 1 : h;
      if (from > max) continue;
      terms.push(ph[h]! + survA[from]!);
    }
    return Math.exp(logSumExp(terms, 0, terms.length - 1));
  }
  if (q.draw === 'binomial') {
    const lf = logFactorials(k);
    const terms: number[] = [];
    for (let a = 0; a <= k; a++) {
      if (!wins(a, k - a)) continue;
      terms.push(lf[k]! - lf[a]! - lf[k - a]! + a * Math.log(f) + (k - a) * Math.log1p(-f));
    }
    return terms.length === 0 ? 0 : Math.exp(logSumExp(terms, 0, terms.length - 1));
  }
  const V = q.V;
  if (V === undefined || !Number.isInteger(V) || V < k)
    throw new RangeError('captureProbability: hypergeometric needs V >= k');
  const K = Math.round(f * V);
  const lf = logFactorials(V);
  const choose = (n: number, r: number) => (r < 0 || r > n ? -Infinity : lf[n]! - lf[r]! - lf[n - r]!);
  const terms: number[] = [];
  for (let a = 0; a <= k; a++) {
    if (!wins(a, k - a)) continue;
    terms.push(choose(K, a) + choose(V - K, k - a) - choose(V, k));
  }
  return terms.length === 0 ? 0 : Math.exp(logSumExp(terms, 0, terms.length - 1));
}

function logAdd(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  const m = Math.max(x, y);
  return m + Math.log(Math.exp(x - m) + Math.exp(y - m));
}

/**
 * Probability that at least one of `tries` independent draws captures: an attacker who can pick
 * among `tries` seeds (grinding), or targets a column over `tries` epochs.
 */
export function atLeastOnce(p: number, tries: number): number {
  return -Math.expm1(tries * Math.log1p(-p));
}

/** Smallest k (up to maxK) whose capture probability, over `tries` draws, is at most `target`. */
export function committeeSizeFor(
  q: Omit<CaptureQuery, 'k'>,
  target: number,
  tries = 1,
  maxK = 4096,
): number | undefined {
  let lo = 1;
  let hi = maxK;
  const ok = (k: number) => atLeastOnce(captureProbability({ ...q, k }), tries) <= target;
  if (!ok(hi)) return undefined;
  // Capture falls with k overall but not strictly (parity of a fixed binomial k): scan down from
  // the bisection's answer to the smallest k that is ok with every larger k up to it.
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  let k = lo;
  while (k > 1 && ok(k - 1)) k--;
  return k;
}
