// Where the ML workers read a task's dataset from. The workers take a dataset *folder* URL
// (manifest.json plus shards named by hash, src/lib/ml/data/sources.ts); a task names its
// datasets only by the sha256 of their manifests. The app serves the bundled datasets under
// `datasets/<name>/`, so a hash is resolved by reading each bundled folder's manifest and
// comparing hashes. The workers check every byte again (manifest hash and shard hashes).
import type { Hex } from 'viem';
import { sha256Hex } from '../../../lib/ml/hash.ts';
import { ArenaError } from '../../../lib/errors.ts';
import { PUBLISHED_DATASETS } from '../../../lib/app-logic/spec-templates.ts';

/** The dataset folders shipped in public/datasets/ (see its README). */
export const BUNDLED_DATASETS: readonly string[] = PUBLISHED_DATASETS;

export class DatasetNotAvailableError extends ArenaError<'dataset-not-available'> {
  constructor(
    readonly hash: Hex,
    readonly tried: readonly string[],
  ) {
    super(
      'dataset-not-available',
      `This task's dataset (manifest sha256 ${hash.slice(0, 12)}…) is not one this app serves (${tried.join(', ')}), so it cannot be trained or evaluated here.`,
    );
    this.name = 'DatasetNotAvailableError';
  }
}

export interface DatasetLookup {
  /** The app's base URL (import.meta.env.BASE_URL), ending in '/'. */
  base: string;
  fetch?: typeof fetch;
  folders?: readonly string[];
}

/** sha256 (0x, lowercase) of each folder's manifest; a folder that cannot be read is left out. */
async function manifestHashes(o: DatasetLookup): Promise<Map<string, string>> {
  const doFetch = o.fetch ?? ((u: string) => fetch(u));
  const entries = await Promise.all(
    (o.folders ?? BUNDLED_DATASETS).map(async (name) => {
      try {
        const res = await doFetch(`${o.base}datasets/${name}/manifest.json`);
        if (!res.ok) return null;
        return [`0x${await sha256Hex(new Uint8Array(await res.arrayBuffer()))}`, `${o.base}datasets/${name}`] as const;
      } catch {
        return null;
      }
    }),
  );
  return new Map(entries.filter((e) => e !== null));
}

const cache = new Map<string, Promise<Map<string, string>>>();

/** The folder URL (relative to the page) holding the dataset whose manifest hashes to `hash`. */
export async function datasetFolder(hash: Hex, o: DatasetLookup): Promise<string> {
  const key = `${o.base}|${(o.folders ?? BUNDLED_DATASETS).join(',')}`;
  let hashes = cache.get(key);
  if (!hashes || o.fetch) {
    hashes = manifestHashes(o);
    if (!o.fetch) cache.set(key, hashes);
  }
  const found = (await hashes).get(hash.toLowerCase());
  if (found === undefined) {
    // A failed read is not remembered: the next attempt may be online.
    cache.delete(key);
    throw new DatasetNotAvailableError(hash, o.folders ?? BUNDLED_DATASETS);
  }
  return found;
}
