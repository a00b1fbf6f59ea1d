// Zero-knowledge benchmark (docs/zk.md; results in docs/bench/zk.md):
//
//   npm run bench:zk                 all of it, ~2 min on 2 cores; writes docs/bench/zk.md
//   npm run bench:zk -- --no-write   print only
//   npm run bench:zk -- --runs 5     proofs per measurement (default 3)
//
// Per circuit: constraints, wires, artifact sizes (raw and gzip, what a server sends);
// witness and proving time in Node and in a headless-Chromium module worker (the app's prover
// client, artifacts fetched from a Vite server), the median over the runs after one warm-up
// (the browser's first proof, which downloads the artifacts, is reported separately); and the
// verifier's gas on anvil with a real proof.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort, startAnvil } from './lib/anvil.ts';
import { devAccounts } from './lib/dev-accounts.ts';
import { localPublicClient, localWallet } from './lib/local-chain.ts';
import { INSTANCES, PRODUCTION } from './zk/instances.ts';
import { REPO_ROOT } from './zk/sources.ts';
import { PRODUCTION_VECTOR, vectorByName, vectorClaim } from './zk/vectors.ts';
import { calldataGas, deployVerifier, leastGasLimit, verifyWithGas } from './zk/verifier-contract.ts';
import { startHarness } from '../test/browser/harness.ts';
import { verifierArgs } from '../src/lib/zk/calldata.ts';
import { prepareOwnershipProof, type OwnershipClaim } from '../src/lib/zk/inputs.ts';
import { parseZkManifest, type CircuitEntry } from '../src/lib/zk/manifest.ts';
import { proveOwnership, releaseProverThreads, type OwnershipProof, type ProofTimings } from '../src/lib/zk/prove.ts';

const argv = process.argv.slice(2);
const write = !argv.includes('--no-write');
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs takes a positive integer');

const loadBefore = os.loadavg()[0]!;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sec = (ms: number) => (ms / 1000).toFixed(2);
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

interface CircuitRow {
  name: string;
  entry: CircuitEntry;
  gzip: { wasm: number; zkey: number };
}

function circuits(): CircuitRow[] {
  return INSTANCES.map((inst) => {
    const dir = join(REPO_ROOT, inst.outDir);
    const entry = parseZkManifest(readFileSync(join(dir, 'manifest.json'), 'utf8')).circuits[inst.name]!;
    const gz = (f: string) => gzipSync(readFileSync(join(dir, f))).length;
    return { name: inst.name, entry, gzip: { wasm: gz(entry.files.wasm.path), zkey: gz(entry.files.zkey.path) } };
  });
}

/** A claim that decodes for each instance: the shared vectors where they exist. */
function claimFor(name: string): OwnershipClaim | null {
  if (name === PRODUCTION.name) return vectorClaim(vectorByName(PRODUCTION_VECTOR));
  if (name === 'watermark_ownership_16x32') return vectorClaim(vectorByName('small-16x32'));
  return null;
}

async function benchNode(row: CircuitRow): Promise<{ timings: ProofTimings; last: OwnershipProof } | null> {
  const claim = claimFor(row.name);
  if (!claim) return null;
  const inst = INSTANCES.find((i) => i.name === row.name)!;
  const dir = join(REPO_ROOT, inst.outDir);
  const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
  const artifacts = {
    wasm: read(row.entry.files.wasm.path),
    zkey: read(row.entry.files.zkey.path),
    vkey: JSON.parse(readFileSync(join(dir, row.entry.files.vkey.path), 'utf8')),
  };
  const prepared = prepareOwnershipProof(inst, claim);
  let last = await proveOwnership(artifacts, prepared); // warm-up: curve threads, wasm compilation
  const all: ProofTimings[] = [];
  for (let i = 0; i < RUNS; i++) {
    last = await proveOwnership(artifacts, prepared);
    all.push(last.timings);
    console.log(
      `node ${row.name}: witness ${sec(last.timings.witnessMs)} s, prove ${sec(last.timings.proveMs)} s, verify ${sec(last.timings.verifyMs)} s`,
    );
  }
  return {
    timings: {
      witnessMs: median(all.map((t) => t.witnessMs)),
      proveMs: median(all.map((t) => t.proveMs)),
      verifyMs: median(all.map((t) => t.verifyMs)),
    },
    last,
  };
}

interface BrowserResult {
  first: { wallMs: number; timings: ProofTimings };
  warm: ProofTimings;
  threads: number;
  chromium: string;
}

async function benchBrowser(): Promise<BrowserResult> {
  const h = await startHarness();
  try {
    const page = await h.open('/test/browser/pages/zk.html');
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
    type R = { wallMs: number; timings: ProofTimings; hardwareConcurrency: number };
    const prove = () =>
      page.evaluate(() => (window as unknown as { zk: { prove(k: string): Promise<R> } }).zk.prove('claim'));
    const first = await prove();
    console.log(
      `browser first proof: ${sec(first.wallMs)} s in all (download, witness ${sec(first.timings.witnessMs)} s, prove ${sec(first.timings.proveMs)} s)`,
    );
    const warm: ProofTimings[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await prove();
      warm.push(r.timings);
      console.log(
        `browser warm proof: witness ${sec(r.timings.witnessMs)} s, prove ${sec(r.timings.proveMs)} s, verify ${sec(r.timings.verifyMs)} s`,
      );
    }
    return {
      first,
      warm: {
        witnessMs: median(warm.map((t) => t.witnessMs)),
        proveMs: median(warm.map((t) => t.proveMs)),
        verifyMs: median(warm.map((t) => t.verifyMs)),
      },
      threads: first.hardwareConcurrency,
      chromium: h.context.browser()?.version() ?? 'unknown',
    };
  } finally {
    await h.close();
  }
}

interface GasResult {
  deploy: bigint;
  charged: bigint;
  limit: bigint;
  calldata: bigint;
  estimate: bigint;
}

async function benchGas(proof: OwnershipProof): Promise<GasResult> {
  const anvil = await startAnvil({ port: await freePort() });
  try {
    const client = localPublicClient(anvil.url);
    const wallet = localWallet(anvil.url, devAccounts(1)[0]!.privateKey);
    const verifier = await deployVerifier(wallet, client);
    if (!(await verifyWithGas(client, verifier, proof.calldata)))
      throw new Error('the verifier rejects the benchmark proof');
    const hash = await wallet.writeContract({
      address: verifier.address,
      abi: verifier.abi,
      functionName: 'verifyProof',
      args: verifierArgs(proof.calldata),
      gas: 1_000_000n,
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    const estimate = await client.estimateContractGas({
      address: verifier.address,
      abi: verifier.abi,
      functionName: 'verifyProof',
      args: verifierArgs(proof.calldata),
    });
    return {
      deploy: verifier.deployGas,
      charged: receipt.gasUsed,
      limit: await leastGasLimit(client, verifier, proof.calldata),
      calldata: calldataGas(proof.calldata, verifier.abi),
      estimate,
    };
  } finally {
    await anvil.stop();
  }
}

const rows = circuits();
const node = new Map<string, ProofTimings>();
let productionProof: OwnershipProof | null = null;
for (const row of rows) {
  const r = await benchNode(row);
  if (!r) continue;
  node.set(row.name, r.timings);
  if (row.name === PRODUCTION.name) productionProof = r.last;
}
await releaseProverThreads();
const browser = await benchBrowser();
const gas = await benchGas(productionProof!);

const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, headless Chromium ${browser.chromium} (${browser.threads} prover threads), snarkjs 0.7.6, 1-minute load average ${loadBefore.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end`;
const circuitTable = [
  '| circuit | T x N x WB | constraints | wires | ptau | wasm | zkey | wasm gzip | zkey gzip |',
  '|---|---|--:|--:|---|--:|--:|--:|--:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${r.entry.T} x ${r.entry.N} x ${r.entry.WB} | ${r.entry.constraints.toLocaleString('en')} | ${r.entry.wires.toLocaleString('en')} | 2^${r.entry.ptau.power} | ${mib(r.entry.files.wasm.bytes)} | ${mib(r.entry.files.zkey.bytes)} | ${mib(r.gzip.wasm)} | ${mib(r.gzip.zkey)} |`,
  ),
].join('\n');
const t = (x: ProofTimings) => `${sec(x.witnessMs)} s | ${sec(x.proveMs)} s | ${sec(x.verifyMs)} s`;
const timeTable = [
  '| where | circuit | witness | prove | local verify |',
  '|---|---|--:|--:|--:|',
  ...[...node].map(([name, x]) => `| Node (snarkjs threads: ${os.cpus().length}) | ${name} | ${t(x)} |`),
  `| Chromium worker, warm | ${PRODUCTION.name} | ${t(browser.warm)} |`,
  `| Chromium worker, first proof | ${PRODUCTION.name} | ${t(browser.first.timings)} |`,
].join('\n');

const md = `# Zero-knowledge proofs (WatermarkOwnership)

Measured by \`npm run bench:zk\` on ${machine}. Times are medians of ${RUNS} proofs after a warm-up; the
first browser proof also downloads and hash-checks the artifacts: ${sec(browser.first.wallMs)} s from the call to the
verified proof, against the target of 30 s. Groth16 on BN254 (circom 2 via the npm circom2 compiler, snarkjs);
design and soundness in [docs/zk.md](../zk.md).

## Circuits

${circuitTable}

The production instance is the first row; the others are the test instances. Artifacts are committed
(\`public/zk/\`, \`circuits/artifacts/\`); the app downloads wasm + zkey once per version (the service worker
caches them by sha256).

## Proving time

${timeTable}

## Verification gas (anvil, cancun)

| what | gas |
|---|--:|
| verifyProof transaction, charged (receipt gasUsed) | ${gas.charged.toLocaleString('en')} |
| of which calldata | ${gas.calldata.toLocaleString('en')} |
| of which execution (charged - 21,000 - calldata) | ${(gas.charged - 21_000n - gas.calldata).toLocaleString('en')} |
| least gas limit for which it returns true | ${gas.limit.toLocaleString('en')} |
| eth_estimateGas of the same call (wrong: see below) | ${gas.estimate.toLocaleString('en')} |
| deploying the verifier | ${gas.deploy.toLocaleString('en')} |

Target: under 300,000 per verification. The snarkjs verifier returns false instead of reverting
when its pairing precompile call runs out of gas, so \`eth_estimateGas\` of a bare \`verifyProof\`
call finds a limit at which the answer is false; a caller that reverts on false (as a challenge
contract does) gets a correct estimate.
`;

console.log(`\n${md}`);
if (write) writeFileSync(join(REPO_ROOT, 'docs', 'bench', 'zk.md'), md);
