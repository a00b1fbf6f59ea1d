import { readFileSync } from 'node:fs';
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { DEMO_FILES, demoHashes, newFinalEvalSecret, sha256Hex } from '../../../scripts/lib/demo-content.ts';
import { DEMO_EVAL_SUBSET_SIZE, demoDeposit, demoTaskParams } from '../../../scripts/lib/demo-task.ts';
import { checkTaskParams } from '../../../src/lib/chain/actions/task-params.ts';
import { DEV_ACCOUNT_NAMES } from '../../../src/lib/app-logic/dev-names.ts';
import { finalEvalCommitment } from '../../../src/lib/chain/commitments.ts';
import { parseManifestBytes } from '../../../src/lib/ml/data/manifest.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';

describe('demoTaskParams', () => {
  const hashes = demoHashes();
  const p = demoTaskParams({
    now: 1_000n,
    epochSeconds: 240,
    reviewSeconds: 45,
    hashes,
    finalEvalCommit: `0x${'11'.repeat(32)}`,
  });

  it('starts soon after a short review, with 3 + 1 + 1 epochs', () => {
    expect(p.reviewPeriod).toBe(45);
    expect(p.startTime).toBe(1_055n);
    expect(p.epochLength).toBe(240);
    expect([p.submissionEpochs, p.finalEpochs, p.challengeEpochs]).toEqual([3, 1, 1]);
  });

  it('uses the SPEC default windows and reward parameters', () => {
    expect([p.sealEnd, p.revealEnd, p.commitEnd, p.finalCommitEnd]).toEqual([5000, 6000, 8500, 7000]);
    expect(p.reward).toMatchObject({
      gamma: parseEther('0.7'),
      q: parseEther('0.85'),
      alphaT: parseEther('1'),
      alphaV: parseEther('1'),
      lambdaV: parseEther('20'),
    });
    expect(p.reward).toMatchObject({ minScore: 0n, floorBps: 5000, minValidators: 3 });
    expect(() =>
      checkTaskParams({
        ...p,
        reward: { ...p.reward },
        stakeRules: { ...p.stakeRules },
        challenge: { ...p.challenge },
      }),
    ).not.toThrow();
  });

  it('needs no more validators than the local stack has, and scores a proper subset of the digits eval set', () => {
    const validators = DEV_ACCOUNT_NAMES.filter((name) => name.startsWith('Validator '));
    expect(validators).toEqual(['Validator A', 'Validator B', 'Validator C']);
    expect(p.reward.minValidators).toBeLessThanOrEqual(validators.length);
    expect(p.evalSubsetSize).toBe(DEMO_EVAL_SUBSET_SIZE);
    expect(p.evalSubsetSize).toBeGreaterThan(0);
    expect(p.evalSubsetSize).toBeLessThan(250);
  });

  it('passes the contract checks on stakes and challenges', () => {
    expect(p.stakeRules.minTrainerStake).toBeGreaterThanOrEqual(parseEther('1'));
    expect(p.stakeRules.minValidatorStake).toBeGreaterThanOrEqual(parseEther('1'));
    expect(p.stakeRules.maxTrainers).toBeLessThanOrEqual(256);
    expect(p.stakeRules.maxValidators).toBeLessThanOrEqual(512);
    expect(p.stakeRules.sigmaCooldown).toBeGreaterThan(0);
    expect(p.challenge.slashBps).toBeLessThanOrEqual(10_000);
    expect(p.challenge.responseTime).toBe(240);
    // No farmable bond: at most what a trainer at the minimum stake loses by the slash (2 ARENA).
    expect(p.challenge.bond).toBe(parseEther('2'));
    expect(p.challenge.bond * 10_000n).toBeLessThanOrEqual(p.stakeRules.minTrainerStake * BigInt(p.challenge.slashBps));
  });

  it('deposits the reward of the four scoring epochs', () => {
    expect(p.rewardPerEpoch).toBe(parseEther('1000'));
    expect(demoDeposit()).toBe(parseEther('4000'));
  });

  it('hashes the published spec and the digits dataset manifests', async () => {
    expect(p.modelSpec).toBe(sha256Hex(readFileSync(DEMO_FILES.modelSpec)));
    expect(p.trainData).toBe(sha256Hex(readFileSync(DEMO_FILES.trainData)));
    expect(p.evalData).toBe(sha256Hex(readFileSync(DEMO_FILES.evalData)));
    expect(p.trainData).not.toBe(p.evalData);
    const { spec, hash } = await parseModelSpecBytes(readFileSync(DEMO_FILES.modelSpec));
    expect(`0x${hash}`).toBe(p.modelSpec);
    expect(spec.input.shape).toEqual([8, 8, 1]);
    expect(spec.output.classes).toBe(10);
    const train = await parseManifestBytes(readFileSync(DEMO_FILES.trainData), p.trainData.slice(2));
    const evalSet = await parseManifestBytes(readFileSync(DEMO_FILES.evalData), p.evalData.slice(2));
    expect([train.manifest.name, train.manifest.samples]).toEqual(['digits-train', 1297]);
    expect([evalSet.manifest.name, evalSet.manifest.samples]).toEqual(['digits-eval', 250]);
    expect('features' in train.manifest && train.manifest.features.shape).toEqual(spec.input.shape);
  });
});

describe('newFinalEvalSecret', () => {
  it('commits to the hidden digits set with a fresh salt', async () => {
    const a = newFinalEvalSecret();
    const b = newFinalEvalSecret();
    expect(a.finalEvalHash).toBe(sha256Hex(readFileSync(DEMO_FILES.finalEval)));
    expect(a.finalEvalHash).toBe(sha256Hex(a.manifest));
    expect(a.dataset).toBe('datasets/hidden/digits-final');
    const { manifest } = await parseManifestBytes(readFileSync(DEMO_FILES.finalEval));
    expect([manifest.name, manifest.samples]).toEqual(['digits-final', 250]);
    expect(a.commit).toBe(finalEvalCommitment(a.finalEvalHash, a.salt));
    expect(a.salt).toMatch(/^0x[0-9a-f]{64}$/);
    expect(b.salt).not.toBe(a.salt);
    expect(b.finalEvalHash).toBe(a.finalEvalHash);
    expect(b.commit).not.toBe(a.commit);
  });
});
