// The disclosure manifest (SPEC 7 step 2, 8.4; docs/transcript.md section 10): what an accused
// trainer publishes so that validators can replay its transcript. Canonical JSON (sorted keys, no
// spaces), content-addressed by sha256: that digest is the bytes32 `discloseTranscript` posts. The
// manifest is one chunk at most (MAX_DISCLOSURE_BYTES), so its IPFS CID is the raw CID of that
// digest. The states themselves are separate files, each named by its leaf (leaf = sha256(state
// bytes)); states larger than one chunk are UnixFS DAGs, and `roots` then gives each state's root
// (src/lib/storage/unixfs/ref.ts: root == leaf for a state of one chunk).
// Pure: no tfjs, no store; the agents upload and fetch (src/lib/agents/disclosure.ts).
import type { Hex } from 'viem';
import { SEEDED_START, type TranscriptCommitment } from '../../chain/transcript-commit.ts';
import { maxTolerance, TRANSCRIPT_LIMITS } from '../spec/transcript.ts';
import type { TranscriptSpec } from '../spec/types.ts';
import { keyCommit } from '../watermark/commit.ts';
import { FIELD_P, fieldToBytes32 } from '../watermark/field.ts';
import { checkKeyDims, type WatermarkKey } from '../watermark/types.ts';
import { TranscriptError } from './errors.ts';
import { MAX_LEAVES, merkleRoot } from './merkle.ts';
import { CHUNK_BYTES } from '../../storage/unixfs/settings.ts';
import type { TranscriptMeta } from './store.ts';

export const DISCLOSURE_FORMAT = 'aiarena-transcript-disclosure';
export const DISCLOSURE_VERSION = 1;
/**
 * One chunk (CHUNK_BYTES), so that the digest on chain names the manifest's IPFS CID: about 15,000
 * states of one chunk (68 bytes a leaf), or 7,500 larger ones (a leaf and a root each): far more
 * states than a challenge's replay could check (docs/transcript.md section 10).
 */
export const MAX_DISCLOSURE_BYTES = CHUNK_BYTES;

export type DisclosureStart = { kind: 'seeded' } | { kind: 'continued'; root: Hex; segments: number; leaf: Hex };

/**
 * The watermark key and salt keyCommit commits to (SPEC 8.4: needed to replay the regularizer),
 * in the key file's encoding (src/lib/ml/watermark/key.ts): `key` is X's T*N bits packed least
 * significant first, as lowercase hex without 0x; `salt` the field element as a bytes32.
 */
export interface DisclosedWatermark {
  T: number;
  N: number;
  key: string;
  salt: Hex;
}

/**
 * The transcript section the run used (docs/transcript.md section 10). Informative: a verifier
 * judges by the task's model spec (which `specHash` names), never by what the trainer states.
 */
export type DisclosedSettings = Pick<
  TranscriptSpec,
  'interval' | 'mantissaBits' | 'tolerance' | 'outlierShare' | 'outlierTolerance'
>;

export interface TranscriptDisclosure {
  format: typeof DISCLOSURE_FORMAT;
  version: typeof DISCLOSURE_VERSION;
  /** Decimal strings (uint256), as in the transcript record. */
  chainId: string;
  task: string;
  /** Lowercase address. */
  trainer: Hex;
  /** sha256 of the model spec file, 0x-prefixed lowercase (the task's modelSpec). */
  specHash: Hex;
  settings: DisclosedSettings;
  trajRoot: Hex;
  /** K. */
  segments: number;
  start: DisclosureStart;
  /** K + 1 leaves; state i is the blob whose sha256 is leaves[i]. */
  leaves: Hex[];
  /**
   * K + 1 UnixFS roots, present when some state is larger than one chunk: state i's root CID is
   * `cidOfRef({ hash: leaves[i], root: roots[i] })`.
   */
  roots?: Hex[];
  watermark: DisclosedWatermark;
}

const fail = (message: string): never => {
  throw new TranscriptError('disclosure', `disclosure manifest: ${message}`);
};

const BYTES32 = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;
const UINT = /^(0|[1-9][0-9]{0,77})$/;
const MAX_UINT256 = 2n ** 256n - 1n;

function bytes32(v: unknown, what: string): Hex {
  if (typeof v !== 'string' || !BYTES32.test(v))
    fail(`${what} must be a lowercase 0x-prefixed bytes32, got ${show(v)}`);
  return v as Hex;
}

function uint(v: unknown, what: string): string {
  if (typeof v !== 'string' || !UINT.test(v) || BigInt(v) > MAX_UINT256)
    fail(`${what} must be a uint256 as a decimal string without leading zeros, got ${show(v)}`);
  return v as string;
}

function integer(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(`${what} must be an integer in ${min}..${max}, got ${show(v)}`);
  return v as number;
}

function object(v: unknown, what: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`${what} must be an object`);
  const o = v as Record<string, unknown>;
  const missing = keys.filter((k) => !(k in o));
  if (missing.length) fail(`${what} lacks ${missing.join(', ')}`);
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) fail(`${what} has unknown field(s) ${extra.join(', ')}`);
  return o;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? typeof v : String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, finite numbers only. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TranscriptError('disclosure', `canonical JSON cannot hold ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  throw new TranscriptError('disclosure', `canonical JSON cannot hold a ${typeof value}`);
}

function packBits(bits: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => (out[i >> 3]! |= b << (i & 7)));
  return Array.from(out, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The key as WatermarkKey (for the program's regularizer and keyCommit). */
export function disclosedKey(w: DisclosedWatermark): WatermarkKey {
  const n = w.T * w.N;
  const bits = new Uint8Array(n);
  for (let i = 0; i < n; i++) bits[i] = (parseInt(w.key.slice(2 * (i >> 3), 2 * (i >> 3) + 2), 16) >> (i & 7)) & 1;
  return { T: w.T, N: w.N, bits, salt: BigInt(w.salt) };
}

/**
 * The manifest of a finished transcript (all K + 1 states stored, root set) and its trainer's key;
 * `roots`, the states' UnixFS roots as uploaded, is kept only when some state needs it.
 */
export function buildDisclosure(
  meta: TranscriptMeta,
  watermark: WatermarkKey,
  roots?: readonly Hex[],
): TranscriptDisclosure {
  if (meta.root === undefined || meta.leaves.length !== meta.segments + 1)
    throw new TranscriptError(
      'disclosure',
      `transcript ${meta.id} is not finished (${meta.leaves.length} of ${meta.segments + 1} states stored): only a finished transcript can be disclosed`,
    );
  const start: DisclosureStart =
    meta.start.kind === 'seeded'
      ? { kind: 'seeded' }
      : { kind: 'continued', root: meta.start.root, segments: meta.start.segments, leaf: meta.start.leaf };
  const d: TranscriptDisclosure = {
    format: DISCLOSURE_FORMAT,
    version: DISCLOSURE_VERSION,
    chainId: meta.chainId,
    task: meta.task,
    trainer: meta.trainer.toLowerCase() as Hex,
    specHash: `0x${meta.specHash.replace(/^0x/, '')}`.toLowerCase() as Hex,
    settings: {
      interval: meta.settings.interval,
      mantissaBits: meta.settings.mantissaBits,
      tolerance: meta.settings.tolerance,
      outlierShare: meta.settings.outlierShare,
      outlierTolerance: meta.settings.outlierTolerance,
    },
    trajRoot: meta.root.toLowerCase() as Hex,
    segments: meta.segments,
    start: lower(start),
    leaves: meta.leaves.map((l) => l.toLowerCase() as Hex),
    watermark: { T: watermark.T, N: watermark.N, key: packBits(watermark.bits), salt: fieldToBytes32(watermark.salt) },
  };
  const lowered = roots?.map((r) => r.toLowerCase() as Hex);
  if (lowered?.some((r, i) => r !== d.leaves[i])) d.roots = lowered;
  // Whatever the record held, the manifest must read back as itself.
  return parseDisclosure(encodeDisclosure(d));
}

function lower(s: DisclosureStart): DisclosureStart {
  return s.kind === 'seeded'
    ? s
    : { kind: 'continued', root: s.root.toLowerCase() as Hex, segments: s.segments, leaf: s.leaf.toLowerCase() as Hex };
}

export function encodeDisclosure(d: TranscriptDisclosure): Uint8Array {
  return new TextEncoder().encode(canonicalJson(d));
}

/** Reads a manifest; anything that is not a canonical version-1 manifest is a TranscriptError 'disclosure'. */
export function parseDisclosure(bytes: Uint8Array): TranscriptDisclosure {
  if (bytes.length > MAX_DISCLOSURE_BYTES) fail(`${bytes.length} bytes, more than the ${MAX_DISCLOSURE_BYTES} allowed`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('not UTF-8 text');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('must be a JSON object');
  const top = raw as Record<string, unknown>;
  if (top.format !== DISCLOSURE_FORMAT) fail(`format is ${show(top.format)}, expected "${DISCLOSURE_FORMAT}"`);
  if (top.version !== DISCLOSURE_VERSION)
    fail(`version ${show(top.version)} is not supported (this app reads version ${DISCLOSURE_VERSION})`);
  // `roots` is the one optional field.
  const { roots: rawRoots, ...required } = top;
  const o = object(required, 'the manifest', [
    'format',
    'version',
    'chainId',
    'task',
    'trainer',
    'specHash',
    'settings',
    'trajRoot',
    'segments',
    'start',
    'leaves',
    'watermark',
  ]);
  const chainId = uint(o.chainId, 'chainId');
  const task = uint(o.task, 'task');
  if (typeof o.trainer !== 'string' || !ADDRESS.test(o.trainer))
    fail(`trainer must be a lowercase 0x-prefixed address, got ${show(o.trainer)}`);
  const specHash = bytes32(o.specHash, 'specHash');

  const s = object(o.settings, 'settings', [
    'interval',
    'mantissaBits',
    'tolerance',
    'outlierShare',
    'outlierTolerance',
  ]);
  const { interval: iv, mantissaBits: mb } = TRANSCRIPT_LIMITS;
  const interval = integer(s.interval, 'settings.interval', iv.min, iv.max);
  const mantissaBits = integer(s.mantissaBits, 'settings.mantissaBits', mb.min, mb.max);
  if (typeof s.tolerance !== 'number' || !(s.tolerance >= 0) || s.tolerance >= maxTolerance(mantissaBits))
    fail(`settings.tolerance must be in [0, 2^-${mantissaBits}), got ${show(s.tolerance)}`);
  const { outlierShare: os } = TRANSCRIPT_LIMITS;
  if (typeof s.outlierShare !== 'number' || !(s.outlierShare >= os.min && s.outlierShare <= os.max))
    fail(`settings.outlierShare must be in [${os.min}, ${os.max}], got ${show(s.outlierShare)}`);
  if (
    typeof s.outlierTolerance !== 'number' ||
    !(s.outlierTolerance >= (s.tolerance as number) && s.outlierTolerance <= 1)
  )
    fail(`settings.outlierTolerance must be in [tolerance, 1], got ${show(s.outlierTolerance)}`);

  const trajRoot = bytes32(o.trajRoot, 'trajRoot');
  const segments = integer(o.segments, 'segments', 1, MAX_LEAVES - 1);

  if (typeof o.start !== 'object' || o.start === null) fail('start must be an object');
  const kind = (o.start as { kind?: unknown }).kind;
  let start: DisclosureStart;
  if (kind === 'seeded') {
    object(o.start, 'start', ['kind']);
    start = { kind: 'seeded' };
  } else if (kind === 'continued') {
    const c = object(o.start, 'start', ['kind', 'root', 'segments', 'leaf']);
    start = {
      kind: 'continued',
      root: bytes32(c.root, 'start.root'),
      segments: integer(c.segments, 'start.segments', 1, MAX_LEAVES - 1),
      leaf: bytes32(c.leaf, 'start.leaf'),
    };
  } else {
    return fail(`start.kind must be "seeded" or "continued", got ${show(kind)}`);
  }

  if (!Array.isArray(o.leaves)) fail('leaves must be an array');
  const leaves = o.leaves as unknown[];
  if (leaves.length !== segments + 1)
    fail(`has ${leaves.length} leaves for ${segments} segments (a transcript of K segments has K + 1 states)`);
  leaves.forEach((l, i) => bytes32(l, `leaves[${i}]`));
  let roots: Hex[] | undefined;
  if (rawRoots !== undefined) {
    if (!Array.isArray(rawRoots) || rawRoots.length !== leaves.length)
      fail(`roots must be an array of ${leaves.length} roots, one a state`);
    roots = (rawRoots as unknown[]).map((r, i) => bytes32(r, `roots[${i}]`));
    if (roots.every((r, i) => r === leaves[i])) fail('roots must be left out when every state is one chunk');
  }

  const w = object(o.watermark, 'watermark', ['T', 'N', 'key', 'salt']);
  const T = integer(w.T, 'watermark.T', 1, 2 ** 16);
  const N = integer(w.N, 'watermark.N', 1, 2 ** 16);
  try {
    checkKeyDims(T, N);
  } catch (e) {
    fail(`watermark: ${e instanceof Error ? e.message : String(e)}`);
  }
  const nBytes = Math.ceil((T * N) / 8);
  if (typeof w.key !== 'string' || w.key.length !== 2 * nBytes || !/^[0-9a-f]*$/.test(w.key))
    fail(`watermark.key must be ${2 * nBytes} lowercase hex digits (T*N = ${T * N} bits packed)`);
  const key = w.key as string;
  const spare = (T * N) % 8;
  if (spare !== 0 && parseInt(key.slice(-2), 16) >> spare !== 0)
    fail('watermark.key: the padding bits after the last key bit must be zero');
  const salt = bytes32(w.salt, 'watermark.salt');
  if (BigInt(salt) >= FIELD_P) fail('watermark.salt must be a field element (below the BN254 scalar field modulus)');

  const d: TranscriptDisclosure = {
    format: DISCLOSURE_FORMAT,
    version: DISCLOSURE_VERSION,
    chainId,
    task,
    trainer: o.trainer as Hex,
    specHash,
    settings: {
      interval,
      mantissaBits,
      tolerance: s.tolerance as number,
      outlierShare: s.outlierShare as number,
      outlierTolerance: s.outlierTolerance as number,
    },
    trajRoot,
    segments,
    start,
    leaves: leaves as Hex[],
    ...(roots ? { roots } : {}),
    watermark: { T, N, key, salt },
  };
  // One manifest, one address: the same content in another spelling would be another digest.
  if (canonicalJson(d) !== text) fail('is not in canonical form (sorted keys, no whitespace)');
  return d;
}

export type DisclosureProblemCode = 'identity' | 'spec' | 'root' | 'segments' | 'start' | 'key';

export interface DisclosureProblem {
  code: DisclosureProblemCode;
  message: string;
}

export interface DisclosureExpectation {
  /** What the submission's seal committed to. */
  commitment: TranscriptCommitment;
  chainId: bigint | number | string;
  task: bigint | number | string;
  trainer: string;
  /** The trainer's keyCommit recorded at join (bytes32). */
  keyCommit: Hex;
  /** The task's modelSpec (sha256 of the spec file), when the caller has it. */
  specHash?: Hex;
}

/**
 * Every way `d` disagrees with what the chain holds for the submission, in words (empty: it
 * agrees). Not checked here, because it needs the states or the program: that each state hashes
 * to its leaf (openDisclosure), that a seeded leaf 0 is the trainer's seeded start (isSeededStart),
 * that the last state's weights are the artifact, and the segments' replay.
 */
export function checkDisclosure(d: TranscriptDisclosure, expect: DisclosureExpectation): DisclosureProblem[] {
  const problems: DisclosureProblem[] = [];
  const add = (code: DisclosureProblemCode, message: string) => problems.push({ code, message });
  const c = expect.commitment;

  if (BigInt(d.chainId) !== BigInt(expect.chainId))
    add('identity', `it is for chain ${d.chainId}, the submission is on chain ${String(expect.chainId)}`);
  if (BigInt(d.task) !== BigInt(expect.task))
    add('identity', `it is for task ${d.task}, the submission is in task ${String(expect.task)}`);
  if (d.trainer !== expect.trainer.toLowerCase())
    add('identity', `it names trainer ${d.trainer}, the submission is by ${expect.trainer.toLowerCase()}`);
  if (expect.specHash !== undefined && d.specHash !== expect.specHash.toLowerCase())
    add('spec', `it is for model spec ${d.specHash}, the task's is ${expect.specHash.toLowerCase()}`);

  if (d.segments !== c.segments)
    add('segments', `it has ${d.segments} segments, the seal committed to K = ${c.segments}`);
  const root = merkleRoot(d.leaves);
  if (root !== d.trajRoot)
    add('root', `its leaves' Merkle root is ${root}, not the trajRoot it states (${d.trajRoot})`);
  if (d.trajRoot !== c.trajRoot.toLowerCase())
    add('root', `its trajRoot ${d.trajRoot} is not the sealed trajRoot ${c.trajRoot.toLowerCase()}`);

  if (d.start.kind === 'seeded') {
    if (c.startRoot.toLowerCase() !== SEEDED_START || c.startLeaf !== 0)
      add('start', `it starts seeded, the seal committed to continuing ${c.startRoot} at leaf ${c.startLeaf}`);
  } else {
    if (d.start.root !== c.startRoot.toLowerCase() || d.start.segments !== c.startLeaf)
      add(
        'start',
        `it continues ${d.start.root} at leaf ${d.start.segments}, the seal committed to ${c.startRoot.toLowerCase() === SEEDED_START ? 'a seeded start' : `${c.startRoot} at leaf ${c.startLeaf}`}`,
      );
    if (d.leaves[0] !== d.start.leaf)
      add('start', `its leaf 0 (${d.leaves[0]}) is not the continued transcript's last leaf (${d.start.leaf})`);
  }

  const commit = fieldToBytes32(keyCommit(disclosedKey(d.watermark)));
  if (commit !== expect.keyCommit.toLowerCase())
    add('key', `its watermark key commits to ${commit}, the trainer's keyCommit is ${expect.keyCommit.toLowerCase()}`);
  return problems;
}
