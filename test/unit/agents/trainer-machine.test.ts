// The trainer machine, pure: every window and state it can be in, driven by hand-made
// observations (no ports, no chain). The commitments it builds are checked against
// sealCommitment, the contracts' formula.
import { keccak256, stringToHex, zeroHash } from 'viem';
import { describe, expect, it } from 'vitest';
import { sealCommitment } from '../../../src/lib/chain/commitments.ts';
import {
  DEFAULT_TRAINER_CONFIG,
  initialTrainerState,
  sealReserve,
  trainerCommand,
  trainerReads,
  trainerRecord,
  trainerResultReads,
  trainerStep,
  type EpochOutcomeObservation,
  type TrainerAction,
  type TrainerObservation,
  type TrainerOutcome,
  type TrainerState,
} from '../../../src/lib/agents/trainer/machine.ts';
import {
  KEY_COMMIT,
  SCHEDULE,
  TRAINER,
  at,
  candidate,
  hex32,
  noSeal,
  tobs,
  trainerScope,
  transcriptOf,
} from './fixtures.ts';
import { MISSING_TRANSCRIPT } from '../../../src/lib/agents/transcript-gap.ts';

const types = (actions: TrainerAction[]) => actions.filter((a) => a.type !== 'explain').map((a) => a.type);
const notes = (actions: TrainerAction[]) => actions.flatMap((a) => (a.type === 'explain' ? [a.note] : []));
const find = <T extends TrainerAction['type']>(actions: TrainerAction[], type: T) =>
  actions.find((a) => a.type === type) as Extract<TrainerAction, { type: T }> | undefined;

function trained(
  state: TrainerState,
  n: number,
  over: Partial<Extract<TrainerOutcome, { type: 'trained' }>> = {},
  cand = {},
): TrainerState {
  return trainerRecord(state, {
    type: 'trained',
    status: 'completed',
    plannedEpochs: 30,
    candidate: candidate(n, cand),
    at: 950n,
    ...over,
  }).state;
}

/** A joined trainer that finished a sealable run before the task started. */
function ready(): TrainerState {
  let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
  s = trainerStep(s, tobs({ now: 950n })).state;
  return trained(s, 1);
}

function step(s: TrainerState, obs: TrainerObservation) {
  return trainerStep(s, obs);
}

describe('trainer machine: windows', () => {
  // For a trainer with a sealable model and no run in progress: what each moment of the task
  // asks of it, with the chain showing nothing from it yet.
  const cases: { name: string; now: bigint; expect: string[]; phase: TrainerState['phase'] }[] = [
    { name: 'review', now: 800n, expect: [], phase: 'waiting-seal' },
    { name: 'pending (after review, before start)', now: 950n, expect: [], phase: 'waiting-seal' },
    { name: 'seal window opens', now: at(0, 0), expect: ['seal'], phase: 'sealed' },
    { name: 'seal window, last second', now: at(0, 499), expect: ['seal'], phase: 'sealed' },
    { name: 'reveal window without a seal', now: at(0, 550), expect: [], phase: 'waiting-seal' },
    { name: 'score commit window', now: at(0, 700), expect: [], phase: 'waiting-seal' },
    { name: 'last submission epoch, seal window', now: at(2, 10), expect: ['seal'], phase: 'sealed' },
    { name: 'final phase', now: at(3, 10), expect: [], phase: 'submissions-over' },
    { name: 'challenge phase', now: at(4, 10), expect: [], phase: 'submissions-over' },
    { name: 'ended', now: at(6, 10), expect: [], phase: 'submissions-over' },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.expect.join(', ') || 'nothing to do'}`, () => {
      const r = step(ready(), tobs({ now: c.now }));
      expect(types(r.actions)).toEqual(c.expect);
      expect(r.state.phase).toBe(c.phase);
    });
  }

  it("seals with a salt from the entropy and the contracts' commitment formula, stored in the returned state", () => {
    const entropy = hex32(0x5a17);
    const r = step(ready(), tobs({ now: at(1, 10), seals: { 1: noSeal }, entropy }));
    const seal = find(r.actions, 'seal')!;
    const best = candidate(1);
    expect(seal).toEqual({
      type: 'seal',
      epoch: 1,
      commitment: sealCommitment(7n, 1n, TRAINER, best.artifactHash, best.wmCommit, transcriptOf(1), entropy),
      artifactHash: best.artifactHash,
      wmCommit: best.wmCommit,
      transcript: transcriptOf(1),
      salt: entropy,
    });
    // The state the runner stores before sending already holds everything a reveal needs.
    const rec = r.state.epochs.find((e) => e.epoch === 1)!;
    expect(rec.seal).toMatchObject({
      salt: entropy,
      commitment: seal.commitment,
      artifactHash: best.artifactHash,
      wmCommit: best.wmCommit,
      transcript: transcriptOf(1),
      status: 'prepared',
    });
    // The training result carried its transcript: nothing to warn about.
    expect(r.actions.some((a) => a.type === 'explain' && a.note.key.startsWith('no-transcript/'))).toBe(false);
  });

  it('a model without a transcript is sealed with the documented placeholder, and the agent says it cannot be defended', () => {
    const entropy = hex32(0x5a18);
    const s = ready();
    s.best = { ...s.best!, transcript: null };
    const r = step(s, tobs({ now: at(1, 10), seals: { 1: noSeal }, entropy }));
    const seal = find(r.actions, 'seal')!;
    expect(seal.transcript).toEqual(MISSING_TRANSCRIPT);
    expect(seal.transcript.trajRoot).toBe(keccak256(stringToHex('aiarena/transcript/missing/v1')));
    expect(seal.commitment).toBe(
      sealCommitment(7n, 1n, TRAINER, s.best!.artifactHash, s.best!.wmCommit, MISSING_TRANSCRIPT, entropy),
    );
    const warning = r.actions.find((a) => a.type === 'explain' && a.note.key === 'no-transcript/1');
    expect(warning).toMatchObject({ note: { level: 'warn' } });
    expect(warning!.type === 'explain' && warning!.note.message).toMatch(/cannot be answered with a disclosure/);
  });

  it('a whole epoch: seal, upload, reveal, then nothing more', () => {
    let s = ready();
    let r = step(s, tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const { commitment } = find(r.actions, 'seal')!;
    s = trainerRecord(r.state, { type: 'sent', action: 'seal', epoch: 0, txHash: hex32(1), at: at(0, 6) }).state;
    r = step(s, tobs({ now: at(0, 100), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.phase).toBe('sealed');

    r = step(r.state, tobs({ now: at(0, 500), seals: { 0: { commitment, revealed: false } } }));
    expect(find(r.actions, 'upload')).toEqual({ type: 'upload', epoch: 0, artifactHash: candidate(1).artifactHash });
    // The root of a file of several chunks (not its hash), as the upload answered it.
    const root = hex32(0x2007);
    s = trainerRecord(r.state, {
      type: 'uploaded',
      epoch: 0,
      artifactHash: candidate(1).artifactHash,
      cid: 'bafybeiexample',
      artifactRoot: root,
      at: at(0, 501),
    }).state;
    r = step(s, tobs({ now: at(0, 502), seals: { 0: { commitment, revealed: false } } }));
    const seal = s.epochs[0]!.seal!;
    expect(seal).toMatchObject({ cid: 'bafybeiexample', artifactRoot: root });
    expect(find(r.actions, 'reveal')).toEqual({
      type: 'reveal',
      epoch: 0,
      artifactHash: seal.artifactHash,
      artifactRoot: root,
      wmCommit: seal.wmCommit,
      transcript: seal.transcript,
      salt: seal.salt,
    });
    expect(seal.transcript).toEqual(transcriptOf(1));
    expect(sealCommitment(7n, 0n, TRAINER, seal.artifactHash, seal.wmCommit, seal.transcript, seal.salt)).toBe(
      commitment,
    );
    s = trainerRecord(r.state, { type: 'sent', action: 'reveal', epoch: 0, txHash: hex32(2), at: at(0, 503) }).state;
    r = step(s, tobs({ now: at(0, 510), seals: { 0: { commitment, revealed: true } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('revealed');
    expect(r.state.phase).toBe('revealed');
    // The epoch is settled: it is no longer read from the chain.
    expect(trainerReads(r.state, SCHEDULE, at(0, 700))).toEqual([0]);
    expect(trainerReads(r.state, SCHEDULE, at(1, 0))).toEqual([1]);
  });

  it('seals again in every submission epoch, each with its own salt', () => {
    let s = ready();
    const commitments: string[] = [];
    for (const e of [0, 1, 2]) {
      const r = step(s, tobs({ now: at(e, 1), seals: { [e]: noSeal } }));
      commitments.push(find(r.actions, 'seal')!.commitment);
      s = r.state;
    }
    expect(new Set(commitments).size).toBe(3);
    expect(new Set(s.epochs.map((e) => e.seal!.salt)).size).toBe(3);
  });
});

describe('trainer machine: idempotency and reorganizations', () => {
  it('never seals when the chain already shows its seal, and never reveals when the chain shows the reveal', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const { commitment } = find(r.actions, 'seal')!;
    // The runner crashed before recording the receipt; the chain has the seal.
    for (const t of [10, 100, 300, 499]) {
      r = step(r.state, tobs({ now: at(0, t), seals: { 0: { commitment, revealed: false } } }));
      expect(types(r.actions)).toEqual([]);
    }
    r = step(r.state, tobs({ now: at(0, 520), seals: { 0: { commitment, revealed: true } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('revealed');
  });

  it('resends a seal the chain does not show only after the retry time, with the same commitment', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const first = find(r.actions, 'seal')!;
    r = step(r.state, tobs({ now: at(0, 6), seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, tobs({ now: at(0, 5 + DEFAULT_TRAINER_CONFIG.retryAfterSec), seals: { 0: noSeal } }));
    expect(find(r.actions, 'seal')).toEqual(first);
    expect(r.state.epochs[0]!.seal!.sends).toBe(2);
  });

  it('a seal dropped by a reorganization is sent again (after the retry time), not with a new salt', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const { commitment } = find(r.actions, 'seal')!;
    const salt = r.state.epochs[0]!.seal!.salt;
    r = step(r.state, tobs({ now: at(0, 20), seals: { 0: { commitment, revealed: false } } }));
    expect(r.state.epochs[0]!.seal!.status).toBe('sealed');
    r = step(r.state, tobs({ now: at(0, 21), seals: { 0: noSeal } }));
    expect(r.state.epochs[0]!.seal!.status).toBe('prepared');
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, tobs({ now: at(0, 40), seals: { 0: noSeal } }));
    expect(find(r.actions, 'seal')!.commitment).toBe(commitment);
    expect(r.state.epochs[0]!.seal!.salt).toBe(salt);
  });

  it('a seal that never shows before the window closes is explained as lost', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    r = step(r.state, tobs({ now: at(0, 520), seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('seal-lost');
    expect(notes(r.actions).map((n) => n.key)).toEqual(['seal-lost/0']);
  });

  it('a reveal dropped by a reorganization is sent again', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const { commitment } = find(r.actions, 'seal')!;
    let s = trainerRecord(r.state, {
      type: 'uploaded',
      epoch: 0,
      artifactHash: candidate(1).artifactHash,
      cid: 'bafk',
      artifactRoot: candidate(1).artifactHash,
      at: at(0, 6),
    }).state;
    r = step(s, tobs({ now: at(0, 500), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual(['reveal']);
    s = trainerRecord(r.state, { type: 'sent', action: 'reveal', epoch: 0, txHash: hex32(3), at: at(0, 501) }).state;
    r = step(s, tobs({ now: at(0, 502), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('open');
    r = step(r.state, tobs({ now: at(0, 530), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual(['reveal']);
  });

  it('a seal the chain refuses for good is not repeated; retry sends it again', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const first = find(r.actions, 'seal')!;
    let s = trainerRecord(r.state, {
      type: 'failed',
      action: 'seal',
      epoch: 0,
      message: 'You declined the request in your wallet.',
      retryable: false,
      at: at(0, 6),
    }).state;
    expect(s.epochs[0]!.seal!.halted).toBe('You declined the request in your wallet.');
    r = step(s, tobs({ now: at(0, 100), seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual([]);
    s = trainerCommand(r.state, { type: 'retry', epoch: 0 });
    r = step(s, tobs({ now: at(0, 101), seals: { 0: noSeal } }));
    expect(find(r.actions, 'seal')).toEqual(first);
    // Refused again and left so: the miss names the refusal.
    s = trainerRecord(r.state, {
      type: 'failed',
      action: 'seal',
      epoch: 0,
      message: 'The task is not in its seal window.',
      retryable: false,
      at: at(0, 102),
    }).state;
    r = step(s, tobs({ now: at(0, 500), seals: { 0: noSeal } }));
    expect(notes(r.actions)[0]!.message).toBe(
      'Epoch 0: no seal: it was refused: The task is not in its seal window. This epoch has no submission.',
    );
  });

  it('a refused upload halts the reveal and the miss says why', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const { commitment } = find(r.actions, 'seal')!;
    r = step(r.state, tobs({ now: at(0, 500), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual(['upload']);
    const s = trainerRecord(r.state, {
      type: 'failed',
      action: 'upload',
      epoch: 0,
      message: 'the sealed artifact is no longer stored on this device',
      retryable: false,
      at: at(0, 501),
    }).state;
    r = step(s, tobs({ now: at(0, 550), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, tobs({ now: at(0, 600), seals: { 0: { commitment, revealed: false } } }));
    expect(notes(r.actions)[0]!.message).toMatch(
      /^Epoch 0: the seal was not revealed: it was refused: the sealed artifact is no longer stored/,
    );
  });

  it('leaves a seal it did not make alone (another device) and says so', () => {
    const r = step(ready(), tobs({ now: at(0, 5), seals: { 0: { commitment: hex32(999), revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('foreign');
    expect(notes(r.actions)[0]!.message).toMatch(/did not make/);
  });

  it('notes are not repeated by later steps', () => {
    let s = initialTrainerState(trainerScope);
    const first = step(s, tobs({ now: 800n, role: 'None', localKey: null }));
    expect(notes(first.actions).map((n) => n.key)).toEqual(['not-joined']);
    s = first.state;
    const second = step(s, tobs({ now: 810n, role: 'None', localKey: null }));
    expect(notes(second.actions)).toEqual([]);
    expect(second.state.notes).toHaveLength(1);
  });
});

describe('trainer machine: crash between storing and sending', () => {
  // The runner stores the step's state, then sends. A crash can fall before the send or after it.
  function prepared() {
    const r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    return { stored: r.state, commitment: find(r.actions, 'seal')!.commitment };
  }

  it('the send went through: the restarted agent finds its seal on chain and reveals it with the stored salt', () => {
    const { stored, commitment } = prepared();
    let r = step(stored, tobs({ now: at(0, 400), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, tobs({ now: at(0, 500), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual(['upload']);
    const s = trainerRecord(r.state, {
      type: 'uploaded',
      epoch: 0,
      artifactHash: stored.epochs[0]!.seal!.artifactHash,
      cid: 'bafk',
      artifactRoot: stored.epochs[0]!.seal!.artifactHash,
      at: at(0, 501),
    }).state;
    const reveal = find(
      step(s, tobs({ now: at(0, 502), seals: { 0: { commitment, revealed: false } } })).actions,
      'reveal',
    )!;
    expect(sealCommitment(7n, 0n, TRAINER, reveal.artifactHash, reveal.wmCommit, reveal.transcript, reveal.salt)).toBe(
      commitment,
    );
  });

  it('a state stored with a CID but before roots uploads again, then reveals with the root', () => {
    const { stored, commitment } = prepared();
    const old = structuredClone(stored);
    const seal = old.epochs[0]!.seal!;
    seal.status = 'sealed';
    seal.cid = 'bafkreiold';
    delete seal.artifactRoot;
    let r = step(old, tobs({ now: at(0, 500), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual(['upload']);
    const root = hex32(0x2008);
    const s = trainerRecord(r.state, {
      type: 'uploaded',
      epoch: 0,
      artifactHash: seal.artifactHash,
      cid: 'bafybeinew',
      artifactRoot: root,
      at: at(0, 501),
    }).state;
    r = step(s, tobs({ now: at(0, 502), seals: { 0: { commitment, revealed: false } } }));
    expect(find(r.actions, 'reveal')).toMatchObject({ artifactHash: seal.artifactHash, artifactRoot: root });
  });

  it('the send never happened: the restarted agent sends the stored commitment, no new salt', () => {
    const { stored, commitment } = prepared();
    const r = step(stored, tobs({ now: at(0, 5 + 30), seals: { 0: noSeal } }));
    expect(find(r.actions, 'seal')!.commitment).toBe(commitment);
  });

  it('the tab stayed closed past the window: the lost seal is explained', () => {
    const { stored } = prepared();
    const r = step(stored, tobs({ now: at(1, 100), seals: { 0: noSeal, 1: noSeal } }));
    expect(r.state.epochs[0]!.outcome).toBe('seal-lost');
    // Epoch 1 is still open and gets its own seal.
    expect(find(r.actions, 'seal')!.epoch).toBe(1);
  });
});

describe('trainer machine: missed windows', () => {
  it('a reveal window missed while the tab was closed: explained (not scored, nothing slashed), and the next epoch goes on', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const { commitment } = find(r.actions, 'seal')!;
    r = step(r.state, tobs({ now: at(0, 10), seals: { 0: { commitment, revealed: false } } }));
    // Closed at 10, reopened after the reveal window of epoch 0.
    r = step(r.state, tobs({ now: at(0, 700), seals: { 0: { commitment, revealed: false } } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.epochs[0]!.outcome).toBe('missed-reveal');
    const n = notes(r.actions).find((x) => x.key === 'missed-reveal/0')!;
    expect(n.message).toMatch(/not running from 1970-01-01T00:16:50Z to 1970-01-01T00:28:20Z/);
    expect(n.message).toMatch(/not scored \(SPEC section 2.2\)/);
    expect(n.message).toMatch(/nothing is slashed/);
    // The closed epoch is no longer read; the next seal window seals again.
    expect(trainerReads(r.state, SCHEDULE, at(1, 0))).toEqual([1]);
    r = step(r.state, tobs({ now: at(1, 0), seals: { 1: noSeal } }));
    expect(find(r.actions, 'seal')!.epoch).toBe(1);
  });

  it('seal windows slept through are each explained', () => {
    let r = step(ready(), tobs({ now: 950n }));
    r = step(r.state, tobs({ now: at(2, 550), seals: {} }));
    // Epoch 2's seal window closed at 2500 too, while the app was away.
    expect(r.state.epochs.map((e) => [e.epoch, e.outcome])).toEqual([
      [0, 'missed-seal'],
      [1, 'missed-seal'],
      [2, 'missed-seal'],
    ]);
    expect(notes(r.actions).map((n) => n.key)).toEqual(['missed-seal/0', 'missed-seal/1', 'missed-seal/2']);
    expect(notes(r.actions)[0]!.message).toBe(
      'Epoch 0: no seal: this app was not running from 1970-01-01T00:15:50Z to 1970-01-01T00:59:10Z (chain time), so it could not act before the window closed at 1970-01-01T00:25:00Z. An epoch without a submission earns nothing, and costs nothing else.',
    );
    // Nothing is explained twice.
    r = step(r.state, tobs({ now: at(2, 560), seals: {} }));
    expect(notes(r.actions)).toEqual([]);
  });

  it('a seal window with nothing sealable says why', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = trained(step(s, tobs({ now: 950n })).state, 1, {}, { sealable: false, wrong: 7 });
    const r = step(s, tobs({ now: at(0, 5), seals: { 0: noSeal }, training: 'running' }));
    expect(types(r.actions)).toEqual([]);
    const r2 = step(r.state, tobs({ now: at(0, 450), seals: { 0: noSeal }, training: 'running' }));
    expect(types(r2.actions)).toEqual(['snapshot']);
    const s3 = trainerRecord(r2.state, {
      type: 'trained',
      status: 'cancelled',
      reason: 'snapshot',
      plannedEpochs: 31,
      candidate: candidate(2, { sealable: false, wrong: 6 }),
      at: at(0, 451),
    }).state;
    const r3 = step(s3, tobs({ now: at(0, 452), seals: { 0: noSeal } }));
    expect(types(r3.actions)).toEqual(['train']);
    expect(notes(r3.actions)[0]!.message).toMatch(
      /6 wrong bits, more than the 4 allowed before sealing \(SPEC section 6\); training continues/,
    );
    const r4 = step(r3.state, tobs({ now: at(0, 600), seals: { 0: noSeal }, training: 'running' }));
    expect(r4.state.epochs[0]!.outcome).toBe('missed-seal');
  });
});

describe('trainer machine: the seal window opens while training runs', () => {
  const reserve = Number(sealReserve(SCHEDULE, DEFAULT_TRAINER_CONFIG));

  it('the reserve is 20% of the seal window here (100 s), at least 20 s, never more than the window', () => {
    expect(reserve).toBe(100);
    expect(sealReserve({ ...SCHEDULE, epochLength: 60 }, DEFAULT_TRAINER_CONFIG)).toBe(20n);
    expect(sealReserve({ ...SCHEDULE, epochLength: 20 }, DEFAULT_TRAINER_CONFIG)).toBe(10n);
  });

  function runningWithBest() {
    let s = ready();
    s = trainerCommand(s, { type: 'startTraining', epochs: 60 });
    return step(s, tobs({ now: 990n })).state;
  }

  it('waits for the run while more than the reserve is left', () => {
    const s = runningWithBest();
    for (const t of [0, 100, 399]) {
      const r = step(s, tobs({ now: at(0, t), seals: { 0: noSeal }, training: 'running' }));
      expect(types(r.actions)).toEqual([]);
    }
  });

  it('a run that finishes inside the window is sealed at once', () => {
    let s = runningWithBest();
    s = step(s, tobs({ now: at(0, 100), seals: { 0: noSeal }, training: 'running' })).state;
    s = trained(s, 5, { plannedEpochs: 60 });
    const r = step(s, tobs({ now: at(0, 200), seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual(['seal']);
    expect(r.state.epochs[0]!.seal!.artifactHash).toBe(candidate(5).artifactHash);
  });

  it('at the reserve it snapshots the running model, seals that if sealable, and training goes on', () => {
    let r = step(runningWithBest(), tobs({ now: at(0, 500 - reserve), seals: { 0: noSeal }, training: 'running' }));
    expect(find(r.actions, 'snapshot')).toEqual({ type: 'snapshot', epoch: 0 });
    // Asked once.
    r = step(r.state, tobs({ now: at(0, 500 - reserve + 1), seals: { 0: noSeal }, training: 'running' }));
    expect(types(r.actions)).toEqual([]);
    const s = trainerRecord(r.state, {
      type: 'trained',
      status: 'cancelled',
      reason: 'snapshot',
      plannedEpochs: 60,
      candidate: candidate(3),
      at: at(0, 405),
    }).state;
    expect(s.training.wanted).toBe(true);
    r = step(s, tobs({ now: at(0, 406), seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual(['train', 'seal']);
    expect(r.state.epochs[0]!.seal!.artifactHash).toBe(candidate(3).artifactHash);
    expect(find(r.actions, 'train')).toMatchObject({ epochs: 60, seed: s.training.seed });
  });

  it('a snapshot that is not sealable yet: the older sealable model is sealed', () => {
    let r = step(runningWithBest(), tobs({ now: at(0, 400), seals: { 0: noSeal }, training: 'running' }));
    const s = trainerRecord(r.state, {
      type: 'trained',
      status: 'cancelled',
      reason: 'snapshot',
      plannedEpochs: 60,
      candidate: candidate(3, { sealable: false, wrong: 5 }),
      at: at(0, 401),
    }).state;
    r = step(s, tobs({ now: at(0, 402), seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual(['train', 'seal']);
    expect(r.state.epochs[0]!.seal!.artifactHash).toBe(candidate(1).artifactHash);
  });

  it('a snapshot that never comes back: at half the reserve the older sealable model is sealed', () => {
    let r = step(runningWithBest(), tobs({ now: at(0, 400), seals: { 0: noSeal }, training: 'running' }));
    r = step(r.state, tobs({ now: at(0, 449), seals: { 0: noSeal }, training: 'running' }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, tobs({ now: at(0, 450), seals: { 0: noSeal }, training: 'running' }));
    expect(types(r.actions)).toEqual(['seal']);
  });

  it('a paused run counts as running: it is snapshotted too, and stays paused', () => {
    let s = trainerCommand(runningWithBest(), { type: 'pauseTraining' });
    let r = step(s, tobs({ now: at(0, 400), seals: { 0: noSeal }, training: 'paused' }));
    expect(types(r.actions)).toEqual(['snapshot']);
    s = trainerRecord(r.state, {
      type: 'trained',
      status: 'cancelled',
      reason: 'snapshot',
      plannedEpochs: 60,
      candidate: candidate(4),
      at: at(0, 401),
    }).state;
    r = step(s, tobs({ now: at(0, 402), seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual(['seal']);
  });
});

describe('trainer machine: training and the watermark margin (SPEC 6)', () => {
  it('starts the run once asked, with a seed drawn once', () => {
    const s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining', backend: 'wasm' });
    const r = step(s, tobs({ now: 800n, entropy: hex32(0x12345678n << 224n) }));
    expect(find(r.actions, 'train')).toEqual({
      type: 'train',
      seed: 0x12345678,
      epochs: null,
      backend: 'wasm',
      transcript: null,
    });
    expect(r.state.phase).toBe('training');
    // Running: not started again.
    expect(types(step(r.state, tobs({ now: 801n, training: 'running' })).actions)).toEqual([]);
  });

  it('a finished run whose watermark lacks margin is extended one epoch at a time, then given up with a reason', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = step(s, tobs({ now: 800n })).state;
    const epochsAsked: (number | null)[] = [];
    for (let i = 0; i <= DEFAULT_TRAINER_CONFIG.maxExtraEpochs; i++) {
      s = trainerRecord(s, {
        type: 'trained',
        status: 'completed',
        plannedEpochs: 30 + i,
        candidate: candidate(i, { sealable: false, wrong: 5 }),
        at: 801n,
      }).state;
      const r = step(s, tobs({ now: 802n + BigInt(i) }));
      s = r.state;
      if (i < DEFAULT_TRAINER_CONFIG.maxExtraEpochs) epochsAsked.push(find(r.actions, 'train')!.epochs);
      else expect(types(r.actions)).toEqual([]);
    }
    expect(epochsAsked).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect(s.training.wanted).toBe(false);
    expect(s.best).toBeNull();
    expect(s.notes.at(-1)!.key).toBe(`extend-limit/${candidate(10).artifactHash}`);
  });

  it('a run stopped at its step limit is not extended: sealable or explained', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = step(s, tobs({ now: 800n })).state;
    const unsealable = trainerRecord(s, {
      type: 'trained',
      status: 'stopped',
      plannedEpochs: 30,
      candidate: candidate(1, { sealable: false, wrong: 9 }),
      at: 801n,
    });
    expect(unsealable.state.training).toMatchObject({ wanted: false, extraEpochs: 0 });
    expect(notes(unsealable.actions)[0]!.message).toMatch(/step limit with the watermark decoding 9 wrong bits/);
    const sealable = trainerRecord(s, {
      type: 'trained',
      status: 'stopped',
      plannedEpochs: 30,
      candidate: candidate(1),
      at: 801n,
    }).state;
    expect(sealable.training.wanted).toBe(false);
    expect(sealable.best?.artifactHash).toBe(candidate(1).artifactHash);
  });

  it('a run that becomes sealable ends training and becomes the model to seal', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = trained(step(s, tobs({ now: 800n })).state, 1, {}, { sealable: false, wrong: 6 });
    expect(s.training.wanted).toBe(true);
    s = trained(s, 2, { plannedEpochs: 31 }, { wrong: 3 });
    expect(s.training.wanted).toBe(false);
    expect(s.best?.artifactHash).toBe(candidate(2).artifactHash);
  });

  it('a failed start is retried after the retry time, not in a loop; a permanent failure stops training', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = step(s, tobs({ now: 800n })).state;
    s = trainerRecord(s, {
      type: 'failed',
      action: 'train',
      epoch: null,
      message: 'network down',
      retryable: true,
      at: 801n,
    }).state;
    expect(types(step(s, tobs({ now: 802n })).actions)).toEqual([]);
    s = step(s, tobs({ now: 830n })).state;
    expect(s.training.startedAt).toBe(830n);
    s = trainerRecord(s, {
      type: 'failed',
      action: 'train',
      epoch: null,
      message: 'the spec is broken',
      retryable: false,
      at: 831n,
    }).state;
    expect(s.training.wanted).toBe(false);
    expect(s.notes.at(-1)!.message).toBe('train failed: the spec is broken.');
  });

  it('a paused run is not restarted after a reload; resuming restarts it', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = trainerCommand(s, { type: 'pauseTraining' });
    expect(types(step(s, tobs({ now: 800n })).actions)).toEqual([]);
    s = trainerCommand(s, { type: 'resumeTraining' });
    expect(types(step(s, tobs({ now: 800n })).actions)).toEqual(['train']);
  });

  it('a rejected task: nothing to do, explained', () => {
    const s = trainerCommand(ready(), { type: 'startTraining' });
    const r = step(s, tobs({ now: at(0, 5), seals: { 0: noSeal }, schedule: { ...SCHEDULE, rejected: true } }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.training.wanted).toBe(false);
    expect(notes(r.actions).map((n) => n.key)).toEqual(['rejected']);
  });

  it('training stops when the submission phase ends', () => {
    const s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    const r = step(s, tobs({ now: at(3, 1) }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.training.wanted).toBe(false);
    expect(notes(r.actions).map((n) => n.key)).toContain('training-over');
  });
});

describe('trainer machine: joining, roles and keys', () => {
  it('a join asks for a key first, then stakes with its keyCommit', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'join', amount: 5n, sigma: 10n ** 17n });
    let r = step(s, tobs({ now: 800n, role: 'None', keyCommit: null, localKey: null }));
    expect(types(r.actions)).toEqual(['generateKey']);
    r = step(r.state, tobs({ now: 801n, role: 'None', keyCommit: null, localKey: null }));
    expect(types(r.actions)).toEqual([]);
    r = step(r.state, tobs({ now: 802n, role: 'None', keyCommit: null }));
    expect(find(r.actions, 'join')).toEqual({ type: 'join', amount: 5n, sigma: 10n ** 17n, keyCommit: KEY_COMMIT });
    expect(r.state.phase).toBe('joining');
    s = r.state;
    // Joined: nothing more to send.
    expect(types(step(s, tobs({ now: 803n })).actions)).toEqual([]);
  });

  it("a join below the task's minimum stake is not sent (no key made for it either), and says the minimum", () => {
    const s = trainerCommand(initialTrainerState(trainerScope), { type: 'join', amount: 5n * 10n ** 18n, sigma: 0n });
    const r = step(s, tobs({ now: 800n, role: 'None', keyCommit: null, localKey: null, minStake: 10n * 10n ** 18n }));
    expect(types(r.actions)).toEqual([]);
    expect(r.state.join).toBeNull();
    expect(notes(r.actions)[0]).toMatchObject({
      key: `join-below-minimum/${5n * 10n ** 18n}`,
      level: 'error',
      message:
        "A trainer joins this task with at least 10 ARENA, the task's minimum trainer stake; 5 ARENA was asked, so nothing was sent.",
    });
    const enough = step(
      trainerCommand(r.state, { type: 'join', amount: 10n * 10n ** 18n, sigma: 0n }),
      tobs({ now: 801n, role: 'None', keyCommit: null, minStake: 10n * 10n ** 18n }),
    );
    expect(types(enough.actions)).toEqual(['join']);
  });

  it('a join refused by the chain waits for the user to ask again', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'join', amount: 5n, sigma: 0n });
    s = step(s, tobs({ now: 800n, role: 'None', keyCommit: null })).state;
    s = trainerRecord(s, {
      type: 'failed',
      action: 'join',
      epoch: null,
      message: 'StakingClosed',
      retryable: false,
      at: 801n,
    }).state;
    expect(s.join).toBeNull();
    expect(types(step(s, tobs({ now: 900n, role: 'None', keyCommit: null })).actions)).toEqual([]);
  });

  it('trainer staking closes with the last submission epoch', () => {
    const s = trainerCommand(initialTrainerState(trainerScope), { type: 'join', amount: 5n, sigma: 0n });
    const r = step(s, tobs({ now: at(2, 10), role: 'None', keyCommit: null }));
    expect(types(r.actions)).toEqual([]);
    expect(notes(r.actions).map((n) => n.key)).toEqual(['staking-closed']);
  });

  it('bad join parameters are refused with a sentence', () => {
    expect(() => trainerCommand(initialTrainerState(trainerScope), { type: 'join', amount: 0n, sigma: 0n })).toThrow(
      /more than zero/,
    );
    expect(() =>
      trainerCommand(initialTrainerState(trainerScope), { type: 'join', amount: 1n, sigma: 2n * 10n ** 18n }),
    ).toThrow(/sigma/);
  });

  const blocked: {
    name: string;
    obs: Partial<Parameters<typeof tobs>[0]>;
    phase: TrainerState['phase'];
    note: string;
  }[] = [
    {
      name: 'the committed key is not on this device',
      obs: { localKey: null },
      phase: 'key-missing',
      note: 'key-missing',
    },
    {
      name: 'another key is on this device',
      obs: { localKey: hex32(0xdef) },
      phase: 'key-mismatch',
      note: 'key-mismatch',
    },
    {
      name: 'the account validates this task',
      obs: { role: 'Validator', keyCommit: null },
      phase: 'wrong-role',
      note: 'wrong-role',
    },
    { name: 'the account was excluded', obs: { excluded: true }, phase: 'excluded', note: 'excluded' },
  ];
  for (const b of blocked) {
    it(`${b.name}: no training, no seal, explained`, () => {
      const s = trainerCommand(ready(), { type: 'startTraining' });
      const r = step(s, tobs({ now: at(0, 5), seals: { 0: noSeal }, ...b.obs }));
      expect(types(r.actions)).toEqual([]);
      expect(r.state.phase).toBe(b.phase);
      expect(notes(r.actions).map((n) => n.key)).toEqual([b.note]);
    });
  }

  it('trains before joining (with a fresh key), but seals only once joined', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    let r = step(s, tobs({ now: 800n, role: 'None', keyCommit: null, localKey: null }));
    expect(types(r.actions)).toEqual(['generateKey']);
    r = step(r.state, tobs({ now: 801n, role: 'None', keyCommit: null }));
    expect(types(r.actions)).toEqual(['train']);
    s = trained(r.state, 1);
    r = step(s, tobs({ now: at(0, 5), role: 'None', keyCommit: null, seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual([]);
  });

  it('not eligible this epoch: explained, nothing sealed', () => {
    const r = step(ready(), tobs({ now: at(0, 5), eligibleFrom: 1, seals: { 0: noSeal } }));
    expect(types(r.actions)).toEqual([]);
    expect(notes(r.actions)[0]!.message).toBe('Epoch 0: your stake counts from epoch 1; submissions start then.');
    const below = step(ready(), tobs({ now: at(0, 5), eligibleFrom: null, seals: { 0: noSeal } }));
    expect(notes(below.actions)[0]!.message).toMatch(/below the task's minimum/);
  });
});

describe('trainer machine: what an epoch booked (SPEC 4.3, 4.6)', () => {
  const W = 10n ** 18n;
  /** A trainer whose epoch-0 submission was revealed. */
  function revealedEpoch0(): TrainerState {
    let s = ready();
    let r = step(s, tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    const { commitment } = find(r.actions, 'seal')!;
    s = trainerRecord(r.state, { type: 'sent', action: 'seal', epoch: 0, txHash: hex32(1), at: at(0, 6) }).state;
    r = step(s, tobs({ now: at(0, 510), seals: { 0: { commitment, revealed: true } } }));
    expect(r.state.epochs[0]!.outcome).toBe('revealed');
    return r.state;
  }
  const outcome = (over: Partial<EpochOutcomeObservation> = {}): EpochOutcomeObservation => ({
    finalized: true,
    degenerate: false,
    validators: 3,
    own: { submissionId: 0, rank: 1, aggregate: (9123n * W) / 10_000n, pool: 321n * W },
    best: (9123n * W) / 10_000n,
    ...over,
  });

  it('reads the outcome of a revealed epoch once it has ended, until it is finalized', () => {
    const s = revealedEpoch0();
    expect(trainerResultReads(s, SCHEDULE, at(0, 999))).toEqual([]);
    expect(trainerResultReads(s, SCHEDULE, at(1, 0))).toEqual([0]);
    const waiting = step(
      s,
      tobs({ now: at(1, 1), results: { 0: outcome({ finalized: false, own: null, best: null }) } }),
    );
    expect(waiting.state.epochs[0]!.result ?? null).toBeNull();
    const done = step(waiting.state, tobs({ now: at(1, 2), results: { 0: outcome() } }));
    expect(done.state.epochs[0]!.result).toEqual({
      degenerate: false,
      rank: 1,
      aggregate: (9123n * W) / 10_000n,
      best: (9123n * W) / 10_000n,
      pool: 321n * W,
    });
    expect(notes(done.actions).map((n) => n.message)).toEqual([
      "Epoch 0: your submission ranked #1 with a score of 0.9123 (the stake-weighted median of the validators' scores) and earned 321 ARENA for your pool.",
    ]);
    expect(trainerResultReads(done.state, SCHEDULE, at(1, 3))).toEqual([]);
  });

  it('did not qualify: under the floor of the best score, with the numbers', () => {
    const r = step(
      revealedEpoch0(),
      tobs({
        now: at(1, 2),
        results: {
          0: outcome({
            own: { submissionId: 0, rank: 0, aggregate: 4n * 10n ** 17n, pool: 0n },
            best: 9n * 10n ** 17n,
          }),
        },
      }),
    );
    const n = notes(r.actions)[0]!;
    expect(n.level).toBe('warn');
    expect(n.message).toBe(
      "Epoch 0: your submission did not qualify for a reward: its score 0.4000 is below 50% of the epoch's best score 0.9000 (the floor is 0.4500). Only submissions above the minimum and within the floor of the best take a rank (SPEC 4.3); copies, invalid and untrained models never do. Train further to qualify in a later epoch.",
    );
  });

  it('did not qualify: a zero score is not above the minimum', () => {
    const r = step(
      revealedEpoch0(),
      tobs({
        now: at(1, 2),
        results: { 0: outcome({ own: { submissionId: 0, rank: 0, aggregate: 0n, pool: 0n }, best: 9n * 10n ** 17n }) },
      }),
    );
    expect(notes(r.actions)[0]!.message).toMatch(
      /^Epoch 0: your submission did not qualify for a reward: its score 0\.0000 is not above the task's minimum score 0\.0000\./,
    );
  });

  it('a degenerate epoch: too few validators revealed, the reward rolls over', () => {
    const r = step(
      revealedEpoch0(),
      tobs({ now: at(1, 2), results: { 0: outcome({ degenerate: true, validators: 2, own: null, best: null }) } }),
    );
    expect(notes(r.actions)[0]!.message).toBe(
      "Epoch 0: nothing was booked: only 2 validators revealed scores and the task needs at least 3. The epoch's reward rolls over to the next scoring epoch (SPEC 4.6).",
    );
    expect(r.state.epochs[0]!.result).toMatchObject({ degenerate: true, rank: 0, pool: 0n });
  });
});

describe('trainer machine: state is plain data', () => {
  it('survives structuredClone (IndexedDB) unchanged', () => {
    let r = step(ready(), tobs({ now: at(0, 5), seals: { 0: noSeal } }));
    r = step(r.state, tobs({ now: at(0, 700), seals: { 0: noSeal } }));
    expect(structuredClone(r.state)).toEqual(r.state);
    expect(r.state.epochs[0]!.seal!.commitment).not.toBe(zeroHash);
  });

  it('refuses a validator scope', () => {
    expect(() => initialTrainerState({ ...trainerScope, role: 'validator' })).toThrow(/trainer scope/);
  });
});
