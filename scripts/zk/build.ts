// Builds the WatermarkOwnership circuits (docs/zk.md section 4):
//
//   npm run build:zk                      every instance (production + test), ~3 min on 2 cores
//   npm run build:zk -- --only watermark_ownership_16x32
//   npm run build:zk -- --check           rebuild into .tmp/zk and compare with the committed
//                                         artifacts byte for byte (the build is deterministic)
//
// Per instance: compile with the npm circom2 compiler from the repository root (it cannot read
// files above its working directory), Groth16 setup with the smallest sufficient development
// ptau, one deterministic beacon contribution as phase 2 (INSECURE: its "randomness" is public,
// see DEV_BEACON), the verification key, and for the production instance the Solidity verifier
// (contracts/src/verifiers/) and a forge fixture holding a real proof. Every output is listed
// with its sha256 in the manifest.json of its folder, with the hash of the circuit sources.
//
// ptau files: ZK_PTAU_DIR (default ../shared/zk/ptau, then circuits/ptau) holds
// arena_dev_<power>.ptau; each is checked against circuits/ptau/SHA256SUMS. A public ceremony's
// files: ZK_PTAU_NAME (a pattern, e.g. powersOfTau28_hez_final_{power}.ptau) and ZK_PTAU_SUMS
// (its checksum file). A multi-party phase 2 made outside (docs/zk.md section 4) is imported with
//   npm run build:zk -- --only watermark_ownership --phase2 path/to/final.zkey
// which verifies it against the freshly compiled circuit and the ptau before using it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import * as snarkjs from 'snarkjs';
import { ZK_MANIFEST_FORMAT, type ArtifactFile, type CircuitEntry, type ZkManifest } from '../../src/lib/zk/manifest.ts';
import { PUBLIC_SIGNALS } from '../../src/lib/zk/circuit.ts';
import { releaseProverThreads } from '../../src/lib/zk/prove.ts';
import { CIRCOM_FLAGS, DEV_BEACON, INSTANCES, type CircuitInstance } from './instances.ts';
import { REPO_ROOT, fileSha256, sourceHash } from './sources.ts';
import { writeProofFixture } from './fixture.ts';
import { writeSolidityVerifier } from './verifier.ts';

const fromRoot = (p: string) => (isAbsolute(p) ? p : resolve(REPO_ROOT, p));
const PTAU_SUMS = fromRoot(process.env.ZK_PTAU_SUMS ?? 'circuits/ptau/SHA256SUMS');
const PTAU_NAME = process.env.ZK_PTAU_NAME ?? 'arena_dev_{power}.ptau';
const WORK = join(REPO_ROOT, '.tmp', 'zk');

const quiet = { debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

function ptauDirs(): string[] {
  const env = process.env.ZK_PTAU_DIR;
  const dirs = env ? [fromRoot(env)] : [resolve(REPO_ROOT, '..', 'shared', 'zk', 'ptau')];
  return [...dirs, join(REPO_ROOT, 'circuits', 'ptau')];
}

function knownPtau(): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of readFileSync(PTAU_SUMS, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

/** The smallest development ptau with 2^power >= what the circuit's domain needs. */
function pickPtau(needed: number): { file: string; path: string; power: number; sha256: string } {
  // Never below 2^12: that file is committed (circuits/ptau), so a fresh clone can rebuild the test
  // circuits, and one file for all small circuits keeps their artifacts independent of the machine.
  let power = 12;
  while (2 ** power < needed) power++;
  const file = PTAU_NAME.replace('{power}', String(power).padStart(2, '0'));
  const expected = knownPtau().get(file);
  if (!expected) throw new Error(`${PTAU_SUMS} has no ${file} (the circuit needs 2^${power} >= ${needed})`);
  for (const dir of ptauDirs()) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const actual = fileSha256(relative(REPO_ROOT, path));
    if (actual !== expected) throw new Error(`${path} has sha256 ${actual}, expected ${expected} (${PTAU_SUMS})`);
    return { file, path, power, sha256: actual };
  }
  throw new Error(`no ${file} in ${ptauDirs().join(' or ')}: set ZK_PTAU_DIR to the folder holding the ptau files`);
}

function compile(inst: CircuitInstance, out: string, log: (m: string) => void): void {
  mkdirSync(out, { recursive: true });
  // Relative paths only: the wasm compiler sees the repository root as its file system.
  // --inspect adds circom's own under-constraint checks; they only warn, so show what they say.
  const output = execFileSync(
    process.execPath,
    ['node_modules/circom2/cli.js', inst.source, '--r1cs', '--wasm', '--inspect', ...CIRCOM_FLAGS, '-o', relative(REPO_ROOT, out)],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  // circomlib's LessThan leaves its low bits unused by design.
  const warnings = plain.split('\n').filter((l) => /^warning\[/.test(l) && !l.includes('"LessThan('));
  for (const w of warnings) log(`  circom: ${w}`);
}

function record(absPath: string, relTo: string): ArtifactFile {
  const bytes = readFileSync(absPath);
  return { path: relative(relTo, absPath).split('\\').join('/'), sha256: fileSha256(relative(REPO_ROOT, absPath)), bytes: bytes.length };
}

async function buildInstance(inst: CircuitInstance, outDir: string, log: (m: string) => void, phase2?: string): Promise<CircuitEntry> {
  const work = join(WORK, inst.name);
  rmSync(work, { recursive: true, force: true });
  let t = Date.now();
  const lap = () => {
    const s = ((Date.now() - t) / 1000).toFixed(1);
    t = Date.now();
    return `${s} s`;
  };
  const sources = sourceHash(inst.source);
  compile(inst, work, log);
  const r1csPath = join(work, `${inst.name}.r1cs`);
  const info = await snarkjs.r1cs.info(r1csPath, quiet);
  log(`${inst.name}: compiled, ${info.nConstraints} constraints, ${info.nVars} wires (${lap()})`);
  if (info.nPubInputs !== PUBLIC_SIGNALS.length || info.nOutputs !== 0) throw new Error(`${inst.name}: expected ${PUBLIC_SIGNALS.length} public inputs and no outputs`);

  const ptau = pickPtau(info.nConstraints + info.nPubInputs + info.nOutputs + 1);
  let zkey = join(work, `${inst.name}.zkey`);
  let phase2Text: string;
  if (phase2) {
    // A ceremony's final zkey: it must belong to exactly this circuit and this ptau.
    if (!(await snarkjs.zKey.verifyFromR1cs(r1csPath, ptau.path, phase2, quiet))) {
      throw new Error(`${phase2} is not a valid proving key of ${inst.source} with ${ptau.file}`);
    }
    zkey = phase2;
    phase2Text = `imported ${basename(phase2)} (sha256 ${fileSha256(relative(REPO_ROOT, phase2))}), verified against this circuit and ${ptau.file}; \`snarkjs zkey verify\` lists its contributions`;
    log(`${inst.name}: imported phase 2 ${phase2}, verified (${lap()})`);
  } else {
    const zkey0 = join(work, `${inst.name}_0000.zkey`);
    await snarkjs.zKey.newZKey(r1csPath, ptau.path, zkey0, quiet);
    await snarkjs.zKey.beacon(zkey0, zkey, DEV_BEACON.name, DEV_BEACON.hash, DEV_BEACON.iterationsExp, quiet);
    phase2Text = `INSECURE development phase 2: one snarkjs beacon contribution "${DEV_BEACON.name}" with the public hash ${DEV_BEACON.hash} (2^${DEV_BEACON.iterationsExp} iterations)`;
    log(`${inst.name}: setup with ${ptau.file} and the development beacon (${lap()})`);
  }
  const vkey = await snarkjs.zKey.exportVerificationKey(zkey, quiet);

  mkdirSync(outDir, { recursive: true });
  const dest = (ext: string) => join(outDir, `${inst.name}${ext}`);
  copyFileSync(join(work, `${inst.name}_js`, `${inst.name}.wasm`), dest('.wasm'));
  copyFileSync(zkey, dest('.zkey'));
  writeFileSync(dest('.vkey.json'), `${JSON.stringify(vkey, null, 1)}\n`);
  if (inst.keepR1cs) copyFileSync(r1csPath, dest('.r1cs'));

  const entry: CircuitEntry = {
    T: inst.T,
    N: inst.N,
    WB: inst.WB,
    source: inst.source,
    sourceHash: sources.hash,
    publicSignals: [...PUBLIC_SIGNALS],
    constraints: info.nConstraints,
    wires: info.nVars,
    ptau: { file: ptau.file, power: ptau.power, sha256: ptau.sha256 },
    phase2: phase2Text,
    files: {
      wasm: record(dest('.wasm'), outDir),
      zkey: record(dest('.zkey'), outDir),
      vkey: record(dest('.vkey.json'), outDir),
      ...(inst.keepR1cs ? { r1cs: record(dest('.r1cs'), outDir) } : {}),
    },
  };
  return entry;
}

function readManifest(outDir: string): ZkManifest {
  const path = join(outDir, 'manifest.json');
  if (!existsSync(path)) return { format: ZK_MANIFEST_FORMAT, version: 1, circuits: {} };
  return JSON.parse(readFileSync(path, 'utf8')) as ZkManifest;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const check = argv.includes('--check');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',')) : null;
  const phase2At = argv.indexOf('--phase2');
  const phase2 = phase2At >= 0 ? fromRoot(argv[phase2At + 1] ?? '') : undefined;
  const unknown = argv.filter((a, i) => !['--check', '--only', '--phase2'].includes(a) && i !== onlyAt + 1 && i !== phase2At + 1);
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')} (use --only <names>, --check, --phase2 <final.zkey>)`);
  const selected = INSTANCES.filter((i) => !only || only.has(i.name));
  if (only && selected.length !== only.size) throw new Error(`--only: known circuits are ${INSTANCES.map((i) => i.name).join(', ')}`);
  if (phase2 !== undefined && (selected.length !== 1 || !existsSync(phase2))) throw new Error('--phase2 takes an existing zkey file and exactly one circuit (--only <name>)');

  const log = (m: string) => console.log(m);
  let mismatches = 0;
  for (const inst of selected) {
    const committedDir = join(REPO_ROOT, inst.outDir);
    const outDir = check ? join(WORK, 'check', inst.outDir) : committedDir;
    const entry = await buildInstance(inst, outDir, log, phase2);
    if (check) {
      const committed = readManifest(committedDir).circuits[inst.name];
      for (const [kind, f] of Object.entries(entry.files)) {
        const c = committed?.files[kind as keyof CircuitEntry['files']];
        const same = c?.sha256 === f.sha256;
        if (!same) mismatches++;
        log(`  ${kind}: ${same ? 'identical' : `DIFFERS (committed ${c?.sha256 ?? 'missing'}, rebuilt ${f.sha256})`}`);
      }
      continue;
    }
    const manifest = readManifest(committedDir);
    manifest.circuits[inst.name] = entry;
    manifest.circuits = Object.fromEntries(Object.entries(manifest.circuits).sort(([a], [b]) => a.localeCompare(b)));
    writeFileSync(join(committedDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (inst.verifier) {
      const zkeyPath = join(committedDir, `${inst.name}.zkey`);
      await writeSolidityVerifier(zkeyPath, inst.verifier.contract, join(REPO_ROOT, inst.verifier.file), entry);
      log(`${inst.name}: wrote ${inst.verifier.file}`);
      await writeProofFixture(committedDir, inst, join(REPO_ROOT, inst.verifier.fixture));
      log(`${inst.name}: wrote ${inst.verifier.fixture}`);
    }
    log(`${inst.name}: wasm ${mb(entry.files.wasm.bytes)}, zkey ${mb(entry.files.zkey.bytes)} -> ${inst.outDir}`);
  }
  if (check) {
    log(mismatches === 0 ? 'check: the committed artifacts are exactly what this build produces' : `check: ${mismatches} artifacts differ`);
    if (mismatches > 0) process.exitCode = 1;
  }
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

try {
  await main();
} finally {
  await releaseProverThreads();
}
