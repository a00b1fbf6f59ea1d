// Watermark keys in a folder (agents/keys.ts KeyStore, Node only), for the headless agents: one
// JSON file per (chain, deployment, task, account), the key AES-GCM encrypted as in the app.
// The app wraps keys under a device key kept in IndexedDB; a headless agent has no such place,
// so each key is wrapped under a key derived (HKDF-SHA256) from the account's own private key
// and the key's reference. A copy of the state folder is then no use without the account key,
// and the account key alone, on a new machine, opens the keys again (docs/operators.md, "Keys").
import { join } from 'node:path';
import { hexToBytes, toHex, type Hex } from 'viem';
import { keyStoreWith, refKey, type KeyRecord, type KeyRef, type KeyStore } from '../agents/keys.ts';
import { StorageError } from './idb.ts';
import { readFileIfExists, removeFile, writeFileAtomic } from './records-fs.ts';

const FORMAT = 'aiarena-watermark-key-at-rest';

interface KeyFile {
  format: typeof FORMAT;
  version: 1;
  /** How the wrapping key is derived: from the account key that owns this watermark key. */
  wrap: 'hkdf-sha256(account-key)';
  keyCommit: Hex;
  T: number;
  N: number;
  iv: Hex;
  ciphertext: Hex;
  createdAt: number;
}

const fileName = (r: KeyRef) =>
  `${r.chainId}-${r.registry.toLowerCase()}-task${r.taskId}-${r.account.toLowerCase()}.json`;

/**
 * The wrapping key of each reference, derived from `privateKey` (the account's, 32 bytes): the
 * account and the reference are bound in, so a file cannot be moved to another task or account.
 */
export function accountWrapKeys(privateKey: Hex): (ref: KeyRef) => Promise<CryptoKey> {
  const base = crypto.subtle.importKey('raw', new Uint8Array(hexToBytes(privateKey)), 'HKDF', false, ['deriveKey']);
  const cache = new Map<string, Promise<CryptoKey>>();
  return (ref) => {
    const id = refKey(ref);
    let key = cache.get(id);
    if (!key) {
      key = base.then((b) =>
        crypto.subtle.deriveKey(
          {
            name: 'HKDF',
            hash: 'SHA-256',
            salt: new TextEncoder().encode('aiarena/watermark-key-at-rest/v1'),
            info: new TextEncoder().encode(id),
          },
          b,
          { name: 'AES-GCM', length: 256 },
          false,
          ['encrypt', 'decrypt'],
        ),
      );
      cache.set(id, key);
    }
    return key;
  };
}

export function keyStoreInDir(dir: string, wrapKey: (ref: KeyRef) => Promise<CryptoKey>): KeyStore {
  const file = (r: KeyRef) => join(dir, fileName(r));
  return keyStoreWith(
    {
      async read(ref) {
        const bytes = await readFileIfExists(file(ref));
        if (bytes === undefined) return undefined;
        let f: KeyFile;
        try {
          f = JSON.parse(new TextDecoder().decode(bytes)) as KeyFile;
        } catch (e) {
          throw new StorageError(`${file(ref)} is not valid JSON`, { cause: e });
        }
        if (f.format !== FORMAT || f.version !== 1)
          throw new StorageError(`${file(ref)} is not a watermark key file of this version`);
        const rec: KeyRecord = {
          keyCommit: f.keyCommit,
          T: f.T,
          N: f.N,
          iv: new Uint8Array(hexToBytes(f.iv)),
          ciphertext: new Uint8Array(hexToBytes(f.ciphertext)),
          createdAt: f.createdAt,
        };
        return rec;
      },
      async write(ref, rec) {
        const f: KeyFile = {
          format: FORMAT,
          version: 1,
          wrap: 'hkdf-sha256(account-key)',
          keyCommit: rec.keyCommit,
          T: rec.T,
          N: rec.N,
          iv: toHex(rec.iv),
          ciphertext: toHex(rec.ciphertext),
          createdAt: rec.createdAt,
        };
        await writeFileAtomic(file(ref), `${JSON.stringify(f, null, 2)}\n`);
      },
      delete: (ref) => removeFile(file(ref)),
    },
    wrapKey,
  );
}
