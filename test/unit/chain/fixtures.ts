// Small fixtures the chain, agent and task-page unit tests share: a schedule with the SPEC's
// default windows, and a deployments record as `npm run deploy` writes it.
import type { Schedule } from '../../../src/lib/chain/schedule.ts';
import { DEFAULT_WINDOWS } from '../../../src/lib/chain/task-defaults.ts';

/**
 * 3 submission epochs, 1 final and 1 challenge epoch, the default windows (seal to 50 %, reveal
 * to 60 %, score commit to 85 %, final-phase commit to 70 %), not rejected; the rest as given.
 */
export function testSchedule(
  s: Pick<Schedule, 'startTime' | 'reviewEnd' | 'epochLength'> & Partial<Schedule>,
): Schedule {
  return { submissionEpochs: 3, finalEpochs: 1, challengeEpochs: 1, ...DEFAULT_WINDOWS, rejected: false, ...s };
}

/** A deployments file's content (JSON types: strings for big numbers), without a challenge module. */
export const DEPLOYMENT_RECORD = {
  chainId: 31337,
  deployer: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  fromBlock: '3',
  contracts: {
    token: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
    taskRegistry: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
    stakeManager: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
    submissionBook: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9',
    rewardEngine: '0xdc64a140aa3e981100a9beca4e685f962f0cf6c9',
  },
  config: {
    rejectQuorum: '10',
    minReviewPeriod: '10',
    initialSupply: '100',
    treasury: '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266',
  },
};
