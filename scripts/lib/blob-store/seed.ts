// Puts the app's public content into the store at start-up, so the demo task's spec and datasets
// are fetchable by CID like anything a task creator uploads. Only public/ is seeded: the hidden
// final evaluation set stays off the store until its creator reveals it.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import type { BlobDisk } from './disk.ts';

export interface SeededFile {
  path: string;
  cid: string;
  size: number;
}

/** Dataset manifests and shards under public/datasets, and the model specs under public/specs. */
export function publicContentFiles(root = join(REPO_ROOT, 'public')): string[] {
  const files: string[] = [];
  const datasets = join(root, 'datasets');
  if (existsSync(datasets)) {
    for (const entry of readdirSync(datasets, { withFileTypes: true })) {
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
  return files;
}

/** Stores each file (a no-op for content already there) and returns what it is now called. */
export async function seedFiles(disk: BlobDisk, files: readonly string[], maxBytes: number): Promise<SeededFile[]> {
  const seeded: SeededFile[] = [];
  for (const path of files) {
    const size = statSync(path).size;
    if (size > maxBytes) throw new Error(`cannot seed ${path}: ${size} bytes is over the store's limit of ${maxBytes}`);
    const put = await disk.put(createReadStream(path), { maxBytes });
    seeded.push({ path, cid: put.cid, size: put.size });
  }
  return seeded;
}
