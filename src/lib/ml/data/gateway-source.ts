// A dataset that is not a folder but content-addressed blobs behind IPFS gateways: the manifest
// under the CID of the task's data hash, each shard under the CID of its sha256 (SPEC section 5).
// This is how a hidden final eval set revealed during a task reaches a validator's evaluator: it
// was never part of the app, only uploaded by the creator at the reveal. Every blob is checked
// against its CID by the store client before it is used.
import { cidFromDigest } from '../artifact/cid.ts';
import { fetchVerified } from '../../storage/cas/fetch.ts';
import type { FetchFn } from '../../storage/cas/http.ts';
import { parseManifestBytes } from './manifest.ts';
import type { DatasetSource } from './sources.ts';

export interface GatewaySourceOptions {
  /** The manifest's sha256 (bare or 0x hex): the dataset hash the chain names. */
  manifestHash: string;
  gateways: readonly string[];
  fetch?: FetchFn;
}

const cidOf = (sha256: string) => cidFromDigest(`0x${sha256.replace(/^0x/, '').toLowerCase()}`);

export function gatewaySource(o: GatewaySourceOptions): DatasetSource {
  const load = async (sha256: string) =>
    (await fetchVerified(cidOf(sha256), { gateways: o.gateways, ...(o.fetch ? { fetch: o.fetch } : {}) })).bytes;
  return {
    location: `IPFS gateways (${o.gateways.join(', ')})`,
    get: (sha256) => load(sha256),
    async manifest(expectedHash) {
      return parseManifestBytes(await load(o.manifestHash), expectedHash ?? o.manifestHash.replace(/^0x/, ''));
    },
  };
}
