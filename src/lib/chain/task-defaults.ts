// Defaults a task creator starts from: the SPEC's window fractions (section 2.2/2.3) and reward
// parameters (section 4), in the units TaskParams takes (basis points and WAD).
const WAD = 10n ** 18n;

export const DEFAULT_WINDOWS = {
  sealEnd: 5_000,
  revealEnd: 6_000,
  commitEnd: 8_500,
  finalCommitEnd: 7_000,
} as const;

export const DEFAULT_REWARD_PARAMS = {
  gamma: (7n * WAD) / 10n,
  q: (85n * WAD) / 100n,
  alphaT: WAD,
  alphaV: WAD,
  lambdaV: 20n * WAD,
} as const;
