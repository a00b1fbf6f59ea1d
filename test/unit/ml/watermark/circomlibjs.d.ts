// Just the part of circomlibjs (untyped) that the cross-checks use.
declare module 'circomlibjs' {
  interface CircomPoseidon {
    (inputs: (bigint | number | string)[]): Uint8Array;
    F: { toObject(x: Uint8Array): bigint };
  }
  export function buildPoseidon(): Promise<CircomPoseidon>;
  export function buildPoseidonReference(): Promise<CircomPoseidon>;
}
