// What a confirmation says before value moves (issue 10, 1.8): the amount, the network fee where
// it can be estimated, and how long the tokens stay locked. Pure: the pages pass the chain reads.
import { formatEther } from 'viem';
import { formatTokens } from '../format.ts';

/**
 * Gas of the user operations measured on anvil (docs/bench/gas.md, `npm run bench:gas`): the fee
 * estimate is this times the current gas price. An operation not measured there gets no number,
 * and the dialog says the wallet shows the fee instead.
 */
export const MEASURED_GAS = {
  createTask: 451_137n,
  joinTrainer: 283_322n,
  joinValidator: 226_817n,
  addStake: 75_614n,
  delegate: 104_906n,
} as const;

export type MeasuredOperation = keyof typeof MEASURED_GAS;

/** "about 0.00045 ETH (estimated)", or where it cannot be estimated, who shows it. */
export function feeText(gas: bigint | null | undefined, gasPrice: bigint | null | undefined, coin = 'ETH'): string {
  if (gas == null || gasPrice == null) return 'shown by your wallet before you sign';
  const wei = gas * gasPrice;
  const eth = Number(formatEther(wei));
  const shown = eth === 0 ? '0' : eth < 1e-6 ? '< 0.000001' : eth.toPrecision(2).replace(/\.?0+$/, '');
  return `about ${shown} ${coin} (estimated, ${gas.toLocaleString('en-US')} gas)`;
}

/** "1 h 40 min", "45 s", "2 d 3 h": a duration for people. */
export function durationText(seconds: number | bigint): string {
  let s = Math.max(0, Math.round(Number(seconds)));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3_600);
  s -= h * 3_600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : '', !d && !h && s ? `${s} s` : ''].filter(
    Boolean,
  );
  return parts.length ? parts.join(' ') : '0 s';
}

const arena = (wei: bigint) => `${formatTokens(wei, 4)} ARENA`;

export interface Fact {
  label: string;
  value: string;
}

/** Creating a task: the deposit leaves the wallet for good (paid out as rewards, epoch by epoch). */
export function createTaskFacts(p: {
  title: string;
  deposit: bigint;
  rewardPerEpoch: bigint;
  scoringEpochs: number;
  reviewPeriod: number;
  /** Seconds from sending to the end of the last epoch. */
  runsFor: number;
  fee: string;
}): Fact[] {
  return [
    { label: 'Task', value: p.title },
    { label: 'Deposit', value: arena(p.deposit) },
    { label: 'Paid out as', value: `${arena(p.rewardPerEpoch)} per scoring epoch × ${p.scoringEpochs}` },
    {
      label: 'Locked',
      value: `in the task for about ${durationText(p.runsFor)}: what nobody earns comes back after the last epoch, all of it if the task is rejected in its ${durationText(p.reviewPeriod)} review`,
    },
    { label: 'Network fee', value: p.fee },
  ];
}

/** Opening a challenge: the bond is held until the challenge is settled; it comes back unless the trainer passes. */
export function challengeFacts(p: {
  submissionId: bigint;
  trainer: string;
  bond: bigint;
  responseTime: number;
  fee: string;
}): Fact[] {
  return [
    { label: 'Submission', value: `#${p.submissionId} of ${p.trainer}` },
    { label: 'Bond', value: arena(p.bond) },
    {
      label: 'Locked',
      value: `at least ${durationText(p.responseTime)} (the trainer's time to answer), until the challenge is settled; it comes back if the trainer fails, and goes to the trainer if it passes`,
    },
    { label: 'Network fee', value: p.fee },
  ];
}
