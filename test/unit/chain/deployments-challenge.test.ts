// The deployments record carries the challenge module and its verifier when the deployment has
// them, and still reads a record made before the module existed.
import { describe, expect, it } from 'vitest';
import { parseDeployment, serializeDeployment } from '../../../src/lib/chain/deployments.ts';
import { DEPLOYMENT_RECORD as base } from './fixtures.ts';

const MODULE = '0x0165878a594ca255338adfa4d48449f69242eb8f';
const VERIFIER = '0xa513e6e4b8f2a923d98304ec87f64353c4d5c853';

describe('deployment record and the challenge module', () => {
  it('round-trips the module and verifier addresses, checksummed', () => {
    const text = JSON.stringify({
      ...base,
      contracts: { ...base.contracts, challengeModule: MODULE, watermarkVerifier: VERIFIER },
    });
    const d = parseDeployment(text);
    expect(d.contracts.challengeModule).toBe('0x0165878A594ca255338adfa4d48449f69242Eb8F');
    expect(d.contracts.watermarkVerifier).toBe('0xa513E6E4b8f2a923D98304ec87F64353C4D5C853');
    expect(parseDeployment(serializeDeployment(d))).toEqual(d);
  });

  it('reads a record without them, and writes none back', () => {
    const d = parseDeployment(JSON.stringify(base));
    expect('challengeModule' in d.contracts).toBe(false);
    expect('watermarkVerifier' in d.contracts).toBe(false);
    expect(serializeDeployment(d)).not.toContain('challengeModule');
  });

  it('names a malformed module address', () => {
    const text = JSON.stringify({ ...base, contracts: { ...base.contracts, challengeModule: '0x1234' } });
    expect(() => parseDeployment(text, 'deployments/31337.json')).toThrow(
      'deployments/31337.json.contracts.challengeModule: must be an address',
    );
  });
});
