// Network simulation (issue 13 part 2): one whole task on a local anvil with the deployed
// contracts, real trainers (digits models trained in this process), validator agents and
// validators scoring through a shared cache, delegators, and the incentive benchmark's
// adversaries; every stake, score, challenge and claim a real transaction. Prints the report and
// writes docs/bench/network.md. What runs: scripts/lib/sim/ (run.ts is the whole task).
//
//   npm run sim                                   150 trainers, 450 validators, 400 delegators
//   npm run sim -- --small --out /tmp/network.md  the integration test's ~50 participants
//   npm run sim -- --trainers 64 --validators 128 --delegators 100 --agents 4 --seed 3
//   options: --trainers --validators --delegators --agents --seed --subset (evalSubsetSize)
//            --min-segments --max-segments (training length) --concurrency --out --small
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { optionReader } from './lib/bench-options.ts';
import { REPO_ROOT } from './lib/paths.ts';
import { SIM_OPTIONS, configFromOptions } from './lib/sim/config.ts';
import { renderPage } from './lib/sim/page.ts';
import { buildReport } from './lib/sim/report.ts';
import { runSim } from './lib/sim/run.ts';

const argv = process.argv.slice(2);
const options = optionReader(argv, SIM_OPTIONS);
const config = configFromOptions(options);
const out = options.get('out') ?? join(REPO_ROOT, 'docs', 'bench', 'network.md');
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);

const run = await runSim(config, { log });
const report = buildReport(run);
const page = renderPage(run, report, {
  command: ['npm run sim', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  date: new Date().toISOString().slice(0, 10),
});
writeFileSync(out, page);
// The page's first sections are the summary: targets and Table 1.
console.log(page.split('\n## Fairness')[0]);
console.log(`wrote ${out}`);
