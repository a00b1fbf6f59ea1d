// The validator's transcript check (validator/transcript-checker.ts) over the agents' ML port and
// the real eval service in Node (wasm): a short digits-mlp transcript from runTranscript, read
// through an in-memory disclosure reader. The seeded start is checked, a last state that is not
// the artifact, a manifest that does not match the seal and a state that cannot be fetched are
// named with the segment each shows at; the eval job's probe predictions for the similarity hint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mlPort } from '../../../src/lib/agents/adapters/ml.ts';
import type { MlPort } from '../../../src/lib/agents/ports.ts';
import type { TranscriptCheckProgress } from '../../../src/lib/agents/transcript-check.ts';
import { PROBE_COUNT, PROBE_RANGE } from '../../../src/lib/agents/validator/similarity.ts';
import {
  DisclosureFetchError,
  checkTranscript,
  type CheckDeps,
  type CheckTarget,
  type OpenedTranscript,
} from '../../../src/lib/agents/validator/transcript-checker.ts';
import { seededTranscript } from '../../../src/lib/chain/transcript-commit.ts';
import { artifactHash } from '../../../src/lib/ml/artifact/hash.ts';
import { createEvalService } from '../../../src/lib/ml/eval/service.ts';
import { specShapes } from '../../../src/lib/ml/spec/shapes.ts';
import { createTrainService } from '../../../src/lib/ml/train/service.ts';
import { runTranscript } from '../../../src/lib/ml/transcript/run.ts';
import { stateArtifact } from '../../../src/lib/ml/transcript/state.ts';
import { openTranscriptDir } from '../../../src/lib/storage/transcripts-fs.ts';
import { openCheckpointStore } from '../../../src/lib/storage/checkpoints.ts';
import { IDBFactory } from 'fake-indexeddb';
import { digitsDataHashes, publicFetch } from '../../integration/support/public-files.ts';
import { WASM_DIR, useBackend } from '../ml/engine/helpers.ts';
import { ALICE, digitsSpec, keyFor, programOptions } from '../ml/transcript/fixture.ts';

const K = 2;
let dir: string;
let states: Uint8Array[];
let ml: MlPort;
let artifact: Uint8Array;
let artifactHex: Hex;
let data: { trainData: Hex; evalData: Hex };
let params: ReturnType<typeof specShapes>['params'];
let digits: Awaited<ReturnType<typeof digitsSpec>>;

beforeAll(async () => {
  await useBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'aiarena-validator-check-'));
  const store = await openTranscriptDir(dir);
  digits = await digitsSpec({ interval: 10 });
  await runTranscript({ ...(await programOptions(digits)), id: 'a', store, segments: K });
  states = await Promise.all(Array.from({ length: K + 1 }, (_, i) => store.state('a', i).then((b) => b!)));
  params = specShapes(digits.spec).params;
  artifact = stateArtifact(states[K]!, params);
  artifactHex = await artifactHash(artifact);
  data = await digitsDataHashes();
  ml = mlPort(portOptions());
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function portOptions(): Parameters<typeof mlPort>[0] {
  return {
    trainer: createTrainService({
      backend: { wasmPaths: WASM_DIR },
      fetch: publicFetch,
      openStore: () => openCheckpointStore(new IDBFactory()),
    }),
    evaluator: createEvalService({ backend: { wasmPaths: WASM_DIR }, fetch: publicFetch }),
    specBytes: digits.bytes,
    trainData: data.trainData,
    dataUrl: (hash) => `http://local/datasets/${hash === data.trainData ? 'digits-train' : 'digits-eval'}`,
    evalBackend: 'wasm',
  };
}

function reader(over: Partial<OpenedTranscript> = {}, fail?: Error) {
  return {
    open: async (): Promise<OpenedTranscript> => {
      if (fail) throw fail;
      return {
        problems: [],
        segments: K,
        seeded: true,
        keyBits: keyFor(ALICE.trainer),
        state: async (i) => states[i]!,
        ...over,
      };
    },
  };
}

async function check(
  mode: 'whole' | 'segment',
  r: ReturnType<typeof reader>,
  over: Partial<CheckTarget> = {},
  deps: Partial<Pick<CheckDeps, 'replay'>> = {},
) {
  const reports: TranscriptCheckProgress[] = [];
  const result = await checkTranscript(
    {
      challengeId: '3',
      expect: {
        commitment: seededTranscript(`0x${'11'.repeat(32)}`, K),
        chainId: ALICE.chainId as number,
        task: BigInt(ALICE.task),
        trainer: ALICE.trainer,
        keyCommit: `0x${'22'.repeat(32)}`,
      },
      manifest: `0x${'33'.repeat(32)}`,
      artifactHash: artifactHex,
      mode,
      segment: mode === 'segment' ? K - 1 : null,
      ...over,
    },
    {
      disclosures: r,
      replay: (req, events) => ml.replaySegment!(req, events),
      artifactHashOf: (s) => artifactHash(stateArtifact(s, params)),
      report: (p) => reports.push(p),
      ...deps,
    },
  );
  return { result, reports };
}

describe('transcript check over the ML port', () => {
  test('an honest transcript replays segment by segment, with step progress', async () => {
    const { result, reports } = await check('whole', reader(), {});
    expect(result).toMatchObject({ status: 'replays', toCheck: [0, 1], firstFailing: null });
    expect(result.checked.map((c) => [c.segment, c.replays, c.failing])).toEqual([
      [0, true, 0],
      [1, true, 0],
    ]);
    expect(reports[0]!.status).toBe('fetching');
    // Every step of segment 0 in order (the segment's result repeats the last one).
    const dones = reports.filter((p) => p.step?.segment === 0).map((p) => p.step!.done);
    expect([...new Set(dones)]).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(reports.filter((p) => p.step?.segment === 0).at(-1)!.step!.of).toBe(10);
    expect(reports.at(-1)).toEqual(result);
  });

  test('a juror replays only the disputed segment', async () => {
    const { result } = await check('segment', reader());
    expect(result).toMatchObject({ mode: 'segment', status: 'replays', toCheck: [K - 1] });
    expect(result.checked.map((c) => c.segment)).toEqual([K - 1]);
  });

  test('a transcript that does not start at the seeded start fails its first segment', async () => {
    // States shifted by one: "state 0" is state 1, which is not the trainer's seeded start.
    const shifted = reader({ state: async (i) => states[Math.min(i + 1, K)]! });
    const { result } = await check('whole', shifted);
    expect(result).toMatchObject({ status: 'problem', firstFailing: 0, checked: [] });
    expect(result.problem!.kind).toBe('foreign-start');
  });

  test('a last state that is not the artifact fails the last segment; earlier ones replay', async () => {
    const { result } = await check('whole', reader(), { artifactHash: `0x${'44'.repeat(32)}` });
    expect(result).toMatchObject({ status: 'problem', firstFailing: K - 1 });
    expect(result.problem!.kind).toBe('not-the-artifact');
    expect(result.checked.map((c) => [c.segment, c.replays])).toEqual([[0, true]]);
  });

  test('a manifest that does not match the seal, a malformed one and an unfetchable state are named', async () => {
    const mismatch = await check('whole', reader({ problems: ['its trajRoot is not the sealed trajRoot'] }));
    expect(mismatch.result).toMatchObject({ status: 'problem', firstFailing: 0, checked: [] });
    expect(mismatch.result.problem).toEqual({
      kind: 'mismatch',
      message: 'the disclosure does not match the seal: its trajRoot is not the sealed trajRoot',
    });
    const malformed = await check('whole', reader({}, new Error('not JSON')));
    expect(malformed.result.problem!.kind).toBe('mismatch');
    const down = await check('whole', reader({}, new DisclosureFetchError('gateway timeout')));
    expect(down.result).toMatchObject({ status: 'problem', firstFailing: null });
    expect(down.result.problem!.kind).toBe('unavailable');
    const missing = reader({
      state: async (i) => {
        if (i === 2) throw new Error('blob not found');
        return states[i]!;
      },
    });
    const gone = await check('whole', missing);
    expect(gone.result).toMatchObject({ status: 'problem', firstFailing: 1 });
    expect(gone.result.problem!.kind).toBe('unavailable');
    expect(gone.result.checked.map((c) => c.segment)).toEqual([0]);
  });
});

describe('jurors replay on the reference backend (docs/transcript.md section 5)', () => {
  // A validator that evaluates on another backend (cpu here, a GPU in a browser) still replays on
  // wasm: across backends an honest segment can diverge after a ReLU flip, on wasm it is exact.
  const recording = (calls: (string | undefined)[]): CheckDeps['replay'] => {
    const cpuPort = mlPort({ ...portOptions(), evalBackend: 'cpu' });
    return async (req, events) => {
      calls.push(req.backend);
      return cpuPort.replaySegment!(req, events);
    };
  };

  test('an honest transcript replays exactly on wasm while the validator evaluates on cpu', async () => {
    const calls: (string | undefined)[] = [];
    const { result } = await check('whole', reader(), {}, { replay: recording(calls) });
    expect(result).toMatchObject({ status: 'replays', firstFailing: null });
    expect(result.checked.map((c) => [c.segment, c.replays, c.backend, c.failing, c.maxDeviation])).toEqual([
      [0, true, 'wasm', 0, 0],
      [1, true, 'wasm', 0, 0],
    ]);
    expect(calls).toEqual(['wasm', 'wasm']);
  });

  test('a tampered state fails on the reference backend, with one replay', async () => {
    // One weight of state 1 set far from where training put it: segment 0 cannot reach it.
    const tampered = states[1]!.slice();
    const at = 4 * Math.floor(tampered.length / 8);
    new DataView(tampered.buffer).setFloat32(at, 1.5, true);
    const calls: (string | undefined)[] = [];
    const { result } = await check(
      'whole',
      reader({ state: async (i) => (i === 1 ? tampered : states[i]!) }),
      {},
      { replay: recording(calls) },
    );
    expect(result).toMatchObject({ status: 'fails', firstFailing: 0 });
    expect(calls).toEqual(['wasm']);
    expect(result.checked).toEqual([
      expect.objectContaining({ segment: 0, replays: false, backend: 'wasm', failing: 1 }),
    ]);
  });
});

describe('probe predictions for the similarity hint', () => {
  test('evaluateSamples predicts on the seeded probes only when asked, the same for the same seed', async () => {
    const req = { artifact, artifactHash: artifactHex, dataHash: data.evalData };
    const plain = await ml.evaluateSamples(req);
    expect(plain.predictions).toBeUndefined();
    expect(plain.probePredictions).toBeUndefined();
    const probes = { seed: 'task-a', count: PROBE_COUNT, lo: PROBE_RANGE[0], hi: PROBE_RANGE[1] };
    const a = await ml.evaluateSamples({ ...req, probes });
    const b = await ml.evaluateSamples({ ...req, probes });
    const other = await ml.evaluateSamples({ ...req, probes: { ...probes, seed: 'task-b' } });
    expect(a.predictions!.length).toBe(a.samples);
    expect(a.probePredictions!.length).toBe(PROBE_COUNT);
    expect(a.probePredictions).toEqual(b.probePredictions);
    expect(a.probePredictions).not.toEqual(other.probePredictions);
    // The eval set's predictions agree with the right/wrong flags the scores come from.
    expect(a.score).toBe(plain.score);
  });
});
