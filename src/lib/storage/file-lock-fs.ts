// One running agent per scope across processes (agents/lock.ts TabLock, Node only): two processes
// automating the same task and account would each seal with their own salt, and only one could
// reveal. A lock is a file made with O_EXCL that names its process; a lock whose process is gone
// (killed, crashed) on this host is taken over. Released on stop and when the process exits.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { TabLock } from '../agents/lock.ts';

interface Holder {
  pid: number;
  host: string;
  name: string;
  since: string;
}

/** Locks this process holds, given back when it exits (one listener for all of them). */
const held = new Set<() => void>();
let hooked = false;
function onExit(release: () => void): void {
  held.add(release);
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const r of [...held]) r();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Holder;
  } catch {
    return null;
  }
}

/** Locks as files in `dir`; `holder` describes an existing holder for messages. */
export function fileLocks(dir: string): TabLock & { holder(name: string): Holder | null } {
  const fileOf = (name: string) => join(dir, `${createHash('sha256').update(name).digest('hex').slice(0, 32)}.lock`);
  const take = (name: string): (() => void) | null => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = fileOf(name);
    const me: Holder = { pid: process.pid, host: hostname(), name, since: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const other = readHolder(file);
        // Same process (another agent object of this scope) or a live process: taken.
        if (other && (other.host !== me.host || other.pid === me.pid || alive(other.pid))) return null;
        rmSync(file, { force: true });
        continue;
      }
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.delete(release);
        if (readHolder(file)?.pid === me.pid) rmSync(file, { force: true });
      };
      onExit(release);
      return release;
    }
    return null;
  };
  const lock = (async (name: string) => take(name)) as TabLock & { holder(name: string): Holder | null };
  lock.holder = (name) => readHolder(fileOf(name));
  return lock;
}
