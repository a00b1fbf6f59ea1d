import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newestSourceMtime, staleReason } from '../../../scripts/lib/contracts-build.ts';

describe('staleReason', () => {
  it('asks for a build when output is missing', () => {
    expect(staleReason(10, { A: 20, B: null, C: null })).toBe('no build output for B, C');
  });

  it('asks for a build when a source is newer than the oldest artifact', () => {
    expect(staleReason(15, { A: 20, B: 12 })).toBe('contracts/src changed since the last build');
  });

  it('is satisfied when every artifact is newer than every source', () => {
    expect(staleReason(15, { A: 20, B: 15 })).toBeNull();
  });
});

describe('newestSourceMtime', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the newest .sol file in nested folders and ignores other files', () => {
    dir = mkdtempSync(join(tmpdir(), 'aiarena-src-'));
    mkdirSync(join(dir, 'lib'));
    const put = (path: string, seconds: number) => {
      writeFileSync(join(dir, path), '');
      utimesSync(join(dir, path), seconds, seconds);
    };
    put('A.sol', 1_000);
    put('lib/B.sol', 2_000);
    put('notes.md', 3_000);
    expect(newestSourceMtime(dir)).toBe(2_000_000);
  });
});
