import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/lib/paths.ts';
import { readStartConfig } from '../../../scripts/lib/start-config.ts';

describe('readStartConfig', () => {
  it('defaults to 8545 / 5173, 4-minute epochs and a 45 s review', () => {
    expect(readStartConfig({})).toEqual({
      rpcPort: { port: 8545, explicit: false },
      appPort: { port: 5173, explicit: false },
      epochSeconds: 240,
      reviewSeconds: 45,
      deploymentsDir: join(REPO_ROOT, 'deployments'),
      stateDir: join(REPO_ROOT, '.local'),
    });
  });

  it('reads every variable', () => {
    expect(
      readStartConfig({
        AIARENA_RPC_PORT: '9545',
        AIARENA_APP_PORT: '4000',
        AIARENA_EPOCH_SECONDS: '60',
        AIARENA_REVIEW_SECONDS: '10',
        AIARENA_DEPLOYMENTS_DIR: '/tmp/d',
        AIARENA_STATE_DIR: 'state',
      }),
    ).toEqual({
      rpcPort: { port: 9545, explicit: true },
      appPort: { port: 4000, explicit: true },
      epochSeconds: 60,
      reviewSeconds: 10,
      deploymentsDir: '/tmp/d',
      stateDir: join(REPO_ROOT, 'state'),
    });
  });

  it.each([
    [{ AIARENA_RPC_PORT: '0' }, /AIARENA_RPC_PORT must be an integer from 1 to 65535/],
    [{ AIARENA_APP_PORT: 'http' }, /AIARENA_APP_PORT/],
    [{ AIARENA_EPOCH_SECONDS: '9' }, /AIARENA_EPOCH_SECONDS must be an integer from 10/],
    [{ AIARENA_REVIEW_SECONDS: '2.5' }, /AIARENA_REVIEW_SECONDS/],
    [{ AIARENA_RPC_PORT: '5173' }, /must differ/],
  ])('rejects %j', (env, message) => {
    expect(() => readStartConfig(env)).toThrow(message);
  });
});
