// Configuration of the store client (VITE_* env) and of the local blob store (AIARENA_BLOB_*).
import { IPFS_ADD_COMMAND } from '../../../src/lib/storage/unixfs/settings.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlobStoreConfig } from '../../../scripts/lib/blob-store/config.ts';
import { DEFAULT_MAX_BLOB_BYTES as STORE_DEFAULT } from '../../../scripts/lib/blob-store/server.ts';
import { MAX_ARTIFACT_BYTES } from '../../../src/lib/ml/artifact/index.ts';
import {
  CasConfigError,
  casConfigFromEnv,
  DEFAULT_MAX_BLOB_BYTES,
  kuboUploadUrl,
} from '../../../src/lib/storage/cas/index.ts';

describe('casConfigFromEnv', () => {
  it('defaults to the local stack store', () => {
    expect(casConfigFromEnv({})).toEqual({
      gateways: ['http://127.0.0.1:8546'],
      upload: { kind: 'store', url: 'http://127.0.0.1:8546/upload' },
      maxBytes: DEFAULT_MAX_BLOB_BYTES,
    });
  });

  it('reads production settings: gateways in order, a Kubo RPC upload, pinning', () => {
    const config = casConfigFromEnv({
      VITE_IPFS_GATEWAYS: ' https://gw.provider.example/ , https://{cid}.ipfs.dweb.link ,,',
      VITE_UPLOAD_URL: 'https://rpc.provider.example/api/v0',
      VITE_UPLOAD_AUTH: 'Basic dXNlcjpwYXNz',
      VITE_PINNING_URL: 'https://pin.provider.example/psa/',
      VITE_PINNING_TOKEN: 'secret',
      VITE_BLOB_MAX_BYTES: '1000000',
    });
    expect(config).toEqual({
      gateways: ['https://gw.provider.example', 'https://{cid}.ipfs.dweb.link'],
      upload: {
        kind: 'kubo',
        url: 'https://rpc.provider.example/api/v0',
        authorization: 'Basic dXNlcjpwYXNz',
      },
      pinning: { url: 'https://pin.provider.example/psa', token: 'secret', pollMs: 2000, timeoutMs: 120_000 },
      maxBytes: 1_000_000,
    });
  });

  it.each([
    [{ VITE_IPFS_GATEWAYS: 'ipfs.io' }, 'VITE_IPFS_GATEWAYS', /not a URL/],
    [{ VITE_IPFS_GATEWAYS: 'ftp://ipfs.io' }, 'VITE_IPFS_GATEWAYS', /http or https/],
    [{ VITE_IPFS_GATEWAYS: ' , ' }, 'VITE_IPFS_GATEWAYS', /lists no gateway/],
    [{ VITE_UPLOAD_URL: '/upload' }, 'VITE_UPLOAD_URL', /not a URL/],
    [{ VITE_PINNING_URL: 'https://pin.example' }, 'VITE_PINNING_TOKEN', /VITE_PINNING_TOKEN is not/],
    [{ VITE_BLOB_MAX_BYTES: '1e9x' }, 'VITE_BLOB_MAX_BYTES', /positive integer/],
  ])('rejects %j naming %s', (env, variable, message) => {
    let err: unknown;
    try {
      casConfigFromEnv(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CasConfigError);
    expect((err as CasConfigError).variable).toBe(variable);
    expect((err as Error).message).toMatch(message);
  });

  it('the default cap holds the largest artifact the protocol allows, and matches the store', () => {
    expect(DEFAULT_MAX_BLOB_BYTES).toBeGreaterThanOrEqual(MAX_ARTIFACT_BYTES);
    expect(STORE_DEFAULT).toBe(DEFAULT_MAX_BLOB_BYTES);
  });
});

describe('kuboUploadUrl', () => {
  it('adds every file with the documented UnixFS settings (the same flags as the README command)', () => {
    expect(kuboUploadUrl({ url: 'https://rpc.example/api/v0/' })).toBe(
      'https://rpc.example/api/v0/add?cid-version=1&raw-leaves=true&hash=sha2-256&chunker=size-1048576&trickle=false&pin=true&quieter=true',
    );
    for (const flag of ['--cid-version=1', '--raw-leaves', '--chunker=size-1048576'])
      expect(IPFS_ADD_COMMAND).toContain(flag);
  });
});

describe('readBlobStoreConfig', () => {
  it('defaults to port 8546, the store default limit, <state>/blobs', () => {
    expect(readBlobStoreConfig({}, '/state', { AIARENA_RPC_PORT: 8545 })).toEqual({
      port: { port: 8546, explicit: false },
      maxBlobBytes: STORE_DEFAULT,
      dir: join('/state', 'blobs'),
    });
  });

  it('reads AIARENA_BLOB_PORT and AIARENA_BLOB_MAX_BYTES', () => {
    expect(readBlobStoreConfig({ AIARENA_BLOB_PORT: '9000', AIARENA_BLOB_MAX_BYTES: '2048' }, '/s', {})).toEqual({
      port: { port: 9000, explicit: true },
      maxBlobBytes: 2048,
      dir: join('/s', 'blobs'),
    });
  });

  it.each([
    [{ AIARENA_BLOB_PORT: '70000' }, /AIARENA_BLOB_PORT must be an integer from 1 to 65535/],
    [{ AIARENA_BLOB_PORT: '8545' }, /AIARENA_BLOB_PORT and AIARENA_RPC_PORT must differ/],
    [{ AIARENA_BLOB_MAX_BYTES: '10' }, /AIARENA_BLOB_MAX_BYTES must be an integer from 1024/],
    [{ AIARENA_BLOB_MAX_BYTES: 'lots' }, /AIARENA_BLOB_MAX_BYTES/],
  ])('rejects %j', (env, message) => {
    expect(() => readBlobStoreConfig(env, '/s', { AIARENA_RPC_PORT: 8545 })).toThrow(message);
  });
});
