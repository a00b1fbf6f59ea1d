// The agents' key store: made once per task and account, encrypted at rest under a device key,
// exported with a passphrase and imported back with the on-chain commitment checked.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { exportKeyEncrypted, generateKey, keyToJson } from '../../../src/lib/ml/watermark/index.ts';
import {
  ensureTaskKey,
  exportTaskKey,
  importTaskKey,
  keyCommitHex,
  keyStoreOn,
  openAgentDatabase,
  type KeyRef,
} from '../../../src/lib/agents/index.ts';
import { REGISTRY, TRAINER } from './fixtures.ts';

const ref: KeyRef = { chainId: 31337, registry: REGISTRY, taskId: 7n, account: TRAINER };
const otherTask: KeyRef = { ...ref, taskId: 8n };
const PASS = 'correct horse battery staple';
const FAST = { iterations: 310_000 };

async function fresh() {
  const factory = new IDBFactory();
  const db = await openAgentDatabase(factory);
  return { factory, db, keys: keyStoreOn(db) };
}

describe('agent key store', () => {
  it("makes a key once per task and account, of the spec's dimensions, and gives it back decrypted", async () => {
    const { keys } = await fresh();
    expect(await keys.keyCommit(ref)).toBeNull();
    const made = await ensureTaskKey(keys, ref, { T: 64, N: 128 });
    expect(made.created).toBe(true);
    const again = await ensureTaskKey(keys, ref, { T: 64, N: 128 });
    expect(again).toEqual({ keyCommit: made.keyCommit, created: false });
    const key = (await keys.get(ref))!;
    expect([key.T, key.N, key.bits.length]).toEqual([64, 128, 8192]);
    expect(keyCommitHex(key)).toBe(made.keyCommit);
    // Another task gets its own key.
    expect((await ensureTaskKey(keys, otherTask, { T: 64, N: 128 })).keyCommit).not.toBe(made.keyCommit);
    await expect(ensureTaskKey(keys, ref, { T: 32, N: 128 })).rejects.toThrow(
      /stored key is 64x128, the task's watermark needs 32x128/,
    );
  });

  it('survives reopening the database (same device key); is unreadable without the device key', async () => {
    const { factory, db, keys } = await fresh();
    const { keyCommit } = await ensureTaskKey(keys, ref, { T: 16, N: 32 });
    db.close();
    const reopened = keyStoreOn(await openAgentDatabase(factory));
    expect(keyCommitHex((await reopened.get(ref))!)).toBe(keyCommit);
    // The device key gone (site data partly cleared): a clear error pointing at the backup.
    const db2 = await openAgentDatabase(factory);
    await new Promise<void>((resolve) => {
      const tx = db2.transaction('device', 'readwrite');
      tx.objectStore('device').clear();
      tx.oncomplete = () => resolve();
    });
    await expect(keyStoreOn(db2).get(ref)).rejects.toThrow(
      /cannot be decrypted on this device .* import your key backup/,
    );
  });

  it('refuses to overwrite a different key unless asked', async () => {
    const { keys } = await fresh();
    await ensureTaskKey(keys, ref, { T: 16, N: 32 });
    const other = generateKey(16, 32);
    await expect(keys.put(ref, other)).rejects.toThrow(/another watermark key .* refusing to overwrite/);
    expect(await keys.put(ref, other, { replace: true })).toBe(keyCommitHex(other));
  });

  it("exports encrypted and imports on another device; the chain's keyCommit decides which key is right", async () => {
    const a = await fresh();
    const { keyCommit } = await ensureTaskKey(a.keys, ref, { T: 16, N: 32 });
    const file = await exportTaskKey(a.keys, ref, PASS, FAST);
    expect(JSON.parse(file)).toMatchObject({ format: 'aiarena-watermark-key-encrypted', keyCommit });

    const b = await fresh();
    await expect(importTaskKey(b.keys, ref, file, 'nope')).rejects.toThrow(/wrong passphrase/);
    await expect(importTaskKey(b.keys, ref, file, PASS, { expectedKeyCommit: `0x${'1'.repeat(64)}` })).rejects.toThrow(
      /this backup holds the key with keyCommit 0x[0-9a-f]{8}…, but the key committed on chain for this task and account is 0x11111111…/,
    );
    // A stray key made on this device first is replaced when the chain vouches for the backup.
    await ensureTaskKey(b.keys, ref, { T: 16, N: 32 });
    await expect(importTaskKey(b.keys, ref, file, PASS)).rejects.toThrow(/refusing to overwrite/);
    expect(await importTaskKey(b.keys, ref, file, PASS, { expectedKeyCommit: keyCommit })).toBe(keyCommit);
    expect(keyCommitHex((await b.keys.get(ref))!)).toBe(keyCommit);
  });

  it('imports a plain key file too, and says what is wrong with a broken one', async () => {
    const { keys } = await fresh();
    const key = generateKey(16, 32);
    expect(await importTaskKey(keys, ref, keyToJson(key), '')).toBe(keyCommitHex(key));
    await expect(importTaskKey(keys, otherTask, 'not json', PASS)).rejects.toThrow(/not valid JSON/);
    const tampered = JSON.stringify({ ...JSON.parse(keyToJson(key)), keyCommit: `0x${'0'.repeat(63)}1` });
    await expect(importTaskKey(keys, otherTask, tampered, '')).rejects.toThrow(/corrupted/);
    const encrypted = await exportKeyEncrypted(key, PASS, FAST);
    await expect(
      importTaskKey(keys, otherTask, encrypted.replace(/"ciphertext":"[A-Za-z0-9+/]{4}/, '"ciphertext":"AAAA'), PASS),
    ).rejects.toThrow(/wrong passphrase \(or the file was altered\)/);
  });

  it('export without a key says so', async () => {
    const { keys } = await fresh();
    await expect(exportTaskKey(keys, ref, PASS)).rejects.toMatchObject({ code: 'key-missing' });
  });
});
