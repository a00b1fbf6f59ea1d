// The Create page's check that a task's spec is provable with the deployed circuit: the published
// specs fit; each field that breaks the fit is named.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../../../scripts/zk/sources.ts';
import { parseModelSpec } from '../../../src/lib/ml/spec/parse.ts';
import type { ModelSpec } from '../../../src/lib/ml/spec/types.ts';
import { circuitFitProblem } from '../../../src/lib/zk/spec-fit.ts';

const specJson = (name: string) =>
  JSON.parse(readFileSync(join(REPO_ROOT, 'public', 'specs', `${name}.json`), 'utf8')) as Record<string, unknown>;
const published = ['digits-mlp', 'fashion-mlp', 'fashion-cnn'];

/** A published spec with its watermark changed, parsed (so it is a spec the engine accepts). */
function variant(change: (wm: Record<string, unknown>) => void): ModelSpec {
  const json = specJson('fashion-mlp');
  change(json.watermark as Record<string, unknown>);
  return parseModelSpec(json);
}

describe('circuitFitProblem', () => {
  test.each(published)('%s fits the production circuit and the module tolerance 8', (name) => {
    expect(circuitFitProblem(parseModelSpec(specJson(name)), { challengeMaxErr: 8 })).toBeNull();
  });

  test('a spec without a watermark cannot be defended', () => {
    const json = specJson('digits-mlp');
    delete json.watermark;
    expect(circuitFitProblem(parseModelSpec(json))).toMatchObject({
      field: 'watermark',
      reason: expect.stringContaining('is required'),
    });
  });

  test('T, N and WB other than the circuit are named by field', () => {
    // Each of these still packs into 128-bit limbs, so the spec parser accepts it; only the circuit does not.
    expect(circuitFitProblem(variant((wm) => (wm.bits = 32)))).toEqual({
      field: 'watermark.bits',
      reason: expect.stringMatching(/must be 64 .*got 32$/),
    });
    expect(circuitFitProblem(variant((wm) => (wm.length = 64)))).toEqual({
      field: 'watermark.length',
      reason: expect.stringMatching(/must be 128 .*got 64$/),
    });
    expect(circuitFitProblem(variant((wm) => (wm.quantization = { bits: 12, scale: 4096 })))).toEqual({
      field: 'watermark.quantization.bits',
      reason: expect.stringMatching(/must be 16 .*got 12$/),
    });
  });

  test('the tolerance may not exceed what the ChallengeModule accepts, once it is known', () => {
    const loose = variant((wm) => (wm.maxErr = 12));
    expect(circuitFitProblem(loose)).toBeNull();
    expect(circuitFitProblem(loose, { challengeMaxErr: null })).toBeNull();
    expect(circuitFitProblem(loose, { challengeMaxErr: 12 })).toBeNull();
    expect(circuitFitProblem(loose, { challengeMaxErr: 8 })).toEqual({
      field: 'watermark.maxErr',
      reason: 'must be at most 8, the wrong bits the ChallengeModule accepts in a proof, got 12',
    });
  });

  test('another circuit instance can be checked against', () => {
    const spec = parseModelSpec(specJson('digits-mlp'));
    expect(circuitFitProblem(spec, { shape: { T: 64, N: 128, WB: 16 } })).toBeNull();
    expect(circuitFitProblem(spec, { shape: { T: 16, N: 32, WB: 16 } })?.field).toBe('watermark.bits');
  });
});
