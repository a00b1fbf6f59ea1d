// Content by its on-chain sha256 (and, for files larger than one chunk, the root the chain
// publishes next to it: src/lib/storage/unixfs/ref.ts), through the artifact store's client
// (src/lib/storage/cas: gateways in order, retries, size cap, every block and the whole file
// hash-checked). Kept apart from the parsers (content.ts) so the shell can hand pages a fetcher
// without loading them.
import type { Hex } from 'viem';
import { fetchVerified } from '../../storage/cas/fetch.ts';
import { cidOfRef } from '../../storage/unixfs/ref.ts';

/** Bytes whose sha256 is `hash`, from wherever (`root` locates files of several chunks); must check the hash. */
export type ContentFetcher = (hash: Hex, root?: Hex) => Promise<Uint8Array>;

/** The CID of on-chain content: the raw CID of `hash`, or the UnixFS root `root` names. */
export const cidOf = (hash: Hex, root?: Hex): string => cidOfRef({ hash, ...(root ? { root } : {}) }).toString();

/** A link for people: `<gateway>/ipfs/<cid>`, or the gateway with `{cid}` filled in. */
export function contentUrl(gateway: string, hash: Hex, root?: Hex): string {
  const cid = cidOf(hash, root);
  if (gateway.includes('{cid}')) return gateway.replaceAll('{cid}', cid);
  const base = gateway.replace(/\/+$/, '');
  return `${base.endsWith('/ipfs') ? base : `${base}/ipfs`}/${cid}`;
}

/**
 * Fetches through the gateways in order. Fails with the store client's errors
 * (CidMismatchError when a gateway sent other bytes and none the right ones, BlobNotFoundError,
 * CasFetchError, ContentMismatchError when the root leads to another file), whose messages name
 * every gateway tried.
 */
export function gatewayFetcher(
  gateways: readonly string[],
  options: { fetch?: typeof fetch; retries?: number } = {},
): ContentFetcher {
  return async (hash, root) => (await fetchVerified(cidOf(hash, root), { gateways, sha256: hash, ...options })).bytes;
}
