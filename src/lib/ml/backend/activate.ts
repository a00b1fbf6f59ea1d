// Switching tfjs to a backend, verified. tf.setBackend resolves false on a failed init and then
// leaves the engine with no usable backend instance (the next op would silently pick one), so
// success is the return value AND tf.getBackend() both naming the backend.
import { isSoftwareRenderer, probeWebGpuAdapter, webGpuApi } from './adapter.ts';
import { registerBackend } from './register.ts';
import { ensureGradients, tf } from './tf.ts';
import type { BackendEnvironment, BackendInfo, BackendName, GpuAdapterDescription } from './types.ts';
import { BackendUnavailableError } from '../errors.ts';

export { BackendUnavailableError };

interface WebGlLike {
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
  getParameter(p: number): unknown;
  RENDERER: number;
}

function webGlRenderer(): string | undefined {
  try {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGlLike } }).gpgpu?.gl;
    if (gl === undefined) return undefined;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const r = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
    return typeof r === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

function precision(): number {
  // tfjs 4.22's webgl floatPrecision() answers 16 exactly when float32 render targets ARE in use
  // (tfjs#6980), and 32 on half-float textures (its underflow probe runs on the CPU). The texture
  // format decides: without float32 render targets tfjs stores every tensor as float16 (measured
  // both ways on SwiftShader, docs/bench/consensus.md).
  if (tf.getBackend() === 'webgl') return tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 32 : 16;
  const b = tf.backend() as unknown as { floatPrecision?: () => number };
  return typeof b.floatPrecision === 'function' ? b.floatPrecision() : 32;
}

function describe(name: BackendName, adapter: GpuAdapterDescription | null): BackendInfo {
  const floatPrecision = precision();
  if (name === 'webgpu') {
    const a = adapter ?? undefined;
    return { name, software: a?.isFallbackAdapter ?? false, floatPrecision, ...(a ? { adapter: a } : {}) };
  }
  if (name === 'webgl') {
    const renderer = webGlRenderer();
    const software = renderer !== undefined && isSoftwareRenderer(renderer);
    return { name, software, floatPrecision, ...(renderer !== undefined ? { renderer } : {}) };
  }
  return { name, software: false, floatPrecision };
}

/** Makes `name` the active backend or throws BackendUnavailableError saying why not. */
export async function activateBackend(name: BackendName, env: BackendEnvironment = {}): Promise<BackendInfo> {
  await ensureGradients();
  let adapter: GpuAdapterDescription | null = null;
  if (name === 'webgpu') {
    // tfjs registers webgpu only when navigator.gpu exists at import time; skip the download.
    if (webGpuApi() === undefined) throw new BackendUnavailableError(name, 'this context has no navigator.gpu');
    adapter = await probeWebGpuAdapter().catch(() => null);
    if (adapter === null) throw new BackendUnavailableError(name, 'the browser returned no WebGPU adapter');
  }
  if (name === 'webgl' && typeof OffscreenCanvas === 'undefined' && typeof document === 'undefined') {
    throw new BackendUnavailableError(name, 'this context has neither OffscreenCanvas nor a document');
  }
  let registered: boolean;
  try {
    registered = await registerBackend(name, env);
  } catch (e) {
    throw new BackendUnavailableError(name, `loading the backend failed: ${(e as Error).message}`);
  }
  if (!registered) throw new BackendUnavailableError(name, 'tfjs did not register it in this context');
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    throw new BackendUnavailableError(name, `initialization threw: ${(e as Error).message}`);
  }
  if (!ok || tf.getBackend() !== name) {
    throw new BackendUnavailableError(
      name,
      `initialization failed (setBackend returned ${ok}, active backend ${tf.getBackend()})`,
    );
  }
  return describe(name, adapter);
}

/**
 * Drops a backend's instance (e.g. after its WebGPU device was lost) and registers its factory
 * again, so the next activation builds a fresh one.
 */
export function resetBackend(name: BackendName): void {
  const factory = tf.findBackendFactory(name);
  if (factory === null) return;
  try {
    tf.removeBackend(name);
  } catch {
    // A backend whose device is gone may fail to dispose; it is being replaced anyway.
  }
  tf.registerBackend(name, factory, name === 'webgpu' ? 3 : 1);
}
