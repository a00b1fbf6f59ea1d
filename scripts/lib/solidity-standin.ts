// The Solidity corpus as token windows in memory, for the LM benches until the token datasets of
// issue 14 (public/datasets/solidity-*, scripts/data/solidity.ts) are in the repository: the same
// sources and the design's rules (split by file with Rng.seeded('aiarena/solidity-split/v1'),
// about 80/10/10 by bytes; each file's bytes and one 0x00 separator, in sorted path order; windows
// of L + 1 tokens with stride L, the last padded with 0x00), but not byte-for-byte the shipped
// datasets: the numbers it gives are labelled "stand-in".
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Rng } from '../../src/lib/ml/rng.ts';
import { REPO_ROOT } from './paths.ts';

const ROOTS: [string, string][] = [
  ['openzeppelin', 'node_modules/@openzeppelin/contracts'],
  ['solady', 'node_modules/solady/src'],
  ['forge-std', 'node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std'],
];

export interface TokenSplit {
  /** Inputs, `samples * L` token ids. */
  features: Int32Array;
  /** Targets, `samples * L` (inputs shifted by one). */
  labels: Int32Array;
  samples: number;
  /** Bytes of the stream (sources and separators). */
  bytes: number;
  files: string[];
}

function solFiles(dir: string, name: string): { path: string; file: string }[] {
  const out: { path: string; file: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.sol')) out.push({ path: `${name}/${relative(dir, p)}`, file: p });
    }
  };
  walk(dir);
  return out;
}

/** Windows of `L + 1` tokens with stride L over `stream`, the last padded with 0. */
export function windows(stream: Uint8Array, L: number): { features: Int32Array; labels: Int32Array; samples: number } {
  const samples = Math.max(1, Math.ceil((stream.length - 1) / L));
  const features = new Int32Array(samples * L);
  const labels = new Int32Array(samples * L);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < L; i++) {
      features[s * L + i] = stream[s * L + i] ?? 0;
      labels[s * L + i] = stream[s * L + i + 1] ?? 0;
    }
  }
  return { features, labels, samples };
}

function splitOf(files: { path: string; file: string }[], L: number): TokenSplit {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : 1));
  const parts = sorted.map((f) => readFileSync(f.file));
  const bytes = parts.reduce((n, p) => n + p.length + 1, 0);
  const stream = new Uint8Array(bytes);
  let at = 0;
  for (const p of parts) {
    stream.set(p, at);
    at += p.length + 1; // the 0x00 separator
  }
  return { ...windows(stream, L), bytes, files: sorted.map((f) => f.path) };
}

export function solidityStandIn(L: number): { train: TokenSplit; eval: TokenSplit; hidden: TokenSplit } {
  const files = ROOTS.flatMap(([name, dir]) => solFiles(join(REPO_ROOT, dir), name));
  const sizes = files.map((f) => statSync(f.file).size + 1);
  const total = sizes.reduce((a, b) => a + b, 0);
  const order = Rng.seeded('aiarena/solidity-split/v1').permutation(files.length);
  const groups: { path: string; file: string }[][] = [[], [], []];
  let seen = 0;
  for (const i of order) {
    groups[seen < 0.8 * total ? 0 : seen < 0.9 * total ? 1 : 2]!.push(files[i]!);
    seen += sizes[i]!;
  }
  return { train: splitOf(groups[0]!, L), eval: splitOf(groups[1]!, L), hidden: splitOf(groups[2]!, L) };
}
