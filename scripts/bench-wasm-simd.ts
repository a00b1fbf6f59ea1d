// Does tfjs's wasm backend compute the same bits without SIMD as with it? Transcripts train and
// replay on wasm (docs/transcript.md section 5), and tfjs loads its plain binary where a browser
// has no WebAssembly SIMD: a juror there must replay an honest transcript exactly too. This
// process trains transcripts with SIMD and stores every segment's start and unrounded end; a
// child process (the flag must be set before the backend starts) replays each segment with the
// plain binary and counts the coordinates that differ. Writes docs/bench/transcript-wasm-simd.md.
//
//   npm run bench:wasm-simd [-- --runs 4 --segments 5 --specs digits-mlp,fashion-mlp,fashion-cnn]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '../src/lib/ml/backend/tf.ts';
import {
  identity,
  loadSetup,
  programFor,
  repoPath,
  stateTensors,
  trainStates,
  useBackend,
} from './lib/transcript-bench.ts';

const args = process.argv.slice(2);
const get = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(get('runs') ?? 4);
const segments = Number(get('segments') ?? 5);
const specs = (get('specs') ?? 'digits-mlp,fashion-mlp,fashion-cnn').split(',');

interface Row {
  spec: string;
  run: number;
  segment: number;
  coordinates: number;
  differing: number;
  maxAbs: number;
}

async function start(simd: boolean): Promise<{ simd: boolean }> {
  await import('@tensorflow/tfjs-backend-wasm');
  if (!simd) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  await useBackend('wasm');
  return { simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean };
}

/** Child: replay every stored segment with the plain binary; prints the rows as JSON. */
async function replay(dir: string): Promise<void> {
  const backend = await start(false);
  if (backend.simd) throw new Error('the plain binary was not selected');
  const rows: Row[] = [];
  for (const spec of specs) {
    const s = await loadSetup(spec);
    for (let r = 0; r < runs; r++) {
      const p = await programFor(s, identity(r));
      for (let i = 0; i < segments; i++) {
        const read = (name: string) => p.decode(new Uint8Array(readFileSync(join(dir, `${spec}-${r}-${name}.bin`))));
        const replayed = stateTensors((await p.run(read(`s${i}`), p.settings.interval)).state!);
        const trained = stateTensors(read(`u${i}`));
        let coordinates = 0;
        let differing = 0;
        let maxAbs = 0;
        replayed.forEach((t, k) => {
          const ref = trained[k]!;
          coordinates += t.length;
          for (let j = 0; j < t.length; j++)
            if (t[j] !== ref[j]) {
              differing++;
              maxAbs = Math.max(maxAbs, Math.abs(t[j]! - ref[j]!));
            }
        });
        rows.push({ spec, run: r, segment: i, coordinates, differing, maxAbs });
      }
      p.dispose();
    }
  }
  console.log(JSON.stringify(rows));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-wasm-simd-'));
  const started = Date.now();
  try {
    const backend = await start(true);
    if (!backend.simd) throw new Error('this Node has no WebAssembly SIMD: nothing to compare');
    for (const spec of specs) {
      const s = await loadSetup(spec);
      for (let r = 0; r < runs; r++) {
        const p = await programFor(s, identity(r));
        const t = await trainStates(p, segments);
        for (let i = 0; i < segments; i++) {
          // State bytes keep every float32 as it is: the unrounded end survives them exactly.
          writeFileSync(join(dir, `${spec}-${r}-s${i}.bin`), p.encode(t.rounded[i]!));
          writeFileSync(join(dir, `${spec}-${r}-u${i}.bin`), p.encode(t.raw[i]!));
        }
        p.dispose();
      }
    }
    const out = execFileSync(
      repoPath('node_modules/.bin/tsx'),
      ['--import', './src/lib/ml/backend/node/register.mjs', fileURLToPath(import.meta.url), ...args, '--replay', dir],
      { cwd: repoPath('.'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const rows = JSON.parse(out.trim().split('\n').at(-1)!) as Row[];
    const lines = [
      '# Training transcripts on wasm with and without SIMD',
      '',
      `Written by \`npm run bench:wasm-simd\` (scripts/bench-wasm-simd.ts) on ${new Date().toISOString().slice(0, 10)}, in ${((Date.now() - started) / 1000).toFixed(0)} s; Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores.`,
      '',
      `Transcripts (K = ${segments}, each spec's transcript settings) trained on tfjs's wasm backend with SIMD (tfjs-backend-wasm-simd.wasm); every segment replayed in another process on the plain binary (tfjs-backend-wasm.wasm, what tfjs loads where WebAssembly SIMD is missing) from the same rounded start, and the unrounded ends compared bit for bit over every coordinate (weights and optimizer moments). Trainer identities 0..${runs - 1} of the transcript benches.`,
      '',
      '| spec | segments | coordinates per state | segments with any coordinate differing | largest difference |',
      '|---|---|---|---|---|',
    ];
    for (const spec of specs) {
      const mine = rows.filter((x) => x.spec === spec);
      const diff = mine.filter((x) => x.differing > 0);
      lines.push(
        `| ${spec} | ${mine.length} | ${mine[0]?.coordinates ?? 0} | ${diff.length} | ${Math.max(0, ...mine.map((x) => x.maxAbs))} |`,
      );
    }
    lines.push('');
    const md = lines.join('\n');
    console.log(md);
    writeFileSync(repoPath('docs/bench/transcript-wasm-simd.md'), md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const replayAt = args.indexOf('--replay');
if (replayAt >= 0) await replay(args[replayAt + 1]!);
else await main();
