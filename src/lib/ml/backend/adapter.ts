// Reads what kind of WebGPU adapter the browser would hand tfjs, before tfjs takes it, so a
// software adapter can be told apart from a GPU.
import type { GpuAdapterDescription } from './types.ts';

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}

interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

export function webGpuApi(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? undefined;
}

/** The adapter tfjs would get (it asks for high-performance), or null when there is none. */
export async function probeWebGpuAdapter(
  gpu: GpuLike | undefined = webGpuApi(),
): Promise<GpuAdapterDescription | null> {
  if (gpu === undefined) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) return null;
  // Chrome 131 removed requestAdapterInfo() in favour of the `info` attribute.
  const info: AdapterInfoLike = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const description = info.description ?? '';
  const named = SOFTWARE_NAMES.test(`${vendor} ${architecture} ${description}`);
  return {
    vendor,
    architecture,
    description,
    isFallbackAdapter: info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || named,
  };
}

export const isSoftwareRenderer = (renderer: string): boolean => SOFTWARE_NAMES.test(renderer);
