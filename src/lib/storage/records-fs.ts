// Records on disk for the headless agents (Node only): every write goes to a temporary file in
// the same folder, is fsynced, renamed over the target and the folder fsynced, so a crash or a
// power cut leaves either the old record or the new one, never a torn one; and a write resolves
// only once it is durable, which is what lets an agent store a salt before it sends the
// commitment built from it (agents/runner.ts). Records are encoded with V8's serializer: the
// structured clone algorithm IndexedDB applies in the app, so bigints, typed arrays and nested
// objects come back exactly as the app's stores give them (docs/operators.md, "State on disk").
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { StorageError } from './idb.ts';

/** Owner-only: agent state holds salts and encrypted keys. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

async function syncDir(dir: string): Promise<void> {
  let handle: import('node:fs/promises').FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a folder (EINVAL, EISDIR): the rename is as durable as they make it.
  } finally {
    await handle?.close();
  }
}

/** Writes `data` to `file` atomically and durably (temporary file, fsync, rename, fsync of the folder). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', FILE_MODE);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new StorageError(`cannot write ${file}: ${(e as Error).message}`, { cause: e });
  }
  await syncDir(dir);
}

/** The file's bytes, or undefined when there is no such file. */
export async function readFileIfExists(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StorageError(`cannot read ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/** Names in `dir` (none when it does not exist), without temporary files. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !n.startsWith('.'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new StorageError(`cannot list ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

export function encodeRecord(value: unknown): Uint8Array {
  return serialize(value);
}

export function decodeRecord<T>(bytes: Uint8Array, file: string): T {
  try {
    return deserialize(bytes) as T;
  } catch (e) {
    throw new StorageError(
      `${file} is not a readable record (${(e as Error).message}); move it away to start that part of the state afresh`,
      { cause: e },
    );
  }
}

export async function writeRecord(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, encodeRecord(value));
}

export async function readRecord<T>(file: string): Promise<T | undefined> {
  const bytes = await readFileIfExists(file);
  return bytes === undefined ? undefined : decodeRecord<T>(bytes, file);
}

/** Removes a file; a missing one is fine. */
export async function removeFile(file: string): Promise<void> {
  await rm(file, { force: true });
}
