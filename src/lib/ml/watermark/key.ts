// Watermark keys: generation, a plain JSON form, and a passphrase-encrypted file. The key is the
// only thing that lets a trainer answer a challenge (SPEC section 7), so losing it forfeits the
// stake; the encrypted file is what the app offers for backup.
import { keyCommit } from './commit.ts';
import { FIELD_P, bytes32ToField, fieldToBytes32, isFieldElement } from './field.ts';
import { WatermarkError, checkKeyBits, checkKeyDims, type WatermarkKey } from './types.ts';

/** Fills the array with random bytes. */
export type RandomFill = (bytes: Uint8Array<ArrayBuffer>) => unknown;

// Wrapped because crypto.getRandomValues throws "Illegal invocation" when called unbound.
export const secureRandom: RandomFill = (bytes) => crypto.getRandomValues(bytes);

/**
 * A uniform field element by rejection sampling: 32 bytes big-endian with the top two bits
 * cleared (p < 2^254), redrawn while >= p (accepted with probability p / 2^254 ~ 0.76).
 */
export function randomFieldElement(rng: RandomFill = secureRandom): bigint {
  const buf = new Uint8Array(32);
  for (;;) {
    rng(buf);
    buf[0]! &= 0x3f;
    let x = 0n;
    for (const b of buf) x = (x << 8n) | BigInt(b);
    if (x < FIELD_P) return x;
  }
}

/**
 * A fresh key: X from ceil(T*N/8) random bytes (bit i = bit i % 8 of byte i / 8, least
 * significant first), then the salt. The draw order is fixed so a seeded rng reproduces a key.
 */
export function generateKey(T: number, N: number, rng: RandomFill = secureRandom): WatermarkKey {
  checkKeyDims(T, N);
  const bytes = new Uint8Array(Math.ceil((T * N) / 8));
  rng(bytes);
  const bits = unpackBits(bytes, T * N);
  return { T, N, bits, salt: randomFieldElement(rng) };
}

export function validateKey(key: WatermarkKey): void {
  checkKeyDims(key.T, key.N);
  checkKeyBits(key.bits, key.T, key.N);
  if (typeof key.salt !== 'bigint' || !isFieldElement(key.salt))
    throw new WatermarkError('key salt must be a field element (0 <= salt < p)');
}

function packBits(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => (out[i >> 3]! |= b << (i & 7)));
  return out;
}

function unpackBits(bytes: Uint8Array, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (bytes[i >> 3]! >> (i & 7)) & 1);
}

const KEY_FORMAT = 'aiarena-watermark-key';
const ENCRYPTED_FORMAT = 'aiarena-watermark-key-encrypted';

/**
 * Version 1: `{ format, version, T, N, x, salt, keyCommit }` with `x` the bits packed as in
 * generateKey, as lowercase hex, and salt and keyCommit as bytes32 hex. keyCommit lets a file be
 * matched to the on-chain commitment without the key, and catches a corrupted file on import.
 */
export function keyToJson(key: WatermarkKey): string {
  validateKey(key);
  return JSON.stringify({
    format: KEY_FORMAT,
    version: 1,
    T: key.T,
    N: key.N,
    x: toHex(packBits(key.bits)),
    salt: fieldToBytes32(key.salt),
    keyCommit: fieldToBytes32(keyCommit(key)),
  });
}

/** Parses and checks a key file (a JSON string or the parsed object). */
export function keyFromJson(json: string | unknown): WatermarkKey {
  let o: unknown = json;
  if (typeof json === 'string') {
    try {
      o = JSON.parse(json);
    } catch {
      throw new WatermarkError('the watermark key file is not valid JSON');
    }
  }
  const obj = record(o, 'the watermark key file');
  if (obj.format !== KEY_FORMAT)
    throw new WatermarkError(
      `not a watermark key file: format is ${JSON.stringify(obj.format)}, expected "${KEY_FORMAT}"`,
    );
  if (obj.version !== 1)
    throw new WatermarkError(
      `watermark key file version ${JSON.stringify(obj.version)} is not supported (this app reads version 1)`,
    );
  exactKeys(obj, ['format', 'version', 'T', 'N', 'x', 'salt', 'keyCommit'], 'the watermark key file');
  const T = obj.T as number;
  const N = obj.N as number;
  checkKeyDims(T, N);
  const nBytes = Math.ceil((T * N) / 8);
  if (typeof obj.x !== 'string' || !new RegExp(`^[0-9a-f]{${2 * nBytes}}$`).test(obj.x)) {
    throw new WatermarkError(`x: expected ${2 * nBytes} lowercase hex digits (T*N = ${T * N} bits)`);
  }
  const packed = fromHex(obj.x);
  const spare = (T * N) % 8;
  if (spare !== 0 && packed[nBytes - 1]! >> spare !== 0)
    throw new WatermarkError('x: the padding bits after the last key bit must be zero');
  const salt =
    typeof obj.salt === 'string' ? parseField(obj.salt, 'salt') : fail('salt: expected a bytes32 hex string');
  const key: WatermarkKey = { T, N, bits: unpackBits(packed, T * N), salt };
  const stated =
    typeof obj.keyCommit === 'string'
      ? parseField(obj.keyCommit, 'keyCommit')
      : fail('keyCommit: expected a bytes32 hex string');
  if (keyCommit(key) !== stated)
    throw new WatermarkError('the key file is corrupted: its key does not match its keyCommit');
  return key;
}

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; import accepts down to MIN_ITERATIONS. */
export const DEFAULT_ITERATIONS = 600_000;
export const MIN_ITERATIONS = 310_000;
// A file may not make the importer spin for minutes.
const MAX_ITERATIONS = 10_000_000;

/**
 * Encrypts keyToJson(key) with AES-GCM-256 under a PBKDF2-SHA256 key from the passphrase
 * (NFC-normalized, so the same passphrase typed on another device still works). Returns the
 * JSON envelope `{ format, version: 1, keyCommit, kdf: { name, hash, iterations, salt },
 * cipher: { name, iv }, ciphertext }` (binary fields base64). keyCommit is public (it is on
 * chain) and lets the app tell which task a backup belongs to without the passphrase.
 */
export async function exportKeyEncrypted(
  key: WatermarkKey,
  passphrase: string,
  options: { iterations?: number } = {},
): Promise<string> {
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new WatermarkError(
      `PBKDF2 iterations must be an integer in ${MIN_ITERATIONS}..${MAX_ITERATIONS}, got ${iterations}`,
    );
  }
  const plain = keyToJson(key);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aes = await deriveAesKey(passphrase, salt, iterations);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, new TextEncoder().encode(plain)),
  );
  return JSON.stringify({
    format: ENCRYPTED_FORMAT,
    version: 1,
    keyCommit: (JSON.parse(plain) as { keyCommit: string }).keyCommit,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64(iv) },
    ciphertext: toBase64(ciphertext),
  });
}

/** Decrypts an exportKeyEncrypted file; a wrong passphrase gives a WatermarkError saying so. */
export async function importKeyEncrypted(blob: string, passphrase: string): Promise<WatermarkKey> {
  let o: unknown;
  try {
    o = JSON.parse(blob);
  } catch {
    throw new WatermarkError('the encrypted key file is not valid JSON');
  }
  const env = record(o, 'the encrypted key file');
  if (env.format !== ENCRYPTED_FORMAT) {
    const hint = env.format === KEY_FORMAT ? ' (this is an unencrypted key file)' : '';
    throw new WatermarkError(`not an encrypted watermark key file: format is ${JSON.stringify(env.format)}${hint}`);
  }
  if (env.version !== 1)
    throw new WatermarkError(
      `encrypted key file version ${JSON.stringify(env.version)} is not supported (this app reads version 1)`,
    );
  exactKeys(env, ['format', 'version', 'keyCommit', 'kdf', 'cipher', 'ciphertext'], 'the encrypted key file');
  const kdf = record(env.kdf, 'kdf');
  const cipher = record(env.cipher, 'cipher');
  exactKeys(kdf, ['name', 'hash', 'iterations', 'salt'], 'kdf');
  exactKeys(cipher, ['name', 'iv'], 'cipher');
  if (kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256')
    throw new WatermarkError('kdf: only PBKDF2 with SHA-256 is supported');
  if (cipher.name !== 'AES-GCM') throw new WatermarkError('cipher: only AES-GCM is supported');
  const iterations = kdf.iterations;
  if (
    typeof iterations !== 'number' ||
    !Number.isInteger(iterations) ||
    iterations < MIN_ITERATIONS ||
    iterations > MAX_ITERATIONS
  ) {
    throw new WatermarkError(
      `kdf.iterations must be an integer in ${MIN_ITERATIONS}..${MAX_ITERATIONS}, got ${JSON.stringify(iterations)}`,
    );
  }
  const salt = fromBase64(kdf.salt, 'kdf.salt');
  const iv = fromBase64(cipher.iv, 'cipher.iv');
  const ciphertext = fromBase64(env.ciphertext, 'ciphertext');
  if (salt.length < 16) throw new WatermarkError('kdf.salt must be at least 16 bytes');
  if (iv.length !== 12) throw new WatermarkError('cipher.iv must be 12 bytes');
  const aes = await deriveAesKey(passphrase, salt, iterations);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, aes, ciphertext);
  } catch {
    // GCM authentication cannot tell a wrong passphrase from an altered file.
    throw new WatermarkError('wrong passphrase (or the file was altered): the key does not decrypt');
  }
  const key = keyFromJson(new TextDecoder().decode(plain));
  if (typeof env.keyCommit !== 'string' || parseField(env.keyCommit, 'keyCommit') !== keyCommit(key)) {
    throw new WatermarkError('the encrypted key file is inconsistent: its keyCommit does not match the key inside');
  }
  return key;
}

async function deriveAesKey(passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new WatermarkError('a passphrase is required');
  const material = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function fail(message: string): never {
  throw new WatermarkError(message);
}

function record(o: unknown, what: string): Record<string, unknown> {
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new WatermarkError(`${what} must be a JSON object`);
  return o as Record<string, unknown>;
}

function exactKeys(o: Record<string, unknown>, keys: readonly string[], what: string): void {
  const missing = keys.filter((k) => !(k in o));
  if (missing.length > 0) throw new WatermarkError(`${what} lacks ${missing.join(', ')}`);
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length > 0) throw new WatermarkError(`${what} has unknown fields: ${extra.join(', ')}`);
}

function parseField(hex: string, field: string): bigint {
  try {
    return bytes32ToField(hex);
  } catch (e) {
    throw new WatermarkError(`${field}: ${(e as Error).message}`);
  }
}

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function fromHex(h: string): Uint8Array {
  return Uint8Array.from({ length: h.length / 2 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function fromBase64(s: unknown, field: string): Uint8Array<ArrayBuffer> {
  if (typeof s !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new WatermarkError(`${field}: expected base64`);
  }
  const bin = atob(s);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
