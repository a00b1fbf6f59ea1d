// TrainingData.positionAt (docs/transcript.md section 6): a segment opens its epoch at the
// position of its first step without reading the batches before it; the batches that follow are
// those of a reader that started at the epoch's beginning.
import { describe, expect, it } from 'vitest';
import { datasetData } from '../../../../src/lib/ml/train/dataset.ts';
import { memoryData, type TrainingData } from '../../../../src/lib/ml/train/data.ts';
import { makeDataset, recordingSource } from '../data/fixtures.ts';

async function firstFeatures(data: TrainingData, epoch: number, batch: number, skip: number, take: number) {
  const all: number[][] = [];
  const from = await data.openEpoch(epoch, batch);
  for (let i = 0; i < skip + take; i++) {
    const b = await from.next();
    if (b === null) break;
    all.push(Array.from(b.features.filter((_, k) => k % 3 === 0)));
  }
  from.close();
  const at = await data.openEpoch(epoch, batch, data.positionAt!(epoch, skip * batch));
  const got: number[][] = [];
  for (let i = 0; i < take; i++) {
    const b = await at.next();
    if (b === null) break;
    got.push(Array.from(b.features.filter((_, k) => k % 3 === 0)));
  }
  at.close();
  return { want: all.slice(skip), got };
}

describe('positionAt', () => {
  it('a shuffled multi-shard dataset continues at any batch, across shard boundaries', async () => {
    const { manifest, blobs } = await makeDataset([7, 5, 9, 4]);
    const data = datasetData(manifest, recordingSource(blobs), { seed: '0xabc' });
    for (const [epoch, skip] of [
      [0, 0],
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 8],
    ] as const) {
      const { want, got } = await firstFeatures(data, epoch, 3, skip, 3);
      expect(got, `epoch ${epoch} skip ${skip}`).toEqual(want);
      expect(got.length).toBeGreaterThan(0);
    }
    expect(data.positionAt!(0, 25)).toEqual({ shard: 4, offset: 0 });
    expect(() => data.positionAt!(0, 26)).toThrow(/sample offset must be in 0..25/);
  });

  it('memory data', async () => {
    const features = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 3));
    const data = memoryData(features, new Int32Array(10), 3, { seed: 4 });
    const { want, got } = await firstFeatures(data, 1, 2, 2, 3);
    expect(got).toEqual(want);
    expect(() => data.positionAt!(0, 11)).toThrow(/sample offset must be in 0..10/);
  });
});
