// docs/bench/consensus.md and .json from the consensus benchmark's results.
import { runLabel } from './runs.ts';
import type { Candidate, PairSpread, SpecReport, SweepRow } from './analysis.ts';
import { quantile, UNITS } from './stats.ts';

export interface Machine {
  cpus: string;
  node: string;
  tfjs: string;
  uptimeStart: string;
  uptimeEnd: string;
  load: number[];
  browser: string;
  seconds: { training: number; evaluation: number; total: number };
}

export interface ReportInput {
  reports: SpecReport[];
  candidates: Candidate[];
  rec: Candidate;
  /** The run that measured the cached per-sample runs this report reuses (null: this run measured them). */
  measuredBy: Machine | null;
  sweep: { n: number; tols: number[]; rows: SweepRow[] };
  machine: Machine;
  opts: { quick: boolean; draws: number; webgpuSamples: number; browser: boolean; check: boolean };
  tols: number[];
  lambda: number;
  eps: number;
  gapThresholds: number[];
}

const pct = (x: number, d = 2) => (100 * x).toFixed(d);
const units = (u: number) => `${u} (${(u / UNITS).toFixed(4)})`;
const sizeName = (k: number, n: number) => (k >= n ? `all ${n}` : `${k}`);
const fmtRatio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(3)}x` : 'inf');
const wad = (u: number) => (BigInt(u) * 10n ** 14n).toString();

const KIND_NAMES: Record<string, string> = {
  'other-subset': "reuses another subset's score (last epoch)",
  'whole-set': 'reuses a whole-set score (evaluated once)',
  'same-positions': 'public set instead of the hidden set',
};

/** Worst p99.9 and max over the pairs that pass `keep`. */
function worst(spreads: readonly PairSpread[], keep: (s: PairSpread) => boolean): { p999: number; max: number } | null {
  const kept = spreads.filter(keep);
  if (kept.length === 0) return null;
  return { p999: Math.max(...kept.map((s) => s.spread.p999)), max: Math.max(...kept.map((s) => s.spread.max)) };
}

/** Share of draws in which a pair's difference exceeds tol, worst over the pairs kept. */
function worstOut(spreads: readonly PairSpread[], keep: (s: PairSpread) => boolean, tol: number): number {
  let w = 0;
  for (const s of spreads.filter(keep)) {
    let n = 0;
    for (const d of s.diffs) if (d > tol) n++;
    w = Math.max(w, n / s.diffs.length);
  }
  return w;
}

function modelsTable(r: SpecReport): string {
  const labels = r.models[0]!.runs.map(runLabel);
  const lines = [
    `| model | steps | training s | artifact | ${labels.join(' | ')} | hidden set (node wasm) |`,
    `|---|---:|---:|---|${labels.map(() => '---:').join('|')}|---:|`,
  ];
  for (const m of r.models) {
    const cells = m.runs.map(
      (x) => `${pct(x.accuracy)}${x.indices.length < r.samples ? ` (${x.indices.length})` : ''}`,
    );
    lines.push(
      `| ${m.level} | ${m.steps} | ${Number.isFinite(m.trainSeconds) ? m.trainSeconds.toFixed(0) : '-'} | \`${m.artifactHash.slice(2, 10)}\` | ${cells.join(' | ')} | ${pct(m.hidden.accuracy)} |`,
    );
  }
  return lines.join('\n');
}

function backendsTable(r: SpecReport): string {
  const lines = [
    '| backend | float bits | samples evaluated | seconds per 1,000 samples, per model (* from the cached run) |',
    '|---|---:|---:|---|',
  ];
  r.models[0]!.runs.forEach((x, i) => {
    const secs = r.models
      .map(
        (m) => `${((1000 * m.runs[i]!.seconds) / m.runs[i]!.indices.length).toFixed(1)}${m.runs[i]!.cached ? '*' : ''}`,
      )
      .join(' / ');
    lines.push(`| ${runLabel(x)} | ${x.floatPrecision} | ${x.indices.length} | ${secs} |`);
  });
  return lines.join('\n');
}

function flipsTable(r: SpecReport): string {
  const lines = [
    `| pair | 16-bit side | ${r.models.map((m) => `${m.level}: predictions / right-wrong differ`).join(' | ')} | samples compared | max abs logit diff | max abs loss diff |`,
    `|---|---|${r.models.map(() => '---:').join('|')}|---:|---:|---:|`,
  ];
  r.models[0]!.flips.forEach((f0, i) => {
    const maxLogit = Math.max(...r.models.map((m) => m.flips[i]!.maxLogitDiff));
    const maxLoss = Math.max(...r.models.map((m) => m.flips[i]!.maxLossDiff));
    lines.push(
      `| ${f0.a} / ${f0.b} | ${f0.half ? 'yes' : ''} | ${r.models.map((m) => `${m.flips[i]!.predictions} / ${m.flips[i]!.correctness}`).join(' | ')} | ${f0.common} | ${maxLogit === 0 ? '0' : maxLogit.toExponential(1)} | ${maxLoss === 0 ? '0' : maxLoss.toExponential(1)} |`,
    );
  });
  return lines.join('\n');
}

function gapsTable(r: SpecReport, thresholds: number[]): string {
  const lines = [
    `| model | ${thresholds.map((t) => `gap < ${t.toExponential(0)}`).join(' | ')} |`,
    `|---|${thresholds.map(() => '---:').join('|')}|`,
  ];
  for (const m of r.models) lines.push(`| ${m.level} | ${m.gapCounts.join(' | ')} |`);
  return lines.join('\n');
}

function honestTable(r: SpecReport, which: 'honest' | 'honestLoss', withNearTie: boolean): string {
  const head = [
    ...r.models.map((m) => `${m.level}: 32-bit`),
    ...r.models.map((m) => `${m.level}: with f16`),
    ...(withNearTie ? r.models.map((m) => `${m.level}: near-tie bound`) : []),
  ];
  const lines = [`| subset | ${head.join(' | ')} |`, `|---:|${head.map(() => '---:').join('|')}|`];
  for (const k of r.sizes) {
    const cell = (spreads: PairSpread[], half: boolean) => {
      const w = worst(spreads, (s) => s.half === half);
      return w ? `${w.p999} / ${w.max}` : '-';
    };
    const cells = [
      ...r.models.map((m) => cell(m[which].get(k)!, false)),
      ...r.models.map((m) => cell(m[which].get(k)!, true)),
      ...(withNearTie ? r.models.map((m) => `${m.nearTie.get(k)}`) : []),
    ];
    lines.push(`| ${sizeName(k, r.samples)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function lazyTable(r: SpecReport, tols: number[]): string {
  const lines = [
    `| subset | model | lazy validator | median diff | ${tols.map((t) => `P(<= ${t})`).join(' | ')} |`,
    `|---:|---|---|---:|${tols.map(() => '---:').join('|')}|`,
  ];
  for (const k of r.sizes) {
    for (const m of r.models) {
      for (const l of m.lazy.get(k)!)
        lines.push(
          `| ${sizeName(k, r.samples)} | ${m.level} | ${KIND_NAMES[l.kind]} | ${quantile(l.diffs, 0.5)} | ${tols.map((t) => l.within[t]!.toFixed(3)).join(' | ')} |`,
        );
    }
  }
  return lines.join('\n');
}

function candidateTable(cs: Candidate[]): string {
  const lines = [
    '| evalSubsetSize | specs counted | one sample | honest 32-bit max | near-tie bound | tolV | worst lazy ratio | worst model | other subset | whole set | public for hidden |',
    '|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
  ];
  for (const c of cs) {
    const w = c.ratioByModel.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const kind = (k: string) => fmtRatio(Math.max(...c.ratioByModel.map((x) => x.byKind[k]!)));
    lines.push(
      `| ${c.k} | ${c.specs.join(', ')} | ${Math.ceil(UNITS / c.k)} | ${c.honestMax} | ${c.nearTieMax} | ${units(c.tol)} | ${fmtRatio(c.ratio)} | ${w.spec} ${w.level} (${pct(w.accuracy, 1)}%) | ${kind('other-subset')} | ${kind('whole-set')} | ${kind('same-positions')} |`,
    );
  }
  return lines.join('\n');
}

export function renderReport(input: ReportInput): { markdown: string; json: unknown } {
  const { reports, candidates, machine, opts, tols, lambda, eps } = input;
  const { rec, sweep } = input;
  const bigN = Math.max(...reports.map((r) => r.samples));
  const big = reports.filter((r) => r.samples === bigN);
  const targetMet = rec.ratio <= 0.1;

  const all32 = reports.flatMap((r) => r.models.flatMap((m) => m.flips.filter((f) => !f.half)));
  const flips32 = all32.reduce((s, f) => s + f.predictions, 0);
  const compared32 = all32.reduce((s, f) => s + f.common, 0);
  const maxLogit32 = Math.max(...all32.map((f) => f.maxLogitDiff));
  const half = reports.flatMap((r) => r.models.flatMap((m) => m.flips.filter((f) => f.half && f.common === r.samples)));
  const halfPred = half.length ? Math.max(...half.map((f) => f.predictions)) : NaN;
  const halfRight = half.length ? Math.max(...half.map((f) => f.correctness)) : NaN;
  const halfLogit = half.length ? Math.max(...half.map((f) => f.maxLogitDiff)) : NaN;
  const halfOut = reports
    .filter((r) => r.samples > rec.k)
    .flatMap((r) =>
      r.models.map((m) => ({
        spec: r.spec,
        level: m.level,
        out: worstOut(m.honest.get(rec.k)!, (s) => s.half, rec.tol),
      })),
    );
  const halfWorst = halfOut.length ? halfOut.reduce((a, b) => (b.out > a.out ? b : a)) : null;
  const one = Math.ceil(UNITS / rec.k);
  // The first accuracy of the sweep at which the lazy ratio passes 0.1 at the recommended tolerance.
  const passAt = sweep.rows.find((r) => r.accuracy >= 0.5 && r.ratios[0]! > 0.1);
  const twoSamples = sweep.tols.findIndex((t) => t >= rec.tol + one);
  const worstModel = rec.ratioByModel.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const ratioAt = (acc: number, i: number) => sweep.rows.find((r) => r.accuracy === acc)?.ratios[i];
  // GPU backends whose logits equal wasm's exactly, on every model and spec.
  const exactVsWasm = (label: string) => {
    const pairs = reports.flatMap((r) =>
      r.models.flatMap((m) =>
        m.flips.filter((f) => (f.a === label && f.b.endsWith(' wasm')) || (f.b === label && f.a.endsWith(' wasm'))),
      ),
    );
    return pairs.length > 0 && pairs.every((f) => f.maxLogitDiff === 0);
  };
  const exactGpu = ['chromium webgl', 'chromium webgpu'].filter(exactVsWasm).map((l) => l.replace('chromium ', ''));
  const small = reports.filter((r) => !big.includes(r));

  const md: string[] = [];
  md.push('# Consensus across backends: evaluation subsets and the validator tolerance');
  md.push('');
  md.push(
    `Measured by \`npm run bench:consensus\`${opts.quick ? ' (--quick)' : ''} on ${machine.cpus}, Node ${machine.node}, tfjs ${machine.tfjs}; ${machine.browser}. ` +
      `Load (\`uptime\`): \`${machine.uptimeStart}\` at the start, \`${machine.uptimeEnd}\` at the end; other work shared the machine, so the seconds below are only rough. ` +
      (input.measuredBy
        ? `This report reuses the per-sample runs of an earlier run (\`${input.measuredBy.uptimeStart}\` to \`${input.measuredBy.uptimeEnd}\`), which took ${input.measuredBy.seconds.training.toFixed(0)} s training and ${input.measuredBy.seconds.evaluation.toFixed(0)} s evaluating (${input.measuredBy.seconds.total.toFixed(0)} s in all); this one ${machine.seconds.total.toFixed(0)} s (analysis${opts.check ? ' and the cross-check' : ''}). `
        : `Time: ${machine.seconds.training.toFixed(0)} s training, ${machine.seconds.evaluation.toFixed(0)} s evaluating (with the cross-check), ${machine.seconds.total.toFixed(0)} s in all. `) +
      `${opts.draws} random subsets per size; scores in chain units of 1e-4 (accuracy 0.8731 is 8731).`,
  );
  md.push('');
  md.push(
    "No GPU here: WebGL and WebGPU run on SwiftShader, Chromium's CPU implementation of the GPU APIs. SwiftShader renders WebGL to float32 textures; tfjs 4.22 nonetheless reports `floatPrecision() === 16` for every WebGL context that renders to float32 (tfjs#6980, its check is inverted), so `activateBackend` now asks `WEBGL_RENDER_FLOAT32_ENABLED` instead. " +
      'The 16-bit case, a device without float32 render targets (common on phones), is measured by forcing half-float textures (`WEBGL_FORCE_F16_TEXTURES`) in the page\'s thread: "chromium webgl (f16 textures)". ' +
      `WebGPU on SwiftShader evaluates tens of CNN samples a second, so it scores a fixed sample of ${opts.webgpuSamples} of each 5,000-sample set; its pairs are compared on those. Real GPUs (FMA contraction, other reduction orders) were not measured: the near-tie bound below stands in for them.`,
  );
  md.push('');
  md.push('## Findings and recommendation');
  md.push('');
  md.push(
    `- **32-bit backends agree on every prediction**: ${flips32} differing predictions in ${compared32.toLocaleString('en-US')} sample comparisons (every 32-bit pair, model and spec); the largest logit difference is ${maxLogit32.toExponential(1)}. ` +
      `${exactGpu.length ? `${exactGpu.join(' and ')} on SwiftShader give${exactGpu.length === 1 ? 's' : ''} logits bit-identical to wasm (products accumulated in index order, no fused multiply-add); tfjs's cpu backend (blocked sums) differs in the last bits. ` : ''}` +
      'On the same subset, honest validators commit the same accuracy; the tolerance is headroom for hardware not measured here.',
  );
  md.push(
    `- **Recommended defaults: \`evalSubsetSize = ${rec.k}\`, \`tolV = ${(rec.tol / UNITS).toFixed(4)}\`** (${rec.tol} score units, \`${wad(rec.tol)}\` in WAD), for eval sets of the Fashion-MNIST size (5,000 samples). ` +
      `At a subset of ${rec.k}, one sample moves an accuracy by ${one} units; the tolerance is the largest of one sample, the largest honest 32-bit difference measured (${rec.honestMax}) and the near-tie bound for an arithmetic error of ${eps} per logit (${rec.nearTieMax}). ` +
      `Among the subset sizes it gives the lowest worst lazy ratio (table below); evaluating ${rec.k} samples per submission costs a validator about a second on wasm.`,
  );
  md.push(
    `- **Do subsets and tolerance alone bring lazy reuse below 0.1x? ${targetMet ? 'Only just, and not in general.' : 'No.'}** ` +
      `On the demo models, at these defaults, the worst lazy validator earns ${fmtRatio(rec.ratio)} of an honest validator's per-column reward (${worstModel.spec} ${worstModel.level}, ${pct(worstModel.accuracy, 1)}% accurate)${targetMet ? ', under the target' : ''}. ` +
      "But a reused score is off only by the subset's sampling noise, about sqrt(2 p (1-p) / k) for a model of accuracy p, so the margin vanishes as models get better: " +
      `on a ${sweep.n.toLocaleString('en-US')}-sample set the lazy ratio passes 0.1x from an accuracy of ${passAt ? `${pct(passAt.accuracy, 0)}%` : '(never, in the sweep)'} (${fmtRatio(ratioAt(0.95, 0) ?? NaN)} at 95%, ${fmtRatio(ratioAt(0.99, 0) ?? NaN)} at 99%; a model right on every sample scores the same on every subset). ` +
      `${twoSamples >= 0 ? `A tolerance one sample wider, which hardware that flips a near tie would need, gives ${fmtRatio(ratioAt(0.9, twoSamples) ?? NaN)} at 90%. ` : ''}` +
      `${small.length ? `On small sets it is hopeless: ${small.map((r) => `${r.spec} has ${r.samples} samples`).join(', ')}, where the default subset is the whole set (reuse exact, 1x) and a 100-sample subset still leaves ${fmtRatio(Math.max(...candidates.filter((c) => c.k === 100).flatMap((c) => c.ratioByModel.filter((x) => small.some((r) => r.spec === x.spec)).map((x) => x.ratio))))}. ` : ''}` +
      '**Hidden canaries are needed** (docs/reward-math.md step 3): a canary is scored on the same subset, so an honest validator matches its committed score within the tolerance while a validator that reuses scores has none for it.',
  );
  md.push(
    `- **16-bit WebGL is refused for validation.** With half-float textures its logits are off by up to ${halfLogit.toExponential(1)} (${Math.round(halfLogit / maxLogit32).toLocaleString('en-US')} times the largest 32-bit difference) and up to ${halfPred} predictions of a 5,000-sample set change (${halfRight} right/wrong); ` +
      `at the recommended defaults that kept it within the tolerance in ${halfWorst ? pct(1 - halfWorst.out, 1) : '-'}% of columns on these models, but only because the tolerance admits one flipped sample: the samples within reach of its error (top-2 logit gap under twice its error) number up to ${Math.max(...reports.filter((r) => r.samples === bigN).flatMap((r) => r.models.map((m) => m.halfReach)))} per 5,000-sample model, against at most ${Math.max(...reports.filter((r) => r.samples === bigN).flatMap((r) => r.models.map((m) => m.epsReach)))} within reach of the ${eps} assumed for 32-bit hardware, so a deeper or less confident model would put it out of tolerance. ` +
      'Refusing it costs nothing: every browser with WebGL has wasm. The eval service refuses a backend with floatPrecision < 32 (`EvalJobError`) unless the job sets `allowHalfPrecision` (benchmarks only).',
  );
  md.push('');
  md.push(
    `Lazy reward ratio against model accuracy (synthetic models, right and wrong samples at random, ${sweep.n.toLocaleString('en-US')}-sample sets, subsets of ${rec.k}, honest validators agreeing exactly; worst of the three lazy validators):`,
  );
  md.push('');
  md.push(
    `| accuracy | ${sweep.tols.map((t) => `tolV ${t} units${t === rec.tol ? ' (recommended)' : ''}`).join(' | ')} |`,
  );
  md.push(`|---:|${sweep.tols.map(() => '---:').join('|')}|`);
  for (const r of sweep.rows) md.push(`| ${pct(r.accuracy, 0)}% | ${r.ratios.map(fmtRatio).join(' | ')} |`);
  md.push('');
  md.push('### How the defaults are chosen (recomputed on every run)');
  md.push('');
  md.push(
    "For each subset size k the tolerance is the largest of (a) one sample's worth, ceil(1e4/k) units, so an honest validator survives one unexpected flip; (b) the largest |score difference| any two 32-bit backends showed on one subset, over every draw, model and spec; (c) the near-tie bound: the most the samples whose top-2 logit gap is under 2 eps could move a subset's accuracy if all flipped the same way (eps = " +
      `${eps}, ten times the largest logit difference measured between 32-bit backends). ` +
      `The lazy validator's reward ratio is its mean column weight over an honest one's, weight = exp(-lambdaV D) when D <= tolV else 0 (SPEC 4.5, lambdaV = ${lambda}), honest D from the worst 32-bit pair; this is its share of a column relative to an honest validator of the same stake when both are a small part of the stake. ` +
      'The worst over models and the three lazy validators is reported; the recommended size is the one with the lowest worst ratio among the sizes smaller than the largest sets. Larger subsets shrink the tolerance (one sample is 1e4/k units) faster than the sampling noise (1/sqrt(k)), until the finite set catches up: a subset near the whole set differs little from it, which helps the validator that reuses a whole-set score.',
  );
  md.push('');
  md.push(candidateTable(candidates));
  md.push('');
  md.push(
    `Per model at evalSubsetSize ${rec.k}, tolV ${rec.tol} units (accuracy on the public set): ${rec.ratioByModel.map((x) => `${x.spec} ${x.level} (${pct(x.accuracy, 1)}%) ${fmtRatio(x.ratio)}`).join('; ')}.`,
  );
  md.push('');
  md.push(SUBSET_SECTION);
  md.push('');
  for (const r of reports) {
    md.push(`## ${r.spec}: public eval ${r.samples} samples, hidden final ${r.hiddenSamples}`);
    md.push('');
    md.push(
      "Models: the spec trained by the project's engine in Node on wasm with its watermark (seed 11), stopped at three points. Accuracy in % on the public eval set per backend (in parentheses the samples evaluated, where fewer than the set):",
    );
    md.push('');
    md.push(modelsTable(r));
    md.push('');
    md.push(backendsTable(r));
    md.push('');
    md.push('### Samples on which two backends disagree');
    md.push('');
    md.push(flipsTable(r));
    md.push('');
    md.push(
      'Near ties: samples (of the node wasm run) whose two largest logits are closer than a threshold; an arithmetic error of eps per logit can only flip samples with a gap under 2 eps.',
    );
    md.push('');
    md.push(gapsTable(r, input.gapThresholds));
    md.push('');
    md.push('### Honest validators on different backends, same subset: |score difference| in units, p99.9 / max');
    md.push('');
    md.push(
      "Accuracy (the spec's metric), worst over the backend pairs of each kind, and the near-tie bound (max over draws) used for the tolerance:",
    );
    md.push('');
    md.push(honestTable(r, 'honest', true));
    md.push('');
    md.push(
      'The loss metric (`max(0, 1 - loss/cap)`, cap = ln 10), which no demo spec uses, for comparison: continuous per-sample losses differ by float noise on every backend.',
    );
    md.push('');
    md.push(honestTable(r, 'honestLoss', false));
    md.push('');
    md.push('### Lazy validators: |reused score - honest score| in units; P(|diff| <= tol) for candidate tolerances');
    md.push('');
    md.push(
      'Honest score: node wasm on the hidden final set (final-phase epochs score the same models again, which is where reuse pays). "Reuses another subset\'s score": its score on an independent subset of the same set; "whole-set score": on all of it; "public set instead of the hidden set": the same positions of the public set (models not overfitted to the public set: an overfitted one would be further off).',
    );
    md.push('');
    md.push(lazyTable(r, tols));
    md.push('');
  }
  md.push("## Cross-check: the service's subset scores equal the per-sample arrays'");
  md.push('');
  const checks = reports.flatMap((r) => r.models.flatMap((m) => m.checks.map((c) => ({ spec: r.spec, ...c }))));
  const agree = checks.filter((c) => c.derived === c.service).length;
  md.push(
    `${agree} of ${checks.length} evaluations of a ${checks[0]?.samples ?? 300}-sample subset through the eval service's indices path (in Chromium a fresh evaluation worker, batches of the spec's size) gave exactly the score computed from that backend's per-sample arrays of the whole-set run${
      agree === checks.length
        ? ''
        : `; differing: ${checks
            .filter((c) => c.derived !== c.service)
            .map((c) => `${c.spec} ${c.label} ${c.derived} vs ${c.service}`)
            .join(', ')}`
    }: a sample's result does not depend on which samples share its batch, so the subset distributions above are those of real subset evaluations.`,
  );
  md.push('');

  const json = {
    generatedBy: 'npm run bench:consensus',
    quick: opts.quick,
    machine,
    draws: opts.draws,
    scoreUnit: 1 / UNITS,
    lambdaV: lambda,
    assumedLogitError: eps,
    recommendation: {
      evalSubsetSize: rec.k,
      tolVUnits: rec.tol,
      tolVWad: wad(rec.tol),
      worstLazyRatio: rec.ratio,
      targetMet,
      halfPrecisionMaxPredictionFlips: halfPred,
      halfPrecisionMaxLogitDiff: halfLogit,
      halfPrecisionWorstOutOfTolerance: halfWorst?.out ?? null,
    },
    candidates: candidates.map((c) => ({
      k: c.k,
      specs: c.specs,
      honestMax: c.honestMax,
      nearTieMax: c.nearTieMax,
      tolUnits: c.tol,
      worstLazyRatio: c.ratio,
      ratioByModel: c.ratioByModel,
    })),
    specs: reports.map((r) => ({
      spec: r.spec,
      samples: r.samples,
      hiddenSamples: r.hiddenSamples,
      models: r.models.map((m) => ({
        level: m.level,
        steps: m.steps,
        artifactHash: m.artifactHash,
        accuracy: Object.fromEntries(
          m.runs.map((x) => [
            runLabel(x),
            { accuracy: x.accuracy, samples: x.indices.length, floatPrecision: x.floatPrecision },
          ]),
        ),
        hiddenAccuracy: m.hidden.accuracy,
        flips: m.flips.map((f) => ({
          a: f.a,
          b: f.b,
          half: f.half,
          common: f.common,
          predictions: f.predictions,
          correctness: f.correctness,
          maxLogitDiff: f.maxLogitDiff,
        })),
        nearTies: Object.fromEntries(input.gapThresholds.map((t, i) => [t, m.gapCounts[i]])),
        honest: Object.fromEntries(
          r.sizes.map((k) => [
            k,
            {
              bits32: worst(m.honest.get(k)!, (s) => !s.half),
              f16: worst(m.honest.get(k)!, (s) => s.half),
              nearTieBound: m.nearTie.get(k),
            },
          ]),
        ),
        lazyWithin: Object.fromEntries(
          r.sizes.map((k) => [k, Object.fromEntries(m.lazy.get(k)!.map((l) => [l.kind, l.within]))]),
        ),
      })),
    })),
  };
  return { markdown: md.join('\n'), json };
}

const SUBSET_SECTION = `## The evaluation subset and how a validator scores it

\`evalSubset(seed, datasetSize, k)\` (\`src/lib/protocol/eval-subset.ts\`): all indices \`0..N-1\` when \`k >= N\`; otherwise a partial Fisher-Yates shuffle of \`[0..N)\` where step \`i = 0..k-1\` draws \`r = uint256(keccak256(abi.encodePacked(bytes32 seed, uint32 i)))\`, \`j = i + r mod (N - i)\` and swaps positions \`i\` and \`j\`; the first \`k\` entries, sorted ascending, are the subset. A zero seed is refused (on chain it means "not drawn"). Test vector (also in \`test/unit/protocol/eval-subset.test.ts\`, cross-checked against ethers 5 / js-sha3 with a full-array shuffle): seed \`keccak256("aiarena/eval-subset/test-vector")\` = \`0xf910d013db866f06d9cfe8b24960ed4745cd075510d94cc7490b380ab357af8f\`; \`evalSubset(seed, 5000, 10)\` = \`[322, 1074, 2706, 3343, 3660, 4661, 4750, 4783, 4787, 4848]\`, \`evalSubset(seed, 250, 10)\` = \`[0, 16, 21, 36, 69, 106, 110, 114, 159, 189]\`.

A validator's agent, once \`SubmissionBook.evalSeedOf(task, epoch)\` is non-zero, passes \`subset: { seed, size: evalSubsetSize(task) }\` in its \`EvalJob\` (\`src/lib/ml/eval/service.ts\`; the same job through the worker client \`createEvaluator().evaluate\` or the Node service \`createEvalService(env).evaluate\`). The service draws the indices from the dataset's own manifest (its sample count), so the agent needs nothing but what the chain says, and scores exactly those samples in ascending order, batched by the spec's batch size as if they were a dataset of their own: accuracy, or \`max(0, 1 - loss/cap)\` with the spec's cap. \`EvalOutcome.samples\` is the subset size and \`datasetSamples\` the set's; progress runs over the subset. \`indices\` (explicit sample indices) is the lower-level alternative. \`perSample: true\` also returns, per evaluated sample, the prediction, a right/wrong flag (\`correct\`), the loss and the logits: a validator that evaluates the whole set once, before the seed exists, takes any subset's accuracy as the mean of its \`correct\` flags, exactly what a direct subset evaluation gives (cross-check at the end of this page). A zero seed, bad indices, both \`subset\` and \`indices\`, or a 16-bit backend without \`allowHalfPrecision\` fail with \`EvalJobError\` (not worth a retry) before any model is built.`;

/** JSON indented down to `depth` levels, deeper values on one line. */
export function compactJson(value: unknown, depth = 4, indent = ''): string {
  if (depth === 0 || value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value))
    return value.length === 0
      ? '[]'
      : `[\n${value.map((v) => `${inner}${compactJson(v, depth - 1, inner)}`).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return entries.length === 0
    ? '{}'
    : `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, depth - 1, inner)}`).join(',\n')}\n${indent}}`;
}
