// A task's model spec and dataset manifests, fetched by their on-chain sha256 (gateway.ts) and
// parsed strictly.
import type { Hex } from 'viem';
import { parseManifestBytes } from '../../ml/data/manifest.ts';
import type { DatasetManifest } from '../../ml/data/types.ts';
import { parseModelSpecBytes } from '../../ml/spec/parse.ts';
import { specShapes, type SpecShapes } from '../../ml/spec/shapes.ts';
import type { ModelSpec } from '../../ml/spec/types.ts';
import type { ContentFetcher } from './gateway.ts';

export { cidOf, contentUrl, gatewayFetcher, type ContentFetcher } from './gateway.ts';

export interface ModelSpecView {
  spec: ModelSpec;
  shapes: SpecShapes;
}

/** The task's model spec, parsed strictly and with every layer's output shape worked out. */
export async function readModelSpec(fetcher: ContentFetcher, hash: Hex): Promise<ModelSpecView> {
  const { spec } = await parseModelSpecBytes(await fetcher(hash));
  return { spec, shapes: specShapes(spec) };
}

export async function readDatasetManifest(fetcher: ContentFetcher, hash: Hex): Promise<DatasetManifest> {
  const { manifest } = await parseManifestBytes(await fetcher(hash), hash.slice(2));
  return manifest;
}
