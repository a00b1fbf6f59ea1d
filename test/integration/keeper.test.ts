// The local stack's keeper (scripts/lib/keeper.ts) on a real anvil: it finalizes an ended epoch
// through the app's own finalize action (src/lib/chain/actions/finalize.ts), logs what was
// booked, and leaves epochs that have not ended alone.
import { createWalletClient, getAddress, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTask, defaultTaskParams, fund, timeIn } from '../../scripts/lib/actions.ts';
import { ANVIL_KEY_0, launchArena, type Driver } from '../../scripts/lib/driver.ts';
import { startKeeper } from '../../scripts/lib/keeper.ts';
import { startKeeper as startLibKeeper, type KeeperEvent } from '../../src/lib/chain/keeper.ts';
import { rewardEngineAbi } from '../../src/lib/chain/abi.generated.ts';

const creator = getAddress('0x00000000000000000000000000000000000c4ea7');

async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('keeper', () => {
  let d: Driver;
  beforeAll(async () => {
    d = await launchArena();
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('finalizes an ended epoch with the app action and logs the outcome; an epoch under way is left alone', async () => {
    await fund(d, creator);
    const { taskId, schedule } = await createTask(d, creator, defaultTaskParams((await d.now()) + 200n));
    await d.warp(timeIn(schedule, 1, 10));
    const lines: string[] = [];
    const wallet = createWalletClient({
      account: privateKeyToAccount(ANVIL_KEY_0),
      chain: foundry,
      transport: http(d.anvil.url),
    });
    const keeper = startKeeper({
      client: d.client,
      wallet,
      deployment: d.deployment,
      log: (l) => lines.push(l),
      intervalMs: 100,
    });
    try {
      await until(() => lines.some((l) => l.includes('finalized')));
      // Epoch 0 had no submission: degenerate, its whole budget rolls over.
      expect(lines.filter((l) => !l.includes('retrying'))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^keeper: task ${taskId} epoch 0 finalized, nothing booked \\(no scored submission, or fewer validators revealed than the task's minimum\\): 1,000 ARENA rolls over \\(gas \\d+\\)$`,
          ),
        ),
      ]);
      const progress = await d.client.readContract({
        address: d.c.rewardEngine,
        abi: rewardEngineAbi,
        functionName: 'progressOf',
        args: [taskId],
      });
      expect(Number(progress.epoch)).toBe(1);
      // Epoch 1 has not ended: several passes later nothing more was sent.
      await new Promise((r) => setTimeout(r, 500));
      expect(lines.filter((l) => l.includes('finalized'))).toHaveLength(1);
    } finally {
      keeper.stop();
    }
  });

  it('a keeper that read an epoch as due but lost the race to another keeper reports the race, not an error', async () => {
    await fund(d, creator);
    const { taskId, schedule } = await createTask(d, creator, defaultTaskParams((await d.now()) + 200n));
    await d.warp(timeIn(schedule, 1, 10));
    const wallet = createWalletClient({
      account: privateKeyToAccount(ANVIL_KEY_0),
      chain: foundry,
      transport: http(d.anvil.url),
    });
    const progress = {
      address: d.c.rewardEngine,
      abi: rewardEngineAbi,
      functionName: 'progressOf',
      args: [taskId],
    } as const;
    const stale = await d.client.readContract(progress);
    const first: KeeperEvent[] = [];
    const second: KeeperEvent[] = [];
    const winner = startLibKeeper({
      client: d.client,
      wallet,
      deployment: d.deployment,
      onEvent: (e) => first.push(e),
      tasks: [taskId],
      autostart: false,
    });
    await winner.pass();
    expect(first.filter((e) => e.type === 'finalized')).toHaveLength(1);
    // The loser read the progress before the winner's transaction: its first read answers as then.
    let answeredStale = false;
    const lagging = new Proxy(d.client, {
      get(target, key, receiver) {
        if (key !== 'readContract') return Reflect.get(target, key, receiver);
        return (args: { functionName: string }) => {
          if (args.functionName === 'progressOf' && !answeredStale) {
            answeredStale = true;
            return Promise.resolve(stale);
          }
          return target.readContract(args as never);
        };
      },
    });
    const loser = startLibKeeper({
      client: lagging,
      wallet,
      deployment: d.deployment,
      onEvent: (e) => second.push(e),
      tasks: [taskId],
      autostart: false,
    });
    await loser.pass();
    expect(second.map((e) => e.type)).toEqual(['raced', 'pass']);
    expect(second[0]).toMatchObject({ taskId, epoch: 0n });
  });
});
