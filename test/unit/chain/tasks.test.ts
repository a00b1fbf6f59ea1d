import { getAddress, type Address } from 'viem';
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../../src/lib/chain/deployments.ts';
import { listTasks, phaseFromChain } from '../../../src/lib/chain/tasks.ts';
import { testSchedule } from './fixtures.ts';

const addr = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const deployment: Deployment = {
  chainId: 31337,
  deployer: addr(1),
  fromBlock: 0n,
  contracts: { token: addr(2), taskRegistry: addr(3), stakeManager: addr(4), submissionBook: addr(5), rewardEngine: addr(6) },
  config: { rejectQuorum: 1n, minReviewPeriod: 1n, initialSupply: 1n, treasury: addr(1) },
};

const schedule = (id: bigint) => testSchedule({ startTime: 1000n + id, reviewEnd: 900n, epochLength: 60 });

/** Answers reads like the contracts would for `count` tasks; task i has i trainers and 2i validators. */
function fakeClient(count: bigint) {
  const calls: string[] = [];
  return {
    calls,
    readContract: async (req: { address: Address; functionName: string; args?: readonly unknown[] }) => {
      const id = req.args?.[0] as bigint;
      calls.push(`${req.address === deployment.contracts.taskRegistry ? 'registry' : 'stakes'}.${req.functionName}(${id ?? ''})`);
      switch (req.functionName) {
        case 'taskCount':
          return count;
        case 'getTask':
          return { creator: addr(100 + Number(id)), schedule: schedule(id), rewardPerEpoch: id * 10n, modelSpec: `0x${'ab'.repeat(32)}` };
        case 'phase':
          return Number(id) % 7;
        case 'trainersOf':
          return Array.from({ length: Number(id) }, (_, i) => addr(200 + i));
        case 'validatorsOf':
          return Array.from({ length: 2 * Number(id) }, (_, i) => addr(300 + i));
      }
      throw new Error(`unexpected ${req.functionName}`);
    },
  };
}

describe('listTasks', () => {
  it('lists tasks newest first with counts and the chain phase', async () => {
    const client = fakeClient(3n);
    const tasks = await listTasks(client as never, deployment);
    expect(tasks.map((t) => t.id)).toEqual([3n, 2n, 1n]);
    expect(tasks[0]).toEqual({
      id: 3n,
      creator: addr(103),
      phase: 'Final',
      schedule: schedule(3n),
      rewardPerEpoch: 30n,
      modelSpec: `0x${'ab'.repeat(32)}`,
      trainers: 3,
      validators: 6,
    });
    expect(tasks[2]!.phase).toBe('Pending');
    expect(client.calls).toContain('stakes.validatorsOf(2)');
  });

  it('reads only the newest `limit` tasks', async () => {
    const client = fakeClient(10n);
    const tasks = await listTasks(client as never, deployment, 2);
    expect(tasks.map((t) => t.id)).toEqual([10n, 9n]);
    expect(client.calls.filter((c) => c.startsWith('registry.getTask'))).toHaveLength(2);
  });

  it('returns an empty list when there are no tasks', async () => {
    expect(await listTasks(fakeClient(0n) as never, deployment)).toEqual([]);
  });
});

describe('phaseFromChain', () => {
  it('maps the enum and rejects unknown values', () => {
    expect(phaseFromChain(0)).toBe('Review');
    expect(phaseFromChain(6)).toBe('Rejected');
    expect(() => phaseFromChain(7)).toThrow(/unknown task phase 7/);
  });
});
