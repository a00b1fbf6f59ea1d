// The canary plan: who submits what in which epoch. Checked against the contract's rules (the
// TypeScript twin of revealCanaries' scan marks exactly the planned canaries), in the first
// epoch, the last submission epoch and the final phase, with fresh and with reused accounts.
import type { Address, Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { canarySalt, expectedCanaryMask, maskColumns, type CanaryColumn } from '../../../../src/lib/chain/canary.ts';
import { sealCommitment } from '../../../../src/lib/chain/commitments.ts';
import { seededTranscript } from '../../../../src/lib/chain/transcript-commit.ts';
import { epochCanaryKey, type CanaryScope } from '../../../../src/lib/agents/canary/derive.ts';
import {
  CanaryPlanError,
  freshPoolSize,
  minPoolSize,
  planCanaries,
  type PlanInput,
} from '../../../../src/lib/agents/canary/plan.ts';

const SECRET: Hex = `0x${'5a'.repeat(32)}`;
const SCOPE: CanaryScope = { chainId: 31337, registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3', taskId: 7n };
const pool = (n: number): Address[] =>
  Array.from({ length: n }, (_, i) => `0x${(0x1000 + i).toString(16).padStart(40, '0')}` as Address);
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  scope: SCOPE,
  secret: SECRET,
  pool: pool(4),
  submissionEpochs: 3,
  finalEpochs: 1,
  perEpoch: 1,
  steps: { min: 4, max: 120 },
  ...over,
});
const hash = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;

/** The columns of a submission epoch if every planned submission is revealed in pool order. */
function submissionColumns(plan: ReturnType<typeof planCanaries>, epoch: number): CanaryColumn[] {
  return plan.submissions(epoch).map((p, i) => ({
    trainer: p.account,
    sealEpoch: BigInt(epoch),
    artifactHash: hash(1000 * epoch + i + 1),
    wmCommit: hash(5000 + i),
    transcript: seededTranscript(hash(9000 + i), 4),
    commitment: sealCommitment(
      SCOPE.taskId,
      BigInt(epoch),
      p.account,
      hash(1000 * epoch + i + 1),
      hash(5000 + i),
      seededTranscript(hash(9000 + i), 4),
      p.salt,
    ),
  }));
}

describe('planCanaries', () => {
  it('every pool account submits in every submission epoch; perEpoch of them are canaries of that epoch', () => {
    const plan = planCanaries(input({ pool: pool(6), perEpoch: 2 }));
    for (let e = 0; e < 3; e++) {
      const subs = plan.submissions(e);
      expect(subs.map((s) => s.account)).toEqual(pool(6));
      expect(subs.every((s) => s.epoch === e)).toBe(true);
      const own = subs.filter((s) => s.use.kind === 'canary' && s.use.useEpoch === e).map((s) => s.account);
      expect(own).toHaveLength(2);
      expect([...own].sort()).toEqual([...plan.canaries(e)].sort());
    }
  });

  it('salts: a canary seals with canarySalt(task, useEpoch, account, key of useEpoch); keys are the derived epoch keys', () => {
    const plan = planCanaries(input());
    for (let e = 0; e < 4; e++) expect(plan.key(e)).toBe(epochCanaryKey(SECRET, SCOPE, e));
    for (let e = 0; e < 3; e++) {
      for (const s of plan.submissions(e)) {
        if (s.use.kind === 'canary')
          expect(s.salt).toBe(canarySalt(SCOPE.taskId, BigInt(s.use.useEpoch), s.account, plan.key(s.use.useEpoch)));
        // A decoy's salt opens under no epoch's key.
        else
          for (let k = 0; k < 4; k++)
            expect(s.salt).not.toBe(canarySalt(SCOPE.taskId, BigInt(k), s.account, plan.key(k)));
      }
    }
  });

  it('the contract rule marks exactly the planned canaries of a submission epoch, and none under another key', () => {
    const plan = planCanaries(input({ pool: pool(5), perEpoch: 2 }));
    for (let e = 0; e < 3; e++) {
      const columns = submissionColumns(plan, e);
      const marked = maskColumns(expectedCanaryMask(SCOPE.taskId, BigInt(e), plan.key(e), columns)).map(
        (i) => columns[i]!.trainer,
      );
      expect([...marked].sort()).toEqual([...plan.canaries(e)].sort());
      // The next epoch's key opens nothing here (a final canary sealed now uses its own key; see below).
      const other = expectedCanaryMask(SCOPE.taskId, BigInt(e), plan.key((e + 1) % 4), columns);
      expect(other).toBe(0n);
    }
  });

  it('first epoch: epoch 0 has canaries and keys, and nothing depends on later epochs', () => {
    const a = planCanaries(input({ submissionEpochs: 5, finalEpochs: 0, pool: pool(2) }));
    const b = planCanaries(input({ submissionEpochs: 1, finalEpochs: 0, pool: pool(2) }));
    expect(a.canaries(0)).toHaveLength(1);
    expect(a.submissions(0)).toEqual(b.submissions(0));
    expect(a.key(0)).toBe(b.key(0));
    expect(() => b.submissions(1)).toThrow(RangeError);
    expect(() => b.key(1)).toThrow(RangeError);
  });

  it('final phase: each final epoch has its own reserved accounts, sealed in the last submission epoch with its salt', () => {
    const plan = planCanaries(input({ pool: pool(7), perEpoch: 2, submissionEpochs: 3, finalEpochs: 2 }));
    const f3 = plan.finalReserve.get(3)!;
    const f4 = plan.finalReserve.get(4)!;
    expect(f3).toHaveLength(2);
    expect(f4).toHaveLength(2);
    expect(new Set([...f3, ...f4]).size).toBe(4);
    expect(plan.canaries(3)).toEqual(f3);
    expect(plan.canaries(4)).toEqual(f4);
    // Reserved accounts are never submission canaries; in earlier epochs they submit ordinary models.
    for (let e = 0; e < 3; e++) for (const a of [...f3, ...f4]) expect(plan.canaries(e)).not.toContain(a);
    for (let e = 0; e < 2; e++)
      for (const s of plan.submissions(e))
        if ([...f3, ...f4].includes(s.account)) expect(s.use).toEqual({ kind: 'decoy' });
    const last = plan.submissions(2);
    for (const a of f3) expect(last.find((s) => s.account === a)!.use).toEqual({ kind: 'canary', useEpoch: 3 });
    for (const a of f4) expect(last.find((s) => s.account === a)!.use).toEqual({ kind: 'canary', useEpoch: 4 });
    // In the final epoch the columns are the latest submissions (those of epoch 2, sealed in 2):
    // the contract's scan with the final epoch's key marks exactly its reserved accounts.
    const columns = submissionColumns(plan, 2);
    for (const f of [3, 4]) {
      const marked = maskColumns(expectedCanaryMask(SCOPE.taskId, BigInt(f), plan.key(f), columns)).map(
        (i) => columns[i]!.trainer,
      );
      expect([...marked].sort()).toEqual([...plan.canaries(f)].sort());
    }
    // ... and in the last submission epoch itself they are ordinary columns.
    const ownMarked = maskColumns(expectedCanaryMask(SCOPE.taskId, 2n, plan.key(2), columns)).map(
      (i) => columns[i]!.trainer,
    );
    expect(ownMarked.some((a) => f3.includes(a) || f4.includes(a))).toBe(false);
    expect([...ownMarked].sort()).toEqual([...plan.canaries(2)].sort());
  });

  it('one submission epoch and one final epoch: epoch 0 carries both its own canary and the final one', () => {
    const plan = planCanaries(input({ pool: pool(3), submissionEpochs: 1, finalEpochs: 1 }));
    const uses = plan.submissions(0).map((s) => s.use);
    expect(uses.filter((u) => u.kind === 'canary' && u.useEpoch === 0)).toHaveLength(1);
    expect(uses.filter((u) => u.kind === 'canary' && u.useEpoch === 1)).toHaveLength(1);
    expect(uses.filter((u) => u.kind === 'decoy')).toHaveLength(1);
  });

  it('a pool large enough never reveals an account twice; a smaller one reuses the least used first', () => {
    const fresh = planCanaries(input({ pool: pool(freshPoolSize(2, 3, 1)), perEpoch: 2 }));
    const all = [0, 1, 2, 3].flatMap((e) => fresh.canaries(e));
    expect(new Set(all).size).toBe(all.length);
    const small = planCanaries(input({ pool: pool(3), perEpoch: 1, submissionEpochs: 8, finalEpochs: 1 }));
    const counts = new Map<Address, number>();
    for (let e = 0; e < 8; e++) for (const a of small.canaries(e)) counts.set(a, (counts.get(a) ?? 0) + 1);
    // Two non-reserved accounts share 8 submission epochs: 4 each, never one twice in a row before the other.
    expect([...counts.values()].sort()).toEqual([4, 4]);
    for (let e = 0; e < 8; e += 2) expect(new Set([small.canaries(e)[0], small.canaries(e + 1)[0]]).size).toBe(2);
  });

  it('is deterministic, and another secret gives other keys and another order', () => {
    const a = planCanaries(input({ pool: pool(8), submissionEpochs: 6 }));
    const b = planCanaries(input({ pool: pool(8), submissionEpochs: 6 }));
    for (let e = 0; e < 6; e++) expect(b.submissions(e)).toEqual(a.submissions(e));
    const c = planCanaries(input({ pool: pool(8), submissionEpochs: 6, secret: `0x${'a5'.repeat(32)}` }));
    expect(c.key(0)).not.toBe(a.key(0));
    const order = (p: typeof a) => [0, 1, 2, 3, 4, 5, 6].map((e) => p.canaries(e)[0]).join();
    expect(order(c)).not.toBe(order(a));
  });

  it('refuses plans the contract or the pool cannot serve, saying why', () => {
    expect(() => planCanaries(input({ pool: pool(1) }))).toThrow(CanaryPlanError);
    expect(() => planCanaries(input({ pool: pool(1) }))).toThrow(
      'a pool of 1 account cannot give 1 canary per epoch: each of the 1 final epoch needs 1 account of its own and the submission epochs 1 more, so at least 2 (4 for a fresh account in every epoch)',
    );
    expect(minPoolSize(3, 2)).toBe(9);
    expect(() => planCanaries(input({ perEpoch: 0 }))).toThrow(
      'canaries per epoch must be a whole number from 1 to 16',
    );
    expect(() => planCanaries(input({ perEpoch: 17, pool: pool(40) }))).toThrow(/MAX_CANARIES/);
    expect(() => planCanaries(input({ pool: [...pool(3), pool(3)[0]!] }))).toThrow('the pool lists an account twice');
    expect(() => planCanaries(input({ steps: { min: 10, max: 5 } }))).toThrow(/1 <= min <= max/);
  });
});
