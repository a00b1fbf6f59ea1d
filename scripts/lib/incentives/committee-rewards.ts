// One scoring epoch's rewards when each column is scored by a committee (docs/scale.md,
// "Validator committees"), built from the revision 2 reference's steps (src/lib/protocol/
// rewards.ts). What changes, and only that:
// - a column's aggregate is the lower median of its committee's scores weighted by seats
//   (selection is already proportional to stake; weighting by stake again would count it twice);
// - a canary is valid when at least half of its committee's seats agree, and fails only the
//   validators seated on it;
// - a validator's weight in a column is seats x exp(lambdaV (1 - D)) x s^(alphaV - 1), so that its
//   expected weight over the draw is proportional to s^alphaV as in the full-set rule;
// - a column without a seat is unscored: no rank, and its share of R_V rolls over.
// The split of R between the roles, the qualifying rule, ranking and trainer pools are the
// reference's own functions.
// A design prototype for the simulator: no contract implements it.

import { expWad } from '../../../src/lib/protocol/exact.ts';
import { weightedMedian } from '../../../src/lib/protocol/median.ts';
import {
  bookEpoch,
  degenerateResult,
  effectiveScores,
  sigmaSplit,
  stakeWeight,
  type CanaryResult,
  type EpochInput,
  type EpochResult,
} from '../../../src/lib/protocol/rewards.ts';
import { WAD, WAD2, absDiff, bitLength, mulDiv, sum } from '../../../src/lib/protocol/wad.ts';

export interface CommitteeEpochResult extends EpochResult {
  /** Columns whose committee drew no seat: unscored. */
  emptyColumns: number;
}

const COLUMN_TOTAL_BITS = 128;

export function committeeEpochRewards(input: EpochInput, seats: readonly (readonly number[])[]): CommitteeEpochResult {
  const { R, params, trainers, validators } = input;
  const n = trainers.length;
  const m = validators.length;
  if (seats.length !== m || seats.some((row) => row.length !== n)) {
    throw new RangeError(`committeeEpochRewards: seats must be ${m} rows of ${n}`);
  }
  if (n === 0 || m === 0 || m < params.minValidators) return { ...degenerateResult(R), emptyColumns: 0 };

  const t = trainers.map((tr) => tr.own + tr.delegated);
  const s = validators.map((v) => v.own + v.delegated);
  const canary = trainers.map((tr) => tr.canary === true);
  const scores = effectiveScores(
    input.scores,
    trainers.map((tr) => tr.duplicate === true),
  );
  const members = Array.from({ length: n }, (_, i) => seats.flatMap((row, j) => (row[i]! > 0 ? [j] : [])));
  const seatWeight = (j: number, i: number) => BigInt(seats[j]![i]!);
  const empty = members.map((list) => list.length === 0);

  const aggregates = members.map((list, i) =>
    list.length === 0
      ? 0n
      : weightedMedian(
          list.map((j) => scores[j]![i]!),
          list.map((j) => seatWeight(j, i)),
        ),
  );

  // Step 3 per committee: agreeing seats against the committee's seats.
  const canaries: CanaryResult[] = [];
  const failed = validators.map(() => false);
  aggregates.forEach((aggregate, i) => {
    if (!canary[i] || empty[i]) return;
    let agreeing = 0n;
    let total = 0n;
    for (const j of members[i]!) {
      total += seatWeight(j, i);
      if (absDiff(aggregate, scores[j]![i]!) <= params.tolV) agreeing += seatWeight(j, i);
    }
    const valid = 2n * agreeing >= total;
    canaries.push({ index: i, aggregate, agreeingStake: agreeing, valid });
    if (!valid) return;
    for (const j of members[i]!) if (absDiff(aggregate, scores[j]![i]!) > params.tolV) failed[j] = true;
  });

  // Step 4 per committee.
  const factor = s.map((sj) => (params.alphaV === WAD ? 1n : mulDiv(stakeWeight(sj, params.alphaV), WAD, sj)));
  const weights = validators.map(() => 0n);
  let zeroColumns = 0;
  for (let i = 0; i < n; i++) {
    const v = members[i]!.map((j) => {
      const d = absDiff(aggregates[i]!, scores[j]![i]!);
      if (failed[j] || d > params.tolV) return 0n;
      return expWad(mulDiv(params.lambdaV, WAD - d, WAD)) * seatWeight(j, i) * factor[j]!;
    });
    const Z = sum(v);
    if (Z === 0n) {
      zeroColumns++;
      continue;
    }
    const shift = BigInt(Math.max(0, bitLength(Z) - COLUMN_TOTAL_BITS));
    const Zs = Z >> shift;
    members[i]!.forEach((j, k) => {
      weights[j] = weights[j]! + mulDiv(v[k]! >> shift, WAD2, Zs);
    });
  }

  const unranked = canary.map((c, i) => c || empty[i]!);
  const { qualifies, ranks, P, Q, ...booking } = bookEpoch(input, t, s, aggregates, unranked, weights, zeroColumns);
  return {
    ...booking,
    zeroColumns,
    emptyColumns: empty.filter(Boolean).length,
    trainers: trainers.map((tr, i) => ({
      index: i,
      rank: ranks[i]!,
      aggregate: aggregates[i]!,
      qualified: qualifies[i]!,
      canary: canary[i]!,
      pool: P[i]!,
      ...sigmaSplit(P[i]!, tr.sigma, tr.own, t[i]!),
    })),
    validators: validators.map((v, j) => ({
      index: j,
      pool: Q[j]!,
      ...sigmaSplit(Q[j]!, v.sigma, v.own, s[j]!),
      distance: 0n,
      weight: weights[j]!,
      failedCanary: failed[j]!,
    })),
    canaries,
  };
}
