// How alike two models are, by weights and by function (issue 11 section 4; SPEC 8.4): for
// independently trained digits-mlp models and for copies of one of them (exact, units permuted and
// rescaled, fine-tuned, re-watermarked by a thief with its own key), the weights' cosine
// (src/lib/ml/similarity.ts) and the prediction agreement on the eval set and on seeded probe
// inputs (src/lib/ml/eval/agreement.ts). Chooses the probe-agreement threshold of the validator's
// automatic challenge from the gap between the two groups. Writes docs/bench/similarity.md.
//   npm run bench:similarity [-- --honest 5 --epochs 20]
//   npm run bench:similarity -- --honest 12 --epochs 2 --out docs/bench/similarity-2-epochs.md
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { activateBackend } from '../src/lib/ml/backend/activate.ts';
import { tf } from '../src/lib/ml/backend/tf.ts';
import { blendProbes, functionalAgreement, probeData, probeInputs } from '../src/lib/ml/eval/agreement.ts';
import { cosineSimilarity } from '../src/lib/ml/similarity.ts';
import { specShapes } from '../src/lib/ml/spec/shapes.ts';
import { watermarkKernelIndex } from '../src/lib/ml/watermark/extract.ts';
import { Rng } from '../src/lib/ml/rng.ts';
import { benchKey, symmetryLayers, transformUnits, unitCount, type WeightsView } from './lib/watermark-attacks.ts';
import { fineTuneCopy, loadDigits, reWatermark, trainHonest } from '../test/integration/support/thieves.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const HONEST = arg('honest', 5);
const EPOCHS = arg('epochs', 20);
const PROBES = 1000;
const [LO, HI] = (() => {
  const i = args.indexOf('--range');
  return i >= 0 ? args[i + 1]!.split(',').map(Number) : [-2, 3];
})() as [number, number];
const FEATURES = 64;

await activateBackend('wasm', {
  wasmPaths: new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url).pathname,
});
const load0 = os.loadavg()[0]!;
const t0 = Date.now();
const d = await loadDigits();
const owner = (i: number) => `0x${(i + 1).toString(16).padStart(40, '0')}`;
const honest: Float32Array[][] = [];
for (let i = 0; i < HONEST; i++)
  honest.push(await trainHonest(d, benchKey(64, 128, `honest-${i}`), owner(i), EPOCHS, 100 + i));

// Two kinds of probes: uniform noise over the inputs' range (digits pixels are 0..1 after the
// manifest's scale), and blends of two training samples (between the data, near the boundaries).
const uniform = { eval: d.eval, probes: probeData(probeInputs('bench', PROBES, FEATURES, LO, HI), FEATURES) };
const blend = { eval: d.eval, probes: probeData(blendProbes('bench', PROBES, d.train.x, FEATURES), FEATURES) };
const ctx: WeightsView = {
  spec: d.spec,
  wm: d.spec.watermark!,
  params: specShapes(d.spec).params,
  kernel: watermarkKernelIndex(d.spec, specShapes(d.spec).params),
};

const METRICS = [
  ['cosine', 'weights cosine'],
  ['evalAgree', 'eval: same class'],
  ['evalLogits', 'eval: logit corr.'],
  ['uniformAgree', 'noise probes: same class'],
  ['uniformLogits', 'noise probes: logit corr.'],
  ['blendAgree', 'blend probes: same class'],
  ['blendLogits', 'blend probes: logit corr.'],
] as const;
type Metric = (typeof METRICS)[number][0];
type Row = { group: 'independent' | 'copy'; what: string } & Record<Metric, number>;
const rows: Row[] = [];
const measure = async (group: Row['group'], what: string, a: Float32Array[], b: Float32Array[]) => {
  const u = await functionalAgreement(d.spec, a, b, uniform);
  const bl = await functionalAgreement(d.spec, a, b, blend);
  rows.push({
    group,
    what,
    cosine: cosineSimilarity(a, b),
    evalAgree: u.eval,
    evalLogits: u.evalLogits,
    uniformAgree: u.probes,
    uniformLogits: u.probeLogits,
    blendAgree: bl.probes,
    blendLogits: bl.probeLogits,
  });
};

for (let i = 0; i < HONEST; i++)
  for (let j = i + 1; j < HONEST; j++)
    await measure('independent', `honest ${i} vs honest ${j}`, honest[i]!, honest[j]!);

const victim = honest[0]!;
await measure(
  'copy',
  'exact copy',
  victim,
  victim.map((w) => new Float32Array(w)),
);
await measure('copy', 'units permuted and rescaled', victim, permuteRescale(victim, 'copy'));
for (const epochs of [1, 3, 10])
  await measure(
    'copy',
    `fine-tuned ${epochs} epoch${epochs === 1 ? '' : 's'}`,
    victim,
    await fineTuneCopy(d, victim, epochs, 7),
  );
const thief = { key: benchKey(64, 128, 'thief'), address: owner(99) };
const rewm = await reWatermark(d, victim, thief, { untilSealable: true, epochs: 3, seed: 9 });
await measure('copy', `re-watermarked by a thief (${rewm.steps} steps)`, victim, rewm.weights);
const rewm3 = await reWatermark(d, victim, thief, { untilSealable: false, epochs: 3, seed: 9 });
await measure('copy', 're-watermarked, then 3 epochs', victim, rewm3.weights);
await measure('copy', 're-watermarked, permuted and rescaled', victim, permuteRescale(rewm.weights, 'rewm'));

/** The same function with other weights: hidden units permuted and rescaled wherever that is exact. */
function permuteRescale(weights: readonly Float32Array[], label: string): Float32Array[] {
  let w: Float32Array[] = weights.map((x) => new Float32Array(x));
  const r = Rng.seeded('bench-similarity', label);
  for (const s of symmetryLayers(ctx)) {
    const U = unitCount(ctx, s.layer);
    const perm = Uint32Array.from({ length: U }, (_, k) => k);
    for (let k = U - 1; k > 0; k--) {
      const q = Math.floor(r.nextFloat() * (k + 1));
      [perm[k], perm[q]] = [perm[q]!, perm[k]!];
    }
    w = transformUnits(
      ctx,
      w,
      s.layer,
      perm,
      Float64Array.from({ length: U }, () => Math.exp(2 * r.nextFloat() - 1)),
    );
  }
  return w;
}

const of = (g: Row['group']) => rows.filter((r) => r.group === g);
/** The gap between the groups on a metric: the lowest copy minus the highest independent pair. */
const gap = (m: Metric) => Math.min(...of('copy').map((r) => r[m])) - Math.max(...of('independent').map((r) => r[m]));
const f3 = (x: number) => x.toFixed(3);
// The rule must survive a permuted and rescaled copy, which the weights' cosine does not.
const functional = METRICS.map(([m]) => m).filter((m) => m !== 'cosine');
const best = functional.reduce((x, y) => (gap(y) > gap(x) ? y : x));
const maxIndependent = Math.max(...of('independent').map((r) => r[best]));
const minCopy = Math.min(...of('copy').map((r) => r[best]));
const threshold = (maxIndependent + minCopy) / 2;
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, tfjs ${tf.version_core} (wasm)`;
const label = Object.fromEntries(METRICS) as Record<Metric, string>;
const table = [
  `| pair | group | ${METRICS.map(([, l]) => l).join(' | ')} |`,
  `|---|---|${METRICS.map(() => '--:').join('|')}|`,
  ...rows.map((r) => `| ${r.what} | ${r.group} | ${METRICS.map(([m]) => f3(r[m])).join(' | ')} |`),
  `| **gap** (lowest copy minus highest independent) | | ${METRICS.map(([m]) => f3(gap(m))).join(' | ')} |`,
].join('\n');
const md = `# Functional similarity: independent models and copies

Measured by \`npm run bench:similarity\` on ${machine}; 1-minute load average ${load0.toFixed(1)} at the
start (other work running), ${((Date.now() - t0) / 1000).toFixed(0)} s in all. digits-mlp, ${HONEST} honest models of ${EPOCHS}
epochs each from different seeds and watermark keys (the same public data); the copies are of
honest model 0. Probes: ${PROBES} inputs uniform in [${LO}, ${HI}) per pixel (the pixels' range is [0, 1]) (\`probeInputs\`), and ${PROBES}
blends of two training samples (\`blendProbes\`), from seeded streams. "Same class": share of inputs
with the same arg-max; "logit corr.": Pearson correlation of the per-sample-centred logits.

${table}

- The weights' cosine falls to ${f3(Math.min(...of('copy').map((r) => r.cosine)))} for a permuted and rescaled copy (the same
  function): it cannot be the rule. Functional measures do not move under it.
- On the eval set good models agree because they are right (independent pairs up to
  ${f3(Math.max(...of('independent').map((r) => r.evalAgree)))} of classes), so probes off or between the data carry the signal.
- Best separating functional measure in this run: **${label[best]}**, gap ${f3(gap(best))}
  (independent pairs at most ${f3(maxIndependent)}, copies at least ${f3(minCopy)}).
${
  gap(best) > 0
    ? `- Threshold for the validator's automatic challenge: ${label[best]} at or above **${f3(threshold)}**
  (halfway: a margin of ${f3(minCopy - threshold)} on each side).`
    : `- No functional measure separates every copy from every independent pair in this run: an
  automatic challenge on it would either miss copies or accuse honest trainers. See the rows.`
}
`;
mkdirSync(new URL('../docs/bench/', import.meta.url), { recursive: true });
const outIndex = args.indexOf('--out');
writeFileSync(
  outIndex >= 0
    ? new URL(`../${args[outIndex + 1]!}`, import.meta.url)
    : new URL('../docs/bench/similarity.md', import.meta.url),
  md,
);
console.log(md);
