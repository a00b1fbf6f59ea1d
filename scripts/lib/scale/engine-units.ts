// RewardEngine's finalization as work units, call by call: the same stages, the same per-item
// constants and the same "what fits in this call's budget" rules as contracts/src/RewardEngine.sol
// (its `finalize` loop, `_roll`, `_prepare`, `_load`, `_canaries`, `_columnsFit`, `_trainers`,
// `_validators`). Units are the engine's own measure, calibrated at about 1,000 gas each by
// contracts/test/Calibrate.t.sol; docs/scale.md fits gas to them from docs/bench/gas.md.
// test/unit/scale/engine-units.test.ts checks the constants against the contract's source.

/** RewardEngine's constants (work units of ~1,000 gas; CELL_MILLI and CANARY_CELL_MILLI in 1/1000 unit). */
export const ENGINE_UNITS = {
  WORK_BUDGET: 13_500,
  ROLL_BASE: 20,
  ROLL_POOL: 48,
  PREPARE_BASE: 60,
  PREPARE_ITEM: 12,
  LOAD_BASE: 20,
  LOAD_VALIDATOR: 34,
  CANARIES_BASE: 30,
  CANARIES_VALIDATOR: 5,
  CANARIES_ITEM: 30,
  CANARY_CELL_MILLI: 2_050,
  COLUMNS_BASE: 30,
  COLUMNS_VALIDATOR: 9,
  COLUMNS_POW: 2,
  COLUMNS_WORD: 3,
  CELL_MILLI: 2_050,
  TRAINERS_BASE: 60,
  TRAINERS_RANK: 20,
  TRAINERS_BOOK: 72,
  VALIDATORS_BASE: 30,
  VALIDATORS_ITEM: 68,
} as const;

/** Score lanes per 256-bit word (ScorePacking.LANES). */
export const LANES = 16;

export type Stage = 'Roll' | 'Prepare' | 'Load' | 'Canaries' | 'Columns' | 'Trainers' | 'Validators' | 'RollNext';

export interface EpochShape {
  /** Columns (revealed submissions, canaries included). */
  n: number;
  /** Validators that revealed. */
  m: number;
  /** Canary columns (0..16 on chain). */
  canaries: number;
  /** alphaV = 1 saves the stake power per validator and call in the columns stage. */
  alphaVIsOne: boolean;
  /** Pools whose stake changes take effect in the scored epoch (rolled first) and in the next one. */
  rollPools: number;
  rollNextPools: number;
}

export interface FinalizationUnits {
  /** Units spent by each finalize call, in order. */
  calls: number[];
  byStage: Record<Stage, number>;
  /** Units that are per-cell work (median and weight of one score): n m CELL_MILLI / 1000. */
  cellUnits: number;
}

/** Thrown when a stage's smallest step does not fit in a whole call's budget: the epoch can never finish. */
export class FinalizationStuck extends Error {
  constructor(
    readonly stage: Stage,
    readonly needs: number,
  ) {
    super(
      `finalization cannot progress: the ${stage} stage needs ${needs} units in one call (budget ${ENGINE_UNITS.WORK_BUDGET})`,
    );
  }
}

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);

/** Simulates `finalize` calls until the epoch is finalized (the steady-state or first-epoch path, not degenerate). */
export function finalizationUnits(shape: EpochShape, budget: number = ENGINE_UNITS.WORK_BUDGET): FinalizationUnits {
  const U = ENGINE_UNITS;
  const { n, m, canaries, alphaVIsOne } = shape;
  if (!(n >= 1 && m >= 1)) throw new RangeError('finalizationUnits: needs at least one column and one validator');
  let stage: Stage = shape.rollPools > 0 ? 'Roll' : 'Prepare';
  let cursor = 0;
  let rollLeft = shape.rollPools;
  let canariesLeft = canaries;
  const byStage: Record<Stage, number> = {
    Roll: 0,
    Prepare: 0,
    Load: 0,
    Canaries: 0,
    Columns: 0,
    Trainers: 0,
    Validators: 0,
    RollNext: 0,
  };
  const calls: number[] = [];
  let finished = false;

  // One stage step within `units`; returns the units used (0 = nothing fit), like `_step`.
  const step = (units: number): number => {
    switch (stage) {
      case 'Roll':
      case 'RollNext': {
        if (units < U.ROLL_BASE + U.ROLL_POOL) return 0;
        const processed = Math.min(rollLeft, Math.floor((units - U.ROLL_BASE) / U.ROLL_POOL));
        rollLeft -= processed;
        if (rollLeft === 0) {
          if (stage === 'Roll') stage = 'Prepare';
          else finished = true;
        }
        return U.ROLL_BASE + processed * U.ROLL_POOL;
      }
      case 'Prepare': {
        const cost = U.PREPARE_BASE + (n + m) * U.PREPARE_ITEM;
        if (cost > units) return 0;
        stage = 'Load';
        cursor = 0;
        return cost;
      }
      case 'Load': {
        if (units < U.LOAD_BASE + U.LOAD_VALIDATOR) return 0;
        const count = Math.min(Math.floor((units - U.LOAD_BASE) / U.LOAD_VALIDATOR), m - cursor);
        cursor += count;
        if (cursor === m) [stage, cursor] = [canaries > 0 ? 'Canaries' : 'Columns', 0];
        return U.LOAD_BASE + count * U.LOAD_VALIDATOR;
      }
      case 'Canaries': {
        const base = U.CANARIES_BASE + m * U.CANARIES_VALIDATOR;
        const perCanary = U.CANARIES_ITEM + ceilDiv(m * U.CANARY_CELL_MILLI, 1000);
        if (units < base + perCanary) return 0;
        const done = Math.min(canariesLeft, Math.floor((units - base) / perCanary));
        canariesLeft -= done;
        if (canariesLeft === 0) [stage, cursor] = ['Columns', 0];
        return base + done * perCanary;
      }
      case 'Columns': {
        const base = U.COLUMNS_BASE + m * (U.COLUMNS_VALIDATOR + (alphaVIsOne ? 0 : U.COLUMNS_POW));
        const cell = ceilDiv(m * U.CELL_MILLI, 1000);
        const fixedPart = base + 2 * m * U.COLUMNS_WORD;
        const perColumn = cell + ceilDiv(m * U.COLUMNS_WORD, LANES);
        if (units < fixedPart + perColumn) return 0;
        const from = cursor;
        const to = Math.min(from + Math.floor((units - fixedPart) / perColumn), n);
        const words = Math.floor((to - 1) / LANES) - Math.floor(from / LANES) + 1;
        cursor = to;
        if (to === n) [stage, cursor] = ['Trainers', 0];
        return base + words * m * U.COLUMNS_WORD + (to - from) * cell;
      }
      case 'Trainers': {
        const fixedCost = U.TRAINERS_BASE + n * U.TRAINERS_RANK;
        if (units < fixedCost + U.TRAINERS_BOOK) return 0;
        const from = cursor;
        const to = Math.min(from + Math.floor((units - fixedCost) / U.TRAINERS_BOOK), n);
        cursor = to;
        if (to === n) [stage, cursor] = ['Validators', 0];
        return fixedCost + (to - from) * U.TRAINERS_BOOK;
      }
      case 'Validators': {
        if (units < U.VALIDATORS_BASE + U.VALIDATORS_ITEM) return 0;
        const count = Math.min(Math.floor((units - U.VALIDATORS_BASE) / U.VALIDATORS_ITEM), m - cursor);
        cursor += count;
        if (cursor === m) {
          [stage, cursor] = ['RollNext', 0];
          rollLeft = shape.rollNextPools;
        }
        return U.VALIDATORS_BASE + count * U.VALIDATORS_ITEM;
      }
    }
  };

  while (!finished) {
    let units = budget;
    let spent = 0;
    while (!finished) {
      const before = stage;
      const used = step(units);
      if (used === 0) break;
      byStage[before] += used;
      units -= used;
      spent += used;
    }
    if (spent === 0) throw new FinalizationStuck(stage, smallestStep(stage, shape));
    calls.push(spent);
  }
  return { calls, byStage, cellUnits: (n * m * U.CELL_MILLI) / 1000 };
}

/** Stages whose smallest step needs more than a whole call's budget: the epoch could never finish. */
export function oversizedStages(
  shape: EpochShape,
  budget: number = ENGINE_UNITS.WORK_BUDGET,
): { stage: Stage; needs: number }[] {
  const stages: Stage[] = ['Prepare', 'Canaries', 'Columns', 'Trainers'];
  return stages
    .filter((stage) => stage !== 'Canaries' || shape.canaries > 0)
    .map((stage) => ({ stage, needs: smallestStep(stage, shape) }))
    .filter((s) => s.needs > budget);
}

/** The units the smallest step of `stage` needs (what a call must have to move at all). */
function smallestStep(stage: Stage, { n, m, alphaVIsOne }: EpochShape): number {
  const U = ENGINE_UNITS;
  switch (stage) {
    case 'Roll':
    case 'RollNext':
      return U.ROLL_BASE + U.ROLL_POOL;
    case 'Prepare':
      return U.PREPARE_BASE + (n + m) * U.PREPARE_ITEM;
    case 'Load':
      return U.LOAD_BASE + U.LOAD_VALIDATOR;
    case 'Canaries':
      return U.CANARIES_BASE + m * U.CANARIES_VALIDATOR + U.CANARIES_ITEM + ceilDiv(m * U.CANARY_CELL_MILLI, 1000);
    case 'Columns':
      return (
        U.COLUMNS_BASE +
        m * (U.COLUMNS_VALIDATOR + (alphaVIsOne ? 0 : U.COLUMNS_POW)) +
        2 * m * U.COLUMNS_WORD +
        ceilDiv(m * U.CELL_MILLI, 1000) +
        ceilDiv(m * U.COLUMNS_WORD, LANES)
      );
    case 'Trainers':
      return U.TRAINERS_BASE + n * U.TRAINERS_RANK + U.TRAINERS_BOOK;
    case 'Validators':
      return U.VALIDATORS_BASE + U.VALIDATORS_ITEM;
  }
}
