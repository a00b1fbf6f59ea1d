// Converts the Solidity corpus to byte-level token datasets (docs/ml.md section 2):
//
//   npx tsx scripts/data/solidity.ts              write public/datasets/solidity-{train,eval},
//                                                 datasets/hidden/solidity-final and the file lists
//   npx tsx scripts/data/solidity.ts --check      rebuild in a temp folder, compare with the repo
//   npx tsx scripts/data/solidity.ts --out DIR    write under DIR instead of the repository root
//   --seq-len L (default 128)   --shard-sequences N (default 10000)
//
// Sources: the `*.sol` files of three MIT-licensed packages already installed as dev
// dependencies (nothing is downloaded), each pinned by version and by a digest of its files, so
// a changed package stops the conversion instead of silently changing the dataset hashes. The
// output is deterministic (sorted paths, a seeded split, Node's zlib, zero gzip mtime, stable
// JSON): every run writes the same bytes, and `--check` proves it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../lib/paths.ts';
import { optionReader } from '../lib/bench-options.ts';
import { compareOutputs, convertCorpus, readCorpus } from '../lib/lm/convert.ts';
import { SOLIDITY_SEQUENCE_LENGTH, SOLIDITY_SHARD_SEQUENCES, solidityConversion } from '../lib/lm/solidity.ts';

async function main(): Promise<void> {
  const opts = optionReader(process.argv.slice(2), ['check', 'out', 'seq-len', 'shard-sequences']);
  const check = opts.flag('check');
  const conv = solidityConversion(
    opts.int('seq-len', SOLIDITY_SEQUENCE_LENGTH, 1),
    opts.int('shard-sequences', SOLIDITY_SHARD_SEQUENCES, 1),
  );
  const root = check ? mkdtempSync(join(tmpdir(), 'aiarena-solidity-check-')) : (opts.get('out') ?? REPO_ROOT);
  try {
    const files = readCorpus(conv);
    const splits = await convertCorpus(root, conv, files, 'scripts/data/solidity.ts');
    for (const s of splits) {
      const bytes = s.files.reduce((n, f) => n + f.bytes.length, 0);
      const stored = s.dataset.shards.reduce((n, f) => n + f.bytes.length, 0);
      console.log(
        `${s.dir.padEnd(32)} ${String(s.files.length).padStart(4)} files ${String(bytes).padStart(8)} bytes ` +
          `${String(s.dataset.manifest.samples).padStart(6)} sequences ${s.dataset.shards.length} shards ` +
          `${String(stored).padStart(8)} stored  manifest sha256 ${s.dataset.hash}`,
      );
    }
    if (check) {
      const diffs = compareOutputs(REPO_ROOT, root, conv);
      if (diffs.length > 0)
        throw new Error(`the committed Solidity datasets differ from a fresh conversion:\n  ${diffs.join('\n  ')}`);
      console.log('check: a fresh conversion matches the committed datasets byte for byte');
    } else if (root !== REPO_ROOT) {
      console.log(`written under ${relative(process.cwd(), root) || '.'}`);
    }
  } finally {
    if (check) rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
