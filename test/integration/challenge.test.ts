// The challenge module as deployed by deployArena (what `npm start` and `npm run deploy` run) on
// anvil: bound to the stake manager with the generated verifier, a challenge answered with a real
// Groth16 proof from the committed fixture (contracts/test/fixtures/challenge) and a disclosure,
// which nobody disputes, so the bond goes to the trainer (SPEC 7 step 3), and an unanswered one
// resolved after its deadline. Prints the gas of the transactions.
import { readFileSync } from 'node:fs';
import { getAddress, keccak256, parseEventLogs, toHex, type Address, type Hex, type TransactionReceipt } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeModuleAbi, stakeManagerAbi, arenaTokenAbi } from '../../src/lib/chain/abi.generated.ts';
import { CHALLENGE_MAX_ERR } from '../../src/lib/chain/deploy.ts';
import { sealCommitment } from '../../src/lib/chain/commitments.ts';
import type { Schedule } from '../../src/lib/chain/schedule.ts';
import {
  bookCall,
  createTask,
  defaultTaskParams,
  fund,
  Role,
  stakeCall,
  syntheticTranscript,
  timeIn,
} from '../../scripts/lib/actions.ts';
import { launchArena, type Driver } from '../../scripts/lib/driver.ts';
import { FIXTURE_JSON } from '../../scripts/zk/fixtures-challenge.ts';

interface FixtureProof {
  publicSignals: Hex[];
  proof: Hex[];
}
const fixture = JSON.parse(readFileSync(FIXTURE_JSON, 'utf8')) as {
  owners: Record<'alice' | 'carol', Address>;
  keyCommits: Record<'KA' | 'KC', Hex>;
  models: Record<'A0' | 'C12', { wmCommit: Hex }>;
  proofs: Record<'aliceA0', FixtureProof>;
};

const WAD = 10n ** 18n;
const BOND = 10n * WAD;
const STAKE = 20n * WAD;
const SLASH_BPS = 5000n;
const RESPONSE = 3600;
const DISPUTE = 1800;
const MAX_UINT = 2n ** 256n - 1n;

let d: Driver;
const alice = fixture.owners.alice;
const carol = fixture.owners.carol;
const validator = '0x00000000000000000000000000000000000c4a11' as Address;
let taskId: bigint;
let schedule: Schedule;

const moduleCall = (functionName: string, args: readonly unknown[]) => ({
  address: d.c.challengeModule!,
  abi: challengeModuleAbi,
  functionName,
  args,
});
const balance = (who: Address) =>
  d.read<bigint>({ address: d.c.token, abi: arenaTokenAbi, functionName: 'balanceOf', args: [who] });
const challengeEvents = (r: TransactionReceipt) => parseEventLogs({ abi: challengeModuleAbi, logs: r.logs });

beforeAll(async () => {
  d = await launchArena();
  const creator = '0x00000000000000000000000000000000000c4ea7' as Address;
  await fund(d, creator);
  ({ taskId, schedule } = await createTask(
    d,
    creator,
    defaultTaskParams((await d.now()) + 200n, {
      challenge: {
        bond: BOND,
        responseTime: RESPONSE,
        slashBps: Number(SLASH_BPS),
        disputeTime: DISPUTE,
        voteTime: 600,
        juryBps: 1_000,
      },
    }),
  ));
  for (const [who, key] of [
    [alice, fixture.keyCommits.KA],
    [carol, fixture.keyCommits.KC],
  ] as const) {
    await fund(d, who, STAKE);
    await d.send(who, stakeCall(d, 'join', [taskId, Role.Trainer, STAKE, WAD / 2n, key]));
  }
  await fund(d, validator, STAKE + 2n * BOND);
  await d.send(validator, stakeCall(d, 'join', [taskId, Role.Validator, STAKE, WAD / 2n, `0x${'0'.repeat(64)}`]));
  await d.send(validator, {
    address: d.c.token,
    abi: arenaTokenAbi,
    functionName: 'approve',
    args: [d.c.challengeModule!, MAX_UINT],
  });

  // Epoch 0: alice reveals A0, carol C12 (submissions 0 and 1).
  const subs = [
    { who: alice, wm: fixture.models.A0.wmCommit },
    { who: carol, wm: fixture.models.C12.wmCommit },
  ];
  const salt = (who: Address) => keccak256(toHex(`salt/${who}`));
  const artifact = (who: Address) => keccak256(toHex(`artifact/${who}`));
  await d.warp(timeIn(schedule, 0, 100));
  for (const s of subs) {
    await d.send(
      s.who,
      bookCall(d, 'sealSubmission', [
        taskId,
        sealCommitment(taskId, 0n, s.who, artifact(s.who), s.wm, syntheticTranscript(s.who, 0), salt(s.who)),
      ]),
    );
  }
  await d.warp(timeIn(schedule, 0, 5500));
  for (const s of subs)
    await d.send(
      s.who,
      bookCall(d, 'revealSubmission', [
        taskId,
        artifact(s.who),
        artifact(s.who),
        s.wm,
        syntheticTranscript(s.who, 0),
        salt(s.who),
      ]),
    );
}, 120_000);

afterAll(async () => {
  await d?.stop();
});

describe('ChallengeModule deployed by deployArena', () => {
  it('is bound to the stake manager, with the verifier and the tolerance', async () => {
    expect(d.c.challengeModule).toBeDefined();
    const same = async (read: Promise<unknown>, expected: Address | undefined) =>
      expect(getAddress(String(await read))).toBe(getAddress(expected!));
    await same(
      d.read({ address: d.c.stakeManager, abi: stakeManagerAbi, functionName: 'challengeModule' }),
      d.c.challengeModule,
    );
    await same(d.read(moduleCall('verifier', [])), d.c.watermarkVerifier);
    await same(d.read(moduleCall('stakes', [])), d.c.stakeManager);
    await same(d.read(moduleCall('book', [])), d.c.submissionBook);
    expect(await d.read(moduleCall('maxErr', []))).toBe(CHALLENGE_MAX_ERR);
  });

  it('a trainer that answers with a real proof and a disclosure, undisputed, keeps everything and wins the bond', async () => {
    const before = { alice: await balance(alice), validator: await balance(validator) };
    const opened = await d.send(validator, moduleCall('challenge', [taskId, 0n]));
    const ev = challengeEvents(opened).find((e) => e.eventName === 'ChallengeOpened');
    expect(ev?.args).toMatchObject({
      challengeId: 1n,
      taskId,
      trainer: alice,
      challenger: validator,
      submissionId: 0n,
      bond: BOND,
    });
    // The claim the chain asks for is exactly the fixture's public signals.
    const proof = fixture.proofs.aliceA0;
    const inputs = await d.read<readonly bigint[]>(moduleCall('responseInputs', [1n]));
    expect(inputs).toEqual(proof.publicSignals.map((x) => BigInt(x)));

    const proven = await d.send(alice, moduleCall('respond', [1n, proof.proof.map((x) => BigInt(x))]));
    expect(challengeEvents(proven).map((e) => e.eventName)).toEqual(['OwnershipProven']);
    const disclosed = await d.send(alice, moduleCall('disclose', [1n, keccak256(toHex('manifest'))]));
    expect(challengeEvents(disclosed).map((e) => e.eventName)).toEqual(['TranscriptDisclosed', 'ChallengeAnswered']);
    const disputeDeadline = (
      challengeEvents(disclosed).find((e) => e.eventName === 'ChallengeAnswered')!.args as { disputeDeadline: bigint }
    ).disputeDeadline;
    expect(await balance(d.c.challengeModule!)).toBe(BOND);
    await d.warp(disputeDeadline + 1n);
    const cleared = await d.send(validator, moduleCall('resolve', [1n]));
    expect(challengeEvents(cleared).find((e) => e.eventName === 'ChallengeCleared')?.args).toMatchObject({
      challengeId: 1n,
      trainer: alice,
      bond: BOND,
      toTrainer: BOND,
      juryShare: 0n,
    });
    expect(await balance(alice)).toBe(before.alice + BOND);
    expect(await balance(validator)).toBe(before.validator - BOND);
    expect(await balance(d.c.challengeModule!)).toBe(0n);
    console.info(
      `challenge: ${opened.gasUsed} gas; respond with the real verifier: ${proven.gasUsed} gas; disclose: ${disclosed.gasUsed} gas; resolve (cleared): ${cleared.gasUsed} gas (transactions)`,
    );
    expect(proven.gasUsed).toBeLessThan(400_000n);
  });

  it('slashes a trainer that does not answer, once its deadline has passed', async () => {
    const opened = await d.send(validator, moduleCall('challenge', [taskId, 1n]));
    const deadline = (
      challengeEvents(opened).find((e) => e.eventName === 'ChallengeOpened')!.args as { deadline: bigint }
    ).deadline;
    const before = await balance(validator);
    // Simulated, so the revert decodes against the module's own errors.
    await expect(
      d.client.simulateContract({
        address: d.c.challengeModule!,
        abi: challengeModuleAbi,
        functionName: 'resolve',
        args: [2n],
        account: validator,
      }),
    ).rejects.toThrow(/ResponseWindowOpen/);
    await d.warp(deadline + 1n);
    const resolved = await d.send(validator, moduleCall('resolve', [2n]));
    const slashed = (STAKE * SLASH_BPS) / 10_000n;
    const upheld = challengeEvents(resolved).find((e) => e.eventName === 'ChallengeUpheld');
    expect(upheld?.args).toMatchObject({
      challengeId: 2n,
      trainer: carol,
      challenger: validator,
      bond: BOND,
      rewards: 0n,
      slashed,
    });
    expect(await balance(validator)).toBe(before + BOND + slashed);
    console.info(`resolve (upheld): ${resolved.gasUsed} gas`);
  });
});
