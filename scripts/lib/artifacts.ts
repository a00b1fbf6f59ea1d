// Reads compiled contracts from forge's output folder (Node only).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Abi, Hex } from 'viem';

export const CONTRACTS = [
  'ArenaToken',
  'TaskRegistry',
  'StakeManager',
  'SubmissionBook',
  'RewardEngine',
  'WatermarkOwnershipVerifier',
  'ChallengeModule',
] as const;
export type ContractName = (typeof CONTRACTS)[number];

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

export const OUT_DIR = join(import.meta.dirname, '..', '..', 'contracts', 'out');

export function loadArtifact(name: string, outDir = OUT_DIR): Artifact {
  const file = join(outDir, `${name}.sol`, `${name}.json`);
  let json: { abi: Abi; bytecode: { object: Hex } };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new Error(`cannot read ${file}: run \`npm run build:contracts\` first`, { cause });
  }
  return { abi: json.abi, bytecode: json.bytecode.object };
}

export function loadArtifacts(outDir = OUT_DIR): Record<ContractName, Artifact> {
  return Object.fromEntries(CONTRACTS.map((name) => [name, loadArtifact(name, outDir)])) as Record<
    ContractName,
    Artifact
  >;
}
