// Which trusted setup a deployed WatermarkOwnershipVerifier comes from (docs/zk.md section 4),
// read from its ceremony(), so the app can show it and the deploy script can record it. A
// development-ceremony verifier is forgeable by anyone (its phase 2 is a public beacon): it
// belongs on local development chains only, and its constructor refuses every other chain.
import {
  AbiDecodingDataSizeTooSmallError,
  AbiDecodingZeroDataError,
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { ArenaError } from '../errors.ts';

export interface VerifierCeremony {
  /** The development ceremony: a public beacon as phase 2, so anyone can forge proofs. */
  development: boolean;
  /** How phase 2 was made, as the build's manifest states it. */
  description: string;
  /** sha256 of the proving key (.zkey) the verifier was exported from, 0x + 64 lowercase hex. */
  zkeySha256: Hex;
}

/** The chain ids of local development chains (anvil, hardhat, ganache): the only ones a development verifier deploys on. */
export const LOCAL_DEV_CHAIN_IDS: readonly number[] = [31337, 1337];

export const isLocalDevChain = (chainId: number): boolean => LOCAL_DEV_CHAIN_IDS.includes(chainId);

/** The part of IWatermarkOwnershipVerifier this module reads (kept here so that it also reads verifiers other than the one compiled in this tree). */
export const verifierCeremonyAbi = [
  {
    type: 'function',
    name: 'ceremony',
    stateMutability: 'pure',
    inputs: [],
    outputs: [
      { name: 'development', type: 'bool' },
      { name: 'description', type: 'string' },
      { name: 'zkeySha256', type: 'bytes32' },
    ],
  },
  { type: 'error', name: 'DevelopmentCeremonyOnPublicChain', inputs: [{ name: 'chainId', type: 'uint256' }] },
] as const;

/**
 * The address holds no contract (`no-code`), or a contract without ceremony() (`no-ceremony`: a
 * verifier deployed before the ceremony was recorded on chain, whose setup cannot be told).
 */
export class NoVerifierCeremonyError extends ArenaError<'no-verifier-ceremony'> {
  constructor(
    readonly address: Address,
    readonly reason: 'no-code' | 'no-ceremony',
    options?: { cause?: unknown },
  ) {
    super(
      'no-verifier-ceremony',
      reason === 'no-code'
        ? `there is no contract at ${address}, so no verifier ceremony to read`
        : `the verifier at ${address} has no ceremony(): it was deployed before verifiers recorded their trusted setup, so which ceremony it comes from cannot be read from the chain`,
      options,
    );
    this.name = 'NoVerifierCeremonyError';
  }
}

const MISSING_FUNCTION = [
  ContractFunctionZeroDataError,
  ContractFunctionRevertedError,
  AbiDecodingZeroDataError,
  AbiDecodingDataSizeTooSmallError,
];

/**
 * Reads ceremony() of the verifier at `address`. Throws NoVerifierCeremonyError when the address
 * has no code or the contract has no ceremony(); transport errors pass through unchanged.
 */
export async function readVerifierCeremony(
  client: Pick<PublicClient, 'readContract' | 'getCode'>,
  address: Address,
): Promise<VerifierCeremony> {
  let result: readonly [boolean, string, Hex];
  try {
    result = await client.readContract({ address, abi: verifierCeremonyAbi, functionName: 'ceremony' });
  } catch (e) {
    const missing = e instanceof BaseError && e.walk((x) => MISSING_FUNCTION.some((k) => x instanceof k)) !== null;
    if (!missing) throw e;
    const code = await client.getCode({ address });
    throw new NoVerifierCeremonyError(address, code === undefined || code === '0x' ? 'no-code' : 'no-ceremony', {
      cause: e,
    });
  }
  const [development, description, zkeySha256] = result;
  return { development, description, zkeySha256: zkeySha256.toLowerCase() as Hex };
}

/**
 * Why a verifier with this ceremony must not be deployed on `chainId`, or null when it may. The
 * verifier's own constructor refuses the same (DevelopmentCeremonyOnPublicChain); this answer
 * lets a deployer stop before sending anything.
 */
export function developmentVerifierRefusal(
  chainId: number,
  ceremony: Pick<VerifierCeremony, 'development'>,
): string | null {
  if (!ceremony.development || isLocalDevChain(chainId)) return null;
  return (
    `the watermark verifier comes from the development ceremony, whose phase 2 is a public beacon: anyone can ` +
    `recompute its toxic waste and forge an ownership proof for any claim. It deploys only on local development ` +
    `chains (${LOCAL_DEV_CHAIN_IDS.join(', ')}), and chain ${chainId} is not one`
  );
}

/** sha256 hex (as in the zk manifest) to the bytes32 form ceremony() returns. */
export const zkeySha256Word = (sha256Hex: string): Hex => `0x${sha256Hex.toLowerCase()}` as Hex;
