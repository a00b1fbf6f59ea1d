// The corpus converter (scripts/lib/lm) on a small synthetic corpus: the split, the datasets it
// writes, and that two runs write the same bytes.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { createLoader } from '../../../src/lib/ml/data/loader.ts';
import { fsSource } from '../../../src/lib/ml/data/sources.ts';
import { isTokenLayout } from '../../../src/lib/ml/data/types.ts';
import { Rng } from '../../../src/lib/ml/rng.ts';
import { splitFiles } from '../../../scripts/lib/lm/corpus.ts';
import { compareOutputs, convertCorpus, readCorpus, type CorpusConversion } from '../../../scripts/lib/lm/convert.ts';
import { packageDigest, readPackage } from '../../../scripts/lib/lm/packages.ts';
import { measureLmBaselines, renderBaselineTable } from '../../../scripts/lib/lm/baseline-report.ts';

const tmp = mkdtempSync(join(tmpdir(), 'aiarena-corpus-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Source text with some structure, `n` bytes, from a seeded stream. */
function source(seed: string, n: number): string {
  const rng = Rng.seeded(seed);
  const words = ['function', 'uint256', 'return', 'require', '{', '}', ';', 'emit', 'mapping', '\n    '];
  let s = `// SPDX-License-Identifier: MIT\ncontract C${seed.length} {\n`;
  while (s.length < n) s += `${words[rng.nextInt(words.length)]} `;
  return s.slice(0, n);
}

function writePackage(dir: string, version: string | null, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  if (version !== null) writeFileSync(join(dir, 'package.json'), JSON.stringify({ version }));
}

const pkgA = join(tmp, 'pkgs', 'a');
const pkgB = join(tmp, 'pkgs', 'b');
writePackage(
  pkgA,
  '1.2.3',
  Object.fromEntries(
    Array.from({ length: 24 }, (_, i) => [`src/dir${i % 3}/File${i}.sol`, source(`a${i}`, 200 + 37 * i)]),
  ),
);
writePackage(pkgB, null, {
  'Top.sol': source('top', 900),
  'lib/Util.sol': source('util', 450),
  'README.md': 'not a source file',
  'lib/notes.txt': 'neither',
  LICENSE: 'MIT License\n\nCopyright (c) test\n',
});

function conversion(sequenceLength = 16): CorpusConversion {
  return {
    title: 'Test corpus',
    packages: [
      { name: '@test/a', version: '1.2.3', license: 'MIT', dir: pkgA },
      { name: 'b', version: '0.0.1', license: 'MIT', dir: pkgB, licenseFiles: ['LICENSE'] },
    ],
    suffix: '.sol',
    seed: 'aiarena/test-split/v1',
    fractions: { train: 0.8, eval: 0.1 },
    sequenceLength,
    shardSequences: 40,
    license: 'MIT (test)',
    targets: {
      train: { name: 'test-train', dir: 'public/datasets/test-train' },
      eval: { name: 'test-eval', dir: 'public/datasets/test-eval' },
      final: { name: 'test-final', dir: 'hidden/test-final' },
    },
    lists: {
      public: 'public/datasets/test-files.md',
      hidden: 'hidden/test-files.md',
      notices: 'public/datasets/test-licenses.md',
    },
  };
}

describe('corpus packages', () => {
  it('reads the suffix files as <name>/<path>, sorted, and checks version and digest', () => {
    const files = readPackage(conversion().packages[1]!, '.sol');
    expect(files.map((f) => f.path)).toEqual(['b/Top.sol', 'b/lib/Util.sol']);
    const a = readPackage(conversion().packages[0]!, '.sol');
    expect(a).toHaveLength(24);
    expect(a[0]!.path).toBe('@test/a/src/dir0/File0.sol');
    const digest = packageDigest(a);
    expect(readPackage({ ...conversion().packages[0]!, digest }, '.sol')).toHaveLength(24);
    expect(() => readPackage({ ...conversion().packages[0]!, digest: '0'.repeat(64) }, '.sol')).toThrow(
      new RegExp(`@test/a 1.2.3: its 24 \\*.sol files have digest ${digest}, expected 0{64}; the package changed`),
    );
    expect(() => readPackage({ ...conversion().packages[0]!, version: '1.2.4' }, '.sol')).toThrow(
      /holds version 1.2.3, the corpus is built from 1.2.4/,
    );
  });
});

describe('splitFiles', () => {
  const files = readCorpus(conversion());
  const total = files.reduce((n, f) => n + f.bytes.length, 0);

  it('partitions the files by the seeded walk, about 80/10/10 by bytes', () => {
    const s = splitFiles(files, 'aiarena/test-split/v1', { train: 0.8, eval: 0.1 });
    const all = [...s.train, ...s.eval, ...s.final].map((f) => f.path).sort();
    expect(all).toEqual(files.map((f) => f.path).sort());
    for (const part of [s.train, s.eval, s.final]) {
      expect(part.length).toBeGreaterThan(0);
      expect(part.map((f) => f.path)).toEqual([...part.map((f) => f.path)].sort());
    }
    // The rule, replayed: walk the permutation, place by the bytes before each file.
    const perm = Rng.seeded('aiarena/test-split/v1').permutation(files.length);
    let before = 0;
    for (const i of perm) {
      const f = files[i]!;
      const want = before < 0.8 * total ? s.train : before < 0.9 * total ? s.eval : s.final;
      expect(want).toContain(f);
      before += f.bytes.length;
    }
    const share = (p: typeof files) => p.reduce((n, f) => n + f.bytes.length, 0) / total;
    expect(share(s.train)).toBeGreaterThan(0.75);
    expect(share(s.train)).toBeLessThan(0.85);
    // Another seed, another split.
    const other = splitFiles(files, 'another', { train: 0.8, eval: 0.1 });
    expect(other.final.map((f) => f.path)).not.toEqual(s.final.map((f) => f.path));
    expect(() => splitFiles(files, 'x', { train: 0.9, eval: 0.1 })).toThrow(/train \+ eval < 1/);
  });
});

describe('convertCorpus', () => {
  it('writes the same bytes and dataset hashes on every run', async () => {
    const conv = conversion();
    const files = readCorpus(conv);
    const one = await convertCorpus(join(tmp, 'one'), conv, files, 'test');
    const two = await convertCorpus(join(tmp, 'two'), conv, readCorpus(conv), 'test');
    expect(two.map((s) => s.dataset.hash)).toEqual(one.map((s) => s.dataset.hash));
    expect(compareOutputs(join(tmp, 'one'), join(tmp, 'two'), conv)).toEqual([]);
    // The comparison sees a changed byte (so the empty list above means something).
    const m = join(tmp, 'two', conv.targets.eval.dir, 'manifest.json');
    writeFileSync(m, readFileSync(m, 'utf8').replace('test-eval', 'test-evaL'));
    expect(compareOutputs(join(tmp, 'one'), join(tmp, 'two'), conv)).toEqual([
      `${conv.targets.eval.dir}/manifest.json`,
    ]);
    // Another sequence length is another dataset.
    const longer = await convertCorpus(join(tmp, 'three'), conversion(32), files, 'test');
    expect(longer[0]!.dataset.hash).not.toBe(one[0]!.dataset.hash);
  });

  it('writes datasets whose sequences are the split stream cut with stride L', async () => {
    const conv = conversion();
    const root = join(tmp, 'four');
    const splits = await convertCorpus(root, conv, readCorpus(conv), 'test');
    for (const s of splits) {
      const source = fsSource(join(root, s.dir));
      const { manifest, hash } = await source.manifest();
      expect(hash).toBe(s.dataset.hash);
      expect(hash).toBe(await sha256Hex(readFileSync(join(root, s.dir, 'manifest.json'))));
      if (!isTokenLayout(manifest)) throw new Error('not a token dataset');
      expect(manifest.name).toBe(conv.targets[s.split].name);
      expect(manifest.tokens).toEqual({ vocab: 256, sequenceLength: 16, separator: 0 });
      const stream = Uint8Array.from([...s.files.flatMap((f) => [...f.bytes, 0])]);
      const n = Math.ceil((stream.length - 1) / 16);
      expect(manifest.samples).toBe(n);
      expect(manifest.shards.map((r) => r.samples)).toEqual(
        Array.from({ length: Math.ceil(n / 40) }, (_, i) => Math.min(40, n - 40 * i)),
      );
      // In file order: the first input byte of each sequence, then the targets, rebuild the stream.
      const inputs: number[] = [];
      const targets: number[] = [];
      for await (const b of createLoader(manifest, source, { batchSize: 7, seed: 0, shuffle: false })) {
        expect(b.labels.length).toBe(b.size * 16);
        inputs.push(...b.features);
        targets.push(...b.labels);
      }
      const padded = [...stream, ...new Array<number>(n * 16 + 1 - stream.length).fill(0)];
      expect([inputs[0], ...targets]).toEqual(padded);
      for (let i = 0; i < n; i++) expect(inputs.slice(i * 16, i * 16 + 16)).toEqual(padded.slice(i * 16, i * 16 + 16));
    }
    const list = readFileSync(join(root, conv.lists.public), 'utf8');
    const hidden = readFileSync(join(root, conv.lists.hidden), 'utf8');
    for (const f of splits[0]!.files) expect(list).toContain(`| \`${f.path}\` | ${f.bytes.length} |`);
    for (const f of splits[2]!.files) {
      expect(hidden).toContain(`\`${f.path}\``);
      expect(list).not.toContain(`\`${f.path}\``);
    }
    expect(hidden).toContain(splits[2]!.dataset.hash);
    const notices = readFileSync(join(root, conv.lists.notices), 'utf8');
    expect(notices).toContain('## b 0.0.1 (MIT)\n\n`LICENSE`:\n\n```text\nMIT License\n\nCopyright (c) test\n```');
    expect(notices).toContain('## @test/a 1.2.3 (MIT)');
  });

  it('refuses a source holding the separator byte', async () => {
    const dir = join(tmp, 'pkgs', 'nul');
    writePackage(dir, null, { 'A.sol': 'ok', 'B.sol': 'a\0b' });
    const conv = { ...conversion(), packages: [{ name: 'nul', version: '0', license: 'MIT', dir }] };
    await expect(convertCorpus(join(tmp, 'five'), conv, readCorpus(conv), 'test')).rejects.toThrow(
      /nul\/B.sol: contains the separator byte 0 at offset 1/,
    );
  });
});

describe('measureLmBaselines', () => {
  it('scores the committed datasets only, and every row is in the table', async () => {
    const conv = conversion();
    const root = join(tmp, 'baselines');
    const splits = await convertCorpus(root, conv, readCorpus(conv), 'test');
    const r = await measureLmBaselines(conv, { root, maxOrder: 2 });
    expect(r.hashes).toEqual(splits.map((s) => s.dataset.hash));
    expect(r.discounts).toHaveLength(2);
    expect(r.final.targets).toBe(r.final.sequences * 16);
    expect(r.final.files).toBe(splits[2]!.files.length);
    expect(r.final.ngram[1]!.bitsPerByte).toBeLessThan(r.final.ngram[0]!.bitsPerByte);
    expect(r.corpusGzip9.map((p) => [p.name, p.score.inputs])).toEqual([
      ['@test/a', 24],
      ['b', 2],
      ['all', 26],
    ]);
    const table = renderBaselineTable(r);
    expect(table.split('\n')).toHaveLength(2 + 2 + 5);
    expect(table).toContain(`| ${r.final.ngram[0]!.bitsPerByte.toFixed(3)} |`);
    // A dataset that is not what the sources give is refused, not scored.
    const m = join(root, conv.targets.final.dir, 'manifest.json');
    writeFileSync(m, readFileSync(m, 'utf8').replace('"samples"', '"samples" '));
    await expect(measureLmBaselines(conv, { root, maxOrder: 1 })).rejects.toThrow(
      /hidden\/test-final: the committed manifest differs from a fresh build/,
    );
  });
});
