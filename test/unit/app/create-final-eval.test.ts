// The creator's final-eval secret: the backup file round-trips, `npm start`'s demo secret file is
// read too, a changed file is refused, the reveal window follows the contract's rules, and the
// IndexedDB store keeps salt and files across reopening.
import { createHash } from 'node:crypto';
import { IDBFactory } from 'fake-indexeddb';
import { getAddress, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { openSecretStore } from '../../../src/lib/app-logic/final-eval-store.ts';
import {
  makeFinalEvalSecret,
  parseSecretBackup,
  revealState,
  secretBackupFileName,
  secretBackupText,
  SecretFileError,
} from '../../../src/lib/app-logic/final-eval-secret.ts';
import { finalEvalCommitment } from '../../../src/lib/chain/commitments.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';

const registry = getAddress('0x5fbdb2315678afecb367f032d93f642f64180aa3');
const manifest = '{"format":"aiarena-dataset","name":"digits-final"}\n';
const hash = `0x${createHash('sha256').update(manifest).digest('hex')}` as Hex;
const salt = `0x${'ab'.repeat(32)}` as Hex;

const secret = () =>
  makeFinalEvalSecret({
    chainId: 31337,
    taskRegistry: registry,
    finalEvalHash: hash,
    salt,
    manifest,
    name: 'digits-final',
    createdAt: Date.UTC(2026, 0, 2),
  });

async function refusal(text: string): Promise<string> {
  try {
    await parseSecretBackup(text);
  } catch (e) {
    expect(e).toBeInstanceOf(SecretFileError);
    return (e as Error).message;
  }
  return 'accepted';
}

describe('final-eval secret', () => {
  it('commits with the contract’s formula and round-trips through the backup file', async () => {
    const s = secret();
    expect(s.commit).toBe(finalEvalCommitment(hash, salt));
    expect(s.taskId).toBeNull();
    expect(await parseSecretBackup(secretBackupText(s))).toEqual(s);
    const sent = { ...s, taskId: 7n };
    expect(await parseSecretBackup(secretBackupText(sent))).toEqual(sent);
    expect(secretBackupFileName(sent)).toBe('final-eval-31337-task-7.json');
    expect(secretBackupFileName(s)).toBe(`final-eval-31337-${s.commit.slice(2, 10)}.json`);
  });

  it('reads the secret file npm start writes for the demo task', async () => {
    // scripts/lib/demo-content.ts saveFinalEvalSecret: { chainId, taskRegistry, taskId, dataset, manifest, finalEvalHash, salt, commit }
    const demo = {
      chainId: 31337,
      taskRegistry: registry,
      taskId: '1',
      dataset: 'datasets/hidden/digits-final',
      manifest,
      finalEvalHash: hash,
      salt,
      commit: finalEvalCommitment(hash, salt),
    };
    const s = await parseSecretBackup(JSON.stringify(demo, null, 2));
    expect(s).toMatchObject({
      chainId: 31337,
      taskRegistry: registry,
      taskId: 1n,
      finalEvalHash: hash,
      salt,
      name: 'digits-final',
    });
  });

  it('refuses a file whose salt, manifest or fields were changed', async () => {
    const good = JSON.parse(secretBackupText(secret())) as Record<string, unknown>;
    const text = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    expect(await refusal(text({ salt: `0x${'cd'.repeat(32)}` }))).toMatch(/does not open the commitment/);
    expect(await refusal(text({ manifest: `${manifest} ` }))).toMatch(/manifest in this file is not the dataset/);
    expect(await refusal(text({ salt: '0x12' }))).toMatch(/no salt/);
    expect(await refusal(text({ taskRegistry: 'nope' }))).toMatch(/no task registry/);
    expect(await refusal(text({ taskId: '0' }))).toMatch(/not a task number/);
    expect(await refusal('[]')).toMatch(/not a JSON object/);
    expect(await refusal('garbage')).toMatch(/not a JSON object/);
  });

  it('opens the reveal at the final phase and closes it a tenth of the way in', () => {
    const s: Schedule = {
      startTime: 1_000n,
      reviewEnd: 900n,
      epochLength: 100,
      submissionEpochs: 3,
      finalEpochs: 2,
      challengeEpochs: 1,
      sealEnd: 5000,
      revealEnd: 6000,
      commitEnd: 8500,
      finalCommitEnd: 7000,
      rejected: false,
    };
    // Final phase from 1300; deadline 1300 + 2 * 100 / 10 = 1320.
    expect(revealState(s, 'Pending', 1_299n)).toEqual({ kind: 'waiting', opensAt: 1_300n, deadline: 1_320n });
    expect(revealState(s, 'Pending', 1_300n)).toEqual({ kind: 'open', deadline: 1_320n });
    expect(revealState(s, 'Pending', 1_320n)).toEqual({ kind: 'missed', deadline: 1_320n });
    expect(revealState(s, 'Revealed', 1_310n)).toEqual({ kind: 'revealed' });
    expect(revealState(s, 'Fallback', 1_400n)).toEqual({ kind: 'fallback' });
    expect(revealState({ ...s, finalEpochs: 0 }, 'None', 1_310n)).toEqual({ kind: 'no-final-phase' });
    expect(revealState({ ...s, rejected: true }, 'Pending', 1_310n)).toEqual({ kind: 'rejected' });
  });

  it('is kept in IndexedDB with the set’s files, across reopening', async () => {
    const factory = new IDBFactory();
    const store = await openSecretStore(factory);
    const files = {
      manifest: new TextEncoder().encode(manifest),
      shards: [{ sha256: 'aa'.repeat(32), bytes: new Uint8Array([1, 2, 3]) }],
    };
    await store.put({ secret: secret(), files });
    await store.put({ secret: { ...secret(), taskId: 3n }, files });
    const again = await openSecretStore(factory);
    const all = await again.all();
    expect(all).toHaveLength(1);
    expect(all[0]!.secret).toEqual({ ...secret(), taskId: 3n });
    expect(all[0]!.files!.shards[0]!.bytes).toEqual(new Uint8Array([1, 2, 3]));
    await again.delete(secret().commit.toUpperCase().replace('0X', '0x'));
    expect(await again.all()).toEqual([]);
  });
});
