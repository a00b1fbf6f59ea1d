// npm run bench:gas: gas of every user operation and of finalization at (16,16), (64,128),
// (256,512) with canaries (16 at the two larger sizes), measured from real transaction receipts
// on anvil with the EIP-7825 per-transaction cap enforced; the calldata-only lower bound of
// posting the scores is the in-run baseline.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join as joinPath } from 'node:path';
import {
  encodeAbiParameters,
  getAddress,
  keccak256,
  parseSignature,
  toHex,
  type Address,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import * as abis from '../src/lib/chain/abi.generated.ts';
import { PERMIT_TYPES } from '../src/lib/chain/actions/permit.ts';
import { finalEvalCommitment, sealCommitment } from '../src/lib/chain/commitments.ts';
import { DEFAULT_REWARD_PARAMS } from '../src/lib/chain/task-defaults.ts';
import { endTime, type Schedule } from '../src/lib/chain/schedule.ts';
import {
  Role,
  bookCall,
  commitScores,
  createTask,
  defaultTaskParams,
  drawEvalSeed,
  fieldKey,
  finalizeEpoch,
  fund,
  join,
  revealScores,
  revealSubmission,
  seal,
  stakeCall,
  syntheticTranscript,
  timeIn,
} from './lib/actions.ts';
import { launchArena, type Driver } from './lib/driver.ts';
import { FIXTURE_JSON } from './zk/fixtures-challenge.ts';
import {
  challenge,
  claimJuryShare,
  commitVerdict,
  discloseTranscript,
  disputeSegment,
  resolveChallenge,
  respondChallenge,
  revealVerdict,
} from '../src/lib/chain/actions/index.ts';
import { WAD } from '../src/lib/protocol/wad.ts';
const TX_CAP = 16_777_216n;
/** trainers, validators, canaries (of the trainers) per epoch */
const SIZES: [number, number, number][] = [
  [16, 16, 4],
  [64, 128, 16],
  [256, 512, 16],
];

/** keccak256(abi.encode(canaryKey)): what the creator commits before the epoch. */
const canaryKeyHash = (key: Hex) => keccak256(encodeAbiParameters([{ type: 'bytes32' }], [key]));

const actor = (label: string): Address => getAddress(`0x${keccak256(toHex(`bench/${label}`)).slice(26)}`);
const fmt = (n: bigint | number) => n.toLocaleString('en-US');

interface OpRow {
  op: string;
  gas: bigint;
  note?: string;
}

async function permitSig(d: Driver, key: `0x${string}`, spender: Address, value: bigint) {
  const owner = privateKeyToAccount(key);
  const nonce = (await d.read({
    address: d.c.token,
    abi: abis.arenaTokenAbi,
    functionName: 'nonces',
    args: [owner.address],
  })) as bigint;
  const deadline = (await d.now()) + 3600n;
  const signature = await owner.signTypedData({
    domain: { name: 'AIArena', version: '1', chainId: 31337, verifyingContract: d.c.token },
    types: PERMIT_TYPES,
    primaryType: 'Permit',
    message: { owner: owner.address, spender, value, nonce, deadline },
  });
  const { r, s, v } = parseSignature(signature);
  return { owner: owner.address, sig: { deadline, v: Number(v), r, s } };
}

/** Every user operation once, on a small task played to its end. */
async function userOperations(d: Driver): Promise<OpRow[]> {
  const rows: OpRow[] = [];
  const rec = (op: string, r: TransactionReceipt, note?: string) => rows.push({ op, gas: r.gasUsed, note });
  const creator = actor('ops/creator');
  const trainers = [actor('ops/t0'), actor('ops/t1')];
  const validators = [actor('ops/v0'), actor('ops/v1')];
  const delegator = actor('ops/d0');
  for (const who of [creator, ...trainers, ...validators, delegator]) await fund(d, who);
  rows.push({
    op: 'faucet (local chains only)',
    gas: (
      await d.send(creator, {
        address: d.c.token,
        abi: abis.arenaTokenAbi,
        functionName: 'faucet',
        args: [creator, WAD],
      })
    ).gasUsed,
  });
  rec(
    'approve',
    await d.send(creator, {
      address: d.c.token,
      abi: abis.arenaTokenAbi,
      functionName: 'approve',
      args: [d.c.stakeManager, 1n],
    }),
  );

  const finalHash = keccak256(toHex('ops/final'));
  const salt = keccak256(toHex('ops/salt'));
  const params = defaultTaskParams((await d.now()) + 400n, {
    submissionEpochs: 1,
    finalEpochs: 1,
    finalEvalCommit: finalEvalCommitment(finalHash, salt),
    // Two validators score this task: the default minValidators (3) would make it degenerate.
    reward: { ...DEFAULT_REWARD_PARAMS, minValidators: 2 },
  });
  const { taskId, schedule, receipt } = await createTask(d, creator, params);
  rec('createTask (deposit transfer included)', receipt);
  const { receipt: r2, taskId: rejectedTask } = await createTask(d, creator, params);
  void r2;
  rec(
    'object (objection during review)',
    await d.send(validators[0]!, {
      address: d.c.taskRegistry,
      abi: abis.taskRegistryAbi,
      functionName: 'object',
      args: [rejectedTask, 10n * WAD],
    }),
  );

  rec('join as trainer (with key commitment)', await join(d, taskId, trainers[0]!, Role.Trainer, 100n * WAD, WAD / 2n));
  rec('join as validator', await join(d, taskId, validators[0]!, Role.Validator, 100n * WAD, WAD / 2n));
  await join(d, taskId, validators[1]!, Role.Validator, 50n * WAD, WAD);
  const permitKey = keccak256(toHex('bench/permit-trainer'));
  const p = await permitSig(d, permitKey, d.c.stakeManager, 100n * WAD);
  await d.send(p.owner, {
    address: d.c.token,
    abi: abis.arenaTokenAbi,
    functionName: 'faucet',
    args: [p.owner, 1000n * WAD],
  });
  rec(
    'joinWithPermit (EIP-2612, no prior approve)',
    await d.send(
      p.owner,
      stakeCall(d, 'joinWithPermit', [taskId, Role.Trainer, 100n * WAD, WAD / 2n, fieldKey('k'), p.sig]),
    ),
  );
  trainers[1] = p.owner;
  rec('addStake', await d.send(trainers[0]!, stakeCall(d, 'addStake', [taskId, 10n * WAD])));
  rec('delegate (first time)', await d.send(delegator, stakeCall(d, 'delegate', [taskId, validators[0]!, 40n * WAD])));
  rec(
    'delegate (again, same epoch)',
    await d.send(delegator, stakeCall(d, 'delegate', [taskId, validators[0]!, 10n * WAD])),
  );
  const pd = await permitSig(d, keccak256(toHex('bench/permit-delegator')), d.c.stakeManager, 5n * WAD);
  await d.send(pd.owner, {
    address: d.c.token,
    abi: abis.arenaTokenAbi,
    functionName: 'faucet',
    args: [pd.owner, 100n * WAD],
  });
  rec(
    'delegateWithPermit',
    await d.send(pd.owner, stakeCall(d, 'delegateWithPermit', [taskId, trainers[0]!, 5n * WAD, pd.sig])),
  );
  const opsKey = keccak256(toHex('ops/canary-key'));
  rec('commitCanaries', await d.send(creator, bookCall(d, 'commitCanaries', [taskId, 0n, canaryKeyHash(opsKey)])));
  await d.warp(timeIn(schedule, 0, 0) + 1n);
  rec('setSigma', await d.send(validators[1]!, stakeCall(d, 'setSigma', [taskId, WAD / 4n])));

  const sealed = [];
  for (const t of trainers) {
    const s = await seal(d, taskId, 0, t, keccak256(toHex(`ops/artifact/${t}`)));
    sealed.push(s);
  }
  rec('sealSubmission', sealed[0]!.receipt);
  await d.warp(timeIn(schedule, 0, 5100));
  rec('revealSubmission (first of the task)', await revealSubmission(d, taskId, sealed[0]!));
  rec('revealSubmission', await revealSubmission(d, taskId, sealed[1]!));
  await d.warp(timeIn(schedule, 0, 6100));
  const scores = [
    [9000, 7000],
    [8800, 7200],
  ];
  rec('drawEvalSeed (first call of the epoch draws)', (await drawEvalSeed(d, taskId, 0, validators[1]!)).receipt);
  rec('drawEvalSeed (later calls return the seed)', (await drawEvalSeed(d, taskId, 0, validators[0]!)).receipt);
  rec('commitScores', await commitScores(d, taskId, 0, validators[0]!, scores[0]!));
  await commitScores(d, taskId, 0, validators[1]!, scores[1]!);
  await d.warp(timeIn(schedule, 0, 8600));
  rec('revealScores (2 columns = 1 word)', await revealScores(d, taskId, 0, validators[0]!, scores[0]!));
  await revealScores(d, taskId, 0, validators[1]!, scores[1]!);
  rec('revealCanaries (2 columns, no canary)', await d.send(creator, bookCall(d, 'revealCanaries', [taskId, opsKey])));
  rec('undelegate', await d.send(delegator, stakeCall(d, 'undelegate', [taskId, validators[0]!, 20n * WAD])));
  await d.warp(timeIn(schedule, 1, 1));
  const fin = await finalizeEpoch(d, creator, taskId);
  rec('finalize (2 x 2 epoch, one call)', fin[0]!, `${fin.length} call(s)`);
  rec(
    'revealFinalEval',
    await d.send(creator, {
      address: d.c.taskRegistry,
      abi: abis.taskRegistryAbi,
      functionName: 'revealFinalEval',
      args: [taskId, finalHash, salt],
    }),
  );
  rec(
    'withdrawDelegation (unbonded part)',
    await d.send(delegator, stakeCall(d, 'withdrawDelegation', [taskId, validators[0]!])),
  );
  rec('claimOwnRewards (validator)', await d.send(validators[0]!, stakeCall(d, 'claimOwnRewards', [taskId])));
  rec(
    'claimDelegationRewards (validator pool)',
    await d.send(delegator, stakeCall(d, 'claimDelegationRewards', [taskId, validators[0]!])),
  );
  await d.warp(endTime(schedule as Schedule) + 1n);
  rec('withdrawStake (after the end)', await d.send(validators[0]!, stakeCall(d, 'withdrawStake', [taskId])));
  rec('claimOwnRewards (trainer, vested)', await d.send(trainers[0]!, stakeCall(d, 'claimOwnRewards', [taskId])));
  rec(
    'withdrawObjection',
    await d.send(validators[0]!, {
      address: d.c.taskRegistry,
      abi: abis.taskRegistryAbi,
      functionName: 'withdrawObjection',
      args: [rejectedTask],
    }),
  );
  await d.send(creator, {
    address: d.c.rewardEngine,
    abi: abis.rewardEngineAbi,
    functionName: 'finalize',
    args: [taskId],
  });
  rec(
    'withdrawRemainder (creator)',
    await d.send(creator, {
      address: d.c.taskRegistry,
      abi: abis.taskRegistryAbi,
      functionName: 'withdrawRemainder',
      args: [taskId],
    }),
  );
  return rows;
}

interface FixtureProof {
  publicSignals: Hex[];
  proof: Hex[];
}

/**
 * The learning stage of a challenge (SPEC 7, 8.4) with the app's actions on a task of two
 * fixture trainers and three validators: respond carries a real Groth16 ownership proof from the
 * committed fixture (contracts/test/fixtures/challenge, verified on chain by the deployed
 * verifier); transcripts are synthetic commitments (the chain only records what is disclosed
 * and voted). Three challenges: A cleared without a dispute, B upheld by a vote (then the jury
 * claims), C cleared by a tied vote.
 */
async function learningStage(d: Driver): Promise<OpRow[]> {
  const rows: OpRow[] = [];
  const rec = (op: string, r: TransactionReceipt, note?: string) => rows.push({ op, gas: r.gasUsed, note });
  const fixture = JSON.parse(readFileSync(FIXTURE_JSON, 'utf8')) as {
    owners: Record<'alice' | 'bob', Address>;
    keyCommits: Record<'KA' | 'KB', Hex>;
    models: Record<'A0' | 'S', { wmCommit: Hex }>;
    proofs: Record<'aliceA0' | 'bobStolen', FixtureProof>;
  };
  const proofWords = (p: FixtureProof) => p.proof.map((x) => BigInt(x));
  const creator = actor('ls/creator');
  const [victor, j2, j3, keeper] = ['victor', 'j2', 'j3', 'keeper'].map((l) => actor(`ls/${l}`)) as [
    Address,
    Address,
    Address,
    Address,
  ];
  const { alice, bob } = fixture.owners;
  for (const who of [creator, victor, j2, j3, alice, bob]) await fund(d, who);
  // The challenger approves the module once; the challenge row is then the call alone.
  await d.send(victor, {
    address: d.c.token,
    abi: abis.arenaTokenAbi,
    functionName: 'approve',
    args: [d.c.challengeModule!, 2n ** 256n - 1n],
  });
  const params = defaultTaskParams((await d.now()) + 400n, {
    submissionEpochs: 2,
    challengeEpochs: 3,
    reward: { ...DEFAULT_REWARD_PARAMS, minValidators: 1 },
    challenge: { bond: 10n * WAD, responseTime: 300, slashBps: 5_000, disputeTime: 200, voteTime: 200, juryBps: 1_000 },
  });
  const { taskId, schedule } = await createTask(d, creator, params);
  await d.send(alice, stakeCall(d, 'join', [taskId, Role.Trainer, 20n * WAD, WAD / 2n, fixture.keyCommits.KA]));
  await d.send(bob, stakeCall(d, 'join', [taskId, Role.Trainer, 20n * WAD, WAD / 2n, fixture.keyCommits.KB]));
  // victor weighs as much as j2 and j3 together: C's tie.
  await join(d, taskId, victor, Role.Validator, 30n * WAD, WAD);
  await join(d, taskId, j2, Role.Validator, 15n * WAD, WAD);
  await join(d, taskId, j3, Role.Validator, 15n * WAD, WAD);

  /** Seals and reveals each (trainer, wmCommit) in `epoch`; returns the submission ids. */
  const play = async (epoch: number, subs: readonly (readonly [Address, Hex])[]) => {
    await d.warp(timeIn(schedule, epoch, 100));
    const opened = subs.map(([trainer, wmCommit]) => ({
      trainer,
      artifact: keccak256(toHex(`ls/artifact/${trainer}/${epoch}`)),
      wmCommit,
      transcript: syntheticTranscript(trainer, epoch),
      salt: keccak256(toHex(`ls/salt/${trainer}/${epoch}`)),
    }));
    for (const s of opened) {
      const c = sealCommitment(taskId, BigInt(epoch), s.trainer, s.artifact, s.wmCommit, s.transcript, s.salt);
      await d.send(s.trainer, bookCall(d, 'sealSubmission', [taskId, c]));
    }
    await d.warp(timeIn(schedule, epoch, 5100));
    const ids: bigint[] = [];
    for (const s of opened) {
      const r = await d.send(
        s.trainer,
        bookCall(d, 'revealSubmission', [taskId, s.artifact, s.artifact, s.wmCommit, s.transcript, s.salt]),
      );
      const ev = d.events(r).find((e) => e.eventName === 'SubmissionRevealed');
      ids.push((ev!.args as { submissionId: bigint }).submissionId);
    }
    return ids;
  };
  const [subA, subB] = await play(0, [
    [alice, fixture.models.A0.wmCommit],
    [bob, fixture.models.S.wmCommit],
  ]);
  const [subC] = await play(1, [[alice, fixture.models.A0.wmCommit]]);
  const as = (who: Address) => d.actionContext(who);
  const manifest = (id: bigint) => keccak256(toHex(`ls/manifest/${id}`));
  const salt = (who: Address, id: bigint) => keccak256(toHex(`ls/verdict/${who}/${id}`));

  // A: proof, disclosure, no dispute in time, cleared.
  const a = await challenge(as(victor), { taskId, submissionId: subA! });
  rec('challenge (bond approved before)', a.receipt);
  const aProof = await respondChallenge(as(alice), {
    challengeId: a.challengeId,
    proof: proofWords(fixture.proofs.aliceA0),
  });
  rec('respond (real Groth16 proof, verified on chain)', aProof.receipt);
  const aDisc = await discloseTranscript(as(alice), { challengeId: a.challengeId, manifest: manifest(a.challengeId) });
  rec('discloseTranscript (completes the response)', aDisc.receipt);
  await d.warp(aDisc.disputeDeadline! + 1n);
  const aRes = await resolveChallenge(as(keeper), { challengeId: a.challengeId });
  if (aRes.outcome !== 'cleared') throw new Error(`challenge A: ${aRes.outcome}, expected cleared`);
  rec('resolve, cleared (no dispute: bond to the trainer)', aRes.receipt);

  // B: dispute, 45 against 15 for "does not replay", upheld, the majority jurors claim.
  const b = await challenge(as(victor), { taskId, submissionId: subB! });
  await respondChallenge(as(bob), { challengeId: b.challengeId, proof: proofWords(fixture.proofs.bobStolen) });
  await discloseTranscript(as(bob), { challengeId: b.challengeId, manifest: manifest(b.challengeId) });
  const bDisp = await disputeSegment(as(victor), { challengeId: b.challengeId, segment: 5 });
  rec('disputeSegment', bDisp.receipt);
  const bVotes = [
    [victor, false],
    [j2, false],
    [j3, true],
  ] as const;
  const commits = [];
  for (const [who, replays] of bVotes)
    commits.push(await commitVerdict(as(who), { challengeId: b.challengeId, replays, salt: salt(who, b.challengeId) }));
  rec('commitVerdict', commits[0]!.receipt);
  await d.warp(bDisp.commitEnd);
  const reveals = [];
  for (const [who, replays] of bVotes)
    reveals.push(await revealVerdict(as(who), { challengeId: b.challengeId, replays, salt: salt(who, b.challengeId) }));
  rec('revealVerdict (first of the vote)', reveals[0]!.receipt);
  rec('revealVerdict (later)', reveals[1]!.receipt);
  await d.warp(bDisp.voteEnd + 1n);
  const bRes = await resolveChallenge(as(keeper), { challengeId: b.challengeId });
  if (bRes.outcome !== 'upheld') throw new Error(`challenge B: ${bRes.outcome}, expected upheld`);
  rec('resolve, upheld after a vote (slash, jury pot)', bRes.receipt);
  rec('claimJuryShare (first)', (await claimJuryShare(as(victor), { challengeId: b.challengeId })).receipt);
  rec(
    'claimJuryShare (last, takes the rounding rest)',
    (await claimJuryShare(as(j2), { challengeId: b.challengeId })).receipt,
  );

  // C: dispute, 30 against 30: a tie clears the trainer.
  const c = await challenge(as(victor), { taskId, submissionId: subC! });
  await respondChallenge(as(alice), { challengeId: c.challengeId, proof: proofWords(fixture.proofs.aliceA0) });
  await discloseTranscript(as(alice), { challengeId: c.challengeId, manifest: manifest(c.challengeId) });
  const cDisp = await disputeSegment(as(j3), { challengeId: c.challengeId, segment: 0 });
  const cVotes = [
    [victor, false],
    [j2, true],
    [j3, true],
  ] as const;
  for (const [who, replays] of cVotes)
    await commitVerdict(as(who), { challengeId: c.challengeId, replays, salt: salt(who, c.challengeId) });
  await d.warp(cDisp.commitEnd);
  for (const [who, replays] of cVotes)
    await revealVerdict(as(who), { challengeId: c.challengeId, replays, salt: salt(who, c.challengeId) });
  await d.warp(cDisp.voteEnd + 1n);
  const cRes = await resolveChallenge(as(keeper), { challengeId: c.challengeId });
  if (cRes.outcome !== 'cleared') throw new Error(`challenge C: ${cRes.outcome}, expected cleared`);
  rec('resolve, cleared after a tied vote (bond to the trainer)', cRes.receipt);
  return rows;
}

interface SizeRow {
  n: number;
  m: number;
  canaries: number;
  commitCanaries: bigint;
  drawEvalSeed: bigint;
  revealCanaries: bigint;
  epoch: number;
  calls: number;
  total: bigint;
  largest: bigint;
  revealScoresAvg: bigint;
  calldataFloor: bigint;
}

/**
 * One task of n trainers and m validators, finalized for two epochs (cold, then steady); the
 * first `canaries` trainers are the creator's probe accounts. tolV = 1 puts every score within
 * tolerance, so every cell computes its weight (the most work finalization can have).
 */
async function finalization(d: Driver, n: number, m: number, canaries: number): Promise<SizeRow[]> {
  const creator = actor(`size${n}x${m}/creator`);
  await fund(d, creator);
  const params = defaultTaskParams((await d.now()) + 400n, {
    submissionEpochs: 2,
    reward: { ...DEFAULT_REWARD_PARAMS, tolV: WAD },
  });
  const { taskId, schedule } = await createTask(d, creator, params);
  const keys = [0, 1].map((e) => keccak256(toHex(`size${n}x${m}/canaries/${e}`)));
  const commitGas: bigint[] = [];
  for (const [e, key] of keys.entries()) {
    commitGas.push(
      (await d.send(creator, bookCall(d, 'commitCanaries', [taskId, BigInt(e), canaryKeyHash(key)]))).gasUsed,
    );
  }
  const trainers = Array.from({ length: n }, (_, i) => actor(`size${n}x${m}/t${i}`));
  const validators = Array.from({ length: m }, (_, j) => actor(`size${n}x${m}/v${j}`));
  for (const [i, t] of trainers.entries()) {
    await fund(d, t);
    await join(d, taskId, t, Role.Trainer, (10n + BigInt(i)) * WAD, WAD / 3n);
  }
  for (const [j, v] of validators.entries()) {
    await fund(d, v);
    await join(d, taskId, v, Role.Validator, (10n + BigInt(j % 50)) * WAD, (WAD * 3n) / 5n);
    if (j % 3 === 0) {
      const del = actor(`size${n}x${m}/d${j}`);
      await fund(d, del);
      await d.send(del, stakeCall(d, 'delegate', [taskId, v, 5n * WAD]));
    }
  }
  const rows: SizeRow[] = [];
  for (const epoch of [0, 1]) {
    await d.warp(timeIn(schedule, epoch, 100));
    const sealed = [];
    for (const [i, t] of trainers.entries()) {
      const artifact = keccak256(toHex(`a/${t}/${epoch}`));
      sealed.push(
        i < canaries
          ? await sealCanary(d, taskId, epoch, t, artifact, keys[epoch]!)
          : await seal(d, taskId, epoch, t, artifact),
      );
    }
    await d.warp(timeIn(schedule, epoch, 5100));
    for (const s of sealed) await revealSubmission(d, taskId, s);
    const sheet = (j: number) =>
      trainers.map((_, i) => Number(BigInt(keccak256(toHex(`${i}/${j}/${epoch}`))) % 10_001n));
    await d.warp(timeIn(schedule, epoch, 6100));
    const seedGas = (await drawEvalSeed(d, taskId, epoch, validators[0]!)).receipt.gasUsed;
    for (const [j, v] of validators.entries()) await commitScores(d, taskId, epoch, v, sheet(j));
    await d.warp(timeIn(schedule, epoch, 8600));
    let revealGas = 0n;
    for (const [j, v] of validators.entries()) revealGas += (await revealScores(d, taskId, epoch, v, sheet(j))).gasUsed;
    const canaryReveal = await d.send(creator, bookCall(d, 'revealCanaries', [taskId, keys[epoch]!]));
    const revealed = d.events(canaryReveal).find((e) => e.eventName === 'CanariesRevealed');
    const mask = (revealed!.args as { mask: bigint }).mask;
    if (mask !== (1n << BigInt(canaries)) - 1n)
      throw new Error(`${n} x ${m}: canary mask ${mask.toString(2)}, expected ${canaries} canaries`);
    await d.warp(timeIn(schedule, epoch + 1, 1));
    const receipts = await finalizeEpoch(d, creator, taskId);
    const gas = receipts.map((r) => r.gasUsed);
    rows.push({
      n,
      m,
      canaries,
      commitCanaries: commitGas[epoch]!,
      drawEvalSeed: seedGas,
      revealCanaries: canaryReveal.gasUsed,
      epoch,
      calls: receipts.length,
      total: gas.reduce((a, b) => a + b, 0n),
      largest: gas.reduce((a, b) => (b > a ? b : a), 0n),
      revealScoresAvg: revealGas / BigInt(m),
      // Posting n*m two-byte scores as calldata: 16 gas per non-zero byte (EIP-2028), nothing else.
      calldataFloor: BigInt(n * m * 2 * 16),
    });
    process.stdout.write(
      `  ${n} x ${m} epoch ${epoch}: ${receipts.length} finalize calls, largest ${fmt(rows.at(-1)!.largest)} gas\n`,
    );
  }
  return rows;
}

/** seal() with the creator's canary salt for `key` instead of a random one. */
async function sealCanary(d: Driver, taskId: bigint, epoch: number, trainer: Address, artifact: Hex, key: Hex) {
  const wmCommit = keccak256(toHex(`wm/${trainer}/${epoch}`));
  const salt = await d.read<Hex>(bookCall(d, 'canarySalt', [taskId, BigInt(epoch), trainer, key]));
  const transcript = syntheticTranscript(trainer, epoch);
  const commitment = sealCommitment(taskId, BigInt(epoch), trainer, artifact, wmCommit, transcript, salt);
  const receipt = await d.send(trainer, bookCall(d, 'sealSubmission', [taskId, commitment]));
  const ev = d.events(receipt).find((e) => e.eventName === 'SubmissionSealed');
  return { trainer, artifact, wmCommit, transcript, salt, seq: (ev!.args as { seq: bigint }).seq, receipt };
}

function opTable(ops: OpRow[]): string {
  return [
    '| operation | gas (receipt) |',
    '|---|---:|',
    ...ops.map((r) => `| ${r.op}${r.note ? ` (${r.note})` : ''} | ${fmt(r.gas)} |`),
  ].join('\n');
}

function render(ops: OpRow[], learning: OpRow[], sizes: SizeRow[], meta: string): string {
  const sizeTable = [
    '| trainers x validators | epoch | finalize calls | total finalize gas | largest single tx | under 15M | revealScores avg / validator | calldata-only lower bound of the scores | total finalize / lower bound |',
    '|---|---|---:|---:|---:|---|---:|---:|---:|',
    ...sizes.map(
      (r) =>
        `| ${r.n} x ${r.m} | ${r.epoch === 0 ? 'first (cold storage)' : 'second (steady state)'} | ${r.calls} | ${fmt(r.total)} | ${fmt(r.largest)} | ${r.largest < 15_000_000n ? 'yes' : '**NO**'} | ${fmt(r.revealScoresAvg)} | ${fmt(r.calldataFloor)} | ${(Number(r.total) / Number(r.calldataFloor)).toFixed(1)}x |`,
    ),
  ].join('\n');
  const canaryTable = [
    '| trainers x validators | epoch | canaries | commitCanaries | drawEvalSeed (draws) | revealCanaries (scans every column) |',
    '|---|---|---:|---:|---:|---:|',
    ...sizes.map(
      (r) =>
        `| ${r.n} x ${r.m} | ${r.epoch === 0 ? 'first' : 'second'} | ${r.canaries} | ${fmt(r.commitCanaries)} | ${fmt(r.drawEvalSeed)} | ${fmt(r.revealCanaries)} |`,
    ),
  ].join('\n');
  return `# Gas benchmark

Generated by \`npm run bench:gas\` (scripts/bench-gas.ts). ${meta}

Every number is \`gasUsed\` from a real transaction receipt on anvil, run with EIP-7825's
per-transaction cap (${fmt(TX_CAP)}) enforced, so a transaction over it would have failed the run.

## User operations

${opTable(ops)}

## Challenges (learning stage)

Three challenges on a task of two trainers and three validators (stakes 30, 15, 15), driven by
the app's actions (src/lib/chain/actions): the accused responds with a real Groth16 ownership
proof from the committed fixture (contracts/test/fixtures/challenge), verified on chain by the
deployed verifier, and discloses its transcript manifest; the transcripts are synthetic
commitments (8 segments), since the chain only records what is disclosed and voted. A: no
dispute in time, cleared. B: a disputed segment, verdicts 45 against 15 for "does not replay",
upheld (half the trainer's stake slashed, 10% of it to the jury), then the two majority jurors
claim. C: a disputed segment and a 30-30 tie, cleared. The rows are A's challenge, respond,
disclose and resolve, B's dispute, first commit, reveals, resolve and claims, and C's resolve.

${opTable(learning)}

## Finalization

Each task has every trainer seal and reveal and every validator commit and reveal a full score
sheet of uniform random scores; a third of the validators have a delegator; the first trainers
are the creator's canaries (4 at 16 x 16, 16 otherwise: the most an epoch may have), revealed
every epoch, so the canary stage runs. The task uses the default reward parameters except
tolV = 1, which keeps every score within tolerance: every cell computes its weight, the most work
finalization can have. "First" is the task's first epoch (every scratch and pool slot is written
fresh); "second" is the steady state. The baseline is the calldata-only lower bound of the
scores: what it would cost merely to post the n x m two-byte scores as calldata at 16 gas per
byte (EIP-2028), with no storage and no computation; the last column is total finalization gas
over that baseline, measured in the same run.

${sizeTable}

## Evaluation seeds and canaries

Per size and epoch: the creator's canary commitment, the transaction that draws the epoch's
evaluation seed, and the creator's canary reveal, which scans every column of the epoch.

${canaryTable}
`;
}

async function main() {
  const started = Date.now();
  const d = await launchArena();
  try {
    console.log('user operations...');
    const ops = await userOperations(d);
    console.log('challenge learning stage...');
    const learning = await learningStage(d);
    const sizes: SizeRow[] = [];
    const loadBefore = loadavg()[0]!;
    for (const [n, m, canaries] of SIZES) {
      console.log(`finalization ${n} x ${m} (${canaries} canaries)...`);
      sizes.push(...(await finalization(d, n, m, canaries)));
    }
    const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load average ${loadBefore.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (gas does not depend on it)`;
    const meta = `Run ${new Date().toISOString().slice(0, 10)}: solc 0.8.28 (optimizer, 200 runs, cancun), anvil 1.7.1; ${d.sent} transactions in ${((Date.now() - started) / 1000).toFixed(0)} s on ${machine}.`;
    const md = render(ops, learning, sizes, meta);
    const dir = joinPath(import.meta.dirname, '..', 'docs', 'bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(joinPath(dir, 'gas.md'), md);
    console.log(`\n${md}\nwrote docs/bench/gas.md`);
    const over = sizes.filter((r) => r.largest >= 15_000_000n);
    if (over.length) {
      console.error(
        `FAIL: a finalization transaction needed 15M gas or more: ${over.map((r) => `${r.n}x${r.m}`).join(', ')}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await d.stop();
  }
}

await main();
