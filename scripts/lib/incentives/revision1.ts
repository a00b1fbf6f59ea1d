// The revision 1 reward math, frozen for the before/after comparison of bench:incentives: the
// stake-weighted MEAN aggregate, every column ranked (no qualifying floor), no validator
// tolerance, no canaries, no minValidators. Copied step for step from
// src/lib/protocol/rewards.ts at commit bc3d89d (the last revision 1 version), input checks
// dropped because only the simulator calls it. Not used by the protocol; do not "fix" it.

import { expWad, powWad } from '../../../src/lib/protocol/exact.ts';
import { WAD, WAD2, absDiff, bitLength, mulDiv, sMulWad, sum } from '../../../src/lib/protocol/wad.ts';

export interface Revision1Input {
  R: bigint;
  params: { gamma: bigint; q: bigint; alphaT: bigint; alphaV: bigint; lambdaV: bigint };
  trainers: { own: bigint; delegated: bigint; seal: bigint; duplicate?: boolean }[];
  validators: { own: bigint; delegated: bigint }[];
  scores: bigint[][];
}

export interface Revision1Result {
  aggregates: bigint[];
  ranks: number[];
  trainerPools: bigint[];
  validatorPools: bigint[];
}

const COLUMN_TOTAL_BITS = 128;

export function revision1EpochRewards(input: Revision1Input): Revision1Result {
  const { R, params, trainers, validators } = input;
  const n = trainers.length;
  const t = trainers.map((tr) => tr.own + tr.delegated);
  const s = validators.map((v) => v.own + v.delegated);
  const S = sum(s);
  // Split (revision 1: T counts every column's stake).
  const x = mulDiv(sum(t), WAD, sum(t) + S);
  const R_T = mulDiv(R, params.gamma + sMulWad(WAD - 2n * params.gamma, x), WAD);
  const R_V = R - R_T;
  const scores = input.scores.map((row) => row.map((r, i) => (trainers[i]!.duplicate ? 0n : r)));
  // Aggregate: floor(sum_j s_j r_ji / S).
  const aggregates = Array.from({ length: n }, (_, i) => sum(scores.map((row, j) => s[j]! * row[i]!)) / S);
  // Rank every column: aggregate desc, seal asc, index asc.
  const order = aggregates
    .map((_, i) => i)
    .sort((a, b) => {
      if (aggregates[a] !== aggregates[b]) return aggregates[a]! > aggregates[b]! ? -1 : 1;
      if (trainers[a]!.seal !== trainers[b]!.seal) return trainers[a]!.seal < trainers[b]!.seal ? -1 : 1;
      return a - b;
    });
  const ranks = new Array<number>(n).fill(0);
  order.forEach((column, position) => {
    ranks[column] = position + 1;
  });
  const weights: bigint[] = [];
  for (let w = WAD; weights.length < n; w = mulDiv(w, params.q, WAD)) weights.push(w);
  const stakeWeight = (stake: bigint, alpha: bigint) => (alpha === WAD ? stake : powWad(stake, alpha));
  const u = ranks.map((rank, i) => weights[rank - 1]! * stakeWeight(t[i]!, params.alphaT));
  const U = sum(u);
  const trainerPools = u.map((ui) => mulDiv(R_T, ui, U));
  // Validator weights: exp(lambdaV (1 - D)) sa_j for every cell, no tolerance.
  const sa = s.map((v) => stakeWeight(v, params.alphaV));
  const A = s.map(() => 0n);
  for (let i = 0; i < n; i++) {
    const v = scores.map(
      (row, j) => expWad(mulDiv(params.lambdaV, WAD - absDiff(aggregates[i]!, row[i]!), WAD)) * sa[j]!,
    );
    const Z = sum(v);
    const shift = BigInt(Math.max(0, bitLength(Z) - COLUMN_TOTAL_BITS));
    const Zs = Z >> shift;
    v.forEach((vji, j) => {
      A[j] = A[j]! + mulDiv(vji >> shift, WAD2, Zs);
    });
  }
  const validatorPools = A.map((a) => mulDiv(R_V, a, BigInt(n) * WAD2));
  return { aggregates, ranks, trainerPools, validatorPools };
}
