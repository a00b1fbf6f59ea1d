// Puts the app's public content into the store at start-up, so the demo task's spec, datasets and
// the proving artifacts are fetchable by CID like anything a task creator uploads. Each file is
// stored as the UnixFS DAG every client builds (src/lib/storage/unixfs/dag.ts), so its root CID is
// the one `ipfs add` with the platform's settings gives. Only public/ is seeded: the hidden final
// evaluation set stays off the store until its creator reveals it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import type { BlockDisk } from './disk.ts';
import { ingestBytes } from './ingest.ts';

export interface SeededFile {
  path: string;
  /** The file's root CID (`bafkrei...` for a file of one chunk, `bafybei...` above). */
  cid: string;
  size: number;
  blocks: number;
}

/**
 * Dataset manifests and shards under public/datasets, the model specs under public/specs, and the
 * circuit's artifacts under public/zk (wasm, proving key, verification key, their manifest).
 */
export function publicContentFiles(root = join(REPO_ROOT, 'public')): string[] {
  const files: string[] = [];
  const datasets = join(root, 'datasets');
  if (existsSync(datasets)) {
    for (const entry of readdirSync(datasets, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const dir = join(datasets, entry.name);
      for (const name of readdirSync(dir).sort()) {
        if (name === 'manifest.json' || /^[0-9a-f]{64}\.bin$/.test(name)) files.push(join(dir, name));
      }
    }
  }
  const specs = join(root, 'specs');
  if (existsSync(specs)) {
    for (const name of readdirSync(specs).sort()) if (name.endsWith('.json')) files.push(join(specs, name));
  }
  const zk = join(root, 'zk');
  if (existsSync(zk)) {
    for (const name of readdirSync(zk).sort()) {
      if (name === 'manifest.json' || /\.(wasm|zkey|vkey\.json)$/.test(name)) files.push(join(zk, name));
    }
  }
  return files;
}

/** Stores each file (blocks already held are kept) and returns its root CID. */
export async function seedFiles(disk: BlockDisk, files: readonly string[], maxBytes: number): Promise<SeededFile[]> {
  const seeded: SeededFile[] = [];
  for (const path of files) {
    const size = statSync(path).size;
    if (size > maxBytes) throw new Error(`cannot seed ${path}: ${size} bytes is over the store's limit of ${maxBytes}`);
    const stored = await ingestBytes(disk, new Uint8Array(await readFile(path)), { maxFileBytes: maxBytes });
    seeded.push({ path, cid: stored.cid.toString(), size: stored.size, blocks: stored.blocks });
  }
  return seeded;
}
