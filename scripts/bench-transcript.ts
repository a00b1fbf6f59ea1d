// Training transcripts measured (SPEC 8.3; docs/transcript.md; issue 11 section 2), in Node on
// the cpu and wasm backends:
// - honest replays across backends: train a transcript on one backend, replay every segment on
//   the other; per segment the largest relative difference of the two unrounded states, the
//   coordinates that round differently (the tolerance band), the largest distance from the
//   claimed cell (what the tolerance must cover), and whether it replays with the spec's
//   settings; the same pairs re-rounded at other mantissa widths;
// - the freedom the tolerance leaves: the share of coordinates whose replayed value lies within
//   the tolerance of a rounding boundary (either neighbour would pass);
// - cost: a transcript run (rounding, serialization, sha256, storing every state) against the
//   plain trainer over the same steps, and storage per transcript for the bundled specs.
//
//   npm run bench:transcript                         digits-mlp, 2 identities, writes docs/bench/transcript.md
//   npm run bench:transcript -- --runs 4 --segments 10 --no-write
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Address } from 'viem';
import { activateBackend } from '../src/lib/ml/backend/activate.ts';
import { tf } from '../src/lib/ml/backend/tf.ts';
import type { BackendName } from '../src/lib/ml/backend/types.ts';
import { fsSource } from '../src/lib/ml/data/sources.ts';
import type { DatasetManifest } from '../src/lib/ml/data/types.ts';
import { Rng } from '../src/lib/ml/rng.ts';
import { parseModelSpecBytes } from '../src/lib/ml/spec/parse.ts';
import { specShapes } from '../src/lib/ml/spec/shapes.ts';
import { transcriptSettings } from '../src/lib/ml/spec/transcript.ts';
import type { ModelSpec, TranscriptSpec } from '../src/lib/ml/spec/types.ts';
import { datasetData } from '../src/lib/ml/train/dataset.ts';
import { train } from '../src/lib/ml/train/trainer.ts';
import { serializeArtifact } from '../src/lib/ml/artifact/serialize.ts';
import { evaluateArtifact, specHashBytes } from '../src/lib/ml/eval/evaluate.ts';
import { cellDeviation, compareStates, tensorScale } from '../src/lib/ml/transcript/compare.ts';
import { createProgram, type Program } from '../src/lib/ml/transcript/program.ts';
import { gridCell, roundToGrid } from '../src/lib/ml/transcript/round.ts';
import { runTranscript } from '../src/lib/ml/transcript/run.ts';
import { leafOf, slotGroups, stateByteLength, type TranscriptState } from '../src/lib/ml/transcript/state.ts';
import type { TranscriptIdentity } from '../src/lib/ml/transcript/seeds.ts';
import { ownerBits } from '../src/lib/ml/watermark/bits.ts';
import { openTranscriptDir } from '../src/lib/storage/transcripts-fs.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));
const DATASETS: Record<string, string> = {
  'digits-mlp': 'digits-train',
  'fashion-mlp': 'fashion-mnist-train',
  'fashion-cnn': 'fashion-mnist-train',
};
const SWEEP_BITS = [4, 6, 8, 10, 12, 16];
const CANDIDATE_TOLERANCES = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2];

function args() {
  const a = process.argv.slice(2);
  const get = (name: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 ? a[i + 1] : undefined;
  };
  return {
    spec: get('spec') ?? 'digits-mlp',
    runs: Number(get('runs') ?? 2),
    segments: get('segments') === undefined ? undefined : Number(get('segments')),
    overheadRepeats: Number(get('overhead-repeats') ?? 2),
    write: !a.includes('--no-write'),
    out: get('out') ?? 'docs/bench/transcript.md',
    /** A `transcript` section to add to the spec file (its hash changes with it). */
    interval: get('interval') === undefined ? undefined : Number(get('interval')),
    mantissaBits: get('mantissa-bits') === undefined ? undefined : Number(get('mantissa-bits')),
    tolerance: get('tolerance') === undefined ? undefined : Number(get('tolerance')),
  };
}

async function use(name: BackendName): Promise<void> {
  await activateBackend(name, { wasmPaths: path('node_modules/@tensorflow/tfjs-backend-wasm/dist/') });
}

function identity(i: number): TranscriptIdentity {
  const rng = Rng.seeded('bench-transcript/trainer', i);
  const hex = Array.from({ length: 5 }, () => rng.nextU32().toString(16).padStart(8, '0')).join('');
  return { chainId: 31337, task: 1, trainer: `0x${hex}` as Address };
}

function keyFor(id: TranscriptIdentity, T: number, N: number): Uint8Array {
  const rng = Rng.seeded('bench-transcript/key', id.trainer);
  return Uint8Array.from({ length: T * N }, () => rng.nextU32() & 1);
}

interface Setup {
  spec: ModelSpec;
  hash: string;
  manifest: DatasetManifest;
  source: ReturnType<typeof fsSource>;
  settings: TranscriptSpec;
}

async function programFor(s: Setup, id: TranscriptIdentity): Promise<Program> {
  const wm = s.spec.watermark;
  return createProgram({
    spec: s.spec,
    specHash: s.hash,
    identity: id,
    openData: (seed) => datasetData(s.manifest, s.source, { seed }),
    ...(wm ? { keyBits: keyFor(id, wm.bits, wm.length) } : {}),
  });
}

const flat = (s: TranscriptState) => [...s.weights, ...s.slots.flat()];

/** Rounded states s_0..s_K and the unrounded ends u_1..u_K of a transcript on the active backend. */
async function trainStates(p: Program, K: number) {
  const rounded: TranscriptState[] = [p.startState()];
  const raw: TranscriptState[] = [];
  const t0 = performance.now();
  for (let i = 0; i < K; i++) {
    const r = await p.run(rounded[i]!, p.settings.interval);
    raw.push(r.state!);
    rounded.push(p.round(r.state!));
  }
  return { rounded, raw, seconds: (performance.now() - t0) / 1000 };
}

interface SegmentStats {
  replays: boolean;
  /** The first failing coordinates, for the log. */
  worst: string;
  failedCoordinates: number;
  inBand: number;
  maxDeviation: number;
  /** |a-b| / max(|a|,|b|). */
  maxRel: number;
  /** |a-b| / max(|a|,|b|, RMS of the tensor): the scale the tolerance applies on. */
  maxScaled: number;
  meanScaled: number;
  flippable: number;
  /** Coordinates within each candidate tolerance of a boundary of their cell. */
  flippableAt: number[];
  coordinates: number;
  sweep: { bits: number; flipped: number; maxDeviation: number }[];
}

function segmentStats(
  p: Program,
  trainerRaw: TranscriptState,
  claimed: TranscriptState,
  replayed: TranscriptState,
): SegmentStats {
  const check = compareStates(replayed, claimed, {
    settings: p.settings,
    params: p.params,
    optimizer: p.spec.optimizer.name,
    maxFailures: 3,
  });
  const a = flat(trainerRaw);
  const b = flat(replayed);
  const c = flat(claimed);
  let maxRel = 0;
  let maxScaled = 0;
  let sumScaled = 0;
  let n = 0;
  let flippable = 0;
  const flippableAt = CANDIDATE_TOLERANCES.map(() => 0);
  const { mantissaBits: m, tolerance } = p.settings;
  const sweep = SWEEP_BITS.map((bits) => ({ bits, flipped: 0, maxDeviation: 0 }));
  const P = p.params.length;
  const adam = p.spec.optimizer.name === 'adam';
  a.forEach((ta, t) => {
    const tb = b[t]!;
    const rms = tensorScale(c[t]!);
    // The scale compareStates uses (docs/transcript.md section 5).
    const v = adam && t >= P && t < 2 * P ? c[t + P]! : null;
    for (let i = 0; i < ta.length; i++) {
      const x = ta[i]!;
      const y = tb[i]!;
      const floor = v === null ? rms : Math.max(rms, Math.sqrt(v[i]!));
      const big = Math.max(Math.abs(x), Math.abs(y));
      const rel = big === 0 ? 0 : Math.abs(x - y) / big;
      const scaled = big === 0 && floor === 0 ? 0 : Math.abs(x - y) / Math.max(big, floor);
      if (rel > maxRel) maxRel = rel;
      if (scaled > maxScaled) maxScaled = scaled;
      sumScaled += scaled;
      n++;
      // Either neighbour of the replay's cell would pass: the forger's choice.
      const { lo, hi } = gridCell(roundToGrid(y, m), m);
      const edge = y - lo < hi - y ? lo : hi;
      const toEdge = Math.abs(y - edge) / Math.max(Math.abs(edge), floor);
      if (toEdge <= tolerance) flippable++;
      CANDIDATE_TOLERANCES.forEach((tol, k) => {
        if (toEdge <= tol) flippableAt[k]!++;
      });
      for (const s of sweep) {
        const ra = roundToGrid(x, s.bits);
        if (ra !== roundToGrid(y, s.bits)) {
          s.flipped++;
          s.maxDeviation = Math.max(s.maxDeviation, cellDeviation(y, ra, s.bits, floor));
        }
      }
    }
  });
  return {
    replays: check.replays,
    worst: check.failures
      .map(
        (f) => `${f.tensor}[${f.index}] claimed ${e(f.claimed)} replayed ${e(f.replayed)} deviation ${e(f.deviation)}`,
      )
      .join('; '),
    failedCoordinates: check.failed,
    inBand: check.inBand,
    maxDeviation: check.maxDeviation,
    maxRel,
    maxScaled,
    meanScaled: sumScaled / n,
    flippable,
    flippableAt,
    coordinates: n,
    sweep,
  };
}

async function honest(s: Setup, from: BackendName, to: BackendName, id: TranscriptIdentity, K: number) {
  await use(from);
  const pa = await programFor(s, id);
  const trained = await trainStates(pa, K);
  pa.dispose();
  await use(to);
  const pb = await programFor(s, id);
  const stats: SegmentStats[] = [];
  const t0 = performance.now();
  for (let i = 0; i < K; i++) {
    const r = await pb.run(trained.rounded[i]!, pb.settings.interval);
    stats.push(segmentStats(pb, trained.raw[i]!, trained.rounded[i + 1]!, r.state!));
  }
  const replaySeconds = (performance.now() - t0) / 1000;
  pb.dispose();
  return { stats, trainSeconds: trained.seconds, replaySeconds };
}

async function overhead(s: Setup, K: number, repeats: number) {
  await use('wasm');
  const id = identity(999);
  const wm = s.spec.watermark!;
  const keyBits = keyFor(id, wm.bits, wm.length);
  const steps = K * s.settings.interval;
  const evalSource = fsSource(path('public/datasets/digits-eval'));
  const { manifest: evalManifest } = await evalSource.manifest();
  const evalData = datasetData(evalManifest, evalSource, { seed: 0, shuffle: false });
  const params = specShapes(s.spec).params;
  const plain: number[] = [];
  const transcript: number[] = [];
  let bytesPerState = 0;
  const accuracy = { plain: NaN, transcript: NaN };
  const runPlain = async (n: number) =>
    train({
      spec: s.spec,
      data: datasetData(s.manifest, s.source, { seed: 5 }),
      seed: 5,
      overrides: { epochs: 1000 },
      watermark: { keyBits, ownerBits: ownerBits(id.trainer, wm.bits) },
      maxSteps: n,
    });
  const runTr = async () => {
    const dir = mkdtempSync(join(os.tmpdir(), 'bench-transcript-'));
    try {
      const store = await openTranscriptDir(dir);
      const res = await runTranscript({
        spec: s.spec,
        specHash: s.hash,
        identity: id,
        openData: (seed) => datasetData(s.manifest, s.source, { seed }),
        keyBits,
        id: 'bench',
        store,
        segments: K,
      });
      bytesPerState = (await store.state('bench', 0))!.length;
      if (res.status !== 'completed') throw new Error('transcript run did not complete');
      return res.artifact!;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  await runPlain(2 * s.settings.interval); // warm-up: kernels, shard decoding
  for (let r = 0; r < repeats; r++) {
    // Alternate the order so neither side always runs in a warmer process.
    for (const which of r % 2 === 0 ? ['plain', 'transcript'] : ['transcript', 'plain']) {
      const t0 = performance.now();
      if (which === 'plain') {
        const out = await runPlain(steps);
        plain.push((performance.now() - t0) / 1000);
        const art = serializeArtifact(specHashBytes(s.hash), params, out.weights);
        accuracy.plain = (await evaluateArtifact(s.spec, s.hash, art, evalData)).accuracy;
      } else {
        const art = await runTr();
        transcript.push((performance.now() - t0) / 1000);
        accuracy.transcript = (await evaluateArtifact(s.spec, s.hash, art, evalData)).accuracy;
      }
    }
  }
  // The checkpoint itself: round, serialize, hash one state.
  const p = await programFor(s, id);
  const st = (await p.run(p.startState(), 2)).state!;
  const t0 = performance.now();
  const reps = 20;
  for (let i = 0; i < reps; i++) await leafOf(p.encode(p.round(st)));
  const checkpointMs = (performance.now() - t0) / reps;
  p.dispose();
  return { steps, plain, transcript, bytesPerState, checkpointMs, accuracy };
}

async function storageRows(settings: TranscriptSpec) {
  const rows = [];
  for (const [name, data] of Object.entries(DATASETS)) {
    const { spec } = await parseModelSpecBytes(new Uint8Array(readFileSync(path(`public/specs/${name}.json`))));
    const manifest = JSON.parse(readFileSync(path(`public/datasets/${data}/manifest.json`), 'utf8')) as DatasetManifest;
    const { params, paramCount } = specShapes(spec);
    const bytes = stateByteLength(params, slotGroups(spec.optimizer));
    const steps = spec.optimizer.epochs * Math.ceil(manifest.samples / spec.optimizer.batchSize);
    const K = Math.ceil(steps / settings.interval);
    rows.push({ name, params: paramCount, bytes, steps, K, total: bytes * (K + 1) });
  }
  return rows;
}

const e = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const mb = (b: number) => (b / 2 ** 20).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const o = args();
  tf.enableProdMode();
  const load = os.loadavg();
  const uptimeStart = execSync('uptime').toString().trim();
  let bytes = new Uint8Array(readFileSync(path(`public/specs/${o.spec}.json`)));
  const section = Object.fromEntries(
    Object.entries({ interval: o.interval, mantissaBits: o.mantissaBits, tolerance: o.tolerance }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  if (Object.keys(section).length > 0) {
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as object;
    bytes = new TextEncoder().encode(JSON.stringify({ ...doc, transcript: section }, null, 2));
  }
  const { spec, hash } = await parseModelSpecBytes(bytes);
  const source = fsSource(path(`public/datasets/${DATASETS[o.spec]}`));
  const { manifest } = await source.manifest();
  const settings = transcriptSettings(spec);
  const s: Setup = { spec, hash, manifest, source, settings };
  const stepsPerEpoch = Math.ceil(manifest.samples / spec.optimizer.batchSize);
  const K = o.segments ?? Math.ceil((spec.optimizer.epochs * stepsPerEpoch) / settings.interval);
  console.log(
    `${o.spec}: interval ${settings.interval}, mantissaBits ${settings.mantissaBits}, tolerance ${settings.tolerance}, K ${K} (${K * settings.interval} steps), ${o.runs} identities`,
  );

  const pairs: [BackendName, BackendName][] = [
    ['wasm', 'cpu'],
    ['cpu', 'wasm'],
  ];
  const results: {
    from: BackendName;
    to: BackendName;
    run: number;
    stats: SegmentStats[];
    trainSeconds: number;
    replaySeconds: number;
  }[] = [];
  for (let run = 0; run < o.runs; run++) {
    for (const [from, to] of pairs) {
      const r = await honest(s, from, to, identity(run), K);
      results.push({ from, to, run, ...r });
      const failed = r.stats.filter((x) => !x.replays).length;
      r.stats.forEach((x, i) => {
        if (!x.replays) console.log(`  segment ${i}: ${x.failedCoordinates} coordinates fail: ${x.worst}`);
      });
      console.log(
        `run ${run} ${from} -> ${to}: ${failed}/${K} segments fail, max deviation ${e(Math.max(...r.stats.map((x) => x.maxDeviation)))}, max rel diff ${e(Math.max(...r.stats.map((x) => x.maxRel)))}, in band ${r.stats.reduce((a, x) => a + x.inBand, 0)}, train ${r.trainSeconds.toFixed(1)} s, replay ${r.replaySeconds.toFixed(1)} s`,
      );
    }
  }
  const ov = await overhead(s, K, o.overheadRepeats);
  console.log(
    `overhead: plain ${ov.plain.map((x) => x.toFixed(1)).join('/')} s, transcript ${ov.transcript.map((x) => x.toFixed(1)).join('/')} s, checkpoint ${ov.checkpointMs.toFixed(1)} ms`,
  );
  const uptimeEnd = execSync('uptime').toString().trim();

  const lines: string[] = [];
  const w = (l = '') => lines.push(l);
  w('# Training transcripts: honest replays, tolerance, cost');
  w();
  w(
    `Written by \`npm run bench:transcript\` (scripts/bench-transcript.ts) on ${new Date().toISOString().slice(0, 10)}.`,
  );
  w(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; load average at start ${load.map((x) => x.toFixed(2)).join(' ')}.`,
  );
  w(
    `\`uptime\` before: \`${uptimeStart}\`; after: \`${uptimeEnd}\`. Shared machine: absolute times are indicative, ratios come from the same run.`,
  );
  w();
  w(
    `Spec \`${o.spec}\` (sha256 ${hash.slice(0, 12)}...)${Object.keys(section).length > 0 ? ` with the transcript section ${JSON.stringify(section)} added` : ''}, transcript settings: interval ${settings.interval}, mantissaBits ${settings.mantissaBits}, tolerance ${settings.tolerance}. K = ${K} segments (${K * settings.interval} steps, the spec's ${spec.optimizer.epochs} epochs rounded up to whole segments). Each identity is a different trainer address (own init, data order, dropout, watermark key). WebGL and WebGPU cannot run in Node and are not in these tables.`,
  );
  w();
  w('## Honest replays across backends');
  w();
  w(
    "Train a transcript on one backend, replay every segment on the other. Columns: segments that fail with the spec settings; the largest relative difference between the two unrounded end states, |a-b| / max(|a|,|b|), over every coordinate of weights and optimizer moments (dominated by values near zero); the same on the scale the tolerance uses, |a-b| / max(|a|,|b|, RMS of the tensor), largest and mean; coordinates in the tolerance band (the claimed value differs from the replay's rounding but passes by the tolerance), summed over segments; the largest deviation of a replayed value from its claimed cell (the tolerance must be at least this); the margin (tolerance / that deviation).",
  );
  w();
  w(
    '| run | trained on | replayed on | failed segments | max rel. difference | max scaled difference | mean scaled difference | in band (of coordinates x K) | max deviation from cell | margin |',
  );
  w('|---|---|---|---|---|---|---|---|---|---|');
  let worst = 0;
  let failedTotal = 0;
  for (const r of results) {
    const maxDev = Math.max(...r.stats.map((x) => x.maxDeviation));
    worst = Math.max(worst, maxDev);
    const failed = r.stats.filter((x) => !x.replays).length;
    failedTotal += failed;
    const meanScaled = r.stats.reduce((a, x) => a + x.meanScaled, 0) / r.stats.length;
    w(
      `| ${r.run} | ${r.from} | ${r.to} | ${failed} / ${K} | ${e(Math.max(...r.stats.map((x) => x.maxRel)))} | ${e(Math.max(...r.stats.map((x) => x.maxScaled)))} | ${e(meanScaled)} | ${r.stats.reduce((a, x) => a + x.inBand, 0)} (of ${r.stats[0]!.coordinates} x ${K}) | ${e(maxDev)} | ${maxDev === 0 ? 'inf' : (settings.tolerance / maxDev).toFixed(1) + 'x'} |`,
    );
  }
  w();
  w(
    `Over all ${results.length * K} replayed segments: ${failedTotal} failed; the largest deviation from the claimed cell was ${e(worst)}, so the tolerance ${settings.tolerance} leaves a margin of ${worst === 0 ? 'inf' : (settings.tolerance / worst).toFixed(1) + 'x'}.`,
  );
  w();
  w('### Other grids, same replays');
  w();
  w(
    "The same pairs of unrounded states rounded at other mantissa widths (the trajectories themselves were rounded at the spec's width): coordinates that round differently per segment (mean) and the largest deviation from the cell, i.e. the smallest tolerance that would pass every segment.",
  );
  w();
  w(
    '| mantissa bits | grid step (relative) | coordinates rounding differently per segment (mean) | smallest passing tolerance |',
  );
  w('|---|---|---|---|');
  const all = results.flatMap((r) => r.stats);
  for (const bits of SWEEP_BITS) {
    const rows = all.map((x) => x.sweep.find((y) => y.bits === bits)!);
    w(
      `| ${bits} | ${e(2 ** -bits)} | ${(rows.reduce((a, x) => a + x.flipped, 0) / rows.length).toFixed(1)} | ${e(Math.max(...rows.map((x) => x.maxDeviation)))} |`,
    );
  }
  w();
  w('## The freedom the tolerance leaves');
  w();
  const coords = all[0]!.coordinates;
  const flipMean = all.reduce((a, x) => a + x.flippable, 0) / all.length;
  const inBandMean = all.reduce((a, x) => a + x.inBand, 0) / all.length;
  const walk = 2 * settings.tolerance * K;
  w(
    `A claimed value passes if the replayed value lies within the tolerance of its cell, measured on the coordinate's scale (max(|value|, RMS of its tensor)): a forger may choose any such value. Mean per replayed segment, ${flipMean.toFixed(1)} of ${coords} coordinates (${((100 * flipMean) / coords).toFixed(2)}%) had a choice at all: all values far below their tensor's RMS (most optimizer moments; their cells are narrower than the band) and the values near a boundary. What bounds the forger is the size of the choice, not the count: a claimed value can be at most tolerance x scale from the honest one beyond the cell, so a segment moves a coordinate by at most about one grid step (for values above the scale; a coordinate is that close to a boundary with probability about 2 x tolerance / step) or tolerance x RMS (for values below it). The expected drift is thus about 2 x tolerance of a coordinate's scale per segment, whatever the grid: over K = ${K} segments at most ${e(walk)} (${(walk * 100).toFixed(3)}%) if every choice went the target's way and training did not pull back. Two independently trained models differ by about sqrt(2) x the weights' RMS per coordinate, so this bound is ${((100 * walk) / Math.SQRT2).toFixed(3)}% of that distance (issue 11 target: under 1%). Honest replays put ${inBandMean.toFixed(1)} coordinates per segment in the band (mean).`,
  );
  w();
  w(
    'Candidate tolerances on the same replays: honest segments that would fail, the share of coordinates a forger had any choice in per segment, and the drift bound over K segments as a share of the distance between independent models (2 x tolerance x K / sqrt(2)).',
  );
  w();
  w(
    '| tolerance | failed honest segments | coordinates with a choice per segment | drift bound over K (share of model distance) |',
  );
  w('|---|---|---|---|');
  CANDIDATE_TOLERANCES.forEach((tol, k) => {
    const failedAt = all.filter((x) => x.maxDeviation > tol).length;
    const choosable = all.reduce((a, x) => a + x.flippableAt[k]!, 0) / all.length;
    w(
      `| ${e(tol)}${tol === settings.tolerance ? ' (spec)' : ''} | ${failedAt} / ${all.length} | ${((100 * choosable) / coords).toFixed(3)}% | ${((100 * 2 * tol * K) / Math.SQRT2).toFixed(3)}% |`,
    );
  });
  w();
  w('## Cost');
  w();
  const plain = median(ov.plain);
  const tr = median(ov.transcript);
  w(
    `Wall time of ${ov.steps} training steps on wasm (median of ${o.overheadRepeats}, after a warm-up run, order alternating): the plain trainer (train.ts, loss read every 10 steps) ${plain.toFixed(1)} s; a transcript run (rounding, serialization, sha256 and a file write of every state, K = ${K}) ${tr.toFixed(1)} s: ratio ${(tr / plain).toFixed(3)} (target at most 1.10). One checkpoint (round the whole state, serialize, sha256) ${ov.checkpointMs.toFixed(1)} ms. Samples: plain ${ov.plain.map((x) => x.toFixed(1)).join(', ')} s; transcript ${ov.transcript.map((x) => x.toFixed(1)).join(', ')} s. Accuracy on digits-eval (250 samples) after those steps: plain ${(100 * ov.accuracy.plain).toFixed(1)}%, transcript (states rounded to ${settings.mantissaBits} mantissa bits every ${settings.interval} steps) ${(100 * ov.accuracy.transcript).toFixed(1)}% (different seeds and data orders: equal up to run-to-run spread).`,
  );
  w();
  const sec = results.filter((r) => r.to === 'wasm').map((r) => r.replaySeconds / K);
  const secCpu = results.filter((r) => r.to === 'cpu').map((r) => r.replaySeconds / K);
  w(
    `Checking one segment of ${settings.interval} steps in Node (median): wasm ${median(sec).toFixed(2)} s, cpu ${median(secCpu).toFixed(2)} s (a whole transcript: K times that).`,
  );
  w();
  w(
    `Storage per transcript (K + 1 states; the disclosure uploads the same bytes plus the key), at interval ${settings.interval} and each spec's own epochs:`,
  );
  w();
  w('| spec | parameters | bytes per state | steps | K | per transcript (MiB) |');
  w('|---|---|---|---|---|---|');
  for (const r of await storageRows(settings))
    w(`| ${r.name} | ${r.params} | ${r.bytes} | ${r.steps} | ${r.K} | ${mb(r.total)} |`);
  w();
  w(`Measured state size for ${o.spec}: ${ov.bytesPerState} bytes.`);
  const text = lines.join('\n') + '\n';
  console.log(text);
  if (o.write) writeFileSync(path(o.out), text);
}

await main();
