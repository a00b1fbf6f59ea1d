// Letting a protocol contract take tokens: nothing to do when the allowance suffices; otherwise
// an EIP-2612 permit signature when the token supports it (one signature, then one transaction:
// what a phone wallet needs), else an `approve` transaction first. A wallet that cannot sign
// typed data falls back to approve; a user who declines the signature is not asked again.
import type { Address, Hex } from 'viem';
import { arenaTokenAbi } from '../abi.generated.ts';
import { decodeContractError } from '../tx/decode.ts';
import { TxError } from '../tx/errors.ts';
import { simulate } from '../tx/send.ts';
import { protocolErrorSentence } from '../tx/sentences.ts';
import type { ContractCall } from '../tx/types.ts';
import { accountOf, send, tokens, writeCall, type ActionContext, type ReadContext } from './context.ts';

/** The PermitSig struct the protocol's `...WithPermit` functions take. */
export interface PermitSig {
  deadline: bigint;
  v: number;
  r: Hex;
  s: Hex;
}

export type SpendAuthorization = { kind: 'allowance' } | { kind: 'permit'; sig: PermitSig } | { kind: 'approved' };

/** How long a permit stays valid: long enough for a slow phone, short enough to not linger. */
export const PERMIT_LIFETIME_S = 3_600n;

const permitSupport = new Map<string, Promise<PermitDomain | null>>();

interface PermitDomain {
  name: string;
  version: string;
}

/** The token's EIP-712 domain if it implements EIP-2612 (nonces + DOMAIN_SEPARATOR), else null. */
export function permitDomain(
  ctx: ReadContext,
  token: Address = ctx.deployment.contracts.token,
): Promise<PermitDomain | null> {
  const key = `${ctx.deployment.chainId}:${token.toLowerCase()}`;
  let cached = permitSupport.get(key);
  if (!cached) {
    cached = (async () => {
      const read = <T>(functionName: string, args: readonly unknown[] = []) =>
        ctx.publicClient.readContract({
          address: token,
          abi: arenaTokenAbi,
          functionName,
          args,
        } as never) as Promise<T>;
      try {
        await Promise.all([read('DOMAIN_SEPARATOR'), read('nonces', [token])]);
      } catch (error) {
        // An unreachable RPC says nothing about the token: let the caller see it (and not cache it).
        if (decodeContractError(error).code === 'rpc-unavailable') throw error;
        return null;
      }
      // ERC-5267 tells the domain exactly; older permit tokens use their name and version "1".
      try {
        const [, name, version] = await read<readonly [Hex, string, string]>('eip712Domain');
        return { name, version };
      } catch {
        return { name: await read<string>('name'), version: '1' };
      }
    })();
    // A network error must not be remembered as "no permit".
    cached.catch(() => permitSupport.delete(key));
    permitSupport.set(key, cached);
  }
  return cached;
}

export function splitSignature(signature: Hex): Pick<PermitSig, 'v' | 'r' | 's'> {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new Error(`not a 65-byte signature: ${signature.slice(0, 20)}…`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  return { r: `0x${signature.slice(2, 66)}`, s: `0x${signature.slice(66, 130)}`, v: v < 27 ? v + 27 : v };
}

/** EIP-2612's typed-data types for a permit. */
export const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

/** Asks the wallet to sign an EIP-2612 permit for `spender` to take `value`. */
export async function signPermit(
  ctx: ActionContext,
  p: { spender: Address; value: bigint; deadline?: bigint; domain?: PermitDomain },
): Promise<PermitSig> {
  const token = ctx.deployment.contracts.token;
  const owner = accountOf(ctx);
  const domain = p.domain ?? (await permitDomain(ctx));
  if (!domain) throw new Error(`the token at ${token} does not support EIP-2612 permits`);
  const [nonce, block] = await Promise.all([
    ctx.publicClient.readContract({ address: token, abi: arenaTokenAbi, functionName: 'nonces', args: [owner] }),
    ctx.publicClient.getBlock({ blockTag: 'latest' }),
  ]);
  // Chain time, not the wall clock: a local chain that was fast-forwarded is ahead of it.
  const deadline = p.deadline ?? block.timestamp + PERMIT_LIFETIME_S;
  const signature = await ctx.wallet.signTypedData({
    account: ctx.wallet.account,
    domain: { name: domain.name, version: domain.version, chainId: ctx.deployment.chainId, verifyingContract: token },
    types: PERMIT_TYPES,
    primaryType: 'Permit',
    message: { owner, spender: p.spender, value: p.value, nonce, deadline },
  });
  return { deadline, ...splitSignature(signature) };
}

/** Sends `approve(spender, amount)` (exactly the amount, not unlimited). */
export async function approve(ctx: ActionContext, p: { spender: Address; amount: bigint }): Promise<void> {
  await send(ctx, {
    kind: 'approve',
    label: `Allow the protocol to take ${tokens(p.amount)}`,
    summary: { spender: p.spender, amount: tokens(p.amount) },
    call: writeCall(ctx.deployment.contracts.token, arenaTokenAbi, 'approve', [p.spender, p.amount]),
  });
}

const cannotSignTypedData = (error: unknown) => {
  const { code } = decodeContractError(error);
  return (
    code !== 'rejected' &&
    /method not (found|supported)|not supported|unsupported|does not support/i.test(String((error as Error)?.message))
  );
};

/**
 * Makes sure `spender` may take `amount` from the account: existing allowance, a permit, or an
 * approve transaction. `precheck` is the action's call with a dummy permit: simulated first, so
 * an action that would revert anyway is reported before any signature is asked for.
 */
export async function authorizeSpend(
  ctx: ActionContext,
  p: { spender: Address; amount: bigint; precheck?: ContractCall },
): Promise<SpendAuthorization> {
  const token = ctx.deployment.contracts.token;
  const owner = accountOf(ctx);
  const [allowance, balance] = await Promise.all([
    ctx.publicClient.readContract({
      address: token,
      abi: arenaTokenAbi,
      functionName: 'allowance',
      args: [owner, p.spender],
    }),
    ctx.publicClient.readContract({ address: token, abi: arenaTokenAbi, functionName: 'balanceOf', args: [owner] }),
  ]);
  // The contracts check the allowance before the balance, so a short balance would hide behind
  // the missing allowance in the precheck: tell it first.
  if (balance < p.amount) {
    const args = [owner, balance, p.amount] as const;
    throw new TxError(
      'reverted',
      protocolErrorSentence('ERC20InsufficientBalance', args)!,
      'ERC20InsufficientBalance',
      args,
    );
  }
  if (allowance >= p.amount) return { kind: 'allowance' };
  if (p.precheck) await simulateExceptAllowance(ctx, p.precheck);
  if (ctx.permit !== 'never') {
    const domain = await permitDomain(ctx);
    if (domain) {
      try {
        return { kind: 'permit', sig: await signPermit(ctx, { spender: p.spender, value: p.amount, domain }) };
      } catch (error) {
        if (!cannotSignTypedData(error)) throw error;
      }
    }
  }
  await approve(ctx, { spender: p.spender, amount: p.amount });
  return { kind: 'approved' };
}

/** A permit that cannot be valid: the contracts skip a failing permit, then need the allowance. */
export const NO_PERMIT: PermitSig = { deadline: 0n, v: 27, r: `0x${'0'.repeat(64)}`, s: `0x${'0'.repeat(64)}` };

/** Simulates `call`; only the missing allowance (what the permit will fix) is let through. */
async function simulateExceptAllowance(ctx: ActionContext, call: ContractCall): Promise<void> {
  try {
    await simulate(ctx.publicClient, ctx.wallet, call);
  } catch (error) {
    if (error instanceof TxError && error.errorName === 'ERC20InsufficientAllowance') return;
    throw error;
  }
}
