// The task's name and description in its spec file (issue 10): written by Create, read back by
// the lists, "Task #N" for a task without one; the error summary's order and targets; the
// confirmation's fee and duration words; and when `npm start` reveals the demo's hidden set.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoRevealStep } from '../../../scripts/lib/demo-final-eval.ts';
import { challengeFacts, durationText, feeText } from '../../../src/lib/app-logic/confirm-facts.ts';
import { errorSummary, metaErrors } from '../../../src/lib/app-logic/create-form-view.ts';
import { specWithMetadata } from '../../../src/lib/app-logic/create-flow.ts';
import {
  readTaskMetadata,
  taskMetadata,
  validateTaskMeta,
  withTaskMetadata,
} from '../../../src/lib/app-logic/task-metadata.ts';
import type { Schedule } from '../../../src/lib/chain/schedule.ts';
import { parseModelSpecBytes, SpecError } from '../../../src/lib/ml/spec/parse.ts';

const template = readFileSync(new URL('../../../public/specs/digits-mlp.json', import.meta.url), 'utf8');
const bytes = (t: string) => new TextEncoder().encode(t);

describe('task metadata', () => {
  it('a task without a name is "Task #N"; a named one is its name', () => {
    expect(taskMetadata(7n, null)).toEqual({ title: 'Task #7', name: null, description: '' });
    expect(taskMetadata(7n, {})).toEqual({ title: 'Task #7', name: null, description: '' });
    expect(taskMetadata(2n, { task: { name: 'Digits', description: 'Small MLP' } })).toEqual({
      title: 'Digits',
      name: 'Digits',
      description: 'Small MLP',
    });
  });

  it('Create puts the name first and keeps every other byte; without a name the template keeps its hash', async () => {
    const named = withTaskMetadata(template, {
      name: '  Digits for everyone ',
      description: 'A "small" MLP\non digits.',
    });
    expect(
      named.startsWith('{\n  "task": {"name":"Digits for everyone","description":"A \\"small\\" MLP\\non digits."},'),
    ).toBe(true);
    expect(named.slice(named.indexOf('},') + 2)).toBe(template.slice(1));
    const { spec } = await parseModelSpecBytes(bytes(named));
    expect(spec.task).toEqual({ name: 'Digits for everyone', description: 'A "small" MLP\non digits.' });
    expect(spec.name).toBe('digits-mlp');
    expect(withTaskMetadata(template, { name: '', description: '' })).toBe(template);
    const plain = await specWithMetadata(bytes(template), { name: ' ', description: '' });
    const published = await parseModelSpecBytes(bytes(template));
    expect(plain.hash).toBe(`0x${published.hash}`);
    // A draft that already names the task is renamed, not given two "task" fields.
    const renamed = withTaskMetadata(named, { name: 'Other', description: '' });
    expect((await parseModelSpecBytes(bytes(renamed))).spec.task).toEqual({ name: 'Other', description: '' });
  });

  it('the spec parser refuses a name over two lines, an empty one, and unknown task fields', async () => {
    const refusal = async (task: unknown) => {
      const text = template.replace('{', `{"task": ${JSON.stringify(task)},`);
      try {
        await parseModelSpecBytes(bytes(text));
      } catch (e) {
        return e instanceof SpecError ? `${e.field}: ${e.reason}` : String(e);
      }
      return 'accepted';
    };
    expect(await refusal({ name: 'two\nlines' })).toMatch(
      /^task\.name: must be a name of 1\.\.80 characters with no line breaks/,
    );
    expect(await refusal({ name: '' })).toMatch(/^task\.name: /);
    expect(await refusal({ name: 'x'.repeat(81) })).toMatch(/^task\.name: .*81 characters/);
    expect(await refusal({ name: 'ok', owner: 'me' })).toMatch(/^task(\.owner)?: /);
    expect(await refusal({ name: 'ok' })).toBe('accepted');
  });

  it('the form says what is wrong with a name before anything is sent', () => {
    expect(validateTaskMeta({ name: '', description: '' })).toEqual({});
    expect(validateTaskMeta({ name: '', description: 'about' })).toEqual({
      name: 'Give the task a name to go with its description.',
    });
    expect(validateTaskMeta({ name: 'a\tb', description: '' })).toEqual({
      name: 'The task name must be one line (no line breaks or tabs).',
    });
    expect(validateTaskMeta({ name: 'x'.repeat(81), description: '' }).name).toBe(
      'The task name must be at most 80 characters; it has 81.',
    );
    expect(validateTaskMeta({ name: 'x', description: 'd'.repeat(1025) }).description).toBe(
      'The description must be at most 1024 characters; it has 1025.',
    );
  });
});

describe('the Create error summary', () => {
  it('lists errors in the order of the form, each with the element to focus and the group to open', () => {
    const items = errorSummary({
      bond: 'Bond too low.',
      gamma: 'γ too high.',
      trainData: 'Pick one.',
      ...metaErrors({ name: 'Too long.' }),
    });
    expect(items.map((i) => [i.key, i.target, i.label, i.group])).toEqual([
      ['meta.name', 'task-name', 'Task name', null],
      ['trainData', 'train-published', 'Training set', null],
      ['gamma', 'task-gamma', 'γ (gamma)', 'reward'],
      ['bond', 'task-bond', 'Challenge bond', 'challenge'],
    ]);
    expect(errorSummary({})).toEqual([]);
  });
});

describe('what a confirmation says', () => {
  it('a fee from measured gas and the gas price, or who shows it', () => {
    expect(feeText(451_137n, 1_000_000_000n)).toBe('about 0.00045 ETH (estimated, 451,137 gas)');
    expect(feeText(451_137n, null)).toBe('shown by your wallet before you sign');
    expect(feeText(null, 1n)).toBe('shown by your wallet before you sign');
  });

  it('durations for people', () => {
    expect([
      durationText(45),
      durationText(3_600),
      durationText(6_000),
      durationText(2 * 86_400 + 3 * 3_600 + 5),
    ]).toEqual(['45 s', '1 h', '1 h 40 min', '2 d 3 h']);
  });

  it('a challenge says the bond, how long it is locked and the fee', () => {
    expect(
      challengeFacts({
        submissionId: 3n,
        trainer: '0xabcd…1234',
        bond: 100n * 10n ** 18n,
        responseTime: 240,
        fee: 'f',
      }),
    ).toEqual([
      { label: 'Submission', value: '#3 of 0xabcd…1234' },
      { label: 'Bond', value: '100 ARENA' },
      {
        label: 'Locked',
        value:
          "at least 4 min (the trainer's time to answer), until the challenge is settled; it comes back if the trainer fails, and goes to the trainer if it passes",
      },
      { label: 'Network fee', value: 'f' },
    ]);
  });
});

describe('the demo reveal (npm start)', () => {
  const s = { startTime: 1_000n, epochLength: 240, submissionEpochs: 3, finalEpochs: 1 } as Schedule;
  it('waits for the final phase, reveals within its first tenth, then stops', () => {
    expect(demoRevealStep(s, 'Pending', 1_719n)).toEqual({ kind: 'wait', opens: 1_720n });
    expect(demoRevealStep(s, 'Pending', 1_720n)).toEqual({ kind: 'reveal', deadline: 1_744n });
    expect(demoRevealStep(s, 'Pending', 1_743n)).toEqual({ kind: 'reveal', deadline: 1_744n });
    expect(demoRevealStep(s, 'Pending', 1_744n)).toEqual({ kind: 'done', state: 'Fallback' });
    expect(demoRevealStep(s, 'Revealed', 1_730n)).toEqual({ kind: 'done', state: 'Revealed' });
    expect(demoRevealStep(s, 'None', 0n)).toEqual({ kind: 'done', state: 'None' });
  });
});

describe('reading a task name from the chain content', () => {
  it('parses the spec the task names; an unreadable one leaves "Task #N"', async () => {
    const named = bytes(withTaskMetadata(template, { name: 'Digits', description: '' }));
    const content = async (h: string) => {
      if (h === 'good') return named;
      throw new Error(`no blob ${h}`);
    };
    expect(await readTaskMetadata(content as never, 4n, 'good' as never)).toEqual({
      title: 'Digits',
      name: 'Digits',
      description: '',
    });
    expect(await readTaskMetadata(content as never, 5n, 'missing' as never)).toEqual({
      title: 'Task #5',
      name: null,
      description: '',
    });
  });
});
