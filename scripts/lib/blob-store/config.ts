// The blob store's `npm start` settings, read from the environment like the other start settings
// (scripts/lib/start-config.ts), validated before anything starts.
import { join } from 'node:path';
import type { PortChoice } from '../start-config.ts';
import { DEFAULT_MAX_BLOB_BYTES } from './server.ts';

export const DEFAULT_BLOB_PORT = 8546;
/** No blob below a kilobyte would be useful, and nothing above 1 GiB fits the client's memory model. */
const MIN_LIMIT = 1024;
const MAX_LIMIT = 1024 * 1024 * 1024;

export interface BlobStoreConfig {
  port: PortChoice;
  maxBlobBytes: number;
  /** `<state dir>/blobs`. */
  dir: string;
}

export function readBlobStoreConfig(
  env: NodeJS.ProcessEnv,
  stateDir: string,
  otherPorts: Record<string, number>,
): BlobStoreConfig {
  const rawPort = env.AIARENA_BLOB_PORT?.trim() ?? '';
  const explicit = rawPort !== '';
  const port = explicit ? Number(rawPort) : DEFAULT_BLOB_PORT;
  if (!Number.isSafeInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`AIARENA_BLOB_PORT must be an integer from 1 to 65535, got "${env.AIARENA_BLOB_PORT}"`);
  }
  for (const [name, other] of Object.entries(otherPorts)) {
    if (explicit && other === port) throw new Error(`AIARENA_BLOB_PORT and ${name} must differ (both ${port})`);
  }
  const rawLimit = env.AIARENA_BLOB_MAX_BYTES?.trim() ?? '';
  const maxBlobBytes = rawLimit === '' ? DEFAULT_MAX_BLOB_BYTES : Number(rawLimit);
  if (!Number.isSafeInteger(maxBlobBytes) || maxBlobBytes < MIN_LIMIT || maxBlobBytes > MAX_LIMIT) {
    throw new Error(
      `AIARENA_BLOB_MAX_BYTES must be an integer from ${MIN_LIMIT} to ${MAX_LIMIT}, got "${env.AIARENA_BLOB_MAX_BYTES}"`,
    );
  }
  return { port: { port, explicit }, maxBlobBytes, dir: join(stateDir, 'blobs') };
}
