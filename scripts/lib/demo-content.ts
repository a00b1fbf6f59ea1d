// Content hashes of the demo task's public files, and its hidden final eval set: a placeholder
// manifest plus a random salt, kept in the git-ignored state folder so the creator can reveal it.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex, type Address, type Hex } from 'viem';
import { finalEvalCommitment } from '../../src/lib/chain/commitments.ts';
import { REPO_ROOT } from './paths.ts';

export const DEMO_FILES = {
  modelSpec: join(REPO_ROOT, 'public', 'specs', 'digits-mlp.json'),
  trainData: join(REPO_ROOT, 'public', 'datasets', 'digits-train.manifest.json'),
  evalData: join(REPO_ROOT, 'public', 'datasets', 'digits-eval.manifest.json'),
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
  /** The placeholder hidden manifest whose sha256 is finalEvalHash. */
  manifest: string;
  finalEvalHash: Hex;
  salt: Hex;
  commit: Hex;
}

export function newFinalEvalSecret(): FinalEvalSecret {
  const manifest = `${JSON.stringify(
    {
      format: 'aiarena-dataset-manifest/0',
      placeholder: true,
      note: 'Hidden final eval set of the local demo task (placeholder; real data comes with the ML issue).',
      name: 'digits-final-eval',
      nonce: toHex(randomBytes(16)),
    },
    null,
    2,
  )}\n`;
  const finalEvalHash = sha256Hex(manifest);
  const salt = toHex(randomBytes(32));
  return { manifest, finalEvalHash, salt, commit: finalEvalCommitment(finalEvalHash, salt) };
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
