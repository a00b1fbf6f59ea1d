// `fetch` that also reads file: URLs (Node only), so the headless agents hand the ML and zk
// services the same kind of URLs the app's workers get (a dataset folder, the zk manifest)
// pointing at folders on disk. Other URLs go to `next` (default: the global fetch).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export function fileFetch(next: typeof fetch = (input, init) => fetch(input, init)): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file:')) return next(input, init);
    try {
      return new Response(new Uint8Array(await readFile(fileURLToPath(url))));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return new Response(`${code ?? 'error'}: ${url}`, {
        status: code === 'ENOENT' ? 404 : 500,
        statusText: code === 'ENOENT' ? 'Not Found' : 'Unreadable',
      });
    }
  }) as typeof fetch;
}
