// A corpus of source files converted into three token datasets (train, public eval, hidden final
// eval) and written as dataset folders, with the list of files in each split written next to
// them so the split can be audited. scripts/data/solidity.ts runs it on the Solidity corpus; the
// unit test on a synthetic corpus.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MANIFEST_FILE, shardFileName } from '../../../src/lib/ml/data/sources.ts';
import type { TextFile } from '../../../src/lib/ml/data/text.ts';
import { buildTokenDataset, splitFiles, SPLITS, type BuiltDataset, type SplitName } from './corpus.ts';
import { readPackage, renderNotices, type CorpusPackage } from './packages.ts';

export interface CorpusConversion {
  /** Shown in the file lists' heading and text. */
  title: string;
  packages: CorpusPackage[];
  /** Which files of the packages make the corpus (`.sol`). */
  suffix: string;
  /** `Rng.seeded(seed)` permutes the files for the split. */
  seed: string;
  fractions: { train: number; eval: number };
  sequenceLength: number;
  shardSequences: number;
  /** The manifests' `license`. */
  license: string;
  /** Dataset name and folder (relative to the output root) of each split. */
  targets: Record<SplitName, { name: string; dir: string }>;
  /**
   * Markdown files relative to the output root: the file lists (train and eval in `public`, final
   * in `hidden`) and the packages' licence notices.
   */
  lists: { public: string; hidden: string; notices: string };
}

export interface ConvertedSplit {
  split: SplitName;
  name: string;
  dir: string;
  files: TextFile[];
  dataset: BuiltDataset;
}

/** Every corpus file of every package (each package checked against its pinned digest). */
export function readCorpus(conv: Pick<CorpusConversion, 'packages' | 'suffix'>): TextFile[] {
  return conv.packages.flatMap((p) => readPackage(p, conv.suffix));
}

/** The three splits' datasets, in memory. */
export async function buildCorpus(files: readonly TextFile[], conv: CorpusConversion): Promise<ConvertedSplit[]> {
  const parts = splitFiles(files, conv.seed, conv.fractions);
  const out: ConvertedSplit[] = [];
  for (const split of SPLITS) {
    const { name, dir } = conv.targets[split];
    const dataset = await buildTokenDataset(parts[split], {
      name,
      license: conv.license,
      sequenceLength: conv.sequenceLength,
      shardSequences: conv.shardSequences,
    });
    out.push({ split, name, dir, files: parts[split], dataset });
  }
  return out;
}

/** Writes a dataset folder: the shards, then the manifest; shard files no longer named are removed. */
export function writeDatasetFolder(dir: string, dataset: BuiltDataset): void {
  mkdirSync(dir, { recursive: true });
  for (const s of dataset.shards) writeFileSync(join(dir, shardFileName(s.sha256)), s.bytes);
  const keep = new Set(dataset.shards.map((s) => shardFileName(s.sha256)));
  for (const f of readdirSync(dir)) if (/\.bin$/.test(f) && !keep.has(f)) rmSync(join(dir, f));
  writeFileSync(join(dir, MANIFEST_FILE), dataset.manifestBytes);
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The markdown list of the files in these splits, with each split's counts and dataset hash. */
export function renderFileList(conv: CorpusConversion, splits: readonly ConvertedSplit[], script: string): string {
  const lines = [
    `# ${conv.title}: files per split`,
    '',
    `Written by \`${script}\` (do not edit): the files of each split, in the order their bytes`,
    'are concatenated (sorted by path, each followed by one 0x00 byte), then cut into sequences of',
    `L + 1 = ${conv.sequenceLength + 1} bytes with stride L = ${conv.sequenceLength} (docs/ml.md section 2).`,
    `Split by file: \`Rng.seeded('${conv.seed}')\` permutes the corpus files sorted by path;`,
    `walked in that order, a file goes to train while the bytes before it are under ${conv.fractions.train * 100}% of`,
    `the total, then to eval while under ${(conv.fractions.train + conv.fractions.eval) * 100}%, then to the hidden final eval.`,
    '',
  ];
  for (const s of splits) {
    const bytes = s.files.reduce((n, f) => n + f.bytes.length, 0);
    lines.push(
      `## ${s.name}`,
      '',
      `${fmt(s.files.length)} files, ${fmt(bytes)} bytes; stream ${fmt(s.dataset.stream.length)} bytes; ` +
        `${fmt(s.dataset.manifest.samples)} sequences in ${s.dataset.shards.length} shard${s.dataset.shards.length === 1 ? '' : 's'}; ` +
        `manifest sha256 \`${s.dataset.hash}\`.`,
      '',
      '| file | bytes |',
      '|---|--:|',
      ...s.files.map((f) => `| \`${f.path}\` | ${f.bytes.length} |`),
      '',
    );
  }
  return lines.join('\n');
}

/** Builds and writes the three datasets and the two file lists under `root`. */
export async function convertCorpus(
  root: string,
  conv: CorpusConversion,
  files: readonly TextFile[],
  script: string,
): Promise<ConvertedSplit[]> {
  const splits = await buildCorpus(files, conv);
  for (const s of splits) writeDatasetFolder(join(root, s.dir), s.dataset);
  const write = (rel: string, text: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  write(
    conv.lists.public,
    renderFileList(
      conv,
      splits.filter((s) => s.split !== 'final'),
      script,
    ),
  );
  write(
    conv.lists.hidden,
    renderFileList(
      conv,
      splits.filter((s) => s.split === 'final'),
      script,
    ),
  );
  write(conv.lists.notices, renderNotices(conv.title, conv.packages, script));
  return splits;
}

/** Paths (relative to the roots) whose bytes differ between two conversions' outputs. */
export function compareOutputs(a: string, b: string, conv: CorpusConversion): string[] {
  const diffs: string[] = [];
  for (const t of SPLITS.map((s) => conv.targets[s].dir)) {
    const list = (root: string) => (existsSync(join(root, t)) ? readdirSync(join(root, t)).sort() : []);
    const fa = list(a);
    const fb = list(b);
    if (fa.join() !== fb.join()) diffs.push(`${t}: files differ`);
    for (const f of fb) if (fa.includes(f) && !sameFile(join(a, t, f), join(b, t, f))) diffs.push(`${t}/${f}`);
  }
  for (const rel of [conv.lists.public, conv.lists.hidden, conv.lists.notices])
    if (!sameFile(join(a, rel), join(b, rel))) diffs.push(rel);
  return diffs;
}

function sameFile(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));
}
