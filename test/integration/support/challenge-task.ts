// The task the challenge tests create: room for a theft between two submission epochs and one
// challenge epoch after them.
import type { TaskParamsInput } from '../../../src/lib/chain/actions/task-params.ts';
import { oneEpochTaskParams } from './chain-actions-env.ts';

const WAD = 10n ** 18n;

/**
 * oneEpochTaskParams with two submission epochs, one challenge epoch, 100 tokens of reward per
 * epoch and the given challenge rules (bond, response time, slash).
 */
export function challengeTaskParams(
  startTime: bigint,
  challenge: TaskParamsInput['challenge'],
  overrides: Partial<TaskParamsInput> = {},
): TaskParamsInput {
  return oneEpochTaskParams(startTime, {
    submissionEpochs: 2,
    challengeEpochs: 1,
    rewardPerEpoch: 100n * WAD,
    challenge,
    ...overrides,
  });
}
