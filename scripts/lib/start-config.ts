// `npm start` settings from environment variables, validated up front so a typo fails before
// anything is started.
import { deploymentsDir, stateDir } from './paths.ts';

export interface PortChoice {
  port: number;
  /** Set by the user: if taken, fail rather than silently pick another. */
  explicit: boolean;
}

export interface StartConfig {
  rpcPort: PortChoice;
  appPort: PortChoice;
  epochSeconds: number;
  reviewSeconds: number;
  deploymentsDir: string;
  stateDir: string;
}

export const START_DEFAULTS = {
  rpcPort: 8545,
  appPort: 5173,
  epochSeconds: 240,
  reviewSeconds: 45,
} as const;

/** The contracts accept epochs of 10 s to 30 days; the local stack's protocol allows reviews from 10 s. */
const MIN_SECONDS = 10;
const MAX_EPOCH_SECONDS = 30 * 86_400;

function int(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): PortChoice {
  const explicit = env[key] !== undefined && env[key]!.trim() !== '';
  return { port: int(env, key, fallback, 1, 65_535), explicit };
}

export function readStartConfig(env: NodeJS.ProcessEnv): StartConfig {
  const config: StartConfig = {
    rpcPort: port(env, 'AIARENA_RPC_PORT', START_DEFAULTS.rpcPort),
    appPort: port(env, 'AIARENA_APP_PORT', START_DEFAULTS.appPort),
    epochSeconds: int(env, 'AIARENA_EPOCH_SECONDS', START_DEFAULTS.epochSeconds, MIN_SECONDS, MAX_EPOCH_SECONDS),
    reviewSeconds: int(env, 'AIARENA_REVIEW_SECONDS', START_DEFAULTS.reviewSeconds, MIN_SECONDS, MAX_EPOCH_SECONDS),
    deploymentsDir: deploymentsDir(env),
    stateDir: stateDir(env),
  };
  if (config.rpcPort.port === config.appPort.port) {
    throw new Error(`AIARENA_RPC_PORT and AIARENA_APP_PORT must differ (both ${config.rpcPort.port})`);
  }
  return config;
}
