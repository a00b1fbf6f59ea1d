// tfjs 4.22 does not handle a lost WebGPU device (driver reset, GPU process crash, tab in the
// background too long): kernels start failing or hang. We watch the device's `lost` promise and
// tell the caller, which restarts from its last checkpoint.
import { tf } from './tf.ts';

export interface DeviceLostEvent {
  backend: 'webgpu';
  /** 'destroyed' when destroyed on purpose, else 'unknown'. */
  reason: string;
  message: string;
}

interface DeviceLike {
  lost?: Promise<{ reason?: string; message?: string }>;
}

export interface DeviceLossWatch {
  /** Stops calling back (the promise itself cannot be cancelled). */
  stop(): void;
  /**
   * The loss if the device is lost now or within `ms`. A failed GPU read can reject before the
   * `lost` promise settles, so an error on webgpu is classified by waiting a moment for it.
   */
  lostWithin(ms: number): Promise<DeviceLostEvent | null>;
}

/** Watches the active backend's WebGPU device (inert on other backends). */
export function watchDeviceLoss(onLost: (event: DeviceLostEvent) => void): DeviceLossWatch {
  let active = true;
  let lost: Promise<DeviceLostEvent> | null = null;
  if (tf.getBackend() === 'webgpu') {
    const device = (tf.backend() as unknown as { device?: DeviceLike }).device;
    if (device?.lost) {
      lost = device.lost.then((info) => ({
        backend: 'webgpu' as const,
        reason: info.reason ?? 'unknown',
        message: info.message ?? '',
      }));
      void lost.then((e) => {
        if (active) onLost(e);
      });
    }
  }
  return {
    stop() {
      active = false;
    },
    async lostWithin(ms) {
      if (lost === null) return null;
      return Promise.race([lost, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
    },
  };
}
