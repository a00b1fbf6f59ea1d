import {
  encodeAbiParameters,
  encodeEventTopics,
  getAddress,
  type Abi,
  type AbiEvent,
  type Address,
  type Hex,
} from 'viem';
import { describe, expect, it } from 'vitest';
import {
  challengeModuleAbi,
  rewardEngineAbi,
  stakeManagerAbi,
  submissionBookAbi,
  taskRegistryAbi,
} from '../../../../src/lib/chain/abi.generated.ts';
import type { ProtocolContracts } from '../../../../src/lib/chain/deployments.ts';
import {
  decodeArenaLogs,
  EventDecodeError,
  READ_TOPICS,
  readAddresses,
  type RawLog,
} from '../../../../src/lib/chain/reads/events.ts';

const a = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address;
const contracts: ProtocolContracts = {
  token: a(1),
  taskRegistry: a(2),
  stakeManager: a(3),
  submissionBook: a(4),
  rewardEngine: a(5),
};

/** A raw log of `name` from `abi` as eth_getLogs returns it. */
function log(
  abi: Abi,
  name: string,
  args: Record<string, unknown>,
  at: { address: Address; block: number; index: number },
): RawLog {
  const ev = abi.find((x): x is AbiEvent => x.type === 'event' && x.name === name)!;
  const topics = encodeEventTopics({ abi: [ev], eventName: name, args } as never) as Hex[];
  const plain = ev.inputs.filter((i) => !i.indexed);
  const data = encodeAbiParameters(
    plain,
    plain.map((i) => args[i.name!]),
  );
  return {
    address: at.address,
    topics,
    data,
    blockNumber: `0x${at.block.toString(16)}`,
    logIndex: `0x${at.index.toString(16)}`,
  };
}

describe('decodeArenaLogs', () => {
  it('decodes every read event into plain records in chain order', () => {
    const logs = [
      log(
        rewardEngineAbi as Abi,
        'TrainerRewarded',
        {
          taskId: 1n,
          epoch: 0n,
          trainer: a(10),
          submissionId: 2n,
          rank: 1n,
          aggregate: 9n * 10n ** 17n,
          pool: 500n,
          own: 400n,
        },
        { address: contracts.rewardEngine, block: 9, index: 1 },
      ),
      log(
        stakeManagerAbi as Abi,
        'Delegated',
        { taskId: 1n, delegatee: a(10), delegator: a(30), amount: 50n, effectiveEpoch: 0n },
        { address: contracts.stakeManager, block: 3, index: 0 },
      ),
      log(
        submissionBookAbi as Abi,
        'ScoresRevealed',
        { taskId: 1n, epoch: 0n, validator: a(20), words: [123n, 456n] },
        { address: contracts.submissionBook, block: 7, index: 4 },
      ),
      log(
        rewardEngineAbi as Abi,
        'ValidatorRewarded',
        { taskId: 1n, epoch: 0n, validator: a(20), distance: 10n ** 16n, pool: 70n, own: 60n, failedCanary: false },
        { address: contracts.rewardEngine, block: 9, index: 0 },
      ),
      log(
        rewardEngineAbi as Abi,
        'EpochFinalized',
        { taskId: 1n, epoch: 0n, booked: 570n, rollover: 30n, degenerate: false },
        { address: contracts.rewardEngine, block: 9, index: 2 },
      ),
      log(
        taskRegistryAbi as Abi,
        'FinalEvalFallback',
        { taskId: 1n },
        { address: contracts.taskRegistry, block: 10, index: 0 },
      ),
      log(
        submissionBookAbi as Abi,
        'SubmissionRevealed',
        {
          taskId: 1n,
          epoch: 0n,
          trainer: a(10),
          submissionId: 2n,
          artifactHash: `0x${'aa'.repeat(32)}`,
          artifactRoot: `0x${'cc'.repeat(32)}`,
          wmCommit: `0x${'bb'.repeat(32)}`,
          duplicate: true,
        },
        { address: contracts.submissionBook, block: 5, index: 0 },
      ),
    ];
    expect(decodeArenaLogs(logs, contracts)).toEqual([
      {
        block: 3n,
        logIndex: 0,
        kind: 'Delegated',
        taskId: 1n,
        delegatee: a(10),
        delegator: a(30),
        amount: 50n,
        effectiveEpoch: 0n,
      },
      {
        block: 5n,
        logIndex: 0,
        kind: 'SubmissionRevealed',
        taskId: 1n,
        epoch: 0n,
        trainer: a(10),
        submissionId: 2n,
        artifactHash: `0x${'aa'.repeat(32)}`,
        artifactRoot: `0x${'cc'.repeat(32)}`,
        duplicate: true,
      },
      { block: 7n, logIndex: 4, kind: 'ScoresRevealed', taskId: 1n, epoch: 0n, validator: a(20) },
      {
        block: 9n,
        logIndex: 0,
        kind: 'ValidatorRewarded',
        taskId: 1n,
        epoch: 0n,
        validator: a(20),
        distance: 10n ** 16n,
        pool: 70n,
        own: 60n,
        failedCanary: false,
      },
      {
        block: 9n,
        logIndex: 1,
        kind: 'TrainerRewarded',
        taskId: 1n,
        epoch: 0n,
        trainer: a(10),
        submissionId: 2n,
        rank: 1n,
        aggregate: 9n * 10n ** 17n,
        pool: 500n,
        own: 400n,
      },
      {
        block: 9n,
        logIndex: 2,
        kind: 'EpochFinalized',
        taskId: 1n,
        epoch: 0n,
        booked: 570n,
        rollover: 30n,
        degenerate: false,
      },
      { block: 10n, logIndex: 0, kind: 'FinalEvalFallback', taskId: 1n },
    ]);
  });

  it('skips foreign contracts, other events, pending and removed logs', () => {
    const args = { taskId: 1n, delegatee: a(10), delegator: a(30), amount: 50n, effectiveEpoch: 0n };
    const good = log(stakeManagerAbi as Abi, 'Delegated', args, {
      address: contracts.stakeManager,
      block: 3,
      index: 0,
    });
    const other = log(
      stakeManagerAbi as Abi,
      'StakeAdded',
      { taskId: 1n, account: a(10), amount: 1n, effectiveEpoch: 0n },
      { address: contracts.stakeManager, block: 3, index: 1 },
    );
    expect(
      decodeArenaLogs(
        [
          { ...good, address: a(99) },
          other,
          { ...good, blockNumber: null },
          { ...good, removed: true },
          { ...good, address: contracts.stakeManager.toLowerCase() as Address },
        ],
        contracts,
      ),
    ).toHaveLength(1);
  });

  it('refuses a protocol log that does not match the ABI', () => {
    const bad = log(
      rewardEngineAbi as Abi,
      'EpochFinalized',
      { taskId: 1n, epoch: 0n, booked: 570n, rollover: 0n, degenerate: false },
      { address: contracts.rewardEngine, block: 9, index: 2 },
    );
    expect(() => decodeArenaLogs([{ ...bad, data: '0x1234' }], contracts)).toThrow(EventDecodeError);
    expect(() => decodeArenaLogs([{ ...bad, data: '0x1234' }], contracts)).toThrow(
      /EpochFinalized log at block 9 does not match/,
    );
  });

  it('asks for one topic per read event from four contracts, five with a challenge module', () => {
    expect(READ_TOPICS).toHaveLength(24);
    expect(new Set(READ_TOPICS).size).toBe(24);
    expect(readAddresses(contracts).sort()).toEqual(
      [contracts.taskRegistry, contracts.stakeManager, contracts.submissionBook, contracts.rewardEngine].sort(),
    );
    expect(readAddresses({ ...contracts, challengeModule: a(6) })).toContain(a(6));
    expect(readAddresses({ ...contracts, challengeModule: a(6) })).toHaveLength(5);
  });

  it('decodes challenge events through every stage, and skips them from a deployment without a module', () => {
    const module = a(6);
    const withModule = { ...contracts, challengeModule: module };
    const manifest = `0x${'cd'.repeat(32)}` as Hex;
    const at = (block: number, index = 0) => ({ address: module, block, index });
    const logs = [
      log(
        challengeModuleAbi as Abi,
        'ChallengeOpened',
        { challengeId: 1n, taskId: 2n, trainer: a(10), challenger: a(20), submissionId: 3n, bond: 5n, deadline: 900n },
        at(4),
      ),
      log(challengeModuleAbi as Abi, 'OwnershipProven', { challengeId: 1n, taskId: 2n, trainer: a(10) }, at(5)),
      log(
        challengeModuleAbi as Abi,
        'TranscriptDisclosed',
        { challengeId: 1n, taskId: 2n, trainer: a(10), manifest },
        at(5, 1),
      ),
      log(
        challengeModuleAbi as Abi,
        'ChallengeAnswered',
        { challengeId: 1n, taskId: 2n, trainer: a(10), disputeDeadline: 1_000n },
        at(5, 2),
      ),
      log(
        challengeModuleAbi as Abi,
        'SegmentDisputed',
        { challengeId: 1n, taskId: 2n, disputer: a(21), segment: 4n, commitEnd: 1_100n, voteEnd: 1_200n },
        at(6),
      ),
      log(
        challengeModuleAbi as Abi,
        'ChallengeUpheld',
        {
          challengeId: 2n,
          taskId: 2n,
          trainer: a(11),
          challenger: a(20),
          bond: 5n,
          rewards: 70n,
          slashed: 9n,
          juryShare: 7n,
        },
        at(7),
      ),
      log(
        challengeModuleAbi as Abi,
        'ChallengeCleared',
        { challengeId: 1n, taskId: 2n, trainer: a(10), challenger: a(20), bond: 5n, toTrainer: 4n, juryShare: 1n },
        at(8),
      ),
      log(
        challengeModuleAbi as Abi,
        'ChallengeVoided',
        { challengeId: 3n, taskId: 2n, trainer: a(11), challenger: a(21), bond: 5n },
        at(8, 1),
      ),
    ];
    expect(decodeArenaLogs(logs, withModule)).toEqual([
      {
        block: 4n,
        logIndex: 0,
        kind: 'ChallengeOpened',
        challengeId: 1n,
        taskId: 2n,
        trainer: a(10),
        challenger: a(20),
        submissionId: 3n,
        bond: 5n,
        deadline: 900n,
      },
      { block: 5n, logIndex: 0, kind: 'OwnershipProven', challengeId: 1n, taskId: 2n, trainer: a(10) },
      { block: 5n, logIndex: 1, kind: 'TranscriptDisclosed', challengeId: 1n, taskId: 2n, trainer: a(10), manifest },
      {
        block: 5n,
        logIndex: 2,
        kind: 'ChallengeAnswered',
        challengeId: 1n,
        taskId: 2n,
        trainer: a(10),
        disputeDeadline: 1_000n,
      },
      {
        block: 6n,
        logIndex: 0,
        kind: 'SegmentDisputed',
        challengeId: 1n,
        taskId: 2n,
        disputer: a(21),
        segment: 4n,
        commitEnd: 1_100n,
        voteEnd: 1_200n,
      },
      {
        block: 7n,
        logIndex: 0,
        kind: 'ChallengeUpheld',
        challengeId: 2n,
        taskId: 2n,
        trainer: a(11),
        challenger: a(20),
        bond: 5n,
        rewards: 70n,
        slashed: 9n,
        juryShare: 7n,
      },
      {
        block: 8n,
        logIndex: 0,
        kind: 'ChallengeCleared',
        challengeId: 1n,
        taskId: 2n,
        trainer: a(10),
        challenger: a(20),
        bond: 5n,
        toTrainer: 4n,
        juryShare: 1n,
      },
      {
        block: 8n,
        logIndex: 1,
        kind: 'ChallengeVoided',
        challengeId: 3n,
        taskId: 2n,
        trainer: a(11),
        challenger: a(21),
        bond: 5n,
      },
    ]);
    expect(decodeArenaLogs(logs, contracts)).toEqual([]);
  });

  it('decodes the revision 2 events: seeds, canaries, the qualified count, rank 0, failed canaries, rollovers', () => {
    const seed = `0x${'5e'.repeat(32)}` as Hex;
    const key = `0x${'ca'.repeat(32)}` as Hex;
    const logs = [
      log(
        submissionBookAbi as Abi,
        'CanariesCommitted',
        { taskId: 1n, epoch: 2n, keyHash: key },
        { address: contracts.submissionBook, block: 1, index: 0 },
      ),
      log(
        submissionBookAbi as Abi,
        'EvalSeedDrawn',
        { taskId: 1n, epoch: 2n, seed },
        { address: contracts.submissionBook, block: 2, index: 0 },
      ),
      log(
        submissionBookAbi as Abi,
        'CanariesRevealed',
        { taskId: 1n, epoch: 2n, canaryKey: key, mask: 5n },
        { address: contracts.submissionBook, block: 3, index: 0 },
      ),
      log(
        rewardEngineAbi as Abi,
        'EpochScored',
        { taskId: 1n, epoch: 2n, budget: 1000n, rT: 700n, rV: 300n, qualified: 1n, columns: 3n, m: 3n },
        { address: contracts.rewardEngine, block: 4, index: 0 },
      ),
      log(
        rewardEngineAbi as Abi,
        'CanaryChecked',
        { taskId: 1n, epoch: 2n, submissionId: 7n, aggregate: 5n * 10n ** 17n, agreeingStake: 40n, valid: true },
        { address: contracts.rewardEngine, block: 4, index: 1 },
      ),
      log(
        rewardEngineAbi as Abi,
        'TrainerRewarded',
        { taskId: 1n, epoch: 2n, trainer: a(11), submissionId: 8n, rank: 0n, aggregate: 10n ** 17n, pool: 0n, own: 0n },
        { address: contracts.rewardEngine, block: 4, index: 2 },
      ),
      log(
        rewardEngineAbi as Abi,
        'ValidatorRewarded',
        { taskId: 1n, epoch: 2n, validator: a(21), distance: 3n * 10n ** 16n, pool: 0n, own: 0n, failedCanary: true },
        { address: contracts.rewardEngine, block: 4, index: 3 },
      ),
      log(
        taskRegistryAbi as Abi,
        'EpochClosed',
        { taskId: 1n, epoch: 2n, booked: 880n, rollover: 100n, carry: 100n, remainder: 20n },
        { address: contracts.taskRegistry, block: 4, index: 4 },
      ),
      log(
        rewardEngineAbi as Abi,
        'EpochFinalized',
        { taskId: 1n, epoch: 2n, booked: 880n, rollover: 100n, degenerate: false },
        { address: contracts.rewardEngine, block: 4, index: 5 },
      ),
    ];
    expect(decodeArenaLogs(logs, contracts).map(({ block: _b, logIndex: _l, ...e }) => e)).toEqual([
      { kind: 'CanariesCommitted', taskId: 1n, epoch: 2n, keyHash: key },
      { kind: 'EvalSeedDrawn', taskId: 1n, epoch: 2n, seed },
      { kind: 'CanariesRevealed', taskId: 1n, epoch: 2n, canaryKey: key, mask: 5n },
      {
        kind: 'EpochScored',
        taskId: 1n,
        epoch: 2n,
        budget: 1000n,
        rT: 700n,
        rV: 300n,
        qualified: 1n,
        columns: 3n,
        m: 3n,
      },
      {
        kind: 'CanaryChecked',
        taskId: 1n,
        epoch: 2n,
        submissionId: 7n,
        aggregate: 5n * 10n ** 17n,
        agreeingStake: 40n,
        valid: true,
      },
      {
        kind: 'TrainerRewarded',
        taskId: 1n,
        epoch: 2n,
        trainer: a(11),
        submissionId: 8n,
        rank: 0n,
        aggregate: 10n ** 17n,
        pool: 0n,
        own: 0n,
      },
      {
        kind: 'ValidatorRewarded',
        taskId: 1n,
        epoch: 2n,
        validator: a(21),
        distance: 3n * 10n ** 16n,
        pool: 0n,
        own: 0n,
        failedCanary: true,
      },
      { kind: 'EpochClosed', taskId: 1n, epoch: 2n, booked: 880n, rollover: 100n, carry: 100n, remainder: 20n },
      { kind: 'EpochFinalized', taskId: 1n, epoch: 2n, booked: 880n, rollover: 100n, degenerate: false },
    ]);
  });
});
