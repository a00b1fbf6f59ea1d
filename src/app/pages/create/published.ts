// Published content that ships with the app (public/specs, public/datasets): fetched from the
// app's own origin and checked like any picked file, since a cache or proxy can serve wrong bytes.
import {
  checkDatasetFiles,
  DatasetFilesError,
  type CheckedDataset,
  type PickedFile,
} from '../../../lib/app-logic/dataset-files.ts';

const base = () => import.meta.env.BASE_URL ?? '/';

async function bytesOf(url: string, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new DatasetFilesError(`${what} could not be loaded (${(e as Error).message}).`);
  }
  if (!res.ok) throw new DatasetFilesError(`${what} could not be loaded: the server answered ${res.status}.`);
  return new Uint8Array(await res.arrayBuffer());
}

export function loadSpecTemplate(id: string): Promise<Uint8Array> {
  return bytesOf(`${base()}specs/${id}.json`, `The model spec template "${id}"`);
}

/** A published dataset's manifest and shards, checked as a picked set of files. */
export async function loadPublishedDataset(
  name: string,
  onProgress?: (done: number, total: number) => void,
): Promise<CheckedDataset> {
  const dir = `${base()}datasets/${name}/`;
  const manifest = await bytesOf(`${dir}manifest.json`, `The manifest of ${name}`);
  let shards: string[];
  try {
    shards = (JSON.parse(new TextDecoder().decode(manifest)) as { shards: { sha256: string }[] }).shards.map(
      (s) => s.sha256,
    );
  } catch {
    throw new DatasetFilesError(`The manifest of ${name} is not readable JSON.`);
  }
  const files: PickedFile[] = [{ name: 'manifest.json', bytes: manifest }];
  for (const [i, sha] of shards.entries()) {
    onProgress?.(i, shards.length);
    files.push({ name: `${sha}.bin`, bytes: await bytesOf(`${dir}${sha}.bin`, `Shard ${i + 1} of ${name}`) });
  }
  onProgress?.(shards.length, shards.length);
  return checkDatasetFiles(files);
}

/** Reads the files a file input picked. */
export async function readPicked(list: FileList | null): Promise<PickedFile[]> {
  return Promise.all(
    [...(list ?? [])].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
  );
}
