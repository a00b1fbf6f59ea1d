// Runs an async job per item with at most `limit` in flight (transactions of different accounts:
// each account sends one at a time, so its nonces never race).
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  job: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
