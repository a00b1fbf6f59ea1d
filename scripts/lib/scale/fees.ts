// What gas and calldata cost on an OP-stack chain such as Base (docs/scale.md): the L2 execution
// fee (gas x the L2 gas price) plus the L1 data fee of each transaction by the Fjord formula of
// the OP stack's GasPriceOracle. Every price is a parameter: this machine is offline, so none is
// read from the chain; docs/scale.md says where to read today's values.

export interface FeeAssumptions {
  /** L2 gas price (base fee + priority fee), gwei. */
  l2GasPriceGwei: number;
  /** Ethereum L1 base fee, gwei. */
  l1BaseFeeGwei: number;
  /** Ethereum blob base fee, gwei. */
  blobBaseFeeGwei: number;
  /** GasPriceOracle.baseFeeScalar() and blobBaseFeeScalar() of the chain. */
  baseFeeScalar: number;
  blobBaseFeeScalar: number;
  /** FastLZ-compressed size over raw size of a transaction (1 = incompressible, the pessimistic case). */
  compression: number;
  ethUsd: number;
}

/** Fjord: estimatedSize = max(100e6, -42.5856e6 + 0.8365e6 x fastlzSize) (sizes scaled by 1e6). */
const MIN_TX_SIZE_SCALED = 100e6;
const INTERCEPT = -42_585_600;
const FASTLZ_COEF = 836_500;

/** L1 data fee of one transaction of `bytes` signed bytes, in wei. */
export function l1DataFeeWei(bytes: number, a: FeeAssumptions): number {
  const fastlz = bytes * a.compression;
  const size = Math.max(MIN_TX_SIZE_SCALED, INTERCEPT + FASTLZ_COEF * fastlz);
  const l1FeeScaled = a.baseFeeScalar * a.l1BaseFeeGwei * 1e9 * 16 + a.blobBaseFeeScalar * a.blobBaseFeeGwei * 1e9;
  return (size * l1FeeScaled) / 1e12;
}

export interface FeeBreakdown {
  executionEth: number;
  l1DataEth: number;
  totalEth: number;
  totalUsd: number;
}

/** Fees of `txs` transactions of `bytesEach` signed bytes using `gas` in all. */
export function fees(
  parts: readonly { txs: number; bytesEach: number; gas: number }[],
  a: FeeAssumptions,
): FeeBreakdown {
  let gas = 0;
  let l1 = 0;
  for (const p of parts) {
    gas += p.gas;
    l1 += p.txs * l1DataFeeWei(p.bytesEach, a);
  }
  const executionEth = (gas * a.l2GasPriceGwei) / 1e9;
  const l1DataEth = l1 / 1e18;
  const totalEth = executionEth + l1DataEth;
  return { executionEth, l1DataEth, totalEth, totalUsd: totalEth * a.ethUsd };
}
