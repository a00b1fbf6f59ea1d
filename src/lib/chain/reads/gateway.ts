// Content by its on-chain sha256, through the artifact store's client (src/lib/storage/cas:
// gateways in order, retries, size cap, every byte hash-checked). Kept apart from the parsers
// (content.ts) so the shell can hand pages a fetcher without loading them.
import type { Hex } from 'viem';
import { cidFromDigest } from '../../ml/artifact/cid.ts';
import { fetchVerified } from '../../storage/cas/fetch.ts';

/** Bytes whose sha256 is `hash`, from wherever; must check the hash. */
export type ContentFetcher = (hash: Hex) => Promise<Uint8Array>;

/** The CIDv1 (raw, sha2-256) of an on-chain content hash. */
export const cidOf = (hash: Hex): string => cidFromDigest(hash);

/** A link for people: `<gateway>/ipfs/<cid>`, or the gateway with `{cid}` filled in. */
export function contentUrl(gateway: string, hash: Hex): string {
  const cid = cidOf(hash);
  if (gateway.includes('{cid}')) return gateway.replaceAll('{cid}', cid);
  const base = gateway.replace(/\/+$/, '');
  return `${base.endsWith('/ipfs') ? base : `${base}/ipfs`}/${cid}`;
}

/**
 * Fetches through the gateways in order. Fails with the store client's errors
 * (CidMismatchError when a gateway sent other bytes and none the right ones, BlobNotFoundError,
 * CasFetchError), whose messages name every gateway tried.
 */
export function gatewayFetcher(
  gateways: readonly string[],
  options: { fetch?: typeof fetch; retries?: number } = {},
): ContentFetcher {
  return async (hash) => (await fetchVerified(cidOf(hash), { gateways, ...options })).bytes;
}
