// How honest validators on different tfjs backends disagree: the only honest source of score
// differences on one evaluation subset. The simulator flips a model's correctness on a sample,
// independently per (model, backend, sample), on a fraction p_b of samples relative to a common
// reference (balanced between right and wrong samples: quality.ts backendScores), so two
// backends differ on about p_a + p_b of the samples and validators on the same backend agree
// exactly (same backend + same stack is bit-identical, NOTES.md).

export const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface PairDisagreement {
  a: Backend;
  b: Backend;
  /** Fraction of evaluated samples right on one backend and wrong on the other. */
  flipRate: number;
}

export interface BackendNoise {
  /** Printed in the report: where the numbers come from. */
  source: string;
  /** False for the labelled assumption, true when read from a measurement. */
  measured: boolean;
  pairs: PairDisagreement[];
  /** p_b per backend (BACKENDS order), fitted to the pairs. */
  flip: number[];
  /** What the consensus benchmark recommends, if it says. */
  recommended?: { evalSubsetSize: number; tolV: bigint };
}

/** Fraction of validators running each backend (BACKENDS order). An assumption, not measured. */
export const BACKEND_SHARES: readonly number[] = [0.15, 0.4, 0.15, 0.3];

/**
 * ASSUMPTION used until docs/bench/consensus.json exists: 1 sample in 1,000 is right on one
 * backend and wrong on the other, for any two different backends.
 */
export const ASSUMED_PAIR_FLIP_RATE = 0.001;

export function assumedNoise(rate = ASSUMED_PAIR_FLIP_RATE): BackendNoise {
  const pairs: PairDisagreement[] = [];
  for (let i = 0; i < BACKENDS.length; i++) {
    for (let j = i + 1; j < BACKENDS.length; j++) pairs.push({ a: BACKENDS[i]!, b: BACKENDS[j]!, flipRate: rate });
  }
  return {
    source: `ASSUMPTION (no measurement found): ${rate} of samples right on one backend and wrong on the other, for any two backends`,
    measured: false,
    pairs,
    flip: fitFlipRates(pairs),
  };
}

/**
 * p >= 0 minimising sum over pairs (p_a + p_b - rate_ab)^2 (cyclic coordinate descent; four
 * unknowns). A backend no pair mentions gets the largest fitted rate: unmeasured is not exact.
 */
export function fitFlipRates(pairs: readonly PairDisagreement[]): number[] {
  const idx = (b: Backend) => BACKENDS.indexOf(b);
  // Start from half the mean rate of each backend's pairs: where the pairs leave the split
  // open (one pair only), the answer stays symmetric instead of loading one side.
  const p = BACKENDS.map((b) => {
    const mine = pairs.filter((pr) => pr.a === b || pr.b === b);
    return mine.length === 0 ? 0 : mine.reduce((s, pr) => s + pr.flipRate, 0) / mine.length / 2;
  });
  for (let sweep = 0; sweep < 500; sweep++) {
    for (let k = 0; k < BACKENDS.length; k++) {
      let num = 0;
      let den = 0;
      for (const pr of pairs) {
        const a = idx(pr.a);
        const b = idx(pr.b);
        if (a === k) {
          num += pr.flipRate - p[b]!;
          den++;
        } else if (b === k) {
          num += pr.flipRate - p[a]!;
          den++;
        }
      }
      if (den > 0) p[k] = Math.max(0, num / den);
    }
  }
  const seen = new Set(pairs.flatMap((pr) => [idx(pr.a), idx(pr.b)]));
  const worst = Math.max(0, ...p);
  return p.map((v, k) => (seen.has(k) ? v : worst));
}

/**
 * Reads the measured disagreement from docs/bench/consensus.json (npm run bench:consensus):
 *   { specs: [ { models: [ { flips: [ { a: "node wasm", b: "chromium webgpu", half: false,
 *                                       common: 5000, correctness: 2, ... } ] } ] } ],
 *     recommendation?: { evalSubsetSize, tolVWad } }
 * A run label is "<place> <backend>", optionally with a note in parentheses. correctness / common
 * (samples right on one side and wrong on the other, of those both evaluated) is exactly what the
 * simulator flips. Per backend pair the worst rate over specs and
 * models is kept. Pairs with a 16-bit side (WebGL on half-float textures) are left out of the fit and
 * reported; pairs of one backend in two places (Node, Chromium) are reported, since the
 * simulator lets validators on one backend agree exactly. Anything else is a clear error.
 */
export function parseConsensus(json: unknown, path: string): BackendNoise {
  const fail = (why: string): never => {
    throw new Error(
      `${path}: ${why} (expected specs[].models[].flips[] with a, b ("<place> <backend>"), half, common and correctness)`,
    );
  };
  const obj = (v: unknown, what: string): Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(`${what} is not an object`);
  const arr = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`${what} is not an array`));
  const backendOf = (label: unknown, what: string): Backend => {
    // "<place> <backend>", optionally with a note in parentheses: "chromium webgl (f16 textures)".
    const name =
      typeof label === 'string'
        ? label
            .replace(/\s*\([^)]*\)\s*$/, '')
            .trim()
            .split(/\s+/)
            .pop()
        : undefined;
    return name !== undefined && (BACKENDS as readonly string[]).includes(name)
      ? (name as Backend)
      : fail(`${what} names no backend of ${BACKENDS.join(', ')}: ${String(label)}`);
  };
  const worst = new Map<string, PairDisagreement>();
  let halfWorst = 0;
  let sameWorst = 0;
  const root = obj(json, 'the file');
  arr(root.specs, 'specs').forEach((spec, si) => {
    arr(obj(spec, `specs[${si}]`).models, `specs[${si}].models`).forEach((model, mi) => {
      arr(obj(model, `specs[${si}].models[${mi}]`).flips, `specs[${si}].models[${mi}].flips`).forEach((f, fi) => {
        const where = `specs[${si}].models[${mi}].flips[${fi}]`;
        const flip = obj(f, where);
        const a = backendOf(flip.a, `${where}.a`);
        const b = backendOf(flip.b, `${where}.b`);
        // Samples judged right on one backend and wrong on the other, of those both evaluated.
        const { correctness, common } = flip;
        if (typeof common !== 'number' || !Number.isInteger(common) || common <= 0)
          return fail(`${where}.common must be a positive whole number`);
        if (
          typeof correctness !== 'number' ||
          !Number.isInteger(correctness) ||
          correctness < 0 ||
          correctness > common
        ) {
          return fail(`${where}.correctness must be a whole number in [0, common]`);
        }
        const rate = correctness / common;
        if (flip.half === true) halfWorst = Math.max(halfWorst, rate);
        else if (a === b) sameWorst = Math.max(sameWorst, rate);
        else {
          const [x, y] = BACKENDS.indexOf(a) < BACKENDS.indexOf(b) ? [a, b] : [b, a];
          const key = `${x}/${y}`;
          if ((worst.get(key)?.flipRate ?? -1) < rate) worst.set(key, { a: x, b: y, flipRate: rate });
        }
      });
    });
  });
  const pairs = [...worst.values()];
  if (pairs.length === 0) fail('no 32-bit pair of two different backends');
  const rec = root.recommendation;
  let recommended: BackendNoise['recommended'];
  if (rec !== undefined) {
    const r = obj(rec, 'recommendation');
    if (typeof r.evalSubsetSize === 'number' && typeof r.tolVWad === 'string')
      recommended = { evalSubsetSize: r.evalSubsetSize, tolV: BigInt(r.tolVWad) };
  }
  const listed = pairs.map((p) => `${p.a}-${p.b} ${p.flipRate.toExponential(2)}`).join(', ');
  return {
    source:
      `measured: ${path}, worst correctness-flip rate per backend pair over its specs and models (${listed}); ` +
      `16-bit pairs left out (worst ${halfWorst.toExponential(2)}); one backend in two places differed on at most ${sameWorst.toExponential(2)} of samples`,
    measured: true,
    pairs,
    flip: fitFlipRates(pairs),
    ...(recommended === undefined ? {} : { recommended }),
  };
}
