// tfjs 4.22 does not handle a lost WebGPU device (driver reset, GPU process crash, tab in the
// background too long): kernels start failing or hang. We watch the device's `lost` promise and
// tell the caller, which restarts from its last checkpoint.
import { tf } from './tf.ts';

export interface DeviceLostEvent {
  backend: 'webgpu';
  /** 'destroyed' when we destroyed it ourselves, else 'unknown'. */
  reason: string;
  message: string;
}

interface DeviceLike {
  lost?: Promise<{ reason?: string; message?: string }>;
}

/**
 * Calls `onLost` once if the active backend's WebGPU device is lost. Returns a function that
 * stops watching (the promise itself cannot be cancelled, so it just mutes the callback).
 */
export function watchDeviceLoss(onLost: (event: DeviceLostEvent) => void): () => void {
  let active = true;
  if (tf.getBackend() === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: DeviceLike }).device;
    void device?.lost?.then((info) => {
      if (active) onLost({ backend: 'webgpu', reason: info.reason ?? 'unknown', message: info.message ?? '' });
    });
  }
  return () => {
    active = false;
  };
}
