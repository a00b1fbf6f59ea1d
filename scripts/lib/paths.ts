// Folders the local tooling writes to, overridable so tests never touch the repository's own.
import { isAbsolute, join, resolve } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

function fromEnv(value: string | undefined, fallback: string): string {
  if (!value) return join(REPO_ROOT, fallback);
  return isAbsolute(value) ? value : resolve(REPO_ROOT, value);
}

/** Where deployments/<chainId>.json files live (published by the app): AIARENA_DEPLOYMENTS_DIR. */
export function deploymentsDir(env: NodeJS.ProcessEnv = process.env): string {
  return fromEnv(env.AIARENA_DEPLOYMENTS_DIR, 'deployments');
}

/** Git-ignored local secrets (e.g. the demo task's final-eval salt): AIARENA_STATE_DIR. */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return fromEnv(env.AIARENA_STATE_DIR, '.local');
}
