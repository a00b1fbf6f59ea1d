// Reads the measured numbers docs/scale.md's cost model rests on out of docs/bench/gas.md (as
// `npm run bench:gas` writes it), so a regenerated gas page flows into the model. A page whose
// tables are not where this expects them is an error naming what is missing, never a guess.

export interface FinalizationPoint {
  n: number;
  m: number;
  first: boolean;
  calls: number;
  total: number;
  largest: number;
  revealScoresAvg: number;
}

export interface CanaryPoint {
  n: number;
  m: number;
  first: boolean;
  canaries: number;
  commitCanaries: number;
  drawEvalSeed: number;
  revealCanaries: number;
}

export interface GasPage {
  /** User operations: label as in the page's first table -> gas. */
  operations: Map<string, number>;
  finalization: FinalizationPoint[];
  canaries: CanaryPoint[];
  /** The page's "Run ..." line (solc, anvil, date). */
  run: string;
}

const num = (cell: string, where: string): number => {
  const v = Number(cell.replace(/[,x\s]/g, ''));
  if (!Number.isFinite(v)) throw new Error(`docs/bench/gas.md: not a number in ${where}: "${cell}"`);
  return v;
};

/** Table rows (cells trimmed) of the first table after the heading `## title`. */
function tableAfter(markdown: string, title: string): string[][] {
  const start = markdown.indexOf(`## ${title}`);
  if (start < 0) throw new Error(`docs/bench/gas.md: no section "## ${title}"`);
  const lines = markdown.slice(start).split('\n');
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(1)) {
    if (line.startsWith('## ')) break;
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .slice(1, -1)
          .split('|')
          .map((c) => c.trim()),
      );
    } else if (inTable) break;
  }
  // Drop the header and the separator line.
  if (rows.length < 3) throw new Error(`docs/bench/gas.md: section "${title}" has no table rows`);
  return rows.slice(2);
}

const size = (cell: string, where: string): [number, number] => {
  const m = /^(\d+) x (\d+)$/.exec(cell);
  if (m === null) throw new Error(`docs/bench/gas.md: "${cell}" is not "n x m" in ${where}`);
  return [Number(m[1]), Number(m[2])];
};

export function parseGasPage(markdown: string): GasPage {
  const operations = new Map<string, number>();
  for (const [label, gas] of tableAfter(markdown, 'User operations')) {
    operations.set(label!, num(gas!, `user operation "${label}"`));
  }
  const finalization = tableAfter(markdown, 'Finalization').map((r): FinalizationPoint => {
    const [n, m] = size(r[0]!, 'Finalization');
    return {
      n,
      m,
      first: r[1]!.startsWith('first'),
      calls: num(r[2]!, 'finalize calls'),
      total: num(r[3]!, 'total finalize gas'),
      largest: num(r[4]!, 'largest single tx'),
      revealScoresAvg: num(r[6]!, 'revealScores avg'),
    };
  });
  const canaries = tableAfter(markdown, 'Evaluation seeds and canaries').map((r): CanaryPoint => {
    const [n, m] = size(r[0]!, 'Evaluation seeds and canaries');
    return {
      n,
      m,
      first: r[1] === 'first',
      canaries: num(r[2]!, 'canaries'),
      commitCanaries: num(r[3]!, 'commitCanaries'),
      drawEvalSeed: num(r[4]!, 'drawEvalSeed'),
      revealCanaries: num(r[5]!, 'revealCanaries'),
    };
  });
  const run = /Run [^\n]*/.exec(markdown)?.[0] ?? 'run line not found';
  return { operations, finalization, canaries, run };
}

/** The gas of the user operation labelled `prefix`, or else the one label starting with it. */
export function operation(page: GasPage, prefix: string): number {
  const exact = page.operations.get(prefix);
  if (exact !== undefined) return exact;
  const hits = [...page.operations].filter(([label]) => label.startsWith(prefix));
  if (hits.length !== 1) {
    throw new Error(`docs/bench/gas.md: ${hits.length} user operations start with "${prefix}" (need exactly 1)`);
  }
  return hits[0]![1];
}
