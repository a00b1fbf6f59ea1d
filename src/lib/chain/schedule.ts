// The TypeScript twin of contracts/src/lib/ScheduleLib.sol: which epoch, phase and window a
// moment falls in, for countdowns and for clients that act in the right window by themselves.
export interface Schedule {
  startTime: bigint;
  reviewEnd: bigint;
  epochLength: number;
  submissionEpochs: number;
  finalEpochs: number;
  challengeEpochs: number;
  sealEnd: number;
  revealEnd: number;
  commitEnd: number;
  finalCommitEnd: number;
  rejected: boolean;
}

export const PHASES = ['Review', 'Pending', 'Submission', 'Final', 'Challenge', 'Ended', 'Rejected'] as const;
export type Phase = (typeof PHASES)[number];
export const WINDOWS = ['None', 'Seal', 'Reveal', 'ScoreCommit', 'ScoreReveal'] as const;
export type Window = (typeof WINDOWS)[number];

const BPS = 10_000n;

export const scoringEpochs = (s: Schedule): number => s.submissionEpochs + s.finalEpochs;
export const totalEpochs = (s: Schedule): number => s.submissionEpochs + s.finalEpochs + s.challengeEpochs;
export const epochStart = (s: Schedule, epoch: number): bigint => s.startTime + BigInt(epoch) * BigInt(s.epochLength);
export const endTime = (s: Schedule): bigint => epochStart(s, totalEpochs(s));

export function epochAt(s: Schedule, t: bigint): { started: boolean; epoch: number } {
  if (t < s.startTime) return { started: false, epoch: 0 };
  return { started: true, epoch: Number((t - s.startTime) / BigInt(s.epochLength)) };
}

/** The first epoch an action taken at `t` counts in. */
export function effectiveEpoch(s: Schedule, t: bigint): number {
  const { started, epoch } = epochAt(s, t);
  return started ? epoch + 1 : 0;
}

export function phaseAt(s: Schedule, t: bigint): Phase {
  if (s.rejected) return 'Rejected';
  if (t < s.reviewEnd) return 'Review';
  const { started, epoch } = epochAt(s, t);
  if (!started) return 'Pending';
  if (epoch < s.submissionEpochs) return 'Submission';
  if (epoch < scoringEpochs(s)) return 'Final';
  if (epoch < totalEpochs(s)) return 'Challenge';
  return 'Ended';
}

/** Window bounds as basis points of the epoch, per phase. */
function bounds(s: Schedule, epoch: number): { window: Window; from: number; to: number }[] {
  if (epoch < s.submissionEpochs) {
    return [
      { window: 'Seal', from: 0, to: s.sealEnd },
      { window: 'Reveal', from: s.sealEnd, to: s.revealEnd },
      { window: 'ScoreCommit', from: s.revealEnd, to: s.commitEnd },
      { window: 'ScoreReveal', from: s.commitEnd, to: 10_000 },
    ];
  }
  return [
    { window: 'ScoreCommit', from: 0, to: s.finalCommitEnd },
    { window: 'ScoreReveal', from: s.finalCommitEnd, to: 10_000 },
  ];
}

export function windowAt(s: Schedule, t: bigint): { window: Window; epoch: number } {
  const { started, epoch } = epochAt(s, t);
  if (s.rejected || !started || epoch >= scoringEpochs(s)) return { window: 'None', epoch };
  const into = Number(((t - epochStart(s, epoch)) * BPS) / BigInt(s.epochLength));
  const found = bounds(s, epoch).find((b) => into < b.to);
  return { window: found ? found.window : 'None', epoch };
}

/** When `window` of `epoch` opens and closes (unix seconds), or null if the epoch has no such window. */
export function windowTimes(s: Schedule, epoch: number, window: Window): { opens: bigint; closes: bigint } | null {
  if (epoch >= scoringEpochs(s)) return null;
  const b = bounds(s, epoch).find((x) => x.window === window);
  if (!b) return null;
  const start = epochStart(s, epoch);
  // The contract floors (elapsed * 10000 / length): a window opens at the first whole second in it.
  const at = (bps: number) => start + (BigInt(bps) * BigInt(s.epochLength) + BPS - 1n) / BPS;
  return { opens: at(b.from), closes: at(b.to) };
}

/** The creator must reveal the final eval set within the first 10% of the final phase. */
export function finalEvalDeadline(s: Schedule): bigint {
  return epochStart(s, s.submissionEpochs) + (BigInt(s.finalEpochs) * BigInt(s.epochLength)) / 10n;
}
