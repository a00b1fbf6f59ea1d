// The manifest `npm run build:zk` writes next to a circuit's artifacts (public/zk/manifest.json
// for the app): what each file is, its sha256 (checked before use, like every download, SPEC
// section 5) and how it was made.
import { parseContentCid } from '../storage/cas/cid.ts';
import { isSha256Hex } from '../ml/integrity.ts';
import { PUBLIC_SIGNALS, type CircuitShape } from './circuit.ts';
import { ZkArtifactError } from './errors.ts';

export const ZK_MANIFEST_FORMAT = 'aiarena-zk-artifacts';

export interface ArtifactFile {
  /** Relative to the manifest's folder. */
  path: string;
  sha256: string;
  bytes: number;
  /** The file's UnixFS root CID (docs/app/artifact-store.md): how IPFS nodes and gateways name it. */
  cid?: string;
}

export interface CircuitEntry extends CircuitShape {
  /** The main .circom file, relative to the repository root. */
  source: string;
  /** sha256 over the compiler, its flags and every .circom file the main file includes. */
  sourceHash: string;
  publicSignals: string[];
  constraints: number;
  wires: number;
  ptau: { file: string; power: number; sha256: string };
  /** How phase 2 was made; the development build says so plainly. */
  phase2: string;
  /**
   * Phase 2 is the development beacon (public, so anyone can forge proofs with this key) rather
   * than an imported multi-party ceremony. The verifier of such a key deploys only on local
   * development chains (docs/zk.md section 4).
   */
  development: boolean;
  files: { wasm: ArtifactFile; zkey: ArtifactFile; vkey: ArtifactFile; r1cs?: ArtifactFile };
}

export interface ZkManifest {
  format: typeof ZK_MANIFEST_FORMAT;
  version: 1;
  circuits: Record<string, CircuitEntry>;
}

function fail(what: string): never {
  throw new ZkArtifactError(`the zk manifest is malformed: ${what}`);
}

function file(o: unknown, where: string): ArtifactFile {
  const f = o as ArtifactFile;
  if (typeof f !== 'object' || f === null) fail(`${where} is missing`);
  if (typeof f.path !== 'string' || f.path.includes('..') || f.path.startsWith('/'))
    fail(`${where}.path must be a relative path inside the manifest's folder`);
  if (!isSha256Hex(f.sha256)) fail(`${where}.sha256 must be 64 lowercase hex digits`);
  if (!Number.isSafeInteger(f.bytes) || f.bytes < 0) fail(`${where}.bytes must be a byte count`);
  if (f.cid !== undefined) {
    try {
      parseContentCid(f.cid);
    } catch (e) {
      fail(`${where}.cid: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return f;
}

/** Parses and checks a manifest (a JSON string or the parsed object). */
export function parseZkManifest(json: unknown): ZkManifest {
  let o = json;
  if (typeof json === 'string') {
    try {
      o = JSON.parse(json);
    } catch {
      fail('it is not valid JSON');
    }
  }
  const m = o as ZkManifest;
  if (typeof m !== 'object' || m === null || m.format !== ZK_MANIFEST_FORMAT)
    fail(`format must be "${ZK_MANIFEST_FORMAT}"`);
  if (m.version !== 1) fail(`version ${JSON.stringify(m.version)} is not supported (this app reads version 1)`);
  if (typeof m.circuits !== 'object' || m.circuits === null) fail('circuits is missing');
  for (const [name, c] of Object.entries(m.circuits)) {
    for (const k of ['T', 'N', 'WB', 'constraints', 'wires'] as const) {
      if (!Number.isSafeInteger(c[k]) || c[k] < 1) fail(`circuits.${name}.${k} must be a positive integer`);
    }
    if (typeof c.phase2 !== 'string') fail(`circuits.${name}.phase2 must say how phase 2 was made`);
    if (typeof c.development !== 'boolean')
      fail(`circuits.${name}.development must be true (development beacon) or false (imported ceremony)`);
    if (JSON.stringify(c.publicSignals) !== JSON.stringify(PUBLIC_SIGNALS)) {
      fail(`circuits.${name}.publicSignals must be ${PUBLIC_SIGNALS.join(', ')} (this app's order)`);
    }
    file(c.files?.wasm, `circuits.${name}.files.wasm`);
    file(c.files?.zkey, `circuits.${name}.files.zkey`);
    file(c.files?.vkey, `circuits.${name}.files.vkey`);
    if (c.files.r1cs !== undefined) file(c.files.r1cs, `circuits.${name}.files.r1cs`);
  }
  return m;
}

export function circuitEntry(m: ZkManifest, name: string): CircuitEntry {
  const c = m.circuits[name];
  if (!c)
    throw new ZkArtifactError(
      `the zk manifest has no circuit "${name}" (it has ${Object.keys(m.circuits).join(', ') || 'none'})`,
    );
  return c;
}
