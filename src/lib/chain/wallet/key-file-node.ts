// An account's private key in a passphrase-encrypted file, for headless operators (Node only;
// docs/operators.md, "Keys"): scrypt (N 2^17, r 8, p 1: about 128 MiB and a fraction of a second,
// the strength of Ethereum keystores) derives a 256-bit key from the passphrase and a random
// salt; AES-256-GCM encrypts the 32 key bytes, with the file's header (format, address, KDF
// parameters) as associated data, so a changed header fails like a wrong passphrase. The address
// is in the clear so a file can be told apart without its passphrase. Nothing here logs or
// returns a key in an error.
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { getAddress, isHex, toHex, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ArenaError } from '../../errors.ts';

export const KEY_FILE_FORMAT = 'aiarena-account-key' as const;

export interface KdfParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_KDF: KdfParams = { N: 2 ** 17, r: 8, p: 1 };

interface KeyFileJson {
  format: typeof KEY_FILE_FORMAT;
  version: 1;
  address: Address;
  kdf: { name: 'scrypt'; salt: Hex } & KdfParams;
  cipher: { name: 'aes-256-gcm'; iv: Hex; ciphertext: Hex; tag: Hex };
}

export type KeyFileErrorCode = 'key-file-invalid' | 'key-file-passphrase' | 'private-key-invalid';

/** The base class with its own codes: a class of its own would have to join the error registry, which the app bundles. */
const keyFileError = (code: KeyFileErrorCode, message: string) => new ArenaError<KeyFileErrorCode>(code, message);

function scrypt(passphrase: string, salt: Uint8Array, kdf: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCb(passphrase.normalize('NFKC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** The header the cipher authenticates: everything but the cipher's own fields. */
const aad = (f: Pick<KeyFileJson, 'format' | 'version' | 'address' | 'kdf'>) =>
  Buffer.from(JSON.stringify([f.format, f.version, f.address, f.kdf.name, f.kdf.salt, f.kdf.N, f.kdf.r, f.kdf.p]));

/** A 0x-prefixed 32-byte private key, checked (and its account derived) without echoing it. */
export function checkPrivateKey(text: string, source: string): { privateKey: Hex; address: Address } {
  const key = (text.trim().startsWith('0x') ? text.trim() : `0x${text.trim()}`) as Hex;
  if (!isHex(key) || key.length !== 66)
    throw keyFileError('private-key-invalid', `${source} is not a private key (32 bytes as 64 hex digits)`);
  try {
    return { privateKey: key.toLowerCase() as Hex, address: privateKeyToAccount(key).address };
  } catch {
    throw keyFileError('private-key-invalid', `${source} is not a valid secp256k1 private key`);
  }
}

export async function encryptKeyFile(
  privateKey: Hex,
  passphrase: string,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<string> {
  if (passphrase.length === 0) throw keyFileError('key-file-passphrase', 'the passphrase is empty');
  const { privateKey: key, address } = checkPrivateKey(privateKey, 'the key');
  const salt = randomBytes(32);
  const iv = randomBytes(12);
  const header = {
    format: KEY_FILE_FORMAT,
    version: 1 as const,
    address,
    kdf: { name: 'scrypt' as const, salt: toHex(salt), ...kdf },
  };
  const cipher = createCipheriv('aes-256-gcm', await scrypt(passphrase, salt, kdf), iv);
  cipher.setAAD(aad(header));
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(key.slice(2), 'hex')), cipher.final()]);
  const file: KeyFileJson = {
    ...header,
    cipher: { name: 'aes-256-gcm', iv: toHex(iv), ciphertext: toHex(ciphertext), tag: toHex(cipher.getAuthTag()) },
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The file's address and KDF, checked, without the passphrase. */
export function parseKeyFile(text: string, source = 'the key file'): KeyFileJson {
  let f: KeyFileJson;
  try {
    f = JSON.parse(text) as KeyFileJson;
  } catch {
    throw keyFileError('key-file-invalid', `${source} is not JSON: is it an aiarena key file (aiarena key new)?`);
  }
  const bad = (what: string) =>
    keyFileError('key-file-invalid', `${source} is not an aiarena account key file (${what})`);
  if (f?.format !== KEY_FILE_FORMAT || f.version !== 1) throw bad('format');
  if (typeof f.address !== 'string') throw bad('address');
  f.address = getAddress(f.address);
  const k = f.kdf;
  if (k?.name !== 'scrypt' || !isHex(k.salt) || ![k.N, k.r, k.p].every((n) => Number.isSafeInteger(n) && n > 0))
    throw bad('kdf');
  if (k.N > 2 ** 22 || (k.N & (k.N - 1)) !== 0) throw bad('kdf N');
  const c = f.cipher;
  if (c?.name !== 'aes-256-gcm' || ![c.iv, c.ciphertext, c.tag].every((h) => isHex(h))) throw bad('cipher');
  return f;
}

export async function decryptKeyFile(
  text: string,
  passphrase: string,
  source = 'the key file',
): Promise<{ privateKey: Hex; address: Address }> {
  const f = parseKeyFile(text, source);
  const key = await scrypt(passphrase, Buffer.from(f.kdf.salt.slice(2), 'hex'), f.kdf);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(f.cipher.iv.slice(2), 'hex'));
  decipher.setAAD(aad(f));
  decipher.setAuthTag(Buffer.from(f.cipher.tag.slice(2), 'hex'));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(Buffer.from(f.cipher.ciphertext.slice(2), 'hex')), decipher.final()]);
  } catch {
    throw keyFileError(
      'key-file-passphrase',
      `${source} did not open: wrong passphrase (AIARENA_KEY_PASSPHRASE or the one typed), or the file was changed`,
    );
  }
  const opened = checkPrivateKey(toHex(plain), source);
  plain.fill(0);
  if (opened.address !== f.address)
    throw keyFileError('key-file-invalid', `${source} holds a key for another address than it names`);
  return opened;
}
