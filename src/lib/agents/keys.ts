// Watermark keys on this device, one per (chain, deployment, task, account): made when the
// trainer is about to stake (SPEC 6: keyCommit goes on chain with the stake), kept encrypted at
// rest, exported as a passphrase-encrypted backup and imported back.
//
// At rest the key file is AES-GCM encrypted under a non-extractable device key that lives in
// the same database. That does not stop code running in this origin (nothing in a browser can),
// but the key never sits in IndexedDB, a devtools view or a profile backup in plain text, and
// nothing here logs it. The passphrase backup is what survives losing the device.
import type { Address, Hex } from 'viem';
import {
  WatermarkError,
  exportKeyEncrypted,
  fieldToBytes32,
  generateKey,
  importKeyEncrypted,
  keyCommit,
  keyFromJson,
  keyToJson,
  secureRandom,
  type RandomFill,
  type WatermarkKey,
} from '../ml/watermark/index.ts';
import { requestResult, transact } from '../storage/idb.ts';
import { AgentError } from './common.ts';
import { DEVICE, KEYS } from './store.ts';

export interface KeyRef {
  chainId: number;
  registry: Address;
  taskId: bigint;
  account: Address;
}

export const refKey = (r: KeyRef) => `${r.chainId}:${r.registry.toLowerCase()}:${r.taskId}:${r.account.toLowerCase()}`;

/** A stored key: its commitment and dimensions in the clear, the key itself AES-GCM encrypted. */
export interface KeyRecord {
  keyCommit: Hex;
  T: number;
  N: number;
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
  createdAt: number;
}

export interface KeyStore {
  get(ref: KeyRef): Promise<WatermarkKey | undefined>;
  /** The stored key's commitment, without decrypting it. */
  keyCommit(ref: KeyRef): Promise<Hex | null>;
  /** Stores `key`; refuses to overwrite a different key unless `replace`. Returns its keyCommit. */
  put(ref: KeyRef, key: WatermarkKey, options?: { replace?: boolean }): Promise<Hex>;
  remove(ref: KeyRef): Promise<void>;
}

/** Where a KeyStore keeps its records: IndexedDB in the app, files for the headless agents (key-store-fs.ts). */
export interface KeyRecords {
  read(ref: KeyRef): Promise<KeyRecord | undefined>;
  write(ref: KeyRef, record: KeyRecord): Promise<void>;
  delete(ref: KeyRef): Promise<void>;
}

const DEVICE_KEY = 'wrap-v1';

export const keyCommitHex = (key: WatermarkKey): Hex => fieldToBytes32(keyCommit(key));

export function keyStoreOn(db: IDBDatabase): KeyStore {
  let wrapping: Promise<CryptoKey> | null = null;
  // Made once per database; non-extractable, so its bytes cannot be read back through WebCrypto.
  const deviceKey = () =>
    (wrapping ??= (async () => {
      const found = (await transact(db, [DEVICE], 'readonly', (tx) =>
        requestResult(tx.objectStore(DEVICE).get(DEVICE_KEY)),
      )) as CryptoKey | undefined;
      if (found) return found;
      const made = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      // Another tab may have made one meanwhile: keep whichever was stored first.
      return transact(db, [DEVICE], 'readwrite', async (tx) => {
        const store = tx.objectStore(DEVICE);
        const raced = (await requestResult(store.get(DEVICE_KEY))) as CryptoKey | undefined;
        if (raced) return raced;
        store.put(made, DEVICE_KEY);
        return made;
      });
    })());

  const records: KeyRecords = {
    read: (ref) =>
      transact(db, [KEYS], 'readonly', (tx) => requestResult(tx.objectStore(KEYS).get(refKey(ref)))) as Promise<
        KeyRecord | undefined
      >,
    write: async (ref, rec) => {
      await transact(db, [KEYS], 'readwrite', (tx) => {
        tx.objectStore(KEYS).put(rec, refKey(ref));
      });
    },
    delete: async (ref) => {
      await transact(db, [KEYS], 'readwrite', (tx) => {
        tx.objectStore(KEYS).delete(refKey(ref));
      });
    },
  };
  return keyStoreWith(records, () => deviceKey());
}

/**
 * A KeyStore over `records`, each key encrypted under the AES-GCM key `wrapKey` gives for its
 * reference (the app: one device key per database; the headless agents: a key derived from the
 * account's own key per reference).
 */
export function keyStoreWith(records: KeyRecords, wrapKey: (ref: KeyRef) => Promise<CryptoKey>): KeyStore {
  return {
    async get(ref) {
      const rec = await records.read(ref);
      if (!rec) return undefined;
      let plain: ArrayBuffer;
      try {
        plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv }, await wrapKey(ref), rec.ciphertext);
      } catch (e) {
        throw new AgentError(
          'key-missing',
          'the stored watermark key cannot be decrypted on this device (its device key is gone); import your key backup',
          { cause: e },
        );
      }
      const key = keyFromJson(new TextDecoder().decode(plain));
      if (keyCommitHex(key) !== rec.keyCommit)
        throw new AgentError('key-missing', 'the stored watermark key is corrupted; import your key backup');
      return key;
    },
    async keyCommit(ref) {
      return (await records.read(ref))?.keyCommit ?? null;
    },
    async put(ref, key, options = {}) {
      const commit = keyCommitHex(key);
      const existing = await records.read(ref);
      if (existing && existing.keyCommit !== commit && !options.replace) {
        throw new AgentError(
          'key-exists',
          `another watermark key (keyCommit ${existing.keyCommit.slice(0, 10)}…) is already stored for this task and account; refusing to overwrite it`,
        );
      }
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ciphertext = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: 'AES-GCM', iv },
          await wrapKey(ref),
          new TextEncoder().encode(keyToJson(key)),
        ),
      );
      await records.write(ref, { keyCommit: commit, T: key.T, N: key.N, iv, ciphertext, createdAt: Date.now() });
      return commit;
    },
    async remove(ref) {
      await records.delete(ref);
    },
  };
}

/**
 * The task's key on this device, made (and stored) if there is none: what the stake action
 * commits. `dims` are the spec's watermark bits and length.
 */
export async function ensureTaskKey(
  store: KeyStore,
  ref: KeyRef,
  dims: { T: number; N: number },
  rng: RandomFill = secureRandom,
): Promise<{ keyCommit: Hex; created: boolean }> {
  const existing = await store.keyCommit(ref);
  if (existing !== null) {
    const key = await store.get(ref);
    if (key && (key.T !== dims.T || key.N !== dims.N)) {
      throw new AgentError(
        'key-mismatch',
        `the stored key is ${key.T}x${key.N}, the task's watermark needs ${dims.T}x${dims.N}`,
      );
    }
    return { keyCommit: existing, created: false };
  }
  const key = generateKey(dims.T, dims.N, rng);
  return { keyCommit: await store.put(ref, key), created: true };
}

/** The encrypted backup file (docs/ml.md section 4, key files) of the task's key. */
export async function exportTaskKey(
  store: KeyStore,
  ref: KeyRef,
  passphrase: string,
  options: { iterations?: number } = {},
): Promise<string> {
  const key = await store.get(ref);
  if (!key) throw new AgentError('key-missing', 'there is no watermark key for this task and account on this device');
  return exportKeyEncrypted(key, passphrase, options);
}

export interface ImportOptions {
  /** The keyCommit on chain for this trainer, if it has joined: the file must match it. */
  expectedKeyCommit?: Hex | null;
  /** Overwrite a different stored key (when not implied by expectedKeyCommit). */
  replace?: boolean;
}

/**
 * Imports a backup: the encrypted file (with its passphrase) or a plain key file. A file whose
 * key is not the one committed on chain is refused, and so is overwriting a different stored key
 * unless the chain says the imported one is right (or `replace`).
 */
export async function importTaskKey(
  store: KeyStore,
  ref: KeyRef,
  file: string,
  passphrase: string,
  options: ImportOptions = {},
): Promise<Hex> {
  let format: unknown;
  try {
    format = (JSON.parse(file) as { format?: unknown }).format;
  } catch {
    throw new WatermarkError('the key file is not valid JSON');
  }
  const key: WatermarkKey =
    format === 'aiarena-watermark-key' ? keyFromJson(file) : await importKeyEncrypted(file, passphrase);
  const commit = keyCommitHex(key);
  const expected = options.expectedKeyCommit?.toLowerCase() ?? null;
  if (expected !== null && commit !== expected) {
    throw new AgentError(
      'key-mismatch',
      `this backup holds the key with keyCommit ${commit.slice(0, 10)}…, but the key committed on chain for this task and account is ${expected.slice(0, 10)}…`,
    );
  }
  return store.put(ref, key, { replace: options.replace === true || expected !== null });
}
