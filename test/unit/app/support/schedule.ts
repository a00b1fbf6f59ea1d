// The schedule the role pages' unit tests share: scoring epochs 0, 1 (submission) and 2 (final)
// from t = 10000, 1000 s each; epoch 0's score commit window is [10600, 10850), its score reveal
// window [10850, 11000).
export const schedule = {
  startTime: 10_000n,
  reviewEnd: 9_000n,
  epochLength: 1000,
  submissionEpochs: 2,
  finalEpochs: 1,
  challengeEpochs: 1,
  sealEnd: 5000,
  revealEnd: 6000,
  commitEnd: 8500,
  finalCommitEnd: 7000,
  rejected: false,
};
