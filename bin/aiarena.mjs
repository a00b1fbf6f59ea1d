#!/usr/bin/env node
// Entry for `npx aiarena ...`: runs the TypeScript CLI through tsx so no build step is needed,
// with the module hooks that let plain Node load tfjs's ES build (the headless agents' ML engine;
// src/lib/ml/backend/node/tfjs-hooks.mjs).
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

registerHooks('../src/lib/ml/backend/node/tfjs-hooks.mjs', import.meta.url);
register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Agents leave sockets and timers behind (RPC keep-alive, a stopping training run): exit once
// the output is flushed rather than wait for them.
process.stdout.write('', () => process.exit(code));
