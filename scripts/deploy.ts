// `npm run deploy -- --rpc-url URL`: deploys the protocol with DEPLOYER_PRIVATE_KEY.
import { DEPLOY_USAGE, parseDeployOptions, readDeployerKey, UsageError } from './lib/deploy-options.ts';
import { runDeploy } from './lib/deploy-run.ts';

async function main(): Promise<number> {
  const opts = parseDeployOptions(process.argv.slice(2), process.env);
  if (!opts) {
    console.log(DEPLOY_USAGE);
    return 0;
  }
  const key = readDeployerKey(process.env);
  const { file, deployment } = await runDeploy(opts, key, (line) => console.log(line));
  console.log(`\nDeployed on chain ${deployment.chainId} (from block ${deployment.fromBlock}); wrote ${file}`);
  for (const [name, address] of Object.entries(deployment.contracts)) console.log(`  ${name.padEnd(15)} ${address}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`deploy failed: ${message}`);
    if (e instanceof UsageError) console.error('\nRun `npm run deploy -- --help` for the options.');
    process.exit(1);
  },
);
