// Per-epoch cost of a task of T trainers (columns, canaries included) and V validators on an
// EVM chain: which transactions, how much gas and how many calldata bytes (docs/scale.md).
// Three designs:
// - 'asBuilt': today's contracts (measured per operation; finalization simulated call by call
//   with RewardEngine's units). Refuses what the contracts refuse (256 x 512, the gas cap).
// - 'tiled': the same protocol with a finalization engine that tiles the score matrix
//   (not built: an extrapolation from the calibrated units plus stated estimates);
// - 'committee': each column scored by Poisson(k) seats drawn by stake (not built: design
//   estimates on top of the measured operations).
// Every item says what its number rests on: measured, fitted, extrapolated or estimated.

import { ENGINE_UNITS, FinalizationStuck, LANES, finalizationUnits, oversizedStages } from './engine-units.ts';
import { at, type Measured } from './fit.ts';

export type Basis = 'measured' | 'fitted' | 'extrapolated' | 'estimated';

export interface CostItem {
  what: string;
  /** Transactions of this kind per epoch. */
  txs: number;
  gas: number;
  /** Calldata bytes per transaction (function data only). */
  calldataEach: number;
  basis: Basis;
}

export interface EpochCost {
  design: 'asBuilt' | 'tiled' | 'committee';
  T: number;
  V: number;
  k?: number;
  items: CostItem[];
  /** Why today's contracts cannot run this size (empty when they can). */
  blockers: string[];
  /** Finalization calls and the largest call's gas (as built) or the budgeted bound (otherwise). */
  finalizeCalls: number;
}

/** Per-transaction bytes outside the calldata (type-2 envelope, signature): an estimate. */
export const ENVELOPE_BYTES = 110;
/** The protocol's per-transaction limit (SPEC 4, under EIP-7825's 16,777,216). */
export const TX_GAS_LIMIT = 15_000_000;
/** Today's caps: bitmaps of 256 columns, 512 validators (TaskRegistry, RewardEngine). */
export const MAX_TRAINERS = 256;
export const MAX_VALIDATORS = 512;

/** ABI calldata of each call (4-byte selector + static words; revealScores adds its words). */
export const CALLDATA = {
  sealSubmission: 4 + 2 * 32,
  // task, artifactHash, artifactRoot, wmCommit, transcript (4 static words), salt
  revealSubmission: 4 + 9 * 32,
  commitScores: 4 + 2 * 32,
  // task, offset, salt, length, then the words
  revealScores: (words: number) => 4 + 4 * 32 + 32 * words,
  drawEvalSeed: 4 + 32,
  commitCanaries: 4 + 3 * 32,
  revealCanaries: 4 + 2 * 32,
  finalize: 4 + 32,
} as const;

/**
 * Estimates of the designs not built, in RewardEngine work units (~1,000 gas; EIP-2929 prices:
 * cold SLOAD 2,100, SSTORE to a non-zero slot 2,900, to a fresh slot 22,100).
 */
export const DESIGN_ESTIMATES = {
  /** Tiled engine: columns per tile. */
  columnsPerTile: 64,
  /** Check of a claimed median per cell: unpack, compare, add (estimated). */
  medianCheckPerCell: 0.5,
  /** Per column and tile: its partial sums read and written back, two slots (estimated). */
  columnStatePerTile: 10,
  /** Per column: its rank stored once instead of re-ranking per slice (estimated). */
  rankStore: 5,
  /** Committee: per seat, column accumulators read and written in two passes (2 x 5), Z_i read (2.1), seat's column re-derived (0.1). */
  seatAccess: 12.2,
  /** Committee: per validator, recompute its seat count (Poisson inverse) and scratch per pass (3 x 9). */
  committeeValidator: 2 + 3 * ENGINE_UNITS.COLUMNS_VALIDATOR,
  /** Committee: per column, a fresh accumulator slot (22.1k). */
  committeeColumn: 22,
  /** Committee reveal: the contract recomputes the validator's seat count to check the number of scores (gas). */
  committeeRevealCheckGas: 2_000,
} as const;

const words = (columns: number) => Math.ceil(columns / LANES);

/** The transactions every design shares: trainers seal and reveal, the seed, the canaries. */
function commonItems(m: Measured, T: number, basisFor: (T: number) => Basis): CostItem[] {
  const revealCanaries = at(m.revealCanaries, T);
  return [
    {
      what: 'sealSubmission (per trainer)',
      txs: T,
      gas: T * m.seal,
      calldataEach: CALLDATA.sealSubmission,
      basis: 'measured',
    },
    {
      what: 'revealSubmission (per trainer)',
      txs: T,
      gas: T * m.reveal,
      calldataEach: CALLDATA.revealSubmission,
      basis: 'measured',
    },
    {
      what: 'drawEvalSeed (once)',
      txs: 1,
      gas: m.drawEvalSeed,
      calldataEach: CALLDATA.drawEvalSeed,
      basis: 'measured',
    },
    {
      what: 'commitCanaries (creator)',
      txs: 1,
      gas: m.commitCanaries,
      calldataEach: CALLDATA.commitCanaries,
      basis: 'measured',
    },
    {
      what: 'revealCanaries (creator, scans every column)',
      txs: Math.max(1, Math.ceil(revealCanaries / TX_GAS_LIMIT)),
      gas: revealCanaries,
      calldataEach: CALLDATA.revealCanaries,
      basis: basisFor(T),
    },
  ];
}

const fittedOrExtrapolated = (limit: number) => (x: number) => (x <= limit ? 'fitted' : 'extrapolated') as Basis;

/** Today's contracts, full score sheets; throws nothing: what they cannot do is listed in `blockers`. */
export function asBuiltEpoch(m: Measured, T: number, V: number, canaries: number): EpochCost {
  const blockers: string[] = [];
  if (T > MAX_TRAINERS)
    blockers.push(
      `${T.toLocaleString('en-US')} columns: the engine's column bitmaps and TaskRegistry cap a task at ${MAX_TRAINERS} trainers`,
    );
  if (V > MAX_VALIDATORS)
    blockers.push(
      `${V.toLocaleString('en-US')} validators: the failed-canary bitmaps and TaskRegistry cap a task at ${MAX_VALIDATORS}`,
    );
  const revealCanaries = at(m.revealCanaries, T);
  if (revealCanaries > TX_GAS_LIMIT) {
    blockers.push(
      `revealCanaries scans all ${T.toLocaleString('en-US')} columns in one transaction: ${fmtM(revealCanaries)} gas, over 15M`,
    );
  }
  const w = words(T);
  const reveal = at(m.revealScores, w);
  const items = [
    ...commonItems(m, T, fittedOrExtrapolated(MAX_TRAINERS)),
    {
      what: 'commitScores (per validator)',
      txs: V,
      gas: V * m.commitScores,
      calldataEach: CALLDATA.commitScores,
      basis: 'measured' as Basis,
    },
    {
      what: `revealScores (per validator, ${w} words)`,
      txs: V,
      gas: V * reveal,
      calldataEach: CALLDATA.revealScores(w),
      basis: (w <= words(MAX_TRAINERS) ? 'fitted' : 'extrapolated') as Basis,
    },
  ];
  let finalizeCalls = 0;
  try {
    const u = finalizationUnits({ n: T, m: V, canaries, alphaVIsOne: true, rollPools: 0, rollNextPools: 0 });
    const cell = u.byStage.Columns + u.byStage.Canaries;
    const other = u.calls.reduce((s, c) => s + c, 0) - cell;
    finalizeCalls = u.calls.length;
    const f = m.finalization;
    items.push({
      what: `finalize (${finalizeCalls} calls)`,
      txs: finalizeCalls,
      gas: m.txBase * finalizeCalls + f.cellGasPerUnit * cell + f.otherGasPerUnit * other,
      calldataEach: CALLDATA.finalize,
      basis: T <= MAX_TRAINERS && V <= MAX_VALIDATORS ? 'fitted' : 'extrapolated',
    });
  } catch (error) {
    if (!(error instanceof FinalizationStuck)) throw error;
    const shape = { n: T, m: V, canaries, alphaVIsOne: true, rollPools: 0, rollNextPools: 0 };
    for (const s of oversizedStages(shape)) {
      blockers.push(
        `finalize: the smallest step of the ${s.stage} stage needs ${s.needs.toLocaleString('en-US')} work units (~${fmtM(s.needs * 1000)} gas), over a call's budget of ${ENGINE_UNITS.WORK_BUDGET.toLocaleString('en-US')}`,
      );
    }
  }
  return { design: 'asBuilt', T, V, items, blockers, finalizeCalls };
}

/**
 * Work units of a tiled finalization (not built): the claimed medians checked over the T x V
 * cells, the canaries' cells checked (as today's Canaries stage, per validator block), the
 * weights over the T x V cells.
 */
export function tiledFinalizationUnits(
  T: number,
  V: number,
  canaries: number,
): { cell: number; other: number; calls: number } {
  const U = ENGINE_UNITS;
  const E = DESIGN_ESTIMATES;
  const C = Math.min(E.columnsPerTile, T);
  const columnBlocks = Math.ceil(T / C);
  let cell = 0;
  for (const perCell of [E.medianCheckPerCell, U.CELL_MILLI / 1000]) {
    const perValidator = C * perCell + U.COLUMNS_VALIDATOR + U.COLUMNS_WORD * words(C);
    const tileFixed = U.COLUMNS_BASE + C * E.columnStatePerTile;
    const Vb = Math.floor((U.WORK_BUDGET - tileFixed) / perValidator);
    const tiles = columnBlocks * Math.ceil(V / Vb);
    cell += T * V * perCell + tiles * tileFixed + columnBlocks * V * (U.COLUMNS_VALIDATOR + U.COLUMNS_WORD * words(C));
  }
  if (canaries > 0) {
    const perValidator = canaries * (U.CANARY_CELL_MILLI / 1000) + U.CANARIES_VALIDATOR;
    const blocks = Math.ceil(
      V / Math.floor((U.WORK_BUDGET - U.CANARIES_BASE - canaries * U.CANARIES_ITEM) / perValidator),
    );
    cell += V * perValidator + blocks * (U.CANARIES_BASE + canaries * U.CANARIES_ITEM);
  }
  const other =
    U.PREPARE_BASE +
    (T + V) * U.PREPARE_ITEM +
    V * U.LOAD_VALIDATOR +
    T * (U.TRAINERS_RANK + U.TRAINERS_BOOK + E.rankStore) +
    V * U.VALIDATORS_ITEM;
  return { cell, other, calls: Math.ceil((cell + other) / U.WORK_BUDGET) };
}

/** Full score sheets with a tiled finalization engine: the cheapest the current protocol could be made. */
export function tiledEpoch(m: Measured, T: number, V: number, canaries: number): EpochCost {
  const w = words(T);
  const u = tiledFinalizationUnits(T, V, canaries);
  const f = m.finalization;
  const items: CostItem[] = [
    ...commonItems(m, T, fittedOrExtrapolated(MAX_TRAINERS)),
    {
      what: 'commitScores (per validator)',
      txs: V,
      gas: V * m.commitScores,
      calldataEach: CALLDATA.commitScores,
      basis: 'measured',
    },
    {
      what: `revealScores (per validator, ${w} words)`,
      txs: V,
      gas: V * at(m.revealScores, w),
      calldataEach: CALLDATA.revealScores(w),
      basis: w <= words(MAX_TRAINERS) ? 'fitted' : 'extrapolated',
    },
    {
      what: `finalize, tiled (${u.calls.toLocaleString('en-US')} calls)`,
      txs: u.calls,
      gas: m.txBase * u.calls + f.cellGasPerUnit * u.cell + f.otherGasPerUnit * u.other,
      calldataEach: CALLDATA.finalize,
      basis: 'estimated',
    },
  ];
  return { design: 'tiled', T, V, items, blockers: [], finalizeCalls: u.calls };
}

/** Expected value of g(L) for L ~ Poisson(lambda). */
function poissonExpectation(lambda: number, g: (l: number) => number): number {
  const max = Math.ceil(lambda + 12 * Math.sqrt(lambda) + 40);
  let p = Math.exp(-lambda);
  let e = p * g(0);
  let logP = -lambda;
  for (let l = 1; l <= max; l++) {
    logP += Math.log(lambda / l);
    p = Math.exp(logP);
    e += p * g(l);
  }
  return e;
}

/**
 * Committees of mean size k over V validators of equal stake: validator j's seats L_j ~
 * Poisson(k T / V); only validators with a seat commit and reveal (their seats' scores only).
 */
export function committeeEpoch(m: Measured, T: number, V: number, k: number): EpochCost {
  const U = ENGINE_UNITS;
  const E = DESIGN_ESTIMATES;
  const lambda = (k * T) / V;
  const active = V * -Math.expm1(-lambda);
  const seats = k * T;
  // Reveal words over active validators: E[ceil(L/16)] over all validators (0 seats: 0 words).
  const revealWords = V * poissonExpectation(lambda, (l) => words(l));
  const wordsEach = revealWords / active;
  const cell = seats * (E.medianCheckPerCell + U.CELL_MILLI / 1000 + E.seatAccess);
  const other =
    U.PREPARE_BASE +
    (T + active) * U.PREPARE_ITEM +
    active * (U.LOAD_VALIDATOR + U.VALIDATORS_ITEM + E.committeeValidator) +
    T * (U.TRAINERS_RANK + U.TRAINERS_BOOK + E.rankStore + E.committeeColumn);
  const calls = Math.ceil((cell + other) / U.WORK_BUDGET);
  const f = m.finalization;
  const items: CostItem[] = [
    ...commonItems(m, T, fittedOrExtrapolated(MAX_TRAINERS)),
    {
      what: `commitScores (validators with a seat: ${Math.round(active).toLocaleString('en-US')})`,
      txs: Math.round(active),
      gas: active * m.commitScores,
      calldataEach: CALLDATA.commitScores,
      basis: 'measured',
    },
    {
      what: `revealScores of their seats (${wordsEach.toFixed(2)} words each)`,
      txs: Math.round(active),
      gas: active * (m.revealScores.intercept + E.committeeRevealCheckGas) + revealWords * m.revealScores.slope,
      calldataEach: Math.round(CALLDATA.revealScores(wordsEach)),
      basis: 'estimated',
    },
    {
      what: `finalize, ${seats.toLocaleString('en-US')} seats (${calls.toLocaleString('en-US')} calls)`,
      txs: calls,
      gas: m.txBase * calls + f.cellGasPerUnit * cell + f.otherGasPerUnit * other,
      calldataEach: CALLDATA.finalize,
      basis: 'estimated',
    },
  ];
  return { design: 'committee', T, V, k, items, blockers: [], finalizeCalls: calls };
}

export const totalGas = (c: EpochCost) => c.items.reduce((s, i) => s + i.gas, 0);
export const totalTxs = (c: EpochCost) => c.items.reduce((s, i) => s + i.txs, 0);
/** Calldata bytes of every transaction (function data only). */
export const totalCalldata = (c: EpochCost) => c.items.reduce((s, i) => s + i.txs * i.calldataEach, 0);

/** The scores' calldata alone: T x V two-byte scores at 16 gas a byte (EIP-2028), nothing else. */
export function scoresLowerBound(T: number, V: number): number {
  return T * V * 2 * 16;
}

export function fmtM(gas: number): string {
  return gas >= 1e9 ? `${(gas / 1e9).toFixed(2)}G` : `${(gas / 1e6).toFixed(1)}M`;
}
