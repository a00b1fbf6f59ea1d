// The headless agents' pure parts (issue 13 part 1): what a start turns the command line into,
// given the stored state and the chain (never a second join); which state changes become
// records; what `aiarena status` says the agent does next; and the progress line.
import { describe, expect, it } from 'vitest';
import {
  initialTrainerState,
  initialValidatorState,
  openValidatorEpoch,
  type AgentScope,
  type TrainerState,
} from '../../../src/lib/agents/index.ts';
import { trainerStartPlan, validatorStartPlan } from '../../../src/lib/agents/headless/startup.ts';
import { factText, fitLine, jsonLine, stateChanges, stateFacts } from '../../../src/lib/agents/headless/report.ts';
import { nextStep } from '../../../src/lib/agents/headless/next.ts';
import { Reporter } from '../../../src/cli/reporter.ts';
import { REGISTRY, SCHEDULE, TRAINER, VALIDATOR, hex32 } from './fixtures.ts';

const WAD = 10n ** 18n;
const scope = (role: 'trainer' | 'validator'): AgentScope => ({
  chainId: 31337,
  registry: REGISTRY,
  taskId: 1n,
  account: role === 'trainer' ? TRAINER : VALIDATOR,
  role,
});
const wish = { stake: 10n * WAD, sigma: WAD / 2n, epochs: 2, trainMore: false, backend: 'wasm' as const };

describe('the start plan', () => {
  it('a fresh trainer joins with its stake and trains', () => {
    expect(trainerStartPlan(initialTrainerState(scope('trainer')), 'None', wish)).toEqual({
      commands: [
        { type: 'join', amount: 10n * WAD, sigma: WAD / 2n },
        { type: 'startTraining', epochs: 2, backend: 'wasm' },
      ],
      notes: [],
    });
  });

  it('never asks for a second join: staked on chain, or a request already stored (maybe sent)', () => {
    const s = initialTrainerState(scope('trainer'));
    expect(trainerStartPlan(s, 'Trainer', wish).commands).toEqual([
      { type: 'startTraining', epochs: 2, backend: 'wasm' },
    ]);
    const pending: TrainerState = { ...s, join: { amount: 5n * WAD, sigma: 0n, sentAt: 100n, sends: 1 } };
    const plan = trainerStartPlan(pending, 'None', wish);
    expect(plan.commands.map((c) => c.type)).toEqual(['startTraining']);
    expect(plan.notes).toEqual([
      'a stake request from an earlier run is pending: the agent sends it (this --stake is not added)',
    ]);
    expect(trainerStartPlan(s, 'None', { ...wish, stake: null }).notes).toEqual([
      'not staked in this task: pass --stake <ARENA> to join as trainer',
    ]);
    // The other role on chain: nothing is sent, the machine explains.
    expect(trainerStartPlan(s, 'Validator', wish).commands.map((c) => c.type)).toEqual(['startTraining']);
  });

  it('does not train again once a sealable model exists, unless asked; resumes a wanted run', () => {
    const s = initialTrainerState(scope('trainer'));
    const best = {
      artifactHash: hex32(1),
      wmCommit: hex32(2),
      wrong: 0,
      maxErr: 8,
      sealable: true,
      step: 100,
      trainingEpoch: 1,
      transcript: null,
      at: 5n,
    };
    const done: TrainerState = { ...s, best };
    expect(trainerStartPlan(done, 'Trainer', { ...wish, stake: null })).toEqual({
      commands: [],
      notes: ['a sealable model exists: the agent seals it each epoch (--train-more trains on)'],
    });
    expect(trainerStartPlan(done, 'Trainer', { ...wish, trainMore: true }).commands).toEqual([
      { type: 'startTraining', epochs: 2, backend: 'wasm' },
    ]);
    const running: TrainerState = { ...s, training: { ...s.training, wanted: true, paused: true } };
    expect(trainerStartPlan(running, 'Trainer', { ...wish, stake: null })).toEqual({
      commands: [{ type: 'resumeTraining' }],
      notes: ['a training run from an earlier start is resumed'],
    });
  });

  it('a validator joins once', () => {
    const v = initialValidatorState(scope('validator'));
    expect(validatorStartPlan(v, 'None', wish).commands).toEqual([
      { type: 'join', amount: 10n * WAD, sigma: WAD / 2n },
    ]);
    expect(validatorStartPlan(v, 'Validator', wish)).toEqual({
      commands: [],
      notes: ['already staked as validator in this task: --stake is not sent again'],
    });
    expect(validatorStartPlan(v, 'Validator', { ...wish, stake: null })).toEqual({ commands: [], notes: [] });
  });
});

describe('records from states', () => {
  it('reports the phase, the model and each epoch once, and again only when they change', () => {
    const s = initialTrainerState(scope('trainer'));
    const first = stateFacts(s);
    expect(stateChanges(null, first)).toEqual([{ key: 'phase', fact: { phase: 'not-joined' } }]);
    expect(stateChanges(first, stateFacts(structuredClone(s)))).toEqual([]);
    const sealed: TrainerState = {
      ...s,
      phase: 'sealed',
      epochs: [{ epoch: 0, outcome: 'open', seal: { status: 'sealed' } as never }],
    };
    const changes = stateChanges(first, stateFacts(sealed));
    expect(changes).toEqual([
      { key: 'phase', fact: { phase: 'sealed' } },
      { key: 'epoch/0', fact: { epoch: 0, outcome: 'open', seal: 'sealed' } },
    ]);
    expect(changes.map((c) => factText(c.key, c.fact))).toEqual(['now sealed', 'epoch 0: open, seal sealed']);
    expect(
      factText('epoch/0', {
        epoch: 0,
        outcome: 'revealed',
        seal: 'revealed',
        rank: 1,
        pool: String(25n * WAD),
        degenerate: false,
      }),
    ).toBe('epoch 0: revealed, seal revealed, rank 1, pool 25 ARENA');
  });

  it('gives a language-model task’s committed scores in bits per byte too', () => {
    const v = initialValidatorState(scope('validator'));
    v.epochs.push({
      ...openValidatorEpoch(0),
      columns: [],
      commit: { scores: [6523, 0], status: 'committed' } as never,
    });
    const bpb = stateFacts(v, { name: 'bitsPerByte', cap: 8 }).get('epoch/0')!;
    expect(bpb).toMatchObject({ scores: [6523, 0], bitsPerByte: [2.7816, null] });
    expect(factText('epoch/0', bpb)).toBe(
      'epoch 0: open, 0 submissions, scores committed [6523, 0], bits per byte [2.782, above the cap]',
    );
    expect(stateFacts(v, { name: 'accuracy' }).get('epoch/0')).not.toHaveProperty('bitsPerByte');
    expect(stateFacts(v).get('epoch/0')).not.toHaveProperty('bitsPerByte');
  });

  it('writes bigints as decimal strings and fits the status line to the terminal', () => {
    expect(jsonLine({ a: 2n ** 64n, b: [1n] })).toBe('{"a":"18446744073709551616","b":["1"]}');
    expect(fitLine('x'.repeat(30), 21)).toBe(`${'x'.repeat(19)}…`);
    expect(fitLine('short', 80)).toBe('short');
  });
});

describe('what the agent does next', () => {
  const at = (seconds: number) => SCHEDULE.startTime + BigInt(seconds);
  const base = { schedule: SCHEDULE, taskId: 1n };
  it('from the stored phase and the window by chain time', () => {
    expect(nextStep({ ...base, role: 'trainer', phase: null, chainRole: 'None', now: at(-10) })).toMatch(
      /^no trainer agent has run here: `aiarena agent train --task 1 --stake <ARENA>` joins and starts it$/,
    );
    expect(nextStep({ ...base, role: 'trainer', phase: 'sealed', chainRole: 'Trainer', now: at(1) })).toMatch(
      /^uploads and reveals the sealed model in epoch 0's Reveal window, from \d{4}-\d\d-\d\dT/,
    );
    expect(nextStep({ ...base, role: 'validator', phase: 'committed', chainRole: 'Validator', now: at(1) })).toMatch(
      /^reveals its scores in epoch 0's ScoreReveal window, from /,
    );
    expect(nextStep({ ...base, role: 'validator', phase: 'waiting', chainRole: 'Trainer', now: at(1) })).toBe(
      'this account is a trainer of task 1: one address cannot have both roles in a task',
    );
  });
});

describe('the progress line', () => {
  it('on a terminal: one status line redrawn in place, log lines printed above it', () => {
    let out = '';
    const r = new Reporter(
      { readStdin: async () => '', stdout: (t) => void (out += t), stderr: () => {}, isTTY: true, columns: 60 },
      { json: false, now: () => new Date('2026-01-01T00:00:00Z') },
    );
    r.status('trainer/1', '#1 trainer: training 10/100');
    r.record(Reporter.of('trainer', 1n, 'note', {}), 'a note');
    r.close();
    expect(out).toBe(
      '\r\x1b[2K#1 trainer: training 10/100' +
        '\r\x1b[2K2026-01-01T00:00:00Z trainer task 1: a note\n' +
        '\r\x1b[2K#1 trainer: training 10/100' +
        '\n',
    );
  });

  it('in a pipe: plain lines, progress thinned; with --json one object per line', () => {
    let text = '';
    let t = 0;
    const plain = new Reporter(
      { readStdin: async () => '', stdout: (s) => void (text += s), stderr: () => {} },
      { json: false, now: () => new Date(Date.UTC(2026, 0, 1) + t) },
    );
    for (t = 0; t < 25_000; t += 1_000)
      plain.progress('v', Reporter.of('validator', 2n, 'eval-progress', {}), '#2 validator', 'step');
    expect(text.trim().split('\n')).toEqual([
      '2026-01-01T00:00:00Z validator task 2: step',
      '2026-01-01T00:00:10Z validator task 2: step',
      '2026-01-01T00:00:20Z validator task 2: step',
    ]);
    let json = '';
    const j = new Reporter(
      { readStdin: async () => '', stdout: (s) => void (json += s), stderr: () => {}, isTTY: true },
      { json: true, now: () => new Date(0) },
    );
    j.record(Reporter.of('keeper', 3n, 'finalized', { booked: '5' }));
    expect(JSON.parse(json)).toEqual({
      time: '1970-01-01T00:00:00Z',
      type: 'finalized',
      role: 'keeper',
      task: '3',
      booked: '5',
    });
  });
});
