// Datasets picked as files on the Create page, with the real published digits sets: hashed,
// manifest checked field by field, shards present and decodable, extras ignored, fit to the spec.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkDatasetFiles,
  datasetMismatch,
  DatasetFilesError,
  type PickedFile,
} from '../../../src/lib/app-logic/dataset-files.ts';
import { parseModelSpec } from '../../../src/lib/ml/spec/parse.ts';

const root = new URL('../../../', import.meta.url).pathname;
const folder = (name: string): PickedFile[] => {
  const dir = join(root, 'public', 'datasets', name);
  return readdirSync(dir).map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
};
const README_HASHES: Record<string, string> = {
  'digits-train': '2e099302936b1ec5973c181d53c0d2fff15c905756865641a9648b76a11dcf24',
  'digits-eval': 'a39e09dbfd9810b2dc57ff7666b8f99f3c1c01cec1b1491f77cb29ec70684c88',
};

async function refusal(files: PickedFile[]): Promise<string> {
  try {
    await checkDatasetFiles(files);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetFilesError);
    return (e as Error).message;
  }
  return 'accepted';
}

describe('dataset files', () => {
  it('accepts a published set: the hash is the manifest’s sha256, shards in manifest order', async () => {
    for (const name of Object.keys(README_HASHES)) {
      const files = folder(name);
      const ds = await checkDatasetFiles([...files].reverse());
      expect(ds.hash).toBe(`0x${README_HASHES[name]}`);
      expect(ds.shards.map((s) => s.sha256)).toEqual(ds.manifest.shards.map((s) => s.sha256));
      expect(ds.totalBytes).toBe(files.reduce((n, f) => n + f.bytes.length, 0));
      expect(ds.ignored).toEqual([]);
    }
  });

  it('ignores files that are not part of the set, and says so', async () => {
    const extra = folder('digits-eval').filter((f) => f.name.endsWith('.bin'));
    const ds = await checkDatasetFiles([...folder('digits-train'), ...extra]);
    expect(ds.ignored).toEqual(extra.map((f) => f.name));
  });

  it('refuses a missing or altered shard, a second manifest, no manifest, no files', async () => {
    const files = folder('digits-train');
    const manifest = files.find((f) => f.name === 'manifest.json')!;
    const shard = files.find((f) => f.name.endsWith('.bin'))!;
    expect(await refusal([manifest])).toMatch(
      /^1 of the 1 shards named by the manifest is missing among the files \(b1611012edb2…\)/,
    );
    const altered = new Uint8Array(shard.bytes);
    altered[100] = altered[100]! ^ 1;
    expect(await refusal([manifest, { name: shard.name, bytes: altered }])).toMatch(
      /missing.*A file whose contents changed counts as missing/,
    );
    expect(await refusal([...files, { name: 'other.json', bytes: manifest.bytes }])).toMatch(
      /More than one JSON file was picked \(manifest.json, other.json\)/,
    );
    expect(await refusal([shard])).toMatch(/No manifest among the files/);
    expect(await refusal([])).toMatch(/No files were chosen/);
  });

  it('names the manifest field that is wrong', async () => {
    const files = folder('digits-train');
    const manifest = files.find((f) => f.name === 'manifest.json')!;
    const json = JSON.parse(new TextDecoder().decode(manifest.bytes)) as {
      samples: number;
      labels: { classes: number };
    };
    json.samples += 1;
    const bad = { name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(json)) };
    expect(await refusal([bad, ...files.filter((f) => f !== manifest)])).toMatch(
      /^manifest.json is not a valid dataset manifest: samples: is 1298 but the shards hold 1297/,
    );
    expect(await refusal([{ name: 'manifest.json', bytes: new TextEncoder().encode('{not json') }])).toMatch(
      /not a valid dataset manifest/,
    );
  });

  it('refuses a shard that does not decode as the manifest says', async () => {
    const files = folder('digits-train');
    const manifest = files.find((f) => f.name === 'manifest.json')!;
    const json = JSON.parse(new TextDecoder().decode(manifest.bytes)) as { shards: { bytes: number }[] };
    json.shards[0]!.bytes += 1;
    const bad = { name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(json)) };
    expect(await refusal([bad, ...files.filter((f) => f !== manifest)])).toMatch(
      /\.bin does not decode as the manifest describes it: is \d+ bytes, the manifest says \d+/,
    );
  });

  it('checks the root CID a manifest gives a shard over one chunk', async () => {
    const files = folder('fashion-mnist-eval');
    const manifest = files.find((f) => f.name === 'manifest.json')!;
    const ds = await checkDatasetFiles(files);
    expect(ds.manifest.shards[0]!.cid).toMatch(/^bafybei/);
    const json = JSON.parse(new TextDecoder().decode(manifest.bytes)) as { shards: { cid: string }[] };
    // Another real root (the zkey's): a valid CID, but not this shard's.
    json.shards[0]!.cid = 'bafybeic3k2klkukmmopahfhkukuktt75nraniq3sh3xixqxc2isgg65avi';
    const bad = { name: 'manifest.json', bytes: new TextEncoder().encode(JSON.stringify(json)) };
    expect(await refusal([bad, ...files.filter((f) => f !== manifest)])).toMatch(
      /is not the file the manifest's cid bafybeic3k2k\w+ names: its UnixFS root CID is bafybei\w+ \(ipfs add --cid-version=1 --raw-leaves --chunker=size-1048576/,
    );
  });

  it('tells when a dataset does not fit the model', async () => {
    const digits = await checkDatasetFiles(folder('digits-train'));
    const spec = (id: string) =>
      parseModelSpec(JSON.parse(readFileSync(join(root, 'public', 'specs', `${id}.json`), 'utf8')));
    expect(datasetMismatch(digits.manifest, spec('digits-mlp'))).toBeNull();
    expect(datasetMismatch(digits.manifest, spec('fashion-mlp'))).toBe(
      'Its samples are 8×8×1 but the model takes 28×28×1.',
    );
    expect(datasetMismatch({ ...digits.manifest, labels: { classes: 3 } }, spec('digits-mlp'))).toBe(
      'It has 3 classes but the model predicts 10.',
    );
    const tokens = { tokens: { vocab: 256, sequenceLength: 128, separator: 0 } };
    expect(datasetMismatch(tokens, spec('digits-mlp'))).toBe(
      'It holds sequences of 128 tokens (vocabulary 256) with next-token targets, but the model predicts one of 10 classes per sample.',
    );
  });

  it('fits the Solidity token sets to the solidity-gpt template, and tells a next-token model what does not fit', async () => {
    const spec = (id: string) =>
      parseModelSpec(JSON.parse(readFileSync(join(root, 'public', 'specs', `${id}.json`), 'utf8')));
    const gpt = spec('solidity-gpt');
    // The template's sets and the hidden final set the creator picks as files.
    const hiddenDir = join(root, 'datasets', 'hidden', 'solidity-final');
    const hidden = readdirSync(hiddenDir).map((f) => ({
      name: f,
      bytes: new Uint8Array(readFileSync(join(hiddenDir, f))),
    }));
    for (const files of [folder('solidity-train'), folder('solidity-eval'), hidden]) {
      const ds = await checkDatasetFiles(files);
      expect('tokens' in ds.manifest).toBe(true);
      expect(datasetMismatch(ds.manifest, gpt)).toBeNull();
      expect(datasetMismatch(ds.manifest, spec('digits-mlp'))).toMatch(/^It holds sequences of 128 tokens/);
    }
    const digits = await checkDatasetFiles(folder('digits-train'));
    expect(datasetMismatch(digits.manifest, gpt)).toBe(
      'It holds samples of 8×8×1 with one of 10 classes each, but the model predicts the next of 256 tokens at every position of a sequence.',
    );
    const layout = (sequenceLength: number, vocab: number) => ({ tokens: { vocab, sequenceLength, separator: 0 } });
    expect(datasetMismatch(layout(64, 256), gpt)).toBe('Its sequences are 64 tokens long but the model reads 128.');
    expect(datasetMismatch(layout(128, 512), gpt)).toBe('Its vocabulary has 512 tokens but the model predicts 256.');
  });
});
