// Content is immutable by hash: each spec or manifest is fetched once per session; a failure is
// forgotten so a later visit retries.
const cache = new Map<string, Promise<unknown>>();

export function loadOnce<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) return hit as Promise<T>;
  const p = load();
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  return p;
}
