// The deployable bytecode of each protocol contract, from forge's output.
import type { Bytecodes } from '../../src/lib/chain/deploy.ts';
import { loadArtifacts } from './artifacts.ts';

export function loadBytecodes(): Bytecodes {
  const a = loadArtifacts();
  return {
    ArenaToken: a.ArenaToken.bytecode,
    TaskRegistry: a.TaskRegistry.bytecode,
    StakeManager: a.StakeManager.bytecode,
    SubmissionBook: a.SubmissionBook.bytecode,
    RewardEngine: a.RewardEngine.bytecode,
    WatermarkOwnershipVerifier: a.WatermarkOwnershipVerifier.bytecode,
    ChallengeModule: a.ChallengeModule.bytecode,
  };
}
