// The record of where the protocol lives on a chain, as stored in deployments/<chainId>.json.
import { getAddress, isAddress, type Address, type Hex } from 'viem';
import type { VerifierCeremony } from './verifier-ceremony.ts';

export interface ProtocolContracts {
  token: Address;
  taskRegistry: Address;
  stakeManager: Address;
  submissionBook: Address;
  rewardEngine: Address;
  /**
   * The challenge module (SPEC section 7) and the Groth16 verifier it calls. A deployment made
   * before the module existed has neither (the stake manager can bind it later), so readers must
   * treat challenges as unavailable when they are missing.
   */
  challengeModule?: Address;
  watermarkVerifier?: Address;
}

export interface ProtocolConfig {
  /** Objection tokens (wei) that reject a task under review. */
  rejectQuorum: bigint;
  /** Shortest review period a task may choose, seconds. */
  minReviewPeriod: bigint;
  /** Tokens minted to the treasury at deployment (wei). */
  initialSupply: bigint;
  treasury: Address;
}

export interface Deployment {
  chainId: number;
  deployer: Address;
  /** Block of the first deployment transaction: clients read logs from here. */
  fromBlock: bigint;
  contracts: ProtocolContracts;
  config: ProtocolConfig;
  /**
   * The trusted setup of watermarkVerifier as its ceremony() answered at deployment (docs/zk.md
   * section 4). Absent in records made before verifiers recorded it: read it from the chain
   * (readVerifierCeremony), which fails for such old verifiers.
   */
  verifierCeremony?: VerifierCeremony;
}

const CONTRACT_KEYS = ['token', 'taskRegistry', 'stakeManager', 'submissionBook', 'rewardEngine'] as const;
const OPTIONAL_CONTRACT_KEYS = ['challengeModule', 'watermarkVerifier'] as const;

export function serializeDeployment(d: Deployment): string {
  return `${JSON.stringify(
    {
      chainId: d.chainId,
      deployer: d.deployer,
      fromBlock: d.fromBlock.toString(),
      contracts: d.contracts,
      config: {
        rejectQuorum: d.config.rejectQuorum.toString(),
        minReviewPeriod: d.config.minReviewPeriod.toString(),
        initialSupply: d.config.initialSupply.toString(),
        treasury: d.config.treasury,
      },
      ...(d.verifierCeremony ? { verifierCeremony: d.verifierCeremony } : {}),
    },
    null,
    2,
  )}\n`;
}

/** Parses and checks a deployments file; a malformed one is an error naming the field. */
export function parseDeployment(text: string, source = 'deployment'): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${source}: not valid JSON`, { cause });
  }
  const obj = record(raw, source);
  const contracts = record(obj.contracts, `${source}.contracts`);
  const config = record(obj.config, `${source}.config`);
  const chainId = obj.chainId;
  if (typeof chainId !== 'number' || !Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new Error(`${source}.chainId: must be a positive integer`);
  }
  return {
    chainId,
    deployer: address(obj.deployer, `${source}.deployer`),
    fromBlock: integer(obj.fromBlock, `${source}.fromBlock`),
    contracts: Object.fromEntries([
      ...CONTRACT_KEYS.map((k) => [k, address(contracts[k], `${source}.contracts.${k}`)]),
      ...OPTIONAL_CONTRACT_KEYS.filter((k) => contracts[k] !== undefined).map((k) => [
        k,
        address(contracts[k], `${source}.contracts.${k}`),
      ]),
    ]) as unknown as ProtocolContracts,
    config: {
      rejectQuorum: integer(config.rejectQuorum, `${source}.config.rejectQuorum`),
      minReviewPeriod: integer(config.minReviewPeriod, `${source}.config.minReviewPeriod`),
      initialSupply: integer(config.initialSupply, `${source}.config.initialSupply`),
      treasury: address(config.treasury, `${source}.config.treasury`),
    },
    ...(obj.verifierCeremony === undefined
      ? {}
      : { verifierCeremony: ceremony(obj.verifierCeremony, `${source}.verifierCeremony`) }),
  };
}

function ceremony(v: unknown, field: string): VerifierCeremony {
  const c = record(v, field);
  if (typeof c.development !== 'boolean') throw new Error(`${field}.development: must be true or false`);
  if (typeof c.description !== 'string') throw new Error(`${field}.description: must be a string`);
  if (typeof c.zkeySha256 !== 'string' || !/^0x[0-9a-f]{64}$/.test(c.zkeySha256)) {
    throw new Error(`${field}.zkeySha256: must be 0x followed by 64 lowercase hex digits`);
  }
  return { development: c.development, description: c.description, zkeySha256: c.zkeySha256 as Hex };
}

function record(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${field}: must be an object`);
  return v as Record<string, unknown>;
}

function address(v: unknown, field: string): Address {
  if (typeof v !== 'string' || !isAddress(v)) throw new Error(`${field}: must be an address`);
  return getAddress(v);
}

function integer(v: unknown, field: string): bigint {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new Error(`${field}: must be a decimal integer string`);
  return BigInt(v);
}
