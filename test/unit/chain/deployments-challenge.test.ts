// The deployments record carries the challenge module and its verifier when the deployment has
// them, and still reads a record made before the module existed.
import { describe, expect, it } from 'vitest';
import { parseDeployment, serializeDeployment } from '../../../src/lib/chain/deployments.ts';

const base = {
  chainId: 31337,
  deployer: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  fromBlock: '3',
  contracts: {
    token: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    taskRegistry: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
    stakeManager: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
    submissionBook: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9',
    rewardEngine: '0xdc64a140aa3e981100a9beca4e685f962f0cf6c9',
  },
  config: { rejectQuorum: '10', minReviewPeriod: '10', initialSupply: '100', treasury: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266' },
};
const MODULE = '0x0165878a594ca255338adfa4d48449f69242eb8f';
const VERIFIER = '0xa513e6e4b8f2a923d98304ec87f64353c4d5c853';

describe('deployment record and the challenge module', () => {
  it('round-trips the module and verifier addresses, checksummed', () => {
    const text = JSON.stringify({ ...base, contracts: { ...base.contracts, challengeModule: MODULE, watermarkVerifier: VERIFIER } });
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
    expect(() => parseDeployment(text, 'deployments/31337.json')).toThrow('deployments/31337.json.contracts.challengeModule: must be an address');
  });
});
