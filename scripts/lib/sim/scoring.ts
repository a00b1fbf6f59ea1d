// How the validators that are not agents fill their score rows. Honest ones do what the
// ValidatorAgent does, through the same functions: fetch the revealed artifact by its CID
// (hash-checked), checkSubmission, evaluate it once on every sample of the epoch's set
// (MlPort.evaluateSamples), then score the subset the epoch's seed selects (subsetIndices,
// subsetScore, scoreToUnits); duplicates and failed checks score 0. Their evaluations are
// deterministic, so one shared cache keyed by artifact, wmCommit and set (the agent's own
// evaluationKey) serves them all, and a row per subset follows from it. The adversaries play the
// incentive benchmark's strategies (scripts/lib/incentives/strategies.ts) over those real scores.
import type { Hex } from 'viem';
import { checkSubmission, expectedArtifactBytes } from '../../../src/lib/agents/artifact-checks.ts';
import type { MlPort, StorePort } from '../../../src/lib/agents/ports.ts';
import { evaluationKey, type ColumnView, type ScoreCheck } from '../../../src/lib/agents/validator/machine.ts';
import {
  subsetIndices,
  subsetScore,
  type SampleVectors,
  type SubsetSpec,
} from '../../../src/lib/agents/validator/subset-score.ts';
import { scoreToUnits } from '../../../src/lib/chain/commitments.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import type { Model as BenchModel } from '../incentives/quality.ts';
import {
  colluding,
  honest,
  lazyConstant,
  lazyPrevious,
  lazyRandom,
  type ColumnView as BenchColumn,
  type ScoringView,
  type Strategy,
} from '../incentives/strategies.ts';
import type { ValidatorRole } from './population.ts';

export interface Evaluation {
  check: ScoreCheck;
  /** Why every subset scores 0 (null when evaluated). */
  reason: string | null;
  vectors: SampleVectors | null;
}

export interface ScoringEnv {
  store: StorePort;
  ml: MlPort;
  spec: ModelSpec;
  /** sha256 of the spec file, hex without 0x. */
  specHash: string;
}

/** The honest validators' evaluations, once per model and set. */
export class SharedEvaluations {
  private readonly cache = new Map<string, Promise<Evaluation>>();
  /** Models evaluated (cache misses). */
  evaluations = 0;

  constructor(private readonly env: ScoringEnv) {}

  evaluate(column: ColumnView, dataHash: Hex): Promise<Evaluation> {
    const key = evaluationKey(column, dataHash);
    let got = this.cache.get(key);
    if (!got) {
      this.evaluations += 1;
      this.cache.set(key, (got = this.run(column, dataHash)));
    }
    return got;
  }

  private async run(column: ColumnView, dataHash: Hex): Promise<Evaluation> {
    const { store, ml, spec, specHash } = this.env;
    const bytes = await store.fetchVerified(
      { hash: column.artifactHash, root: column.artifactRoot },
      { maxBytes: expectedArtifactBytes(spec) },
    );
    const verdict = await checkSubmission(spec, specHash, { bytes, artifactHash: column.artifactHash }, column);
    if (!verdict.ok) return { check: verdict.check, reason: verdict.reason, vectors: null };
    const r = await ml.evaluateSamples({ artifact: bytes, artifactHash: column.artifactHash, dataHash });
    return { check: 'ok', reason: null, vectors: { samples: r.samples, correct: r.correct, losses: r.losses } };
  }

  /** An honest validator's row: units per column, in column order, on the epoch's subset. */
  async row(columns: readonly ColumnView[], dataHash: Hex, subset: SubsetSpec): Promise<number[]> {
    const evaluations = await Promise.all(columns.map((c) => (c.duplicate ? null : this.evaluate(c, dataHash))));
    const indices = new Map<number, number[]>();
    return columns.map((c, i) => {
      const ev = evaluations[i];
      if (c.duplicate || !ev || ev.check !== 'ok' || !ev.vectors) return 0;
      const v = ev.vectors;
      let idx = indices.get(v.samples);
      if (!idx) indices.set(v.samples, (idx = subsetIndices(subset, v.samples)));
      return scoreToUnits(subsetScore(this.env.spec.metric, v, idx));
    });
  }
}

/** What an adversarial validator knows when it fills its row (the benchmark's ScoringView, on real scores). */
export interface EpochScene {
  epoch: number;
  /** Trainer index of each column. */
  trainers: readonly number[];
  columns: readonly ColumnView[];
  /** The honest row of this epoch (what evaluating gives). */
  honestRow: readonly number[];
  /** Last finalized epoch's aggregates (units) by trainer index; undefined before any. */
  previous: Map<number, number> | undefined;
  seed: number;
  /** The trainer index the colluding group raises. */
  friend: number;
}

function strategyOf(role: ValidatorRole, scene: EpochScene, models: readonly BenchModel[]): Strategy {
  switch (role) {
    case 'lazy-constant':
      return lazyConstant;
    case 'lazy-random':
      return lazyRandom;
    case 'lazy-previous':
      return lazyPrevious;
    case 'colluding': {
      const at = scene.trainers.indexOf(scene.friend);
      // The friend did not submit this epoch: the group has nobody to raise and scores honestly.
      return at < 0 ? honest : colluding(scene.friend, models[at]!, true);
    }
    case 'honest':
    case 'sybil':
      return honest;
  }
}

/** The row a validator of `role` reveals in this epoch (units per column, column order). */
export function strategyRow(role: ValidatorRole, validator: number, scene: EpochScene): number[] {
  // The benchmark's models stand for the columns; "evaluating" one reads its honest score.
  const models: BenchModel[] = scene.columns.map((_, i) => ({
    id: i,
    quality: scene.honestRow[i]! / 10_000,
    publicAccuracy: scene.honestRow[i]! / 10_000,
    origin: { kind: 'fresh' },
  }));
  const view: ScoringView = {
    epoch: scene.epoch,
    evaluate: (model) => scene.honestRow[model.id]!,
    evaluatePublic: (model) => scene.honestRow[model.id]!,
    previous: scene.previous,
    taskSeed: scene.seed,
  };
  const strategy = strategyOf(role, scene, models);
  return scene.columns.map((c, i) => {
    const column: BenchColumn = { account: scene.trainers[i]!, model: models[i]!, duplicate: c.duplicate };
    const units = Math.round(strategy(view, column, { account: validator, backend: 0 }));
    return Math.min(10_000, Math.max(0, units));
  });
}
