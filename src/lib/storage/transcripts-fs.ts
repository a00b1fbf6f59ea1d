// Transcripts in a directory (Node: the trainer's agent, tests, benchmarks). Layout:
// `<dir>/<id>/state-<index>.bin` (the state bytes) and `<dir>/<id>/transcript.json` (the record).
// Each file is written to a temporary name and renamed, the state before the record that lists
// its leaf, so a killed process leaves a consistent transcript. node:fs is imported on first use
// (as in ml/data/sources.ts), so bundling this module for the browser pulls in nothing.
import type { TranscriptMeta, TranscriptStore } from '../ml/transcript/store.ts';
import { StorageError } from './idb.ts';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function checkId(id: string): void {
  if (!ID_PATTERN.test(id) || id.includes('..'))
    throw new StorageError(
      `transcript id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127} without "..", got ${JSON.stringify(id)}`,
    );
}

export async function openTranscriptDir(dir: string): Promise<TranscriptStore> {
  const fsModule = 'node:fs/promises';
  const pathModule = 'node:path';
  const fs = (await import(/* @vite-ignore */ fsModule)) as typeof import('node:fs/promises');
  const path = (await import(/* @vite-ignore */ pathModule)) as typeof import('node:path');
  await fs.mkdir(dir, { recursive: true });
  const folder = (id: string) => {
    checkId(id);
    return path.join(dir, id);
  };
  const write = async (file: string, data: Uint8Array | string) => {
    const tmp = `${file}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  };
  const readMeta = async (file: string): Promise<TranscriptMeta | undefined> => {
    try {
      return JSON.parse(await fs.readFile(file, 'utf8')) as TranscriptMeta;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`cannot read transcript record ${file}: ${(e as Error).message}`, { cause: e });
    }
  };
  return {
    meta: (id) => readMeta(path.join(folder(id), 'transcript.json')),
    async save(meta, index, state) {
      const f = folder(meta.id);
      await fs.mkdir(f, { recursive: true });
      await write(path.join(f, `state-${index}.bin`), state);
      await write(path.join(f, 'transcript.json'), JSON.stringify(meta, null, 1));
    },
    async state(id, index) {
      try {
        return new Uint8Array(await fs.readFile(path.join(folder(id), `state-${index}.bin`)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    async list() {
      const names = await fs.readdir(dir);
      const metas = await Promise.all(
        names.filter((n) => ID_PATTERN.test(n)).map((n) => readMeta(path.join(dir, n, 'transcript.json'))),
      );
      return metas.filter((m): m is TranscriptMeta => m !== undefined).sort((a, b) => b.updatedAt - a.updatedAt);
    },
    async delete(id) {
      await fs.rm(folder(id), { recursive: true, force: true });
    },
    close() {},
  };
}
