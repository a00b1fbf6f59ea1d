import { describe, expect, it } from 'vitest';
import { DeploymentUnavailable, fetchDeployment } from '../../../src/lib/chain/fetch-deployment.ts';
import { DEPLOYMENT_RECORD } from './fixtures.ts';

const VALID = JSON.stringify(DEPLOYMENT_RECORD);

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
