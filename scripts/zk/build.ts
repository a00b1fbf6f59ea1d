// Builds the WatermarkOwnership circuits (docs/zk.md section 4):
//
//   npm run build:zk                      every instance (production + test), ~3 min on 2 cores
//   npm run build:zk -- --only watermark_ownership_16x32
//   npm run build:zk -- --check           rebuild into .tmp/zk and compare with the committed
//                                         artifacts byte for byte (the build is deterministic)
//   npm run build:zk -- --only watermark_ownership --compile-only
//                                         the r1cs a phase-2 ceremony contributes to, and its hash
//   npm run build:zk -- --only watermark_ownership --phase2 final.zkey --out-dir zk-production
//                                         import a multi-party phase 2 (the production path)
//
// Per instance: compile with the npm circom2 compiler from the repository root (it cannot read
// files above its working directory), Groth16 setup with the smallest sufficient development
// ptau, one deterministic beacon contribution as phase 2 (INSECURE: its "randomness" is public,
// see DEV_BEACON), the verification key, and for the production instance the Solidity verifier
// (contracts/src/verifiers/) and a forge fixture holding a real proof. Every output is listed
// with its sha256 in the manifest.json of its folder, with the hash of the circuit sources.
// The verifier records its ceremony (ceremony()); a development one refuses, in its
// constructor, every chain but the local development chains.
//
// ptau files: ZK_PTAU_DIR (default ../shared/zk/ptau, then circuits/ptau) holds
// arena_dev_<power>.ptau; each is checked against circuits/ptau/SHA256SUMS. A public ceremony's
// files: ZK_PTAU_NAME (a pattern, e.g. powersOfTau28_hez_final_{power}.ptau) and ZK_PTAU_SUMS
// (its checksum file). A multi-party phase 2 made outside (docs/zk.md section 4) is imported with
// --phase2, which needs ZK_PTAU_NAME (the public ptau), refuses a key whose contributions are all
// beacons, verifies it against the freshly compiled circuit and the ptau, and writes to --out-dir
// (wasm, zkey, vkey, r1cs, manifest, WatermarkOwnershipVerifier.sol and its interface, checked to
// compile) or, with --in-place, over the committed development artifacts. ZK_WORK_DIR (inside
// the repository, default .tmp/zk) holds the intermediate files.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import * as snarkjs from 'snarkjs';
import {
  ZK_MANIFEST_FORMAT,
  type ArtifactFile,
  type CircuitEntry,
  type ZkManifest,
} from '../../src/lib/zk/manifest.ts';
import { PUBLIC_SIGNALS } from '../../src/lib/zk/circuit.ts';
import { releaseProverThreads } from '../../src/lib/zk/prove.ts';
import { CIRCOM_FLAGS, DEV_BEACON, INSTANCES, type CircuitInstance } from './instances.ts';
import { REPO_ROOT, fileSha256, sourceHash } from './sources.ts';
import { writeProofFixture } from './fixture.ts';
import { MAX_CEREMONY_DESCRIPTION, VERIFIER_INTERFACE, writeSolidityVerifier } from './verifier.ts';
import { compileVerifierDir, INTERFACE_SOURCE, VERIFIER_CONTRACT, VERIFIER_SOURCE } from './verifier-compile.ts';
import { importedCeremony } from './phase-label.ts';
import { privateContributions, readZkeyContributions, type ZkeyContribution } from './zkey-contributions.ts';
import { fileCid } from '../../src/lib/storage/unixfs/dag.ts';

const fromRoot = (p: string) => (isAbsolute(p) ? p : resolve(REPO_ROOT, p));
const PTAU_SUMS = fromRoot(process.env.ZK_PTAU_SUMS ?? 'circuits/ptau/SHA256SUMS');
const PTAU_NAME = process.env.ZK_PTAU_NAME ?? 'arena_dev_{power}.ptau';
const WORK = fromRoot(process.env.ZK_WORK_DIR ?? join('.tmp', 'zk'));
/** The project's own development ptau files: never a public ceremony, whatever name they travel under. */
const DEV_PTAU_SUMS = join(REPO_ROOT, 'circuits', 'ptau', 'SHA256SUMS');

const quiet = { debug() {}, info() {}, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

function ptauDirs(): string[] {
  const env = process.env.ZK_PTAU_DIR;
  const dirs = env ? [fromRoot(env)] : [resolve(REPO_ROOT, '..', 'shared', 'zk', 'ptau')];
  return [...dirs, join(REPO_ROOT, 'circuits', 'ptau')];
}

function knownPtau(file = PTAU_SUMS): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

/** The smallest development ptau with 2^power >= what the circuit's domain needs. */
function pickPtau(needed: number): {
  file: string;
  path: string;
  power: number;
  sha256: string;
  development: string | null;
} {
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
    const development = [...knownPtau(DEV_PTAU_SUMS)].find(([, sha]) => sha === actual)?.[0] ?? null;
    return { file, path, power, sha256: actual, development };
  }
  throw new Error(`no ${file} in ${ptauDirs().join(' or ')}: set ZK_PTAU_DIR to the folder holding the ptau files`);
}

function compile(inst: CircuitInstance, out: string, log: (m: string) => void): void {
  mkdirSync(out, { recursive: true });
  // Relative paths only: the wasm compiler sees the repository root as its file system.
  // --inspect adds circom's own under-constraint checks; they only warn, so show what they say.
  const output = execFileSync(
    process.execPath,
    [
      'node_modules/circom2/cli.js',
      inst.source,
      '--r1cs',
      '--wasm',
      '--inspect',
      ...CIRCOM_FLAGS,
      '-o',
      relative(REPO_ROOT, out),
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // eslint-disable-next-line no-control-regex -- strips the ANSI colour codes (ESC [ ... m) circom prints
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  // circomlib's LessThan leaves its low bits unused by design.
  const warnings = plain.split('\n').filter((l) => /^warning\[/.test(l) && !l.includes('"LessThan('));
  for (const w of warnings) log(`  circom: ${w}`);
}

async function record(absPath: string, relTo: string): Promise<ArtifactFile> {
  const bytes = readFileSync(absPath);
  return {
    path: relative(relTo, absPath).split('\\').join('/'),
    sha256: fileSha256(relative(REPO_ROOT, absPath)),
    bytes: bytes.length,
    cid: await fileCid(new Uint8Array(bytes)),
  };
}

interface ImportedPhase2 {
  path: string;
  contributions: ZkeyContribution[];
}

async function buildInstance(
  inst: CircuitInstance,
  outDir: string,
  log: (m: string) => void,
  phase2?: ImportedPhase2,
  keepR1cs = inst.keepR1cs,
  standInPublicPtau = false,
): Promise<CircuitEntry> {
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
  if (info.nPubInputs !== PUBLIC_SIGNALS.length || info.nOutputs !== 0)
    throw new Error(`${inst.name}: expected ${PUBLIC_SIGNALS.length} public inputs and no outputs`);

  const ptau = pickPtau(info.nConstraints + info.nPubInputs + info.nOutputs + 1);
  let zkey = join(work, `${inst.name}.zkey`);
  let phase2Text: string;
  let development = true;
  if (phase2) {
    // A ceremony's final zkey: it must belong to exactly this circuit and this ptau.
    if (!(await snarkjs.zKey.verifyFromR1cs(r1csPath, ptau.path, phase2.path, quiet))) {
      throw new Error(`${phase2.path} is not a valid proving key of ${inst.source} with ${ptau.file}`);
    }
    zkey = phase2.path;
    const own = privateContributions(phase2.contributions);
    const label = importedCeremony({
      zkeyName: basename(phase2.path),
      contributions: own,
      beacons: phase2.contributions.length - own,
      ptauFile: ptau.file,
      developmentPtau: ptau.development,
      standInPublicPtau,
    });
    phase2Text = label.description;
    development = label.development;
    if (ptau.development !== null) {
      log(
        `WARNING: ${ptau.path} is the project's development ptau ${ptau.development}: whoever made it can forge proofs`,
      );
      log(
        standInPublicPtau
          ? 'WARNING: with this key. --stand-in-public-ptau labels it production anyway: for tests only.'
          : 'WARNING: with this key, which stays a development key (refused on public chains). Production takes the ptau of a public ceremony (docs/zk.md section 4).',
      );
    }
    log(
      `${inst.name}: imported phase 2 ${phase2.path} (${phase2.contributions.map((c) => `${c.type} "${c.name ?? ''}"`).join(', ')}), verified (${lap()})`,
    );
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
  if (keepR1cs) copyFileSync(r1csPath, dest('.r1cs'));

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
    development,
    files: {
      wasm: await record(dest('.wasm'), outDir),
      zkey: await record(dest('.zkey'), outDir),
      vkey: await record(dest('.vkey.json'), outDir),
      ...(keepR1cs ? { r1cs: await record(dest('.r1cs'), outDir) } : {}),
    },
  };
  return entry;
}

function readManifest(outDir: string): ZkManifest {
  const path = join(outDir, 'manifest.json');
  if (!existsSync(path)) return { format: ZK_MANIFEST_FORMAT, version: 1, circuits: {} };
  return JSON.parse(readFileSync(path, 'utf8')) as ZkManifest;
}

const USAGE = `Usage: npm run build:zk -- [--only NAMES] [--check | --compile-only | --phase2 ZKEY (--out-dir DIR | --in-place) | --out-dir DIR]

  --only NAMES     comma-separated circuits (default: all): ${INSTANCES.map((i) => i.name).join(', ')}
  --check          rebuild into .tmp/zk and compare with the committed artifacts
  --compile-only   compile only: the r1cs a phase-2 ceremony starts from (\`snarkjs groth16 setup\`)
  --phase2 ZKEY    import a multi-party phase 2's final zkey (one circuit; needs ZK_PTAU_NAME, ZK_PTAU_DIR, ZK_PTAU_SUMS)
  --out-dir DIR    write the artifacts, manifest and verifier to DIR (one circuit)
  --in-place       with --phase2: replace the committed development artifacts and verifier
  --stand-in-public-ptau
                   with --phase2: treat the project's development ptau as if it were a public
                   ceremony's (tests of the production path only; never for a real deployment)`;

interface BuildArgs {
  check: boolean;
  compileOnly: boolean;
  inPlace: boolean;
  only: Set<string> | null;
  phase2?: string;
  outDir?: string;
  standInPublicPtau: boolean;
}

function parseBuildArgs(argv: string[]): BuildArgs | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        check: { type: 'boolean', default: false },
        'compile-only': { type: 'boolean', default: false },
        'in-place': { type: 'boolean', default: false },
        only: { type: 'string' },
        phase2: { type: 'string' },
        'out-dir': { type: 'string' },
        'stand-in-public-ptau': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new Error(`${(e as Error).message}\n\n${USAGE}`, { cause: e });
  }
  if (values.help) return null;
  return {
    check: values.check ?? false,
    compileOnly: values['compile-only'] ?? false,
    inPlace: values['in-place'] ?? false,
    standInPublicPtau: values['stand-in-public-ptau'] ?? false,
    only: values.only === undefined ? null : new Set(values.only.split(',')),
    ...(values.phase2 === undefined ? {} : { phase2: fromRoot(values.phase2) }),
    ...(values['out-dir'] === undefined ? {} : { outDir: fromRoot(values['out-dir']) }),
  };
}

const inside = (dir: string, parent: string) => dir === parent || dir.startsWith(parent + sep);

/** Everything about the flags that can be wrong, checked before any compiling. */
function checkArgs(a: BuildArgs, selected: CircuitInstance[]): void {
  const modes = [a.check && '--check', a.compileOnly && '--compile-only', a.phase2 !== undefined && '--phase2'].filter(
    Boolean,
  );
  if (modes.length > 1) throw new Error(`${modes.join(' and ')} do not go together`);
  if (a.outDir !== undefined && (a.check || a.compileOnly))
    throw new Error('--out-dir does not go with --check or --compile-only');
  if (a.standInPublicPtau && a.phase2 === undefined) throw new Error('--stand-in-public-ptau only goes with --phase2');
  if (a.inPlace && a.phase2 === undefined)
    throw new Error('--in-place only goes with --phase2 (a development build always writes the committed artifacts)');
  if (a.inPlace && a.outDir !== undefined)
    throw new Error('--in-place and --out-dir do not go together: choose where the artifacts go');
  if ((a.phase2 !== undefined || a.outDir !== undefined) && selected.length !== 1)
    throw new Error('--phase2 and --out-dir take exactly one circuit: add --only <name>');
  if (a.outDir !== undefined) {
    const committed = [
      ...new Set(INSTANCES.flatMap((i) => [i.outDir, ...(i.verifier ? [dirname(i.verifier.file)] : [])])),
    ].map((d) => join(REPO_ROOT, d));
    if (committed.some((d) => inside(a.outDir!, d) || inside(d, a.outDir!))) {
      throw new Error(
        `--out-dir ${a.outDir} is or holds a folder of committed artifacts (${committed.map((d) => relative(REPO_ROOT, d)).join(', ')}): choose another folder`,
      );
    }
  }
  if (!inside(WORK, REPO_ROOT))
    throw new Error(
      `ZK_WORK_DIR must lie inside the repository (${REPO_ROOT}): the circom compiler sees only that folder`,
    );
  if (a.phase2 !== undefined) {
    if (!existsSync(a.phase2)) throw new Error(`--phase2: no file ${a.phase2}`);
    if (a.outDir === undefined && !a.inPlace) {
      throw new Error(
        '--phase2 writes either to --out-dir DIR (keeps the committed development artifacts) or, with --in-place, over the committed artifacts: say which',
      );
    }
    if (process.env.ZK_PTAU_NAME === undefined) {
      throw new Error(
        "--phase2 needs the public ceremony's ptau the zkey was set up with: set ZK_PTAU_DIR, ZK_PTAU_NAME (e.g. powersOfTau28_hez_final_{power}.ptau) and ZK_PTAU_SUMS (docs/zk.md section 4)",
      );
    }
    // The file name goes on chain in ceremony()'s description.
    if (!/^[\x21-\x7e]{1,64}$/.test(basename(a.phase2)))
      throw new Error(
        `--phase2: name the zkey with at most 64 printable ASCII characters and no spaces (its name goes on chain), got "${basename(a.phase2)}"`,
      );
  }
}

/** The contributions of an imported key; refuses a key nobody contributed secret randomness to. */
function importedPhase2(path: string, log: (m: string) => void): ImportedPhase2 {
  const contributions = readZkeyContributions(path);
  if (privateContributions(contributions) === 0) {
    throw new Error(
      `${path} has no contribution with private randomness (${contributions.length === 0 ? 'no contributions at all' : `only ${contributions.length} beacon${contributions.length === 1 ? '' : 's'}: ${contributions.map((c) => `"${c.name ?? ''}"`).join(', ')}`}): ` +
        "a beacon's value is public, so anyone could recompute this key's toxic waste and forge proofs, as with the development key. " +
        'Import the final zkey of a ceremony with at least one `snarkjs zkey contribute` (docs/zk.md section 4)',
    );
  }
  log(
    `phase 2 ${path}: ${contributions.length} contributions (${privateContributions(contributions)} with private randomness)`,
  );
  return { path, contributions };
}

async function compileOnly(inst: CircuitInstance, log: (m: string) => void): Promise<void> {
  const work = join(WORK, inst.name);
  rmSync(work, { recursive: true, force: true });
  compile(inst, work, log);
  const r1cs = join(work, `${inst.name}.r1cs`);
  const info = await snarkjs.r1cs.info(r1cs, quiet);
  const power = Math.max(12, Math.ceil(Math.log2(info.nConstraints + info.nPubInputs + info.nOutputs + 1)));
  log(
    `${inst.name}: ${info.nConstraints} constraints (a ptau of power ${power}); source hash ${sourceHash(inst.source).hash}`,
  );
  log(`  r1cs ${relative(process.cwd(), r1cs)}  sha256 ${fileSha256(relative(REPO_ROOT, r1cs))}`);
}

/** The verifier of an --out-dir build, with its interface next to it, checked to compile. */
async function writeOutDirVerifier(
  outDir: string,
  inst: CircuitInstance,
  entry: CircuitEntry,
  log: (m: string) => void,
): Promise<void> {
  await writeSolidityVerifier(
    join(outDir, `${inst.name}.zkey`),
    VERIFIER_CONTRACT,
    join(outDir, VERIFIER_SOURCE),
    entry,
  );
  copyFileSync(VERIFIER_INTERFACE, join(outDir, INTERFACE_SOURCE));
  const compiled = compileVerifierDir(outDir);
  log(
    `${inst.name}: wrote ${join(outDir, VERIFIER_SOURCE)} (${entry.development ? 'development' : 'imported'} ceremony; ${(compiled.bytecode.length - 2) / 2} bytes of creation code with ${compiled.compiler})`,
  );
}

async function main(): Promise<void> {
  const args = parseBuildArgs(process.argv.slice(2));
  if (!args) {
    console.log(USAGE);
    return;
  }
  const selected = INSTANCES.filter((i) => !args.only || args.only.has(i.name));
  if (args.only && selected.length !== args.only.size)
    throw new Error(`--only: known circuits are ${INSTANCES.map((i) => i.name).join(', ')}`);
  checkArgs(args, selected);

  const log = (m: string) => console.log(m);
  if (args.compileOnly) {
    for (const inst of selected) await compileOnly(inst, log);
    return;
  }
  const phase2 = args.phase2 === undefined ? undefined : importedPhase2(args.phase2, log);
  let mismatches = 0;
  for (const inst of selected) {
    const committedDir = join(REPO_ROOT, inst.outDir);
    if (args.outDir !== undefined) {
      const entry = await buildInstance(inst, args.outDir, log, phase2, true, args.standInPublicPtau);
      if (entry.phase2.length > MAX_CEREMONY_DESCRIPTION)
        throw new Error(`the phase-2 description is too long for the verifier: ${entry.phase2}`);
      const manifest = readManifest(args.outDir);
      manifest.circuits = { [inst.name]: entry };
      writeFileSync(join(args.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      await writeOutDirVerifier(args.outDir, inst, entry, log);
      log(`${inst.name}: wasm ${mb(entry.files.wasm.bytes)}, zkey ${mb(entry.files.zkey.bytes)} -> ${args.outDir}`);
      continue;
    }
    const outDir = args.check ? join(WORK, 'check', inst.outDir) : committedDir;
    const entry = await buildInstance(inst, outDir, log, phase2, inst.keepR1cs, args.standInPublicPtau);
    if (args.check) {
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
      await writeProofFixture(committedDir, inst, join(REPO_ROOT, inst.verifier.fixture), entry);
      log(`${inst.name}: wrote ${inst.verifier.fixture}`);
    }
    log(`${inst.name}: wasm ${mb(entry.files.wasm.bytes)}, zkey ${mb(entry.files.zkey.bytes)} -> ${inst.outDir}`);
  }
  if (args.check) {
    log(
      mismatches === 0
        ? 'check: the committed artifacts are exactly what this build produces'
        : `check: ${mismatches} artifacts differ`,
    );
    if (mismatches > 0) process.exitCode = 1;
  }
}

const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

try {
  await main();
} catch (e) {
  // A sentence, not a stack: every refusal above says what to do.
  console.error(`build:zk failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
} finally {
  await releaseProverThreads();
}
