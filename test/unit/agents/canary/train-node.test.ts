// Canary models from the real engine in Node (scripts/lib/canary/train.ts) on the digits spec:
// sealable watermarks of the pool account's own key, the drawn steps or a few more, and
// deterministic bytes (a restart that lost its state retrains a sealed model to reveal it).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Address, Hex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { poolWatermarkKey } from '../../../../src/lib/agents/canary/derive.ts';
import type { CanaryModelPort } from '../../../../src/lib/agents/canary/index.ts';
import { checkSubmission, hashArtifact } from '../../../../src/lib/agents/artifact-checks.ts';
import { parseModelSpecBytes } from '../../../../src/lib/ml/spec/parse.ts';
import { sha256Hex } from '../../../../src/lib/ml/hash.ts';
import { canaryTrainer } from '../../../../scripts/lib/canary/train.ts';

const publicDir = new URL('../../../../public/', import.meta.url);
const specBytes = new Uint8Array(readFileSync(new URL('specs/digits-mlp.json', publicDir)));
const trainDir = fileURLToPath(new URL('datasets/digits-train', publicDir));
const SECRET: Hex = `0x${'5a'.repeat(32)}`;
const SCOPE = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address, taskId: 1n };
const OWNER: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const OTHER: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

describe('canary models trained in Node', () => {
  let trainer: CanaryModelPort;
  beforeAll(async () => {
    const trainData =
      `0x${await sha256Hex(new Uint8Array(readFileSync(new URL('datasets/digits-train/manifest.json', publicDir))))}` as Hex;
    trainer = await canaryTrainer({ specBytes, trainDir, trainData });
  });

  it('trains a sealable model of the account, deterministically, and a valid artifact of the task', async () => {
    const key = poolWatermarkKey(SECRET, SCOPE, OWNER, 64, 128);
    const a = await trainer.train({ seed: 11, steps: 2, owner: OWNER, key });
    // Two steps rarely embed the watermark: training went on until it decodes with margin.
    expect(a.model.steps).toBeGreaterThanOrEqual(2);
    expect(a.model.wrong).toBeLessThanOrEqual(4);
    const again = await trainer.train({ seed: 11, steps: 2, owner: OWNER, key });
    expect(again.model).toEqual(a.model);
    expect([...again.artifact]).toEqual([...a.artifact]);
    const { spec, hash } = await parseModelSpecBytes(specBytes);
    const verdict = await checkSubmission(spec, hash, await hashArtifact(a.artifact), {
      artifactHash: a.model.artifactHash,
      wmCommit: a.model.wmCommit,
    });
    expect(verdict.ok).toBe(true);
    // Another account with its own key gets another model from the same seed.
    const b = await trainer.train({
      seed: 11,
      steps: 2,
      owner: OTHER,
      key: poolWatermarkKey(SECRET, SCOPE, OTHER, 64, 128),
    });
    expect(b.model.artifactHash).not.toBe(a.model.artifactHash);
    // More steps, another model; the drawn steps are kept when the watermark is already sealable.
    const long = await trainer.train({ seed: 11, steps: 40, owner: OWNER, key });
    expect(long.model.steps).toBe(40);
    expect(long.model.wrong).toBeLessThanOrEqual(4);
  });
});
