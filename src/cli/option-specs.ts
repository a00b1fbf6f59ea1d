// The options every networked command shares, as the command table documents them: what each
// defaults to (the local stack that `npm start` runs) and the environment variable that stands in
// for it. Only the table: resolving the values (options.ts) loads the content store's client,
// which `aiarena --help` has no use for.
import type { OptionSpecs } from './args.ts';

/** The local stack's blob store (storage/cas/config.ts LOCAL_STORE_URL; a test holds them equal). */
export const LOCAL_STORE = 'http://127.0.0.1:8546';

export const DEFAULT_RPC = 'http://127.0.0.1:8545';
export const DEFAULT_STATE = '.aiarena';

export const NETWORK_OPTIONS: OptionSpecs = {
  rpc: {
    kind: 'value',
    value: '<url>',
    help: `JSON-RPC endpoint (AIARENA_RPC_URL; default ${DEFAULT_RPC}, the local stack)`,
  },
  deployment: {
    kind: 'value',
    value: '<file>',
    help: 'deployment record (AIARENA_DEPLOYMENT; default deployments/<chain id>.json)',
  },
};

export const CONTENT_OPTIONS: OptionSpecs = {
  gateway: {
    kind: 'value',
    value: '<url>',
    multiple: true,
    help: `IPFS gateway to read content through (AIARENA_GATEWAYS, comma-separated; default ${LOCAL_STORE})`,
  },
  upload: {
    kind: 'value',
    value: '<url>',
    help: `where artifacts are uploaded: a store's /upload or a Kubo /api/v0 (AIARENA_UPLOAD_URL; default ${LOCAL_STORE}/upload)`,
  },
};

export const KEY_OPTIONS: OptionSpecs = {
  'key-file': {
    kind: 'value',
    value: '<path>',
    help: 'encrypted account key file (AIARENA_KEY_FILE); without it AIARENA_PRIVATE_KEY is used',
  },
};

export const STATE_OPTIONS: OptionSpecs = {
  state: { kind: 'value', value: '<dir>', help: `folder for the agents' state (default ${DEFAULT_STATE})` },
};

export const OUTPUT_OPTIONS: OptionSpecs = {
  json: { kind: 'flag', help: 'one JSON object per line instead of text' },
};
