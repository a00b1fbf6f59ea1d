// Content hashes of the demo task's files: the digits model spec and the digits datasets made by
// scripts/data/convert.ts. The hidden final eval set (datasets/hidden/digits-final, kept out of
// public/) is committed to with a random salt, kept in the git-ignored state folder so the creator
// can reveal it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { toHex, type Address, type Hex } from 'viem';
import { finalEvalCommitment } from '../../src/lib/chain/commitments.ts';
import { REPO_ROOT } from './paths.ts';

export const DEMO_FILES = {
  modelSpec: join(REPO_ROOT, 'public', 'specs', 'digits-mlp.json'),
  trainData: join(REPO_ROOT, 'public', 'datasets', 'digits-train', 'manifest.json'),
  evalData: join(REPO_ROOT, 'public', 'datasets', 'digits-eval', 'manifest.json'),
  finalEval: join(REPO_ROOT, 'datasets', 'hidden', 'digits-final', 'manifest.json'),
} as const;

export function sha256Hex(bytes: Uint8Array | string): Hex {
  return `0x${createHash('sha256').update(bytes).digest('hex')}`;
}

export interface DemoHashes {
  modelSpec: Hex;
  trainData: Hex;
  evalData: Hex;
}

export function demoHashes(): DemoHashes {
  return {
    modelSpec: sha256Hex(readFileSync(DEMO_FILES.modelSpec)),
    trainData: sha256Hex(readFileSync(DEMO_FILES.trainData)),
    evalData: sha256Hex(readFileSync(DEMO_FILES.evalData)),
  };
}

export interface FinalEvalSecret {
  /** The hidden dataset's folder, relative to the repository root. */
  dataset: string;
  /** Its manifest (the file's text), whose sha256 is finalEvalHash. */
  manifest: string;
  finalEvalHash: Hex;
  salt: Hex;
  commit: Hex;
}

/** A fresh salt over the hidden digits set's hash: each demo task gets its own commitment. */
export function newFinalEvalSecret(): FinalEvalSecret {
  const bytes = readFileSync(DEMO_FILES.finalEval);
  const finalEvalHash = sha256Hex(bytes);
  const salt = toHex(randomBytes(32));
  return {
    dataset: relative(REPO_ROOT, join(DEMO_FILES.finalEval, '..')),
    manifest: bytes.toString('utf8'),
    finalEvalHash,
    salt,
    commit: finalEvalCommitment(finalEvalHash, salt),
  };
}

/** Writes the secret for `revealFinalEval(taskId, finalEvalHash, salt)`; returns the file path. */
export function saveFinalEvalSecret(
  dir: string,
  where: { chainId: number; taskRegistry: Address; taskId: bigint },
  secret: FinalEvalSecret,
): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `final-eval-${where.chainId}-task-${where.taskId}.json`);
  const record = { ...where, taskId: where.taskId.toString(), ...secret };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  return file;
}
