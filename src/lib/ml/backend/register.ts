// Backends load on demand: each tfjs backend is hundreds of KB, and the first page of the app
// must not pay for any of them. Importing a backend module registers its factory with tfjs.
import { tf } from './tf.ts';
import type { BackendEnvironment, BackendName } from './types.ts';

let wasmPathsSet = false;

async function importBackend(name: BackendName, env: BackendEnvironment): Promise<void> {
  switch (name) {
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
    case 'webgl':
      await import('@tensorflow/tfjs-backend-webgl');
      return;
    case 'webgpu':
      await import('@tensorflow/tfjs-backend-webgpu');
      return;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // tfjs would otherwise fetch the binaries next to the script or from a CDN; paths are set
      // once, before the backend first initializes (tfjs refuses later changes).
      if (env.wasmPaths !== undefined && !wasmPathsSet) {
        wasm.setWasmPaths(env.wasmPaths);
        wasmPathsSet = true;
      }
      return;
    }
  }
}

/** Loads the backend's module; true when tfjs now knows a factory for it. */
export async function registerBackend(name: BackendName, env: BackendEnvironment = {}): Promise<boolean> {
  // A module import is cached, so calling this again costs nothing.
  await importBackend(name, env);
  return tf.findBackendFactory(name) !== null;
}
