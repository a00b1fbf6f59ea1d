// The parts of snarkjs 0.7 this project calls (it ships no types). File arguments are a path
// (Node), a URL, or an in-memory file { type: 'mem', data }.
declare module 'snarkjs' {
  type FileArg = string | { type: 'mem'; data?: Uint8Array };
  interface Logger {
    debug(msg: string): void;
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  }
  interface Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export const groth16: {
    prove(
      zkey: FileArg,
      wtns: FileArg,
      logger?: Logger,
      options?: { singleThread?: boolean },
    ): Promise<{ proof: Proof; publicSignals: string[] }>;
    fullProve(
      input: unknown,
      wasm: FileArg,
      zkey: FileArg,
      logger?: Logger,
    ): Promise<{ proof: Proof; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: readonly (string | bigint)[], proof: Proof, logger?: Logger): Promise<boolean>;
    exportSolidityCallData(proof: Proof, publicSignals: readonly string[]): Promise<string>;
  };
  export const wtns: {
    calculate(input: unknown, wasm: FileArg, wtns: FileArg, options?: unknown): Promise<void>;
    check(r1cs: FileArg, wtns: FileArg, logger?: Logger): Promise<boolean>;
  };
  export const zKey: {
    newZKey(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<unknown>;
    beacon(
      zkeyOld: FileArg,
      zkeyNew: FileArg,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    contribute(zkeyOld: FileArg, zkeyNew: FileArg, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    exportVerificationKey(zkey: FileArg, logger?: Logger): Promise<Record<string, unknown>>;
    exportSolidityVerifier(zkey: FileArg, templates: { groth16: string }, logger?: Logger): Promise<string>;
    verifyFromR1cs(r1cs: FileArg, ptau: FileArg, zkey: FileArg, logger?: Logger): Promise<boolean>;
  };
  /** An ffjavascript elliptic-curve element or field element: opaque bytes in the curve's own representation. */
  type CurveElement = Uint8Array;
  interface CurveField {
    e(x: bigint): CurveElement;
    inv(x: CurveElement): CurveElement;
    fromRng(rng: { nextU32(): number; nextU64(): bigint }): CurveElement;
  }
  interface CurveGroup {
    g: CurveElement;
    fromObject(p: unknown): CurveElement;
    toObject(p: CurveElement): unknown;
    toAffine(p: CurveElement): CurveElement;
    add(a: CurveElement, b: CurveElement): CurveElement;
    neg(a: CurveElement): CurveElement;
    timesFr(p: CurveElement, s: CurveElement): CurveElement;
    eq(a: CurveElement, b: CurveElement): boolean;
  }
  export const curves: {
    getCurveFromName(
      name: string,
      options?: unknown,
    ): Promise<{ Fr: CurveField; G1: CurveGroup; G2: CurveGroup; terminate(): Promise<void> }>;
  };
  export const r1cs: {
    info(
      r1cs: FileArg,
      logger?: Logger,
    ): Promise<{
      nConstraints: number;
      nVars: number;
      nOutputs: number;
      nPubInputs: number;
      nPrvInputs: number;
      nLabels: number;
    }>;
  };
}
