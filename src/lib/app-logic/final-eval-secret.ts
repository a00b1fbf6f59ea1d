// The creator's secret for a task's hidden final eval set (SPEC 2.3): the set's hash and the salt
// of the commitment on chain. Without the salt the set cannot be revealed and the final phase
// falls back to the public eval set, so the app keeps it in IndexedDB before the task is sent and
// offers it as a backup file. The file format also reads the one `npm start` writes for the demo
// task (scripts/lib/demo-content.ts). Pure apart from hashing.
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import { finalEvalCommitment } from '../chain/commitments.ts';
import { epochStart, finalEvalDeadline, type Schedule } from '../chain/schedule.ts';
import { sha256Hex } from '../ml/hash.ts';
import { ArenaError } from '../errors.ts';

export const SECRET_FORMAT = 'aiarena-final-eval-secret';

export interface FinalEvalSecret {
  chainId: number;
  taskRegistry: Address;
  /** Set once the task is on chain (from the receipt, or found on chain by its commitment). */
  taskId: bigint | null;
  finalEvalHash: Hex;
  salt: Hex;
  commit: Hex;
  /** The dataset manifest's text (its sha256 is finalEvalHash): shows what the set is. */
  manifest: string;
  /** The dataset's name from the manifest, for people. */
  name: string;
  createdAt: number;
}

export class SecretFileError extends ArenaError<'secret-file'> {
  constructor(message: string) {
    super('secret-file', message);
    this.name = 'SecretFileError';
  }
}

export function makeFinalEvalSecret(
  p: Omit<FinalEvalSecret, 'commit' | 'taskId' | 'createdAt'> & { createdAt?: number },
): FinalEvalSecret {
  return {
    ...p,
    taskId: null,
    commit: finalEvalCommitment(p.finalEvalHash, p.salt),
    createdAt: p.createdAt ?? Date.now(),
  };
}

/** The backup file's text (JSON; the task id as a decimal string). */
export function secretBackupText(s: FinalEvalSecret): string {
  const record = {
    format: SECRET_FORMAT,
    version: 1,
    chainId: s.chainId,
    taskRegistry: s.taskRegistry,
    taskId: s.taskId === null ? null : s.taskId.toString(),
    name: s.name,
    finalEvalHash: s.finalEvalHash,
    salt: s.salt,
    commit: s.commit,
    manifest: s.manifest,
    createdAt: new Date(s.createdAt).toISOString(),
  };
  return `${JSON.stringify(record, null, 2)}\n`;
}

export function secretBackupFileName(s: Pick<FinalEvalSecret, 'chainId' | 'taskId' | 'commit'>): string {
  return s.taskId === null
    ? `final-eval-${s.chainId}-${s.commit.slice(2, 10)}.json`
    : `final-eval-${s.chainId}-task-${s.taskId}.json`;
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/**
 * Reads a backup file (ours or `npm start`'s demo secret). Checks that the salt opens the
 * commitment and that the manifest is the set the hash names, so a wrong or edited file is
 * refused here rather than by a failed transaction.
 */
export async function parseSecretBackup(text: string): Promise<FinalEvalSecret> {
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    o = v as Record<string, unknown>;
  } catch {
    throw new SecretFileError('This file is not a final-eval secret: it is not a JSON object.');
  }
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const hash = str('finalEvalHash');
  const salt = str('salt');
  if (!hash || !HEX32.test(hash)) throw new SecretFileError('The file has no finalEvalHash (32 bytes in hex).');
  if (!salt || !HEX32.test(salt)) throw new SecretFileError('The file has no salt (32 bytes in hex).');
  const chainId = Number(o.chainId);
  if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new SecretFileError('The file names no chain id.');
  const registry = str('taskRegistry');
  if (!registry || !isAddress(registry)) throw new SecretFileError('The file names no task registry address.');
  const commit = finalEvalCommitment(hash as Hex, salt as Hex);
  const stated = str('commit');
  if (stated && stated.toLowerCase() !== commit.toLowerCase()) {
    throw new SecretFileError(
      'The salt in this file does not open the commitment it states: the file was changed or is damaged.',
    );
  }
  const manifest = str('manifest') ?? '';
  if (manifest !== '' && `0x${await sha256Hex(new TextEncoder().encode(manifest))}` !== hash.toLowerCase()) {
    throw new SecretFileError('The manifest in this file is not the dataset its finalEvalHash names.');
  }
  const rawTask = o.taskId;
  let taskId: bigint | null = null;
  if (typeof rawTask === 'string' || typeof rawTask === 'number') {
    if (!/^[1-9]\d*$/.test(String(rawTask)))
      throw new SecretFileError(`The file's task id "${String(rawTask)}" is not a task number.`);
    taskId = BigInt(rawTask);
  }
  // A label for people: ours has `name`; the demo file has the manifest (with its name) and a folder.
  let name = str('name') ?? '';
  if (!name && manifest !== '') {
    try {
      const parsed = JSON.parse(manifest) as { name?: unknown };
      if (typeof parsed.name === 'string') name = parsed.name;
    } catch {
      // The hash check above passed, so the text is what was committed; a name is only a label.
    }
  }
  if (!name) name = str('dataset')?.split('/').pop() ?? '';
  const created = str('createdAt');
  return {
    chainId,
    taskRegistry: getAddress(registry),
    taskId,
    finalEvalHash: hash.toLowerCase() as Hex,
    salt: salt.toLowerCase() as Hex,
    commit,
    manifest,
    name: name || 'final eval set',
    createdAt: created && !Number.isNaN(Date.parse(created)) ? Date.parse(created) : Date.now(),
  };
}

export type RevealState =
  | { kind: 'no-final-phase' }
  | { kind: 'waiting'; opensAt: bigint; deadline: bigint }
  | { kind: 'open'; deadline: bigint }
  | { kind: 'missed'; deadline: bigint }
  | { kind: 'revealed' }
  | { kind: 'fallback' }
  | { kind: 'rejected' };

/** Where a task stands for its creator's reveal, by chain time (the contract's revealFinalEval rules). */
export function revealState(
  s: Schedule,
  finalEval: 'None' | 'Pending' | 'Revealed' | 'Fallback',
  now: bigint,
): RevealState {
  if (s.rejected) return { kind: 'rejected' };
  if (s.finalEpochs === 0 || finalEval === 'None') return { kind: 'no-final-phase' };
  if (finalEval === 'Revealed') return { kind: 'revealed' };
  if (finalEval === 'Fallback') return { kind: 'fallback' };
  const opensAt = epochStart(s, s.submissionEpochs);
  const deadline = finalEvalDeadline(s);
  if (now < opensAt) return { kind: 'waiting', opensAt, deadline };
  if (now < deadline) return { kind: 'open', deadline };
  return { kind: 'missed', deadline };
}
