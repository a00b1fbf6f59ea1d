// Differential test (SPEC section 4): random epochs through the deployed contracts on anvil and
// through the TypeScript reference; every booked amount must agree to 1e-9 relative.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchArena, type Driver } from '../../scripts/lib/driver.ts';
import { RandomTask, agrees, relativeDiff, type EpochReport } from './support/random-task.ts';
import { Rng } from './support/rng.ts';

const SEED = Number(process.env.DIFF_SEED ?? 20261122);
const MIN_EPOCHS = Number(process.env.DIFF_EPOCHS ?? 200);

describe('reward math: contracts vs TypeScript reference', () => {
  let d: Driver;
  beforeAll(async () => {
    d = await launchArena();
  });
  afterAll(async () => {
    await d?.stop();
  });

  it(`agrees on every booked amount over ${MIN_EPOCHS} random epochs (seed ${SEED})`, async () => {
    const rng = new Rng(SEED);
    const started = Date.now();
    const reports: EpochReport[] = [];
    const failures: string[] = [];
    let delegatorChecks = 0;
    let worst = 0;
    for (let t = 0; reports.filter((r) => !r.degenerate).length < MIN_EPOCHS; t++) {
      const task = RandomTask.random(d, rng, `seed${SEED}/task${t}`);
      await task.create(rng.int(3, 7), rng.int(1, 2));
      await task.join(rng.int(1, 32), rng.int(1, 32));
      await task.play((r) => {
        reports.push(r);
        for (const c of r.exact) {
          if (c.contract !== c.reference) failures.push(`task ${r.taskId} epoch ${r.epoch} ${c.what}: ${c.contract} != ${c.reference}`);
        }
        for (const c of r.checks) {
          worst = Math.max(worst, relativeDiff(c.contract, c.reference));
          if (!agrees(c.contract, c.reference)) {
            failures.push(`task ${r.taskId} epoch ${r.epoch} ${c.what}: ${c.contract} vs ${c.reference}`);
          }
        }
      });
      for (const c of await task.delegatorChecks()) {
        delegatorChecks++;
        const bookings = BigInt(/\((\d+) bookings\)/.exec(c.what)![1]!);
        const diff = c.contract > c.reference ? c.contract - c.reference : c.reference - c.contract;
        if (diff > bookings + 2n) failures.push(`task ${t}: ${c.what}: ${c.contract} vs ${c.reference}`);
      }
    }
    const scored = reports.filter((r) => !r.degenerate);
    const amounts = scored.reduce((s, r) => s + r.checks.length, 0);
    console.log(
      `differential: ${scored.length} scored epochs (+${reports.length - scored.length} degenerate), ` +
        `n ${Math.min(...scored.map((r) => r.n))}..${Math.max(...scored.map((r) => r.n))}, ` +
        `m ${Math.min(...scored.map((r) => r.m))}..${Math.max(...scored.map((r) => r.m))}, ` +
        `${amounts} booked amounts, ${delegatorChecks} delegator balances, worst relative difference ${worst.toExponential(2)}; ` +
        `${d.sent} transactions in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(scored.length).toBeGreaterThanOrEqual(MIN_EPOCHS);
    expect(Math.max(...scored.map((r) => r.n))).toBeGreaterThan(20);
    expect(Math.max(...scored.map((r) => r.m))).toBeGreaterThan(20);
  }, 30 * 60_000);
});
