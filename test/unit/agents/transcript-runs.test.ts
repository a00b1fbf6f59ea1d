// The agent's transcript bookkeeping (src/lib/agents/transcript-runs.ts): reusing stored states
// when K grows, sealing a snapshot's stored prefix, the seal commitment of a record, and finding
// the transcript a submission sealed (src/lib/app-logic/disclosure.ts). States are arbitrary bytes
// here: the store and these helpers never read inside them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import {
  carryOver,
  commitmentOf,
  finishPrefix,
  prefixIdOf,
  transcriptIdOf,
} from '../../../src/lib/agents/transcript-runs.ts';
import { findSealedTranscript } from '../../../src/lib/app-logic/disclosure.ts';
import { SEEDED_START } from '../../../src/lib/chain/transcript-commit.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { merkleRoot } from '../../../src/lib/ml/transcript/merkle.ts';
import type { TranscriptMeta, TranscriptStart, TranscriptStore } from '../../../src/lib/ml/transcript/store.ts';
import { openTranscriptDir } from '../../../src/lib/storage/transcripts-fs.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const TRAINER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address;
const bytesOf = (i: number) => new TextEncoder().encode(`state-${i}`);
const leaf = async (i: number): Promise<Hex> => `0x${await sha256Hex(bytesOf(i))}`;

async function store(): Promise<TranscriptStore> {
  const d = mkdtempSync(join(tmpdir(), 'aiarena-runs-'));
  dirs.push(d);
  return openTranscriptDir(d);
}

/** Stores states 0..stored-1 of a transcript of K segments (finished when stored = K + 1). */
async function write(
  s: TranscriptStore,
  id: string,
  K: number,
  stored: number,
  start: TranscriptStart = { kind: 'seeded' },
) {
  const leaves: Hex[] = [];
  let meta!: TranscriptMeta;
  for (let i = 0; i < stored; i++) {
    leaves.push(await leaf(i));
    meta = {
      format: 'aiarena-transcript',
      version: 1,
      id,
      specHash: 'ab'.repeat(32),
      chainId: '31337',
      task: '3',
      trainer: TRAINER,
      settings: { interval: 10, mantissaBits: 8, tolerance: 3e-4, outlierShare: 0.0025, outlierTolerance: 1e-2 },
      segments: K,
      start,
      leaves: [...leaves],
      ...(leaves.length === K + 1 ? { root: merkleRoot(leaves) } : {}),
      backend: 'wasm',
      createdAt: 1,
      updatedAt: 1,
    };
    await s.save(meta, i, bytesOf(i));
  }
  return meta;
}

describe('transcript runs of the trainer agent', () => {
  test('ids are file-name safe', () => {
    expect(transcriptIdOf('tr-0123456789abcdef.t0', 12)).toBe('tr-0123456789abcdef.t0.k12');
    expect(prefixIdOf('tr-0123456789abcdef.t0.k12', 5)).toBe('tr-0123456789abcdef.t0.k12.p5');
  });

  test('a larger K reuses the stored states of the same run; a smaller one is finished at once', async () => {
    const s = await store();
    await write(s, transcriptIdOf('run', 3), 3, 4);
    expect(await carryOver(s, 'run', 5)).toBe(3);
    const grown = (await s.meta(transcriptIdOf('run', 5)))!;
    expect(grown.segments).toBe(5);
    expect(grown.leaves).toEqual(await Promise.all([0, 1, 2, 3].map(leaf)));
    expect(grown.root).toBeUndefined();
    expect(await s.state(grown.id, 3)).toEqual(bytesOf(3));
    // Already there: nothing copied again.
    expect(await carryOver(s, 'run', 5)).toBe(0);
    expect(await carryOver(s, 'run', 2)).toBe(2);
    const cut = (await s.meta(transcriptIdOf('run', 2)))!;
    expect(cut.root).toBe(merkleRoot(await Promise.all([0, 1, 2].map(leaf))));
    // Another run's states are never taken.
    expect(await carryOver(s, 'other', 4)).toBe(0);
    // The earlier transcripts stay (kept until vesting).
    expect((await s.meta(transcriptIdOf('run', 3)))!.root).toBeDefined();
  });

  test('a snapshot seals the stored prefix as a finished transcript; the run itself is untouched', async () => {
    const s = await store();
    const id = transcriptIdOf('run', 6);
    expect(await finishPrefix(s, id)).toBeNull();
    await write(s, id, 6, 1);
    expect(await finishPrefix(s, id)).toBeNull();
    await write(s, id, 6, 4);
    const p = (await finishPrefix(s, id))!;
    expect(p.meta.id).toBe(prefixIdOf(id, 3));
    expect(p.meta.segments).toBe(3);
    expect(p.meta.root).toBe(merkleRoot(await Promise.all([0, 1, 2, 3].map(leaf))));
    expect(p.last).toEqual(bytesOf(3));
    expect(commitmentOf(p.meta)).toEqual({ trajRoot: p.meta.root, segments: 3, startRoot: SEEDED_START, startLeaf: 0 });
    const run = (await s.meta(id))!;
    expect([run.segments, run.leaves.length, run.root]).toEqual([6, 4, undefined]);
    // Asked again: the same prefix, not another copy.
    expect((await finishPrefix(s, id))!.meta.createdAt).toBe(p.meta.createdAt);
  });

  test('a continued record commits to the earlier root and K; an unfinished one has no commitment', async () => {
    const s = await store();
    const earlier = await write(s, 'a.k2', 2, 3);
    const start: TranscriptStart = {
      kind: 'continued',
      from: 'a.k2',
      root: earlier.root!,
      segments: 2,
      leaf: earlier.leaves[2]!,
    };
    const cont = await write(s, 'b.k3', 3, 4, start);
    expect(commitmentOf(cont)).toEqual({ trajRoot: cont.root, segments: 3, startRoot: earlier.root, startLeaf: 2 });
    const open = await write(s, 'c.k3', 3, 2);
    expect(() => commitmentOf(open)).toThrow(/transcript c\.k3 is not finished/);
  });

  test('the page finds the transcript a submission sealed by its root, K and identity', async () => {
    const s = await store();
    const m = await write(s, 'x.k2', 2, 3);
    const id = { chainId: 31337, taskId: 3n, trainer: TRAINER.toUpperCase().replace('0X', '0x') };
    const sealed = commitmentOf(m);
    expect((await findSealedTranscript(s, sealed, id))!.id).toBe('x.k2');
    expect(await findSealedTranscript(s, { ...sealed, segments: 3 }, id)).toBeNull();
    expect(await findSealedTranscript(s, sealed, { ...id, taskId: 4n })).toBeNull();
  });
});
