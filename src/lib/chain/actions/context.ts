// What every protocol action takes: clients, the deployment, and how to send. Actions are plain
// async functions `(ctx, params)` in the style of viem's actions; sending goes through
// `ctx.send`, which the app points at the transaction tracker and scripts leave to the default.
import type { Abi, Address, ContractFunctionArgs, ContractFunctionName, PublicClient, TransactionReceipt } from 'viem';
import type { Deployment } from '../deployments.ts';
import { directSender } from '../tx/send.ts';
import type { AccountWallet, ContractCall, Sender, TxRequest } from '../tx/types.ts';
import { formatTokens } from '../../format.ts';
import { WAD } from '../../protocol/wad.ts';
import { ArenaError } from '../../errors.ts';

export interface ReadContext {
  publicClient: PublicClient;
  deployment: Deployment;
}

export interface ActionContext extends ReadContext {
  wallet: AccountWallet;
  /** Where transactions go (default: simulate, send and wait, without a record). */
  send?: Sender;
  /** 'auto' signs an EIP-2612 permit when the token supports it; 'never' always approves first. */
  permit?: 'auto' | 'never';
}

export class ActionInputError extends ArenaError<'invalid-input'> {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('invalid-input', message);
    this.name = 'ActionInputError';
  }
}

type Writable = 'nonpayable' | 'payable';

/** A contract write, type-checked against its ABI, as the loosely typed call a Sender takes. */
export function writeCall<const abi extends Abi, functionName extends ContractFunctionName<abi, Writable>>(
  address: Address,
  abi: abi,
  functionName: functionName,
  args: ContractFunctionArgs<abi, Writable, functionName>,
): ContractCall {
  return { address, abi, functionName, args: args as readonly unknown[] };
}

export const accountOf = (ctx: ActionContext): Address => ctx.wallet.account.address;

export function send(ctx: ActionContext, request: TxRequest): Promise<TransactionReceipt> {
  return (ctx.send ?? directSender(ctx.publicClient, ctx.wallet))(request);
}

/** "1,000.5 ARENA" */
export const tokens = (wei: bigint): string => `${formatTokens(wei, 4)} ARENA`;

/** A WAD fraction as a percentage: 0.3e18 -> "30%". */
export const percent = (wad: bigint): string => `${Number((wad * 10_000n) / WAD) / 100}%`;

export function requirePositive(field: string, amount: bigint): void {
  if (amount <= 0n) throw new ActionInputError(field, `${field} must be more than zero.`);
}

export function requireFraction(field: string, wad: bigint): void {
  if (wad < 0n || wad > WAD) throw new ActionInputError(field, `${field} must be between 0 and 1 (0 and 1e18 in WAD).`);
}
