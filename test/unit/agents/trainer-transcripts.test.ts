// The trainer machine with transcripts (docs/transcript.md section 11): which transcript a run
// trains (new, resumed, continued), what a seal records, the warning when sealed states are gone,
// and answering a challenge by itself (proof, upload, disclosure), as pure decisions.
import type { Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ChallengeObservation } from '../../../src/lib/agents/trainer/challenges.ts';
import {
  DEFAULT_TRAINER_CONFIG,
  initialTrainerState,
  trainerCommand,
  trainerRecord,
  trainerStep,
  type TrainerAction,
  type TrainerObservation,
  type TrainerState,
} from '../../../src/lib/agents/trainer/machine.ts';
import { phaseAt } from '../../../src/lib/chain/schedule.ts';
import { at, candidate, hex32, noSeal, SCHEDULE, tobs, trainerScope, transcriptOf } from './fixtures.ts';

const config = { ...DEFAULT_TRAINER_CONFIG, transcripts: true };
const step = (s: TrainerState, o: TrainerObservation) => trainerStep(s, o, config);
const record = (s: TrainerState, o: Parameters<typeof trainerRecord>[1]) => trainerRecord(s, o, config);
const types = (actions: TrainerAction[]) => actions.filter((a) => a.type !== 'explain').map((a) => a.type);
const noteKeys = (actions: TrainerAction[]) => actions.flatMap((a) => (a.type === 'explain' ? [a.note.key] : []));
const find = <T extends TrainerAction['type']>(actions: TrainerAction[], type: T) =>
  actions.find((a) => a.type === type) as Extract<TrainerAction, { type: T }> | undefined;

const trainedWith = (s: TrainerState, n: number, id: string, over = {}) =>
  record(s, {
    type: 'trained',
    status: 'completed',
    plannedEpochs: 30,
    candidate: candidate(n, { transcriptId: id }),
    at: 950n,
    ...over,
  }).state;

describe('trainer machine: training with transcripts', () => {
  it('a first run is a seeded transcript; stops, snapshots and extra epochs keep it; a finished run ends it', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining', backend: 'wasm' });
    let r = step(s, tobs({ now: 800n }));
    expect(find(r.actions, 'train')!.transcript).toEqual({ base: 't0', continueFrom: null });
    s = r.state;
    // A snapshot: the same transcript resumes afterwards.
    s = record(s, {
      type: 'trained',
      status: 'cancelled',
      reason: 'snapshot',
      plannedEpochs: 30,
      candidate: candidate(1, { transcriptId: 'tr-x.t0.k8.p2' }),
      at: 900n,
    }).state;
    expect(s.training.transcript).toEqual({ base: 't0', continueFrom: null });
    r = step(s, tobs({ now: 900n + 60n }));
    expect(find(r.actions, 'train')!.transcript).toEqual({ base: 't0', continueFrom: null });
    // Not sealable yet: one more epoch, still the same transcript run (K grows, states reused).
    s = trainedWith(r.state, 2, 'tr-x.t0.k8', { candidate: { ...candidate(2), sealable: false, wrong: 7 } });
    expect(s.training.extraEpochs).toBe(1);
    expect(s.training.transcript).toEqual({ base: 't0', continueFrom: null });
    // Finished and sealable: the next run will be a new transcript.
    s = trainedWith(s, 3, 'tr-x.t0.k9');
    expect(s.training.transcript).toBeNull();
    expect(s.best!.transcriptId).toBe('tr-x.t0.k9');
    s = trainerCommand(s, { type: 'startTraining' });
    r = step(s, tobs({ now: 990n }));
    // Nothing revealed yet: the chain would refuse a continuation, so it starts seeded again.
    expect(find(r.actions, 'train')!.transcript).toEqual({ base: 't1', continueFrom: null });
  });

  it('the seal records the transcript id; a run after a revealed seal continues that transcript', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = step(s, tobs({ now: 950n })).state;
    s = trainedWith(s, 1, 'tr-x.t0.k8');
    const sealed = step(s, tobs({ now: at(0, 10), seals: { 0: noSeal } }));
    expect(find(sealed.actions, 'seal')!.transcript).toEqual(transcriptOf(1));
    expect(sealed.state.epochs[0]!.seal!.transcriptId).toBe('tr-x.t0.k8');
    // No placeholder warning: the model has its transcript.
    expect(noteKeys(sealed.actions).some((k) => k.startsWith('no-transcript/'))).toBe(false);
    s = sealed.state;
    s.epochs[0]!.seal!.status = 'revealed';
    s.epochs[0]!.outcome = 'revealed';
    s = trainerCommand(s, { type: 'startTraining' });
    const r = step(s, tobs({ now: at(1, 5), seals: { 1: noSeal } }));
    expect(find(r.actions, 'train')!.transcript).toEqual({ base: 't1', continueFrom: 'tr-x.t0.k8' });
  });

  it('plain runs (no transcript store) keep the placeholder path', () => {
    const s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    const r = trainerStep(s, tobs({ now: 800n }));
    expect(find(r.actions, 'train')!.transcript).toBeNull();
  });

  it('warns when the states of a sealed transcript are no longer all stored', () => {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = step(s, tobs({ now: 950n })).state;
    s = trainedWith(s, 1, 'tr-x.t0.k8');
    s = step(s, tobs({ now: at(0, 10), seals: { 0: noSeal } })).state;
    const o = tobs({ now: at(0, 20), seals: { 0: { commitment: s.epochs[0]!.seal!.commitment, revealed: false } } });
    expect(
      noteKeys(step(s, { ...o, local: { ...o.local, transcripts: { 'tr-x.t0.k8': true } } }).actions),
    ).not.toContain('transcript-missing/0');
    const missing = step(s, { ...o, local: { ...o.local, transcripts: { 'tr-x.t0.k8': false } } });
    expect(noteKeys(missing.actions)).toContain('transcript-missing/0');
    expect(missing.state.notes.find((n) => n.key === 'transcript-missing/0')!.level).toBe('error');
  });
});

describe('trainer machine: answering a challenge by itself (SPEC 7, 8.4)', () => {
  const MANIFEST = hex32(0x3a41) as Hex;
  /** A trainer whose epoch-0 submission (transcript tr-x.t0.k8) was revealed. */
  function revealed(): TrainerState {
    let s = trainerCommand(initialTrainerState(trainerScope), { type: 'startTraining' });
    s = step(s, tobs({ now: 950n })).state;
    s = trainedWith(s, 1, 'tr-x.t0.k8');
    s = step(s, tobs({ now: at(0, 10), seals: { 0: noSeal } })).state;
    s.epochs[0]!.seal!.status = 'revealed';
    s.epochs[0]!.outcome = 'revealed';
    return s;
  }
  const challenge = (over: Partial<ChallengeObservation> = {}): ChallengeObservation => ({
    challengeId: 4n,
    submissionId: 0,
    epoch: 0,
    artifactHash: candidate(1).artifactHash,
    transcript: transcriptOf(1),
    status: 'open',
    proven: false,
    disclosure: null,
    deadline: at(1, 800),
    ...over,
  });
  const obs = (now: bigint, c: ChallengeObservation[], local: Partial<TrainerObservation['local']> = {}) => {
    const o = tobs({ now, seals: { 1: noSeal } });
    return { ...o, chain: { ...o.chain, challenges: c }, local: { ...o.local, prover: true, ...local } };
  };

  it('proves and uploads at once, posts the manifest once uploaded (stored first), and notes each stage', () => {
    const now = at(1, 550);
    const r1 = step(revealed(), obs(now, [challenge()]));
    expect(types(r1.actions)).toEqual(['prove', 'uploadDisclosure']);
    expect(find(r1.actions, 'uploadDisclosure')).toEqual({
      type: 'uploadDisclosure',
      epoch: 0,
      challengeId: 4n,
      transcriptId: 'tr-x.t0.k8',
    });
    expect(noteKeys(r1.actions)).toContain('challenged/4');
    // The record of each attempt is in the state the runner stores before running them.
    expect(r1.state.challenges![0]).toMatchObject({ challengeId: 4n, proofAt: now, proofs: 1, uploadAt: now });
    // While they run (busy), and before the retry time, nothing is repeated.
    const busy = { busy: ['prove/4', 'uploadDisclosure/4'] };
    expect(types(step(r1.state, obs(now + 100n, [challenge()], busy)).actions)).toEqual([]);
    expect(types(step(r1.state, obs(now + 5n, [challenge()])).actions)).toEqual([]);

    let s = record(r1.state, {
      type: 'disclosure-uploaded',
      epoch: 0,
      challengeId: 4n,
      manifest: MANIFEST,
      bytes: 1234,
      at: now + 20n,
    }).state;
    expect(s.challenges![0]!.manifest).toBe(MANIFEST);
    s = record(s, { type: 'proven', epoch: 0, challengeId: 4n, txHash: hex32(1), at: now + 30n }).state;
    const r2 = step(s, obs(now + 31n, [challenge({ proven: true })], { busy: [] }));
    expect(types(r2.actions)).toEqual(['disclose']);
    expect(find(r2.actions, 'disclose')).toEqual({ type: 'disclose', epoch: 0, challengeId: 4n, manifest: MANIFEST });
    expect(r2.state.challenges![0]!.discloses).toBe(1);
    // The chain shows both: answered, nothing more to send.
    const r3 = step(r2.state, obs(now + 60n, [challenge({ proven: true, disclosure: MANIFEST, status: 'answered' })]));
    expect(types(r3.actions)).toEqual([]);
    expect(noteKeys(r3.actions)).toContain('answered/4');
  });

  it('a transient failure is retried after the retry time; a permanent one stops that part with a note', () => {
    const now = at(1, 550);
    let s = step(revealed(), obs(now, [challenge()])).state;
    s = record(s, {
      type: 'failed',
      action: 'prove',
      epoch: 0,
      message: 'gateway down',
      retryable: true,
      at: now + 1n,
    }).state;
    expect(types(step(s, obs(now + 31n, [challenge()])).actions)).toEqual(['prove', 'uploadDisclosure']);
    const halted = record(s, {
      type: 'failed',
      action: 'uploadDisclosure',
      epoch: 0,
      message: 'state 3 of transcript tr-x.t0.k8 is missing',
      retryable: false,
      at: now + 2n,
    });
    expect(halted.state.challenges![0]!.disclosureHalted).toContain('state 3');
    expect(noteKeys(halted.actions)).toContain('failed/uploadDisclosure/0/state 3 of transcript tr-x.t0.k8 is missing');
    expect(types(step(halted.state, obs(now + 31n, [challenge()])).actions)).toEqual(['prove']);
  });

  it('says why it cannot answer: no transcript, no prover, the deadline passed', () => {
    const s = revealed();
    s.epochs[0]!.seal!.transcriptId = null;
    const r = step(s, obs(at(1, 550), [challenge()], { prover: false }));
    expect(types(r.actions)).toEqual([]);
    expect(noteKeys(r.actions)).toEqual(expect.arrayContaining(['no-disclosure/4', 'no-prover/4']));
    const late = step(revealed(), obs(at(1, 801), [challenge()]));
    expect(types(late.actions)).toEqual([]);
    const note = late.state.notes.find((n) => n.key === 'challenge-late/4')!;
    expect(note.level).toBe('error');
    expect(note.message).toContain('without the ownership proof and the transcript disclosure');
  });

  it('a challenge of another artifact than the sealed one has no transcript to disclose', () => {
    const r = step(revealed(), obs(at(1, 550), [challenge({ artifactHash: hex32(0xbad) })]));
    expect(types(r.actions)).toEqual(['prove']);
    expect(r.state.challenges![0]!.transcriptId).toBeNull();
  });
});

describe('trainer machine: transcripts deleted once the rewards vest (SPEC 8.2)', () => {
  const END = at(50, 0);
  const ended = (challenges: ChallengeObservation['status'][], local: Partial<TrainerObservation['local']> = {}) => {
    const o = tobs({ now: END });
    return {
      ...o,
      chain: {
        ...o.chain,
        challenges: challenges.map((status, i) => ({
          challengeId: BigInt(i + 1),
          submissionId: i,
          epoch: 0,
          artifactHash: candidate(1).artifactHash,
          transcript: transcriptOf(1),
          status,
          proven: true,
          disclosure: null,
          deadline: at(1, 800),
        })),
      },
      local: { ...o.local, transcripts: { 'tr-x.t0.k8': true }, ...local },
    };
  };
  const start = () => initialTrainerState(trainerScope);

  it('after the end with every challenge settled, once; not before the end, not while one is unsettled or an answer runs', () => {
    expect(phaseAt(SCHEDULE, END)).toBe('Ended');
    expect(types(step(start(), ended([])).actions)).toContain('pruneTranscripts');
    expect(types(step(start(), ended(['cleared', 'upheld', 'voided'])).actions)).toContain('pruneTranscripts');
    for (const open of ['open', 'answered', 'disputed'] as const)
      expect(types(step(start(), ended(['cleared', open])).actions)).not.toContain('pruneTranscripts');
    expect(types(step(start(), ended([], { busy: ['disclose/1'] })).actions)).not.toContain('pruneTranscripts');
    // The challenge phase: a challenge may still come.
    const during = [...Array(50).keys()].map((e) => at(e, 10)).find((t) => phaseAt(SCHEDULE, t) === 'Challenge')!;
    const challengePhase = { ...ended([]), now: during };
    expect(phaseAt(SCHEDULE, challengePhase.now)).toBe('Challenge');
    expect(types(step(start(), challengePhase).actions)).not.toContain('pruneTranscripts');
    // No transcript store: nothing to delete.
    const plain = ended([]);
    expect(types(step(start(), { ...plain, local: { ...plain.local, transcripts: undefined } }).actions)).not.toContain(
      'pruneTranscripts',
    );
    // Done once; the states a revealed seal named are then missing on purpose: no warning.
    const done = record(start(), { type: 'pruned', transcripts: 2, at: END }).state;
    expect(done.transcriptsPruned).toBe(END);
    expect(done.notes.find((n) => n.key === 'transcripts-pruned')!.message).toMatch(/deleted the 2 transcripts/);
    const after = step(done, ended([], { transcripts: { 'tr-x.t0.k8': false } }));
    expect(types(after.actions)).not.toContain('pruneTranscripts');
    expect(noteKeys(after.actions).some((k) => k.startsWith('transcript-missing/'))).toBe(false);
  });

  it('a storage failure is retried when transient and given up (with its note) when not', () => {
    const fail = (retryable: boolean) =>
      record(start(), {
        type: 'failed',
        action: 'pruneTranscripts',
        epoch: null,
        message: 'disk full',
        retryable,
        at: END,
      }).state;
    expect(fail(true).transcriptsPruned).toBeUndefined();
    expect(types(step(fail(true), ended([])).actions)).toContain('pruneTranscripts');
    expect(fail(false).transcriptsPruned).toBe('failed');
    expect(types(step(fail(false), ended([])).actions)).not.toContain('pruneTranscripts');
  });
});
