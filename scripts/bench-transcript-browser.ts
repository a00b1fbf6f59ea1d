// Training transcripts measured in headless Chromium (SPEC 8.3; docs/transcript.md; issue 11
// section 2, "Measure"), what scripts/bench-transcript.ts cannot measure in Node:
// - honest replays across backends through the app's eval worker (src/lib/ml/client.ts
//   `createEvaluator`, a dedicated worker): transcripts trained in Node on wasm and on cpu, every
//   segment replayed in Chromium on webgpu (SwiftShader here) and on wasm; transcripts trained in
//   Chromium on webgpu by the app's train worker (`createTrainer().transcript`), every segment
//   replayed in Node on wasm and on cpu; WebGL tried, with what the worker answers;
// - the time to check one segment and a whole transcript (the spec's K) in the worker, against
//   Node on wasm in the same run;
// - a whole transcript's disclosure (src/lib/agents/disclosure.ts) uploaded to and opened from
//   the local blob store (scripts/lib/blob-store), from Node and from the page.
//
//   npm run bench:transcript-browser                       20 identities, K = 5, writes docs/bench/transcript-browser.md
//   npm run bench:transcript-browser -- --runs 2 --segments 2 --browser-runs 1 --whole-segments 4 --no-write
//   npm run bench:transcript-browser -- --skip-whole-webgpu --out /tmp/transcript-browser.md
//   npm run bench:transcript-browser -- --runs 0 --browser-runs 0 --out docs/bench/transcript-browser-whole.md
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import type { Page } from 'playwright-core';
import { casStorePort } from '../src/lib/agents/adapters/store.ts';
import { openDisclosure, uploadDisclosure } from '../src/lib/agents/disclosure.ts';
import { tf } from '../src/lib/ml/backend/tf.ts';
import type { BackendName } from '../src/lib/ml/backend/types.ts';
import type { SegmentCheck } from '../src/lib/ml/transcript/compare.ts';
import { replaySegment } from '../src/lib/ml/transcript/replay.ts';
import { runTranscript } from '../src/lib/ml/transcript/run.ts';
import type { TranscriptIdentity } from '../src/lib/ml/transcript/seeds.ts';
import type { TranscriptMeta } from '../src/lib/ml/transcript/store.ts';
import { datasetData } from '../src/lib/ml/train/dataset.ts';
import { openTranscriptDir } from '../src/lib/storage/transcripts-fs.ts';
import type { CasConfig } from '../src/lib/storage/cas/index.ts';
import { startHarness, type Harness } from '../test/browser/harness.ts';
import { startBlobStore, type BlobStore } from './lib/blob-store/index.ts';
import {
  DATASETS,
  identity,
  keyFor,
  loadSetup,
  programFor,
  repoPath,
  trainStates,
  useBackend,
  type Setup,
} from './lib/transcript-bench.ts';

function args() {
  const a = process.argv.slice(2);
  const get = (name: string) => {
    const i = a.indexOf(`--${name}`);
    return i >= 0 ? a[i + 1] : undefined;
  };
  const num = (name: string, fallback: number) => Number(get(name) ?? fallback);
  return {
    spec: get('spec') ?? 'digits-mlp',
    /** Identities trained in Node (on wasm and on cpu), each replayed in Chromium on webgpu and wasm. */
    runs: num('runs', 20),
    identityOffset: num('identity-offset', 0),
    /** K of those transcripts (small, so that the runs fit the bench's time). */
    segments: num('segments', 5),
    /**
     * Segments of each Node-trained transcript replayed on webgpu (SwiftShader: ~10 s a segment),
     * a window that moves with the run so every position is covered; wasm and webgl replay all K.
     */
    webgpuSegments: num('webgpu-segments', 1),
    /** Transcripts trained in Chromium on webgpu, replayed in Node on wasm and cpu. */
    browserRuns: num('browser-runs', 3),
    /** Their identities start here (apart from the Node-trained ones). */
    browserOffset: num('browser-offset', 500),
    /** K of the whole transcript timed and disclosed (default: the spec's epochs in segments). */
    wholeSegments: get('whole-segments') === undefined ? undefined : Number(get('whole-segments')),
    /** Do not replay the whole transcript on webgpu in Chromium (its longest step). */
    wholeWebgpu: !a.includes('--skip-whole-webgpu'),
    write: !a.includes('--no-write'),
    out: get('out') ?? 'docs/bench/transcript-browser.md',
  };
}

const PAGE = '/test/browser/pages/transcript.html';
/** Identity of the whole transcript (the spec's K). */
const WHOLE_RUN = 999;
/** Disclosure uploads and opens per side. */
const DISCLOSE_REPEATS = 3;
/** Replays of a failed segment on the backend where it failed. */
const RECHECK_REPEATS = 3;

// ---- the page side: the app's workers through its client, installed once per page ----

/**
 * Installs `window.bench` in the page. A string, with dynamic imports of the app's modules (as the
 * browser tests do: Vite serves /src/...); bytes travel as base64 (Playwright moves strings cheaply).
 */
const INSTALL = `(async () => {
  const { createEvaluator, createTrainer } = await import('/src/lib/ml/client.ts');
  const { evalWorker, trainWorker } = await import('/src/app/workers.ts');
  const { openTranscriptStore } = await import('/src/lib/storage/transcripts.ts');
  const { openDisclosure, uploadDisclosure } = await import('/src/lib/agents/disclosure.ts');
  const { casStorePort } = await import('/src/lib/agents/adapters/store.ts');
  const toB64 = (b) => {
    let s = '';
    for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const fromB64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const specBytes = new Uint8Array(await (await fetch(SPEC_URL)).arrayBuffer());
  const evaluator = createEvaluator(evalWorker());
  const trainer = createTrainer(trainWorker());
  const loaded = new Map();
  const brief = (c) => c && {
    replays: c.replays, coordinates: c.coordinates, equal: c.equal, inBand: c.inBand, outliers: c.outliers,
    outlierBudget: c.outlierBudget, outlierUnit: c.outlierUnit, outliersOutsideUnit: c.outliersOutsideUnit,
    failed: c.failed, maxDeviation: c.maxDeviation, claimedStep: c.claimedStep, replayedStep: c.replayedStep,
    failures: c.failures.slice(0, 3),
  };
  window.bench = {
    load(key, states) { loaded.set(key, states.map(fromB64)); },
    drop(key) { loaded.delete(key); },
    async replay(key, job) {
      const states = loaded.get(key);
      const out = [];
      for (const i of job.segments) {
        const t0 = performance.now();
        try {
          const r = await evaluator.replay({
            specBytes, dataUrl: DATA_URL, identity: job.identity, keyBits: fromB64(job.keyBits),
            start: states[i], claimed: states[i + 1], backend: job.backend, maxFailures: 3,
            ...(job.allowHalfPrecision ? { allowHalfPrecision: true } : {}),
          });
          out.push({ segment: i, wall: (performance.now() - t0) / 1000, seconds: r.seconds, backend: r.backend,
            floatPrecision: r.floatPrecision, specHash: r.specHash, check: brief(r.check) });
        } catch (e) {
          out.push({ segment: i, wall: (performance.now() - t0) / 1000, error: String(e && e.message ? e.message : e) });
        }
      }
      return out;
    },
    async train(job) {
      const segments = [];
      const t0 = performance.now();
      const r = await trainer.transcript({
        transcriptId: job.id, specBytes, dataUrl: DATA_URL, identity: job.identity, keyBits: fromB64(job.keyBits),
        segments: job.segments, backend: job.backend,
      }, { onSegment: (s) => segments.push(s.seconds) });
      const seconds = (performance.now() - t0) / 1000;
      const store = await openTranscriptStore();
      const states = [];
      for (let i = 0; i <= job.segments; i++) states.push(toB64(await store.state(job.id, i)));
      store.close();
      await trainer.deleteTranscript(job.id);
      return { status: r.status, backend: r.backend, specHash: r.specHash, root: r.meta.root, seconds, segments, states };
    },
    async disclose(job) {
      // The states go into this browser's transcript store, as the train worker keeps them.
      const store = await openTranscriptStore();
      const states = loaded.get(job.key);
      for (const [i, s] of states.entries()) await store.save(job.meta, i, s);
      const port = casStorePort(job.cas);
      const key = { T: job.T, N: job.N, bits: fromB64(job.keyBits), salt: BigInt(job.salt) };
      const t0 = performance.now();
      const up = await uploadDisclosure(port, store, job.meta.id, key);
      const upload = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const opened = await openDisclosure(port, up.manifest);
      let fetched = 0;
      for (let i = 0; i < opened.disclosure.leaves.length; i++) fetched += (await opened.state(i)).length;
      const open = (performance.now() - t1) / 1000;
      await store.delete(job.meta.id);
      store.close();
      return { manifest: up.manifest, bytes: up.bytes, upload, open, fetched, leaves: opened.disclosure.leaves.length };
    },
  };
  const adapter = await navigator.gpu?.requestAdapter();
  const info = adapter && adapter.info;
  return info ? info.vendor + ' ' + info.architecture + (info.isFallbackAdapter ? ' (fallback adapter)' : '') : 'none';
})()`;

/** What the page hands back of the worker's check (compare.ts SegmentCheck). */
type PageCheck = Pick<
  SegmentCheck,
  | 'replays'
  | 'coordinates'
  | 'equal'
  | 'inBand'
  | 'outliers'
  | 'outlierBudget'
  | 'outlierUnit'
  | 'outliersOutsideUnit'
  | 'failed'
  | 'maxDeviation'
  | 'claimedStep'
  | 'replayedStep'
  | 'failures'
>;
interface PageReplay {
  segment: number;
  wall: number;
  seconds?: number;
  backend?: string;
  floatPrecision?: number;
  specHash?: string;
  check?: PageCheck;
  error?: string;
}
interface PageTrain {
  status: string;
  backend: string;
  specHash: string;
  root?: Hex;
  seconds: number;
  segments: number[];
  states: string[];
}
interface PageDisclose {
  manifest: Hex;
  bytes: number;
  upload: number;
  open: number;
  fetched: number;
  leaves: number;
}
interface ReplayJobIn {
  identity: TranscriptIdentity;
  keyBits: string;
  backend: BackendName;
  segments: number[];
  allowHalfPrecision?: boolean;
}
type Bench = {
  bench: {
    load(key: string, states: string[]): void;
    drop(key: string): void;
    replay(key: string, job: ReplayJobIn): Promise<PageReplay[]>;
    train(job: {
      id: string;
      identity: TranscriptIdentity;
      keyBits: string;
      segments: number;
      backend: BackendName;
    }): Promise<PageTrain>;
    disclose(job: {
      key: string;
      meta: TranscriptMeta;
      cas: CasConfig;
      T: number;
      N: number;
      keyBits: string;
      salt: string;
    }): Promise<PageDisclose>;
  };
};
const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

class BenchPage {
  constructor(readonly page: Page) {}
  load = (key: string, states: Uint8Array[]) =>
    this.page.evaluate(([k, s]) => (window as unknown as Bench).bench.load(k, s), [key, states.map(b64)] as const);
  drop = (key: string) => this.page.evaluate((k) => (window as unknown as Bench).bench.drop(k), key);
  replay = (key: string, job: ReplayJobIn) =>
    this.page.evaluate(([k, j]) => (window as unknown as Bench).bench.replay(k, j), [key, job] as const);
  train = (job: Parameters<Bench['bench']['train']>[0]) =>
    this.page.evaluate((j) => (window as unknown as Bench).bench.train(j), job);
  disclose = (job: Parameters<Bench['bench']['disclose']>[0]) =>
    this.page.evaluate((j) => (window as unknown as Bench).bench.disclose(j), job);
}

// ---- measurements ----

/** One segment's check, wherever it ran. */
interface Seg {
  segment: number;
  check: PageCheck | null;
  error?: string;
  /** The worker's (or Node's) replaySegment seconds: decode, run, compare. */
  seconds: number;
  /** The whole job: spec, data, program, backend, replay (Node: the same as seconds). */
  wall: number;
}
interface Pair {
  run: number;
  from: string;
  to: string;
  segs: Seg[];
}

const keyBitsOf = (s: Setup, id: TranscriptIdentity) => keyFor(id, s.spec.watermark!.bits, s.spec.watermark!.length);

/** Replays states[i] -> states[i+1] for every i in Node on `backend`. */
async function nodeReplay(s: Setup, id: TranscriptIdentity, states: Uint8Array[], backend: BackendName) {
  await useBackend(backend);
  const t0 = performance.now();
  const p = await programFor(s, id);
  const segs: Seg[] = [];
  for (let i = 0; i + 1 < states.length; i++) {
    const t1 = performance.now();
    const r = await replaySegment(p, states[i]!, states[i + 1]!, { maxFailures: 3 });
    segs.push({ segment: i, check: r.check!, seconds: r.seconds, wall: (performance.now() - t1) / 1000 });
  }
  p.dispose();
  return { segs, seconds: (performance.now() - t0) / 1000 };
}

function fromPage(rs: PageReplay[], hash: string): Seg[] {
  return rs.map((r) => {
    if (r.specHash !== undefined && r.specHash !== hash)
      throw new Error(`the page hashed the spec to ${r.specHash}, Node to ${hash}: not the same bytes`);
    return {
      segment: r.segment,
      check: r.check ?? null,
      ...(r.error !== undefined ? { error: r.error } : {}),
      seconds: r.seconds ?? NaN,
      wall: r.wall,
    };
  });
}

const e = (x: number) => (x === 0 ? '0' : x.toExponential(2));
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
};
const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
const f2 = (x: number) => x.toFixed(2);
const mib = (b: number) => (b / 2 ** 20).toFixed(2);

function logPair(p: Pair): void {
  const checks = p.segs.map((x) => x.check).filter((c): c is PageCheck => c !== null);
  const errors = p.segs.filter((x) => x.error !== undefined);
  console.log(
    `run ${p.run} ${p.from} -> ${p.to}: ${errors.length > 0 ? `${errors.length} errors (${errors[0]!.error}); ` : ''}${checks.filter((c) => !c.replays).length}/${checks.length} fail, most outliers ${Math.max(0, ...checks.map((c) => c.outliers))}, in band ${sum(checks.map((c) => c.inBand))}, max deviation ${e(Math.max(0, ...checks.map((c) => c.maxDeviation)))}, ${f2(sum(p.segs.map((x) => x.wall)))} s`,
  );
  p.segs.forEach((x) => {
    const c = x.check;
    if (c && (!c.replays || c.outliers > 0))
      console.log(
        `  segment ${x.segment}: ${c.replays ? 'replays' : 'FAILS'}; ${c.outliers} outliers (budget ${c.outlierBudget}), most in ${c.outlierUnit}, ${c.outliersOutsideUnit} outside it, ${c.failed} failed, max deviation ${e(c.maxDeviation)}${c.failures.length > 0 ? `: ${c.failures.map((f) => `${f.tensor}[${f.index}] ${e(f.deviation)} (${f.reason})`).join('; ')}` : ''}`,
      );
  });
}

async function main() {
  const o = args();
  tf.enableProdMode();
  const t00 = performance.now();
  const load = os.loadavg();
  const uptimeStart = execSync('uptime').toString().trim();
  const s = await loadSetup(o.spec);
  const { spec, hash, manifest, settings } = s;
  const wm = spec.watermark!;
  const K = o.segments;
  const stepsPerEpoch = Math.ceil(manifest.samples / spec.optimizer.batchSize);
  const specK = Math.ceil((spec.optimizer.epochs * stepsPerEpoch) / settings.interval);
  const KW = o.wholeSegments ?? specK;
  console.log(
    `${o.spec}: interval ${settings.interval}, mantissaBits ${settings.mantissaBits}, tolerance ${settings.tolerance}, outliers ${settings.outlierShare} within ${settings.outlierTolerance}; K ${K} x ${o.runs} Node identities, ${o.browserRuns} Chromium identities; whole transcript K ${KW}`,
  );

  const harness: Harness = await startHarness();
  const dirs: string[] = [];
  const stores: BlobStore[] = [];
  const pairs: Pair[] = [];
  const browserTrained: { run: number; seconds: number; segments: number[]; backend: string }[] = [];
  const rechecks: { run: number; from: string; to: string; segment: number; where: string; seg: Seg }[] = [];
  const webgl: { precision: number | null; refused: string | null; half: Pair | null; halfError: string | null } = {
    precision: null,
    refused: null,
    half: null,
    halfError: null,
  };
  /** The segments of transcript (run r, trainer t) replayed on webgpu: a rotating window of --webgpu-segments. */
  const webgpuSegments = (r: number, t: number) => {
    const n = Math.min(o.webgpuSegments, K);
    return [...Array(n).keys()].map((j) => ((2 * r + t) * n + j) % K).sort((a, b) => a - b);
  };
  let adapter: string;
  let chromiumVersion: string;
  const whole: {
    nodeTrain: number;
    node: { segs: Seg[]; seconds: number };
    worker: Partial<Record<'wasm' | 'webgl' | 'webgpu', { segs: Seg[]; seconds: number }>>;
    bytesPerState: number;
    disclosure: { node: PageDisclose[]; page: PageDisclose[]; pageError: string | null };
  } = {
    nodeTrain: 0,
    node: { segs: [], seconds: 0 },
    worker: {},
    bytesPerState: 0,
    disclosure: { node: [], page: [], pageError: null },
  };
  try {
    const page = await harness.open(PAGE);
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
    adapter = (await page.evaluate(
      INSTALL.replace('SPEC_URL', JSON.stringify(`/specs/${o.spec}.json`)).replaceAll(
        'DATA_URL',
        JSON.stringify(`/datasets/${DATASETS[o.spec]}`),
      ),
    )) as string;
    chromiumVersion = harness.context.browser()?.version() ?? '';
    const bp = new BenchPage(page);
    /**
     * Every segment of `mine` that failed, replayed again: RECHECK_REPEATS times where it failed and
     * once everywhere else (Chromium wasm, webgl, webgpu; Node wasm, cpu). The same answer each time
     * is a deterministic difference of that backend; another answer, a backend that is not.
     */
    const recheck = async (mine: Pair[], id: TranscriptIdentity, states: Uint8Array[]) => {
      for (const pair of mine)
        for (const x of pair.segs) {
          if (x.check?.replays !== false) continue;
          await bp.load('recheck', states);
          const keyBits = b64(keyBitsOf(s, id));
          for (const where of ['Chromium wasm', 'Chromium webgl', 'Chromium webgpu', 'Node wasm', 'Node cpu']) {
            const backend = where.split(' ')[1] as BackendName;
            for (let k = 0; k < (where === pair.to ? RECHECK_REPEATS : 1); k++) {
              const [seg] = where.startsWith('Node')
                ? (await nodeReplay(s, id, states.slice(x.segment, x.segment + 2), backend)).segs.map((y) => ({
                    ...y,
                    segment: x.segment,
                  }))
                : fromPage(await bp.replay('recheck', { identity: id, keyBits, backend, segments: [x.segment] }), hash);
              rechecks.push({ run: pair.run, from: pair.from, to: pair.to, segment: x.segment, where, seg: seg! });
              const c = seg!.check;
              console.log(
                `  recheck run ${pair.run} ${pair.from} segment ${x.segment} on ${where}: ${c ? `${c.replays ? 'replays' : 'FAILS'}, ${c.outliers} outliers, ${c.failed} failed, max deviation ${e(c.maxDeviation)}` : seg!.error}`,
              );
            }
          }
          await bp.drop('recheck');
        }
    };
    console.log(`Chromium ${chromiumVersion}, WebGPU adapter: ${adapter}`);

    // 1. Node-trained transcripts, every segment replayed in the Chromium eval worker.
    for (let r = 0; r < o.runs; r++) {
      const run = o.identityOffset + r;
      const id = identity(run);
      const keyBits = b64(keyBitsOf(s, id));
      for (const [t, from] of (['wasm', 'cpu'] as BackendName[]).entries()) {
        await useBackend(from);
        const p = await programFor(s, id);
        const trained = await trainStates(p, K);
        const states = trained.rounded.map((x) => p.encode(x));
        p.dispose();
        const key = `${run}-${from}`;
        await bp.load(key, states);
        const mine: Pair[] = [];
        for (const to of ['wasm', 'webgl', 'webgpu'] as BackendName[]) {
          const segments = to === 'webgpu' ? webgpuSegments(r, t) : [...Array(K).keys()];
          const rs = await bp.replay(key, { identity: id, keyBits, backend: to, segments });
          const pair = { run, from: `Node ${from}`, to: `Chromium ${to}`, segs: fromPage(rs, hash) };
          pairs.push(pair);
          mine.push(pair);
          logPair(pair);
          if (to !== 'webgl') continue;
          webgl.precision ??= rs.find((x) => x.floatPrecision !== undefined)?.floatPrecision ?? null;
          // Refused (a 16-bit WebGL): say so, and measure it forced to half precision, once.
          if (rs[0]?.error !== undefined && webgl.refused === null) {
            webgl.refused = rs[0].error;
            const half = await bp.replay(key, {
              identity: id,
              keyBits,
              backend: to,
              segments,
              allowHalfPrecision: true,
            });
            if (half[0]?.error !== undefined) webgl.halfError = half[0].error;
            else {
              webgl.half = {
                run,
                from: `Node ${from}`,
                to: `Chromium webgl (${half[0]?.floatPrecision}-bit, forced)`,
                segs: fromPage(half, hash),
              };
              logPair(webgl.half);
            }
          }
        }
        await bp.drop(key);
        await recheck(mine, id, states);
      }
      console.log(`  ${((performance.now() - t00) / 1000).toFixed(0)} s so far`);
    }

    // 2. Transcripts trained in Chromium on webgpu (the train worker's transcript job), replayed in Node.
    for (let r = 0; r < o.browserRuns; r++) {
      const run = o.browserOffset + r;
      const id = identity(run);
      const t = await bp.train({
        id: `bench-${run}`,
        identity: id,
        keyBits: b64(keyBitsOf(s, id)),
        segments: K,
        backend: 'webgpu',
      });
      if (t.status !== 'completed' || t.specHash !== hash.replace(/^0x/, ''))
        throw new Error(`Chromium transcript ${run}: ${t.status}, spec ${t.specHash} (Node ${hash})`);
      browserTrained.push({ run, seconds: t.seconds, segments: t.segments, backend: t.backend });
      console.log(`run ${run} trained in Chromium on ${t.backend}: ${f2(t.seconds)} s`);
      const states = t.states.map(unb64);
      const mine: Pair[] = [];
      for (const to of ['wasm', 'cpu'] as BackendName[]) {
        const nr = await nodeReplay(s, id, states, to);
        const pair = { run, from: `Chromium ${t.backend}`, to: `Node ${to}`, segs: nr.segs };
        pairs.push(pair);
        mine.push(pair);
        logPair(pair);
      }
      await bp.load(`b-${run}`, states);
      for (const to of ['wasm', 'webgl'] as BackendName[]) {
        const rs = await bp.replay(`b-${run}`, {
          identity: id,
          keyBits: b64(keyBitsOf(s, id)),
          backend: to,
          segments: [...Array(K).keys()],
        });
        const pair = { run, from: `Chromium ${t.backend}`, to: `Chromium ${to}`, segs: fromPage(rs, hash) };
        pairs.push(pair);
        mine.push(pair);
        logPair(pair);
      }
      await bp.drop(`b-${run}`);
      await recheck(mine, id, states);
      console.log(`  ${((performance.now() - t00) / 1000).toFixed(0)} s so far`);
    }

    // 3. A whole transcript (the spec's K): trained in Node on wasm, checked in Node and in the worker.
    const wid = identity(WHOLE_RUN);
    const wKey = keyBitsOf(s, wid);
    const dir = mkdtempSync(join(os.tmpdir(), 'bench-transcript-browser-'));
    dirs.push(dir);
    const tstore = await openTranscriptDir(dir);
    await useBackend('wasm');
    const tw = performance.now();
    const res = await runTranscript({
      spec,
      specHash: hash,
      identity: wid,
      openData: (seed) => datasetData(manifest, s.source, { seed }),
      keyBits: wKey,
      id: 'whole',
      store: tstore,
      segments: KW,
      backend: 'wasm',
    });
    whole.nodeTrain = (performance.now() - tw) / 1000;
    if (res.status !== 'completed') throw new Error('the whole transcript did not complete');
    const wStates: Uint8Array[] = [];
    for (let i = 0; i <= KW; i++) wStates.push((await tstore.state('whole', i))!);
    whole.bytesPerState = wStates[0]!.length;
    console.log(`whole transcript: K ${KW}, trained in Node on wasm in ${f2(whole.nodeTrain)} s`);
    whole.node = await nodeReplay(s, wid, wStates, 'wasm');
    console.log(`  replayed in Node on wasm: ${f2(whole.node.seconds)} s`);
    await bp.load('whole', wStates);
    for (const to of o.wholeWebgpu ? (['wasm', 'webgl', 'webgpu'] as const) : (['wasm', 'webgl'] as const)) {
      const t0 = performance.now();
      const rs = await bp.replay('whole', {
        identity: wid,
        keyBits: b64(wKey),
        backend: to,
        segments: [...Array(KW).keys()],
      });
      whole.worker[to] = { segs: fromPage(rs, hash), seconds: (performance.now() - t0) / 1000 };
      const pair = { run: WHOLE_RUN, from: 'Node wasm', to: `Chromium ${to}`, segs: whole.worker[to].segs };
      pairs.push(pair);
      logPair(pair);
      await recheck([pair], wid, wStates);
    }

    // 4. Its disclosure: uploaded to and opened from the local blob store, from Node and the page.
    const blobs = async () => {
      const d = mkdtempSync(join(os.tmpdir(), 'bench-transcript-blobs-'));
      dirs.push(d);
      const b = await startBlobStore({ dir: d, port: 0, uploadOrigins: ['*'] });
      stores.push(b);
      const cas: CasConfig = {
        gateways: [b.url],
        upload: { kind: 'store', url: `${b.url}/upload` },
        maxBytes: b.maxBlobBytes,
      };
      return cas;
    };
    const salt = 123456789n;
    const key = { T: wm.bits, N: wm.length, bits: wKey, salt };
    const meta = (await tstore.meta('whole'))!;
    // Each repeat to a fresh store, so no blob is already there.
    for (let rep = 0; rep < DISCLOSE_REPEATS; rep++) {
      const port = casStorePort(await blobs());
      const t1 = performance.now();
      const up = await uploadDisclosure(port, tstore, 'whole', key);
      const upload = (performance.now() - t1) / 1000;
      const t2 = performance.now();
      const opened = await openDisclosure(port, up.manifest);
      let fetched = 0;
      for (let i = 0; i < opened.disclosure.leaves.length; i++) fetched += (await opened.state(i)).length;
      const open = (performance.now() - t2) / 1000;
      const leaves = opened.disclosure.leaves.length;
      whole.disclosure.node.push({ manifest: up.manifest, bytes: up.bytes, upload, open, fetched, leaves });
      console.log(
        `disclosure from Node: ${up.bytes} bytes, upload ${f2(upload)} s, open and fetch ${f2(open)} s (${fetched} state bytes)`,
      );
    }
    const digest = whole.disclosure.node[0]!.manifest;
    try {
      for (let rep = 0; rep < DISCLOSE_REPEATS; rep++) {
        const d = await bp.disclose({
          key: 'whole',
          meta,
          cas: await blobs(),
          T: wm.bits,
          N: wm.length,
          keyBits: b64(wKey),
          salt: salt.toString(),
        });
        if (d.manifest !== digest) throw new Error(`the page's manifest ${d.manifest} is not Node's ${digest}`);
        whole.disclosure.page.push(d);
        console.log(
          `disclosure from the page: ${d.bytes} bytes, upload ${f2(d.upload)} s, open and fetch ${f2(d.open)} s`,
        );
      }
    } catch (err) {
      whole.disclosure.pageError = (err as Error).message;
      console.log(`disclosure from the page failed: ${whole.disclosure.pageError}`);
    }
    tstore.close();
  } finally {
    for (const b of stores) await b.close();
    await harness.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  const uptimeEnd = execSync('uptime').toString().trim();
  const totalSeconds = (performance.now() - t00) / 1000;

  // ---- the report ----
  const lines: string[] = [];
  const w = (l = '') => lines.push(l);
  const coords = pairs.flatMap((p) => p.segs).find((x) => x.check)?.check?.coordinates ?? 0;
  const budget = Math.floor(settings.outlierShare * coords);
  w('# Training transcripts in Chromium: WebGPU, WebGL, worker times, disclosure');
  w();
  w(
    `Written by \`npm run bench:transcript-browser\` (scripts/bench-transcript-browser.ts) on ${new Date().toISOString().slice(0, 10)}, in ${(totalSeconds / 60).toFixed(1)} min. Options: \`--runs ${o.runs} --segments ${K} --browser-runs ${o.browserRuns} --whole-segments ${KW}${o.wholeWebgpu ? '' : ' --skip-whole-webgpu'}\`.`,
  );
  w(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, no GPU, Node ${process.version}; headless Debian Chromium ${chromiumVersion} (test/browser/harness.ts: Vite dev server, \`--enable-unsafe-webgpu\`), WebGPU adapter: ${adapter}. Load average at start ${load.map((x) => x.toFixed(2)).join(' ')}.`,
  );
  w(
    `\`uptime\` before: \`${uptimeStart}\`; after: \`${uptimeEnd}\`. Shared machine: absolute times are indicative; ratios come from the same run.`,
  );
  w();
  w(
    `Spec \`${o.spec}\` as bundled (public/specs/${o.spec}.json, sha256 ${hash.slice(0, 12)}..., the same bytes in Node and in the page: every worker answer's spec hash is checked), the spec's default transcript settings: interval ${settings.interval}, mantissaBits ${settings.mantissaBits}, tolerance ${settings.tolerance}, at most ${budget} outliers per segment (outlierShare ${settings.outlierShare} of ${coords} coordinates) within the outlier tolerance ${settings.outlierTolerance} (docs/transcript.md section 5). Each run is a different trainer address (scripts/lib/transcript-bench.ts \`identity\`: own init, data order, dropout, watermark key).`,
  );
  w();
  w('## Honest replays across backends');
  w();
  w(
    `${o.runs > 0 ? `Runs ${o.identityOffset}..${o.identityOffset + o.runs - 1}: a transcript of K = ${K} segments (${K * settings.interval} steps; K small so that ${o.runs} runs fit the bench's time, where the spec's whole training is ${specK} segments) trained in Node on wasm and on cpu (\`trainStates\`), replayed in Chromium by the app's eval worker (\`createEvaluator(evalWorker()).replay\`, one job per segment, as a validator's page runs them): every segment on wasm and on webgl; on webgpu (SwiftShader, about 10 s a segment here) ${Math.min(o.webgpuSegments, K)} of the ${K} segments per transcript, a window that moves with the run and the trainer backend so that every position is replayed by ${(2 * o.runs * Math.min(o.webgpuSegments, K)) / K} transcripts. ` : 'No per-identity runs in this invocation (`--runs 0`). '}Run ${WHOLE_RUN}: the whole transcript of K = ${KW} (section "Time to check"), trained in Node on wasm, every segment replayed in the worker on wasm, webgl${o.wholeWebgpu ? ' and webgpu' : ''}: the later segments, where the runs above do not reach.${o.browserRuns > 0 ? ` Runs ${o.browserOffset}..${o.browserOffset + o.browserRuns - 1}: a transcript of K = ${K} trained in Chromium on webgpu by the app's train worker (\`createTrainer(trainWorker()).transcript\`, states read back from its IndexedDB), every segment replayed in Node on wasm and on cpu (\`replaySegment\`) and in the worker on wasm and webgl.` : ''} The worker answers a segment check, not the replayed state, so the columns are the check's: segments that fail the spec's rule; the same under the one-unit rule (outlierScope 'unit'); the most outliers (beyond the tolerance) in one segment; coordinates in the tolerance band summed over segments; the largest deviation of a replayed value from its claimed cell; the margin (outlier tolerance / that deviation).`,
  );
  w();
  const groups = new Map<string, Pair[]>();
  for (const p of pairs) {
    const k = `${p.from} -> ${p.to}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const summary = (ps: Pair[]) => {
    const segs = ps.flatMap((p) => p.segs);
    const checks = segs.map((x) => x.check).filter((c): c is PageCheck => c !== null);
    const most = Math.max(0, ...checks.map((c) => c.outliers));
    const dev = Math.max(0, ...checks.map((c) => c.maxDeviation));
    return {
      runs: ps.length,
      segments: segs.length,
      errors: segs.filter((x) => x.error !== undefined).length,
      failed: checks.filter((c) => !c.replays).length,
      failedUnit: checks.filter((c) => !c.replays || (settings.outlierShare > 0 && c.outliersOutsideUnit > 0)).length,
      withOutliers: checks.filter((c) => c.outliers > 0).length,
      noBudget: checks.filter((c) => c.outliers > 0 || c.failed > 0).length,
      most,
      inBand: sum(checks.map((c) => c.inBand)),
      equalShare: sum(checks.map((c) => c.equal)) / Math.max(1, sum(checks.map((c) => c.coordinates))),
      dev,
      countMargin: most === 0 ? 'inf' : `${(budget / most).toFixed(2)}x`,
      devMargin: dev === 0 ? 'inf' : `${(settings.outlierTolerance / dev).toFixed(1)}x`,
    };
  };
  w('### Per backend pair');
  w();
  w(
    '| trained on | replayed on | runs | segments | failed (spec rule) | failed, one-unit rule | segments with outliers | would fail without the budget | most outliers in a segment (budget) | count margin | coordinates equal after rounding | in band (sum) | max deviation from cell | deviation margin |',
  );
  w('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [k, ps] of groups) {
    const x = summary(ps);
    const [from, to] = k.split(' -> ');
    w(
      `| ${from} | ${to} | ${x.runs} | ${x.segments}${x.errors > 0 ? ` (${x.errors} errors)` : ''} | **${x.failed}** | ${x.failedUnit} | ${x.withOutliers} | ${x.noBudget} | ${x.most} (${budget}) | ${x.countMargin} | ${(100 * x.equalShare).toFixed(3)}% | ${x.inBand} | ${e(x.dev)} | ${x.devMargin} |`,
    );
  }
  w();
  const all = summary(pairs);
  w(
    `Over all ${all.segments} honestly replayed segments: **${all.failed} failed** the spec's rule (${all.failedUnit} the one-unit rule); ${all.withOutliers} had outliers, at most ${all.most} in one segment against the budget of ${budget} (margin ${all.countMargin}); the largest deviation from a claimed cell was ${e(all.dev)} against the outlier tolerance ${settings.outlierTolerance} (margin ${all.devMargin}).`,
  );
  w();
  w('### Per run');
  w();
  w(
    '| run | trained on | replayed on | failed segments | failed, one-unit rule | most outliers in a segment | in band (of coordinates x K) | max deviation from cell | margin | job time, all segments (s) |',
  );
  w('|---|---|---|---|---|---|---|---|---|---|');
  for (const p of pairs) {
    const x = summary([p]);
    w(
      `| ${p.run} | ${p.from} | ${p.to} | ${x.failed} / ${x.segments}${x.errors > 0 ? ` (${x.errors} errors)` : ''} | ${x.failedUnit} / ${x.segments} | ${x.most} | ${x.inBand} (of ${coords} x ${x.segments}) | ${e(x.dev)} | ${x.devMargin} | ${f2(sum(p.segs.map((s) => s.wall)))} |`,
    );
  }
  w();
  if (rechecks.length > 0) {
    w('### Failed segments, replayed again');
    w();
    w(
      `Each failed segment replayed ${RECHECK_REPEATS} more times on the backend where it failed and once on every other (a fresh job each time): the same answer each time means that backend computes this segment differently, deterministically; other answers would mean it is not deterministic.`,
    );
    w();
    w(
      '| run | trained on | failed on | segment | replayed on | result | outliers (budget) | beyond the outlier tolerance | max deviation from cell | coordinates equal |',
    );
    w('|---|---|---|---|---|---|---|---|---|---|');
    for (const x of rechecks) {
      const c = x.seg.check;
      w(
        c
          ? `| ${x.run} | ${x.from} | ${x.to} | ${x.segment} | ${x.where} | ${c.replays ? 'replays' : '**fails**'} | ${c.outliers} (${c.outlierBudget}) | ${c.failed} | ${e(c.maxDeviation)} | ${c.equal} of ${c.coordinates} |`
          : `| ${x.run} | ${x.from} | ${x.to} | ${x.segment} | ${x.where} | error: ${x.seg.error} | - | - | - | - |`,
      );
    }
    w();
  }
  w('### WebGL');
  w();
  if (webgl.refused === null)
    w(
      `The eval worker (a dedicated worker: tfjs's webgl backend on an OffscreenCanvas, SwiftShader's WebGL 2) reports ${webgl.precision ?? 'no'}-bit float precision (\`floatPrecision\` in every answer) and replays transcripts on webgl like any 32-bit backend: its rows are in the tables above. (SwiftShader renders WebGL to float32 textures; \`activateBackend\` asks \`WEBGL_RENDER_FLOAT32_ENABLED\` rather than tfjs's inverted check, docs/bench/consensus.md. A device without float32 render targets would be refused, as the eval service refuses any backend under 32 bits unless the job sets \`allowHalfPrecision\`.) A real GPU's WebGL could not be measured.`,
    );
  else {
    w(
      `The eval worker refused webgl for a 32-bit transcript: \`${webgl.refused}\` (every webgl row above is that error).`,
    );
    w();
    if (webgl.half) {
      const x = summary([webgl.half]);
      w(
        `Forced with the job's \`allowHalfPrecision\`, ${x.segments} segments on ${webgl.half.to}: **${x.failed} of ${x.segments} failed**, ${(100 * x.equalShare).toFixed(2)}% of coordinates equal after rounding, most outliers in a segment ${x.most} (budget ${budget}), largest deviation from a claimed cell ${e(x.dev)} (outlier tolerance ${settings.outlierTolerance}).`,
      );
    } else if (webgl.halfError !== null)
      w(`Forced with \`allowHalfPrecision\`, the worker failed: \`${webgl.halfError}\`.`);
  }
  w();

  w('## Time to check in the Chromium worker');
  w();
  const perSeg = (to: string) => pairs.filter((p) => p.to === to).flatMap((p) => p.segs.filter((x) => x.check));
  const wnode = whole.node.segs.map((x) => x.seconds);
  w(
    `One segment (${settings.interval} steps of ${o.spec}), every replay of the honest runs above (the whole transcript's included): the job as the page waits for it (spec parsed, dataset manifest and shards fetched, program built, backend selected, replayed, compared) and the replay inside it (\`replaySegment\`: decode, ${settings.interval} steps, compare). Node on wasm: the whole transcript's ${wnode.length} segments replayed in this run (\`replaySegment\`, program built once).`,
  );
  w();
  w(
    '| where | backend | segments timed | job, median (s) | job, p90 (s) | replay, median (s) | replay, p90 (s) | job median / Node wasm replay median |',
  );
  w('|---|---|---|---|---|---|---|---|');
  const nodeMedian = q(wnode, 0.5);
  for (const to of ['wasm', 'webgl', 'webgpu']) {
    const segs = perSeg(`Chromium ${to}`);
    if (segs.length === 0) continue;
    const walls = segs.map((x) => x.wall);
    const reps = segs.map((x) => x.seconds);
    w(
      `| Chromium eval worker | ${to} | ${segs.length} | ${f2(q(walls, 0.5))} | ${f2(q(walls, 0.9))} | ${f2(q(reps, 0.5))} | ${f2(q(reps, 0.9))} | ${(q(walls, 0.5) / nodeMedian).toFixed(1)}x |`,
    );
  }
  for (const to of ['wasm', 'cpu']) {
    const segs = pairs.filter((p) => p.to === `Node ${to}`).flatMap((p) => p.segs);
    if (segs.length === 0) continue;
    const reps = segs.map((x) => x.seconds);
    w(
      `| Node (webgpu-trained runs) | ${to} | ${segs.length} | - | - | ${f2(q(reps, 0.5))} | ${f2(q(reps, 0.9))} | - |`,
    );
  }
  w(`| Node | wasm (whole transcript) | ${wnode.length} | - | - | ${f2(nodeMedian)} | ${f2(q(wnode, 0.9))} | 1.0x |`);
  w();
  w(
    `A whole transcript (identity ${WHOLE_RUN}, K = ${KW}, the spec's ${spec.optimizer.epochs} epochs; trained in Node on wasm in ${f2(whole.nodeTrain)} s), every segment replayed once, one after the other:`,
  );
  w();
  w('| where | backend | failed segments | wall time (s) | ratio to Node wasm |');
  w('|---|---|---|---|---|');
  w(
    `| Node | wasm | ${whole.node.segs.filter((x) => !x.check?.replays).length} / ${KW} | ${f2(whole.node.seconds)} | 1.0x |`,
  );
  for (const to of ['wasm', 'webgl', 'webgpu'] as const) {
    const r = whole.worker[to];
    if (!r) {
      w(`| Chromium eval worker | ${to} | not run (--skip-whole-webgpu) | - | - |`);
      continue;
    }
    w(
      `| Chromium eval worker | ${to} | ${r.segs.filter((x) => !x.check?.replays).length} / ${KW} | ${f2(r.seconds)} | ${(r.seconds / whole.node.seconds).toFixed(1)}x |`,
    );
  }
  w();
  if (browserTrained.length > 0) {
    const segsT = browserTrained.flatMap((b) => b.segments);
    w(
      `Training in Chromium on ${browserTrained[0]!.backend} (the train worker's transcript job, K = ${K}): ${browserTrained.map((b) => f2(b.seconds)).join(', ')} s per transcript; one segment (rounding, hashing and the IndexedDB write included) median ${f2(q(segsT, 0.5))} s, p90 ${f2(q(segsT, 0.9))} s.`,
    );
    w();
  }
  w('## Disclosure of the whole transcript');
  w();
  const d = whole.disclosure;
  const bytes = d.node[0]?.bytes ?? 0;
  w(
    `The same K = ${KW} transcript disclosed (src/lib/agents/disclosure.ts \`uploadDisclosure\`: every state, then the manifest) through \`casStorePort\` to the local blob store (scripts/lib/blob-store \`startBlobStore\`, a fresh store for each repeat), then opened (\`openDisclosure\`: the manifest fetched and parsed, every state fetched and checked against its leaf). ${KW + 1} states of ${whole.bytesPerState} bytes plus a manifest of ${bytes - (KW + 1) * whole.bytesPerState} bytes: **${bytes} bytes (${mib(bytes)} MiB)** in ${KW + 2} blobs. Median of ${DISCLOSE_REPEATS} repeats per side (samples in brackets).`,
  );
  w();
  w('| from | bytes uploaded | upload (s) | upload rate (MiB/s) | download and open, every state checked (s) |');
  w('|---|---|---|---|---|');
  const row = (where: string, xs: PageDisclose[]) => {
    const up = q(
      xs.map((x) => x.upload),
      0.5,
    );
    w(
      `| ${where} | ${xs[0]!.bytes} | ${f2(up)} (${xs.map((x) => f2(x.upload)).join(', ')}) | ${(xs[0]!.bytes / 2 ** 20 / up).toFixed(1)} | ${f2(
        q(
          xs.map((x) => x.open),
          0.5,
        ),
      )} (${xs.map((x) => f2(x.open)).join(', ')}) |`,
    );
  };
  row('Node (states read from the transcript folder)', d.node);
  if (d.page.length > 0) row('Chromium page (states read from its IndexedDB)', d.page);
  if (d.pageError !== null) w(`| Chromium page | failed: ${d.pageError} | - | - | - |`);
  w();
  w(
    'Both sides produced the same manifest digest. The store runs on this machine (loopback): the times are the protocol code, hashing and the store, not a network; over a real link add size / bandwidth.',
  );
  w();
  w('## What is and is not measured');
  w();
  w(
    `- Measured: ${o.spec} only${o.spec === 'digits-mlp' ? " (the smallest demo spec; the fashion specs' states are 20 to 25 times larger and were not run here)" : ''}; WebGPU on SwiftShader (a CPU implementation of Vulkan), not on a GPU; K = ${K} for the cross-backend runs (the first ${K} segments of training), K = ${KW} for the whole transcript (${KW === specK ? "the spec's whole training" : `the spec's whole training is ${specK}`}).`,
  );
  w(
    `- WebGPU replays of the Node-trained runs: ${Math.min(o.webgpuSegments, K)} of ${K} segments per transcript (SwiftShader's ~10 s a segment would take ${((2 * o.runs * K * 10) / 60).toFixed(0)} min for all), so ${o.runs} runs per pair but ${2 * o.runs * Math.min(o.webgpuSegments, K)} segments, plus the whole transcript's ${o.wholeWebgpu ? KW : 0}. WebGL: only SwiftShader's.`,
  );
  w(
    `- Chromium-trained transcripts: ${o.browserRuns} runs on webgpu (a segment of training takes about as long as a replay there), not 20. Not replayed: a webgpu-trained transcript on webgpu (determinism on one backend), cpu in Chromium.`,
  );
  w(
    '- Not measured: a real network or IPFS gateway (loopback blob store), a phone, other browsers, the fashion specs in the browser.',
  );
  const text = lines.join('\n') + '\n';
  console.log(text);
  if (o.write) writeFileSync(repoPath(o.out), text);
}

await main();
