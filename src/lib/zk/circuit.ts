// The WatermarkOwnership circuit's interface as the app sees it (circuits/lib/
// watermark_ownership.circom, docs/zk.md section 2): shape parameters and the public signals in
// the verifier's order.

export interface CircuitShape {
  /** Watermark bits (key rows). */
  T: number;
  /** Vector length (key columns). */
  N: number;
  /** Quantization bits of each value of v. */
  WB: number;
}

/** The production instance (SPEC section 6 defaults). */
export const PRODUCTION_SHAPE: CircuitShape = { T: 64, N: 128, WB: 16 };

/** The circuit range-checks maxErr to this many bits (ErrorsAtMost(T, 8)). */
export const MAX_ERR_BITS = 8;

/** Public signals in the order the circuit declares them and the verifier takes them. */
export const PUBLIC_SIGNALS = ['wmCommit', 'keyCommit', 'owner', 'maxErr'] as const;
export type PublicSignalName = (typeof PUBLIC_SIGNALS)[number];

/** The four public inputs as field elements; owner is the address as a 160-bit integer. */
export type PublicSignals = Record<PublicSignalName, bigint>;

export type PublicSignalTuple = readonly [bigint, bigint, bigint, bigint];

export const publicSignalTuple = (p: PublicSignals): PublicSignalTuple => [p.wmCommit, p.keyCommit, p.owner, p.maxErr];

/** snarkjs's decimal strings back to named signals; refuses any other count. */
export function namedPublicSignals(values: readonly (string | bigint)[]): PublicSignals {
  if (values.length !== PUBLIC_SIGNALS.length)
    throw new RangeError(`the circuit has ${PUBLIC_SIGNALS.length} public signals, got ${values.length}`);
  const [wmCommit, keyCommit, owner, maxErr] = values.map((v) => BigInt(v)) as [bigint, bigint, bigint, bigint];
  return { wmCommit, keyCommit, owner, maxErr };
}
