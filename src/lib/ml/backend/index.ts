export { tf, ensureGradients } from './tf.ts';
export * from './types.ts';
export { activateBackend, resetBackend, BackendUnavailableError } from './activate.ts';
export { probeWebGpuAdapter } from './adapter.ts';
export { registerBackend } from './register.ts';
export {
  selectBackend,
  selectInferenceBackend,
  tier,
  NoBackendError,
  BackendCannotTrainError,
  type BackendSelection,
  type CandidateReport,
  type SelectOptions,
} from './select.ts';
export { trialTraining, type TrialOptions, type TrialResult } from './trial.ts';
export { watchDeviceLoss, type DeviceLostEvent } from './device-loss.ts';
