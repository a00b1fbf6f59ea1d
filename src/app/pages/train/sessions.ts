// One running agent per role in a tab, kept across page navigation: a trainer keeps training and
// sealing while its owner reads the Task page, and coming back finds the same session. Asking for
// another (task, account) of the same role closes the previous one (its state stays stored, and
// it resumes when asked for again). Closing the tab ends everything; the agents' notes explain
// windows missed meanwhile.
interface Closable {
  close(): void;
}

const open = new Map<string, { key: string; session: Closable }>();

/** The session of `role` for `key`, made with `make` when there is none (or another key's). */
export function sessionFor<T extends Closable>(role: 'trainer' | 'validator', key: string, make: () => T): T {
  const current = open.get(role);
  if (current && current.key === key) return current.session as T;
  current?.session.close();
  const session = make();
  open.set(role, { key, session });
  return session;
}

/** Closes the role's session if it is the one for `key` (a failed session is not kept). */
export function dropSession(role: 'trainer' | 'validator', key: string): void {
  const current = open.get(role);
  if (current && current.key === key) {
    current.session.close();
    open.delete(role);
  }
}
