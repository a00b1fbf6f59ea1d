import type { Address, Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ColumnView } from '../../../src/lib/agents/validator/machine.ts';
import { strategyRow, type EpochScene } from '../../../scripts/lib/sim/scoring.ts';

const hex = (n: number, bytes: number) => `0x${n.toString(16).padStart(bytes * 2, '0')}` as Hex;
const column = (i: number, duplicate = false): ColumnView => ({
  submissionId: i,
  trainer: hex(0xa0 + i, 20) as Address,
  artifactHash: hex(i + 1, 32),
  artifactRoot: hex(i + 1, 32),
  wmCommit: hex(i + 100, 32),
  duplicate,
});

// Four columns of trainers 0..3; trainer 3's is a duplicate (the honest row already scores it 0).
const scene = (over: Partial<EpochScene> = {}): EpochScene => ({
  epoch: 1,
  trainers: [0, 1, 2, 3],
  columns: [column(0), column(1), column(2), column(3, true)],
  honestRow: [9_000, 7_000, 8_000, 0],
  previous: new Map([
    [0, 8_900],
    [1, 7_100],
    [2, 8_050],
  ]),
  seed: 1,
  friend: 1,
  ...over,
});

describe("sim validators' rows: the incentive benchmark's strategies over real scores", () => {
  it('honest validators and sybil identities reveal the honest row', () => {
    expect(strategyRow('honest', 5, scene())).toEqual([9_000, 7_000, 8_000, 0]);
    expect(strategyRow('sybil', 6, scene())).toEqual([9_000, 7_000, 8_000, 0]);
  });

  it("a constant lazy validator reveals last epoch's median aggregate everywhere (0.8 before any)", () => {
    expect(strategyRow('lazy-constant', 5, scene())).toEqual([8_050, 8_050, 8_050, 8_050]);
    expect(strategyRow('lazy-constant', 5, scene({ epoch: 0, previous: undefined }))).toEqual([
      8_000, 8_000, 8_000, 8_000,
    ]);
  });

  it("a reusing lazy validator reveals each trainer's last aggregate, the median for a newcomer", () => {
    expect(strategyRow('lazy-previous', 5, scene())).toEqual([8_900, 7_100, 8_050, 8_050]);
  });

  it("a random lazy validator stays in last epoch's range, and repeats for the same seed", () => {
    const row = strategyRow('lazy-random', 5, scene());
    for (const s of row) expect(s >= 7_100 && s <= 8_900).toBe(true);
    expect(strategyRow('lazy-random', 5, scene())).toEqual(row);
    expect(strategyRow('lazy-random', 6, scene())).not.toEqual(row);
  });

  it('a colluding validator raises the friend to 1 and zeroes every model it finds better', () => {
    expect(strategyRow('colluding', 5, scene())).toEqual([0, 10_000, 0, 0]);
    // Without the friend among the columns there is nobody to raise: it scores honestly.
    expect(strategyRow('colluding', 5, scene({ friend: 9 }))).toEqual([9_000, 7_000, 8_000, 0]);
  });
});
