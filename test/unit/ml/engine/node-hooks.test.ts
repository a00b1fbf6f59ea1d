// Plain Node (no bundler) runs the engine through the module hooks in backend/node/, and gets
// the same bytes as vitest (which resolves tfjs through Vite).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, expect, test } from 'vitest';
import { createTrainService } from '../../../../src/lib/ml/train/service.ts';
import { openCheckpointStore } from '../../../../src/lib/storage/checkpoints.ts';
import { WASM_DIR, useBackend } from './helpers.ts';

const root = new URL('../../../../', import.meta.url);
const run = (imports: string[]) =>
  spawnSync(
    process.execPath,
    [
      ...imports.flatMap((i) => ['--import', i]),
      fileURLToPath(new URL('test/unit/ml/engine/fixtures/node-train.ts', root)),
      '5',
      '20',
    ],
    {
      cwd: fileURLToPath(root),
      encoding: 'utf8',
      timeout: 120_000,
    },
  );

beforeAll(() => useBackend('cpu'));

test('with the hooks, plain Node trains on wasm to the same artifact as here', async () => {
  const r = run(['tsx', './src/lib/ml/backend/node/register.mjs']);
  expect(r.status, r.stderr).toBe(0);
  const node = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { artifactHash: string; step: number };
  expect(node.step).toBe(20);

  const publicDir = new URL('public/', root);
  const here = await createTrainService({
    backend: { wasmPaths: WASM_DIR },
    fetch: (async (input: RequestInfo | URL) =>
      new Response(readFileSync(new URL(`.${new URL(String(input)).pathname}`, publicDir)))) as typeof fetch,
    openStore: () => openCheckpointStore(new IDBFactory()),
  }).train({
    runId: 'x',
    specBytes: new Uint8Array(readFileSync(new URL('specs/digits-mlp.json', publicDir))),
    dataUrl: 'http://local/datasets/digits-train',
    seed: 5,
    backend: 'wasm',
    maxSteps: 20,
  });
  expect(node.artifactHash).toBe(here.artifactHash);
});

test('without the hooks, the failure says how to run', () => {
  const r = run(['tsx']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/--import \.\/src\/lib\/ml\/backend\/node\/register\.mjs/);
});
