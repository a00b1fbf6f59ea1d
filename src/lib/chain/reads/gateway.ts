// Content by its on-chain sha256 from IPFS-style gateways (`<gateway>/ipfs/<cid>`), hash-checked
// before use, so any gateway will do. Kept apart from the parsers (content.ts) so the shell can
// hand pages a fetcher without loading them.
import type { Hex } from 'viem';
import { cidFromDigest } from '../../ml/artifact/cid.ts';
import { sha256Hex } from '../../ml/hash.ts';

/** Bytes whose sha256 is `hash`, from wherever; must check the hash. */
export type ContentFetcher = (hash: Hex) => Promise<Uint8Array>;

export class ContentUnavailable extends Error {
  readonly code = 'CONTENT_UNAVAILABLE';
  constructor(
    message: string,
    readonly tried: string[],
  ) {
    super(message);
    this.name = 'ContentUnavailable';
  }
}

/** The CIDv1 (raw, sha2-256) of an on-chain content hash. */
export const cidOf = (hash: Hex): string => cidFromDigest(hash);

/** `<gateway>/ipfs/<cid>`, or the gateway with `{cid}` filled in when it is a template. */
export function contentUrl(gateway: string, hash: Hex): string {
  const cid = cidOf(hash);
  if (gateway.includes('{cid}')) return gateway.replaceAll('{cid}', cid);
  const base = gateway.replace(/\/+$/, '');
  return `${base.endsWith('/ipfs') ? base : `${base}/ipfs`}/${cid}`;
}

/** Tries each gateway in turn; the first answer whose bytes hash to `hash` wins. */
export function gatewayFetcher(gateways: readonly string[], fetchFn: typeof fetch = (...a) => fetch(...a)): ContentFetcher {
  return async (hash) => {
    const tried: string[] = [];
    for (const gateway of gateways) {
      // Trustless gateways answer raw bytes to ?format=raw (a query, not an Accept header: no
      // CORS preflight).
      const url = gateway.includes('{cid}') ? contentUrl(gateway, hash) : `${contentUrl(gateway, hash)}?format=raw`;
      try {
        const res = await fetchFn(url);
        if (!res.ok) {
          tried.push(`${url}: HTTP ${res.status}`);
          continue;
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        const got = `0x${await sha256Hex(bytes)}`;
        if (got !== hash.toLowerCase()) {
          tried.push(`${url}: the bytes hash to ${got}, not to the task's hash`);
          continue;
        }
        return bytes;
      } catch (e) {
        tried.push(`${url}: ${(e as Error).message}`);
      }
    }
    throw new ContentUnavailable(
      gateways.length === 0 ? 'no content gateway is configured' : `no gateway served ${cidOf(hash)} (${tried.join('; ')})`,
      tried,
    );
  };
}
