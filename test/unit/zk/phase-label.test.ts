// An imported phase 2 on the project's development ptau stays a development key: phase 1's tau
// alone lets its maker forge proofs, whatever the multi-party phase 2 did.
import { describe, expect, test } from 'vitest';
import { importedCeremony } from '../../../scripts/zk/phase-label.ts';

const base = {
  zkeyName: 'wo_final.zkey',
  contributions: 2,
  beacons: 1,
  ptauFile: 'powersOfTau28_hez_final_15.ptau',
  developmentPtau: null,
  standInPublicPtau: false,
};

describe('importedCeremony', () => {
  test('a multi-party phase 2 on a public ptau is a production key', () => {
    expect(importedCeremony(base)).toEqual({
      development: false,
      description:
        'imported phase 2 wo_final.zkey: 2 contributions and 1 beacon, verified against this circuit and powersOfTau28_hez_final_15.ptau',
    });
  });

  test('the same phase 2 on the development ptau stays a development key', () => {
    const r = importedCeremony({ ...base, ptauFile: 'stand_in_public_12.ptau', developmentPtau: 'arena_dev_12.ptau' });
    expect(r.development).toBe(true);
    expect(r.description).toBe(
      'imported phase 2 wo_final.zkey: 2 contributions and 1 beacon, verified against this circuit and stand_in_public_12.ptau; ' +
        'phase 1 is the development arena_dev_12.ptau (one party), NOT a public ceremony',
    );
  });

  test('only an explicit stand-in claim labels it production, and the label says so on chain', () => {
    const r = importedCeremony({
      ...base,
      contributions: 1,
      beacons: 0,
      developmentPtau: 'arena_dev_12.ptau',
      standInPublicPtau: true,
    });
    expect(r.development).toBe(false);
    expect(r.description).toBe(
      'imported phase 2 wo_final.zkey: 1 contribution, verified against this circuit and powersOfTau28_hez_final_15.ptau; ' +
        'phase 1 is the development arena_dev_12.ptau standing in for a public ceremony (tests only)',
    );
  });
});
