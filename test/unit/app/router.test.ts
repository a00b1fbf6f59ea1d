import { describe, expect, it } from 'vitest';
import { href, parseHash, routeHash, samePage, type Route } from '../../../src/app/router.ts';

describe('parseHash', () => {
  it.each([
    ['', { name: 'explore', query: {} }],
    ['#', { name: 'explore', query: {} }],
    ['#/', { name: 'explore', query: {} }],
    ['#/tasks', { name: 'explore', query: {} }],
    ['#/create', { name: 'create', query: {} }],
    ['#/rewards', { name: 'rewards', query: {} }],
    ['#/dev', { name: 'dev', query: {} }],
    ['#/tasks/3', { name: 'task', taskId: 3n, query: {} }],
    ['#/tasks/3/', { name: 'task', taskId: 3n, query: {} }],
    ['#/tasks/12/train', { name: 'train', taskId: 12n, query: {} }],
    ['#/tasks/12/validate', { name: 'validate', taskId: 12n, query: {} }],
    ['#/tasks/12/delegate', { name: 'delegate', taskId: 12n, query: {} }],
    ['#/tasks/12/challenges', { name: 'challenges', taskId: 12n, query: {} }],
    ['#/tasks/7?epoch=2', { name: 'task', taskId: 7n, query: { epoch: '2' } }],
    ['#/tasks/123456789012345678901234567890', { name: 'task', taskId: 123456789012345678901234567890n, query: {} }],
  ] as [string, Route][])('%s', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });

  it('names what is wrong with a bad task number', () => {
    for (const bad of ['abc', '0', '007', '-1', '1.5', '1e3']) {
      expect(parseHash(`#/tasks/${bad}`)).toEqual({
        name: 'not-found',
        path: `/tasks/${bad}`,
        reason: `"${bad}" is not a task number`,
        query: {},
      });
    }
  });

  it('sends unknown paths to not-found with the path', () => {
    expect(parseHash('#/nope')).toEqual({
      name: 'not-found',
      path: '/nope',
      reason: 'no page has this address',
      query: {},
    });
    expect(parseHash('#/tasks/3/mine')).toMatchObject({ name: 'not-found', path: '/tasks/3/mine' });
    expect(parseHash('#/tasks/3/train/extra')).toMatchObject({ name: 'not-found' });
    expect(parseHash('#/create/x')).toMatchObject({ name: 'not-found' });
    expect(parseHash('#/%E0%A4%A')).toMatchObject({
      name: 'not-found',
      reason: 'the address is not valid URL encoding',
    });
  });
});

describe('routeHash', () => {
  const routes: Route[] = [
    { name: 'explore', query: {} },
    { name: 'create', query: {} },
    { name: 'rewards', query: {} },
    { name: 'dev', query: {} },
    { name: 'task', taskId: 3n, query: {} },
    { name: 'task', taskId: 3n, query: { epoch: '2', b: 'x y' } },
    { name: 'train', taskId: 99n, query: {} },
    { name: 'validate', taskId: 1n, query: {} },
    { name: 'delegate', taskId: 1n, query: { from: 'explore' } },
  ];
  it.each(routes.map((r) => [routeHash(r), r] as const))('%s round-trips', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
  });

  it('writes the addresses the issue names', () => {
    expect(href('explore')).toBe('#/');
    expect(href('task', 3n)).toBe('#/tasks/3');
    expect(href('train', 3n)).toBe('#/tasks/3/train');
    expect(href('validate', 3n)).toBe('#/tasks/3/validate');
    expect(href('delegate', 3n)).toBe('#/tasks/3/delegate');
    expect(href('create')).toBe('#/create');
    expect(href('rewards')).toBe('#/rewards');
    expect(href('dev')).toBe('#/dev');
    expect(href('task', 3n, { epoch: '1' })).toBe('#/tasks/3?epoch=1');
  });
});

describe('samePage', () => {
  it('ignores the query but not the task', () => {
    expect(samePage(parseHash('#/tasks/3?epoch=1'), parseHash('#/tasks/3?epoch=2'))).toBe(true);
    expect(samePage(parseHash('#/tasks/3'), parseHash('#/tasks/4'))).toBe(false);
    expect(samePage(parseHash('#/tasks/3'), parseHash('#/tasks/3/train'))).toBe(false);
    expect(samePage(parseHash('#/'), parseHash('#/?x=1'))).toBe(true);
  });
});

describe('navSection', () => {
  it('marks Explore on the list and a task, and nothing on a role page', async () => {
    const { navSection } = await import('../../../src/app/routes.ts');
    expect(navSection(parseHash('#/'))).toBe('explore');
    expect(navSection(parseHash('#/tasks/3'))).toBe('explore');
    for (const role of ['train', 'validate', 'delegate', 'challenges'])
      expect(navSection(parseHash(`#/tasks/3/${role}`))).toBeNull();
    expect(navSection(parseHash('#/rewards'))).toBe('rewards');
  });
});

describe('address route', () => {
  it('parses an account address and refuses anything else', () => {
    const a = '0x00000000000000000000000000000000000000A1';
    expect(parseHash(`#/address/${a}`)).toEqual({ name: 'address', address: a, query: {} });
    expect(routeHash(parseHash(`#/address/${a}`))).toBe(`#/address/${a}`);
    expect(parseHash('#/address/0x12')).toMatchObject({ name: 'not-found', reason: '"0x12" is not an address' });
  });
});
