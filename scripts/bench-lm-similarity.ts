// Functional similarity of trained next-token models (issue 14; the classifiers' counterpart is
// scripts/bench-similarity.ts): do the validator's probes tell independently trained solidity-gpt
// models from copies of one of them (exact, units and heads permuted, fine-tuned and re-watermarked
// by a thief, trained on further)? Per pair: the weights' cosine, and arg-max agreement and
// centred logit correlation per position on three probe sets: random bytes (what the validator
// draws today: agreement.ts probeTokens over the whole vocabulary), random printable ASCII, and
// the first sequences of the public eval split. Writes docs/bench/similarity-lm.md.
//
//   npm run bench:lm-similarity -- --train-only --honest-seeds 2     train (and keep) one model
//   npm run bench:lm-similarity                                      the table (~10 min + training)
//
// Models come from tmp/lm-weights (scripts/bench-lm.ts --save-weights writes the victim, seed 1,
// at each budget); the honest models of other seeds are trained here for as many steps as the
// victim had and kept there, so the two --train-only runs can share the machine's two cores.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { activateBackend } from '../src/lib/ml/backend/activate.ts';
import { tf } from '../src/lib/ml/backend/tf.ts';
import { logitCorrelation, predictionAgreement, probeTokens } from '../src/lib/ml/eval/agreement.ts';
import { buildModel } from '../src/lib/ml/model/model.ts';
import { cosineSimilarity } from '../src/lib/ml/similarity.ts';
import { parseModelSpecBytes } from '../src/lib/ml/spec/parse.ts';
import { specShapes } from '../src/lib/ml/spec/shapes.ts';
import { train } from '../src/lib/ml/train/trainer.ts';
import { ownerBits } from '../src/lib/ml/watermark/bits.ts';
import { checkWatermark } from '../src/lib/ml/watermark/check.ts';
import { watermarkKernelIndex } from '../src/lib/ml/watermark/extract.ts';
import { probeSettings, DEFAULT_CHALLENGE_THRESHOLD } from '../src/lib/agents/validator/similarity.ts';
import { optionReader } from './lib/bench-options.ts';
import { permuteTransformerUnits } from './lib/lm/permute-block.ts';
import { readTokens, solidityData } from './lib/lm/solidity-data.ts';
import { loadWeights, saveWeights } from './lib/lm/weights-file.ts';
import { benchKey } from './lib/watermark-attacks.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));
const opts = optionReader(process.argv.slice(2), [
  'weights',
  'victim',
  'later',
  'honest-seeds',
  'steps',
  'finetune',
  'train-only',
  'out',
]);
const dir = opts.get('weights') ?? 'tmp/lm-weights';
const victimLabel = opts.get('victim') ?? '600s';
const later = (opts.get('later') ?? '1200s,2400s,end').split(',');
const honestSeeds = (opts.get('honest-seeds') ?? '2,3').split(',').map(Number);
const finetunes = (opts.get('finetune') ?? '50,200').split(',').map(Number);
const out = opts.get('out') ?? 'docs/bench/similarity-lm.md';

const started = performance.now();
const load0 = os.loadavg();
tf.enableProdMode();
await activateBackend('wasm', { wasmPaths: path('node_modules/@tensorflow/tfjs-backend-wasm/dist/') });
const { spec } = await parseModelSpecBytes(readFileSync(path('public/specs/solidity-gpt.json')));
const wm = spec.watermark!;
const L = spec.input.shape[0]!;
const file = (seed: number, label: string) => path(`${dir}/${spec.name}-tied-seed${seed}-${label}.f32`);
const owner = (i: number) => `0x${(i + 1).toString(16).padStart(40, '0')}`;
const trainSet = await solidityData('train');

// The victim's step count: the bench-lm run that wrote it recorded it in docs/bench/lm.json.
const lmRun = JSON.parse(readFileSync(path('docs/bench/lm.json'), 'utf8')) as {
  runs: { variant: string; points: { budget: number; step: number; end?: boolean }[] }[];
};
const victimPoints = lmRun.runs.find((r) => r.variant === 'tied')!.points;
const stepsOf = (label: string) =>
  victimPoints.find((p) => (label === 'end' ? p.end : !p.end && `${p.budget}s` === label))?.step;
const steps = opts.int('steps', stepsOf(victimLabel) ?? 0, 1);

/** A model of `seed` trained for `steps` steps with its own key and owner, kept in `dir`. */
async function honest(seed: number): Promise<Float32Array[]> {
  const f = file(seed, `${steps}steps`);
  if (existsSync(f)) return loadWeights(f, spec);
  const key = benchKey(wm.bits, wm.length, `honest-${seed}`);
  const t0 = performance.now();
  const r = await train({
    spec,
    data: trainSet.data(seed),
    seed,
    maxSteps: steps,
    readEvery: 25,
    watermark: { keyBits: key.bits, ownerBits: ownerBits(owner(seed), wm.bits) },
    onProgress: (p) => console.log(`seed ${seed} step ${p.step}: ${(p.loss / Math.LN2).toFixed(3)} bits/byte`),
  });
  saveWeights(f, r.weights);
  console.log(`seed ${seed}: ${steps} steps in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
  return r.weights;
}

if (opts.flag('train-only')) {
  for (const s of honestSeeds) await honest(s);
  process.exit(0);
}

const victim = loadWeights(file(1, victimLabel), spec);
const models: { group: 'independent' | 'copy'; what: string; a: Float32Array[]; b: Float32Array[] }[] = [];
const honestModels = [{ seed: 1, w: victim }];
for (const s of honestSeeds) honestModels.push({ seed: s, w: await honest(s) });
for (let i = 0; i < honestModels.length; i++)
  for (let j = i + 1; j < honestModels.length; j++)
    models.push({
      group: 'independent',
      what: `seed ${honestModels[i]!.seed} vs seed ${honestModels[j]!.seed} (${steps} steps each)`,
      a: honestModels[i]!.w,
      b: honestModels[j]!.w,
    });
models.push({ group: 'copy', what: 'exact copy', a: victim, b: victim.map((w) => new Float32Array(w)) });
models.push({
  group: 'copy',
  what: 'MLP units and attention heads permuted',
  a: victim,
  b: permuteTransformerUnits(spec, victim, 'copy'),
});
// A thief fine-tunes with its own key and data order: re-watermarked, then further trained.
const thiefKey = benchKey(wm.bits, wm.length, 'thief');
const thiefOwner = owner(98);
const params = specShapes(spec).params;
const kernel = watermarkKernelIndex(spec, params);
const thiefWrong: Record<number, number> = {};
for (const n of finetunes) {
  const r = await train({
    spec,
    data: trainSet.data(99),
    seed: 99,
    maxSteps: n,
    readEvery: 25,
    initialWeights: victim,
    watermark: { keyBits: thiefKey.bits, ownerBits: ownerBits(thiefOwner, wm.bits) },
  });
  thiefWrong[n] = checkWatermark(wm, r.weights[kernel]!, params[kernel]!.shape, thiefKey, thiefOwner).wrong;
  models.push({ group: 'copy', what: `re-watermarked by a thief, ${n} steps`, a: victim, b: r.weights });
}
for (const label of later) {
  const f = file(1, label);
  if (!existsSync(f)) continue;
  const s = stepsOf(label);
  models.push({
    group: 'copy',
    what: `the victim trained on to ${label === 'end' ? 'the end of its epochs' : label}${s ? ` (${s} steps)` : ''}`,
    a: victim,
    b: loadWeights(f, spec),
  });
}

// Probe sets of the validator's size (probeSettings: 16 sequences of 128).
const { count } = probeSettings(spec);
const evalHead = await readTokens(await solidityData('eval'), count);
const PROBES = [
  ['bytes', 'random bytes (validator)', probeTokens('bench', count, L, 0, 256)],
  ['ascii', 'random printable ASCII', probeTokens('bench', count, L, 32, 127)],
  ['eval', 'public eval text', evalHead.features],
] as const;

async function logits(weights: Float32Array[], tokens: Int32Array): Promise<Float32Array> {
  const model = buildModel(spec, weights);
  try {
    const t = tf.tidy(() => model.apply(tf.tensor2d(tokens, [tokens.length / L, L], 'int32')));
    const v = (await t.data()) as Float32Array;
    t.dispose();
    return v;
  } finally {
    model.dispose();
  }
}
const argmax = (z: Float32Array, V: number) =>
  Int32Array.from({ length: z.length / V }, (_, i) => {
    let best = 0;
    for (let c = 1; c < V; c++) if (z[i * V + c]! > z[i * V + best]!) best = c;
    return best;
  });

interface Row {
  group: string;
  what: string;
  /** Metric values by name (cosine and one agreement and one correlation per probe set). */
  m: Record<string, number>;
}
const rows: Row[] = [];
const V = spec.output.tokens!;
for (const m of models) {
  const row: Row = { group: m.group, what: m.what, m: { cosine: cosineSimilarity(m.a, m.b) } };
  for (const [id, , tokens] of PROBES) {
    const za = await logits(m.a, tokens);
    const zb = await logits(m.b, tokens);
    row.m[`${id}Agree`] = predictionAgreement(argmax(za, V), argmax(zb, V));
    row.m[`${id}Logits`] = logitCorrelation(za, zb, V);
  }
  rows.push(row);
  console.log(row);
}

const METRICS: [string, string][] = [
  ['cosine', 'weights cosine'],
  ...PROBES.flatMap(([id, label]) => [
    [`${id}Agree`, `${label}: same byte`] as [string, string],
    [`${id}Logits`, `${label}: logit corr.`] as [string, string],
  ]),
];
const of = (g: string) => rows.filter((r) => r.group === g);
const gap = (m: string) =>
  Math.min(...of('copy').map((r) => r.m[m]!)) - Math.max(...of('independent').map((r) => r.m[m]!));
const f3 = (x: number) => x.toFixed(3);
const functional = METRICS.map(([m]) => m).filter((m) => m !== 'cosine');
const best = functional.reduce((x, y) => (gap(y) > gap(x) ? y : x));
const label = Object.fromEntries(METRICS);
const validatorMetric = 'bytesAgree';
const maxInd = (m: string) => Math.max(...of('independent').map((r) => r.m[m]!));
const minCopy = (m: string) => Math.min(...of('copy').map((r) => r.m[m]!));
const flagged = (g: string) => of(g).filter((r) => r.m[validatorMetric]! >= DEFAULT_CHALLENGE_THRESHOLD);
const table = [
  `| pair | group | ${METRICS.map(([, l]) => l).join(' | ')} |`,
  `|---|---|${METRICS.map(() => '--:').join('|')}|`,
  ...rows.map((r) => `| ${r.what} | ${r.group} | ${METRICS.map(([m]) => f3(r.m[m]!)).join(' | ')} |`),
  `| **gap** (lowest copy minus highest independent) | | ${METRICS.map(([m]) => f3(gap(m))).join(' | ')} |`,
].join('\n');
const l1 = os.loadavg();
const md = `# Functional similarity of language models: independent models and copies

Measured by \`npm run bench:lm-similarity${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (scripts/bench-lm-similarity.ts) on ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, tfjs ${tf.version_core} (wasm), ${new Date().toISOString().slice(0, 10)}; load average ${load0.map((x) => x.toFixed(1)).join(' / ')} at the start and ${l1.map((x) => x.toFixed(1)).join(' / ')} at the end; ${((performance.now() - started) / 60000).toFixed(1)} min (training the honest models not counted when they were kept from a --train-only run).

solidity-gpt (public/specs/solidity-gpt.json). The victim is docs/bench/train.md's budget run (seed 1) at ${victimLabel} (${steps} steps); the independent models are trained here from seeds ${honestSeeds.join(', ')} for the same ${steps} steps, each with its own data order, initialization and watermark key. The copies are of the victim: exact; every block's MLP units and attention heads reordered (the same function from other weights); fine-tuned by a thief with its own key and data order (thief's watermark wrong bits after ${finetunes.map((n) => `${n} steps: ${thiefWrong[n]}`).join(', ')}); and the victim's own run trained on (what a thief who keeps training looks like). Probes per model: ${count} sequences of ${L} (${count * L} positions, the validator's count, \`probeSettings\`): random bytes 0-255 (\`probeTokens\`, what the validator uses), random printable ASCII (32-126), and the first ${count} sequences of the public eval split. "Same byte": share of positions with the same arg-max next byte; "logit corr.": Pearson correlation of the per-position-centred logits.

${table}

- ${gap(best) > 0 ? 'Best separating functional measure in this run' : 'No functional measure separates every copy from every independent pair in this run; the closest'}: **${label[best]}**, gap ${f3(gap(best))} (independent pairs at most ${f3(maxInd(best))}, copies at least ${f3(minCopy(best))}).
- The validator's measure (${label[validatorMetric]}): independent at most ${f3(maxInd(validatorMetric))}, copies at least ${f3(minCopy(validatorMetric))}, gap ${f3(gap(validatorMetric))}; the default threshold is ${DEFAULT_CHALLENGE_THRESHOLD} (measured on classifiers, docs/bench/similarity.md).
- At that threshold the automatic challenge flags ${flagged('independent').length} of ${of('independent').length} independent pairs and ${flagged('copy').length} of ${of('copy').length} copies (${
  flagged('copy')
    .map((r) => r.what)
    .join('; ') || 'none'
}); missed: ${
  of('copy')
    .filter((r) => r.m[validatorMetric]! < DEFAULT_CHALLENGE_THRESHOLD)
    .map((r) => r.what)
    .join('; ') || 'none'
}.
`;
console.log(md);
writeFileSync(path(out), md);
writeFileSync(path(out.replace(/\.md$/, '.json')), JSON.stringify({ rows, steps, victimLabel, thiefWrong }, null, 2));
console.log(`wrote ${out}`);
