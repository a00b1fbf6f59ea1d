// `npm run canaries -- --task ID`: the task creator's canary producer (docs/canaries.md), with
// CANARY_CREATOR_KEY and CANARY_SECRET from the environment (never printed).
import { CANARY_USAGE, CanaryUsageError, parseCanaryOptions } from './lib/canary/options.ts';
import { runCanaries } from './lib/canary/run.ts';

async function main(): Promise<number> {
  const opts = parseCanaryOptions(process.argv.slice(2), process.env);
  if (!opts) {
    console.log(CANARY_USAGE);
    return 0;
  }
  await runCanaries(opts, process.env, (line) => console.log(line));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`canaries failed: ${e instanceof Error ? e.message : String(e)}`);
    if (e instanceof CanaryUsageError) console.error('\nRun `npm run canaries -- --help` for the options.');
    process.exit(1);
  },
);
