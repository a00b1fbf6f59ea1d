// Which watermark verifier `npm run deploy` deploys, and whether it may, decided before any
// transaction (docs/zk.md section 4). Either the verifier of this tree (forge's build of
// contracts/src/verifiers: the committed development one, unless a production phase 2 was
// imported --in-place) or the one of a zk build folder (--zk-build DIR, written by
// `npm run build:zk -- --phase2 ... --out-dir DIR`), compiled here from the source in the folder.
// A development-ceremony verifier is refused off the local development chains; its constructor
// refuses the same on chain.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { developmentVerifierRefusal, type VerifierCeremony } from '../../src/lib/chain/verifier-ceremony.ts';
import { PRODUCTION_SHAPE } from '../../src/lib/zk/circuit.ts';
import { parseZkManifest, type CircuitEntry } from '../../src/lib/zk/manifest.ts';
import { PRODUCTION } from '../zk/instances.ts';
import { ceremonyOf, parseVerifierCeremony } from '../zk/verifier.ts';
import { compileVerifierDir, VERIFIER_SOURCE } from '../zk/verifier-compile.ts';
import { REPO_ROOT } from './paths.ts';
import { UsageError } from './deploy-options.ts';

export interface VerifierPlan {
  /** Where the verifier comes from, for messages. */
  origin: string;
  ceremony: VerifierCeremony;
  /** The circuit instance it verifies, when a zk build folder says so. */
  circuit: string;
  /** Creation code to deploy; null: forge's build of contracts/src (the tree's own verifier). */
  bytecode: Hex | null;
}

export const TREE_VERIFIER = PRODUCTION.verifier!.file;

export const sameCeremony = (a: VerifierCeremony, b: VerifierCeremony) =>
  a.development === b.development &&
  a.description === b.description &&
  a.zkeySha256.toLowerCase() === b.zkeySha256.toLowerCase();

export const describeCeremony = (c: VerifierCeremony): string =>
  `${c.development ? 'DEVELOPMENT ceremony' : 'imported ceremony'} (zkey sha256 ${c.zkeySha256.slice(2)}): ${c.description}`;

/** The verifier compiled from contracts/src/verifiers, as its generated source declares it. */
export function treeVerifierPlan(root = REPO_ROOT): VerifierPlan {
  const file = join(root, TREE_VERIFIER);
  return {
    origin: TREE_VERIFIER,
    ceremony: parseVerifierCeremony(readFileSync(file, 'utf8'), TREE_VERIFIER),
    circuit: PRODUCTION.name,
    bytecode: null,
  };
}

function onlyCircuit(dir: string): [string, CircuitEntry] {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path))
    throw new UsageError(
      `--zk-build ${dir} has no manifest.json: point it at the --out-dir of \`npm run build:zk -- --phase2 ...\``,
    );
  let circuits: [string, CircuitEntry][];
  try {
    circuits = Object.entries(parseZkManifest(readFileSync(path, 'utf8')).circuits);
  } catch (e) {
    throw new UsageError(`--zk-build ${dir}: ${(e as Error).message}`);
  }
  if (circuits.length !== 1)
    throw new UsageError(
      `--zk-build ${dir}: the manifest must describe exactly one circuit, it has ${circuits.length}`,
    );
  return circuits[0]!;
}

/**
 * The verifier of a zk build folder, checked to be the one the folder's manifest and proving key
 * describe, and to verify the circuit the app proves with (unless `allowTestCircuit`: the tests
 * of this path use a small test circuit).
 */
export function buildDirVerifierPlan(dir: string, allowTestCircuit: boolean): VerifierPlan {
  const [name, entry] = onlyCircuit(dir);
  const shape = `${name} (T = ${entry.T}, N = ${entry.N}, WB = ${entry.WB})`;
  const app = `${PRODUCTION.name} (T = ${PRODUCTION_SHAPE.T}, N = ${PRODUCTION_SHAPE.N}, WB = ${PRODUCTION_SHAPE.WB})`;
  if (
    !allowTestCircuit &&
    (name !== PRODUCTION.name ||
      entry.T !== PRODUCTION_SHAPE.T ||
      entry.N !== PRODUCTION_SHAPE.N ||
      entry.WB !== PRODUCTION_SHAPE.WB)
  ) {
    throw new UsageError(
      `--zk-build ${dir} holds the circuit ${shape}, but the app proves with ${app}: its proofs would never verify against this verifier`,
    );
  }
  const zkey = join(dir, entry.files.zkey.path);
  if (!existsSync(zkey)) throw new UsageError(`--zk-build ${dir}: the proving key ${entry.files.zkey.path} is missing`);
  const sha = createHash('sha256').update(readFileSync(zkey)).digest('hex');
  if (sha !== entry.files.zkey.sha256)
    throw new UsageError(
      `--zk-build ${dir}: ${entry.files.zkey.path} has sha256 ${sha}, the manifest says ${entry.files.zkey.sha256}: rerun the build`,
    );
  const source = join(dir, VERIFIER_SOURCE);
  if (!existsSync(source))
    throw new UsageError(
      `--zk-build ${dir} has no ${VERIFIER_SOURCE}: rerun \`npm run build:zk\` with --out-dir ${dir}`,
    );
  const ceremony = parseVerifierCeremony(readFileSync(source, 'utf8'), source);
  if (!sameCeremony(ceremony, ceremonyOf(entry))) {
    throw new UsageError(
      `--zk-build ${dir}: ${VERIFIER_SOURCE} records another ceremony than the manifest (${describeCeremony(ceremony)}): rerun the build`,
    );
  }
  const { bytecode } = compileVerifierDir(dir);
  return { origin: dir, ceremony, circuit: name, bytecode };
}

/** Why this verifier must not be deployed on `chainId`, with what to do instead; null when it may. */
export function verifierRefusal(chainId: number, plan: VerifierPlan): string | null {
  const why = developmentVerifierRefusal(chainId, plan.ceremony);
  if (!why) return null;
  return (
    `refusing to deploy ${plan.origin}: ${why}. Build a production verifier from a public powers-of-tau file and a ` +
    'multi-party phase 2 (`npm run build:zk -- --only watermark_ownership --phase2 <final.zkey> --out-dir <dir>`, ' +
    'docs/zk.md section 4) and deploy it with --zk-build <dir>'
  );
}

/**
 * A note when the app in this checkout (public/zk) proves with another key than the verifier's:
 * its proofs would fail on chain until public/zk holds the verifier's artifacts. Null when they match.
 */
export function appKeyMismatch(plan: VerifierPlan, root = REPO_ROOT): string | null {
  const path = join(root, PRODUCTION.outDir, 'manifest.json');
  let sha: string | undefined;
  try {
    sha = parseZkManifest(readFileSync(path, 'utf8')).circuits[PRODUCTION.name]?.files.zkey.sha256;
  } catch {
    sha = undefined;
  }
  if (sha !== undefined && `0x${sha}` === plan.ceremony.zkeySha256.toLowerCase()) return null;
  return (
    `the app in this checkout (${PRODUCTION.outDir}) proves with another proving key (sha256 ${sha ?? 'unknown'}): before publishing ` +
    `the app for this chain, put ${plan.origin}'s wasm, zkey, vkey and manifest.json in ${PRODUCTION.outDir} (docs/zk.md section 4)`
  );
}
