// The specs of docs/bench/train.md's budget table (scripts/data/solidity-gpt-*.json) change one
// thing each against the demo spec; the table compares them step for step, so each must parse,
// train the same tokens a step with the same optimizer and watermark, and have the size it states.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';

const load = async (p: string) => (await parseModelSpecBytes(readFileSync(p))).spec;

describe('budget-table specs', async () => {
  const demo = await load('public/specs/solidity-gpt.json');
  const cases = [
    { file: 'scripts/data/solidity-gpt-deep.json', params: 842_752, blocks: 4, context: 128 },
    { file: 'scripts/data/solidity-gpt-dropout.json', params: 446_208, blocks: 2, context: 128 },
    { file: 'scripts/data/solidity-gpt-256.json', params: 462_592, blocks: 2, context: 256 },
  ];

  it('the demo spec is the baseline: 446,208 parameters, 4,096 tokens a step', () => {
    expect(specShapes(demo).paramCount).toBe(446_208);
    expect(demo.input.shape[0]! * demo.optimizer.batchSize).toBe(4096);
  });

  for (const c of cases)
    it(`${c.file}: ${c.blocks} blocks, context ${c.context}, ${c.params} parameters, the demo's training`, async () => {
      const s = await load(c.file);
      expect(specShapes(s).paramCount).toBe(c.params);
      expect(s.layers.filter((l) => l.type === 'transformerBlock')).toHaveLength(c.blocks);
      expect(s.input.shape).toEqual([c.context]);
      expect(s.input.shape[0]! * s.optimizer.batchSize).toBe(4096);
      expect({ ...s.optimizer, batchSize: 0 }).toEqual({ ...demo.optimizer, batchSize: 0 });
      expect(s.watermark).toEqual(demo.watermark);
      expect(s.metric).toEqual(demo.metric);
      expect(s.output).toEqual(demo.output);
    });
});
