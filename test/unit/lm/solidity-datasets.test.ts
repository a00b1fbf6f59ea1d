// The committed Solidity datasets (scripts/data/solidity.ts): hashes, folders, and that a fresh
// conversion from the installed packages gives exactly the committed bytes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { decodeShard } from '../../../src/lib/ml/data/shard.ts';
import { fsSource, shardFileName } from '../../../src/lib/ml/data/sources.ts';
import { isTokenLayout } from '../../../src/lib/ml/data/types.ts';
import { buildCorpus, readCorpus } from '../../../scripts/lib/lm/convert.ts';
import { solidityConversion } from '../../../scripts/lib/lm/solidity.ts';
import { renderNotices } from '../../../scripts/lib/lm/packages.ts';
import { REPO_ROOT } from '../../../scripts/lib/paths.ts';
import { publicContentFiles } from '../../../scripts/lib/blob-store/seed.ts';

/** The dataset hashes public/datasets/README.md and datasets/hidden/README.md publish. */
const HASHES = {
  'solidity-train': '0441e123467ae1054c6b46710a87d03d63382a27975b7fc38bb4a74e860ba607',
  'solidity-eval': 'ce0c77bc14a13fb303137e6aa84bc6cead16fc6a14a7eeb54f723d26d84a610b',
  'solidity-final': '06c254fdfc82eca017c4e035242540a10e1127dee99db7b5c75175606b338572',
} as const;

const conv = solidityConversion();
const targets = Object.values(conv.targets);

describe('Solidity datasets', () => {
  it.each(targets)('$name: manifest, shards and hash as published', async ({ name, dir }) => {
    const source = fsSource(join(REPO_ROOT, dir));
    const { manifest, hash } = await source.manifest();
    expect(hash).toBe(HASHES[name as keyof typeof HASHES]);
    expect(manifest.name).toBe(name);
    if (!isTokenLayout(manifest)) throw new Error(`${name} is not a token dataset`);
    expect(manifest.tokens).toEqual({ vocab: 256, sequenceLength: 128, separator: 0 });
    expect(readdirSync(join(REPO_ROOT, dir)).sort()).toEqual(
      ['manifest.json', ...manifest.shards.map((s) => shardFileName(s.sha256))].sort(),
    );
    let sequences = 0;
    for (const ref of manifest.shards) {
      const shard = await decodeShard(await source.get(ref.sha256), manifest, ref);
      expect(shard.features.length).toBe(ref.samples * 128);
      expect(shard.labels.length).toBe(ref.samples * 128);
      sequences += shard.samples;
    }
    expect(sequences).toBe(manifest.samples);
    // The README beside the folder publishes the hash in its table row.
    const readme = readFileSync(join(REPO_ROOT, dir, '..', 'README.md'), 'utf8');
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`) && l.endsWith(`\`${hash}\` |`));
    expect(row).toBeDefined();
  });

  it('is seeded into the blob store with the other public datasets, the hidden split not', () => {
    const seeded = publicContentFiles().map((f) => f.slice(REPO_ROOT.length + 1));
    for (const t of [conv.targets.train, conv.targets.eval]) {
      const files = readdirSync(join(REPO_ROOT, t.dir)).map((f) => `${t.dir}/${f}`);
      expect(files.length).toBeGreaterThan(1);
      for (const f of files) expect(seeded).toContain(f);
    }
    expect(seeded.filter((f) => f.includes('solidity-final') || f.endsWith('.md'))).toEqual([]);
  });

  it('keeps the hidden split out of public/', () => {
    expect(conv.targets.final.dir.startsWith('datasets/hidden/')).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'public/datasets/solidity-final'))).toBe(false);
    const list = readFileSync(join(REPO_ROOT, conv.lists.public), 'utf8');
    expect(list).not.toContain('## solidity-final');
  });

  it('is what a fresh conversion of the installed packages writes, byte for byte', async () => {
    const files = readCorpus(conv);
    expect(files.length).toBe(383);
    const splits = await buildCorpus(files, conv);
    const seen = new Set<string>();
    for (const s of splits) {
      const dir = join(REPO_ROOT, s.dir);
      expect(Buffer.from(s.dataset.manifestBytes).equals(readFileSync(join(dir, 'manifest.json')))).toBe(true);
      for (const shard of s.dataset.shards) {
        expect(Buffer.from(shard.bytes).equals(readFileSync(join(dir, shardFileName(shard.sha256))))).toBe(true);
      }
      expect(s.dataset.hash).toBe(await sha256Hex(readFileSync(join(dir, 'manifest.json'))));
      // Split by file: no file is in two splits, and every split lists its files.
      const list = readFileSync(join(REPO_ROOT, s.split === 'final' ? conv.lists.hidden : conv.lists.public), 'utf8');
      for (const f of s.files) {
        expect(seen.has(f.path)).toBe(false);
        seen.add(f.path);
        expect(list).toContain(`| \`${f.path}\` | ${f.bytes.length} |`);
      }
    }
    expect(seen.size).toBe(files.length);
    const notices = readFileSync(join(REPO_ROOT, conv.lists.notices), 'utf8');
    expect(notices).toBe(renderNotices(conv.title, conv.packages, 'scripts/data/solidity.ts'));
    expect(notices).toContain('Copyright (c) 2022-2025 Solady.');
    expect(notices).toContain('Copyright Contributors to Forge Standard Library');
  });
});
