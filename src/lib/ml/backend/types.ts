export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Probe order (SPEC section 6): fastest kind first when the hardware is real. */
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export const isBackendName = (s: unknown): s is BackendName =>
  typeof s === 'string' && (BACKEND_ORDER as readonly string[]).includes(s);

export type WasmBinaryName =
  'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** A folder (URL or file path ending in '/') or one URL per binary. */
export type WasmPaths = string | Record<WasmBinaryName, string>;

export interface GpuAdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  /** A CPU implementation of the GPU API (SwiftShader and the like). */
  isFallbackAdapter: boolean;
}

export interface BackendInfo {
  name: BackendName;
  /** Runs on the CPU behind a GPU API: slower than wasm almost always. */
  software: boolean;
  /** 32, or 16 on WebGL without float32 render targets (visibly worse training). */
  floatPrecision: number;
  adapter?: GpuAdapterDescription;
  /** WebGL renderer string when readable. */
  renderer?: string;
}

export interface BackendEnvironment {
  wasmPaths?: WasmPaths;
}
