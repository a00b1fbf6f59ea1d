// fetchVerified's decisions, with scripted gateways (a fetch function answering per URL): which
// gateway is tried when, what is retried, what is reported. test/integration/blob-store.test.ts
// runs the same client against the real store over HTTP.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cidFromBytes } from '../../../src/lib/ml/artifact/cid.ts';
import {
  backoffDelay,
  BlobNotFoundError,
  BlobTooLargeError,
  CasConfigError,
  CasFetchError,
  CasHttpError,
  CasNetworkError,
  CidMismatchError,
  fetchVerified,
  gatewayUrl,
  InvalidCidError,
  parseRetryAfter,
  type FetchFn,
} from '../../../src/lib/storage/cas/index.ts';

const bytes = new TextEncoder().encode('the content everyone wants');
const cid = await cidFromBytes(bytes);
const wrong = new TextEncoder().encode('something else entirely');

type Answer = Response | Error | (() => Response | Error | Promise<Response | Error>);

/** A fetch whose answer depends on the gateway host; answers are used in turn, the last one repeats. */
function scripted(script: Record<string, Answer[]>): {
  fetch: FetchFn;
  calls: string[];
  inits: (RequestInit | undefined)[];
} {
  const calls: string[] = [];
  const inits: (RequestInit | undefined)[] = [];
  const used: Record<string, number> = {};
  const fetch: FetchFn = async (url, init) => {
    const host = new URL(url).host;
    calls.push(url);
    inits.push(init);
    const answers = script[host] ?? [new TypeError('fetch failed')];
    const i = Math.min(used[host] ?? 0, answers.length - 1);
    used[host] = (used[host] ?? 0) + 1;
    let a = answers[i]!;
    if (typeof a === 'function') a = await a();
    if (a instanceof Error) throw a;
    return a;
  };
  return { fetch, calls, inits };
}

const ok =
  (b: Uint8Array = bytes, headers: Record<string, string> = { 'content-length': String(b.length) }) =>
  () =>
    new Response(b.slice(), { status: 200, headers });
const status =
  (s: number, body = '', headers: Record<string, string> = {}) =>
  () =>
    new Response(body, { status: s, headers });

const A = 'https://a.example';
const B = 'https://b.example';
const fast = { backoffMs: 1, maxBackoffMs: 2 };

describe('fetchVerified', () => {
  it('downloads from the first gateway, as a raw block, with progress up to the length', async () => {
    const g = scripted({ 'a.example': [ok()] });
    const progress: [number, number | undefined][] = [];
    const got = await fetchVerified(cid, {
      gateways: [A, B],
      fetch: g.fetch,
      onProgress: (p) => progress.push([p.loaded, p.total]),
    });
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(got).toMatchObject({ cid, gateway: A, failures: [] });
    expect(g.calls).toEqual([`${A}/ipfs/${cid}?format=raw`]);
    expect(new Headers(g.inits[0]!.headers).get('accept')).toBe('application/vnd.ipld.raw');
    expect(progress).toEqual([[bytes.length, bytes.length]]);
    expect(got.blockCount).toBe(1);
  });

  it('reports a gateway that sends wrong bytes and takes the next one, without retrying the liar', async () => {
    const g = scripted({ 'a.example': [ok(wrong)], 'b.example': [ok()] });
    const told: string[] = [];
    const got = await fetchVerified(cid, {
      gateways: [A, B],
      fetch: g.fetch,
      onFailure: (f) => told.push(f.message),
      ...fast,
    });
    expect(got.gateway).toBe(B);
    expect(g.calls.filter((u) => u.startsWith(A))).toHaveLength(1);
    const [mismatch] = got.failures as CidMismatchError[];
    expect(mismatch).toBeInstanceOf(CidMismatchError);
    expect(mismatch).toMatchObject({
      gateway: A,
      expected: cid,
      actual: await cidFromBytes(wrong),
      receivedBytes: wrong.length,
    });
    expect(told).toEqual([mismatch!.message]);
  });

  it('throws the CidMismatchError when no gateway had the right bytes, with every failure attached', async () => {
    const g = scripted({ 'a.example': [status(503)], 'b.example': [ok(wrong)] });
    const err = (await fetchVerified(cid, { gateways: [A, B], fetch: g.fetch, ...fast }).catch(
      (e: unknown) => e,
    )) as CidMismatchError;
    expect(err).toBeInstanceOf(CidMismatchError);
    expect(err.gateway).toBe(B);
    expect(err.failures.map((f) => f.code)).toEqual(['http', 'cid_mismatch']);
    expect(err.message).toMatch(
      new RegExp(
        `${B} served wrong content for ${cid}: the ${wrong.length} bytes it sent hash to ${await cidFromBytes(wrong)}`,
      ),
    );
  });

  it('retries network errors and 5xx on the same gateway with backoff, then succeeds', async () => {
    const g = scripted({ 'a.example': [new TypeError('fetch failed'), status(502), ok()] });
    const got = await fetchVerified(cid, { gateways: [A], fetch: g.fetch, retries: 2, ...fast });
    expect(got.gateway).toBe(A);
    expect(g.calls).toHaveLength(3);
  });

  it('gives up on a gateway after its retries and moves on; 404 and other 4xx are not retried', async () => {
    const g = scripted({ 'a.example': [status(500, '{"error":"disk on fire"}')], 'b.example': [status(404)] });
    const err = (await fetchVerified(cid, { gateways: [A, B], fetch: g.fetch, retries: 3, ...fast }).catch(
      (e: unknown) => e,
    )) as CasFetchError;
    expect(err).toBeInstanceOf(CasFetchError);
    expect(err.code).toBe('fetch_failed');
    expect(g.calls.filter((u) => u.startsWith(A))).toHaveLength(4);
    expect(g.calls.filter((u) => u.startsWith(B))).toHaveLength(1);
    expect(err.failures.map((f) => (f as CasHttpError).status)).toEqual([500, 404]);
    expect(err.message).toContain('disk on fire');
  });

  it('says not found when every gateway answered 404', async () => {
    const g = scripted({ 'a.example': [status(404)], 'b.example': [status(404)] });
    const err = await fetchVerified(cid, { gateways: [A, B], fetch: g.fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobNotFoundError);
    expect((err as BlobNotFoundError).message).toMatch(`No gateway has ${cid}`);
  });

  it('honours Retry-After on 429 (capped by maxBackoffMs)', async () => {
    const g = scripted({ 'a.example': [status(429, '', { 'retry-after': '0' }), ok()] });
    const got = await fetchVerified(cid, { gateways: [A], fetch: g.fetch, ...fast });
    expect(got.gateway).toBe(A);
    expect(g.calls).toHaveLength(2);
  });

  it('refuses a body over the cap: announced by Content-Length, or counted while streaming', async () => {
    const announced = scripted({ 'a.example': [ok(bytes)] });
    const e1 = (await fetchVerified(cid, { gateways: [A], fetch: announced.fetch, maxBytes: 10 }).catch(
      (e: unknown) => e,
    )) as CasFetchError;
    expect(e1.failures[0]).toBeInstanceOf(BlobTooLargeError);
    expect(e1.failures[0]).toMatchObject({ limit: 10, seen: bytes.length });

    let pulled = 0;
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(c) {
            pulled++;
            c.enqueue(new Uint8Array(1000));
          },
        }),
      );
    const streamed = scripted({ 'a.example': [endless] });
    const e2 = (await fetchVerified(cid, { gateways: [A], fetch: streamed.fetch, maxBytes: 5000 }).catch(
      (e: unknown) => e,
    )) as CasFetchError;
    expect(e2.failures[0]).toBeInstanceOf(BlobTooLargeError);
    expect((e2.failures[0] as BlobTooLargeError).seen).toBe(6000);
    expect(pulled).toBeLessThan(10);
    // Too large is not retried.
    expect(streamed.calls).toHaveLength(1);
  });

  it('gives up on a stalled gateway and tries the next', async () => {
    const stuck = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(bytes.slice(0, 3));
          },
        }),
      );
    const g = scripted({ 'a.example': [stuck], 'b.example': [ok()] });
    const got = await fetchVerified(cid, { gateways: [A, B], fetch: wrapSignal(g.fetch), stallMs: 50, retries: 0 });
    expect(got.gateway).toBe(B);
    expect(got.failures[0]).toBeInstanceOf(CasNetworkError);
    expect(got.failures[0]!.message).toMatch(/no data for 50 ms/);
  });

  it("stops at once when the caller aborts, with the caller's reason, trying no other gateway", async () => {
    const controller = new AbortController();
    const g = scripted({
      'a.example': [
        () => {
          controller.abort(new Error('user cancelled'));
          return new TypeError('aborted');
        },
      ],
      'b.example': [ok()],
    });
    const err = await fetchVerified(cid, { gateways: [A, B], fetch: g.fetch, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe('user cancelled');
    expect(g.calls).toHaveLength(1);
  });

  it('rejects a bad CID or no gateways before any request', async () => {
    const g = scripted({});
    await expect(
      fetchVerified('QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n', { gateways: [A], fetch: g.fetch }),
    ).rejects.toBeInstanceOf(InvalidCidError);
    await expect(fetchVerified(cid, { gateways: [], fetch: g.fetch })).rejects.toBeInstanceOf(CasConfigError);
    expect(g.calls).toEqual([]);
  });

  it('accepts the empty blob when its CID says so', async () => {
    const empty = new Uint8Array(0);
    const emptyCid = await cidFromBytes(empty);
    expect(createHash('sha256').update(empty).digest('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const g = scripted({ 'a.example': [ok(empty)] });
    expect((await fetchVerified(emptyCid, { gateways: [A], fetch: g.fetch })).bytes.length).toBe(0);
  });
});

/** Makes a scripted body honour the request's AbortSignal, as a real fetch does. */
function wrapSignal(inner: FetchFn): FetchFn {
  return async (url, init) => {
    const res = await inner(url, init);
    const signal = init?.signal;
    if (!res.body || !signal) return res;
    const reader = res.body.getReader();
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(c) {
          const aborted = new Promise<never>((_, reject) => {
            if (signal.aborted) reject(signal.reason);
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          });
          const r = await Promise.race([reader.read(), aborted]);
          if (r.done) c.close();
          else c.enqueue(r.value);
        },
      }),
      { status: res.status, headers: res.headers },
    );
  };
}

describe('gatewayUrl', () => {
  it('builds path-gateway URLs and fills templates', () => {
    expect(gatewayUrl('https://ipfs.io', cid)).toBe(`https://ipfs.io/ipfs/${cid}?format=raw`);
    expect(gatewayUrl('https://ipfs.io/', cid)).toBe(`https://ipfs.io/ipfs/${cid}?format=raw`);
    expect(gatewayUrl('https://ipfs.io/ipfs/', cid)).toBe(`https://ipfs.io/ipfs/${cid}?format=raw`);
    expect(gatewayUrl('http://127.0.0.1:8546', cid)).toBe(`http://127.0.0.1:8546/ipfs/${cid}?format=raw`);
    expect(gatewayUrl('https://{cid}.ipfs.dweb.link/?format=raw', cid)).toBe(
      `https://${cid}.ipfs.dweb.link/?format=raw`,
    );
  });
});

describe('retry timing', () => {
  it('doubles from backoffMs up to the cap and honours Retry-After within it', () => {
    const t = { backoffMs: 500, maxBackoffMs: 4000 };
    expect([0, 1, 2, 3, 4].map((i) => backoffDelay(i, t))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(backoffDelay(0, t, 3000)).toBe(3000);
    expect(backoffDelay(0, t, 60_000)).toBe(4000);
  });

  it('reads Retry-After as seconds or a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
