import { describe, expect, it } from 'vitest';
import { dropSession, sessionFor } from '../../../src/app/pages/train/sessions.ts';

const made: string[] = [];
const closed: string[] = [];
const session = (name: string) => () => {
  made.push(name);
  return { name, close: () => closed.push(name) };
};

describe('sessionFor', () => {
  it('keeps one session per role: the same key returns it, another key closes it first', () => {
    const a = sessionFor('trainer', 'task1:alice', session('a'));
    expect(sessionFor('trainer', 'task1:alice', session('a2'))).toBe(a);
    const v = sessionFor('validator', 'task1:bob', session('v'));
    const b = sessionFor('trainer', 'task2:alice', session('b'));
    expect(b.name).toBe('b');
    expect(made).toEqual(['a', 'v', 'b']);
    expect(closed).toEqual(['a']);
    expect(sessionFor('validator', 'task1:bob', session('v2'))).toBe(v);
  });

  it('drops a failed session only when it is the current one for that key', () => {
    dropSession('trainer', 'task1:alice');
    expect(closed).toEqual(['a']);
    dropSession('trainer', 'task2:alice');
    expect(closed).toEqual(['a', 'b']);
    expect(sessionFor('trainer', 'task2:alice', session('b2')).name).toBe('b2');
  });
});
