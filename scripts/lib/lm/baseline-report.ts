// The baselines of a token corpus, measured and rendered: n-gram models fitted on train, tuned on
// the public eval split, scored on public eval and on the hidden final split; compressors on the
// same splits' files. scripts/bench-lm-baselines.ts prints and writes them; the LM training bench
// can call `measureLmBaselines` to put its models next to them in the same run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sequenceWindows } from '../../../src/lib/ml/data/text.ts';
import { REPO_ROOT } from '../paths.ts';
import {
  compressEach,
  countNgrams,
  gzip9,
  scoreOrders,
  tuneDiscounts,
  xz9,
  zlibGzip9,
  type CompressionScore,
  type Score,
} from './baselines.ts';
import { BYTE_SEPARATOR } from './corpus.ts';
import { buildCorpus, readCorpus, type ConvertedSplit, type CorpusConversion } from './convert.ts';

export interface SplitBaselines {
  name: string;
  files: number;
  sourceBytes: number;
  /** The split's stream: files plus one separator each. */
  streamBytes: number;
  sequences: number;
  /** sequences * L: what a model (and the n-gram rows) is scored on. */
  targets: number;
  /** Orders 1..maxOrder. */
  ngram: Score[];
  /** Each file on its own. */
  zlibGzip9: CompressionScore;
  gzip9: CompressionScore;
  xz9: CompressionScore;
  /** The split's stream as one input. */
  gzip9Whole: CompressionScore;
  xz9Whole: CompressionScore;
}

export interface LmBaselines {
  sequenceLength: number;
  trainName: string;
  trainTargets: number;
  discounts: number[];
  /** Bits per byte on the tuning (public eval) split per order, as tuning saw them. */
  tuningBitsPerByte: number[];
  eval: SplitBaselines;
  final: SplitBaselines;
  /**
   * `gzip -9` per file over the whole corpus (every split), by package and in all: a property of
   * the sources, not of the split (issue 14 quotes such a number).
   */
  corpusGzip9: { name: string; score: CompressionScore }[];
  /** Dataset hashes of train, eval, final, as rebuilt (and checked against the committed files). */
  hashes: string[];
  seconds: { build: number; ngram: number; compress: number };
}

/**
 * Rebuilds the corpus's three datasets from its sources, checks (with `checkCommitted`) that they
 * are the committed ones under `root`, and measures every baseline.
 */
export async function measureLmBaselines(
  conv: CorpusConversion,
  options: { maxOrder?: number; checkCommitted?: boolean; root?: string } = {},
): Promise<LmBaselines> {
  const maxOrder = options.maxOrder ?? 3;
  const root = options.root ?? REPO_ROOT;
  const L = conv.sequenceLength;
  let t = performance.now();
  const corpus = readCorpus(conv);
  const splits = await buildCorpus(corpus, conv);
  if (options.checkCommitted ?? true) {
    for (const s of splits) {
      const committed = readFileSync(join(root, s.dir, 'manifest.json'));
      if (!committed.equals(s.dataset.manifestBytes))
        throw new Error(
          `${s.dir}: the committed manifest differs from a fresh build of its sources; rerun its converter`,
        );
    }
  }
  const [train, ev, final] = splits as [ConvertedSplit, ConvertedSplit, ConvertedSplit];
  const windows = (s: ConvertedSplit) => sequenceWindows(s.dataset.stream, L, BYTE_SEPARATOR);
  const seconds = { build: (performance.now() - t) / 1000, ngram: 0, compress: 0 };

  t = performance.now();
  const counts = countNgrams(windows(train), L, maxOrder);
  const tuned = tuneDiscounts(counts, windows(ev), L);
  const ngram = (s: ConvertedSplit) => scoreOrders(counts, tuned.discounts, windows(s), L);
  const ngramEval = ngram(ev);
  const ngramFinal = ngram(final);
  seconds.ngram = (performance.now() - t) / 1000;

  t = performance.now();
  const measure = (s: ConvertedSplit, scores: Score[]): SplitBaselines => {
    const files = s.files.map((f) => f.bytes);
    return {
      name: s.name,
      files: files.length,
      sourceBytes: files.reduce((n, f) => n + f.length, 0),
      streamBytes: s.dataset.stream.length,
      sequences: s.dataset.manifest.samples,
      targets: s.dataset.manifest.samples * L,
      ngram: scores,
      zlibGzip9: compressEach(files, zlibGzip9),
      gzip9: compressEach(files, gzip9),
      xz9: compressEach(files, xz9),
      gzip9Whole: compressEach([s.dataset.stream], gzip9),
      xz9Whole: compressEach([s.dataset.stream], xz9),
    };
  };
  const evalRow = measure(ev, ngramEval);
  const finalRow = measure(final, ngramFinal);
  const corpusGzip9 = [
    ...conv.packages.map((p) => ({
      name: p.name,
      score: compressEach(
        corpus.filter((f) => f.path.startsWith(`${p.name}/`)).map((f) => f.bytes),
        gzip9,
      ),
    })),
    {
      name: 'all',
      score: compressEach(
        corpus.map((f) => f.bytes),
        gzip9,
      ),
    },
  ];
  seconds.compress = (performance.now() - t) / 1000;

  return {
    sequenceLength: L,
    trainName: train.name,
    trainTargets: train.dataset.manifest.samples * L,
    discounts: tuned.discounts,
    tuningBitsPerByte: tuned.tuningBitsPerByte,
    eval: evalRow,
    final: finalRow,
    corpusGzip9,
    hashes: splits.map((s) => s.dataset.hash),
    seconds,
  };
}

const f3 = (x: number) => x.toFixed(3);
const n = (x: number) => x.toLocaleString('en-US');

/** The table rows: one per baseline, bits per byte on the hidden final split and on public eval. */
export function baselineRows(r: LmBaselines): { baseline: string; final: string; eval: string; note: string }[] {
  const rows = r.discounts.map((d, i) => ({
    baseline: `byte ${i + 1}-gram (context ${i} byte${i === 1 ? '' : 's'}), D_${i + 1} = ${d}`,
    final: f3(r.final.ngram[i]!.bitsPerByte),
    eval: f3(r.eval.ngram[i]!.bitsPerByte),
    note: 'per target, as a model is scored',
  }));
  const c = (label: string, pick: (s: SplitBaselines) => CompressionScore, note: string) => ({
    baseline: label,
    final: `${f3(pick(r.final).bitsPerByte)} (mean ${f3(pick(r.final).meanPerInput)})`,
    eval: `${f3(pick(r.eval).bitsPerByte)} (mean ${f3(pick(r.eval).meanPerInput)})`,
    note,
  });
  return [
    ...rows,
    c('gzip -9 per file, Node zlib level 9', (s) => s.zlibGzip9, 'per source byte'),
    c('`gzip -9 -n -c` per file', (s) => s.gzip9, 'per source byte'),
    c('`xz -9 -T1 -c` per file', (s) => s.xz9, 'per source byte'),
    c('`gzip -9 -n -c` whole split stream', (s) => s.gzip9Whole, 'per stream byte'),
    c('`xz -9 -T1 -c` whole split stream', (s) => s.xz9Whole, 'per stream byte'),
  ];
}

/** The markdown table (hidden final first: that is the score that counts). */
export function renderBaselineTable(r: LmBaselines): string {
  const lines = [
    `| baseline | ${r.final.name} (hidden) bpb | ${r.eval.name} (public) bpb | denominator |`,
    '|---|--:|--:|---|',
    ...baselineRows(r).map((x) => `| ${x.baseline} | ${x.final} | ${x.eval} | ${x.note} |`),
  ];
  return lines.join('\n');
}

/** The splits' sizes, for the text around the table. */
export function renderSplitSizes(r: LmBaselines): string {
  const row = (s: SplitBaselines) =>
    `| ${s.name} | ${n(s.files)} | ${n(s.sourceBytes)} | ${n(s.streamBytes)} | ${n(s.sequences)} | ${n(s.targets)} |`;
  return [
    '| split | files | source bytes | stream bytes | sequences | targets (sequences x L) |',
    '|---|--:|--:|--:|--:|--:|',
    row(r.final),
    row(r.eval),
  ].join('\n');
}

/** `gzip -9` per file over the whole corpus, by package. */
export function renderCorpusGzip(r: LmBaselines): string {
  return [
    '| package (all splits) | files | bytes | `gzip -9` per file, bpb (mean per file) |',
    '|---|--:|--:|--:|',
    ...r.corpusGzip9.map(
      (p) =>
        `| ${p.name} | ${n(p.score.inputs)} | ${n(p.score.inputBytes)} | ${f3(p.score.bitsPerByte)} (${f3(p.score.meanPerInput)}) |`,
    ),
  ].join('\n');
}
