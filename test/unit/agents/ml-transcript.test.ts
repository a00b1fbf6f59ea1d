// The ML port's transcript runs (src/lib/agents/adapters/ml.ts): the job it gives the train
// service (K from the plan's epochs, the trainer's identity and key, no seed), the commitment of
// a finished run, and a stopped run (a snapshot) sealing its stored prefix. The train service is
// FAKE here (it writes arbitrary states as a run would): the real one is covered by
// test/unit/ml/transcript/ and test/integration/trainer-transcript-agent.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { mlPort } from '../../../src/lib/agents/adapters/ml.ts';
import { PortError } from '../../../src/lib/agents/ports.ts';
import { SEEDED_START } from '../../../src/lib/chain/transcript-commit.ts';
import { artifactByteLength } from '../../../src/lib/ml/artifact/format.ts';
import { sha256Hex } from '../../../src/lib/ml/hash.ts';
import { parseModelSpecBytes } from '../../../src/lib/ml/spec/parse.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import type { TranscriptJob, TranscriptOutcome } from '../../../src/lib/ml/train/service.ts';
import { merkleRoot } from '../../../src/lib/ml/transcript/merkle.ts';
import type { TranscriptMeta } from '../../../src/lib/ml/transcript/store.ts';
import { openTranscriptDir } from '../../../src/lib/storage/transcripts-fs.ts';
import { digitsDataHashes, publicFetch, publicFile } from '../../integration/support/public-files.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const OWNER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address;
const specBytes = publicFile('specs/digits-mlp.json');

async function setup(stopAfter: number | null) {
  const d = mkdtempSync(join(tmpdir(), 'aiarena-ml-transcript-'));
  dirs.push(d);
  const store = await openTranscriptDir(d);
  const { spec, hash } = await parseModelSpecBytes(specBytes);
  const length = artifactByteLength(specShapes(spec).params) + 16;
  const stateBytes = (id: string, i: number) => new Uint8Array(length).fill((i * 31 + id.length) & 0xff);
  const jobs: TranscriptJob[] = [];
  // FAKE train service: stores states 0..n as a transcript run does, n = K or `stopAfter`.
  const transcript = async (job: TranscriptJob): Promise<TranscriptOutcome> => {
    jobs.push(job);
    const K = job.segments!;
    const n = stopAfter === null ? K : stopAfter;
    const leaves: Hex[] = [];
    let meta!: TranscriptMeta;
    for (let i = 0; i <= n; i++) {
      const bytes = stateBytes(job.transcriptId, i);
      leaves.push(`0x${await sha256Hex(bytes)}`);
      meta = {
        format: 'aiarena-transcript',
        version: 1,
        id: job.transcriptId,
        specHash: hash,
        chainId: '31337',
        task: '5',
        trainer: OWNER,
        settings: { interval: 50, mantissaBits: 8, tolerance: 3e-4, outlierShare: 0.0025, outlierTolerance: 1e-2 },
        segments: K,
        start: { kind: 'seeded' },
        leaves: [...leaves],
        ...(i === K ? { root: merkleRoot(leaves) } : {}),
        backend: 'wasm',
        createdAt: 1,
        updatedAt: 1,
      };
      await store.save(meta, i, bytes);
    }
    const last = stateBytes(job.transcriptId, n).slice(0, length - 16);
    return {
      status: n === K ? 'completed' : 'cancelled',
      ...(n === K ? {} : { reason: 'snapshot' }),
      meta,
      backend: 'wasm',
      specHash: hash,
      resumedFrom: 0,
      ...(n === K ? { artifact: last, artifactHash: `0x${await sha256Hex(last)}` as Hex } : {}),
      deviceLosses: 0,
    };
  };
  const hashes = await digitsDataHashes();
  const port = mlPort({
    trainer: {
      train: () => Promise.reject(new Error('a transcript request must not run a plain job')),
      pause: () => undefined,
      resume: () => undefined,
      cancel: () => undefined,
      transcript,
    },
    evaluator: { evaluate: () => Promise.reject(new Error('unused')) },
    specBytes,
    trainData: hashes.trainData,
    dataUrl: () => 'http://local/datasets/digits-train',
    transcripts: store,
    fetch: publicFetch,
  });
  const request = {
    runId: 'unused',
    seed: 99,
    epochs: 5,
    backend: 'wasm' as const,
    watermark: { keyBits: new Uint8Array(64 * 128).fill(1), owner: OWNER },
    transcript: { base: 'tr-0123456789abcdef.t0', continueFrom: null, chainId: 31337, task: 5n },
  };
  return { port, store, jobs, request, length };
}

describe('the ML port trains with a transcript', () => {
  it('trains a sealed transcript on the reference backend whatever backend the person chose', async () => {
    const { port, jobs, request } = await setup(null);
    for (const backend of ['webgpu', 'cpu', 'auto'] as const) await port.train({ ...request, backend });
    expect(jobs.map((j) => j.backend)).toEqual(['wasm', 'wasm', 'wasm']);
  });

  it('asks K for the epochs, with the identity and key and no seed; a finished run seals its root', async () => {
    const { port, jobs, request } = await setup(null);
    const r = await port.train(request);
    // digits-train: 1297 samples, batch 32 -> 41 steps an epoch; 5 epochs = 205 steps -> K = 5 at 50.
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job).toMatchObject({
      transcriptId: 'tr-0123456789abcdef.t0.k5',
      segments: 5,
      identity: { chainId: 31337, task: 5n, trainer: OWNER },
      backend: 'wasm',
    });
    expect('seed' in job || 'continueFrom' in job || 'epochs' in job).toBe(false);
    expect(job.keyBits).toBe(request.watermark.keyBits);
    expect(r.status).toBe('completed');
    expect(r.transcriptId).toBe('tr-0123456789abcdef.t0.k5');
    expect(r.transcript).toEqual({
      trajRoot: r.transcript!.trajRoot,
      segments: 5,
      startRoot: SEEDED_START,
      startLeaf: 0,
    });
    expect(r.step).toBe(250);
    expect(r.artifactHash).toBe(`0x${await sha256Hex(r.artifact)}`);
  });

  it('a snapshot seals the stored prefix: its own finished transcript, the artifact from its last state', async () => {
    const { port, store, request, length } = await setup(2);
    const r = await port.train(request);
    expect(r.status).toBe('cancelled');
    expect(r.reason).toBe('snapshot');
    expect(r.transcriptId).toBe('tr-0123456789abcdef.t0.k5.p2');
    const prefix = (await store.meta(r.transcriptId!))!;
    expect(prefix.segments).toBe(2);
    expect(r.transcript).toEqual({ trajRoot: prefix.root, segments: 2, startRoot: SEEDED_START, startLeaf: 0 });
    const last = (await store.state(r.transcriptId!, 2))!;
    expect(r.artifact).toEqual(last.slice(0, length - 16));
    expect(r.artifactHash).toBe(`0x${await sha256Hex(r.artifact)}`);
    expect(r.step).toBe(100);
  });

  it('stopped before the first segment: nothing to seal, retryable', async () => {
    const { port, request } = await setup(0);
    const e = await port.train(request).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PortError);
    expect((e as PortError).retryable).toBe(true);
    expect((e as PortError).message).toMatch(/before its first transcript segment/);
  });
});
