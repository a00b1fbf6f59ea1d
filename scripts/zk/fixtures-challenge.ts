// Real Groth16 proofs of the production WatermarkOwnership circuit for the ChallengeModule
// tests (contracts/test/ChallengeModule.t.sol, test/integration/challenge.test.ts):
//   npx tsx scripts/zk/fixtures-challenge.ts [--sol-only]
// writes contracts/test/fixtures/challenge/challenge-proofs.json and ChallengeProofs.sol (the
// same data as a Solidity library: the forge build cannot read JSON through solc-js's limits).
//
// Cast (addresses are forge's makeAddr(name), so tests can name them):
// - alice: key KA (committed on chain) and KA2 (never committed). Model A0 carries alice's
//   address under both keys; model A1 under KA only.
// - bob: key KB. Model S is bob's re-watermark of alice's model: it decodes alice's address
//   under KA and bob's under KB, so bob can answer a challenge and alice can claim theft.
// - carol: key KC. Model C12 decodes carol's address under KC with exactly 12 wrong bits: a
//   valid proof only with maxErr >= 12.
// - mallory: key KM, fitted to alice's public model A0 after the fact (SPEC section 7 revision 2):
//   a random key whose rows are negated where sign(X_j . v) would decode the wrong bit, so A0
//   decodes mallory's address under KM with 0 wrong bits. It proves "ownership" of A0 for
//   mallory, which is why an ownership proof is necessary, not sufficient, and theft claims are gone.
// Keys and vectors are deterministic (seeded); proofs are randomized by snarkjs, so a rerun
// changes the proof words but not the claims. A proof belongs to one proving key: rerun after
// `npm run build:zk` changes public/zk (the JSON records the zkey's sha256).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getAddress, keccak256, toBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { generateKey, type RandomFill } from '../../src/lib/ml/watermark/key.ts';
import { ownerBits } from '../../src/lib/ml/watermark/bits.ts';
import { decode } from '../../src/lib/ml/watermark/decode.ts';
import type { WatermarkKey } from '../../src/lib/ml/watermark/types.ts';
import {
  circuitEntry,
  OWNERSHIP_CIRCUIT,
  parseZkManifest,
  PRODUCTION_SHAPE,
  prepareOwnershipProof,
  proofWords,
  proveOwnership,
  publicSignalTuple,
  releaseProverThreads,
  verifyOwnershipProof,
  type ProverArtifacts,
} from '../../src/lib/zk/index.ts';
import { REPO_ROOT } from './sources.ts';

const { T, N, WB } = PRODUCTION_SHAPE;
/** The tolerance the ChallengeModule is deployed with (SPEC section 6 default). */
export const MODULE_MAX_ERR = 8;
export const FIXTURE_DIR = join(REPO_ROOT, 'contracts', 'test', 'fixtures', 'challenge');
export const FIXTURE_JSON = join(FIXTURE_DIR, 'challenge-proofs.json');
export const FIXTURE_SOL = join(FIXTURE_DIR, 'ChallengeProofs.sol');
const ZK_DIR = join(REPO_ROOT, 'public', 'zk');

/** forge-std's makeAddr(name): the address of the private key keccak256(name). */
export const makeAddr = (name: string) => privateKeyToAccount(keccak256(toBytes(name))).address;

/** Deterministic bytes: sha256(label || counter) blocks. Test fixtures only, never for real keys. */
function seededFill(label: string): RandomFill {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (bytes) => {
    let filled = 0;
    while (filled < bytes.length) {
      if (pool.length === 0) pool = new Uint8Array(createHash('sha256').update(`${label}/${counter++}`).digest());
      const take = Math.min(pool.length, bytes.length - filled);
      bytes.set(pool.subarray(0, take), filled);
      pool = pool.subarray(take);
      filled += take;
    }
    return bytes;
  };
}

interface Row {
  /** One key row: N entries 0|1 (1 means +1). */
  x: Uint8Array;
  /** The sign the projection must take. */
  sign: 1 | -1;
}

function rowsFor(key: WatermarkKey, owner: string, flip = 0): Row[] {
  const bits = ownerBits(owner, T);
  return Array.from({ length: T }, (_, j) => {
    const want = (bits[j] === 1 ? 1 : -1) as 1 | -1;
    return { x: key.bits.subarray(j * N, (j + 1) * N), sign: (j < flip ? -want : want) as 1 | -1 };
  });
}

/**
 * An integer vector whose projections on every row sit at least `margin` on the row's side of
 * zero (integer perceptron from `start`): a model that carries the given watermarks.
 */
function carrying(rows: Row[], start: Int32Array, margin = 600, step = 8): Int32Array {
  const q = Array.from(start);
  for (let pass = 0; pass < 20_000; pass++) {
    let violated = 0;
    for (const { x, sign } of rows) {
      let s = 0;
      for (let k = 0; k < N; k++) s += x[k] === 1 ? q[k]! : -q[k]!;
      if (sign * s >= margin) continue;
      violated++;
      for (let k = 0; k < N; k++) q[k]! += sign * (x[k] === 1 ? step : -step);
    }
    if (violated === 0) {
      const half = 2 ** (WB - 1);
      if (q.some((v) => v < -half || v >= half)) throw new Error('the constructed vector leaves the 16-bit range');
      return Int32Array.from(q);
    }
  }
  throw new Error('no vector carries these watermarks (perceptron did not converge)');
}

/** A model's own weights before any watermark: small seeded noise. */
function noise(label: string): Int32Array {
  const bytes = new Uint8Array(N);
  seededFill(label)(bytes);
  return Int32Array.from(bytes, (b) => (b - 128) * 4);
}

interface ProofCase {
  name: string;
  model: string;
  key: string;
  owner: string;
  maxErr: number;
}

const CASES: ProofCase[] = [
  { name: 'aliceA0', model: 'A0', key: 'KA', owner: 'alice', maxErr: MODULE_MAX_ERR },
  { name: 'aliceA0OtherKey', model: 'A0', key: 'KA2', owner: 'alice', maxErr: MODULE_MAX_ERR },
  { name: 'aliceA1', model: 'A1', key: 'KA', owner: 'alice', maxErr: MODULE_MAX_ERR },
  { name: 'aliceStolen', model: 'S', key: 'KA', owner: 'alice', maxErr: MODULE_MAX_ERR },
  { name: 'bobStolen', model: 'S', key: 'KB', owner: 'bob', maxErr: MODULE_MAX_ERR },
  { name: 'carolC12', model: 'C12', key: 'KC', owner: 'carol', maxErr: 12 },
  { name: 'malloryFitted', model: 'A0', key: 'KM', owner: 'mallory', maxErr: MODULE_MAX_ERR },
];

/**
 * A key fitted to a public model: each row of `key` is negated where its projection on `q`
 * decodes the wrong bit for `owner` (a zero projection first gets one entry flipped). One sign
 * constraint per row, no training: what anyone can do once a model is public.
 */
export function fitKey(key: WatermarkKey, q: Int32Array, owner: string): WatermarkKey {
  const bits = Uint8Array.from(key.bits);
  const want = ownerBits(owner, T);
  for (let j = 0; j < T; j++) {
    const row = bits.subarray(j * N, (j + 1) * N);
    const proj = () => row.reduce((s, x, k) => s + (x === 1 ? q[k]! : -q[k]!), 0);
    if (proj() === 0) {
      const k = q.findIndex((v) => v !== 0);
      if (k < 0) throw new Error('cannot fit a key to an all-zero vector');
      row[k] = 1 - row[k]!;
    }
    if ((proj() > 0 ? 1 : 0) !== want[j]) for (let k = 0; k < N; k++) row[k] = 1 - row[k]!;
  }
  return { ...key, bits };
}

const hex32 = (x: bigint) => `0x${x.toString(16).padStart(64, '0')}`;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function main(): Promise<void> {
  const manifest = parseZkManifest(readFileSync(join(ZK_DIR, 'manifest.json'), 'utf8'));
  const entry = circuitEntry(manifest, OWNERSHIP_CIRCUIT);
  if (entry.T !== T || entry.N !== N || entry.WB !== WB)
    throw new Error(`public/zk holds a ${entry.T}x${entry.N}x${entry.WB} circuit, expected ${T}x${N}x${WB}`);
  const read = (f: { path: string; sha256: string }) => {
    const bytes = new Uint8Array(readFileSync(join(ZK_DIR, f.path)));
    if (sha256(bytes) !== f.sha256)
      throw new Error(`public/zk/${f.path} does not match its manifest hash: rerun npm run build:zk`);
    return bytes;
  };
  const artifacts: ProverArtifacts = {
    wasm: read(entry.files.wasm),
    zkey: read(entry.files.zkey),
    vkey: JSON.parse(new TextDecoder().decode(read(entry.files.vkey))) as unknown,
  };

  const owners = Object.fromEntries(['alice', 'bob', 'carol', 'mallory'].map((n) => [n, makeAddr(n)])) as Record<
    string,
    `0x${string}`
  >;
  const keys: Record<string, WatermarkKey> = Object.fromEntries(
    ['KA', 'KA2', 'KB', 'KC'].map((k) => [k, generateKey(T, N, seededFill(`aiarena challenge fixture key ${k}`))]),
  );
  const A0 = carrying([...rowsFor(keys.KA!, owners.alice!), ...rowsFor(keys.KA2!, owners.alice!)], noise('A0'));
  const A1 = carrying(rowsFor(keys.KA!, owners.alice!), noise('A1'));
  // The thief starts from alice's model and pushes its own key's projections over.
  const S = carrying([...rowsFor(keys.KA!, owners.alice!), ...rowsFor(keys.KB!, owners.bob!)], A0);
  const C12 = carrying(rowsFor(keys.KC!, owners.carol!, 12), noise('C12'));
  const models: Record<string, Int32Array> = { A0, A1, S, C12 };
  // Mallory fits a key to alice's A0 once it is public.
  keys.KM = fitKey(generateKey(T, N, seededFill('aiarena challenge fixture key KM')), A0, owners.mallory!);

  const json = {
    format: 'aiarena-challenge-fixture',
    version: 1,
    generatedBy: 'scripts/zk/fixtures-challenge.ts',
    circuit: { name: OWNERSHIP_CIRCUIT, T, N, WB, sourceHash: entry.sourceHash, zkeySha256: entry.files.zkey.sha256 },
    moduleMaxErr: MODULE_MAX_ERR,
    owners,
    keyCommits: {} as Record<string, string>,
    models: {} as Record<string, { wmCommit: string; q: number[] }>,
    proofs: {} as Record<
      string,
      ProofCase & { ownerAddress: string; wrong: number; publicSignals: string[]; proof: string[] }
    >,
  };

  for (const c of CASES) {
    const q = models[c.model]!;
    const key = keys[c.key]!;
    const owner = owners[c.owner]!;
    const prepared = prepareOwnershipProof(PRODUCTION_SHAPE, { q, key, owner, maxErr: c.maxErr });
    const t0 = performance.now();
    const proof = await proveOwnership(artifacts, prepared);
    if (!(await verifyOwnershipProof(artifacts.vkey, proof.publicSignals, proof.proof)))
      throw new Error(`${c.name}: the proof does not verify`);
    console.log(
      `${c.name}: ${c.model} under ${c.key} for ${c.owner}, ${proof.wrong} wrong bits, maxErr ${c.maxErr} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    json.keyCommits[c.key] = hex32(proof.publicSignals.keyCommit);
    json.models[c.model] = { wmCommit: hex32(proof.publicSignals.wmCommit), q: Array.from(q) };
    json.proofs[c.name] = {
      ...c,
      ownerAddress: owner,
      wrong: proof.wrong,
      publicSignals: publicSignalTuple(proof.publicSignals).map(hex32),
      proof: proofWords(proof.calldata).map(hex32),
    };
  }
  // The cast must be what the tests assume, not merely provable.
  const wrongOf = (model: string, key: string, owner: string) =>
    decode(keys[key]!.bits, models[model]!, ownerBits(owners[owner]!, T)).wrong;
  const expect = (what: string, actual: number, wanted: number) => {
    if (actual !== wanted) throw new Error(`${what}: ${actual} wrong bits, expected ${wanted}`);
  };
  expect('C12 under KC for carol', wrongOf('C12', 'KC', 'carol'), 12);
  expect('S under KA for alice', wrongOf('S', 'KA', 'alice'), 0);
  expect('S under KB for bob', wrongOf('S', 'KB', 'bob'), 0);
  expect('A0 under the fitted KM for mallory', wrongOf('A0', 'KM', 'mallory'), 0);
  if (wrongOf('A0', 'KA', 'mallory') <= MODULE_MAX_ERR)
    throw new Error('A0 decodes mallory under KA by chance: pick other seeds');
  if (wrongOf('A0', 'KB', 'bob') <= MODULE_MAX_ERR) throw new Error('A0 decodes bob by chance: pick other seeds');

  mkdirSync(dirname(FIXTURE_JSON), { recursive: true });
  writeFileSync(FIXTURE_JSON, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(FIXTURE_SOL, solidity(json));
  console.log(`wrote ${FIXTURE_JSON} and ${FIXTURE_SOL}`);
}

/** The Solidity library of a fixture JSON (parsed). */
export function solidity(json: {
  circuit: { zkeySha256: string };
  owners: Record<string, string>;
  keyCommits: Record<string, string>;
  models: Record<string, { wmCommit: string }>;
  proofs: Record<string, ProofCase & { proof: string[]; wrong: number }>;
}): string {
  const owners = Object.entries(json.owners).map(
    ([n, a]) => `    address internal constant ${n.toUpperCase()} = ${getAddress(a)};`,
  );
  const keys = Object.entries(json.keyCommits).map(([k, v]) => `    bytes32 internal constant ${k} = ${v};`);
  const models = Object.entries(json.models).map(([m, v]) => `    bytes32 internal constant WM_${m} = ${v.wmCommit};`);
  const proofs = Object.entries(json.proofs).map(
    ([name, p]) => `    /// ${p.model} under ${p.key} for ${p.owner}: ${p.wrong} wrong bits, maxErr ${p.maxErr}.
    function ${name}() internal pure returns (uint256[8] memory p) {
        p = [
            uint256(${p.proof[0]}),
            ${p.proof.slice(1).join(',\n            ')}
        ];
    }`,
  );
  return `// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// GENERATED by scripts/zk/fixtures-challenge.ts from the same run as challenge-proofs.json; do not
// edit. Real Groth16 proofs of the production WatermarkOwnership circuit (zkey sha256
// ${json.circuit.zkeySha256}); they verify only against the WatermarkOwnershipVerifier
// generated with that proving key. Proof words in the verifier's order: a, b, c.
library ChallengeProofs {
    uint256 internal constant MODULE_MAX_ERR = ${MODULE_MAX_ERR};
    // Owners are forge's makeAddr(name).
${owners.join('\n')}
    // Key commitments (KA2 is alice's second key, never committed on chain; KM is fitted to A0).
${keys.join('\n')}
    // Weight commitments of the models.
${models.join('\n')}

${proofs.join('\n\n')}
}
`;
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv.includes('--sol-only')) {
  // Rewrites the Solidity library from the committed JSON (no proving).
  writeFileSync(FIXTURE_SOL, solidity(JSON.parse(readFileSync(FIXTURE_JSON, 'utf8'))));
  console.log(`wrote ${FIXTURE_SOL}`);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  await main()
    .then(releaseProverThreads)
    .catch(async (e: unknown) => {
      console.error(e);
      await releaseProverThreads();
      process.exitCode = 1;
    });
}
