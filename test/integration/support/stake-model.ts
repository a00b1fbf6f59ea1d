// An independent model of what each pool's stake is in each epoch: every change counts from
// the epoch after the one it was made in (SPEC section 3). The differential test feeds these
// numbers, not the contract's, to the TypeScript reference.
export interface Change {
  from: number;
  own?: bigint;
  delegated?: bigint;
  sigma?: bigint;
}

export class PoolModel {
  private readonly changes: Change[] = [];

  constructor(private readonly initialSigma: bigint) {}

  add(change: Change): void {
    this.changes.push(change);
  }

  own(epoch: number): bigint {
    return this.changes.reduce((s, c) => (c.from <= epoch ? s + (c.own ?? 0n) : s), 0n);
  }

  delegated(epoch: number): bigint {
    return this.changes.reduce((s, c) => (c.from <= epoch ? s + (c.delegated ?? 0n) : s), 0n);
  }

  sigma(epoch: number): bigint {
    let sigma = this.initialSigma;
    let from = -1;
    for (const c of this.changes) {
      if (c.sigma !== undefined && c.from <= epoch && c.from >= from) [sigma, from] = [c.sigma, c.from];
    }
    return sigma;
  }

  /** Own + delegated including changes not yet in effect (the contract's "latest" values). */
  latest(): bigint {
    return this.changes.reduce((s, c) => s + (c.own ?? 0n) + (c.delegated ?? 0n), 0n);
  }
}

/** A delegator's position in one pool: its principal per epoch, from the same rule. */
export class PositionModel {
  private readonly changes: { from: number; amount: bigint }[] = [];

  add(from: number, amount: bigint): void {
    this.changes.push({ from, amount });
  }

  shares(epoch: number): bigint {
    return this.changes.reduce((s, c) => (c.from <= epoch ? s + c.amount : s), 0n);
  }

  principal(): bigint {
    return this.changes.reduce((s, c) => s + c.amount, 0n);
  }
}
