// The measured inputs of the challenge model, read from the pages that measured them (like
// noise.ts reads docs/bench/consensus.json): the automatic challenge's trigger on real models
// (docs/bench/similarity.md, `npm run bench:similarity`) and how often an honest transcript has a
// segment that fails a juror's replay on the reference backend (docs/bench/transcript.md,
// `npm run bench:transcript`).
// The incentive simulator has no real models, so it cannot measure these itself.

import { proportionEstimate, type Estimate } from './stats.ts';

export interface Trigger {
  source: string;
  /** The functional measure the threshold applies to (a column of the similarity table). */
  measure: string;
  threshold: number;
  /** Copies of a model (stolen, re-watermarked, fine-tuned, permuted) at or above the threshold. */
  copies: { label: string; value: number; detected: boolean }[];
  /** Pairs of independently trained models at or above it (false challenges). */
  independentPairs: number;
  independentAbove: number;
  /** Share of copies detected, Clopper-Pearson 95%. */
  detection: Estimate;
  /** Share of independent pairs above the threshold, Clopper-Pearson 95%. */
  falseChallenge: Estimate;
}

const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => c.trim());

/** Reads the similarity page: its threshold sentence and its table of pairs. */
export function parseSimilarity(markdown: string, source: string): Trigger {
  const rule = /Threshold for the validator's automatic challenge: ([^\n]+?) at or above \*\*([0-9.]+)\*\*/.exec(
    markdown,
  );
  if (rule === null) throw new Error(`${source}: no "Threshold for the validator's automatic challenge" sentence`);
  const measure = rule[1]!.trim();
  const threshold = Number(rule[2]);
  const lines = markdown.split('\n').filter((l) => l.trim().startsWith('|'));
  const header = lines.find((l) => cells(l)[0] === 'pair');
  if (header === undefined) throw new Error(`${source}: no table with a "pair" column`);
  const head = cells(header);
  const col = head.indexOf(measure);
  const groupCol = head.indexOf('group');
  if (col < 0 || groupCol < 0) throw new Error(`${source}: the table has no "${measure}" or "group" column`);
  const copies: Trigger['copies'] = [];
  let independentPairs = 0;
  let independentAbove = 0;
  for (const line of lines) {
    const c = cells(line);
    const group = c[groupCol];
    if (group !== 'copy' && group !== 'independent') continue;
    const value = Number(c[col]);
    if (!Number.isFinite(value)) throw new Error(`${source}: "${c[0]}" has no number under "${measure}"`);
    if (group === 'copy') copies.push({ label: c[0]!, value, detected: value >= threshold });
    else {
      independentPairs++;
      if (value >= threshold) independentAbove++;
    }
  }
  if (copies.length === 0 || independentPairs === 0) throw new Error(`${source}: no copies or no independent pairs`);
  const detected = copies.filter((c) => c.detected).length;
  return {
    source,
    measure,
    threshold,
    copies,
    independentPairs,
    independentAbove,
    detection: proportionEstimate(detected, copies.length),
    falseChallenge: proportionEstimate(independentAbove, independentPairs),
  };
}

export interface HonestReplays {
  source: string;
  /** Honest transcripts replayed as a juror replays them, and those with at least one failing segment. */
  transcripts: number;
  withFailure: number;
  segments: number;
  failedSegments: number;
  /** Share of honest transcripts with a failing segment (point estimate and 95% interval). */
  rate: Estimate;
}

/** Reads the honest cross-backend replay table ("failed segments" as "k / K" per transcript). */
export function parseHonestReplays(markdown: string, source: string): HonestReplays {
  const lines = markdown.split('\n').filter((l) => l.trim().startsWith('|'));
  const header = lines.find((l) => cells(l).includes('failed segments') && cells(l)[0] === 'run');
  if (header === undefined) throw new Error(`${source}: no replay table with "run" and "failed segments" columns`);
  const col = cells(header).indexOf('failed segments');
  const start = lines.indexOf(header);
  let transcripts = 0;
  let withFailure = 0;
  let segments = 0;
  let failedSegments = 0;
  for (const line of lines.slice(start + 2)) {
    const m = /^(\d+) \/ (\d+)$/.exec(cells(line)[col] ?? '');
    if (m === null) break;
    transcripts++;
    failedSegments += Number(m[1]);
    segments += Number(m[2]);
    if (Number(m[1]) > 0) withFailure++;
  }
  if (transcripts === 0) throw new Error(`${source}: the replay table has no rows`);
  return {
    source,
    transcripts,
    withFailure,
    segments,
    failedSegments,
    rate: proportionEstimate(withFailure, transcripts),
  };
}
