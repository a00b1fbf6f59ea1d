// One running agent per (task, account, role) across tabs. Two tabs automating the same scope
// would each seal with their own salt, and the chain keeps only the last seal: the tab whose
// record IndexedDB ends up holding might not be the one whose seal is on chain, and then nobody
// can reveal. The Web Locks API gives an exclusive lock that the browser releases when a tab
// closes or crashes.

/** Takes the named lock if it is free; resolves with its release, or null if another holder has it. */
export type TabLock = (name: string) => Promise<(() => void) | null>;

interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
}

/** The browser's Web Locks, or null where there are none (Node, very old browsers). */
export function webLocks(
  locks: LockManagerLike | undefined = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks,
): TabLock | null {
  if (!locks) return null;
  return (name) =>
    new Promise((resolve, reject) => {
      locks
        .request(name, { ifAvailable: true }, (lock) => {
          if (!lock) {
            resolve(null);
            return;
          }
          // Held until the returned release is called (or the tab goes away).
          return new Promise<void>((release) => resolve(() => release()));
        })
        .catch(reject);
    });
}
