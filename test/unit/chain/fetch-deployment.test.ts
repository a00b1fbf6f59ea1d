import { describe, expect, it } from 'vitest';
import { DeploymentUnavailable, fetchDeployment } from '../../../src/lib/chain/fetch-deployment.ts';

const VALID = JSON.stringify({
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
});

const answer = (status: number, body = '') => (async () => new Response(body, { status })) as unknown as typeof fetch;

async function reason(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DeploymentUnavailable);
  return (e as DeploymentUnavailable).reason;
}

describe('fetchDeployment', () => {
  it('parses a served deployments file', async () => {
    const d = await fetchDeployment('/deployments/31337.json', answer(200, VALID));
    expect(d.chainId).toBe(31337);
    expect(d.fromBlock).toBe(3n);
    expect(d.contracts.token).toBe('0x5FbDB2315678afecb367f032d93F642f64180aa3');
  });

  it('tells a missing file from an unreachable server and a malformed file', async () => {
    expect(await reason(fetchDeployment('/d.json', answer(404)))).toBe('missing');
    expect(await reason(fetchDeployment('/d.json', answer(502)))).toBe('unreachable');
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    expect(await reason(fetchDeployment('/d.json', down))).toBe('unreachable');
    // An SPA fallback answering HTML must not pass for a deployment.
    expect(await reason(fetchDeployment('/d.json', answer(200, '<!doctype html>')))).toBe('malformed');
  });
});
