// Scale model (docs/scale.md): per-epoch gas, transactions, calldata and fees of a task of T
// trainers and V validators, today's contracts against a tiled engine and validator committees,
// fitted to the measured points of docs/bench/gas.md; and how likely a coalition is to capture a
// committee. Arithmetic only: no chain, no network. Prices are parameters.
//
//   npm run bench:scale                                   writes docs/bench/scale.md
//   npm run bench:scale -- --trainers 1000 --validators 10000 --k 16,32,64,128,256
//   npm run bench:scale -- --eth-usd 2500 --l2-gwei 0.002,0.01 --l1-gwei 3 --blob-gwei 0.5 --out /tmp/scale.md
//   npm run bench:scale -- --gas docs/bench/gas.md --print   print only
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { table } from './lib/incentives/report.ts';
import { atLeastOnce, captureProbability, committeeSizeFor, type Draw } from './lib/scale/capture.ts';
import {
  DESIGN_ESTIMATES,
  ENVELOPE_BYTES,
  asBuiltEpoch,
  committeeEpoch,
  fmtM,
  scoresLowerBound,
  tiledEpoch,
  totalCalldata,
  totalGas,
  totalTxs,
  type EpochCost,
} from './lib/scale/cost-model.ts';
import { ENGINE_UNITS, LANES, finalizationUnits } from './lib/scale/engine-units.ts';
import { fees, type FeeAssumptions } from './lib/scale/fees.ts';
import { fitMeasured, type Measured } from './lib/scale/fit.ts';
import { parseGasPage } from './lib/scale/gas-page.ts';
import { optionReader } from './lib/bench-options.ts';

const root = new URL('../', import.meta.url);
const path = (p: string) => fileURLToPath(new URL(p, root));

interface Options {
  T: number;
  V: number;
  ks: number[];
  canaries: number;
  gas: string;
  out: string | undefined;
  l2: number[];
  l1Low: number;
  l1High: number;
  blobLow: number;
  blobHigh: number;
  ethUsd: number;
  baseFeeScalar: number;
  blobBaseFeeScalar: number;
  compression: number;
}

function options(argv: string[]): Options {
  const { get } = optionReader(argv, [
    'trainers',
    'validators',
    'k',
    'canaries',
    'gas',
    'out',
    'print',
    'l2-gwei',
    'l1-gwei',
    'blob-gwei',
    'eth-usd',
    'base-fee-scalar',
    'blob-base-fee-scalar',
    'compression',
  ]);
  const list = (name: string, fallback: number[], integer: boolean) => {
    const v = get(name);
    if (v === undefined) return fallback;
    const xs = v.split(',').map(Number);
    if (xs.some((x) => !(x > 0) || (integer && !Number.isInteger(x)))) {
      throw new Error(`--${name} must be a comma-separated list of positive ${integer ? 'integers' : 'numbers'}`);
    }
    return xs;
  };
  const one = (name: string, fallback: number, integer = false) => list(name, [fallback], integer)[0]!;
  const l1 = list('l1-gwei', [1, 20], false);
  const blob = list('blob-gwei', [1e-9, 5], false);
  return {
    T: one('trainers', 1000, true),
    V: one('validators', 10_000, true),
    ks: list('k', [16, 32, 64, 128, 256], true),
    canaries: one('canaries', 16, true),
    gas: get('gas') ?? 'docs/bench/gas.md',
    out: argv.includes('--print') ? undefined : (get('out') ?? 'docs/bench/scale.md'),
    l2: list('l2-gwei', [0.002, 0.005, 0.01, 0.05], false),
    l1Low: l1[0]!,
    l1High: l1[l1.length - 1]!,
    blobLow: blob[0]!,
    blobHigh: blob[blob.length - 1]!,
    ethUsd: one('eth-usd', 3000),
    // Base's GasPriceOracle values as last known to us (Ecotone/Fjord era); read today's on chain.
    baseFeeScalar: one('base-fee-scalar', 2269, true),
    blobBaseFeeScalar: one('blob-base-fee-scalar', 1_055_762, true),
    compression: one('compression', 1),
  };
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const sci = (p: number) => (p === 0 ? '0' : p >= 0.01 ? p.toFixed(3) : p.toExponential(1));

function measuredSection(m: Measured): string[] {
  const out: string[] = ['## Measured inputs', ''];
  out.push(`From docs/bench/gas.md (${m.run.replace(/\.$/, '')}). Straight lines fitted through its sizes:`);
  out.push('');
  out.push(
    table(
      ['quantity', 'model', 'basis'],
      [
        ['sealSubmission, per trainer', `${int(m.seal)} gas`, 'measured'],
        ['revealSubmission, per trainer (with the artifact root)', `${int(m.reveal)} gas`, 'measured'],
        ['commitScores, per validator', `${int(m.commitScores)} gas`, 'measured'],
        ['drawEvalSeed (the draw)', `${int(m.drawEvalSeed)} gas`, 'measured'],
        ['commitCanaries', `${int(m.commitCanaries)} gas`, 'measured'],
        [
          'revealScores, per validator',
          `${int(m.revealScores.intercept)} + ${int(m.revealScores.slope)} x words (16 scores a word)`,
          'fitted, 1-16 words',
        ],
        [
          'revealCanaries (scans every column)',
          `${int(m.revealCanaries.intercept)} + ${int(m.revealCanaries.slope)} x columns`,
          'fitted, 16-256 columns',
        ],
        [
          'finalize',
          `21,000 per call + ${m.finalization.cellGasPerUnit.toFixed(0)} gas per work unit of the cell stages (Columns, Canaries) + ${m.finalization.otherGasPerUnit.toFixed(0)} per unit of the others`,
          "fitted; units from RewardEngine's own rules, call by call (scripts/lib/scale/engine-units.ts)",
        ],
      ],
    ),
  );
  out.push('');
  out.push(
    "The work units are calibrated as worst-case bounds (cold storage, stake powers, every pool delegated: contracts/test/Calibrate.t.sol), hence fewer gas than 1,000 per unit on the benchmark's epochs. The finalization model against every measured point (the call counts are the engine's own rules, not fitted):",
  );
  out.push('');
  out.push(
    table(
      ['trainers x validators', 'epoch', 'measured gas', 'model', 'error', 'calls measured', 'calls model'],
      m.finalization.points.map((p) => [
        `${p.n} x ${p.m}`,
        p.first ? 'first' : 'steady',
        int(p.measured),
        int(p.model),
        `${(((p.model - p.measured) / p.measured) * 100).toFixed(1)}%`,
        String(p.calls),
        String(p.modelCalls),
      ]),
    ),
  );
  return out;
}

/** Where the gas of a steady 256 x 512 epoch goes, against the scores' calldata. */
function breakdownSection(m: Measured): string[] {
  const n = 256;
  const mm = 512;
  const u = finalizationUnits({ n, m: mm, canaries: 16, alphaVIsOne: true, rollPools: 0, rollNextPools: 0 });
  const U = ENGINE_UNITS;
  const cell = (n * mm * U.CELL_MILLI) / 1000;
  const perCall = U.COLUMNS_BASE + mm * U.COLUMNS_VALIDATOR;
  const perColumn = Math.ceil((mm * U.CELL_MILLI) / 1000) + Math.ceil((mm * U.COLUMNS_WORD) / LANES);
  const fixedPart = perCall + 2 * mm * U.COLUMNS_WORD;
  const columnCalls = Math.ceil(n / Math.floor((U.WORK_BUDGET - fixedPart) / perColumn));
  const reload = columnCalls * perCall;
  const wordReads = u.byStage.Columns - cell - reload;
  const lb = scoresLowerBound(n, mm);
  const f = m.finalization;
  const lines: [string, number][] = [
    ['cells: median and weight of each of the 131,072 scores (2.05 units each)', cell * f.cellGasPerUnit],
    [
      `validator scratch re-read by each of the ${columnCalls} Columns calls (30 + 9 m units a call)`,
      reload * f.cellGasPerUnit,
    ],
    ['score words read by the Columns calls (3 units per validator and word)', wordReads * f.cellGasPerUnit],
    ['canary stage (16 canaries)', u.byStage.Canaries * f.cellGasPerUnit],
    [
      'prepare, load, trainers, validators (per column and per validator)',
      (u.byStage.Prepare + u.byStage.Load + u.byStage.Trainers + u.byStage.Validators + u.byStage.RollNext) *
        f.otherGasPerUnit,
    ],
    [`transaction base cost (${u.calls.length} calls)`, 21_000 * u.calls.length],
  ];
  const total = lines.reduce((s, [, g]) => s + g, 0);
  const measured = m.finalization.points.find((p) => p.n === n && p.m === mm && !p.first)?.measured ?? Number.NaN;
  const revealAll = mm * (m.revealScores.intercept + m.revealScores.slope * (n / LANES));
  const out = ['## Where the gas of a 256 x 512 epoch goes', ''];
  out.push(
    `The lower bound prices each of the n x m = 131,072 scores at its two calldata bytes, 32 gas: ${int(lb)} gas. The measured steady finalization is ${int(measured)} gas, ${(measured / lb).toFixed(0)}x that; revision 1's engine measured 447,226,048 (107x), before the canary stage, the median and the canary check raised a cell from 1.5 to 2.05 units. The model splits it (gas from the fitted units):`,
  );
  out.push('');
  out.push(
    table(
      ['part of finalization', 'gas', 'x lower bound'],
      [
        ...lines.map(([what, g]) => [what, int(g), `${(g / lb).toFixed(1)}x`]),
        ['model total', int(total), `${(total / lb).toFixed(1)}x`],
      ],
    ),
  );
  out.push('');
  out.push(
    `Before finalization, the validators' reveals store the same scores: ${int(revealAll)} gas for the 512 reveals (${(revealAll / lb).toFixed(0)}x the lower bound by themselves; a fresh storage word costs 22,100 gas for 16 scores, 1,381 gas a score against 32 for its calldata).`,
  );
  return out;
}

function designRows(costs: EpochCost[]): string[][] {
  return costs.map((c) => {
    const lb = scoresLowerBound(c.T, c.V);
    const blocked = c.blockers.length > 0;
    return [
      `${int(c.T)} x ${int(c.V)}`,
      c.design === 'asBuilt'
        ? "today's contracts"
        : c.design === 'tiled'
          ? 'every validator, tiled engine (not built)'
          : `committees, k = ${c.k} (not built)`,
      blocked ? `cannot run (${c.blockers.length} reasons below)` : fmtM(totalGas(c)),
      blocked ? '—' : int(totalTxs(c)),
      blocked ? '—' : `${(totalCalldata(c) / 1e6).toFixed(2)} MB`,
      blocked ? '—' : int(c.finalizeCalls),
      fmtM(lb),
      blocked ? '—' : `${(totalGas(c) / lb).toFixed(0)}x`,
    ];
  });
}

function itemTable(c: EpochCost): string {
  return table(
    ['transactions', 'count', 'gas', 'calldata each (bytes)', 'basis'],
    c.items.map((i) => [i.what, int(i.txs), fmtM(i.gas), int(i.calldataEach), i.basis]),
  );
}

function feeAssumptions(o: Options, l2: number, high: boolean): FeeAssumptions {
  return {
    l2GasPriceGwei: l2,
    l1BaseFeeGwei: high ? o.l1High : o.l1Low,
    blobBaseFeeGwei: high ? o.blobHigh : o.blobLow,
    baseFeeScalar: o.baseFeeScalar,
    blobBaseFeeScalar: o.blobBaseFeeScalar,
    compression: o.compression,
    ethUsd: o.ethUsd,
  };
}

function feeOf(c: EpochCost, a: FeeAssumptions) {
  return fees(
    c.items.map((i) => ({ txs: i.txs, bytesEach: i.calldataEach + ENVELOPE_BYTES, gas: i.gas })),
    a,
  );
}

const money = (eth: number, usd: number) =>
  `${eth < 0.01 ? eth.toFixed(4) : eth.toFixed(3)} ETH ($${usd < 10 ? usd.toFixed(2) : int(usd)})`;

function feeSection(o: Options, costs: EpochCost[]): string[] {
  const out = ['## Fees on Base', ''];
  out.push(
    `Fee = gas x L2 gas price + each transaction's L1 data fee (OP-stack Fjord: max(100, 0.8365 x FastLZ size - 42.59) x (16 x ${o.baseFeeScalar} x L1 base fee + ${o.blobBaseFeeScalar} x blob base fee) / 1e6, scalars as GasPriceOracle reports them), with each transaction's calldata plus ${ENVELOPE_BYTES} bytes of envelope and signature, compression ${o.compression} (scores are near-random 14-bit numbers: little to compress). ETH at $${int(o.ethUsd)}. "L1 low": L1 base fee ${o.l1Low} gwei, blob base fee ${o.blobLow} gwei; "L1 high": ${o.l1High} and ${o.blobHigh} gwei.`,
  );
  out.push('');
  const header = ['L2 gas price (gwei)'];
  for (const c of costs) {
    const name = c.design === 'tiled' ? 'every validator (tiled)' : `committees k = ${c.k}`;
    header.push(`${name}, L1 low`, `${name}, L1 high`);
  }
  out.push(
    table(
      header,
      o.l2.map((l2) => {
        const row = [String(l2)];
        for (const c of costs) {
          for (const high of [false, true]) {
            const f = feeOf(c, feeAssumptions(o, l2, high));
            row.push(money(f.totalEth, f.totalUsd));
          }
        }
        return row;
      }),
    ),
  );
  out.push('');
  out.push('The L1 data part alone, per epoch (independent of the L2 gas price):');
  out.push('');
  out.push(
    table(
      ['design', 'calldata', 'L1 low', 'L1 high'],
      costs.map((c) => {
        const low = feeOf(c, feeAssumptions(o, 0, false));
        const high = feeOf(c, feeAssumptions(o, 0, true));
        return [
          c.design === 'tiled' ? 'every validator (tiled)' : `committees k = ${c.k}`,
          `${(totalCalldata(c) / 1e6).toFixed(2)} MB`,
          money(low.l1DataEth, low.l1DataEth * o.ethUsd),
          money(high.l1DataEth, high.l1DataEth * o.ethUsd),
        ];
      }),
    ),
  );
  return out;
}

const FRACTIONS = [0.05, 0.1, 0.2, 0.25, 0.33, 0.45];
const KS = [8, 16, 32, 64, 128, 256, 512];

function captureSection(V: number): string[] {
  const out = ['## Capture of one committee', ''];
  out.push(
    "Probability that a coalition holding a fraction f of validator stake outvotes the honest seats of one column's committee (scripts/lib/scale/capture.ts). Up: it lifts the column to its score (needs more seats than the honest ones, A > H); down: it sinks it (A >= H suffices, the lower median). Poisson: the protocol's draw, A ~ Poisson(k f), H ~ Poisson(k (1 - f)); binomial: exactly k seats drawn with replacement; hypergeometric: k distinct validators of " +
      `${int(V)} with equal stakes.`,
  );
  out.push('');
  for (const [draw, direction, label] of [
    ['poisson', 'down', 'Poisson, down (the worse direction)'],
    ['poisson', 'up', 'Poisson, up'],
    ['binomial', 'down', 'exactly k seats (binomial), down'],
    ['hypergeometric', 'down', `k distinct of ${int(V)} equal validators (hypergeometric), down`],
  ] as const) {
    out.push(`${label}:`);
    out.push('');
    out.push(
      table(
        ['f', ...KS.map((k) => `k = ${k}`)],
        FRACTIONS.map((f) => [
          String(f),
          ...KS.map((k) => sci(captureProbability({ k, f, direction, draw: draw as Draw, V }))),
        ]),
      ),
    );
    out.push('');
  }
  out.push(
    'Honest seats that do not reveal (offline validators) count for the coalition: with 90% of honest seats revealed (rho = 0.9), Poisson, down:',
  );
  out.push('');
  out.push(
    table(
      ['f', ...KS.map((k) => `k = ${k}`)],
      FRACTIONS.map((f) => [
        String(f),
        ...KS.map((k) => sci(captureProbability({ k, f, direction: 'down', draw: 'poisson', rho: 0.9 }))),
      ]),
    ),
  );
  out.push('');
  out.push('## Committee size for a target');
  out.push('');
  out.push(
    'Smallest k (Poisson draw, down) whose capture probability of one given column is at most the target, for one seed, and for an attacker who can choose among 1,024 seeds (grinding the seed; 1 - (1 - p)^1024):',
  );
  out.push('');
  const targets = [1e-3, 1e-6, 1e-9];
  out.push(
    table(
      ['f', ...targets.flatMap((t) => [`target ${sci(t)}`, `${sci(t)}, 1,024 seeds`])],
      FRACTIONS.map((f) => [
        String(f),
        ...targets.flatMap((t) =>
          [1, 1024].map((tries) =>
            String(committeeSizeFor({ f, direction: 'down', draw: 'poisson' }, t, tries) ?? '> 4096'),
          ),
        ),
      ]),
    ),
  );
  out.push('');
  const p = captureProbability({ k: 64, f: 0.2, direction: 'down', draw: 'poisson' });
  out.push(
    `For scale: at k = 64 and f = 0.2 one column is captured with probability ${sci(p)}; over 1,000 columns and 100 epochs the expected number of captured columns is ${(p * 1000 * 100).toFixed(4)}, and a seed-grinding attacker with 1,024 tries per epoch raises its chance at one given column to ${sci(atLeastOnce(p, 1024))}.`,
  );
  return out;
}

function main() {
  const o = options(process.argv.slice(2));
  const m = fitMeasured(parseGasPage(readFileSync(path(o.gas), 'utf8')));
  const small = [asBuiltEpoch(m, 256, 512, 16), tiledEpoch(m, 256, 512, 16), committeeEpoch(m, 256, 512, 32)];
  const asBuilt = asBuiltEpoch(m, o.T, o.V, o.canaries);
  const tiled = tiledEpoch(m, o.T, o.V, o.canaries);
  const committees = o.ks.map((k) => committeeEpoch(m, o.T, o.V, k));
  const headline = [tiled, ...committees.filter((c) => c.k === 64 || c.k === 256)];

  const out: string[] = ['# Scale model', ''];
  out.push(
    `Generated by \`npm run bench:scale${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 10)} from ${o.gas}. Arithmetic only (no chain): what is measured, fitted, extrapolated or estimated is said per line. The design and the reasoning are in [docs/scale.md](../scale.md).`,
  );
  out.push('');
  out.push(...measuredSection(m));
  out.push('');
  out.push(...breakdownSection(m));
  out.push('');
  out.push('## Per-epoch cost');
  out.push('');
  out.push(
    `Steady-state scoring epoch of the submission phase: every trainer seals and reveals, ${o.canaries} of the columns are canaries, one seed draw, the creator's canary commit and reveal, every validator (committees: every validator with a seat) commits and reveals, then finalization. Committees assume equal validator stakes for the count of validators with a seat; finalization of the designs not built uses the estimates of scripts/lib/scale/cost-model.ts (DESIGN_ESTIMATES: a claimed-median check at ${DESIGN_ESTIMATES.medianCheckPerCell} unit a cell, ${DESIGN_ESTIMATES.columnsPerTile}-column tiles, ${DESIGN_ESTIMATES.seatAccess} units of column-accumulator traffic a seat).`,
  );
  out.push('');
  out.push(
    table(
      [
        'trainers x validators',
        'design',
        'gas per epoch',
        'transactions',
        'calldata',
        'finalize calls',
        'lower bound (scores calldata)',
        'gas / lower bound',
      ],
      designRows([...small, asBuilt, tiled, ...committees]),
    ),
  );
  out.push('');
  if (asBuilt.blockers.length > 0) {
    out.push(`Why today's contracts cannot run ${int(o.T)} x ${int(o.V)}:`);
    out.push('');
    for (const b of asBuilt.blockers) out.push(`- ${b}`);
    out.push('');
  }
  out.push(`${int(o.T)} x ${int(o.V)}, every validator, tiled engine:`);
  out.push('');
  out.push(itemTable(tiled));
  out.push('');
  for (const c of committees.filter((c) => c.k === 64)) {
    out.push(`${int(o.T)} x ${int(o.V)}, committees of k = ${c.k}:`);
    out.push('');
    out.push(itemTable(c));
    out.push('');
  }
  out.push(...feeSection(o, headline));
  out.push('');
  out.push(...captureSection(o.V));
  out.push('');
  const page = out.join('\n');
  console.log(page);
  if (o.out !== undefined) {
    writeFileSync(path(o.out), page);
    console.error(`wrote ${o.out}`);
  }
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
