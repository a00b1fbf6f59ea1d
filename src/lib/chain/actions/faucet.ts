// Test tokens on a local chain (the token's faucet exists only on chain 31337 / 1337). Amounts
// above the per-call limit are minted in several calls.
import type { Address } from 'viem';
import { arenaTokenAbi } from '../abi.generated.ts';
import { isLocalChainId } from '../wallet/chain.ts';
import { accountOf, requirePositive, send, tokens, writeCall, type ActionContext } from './context.ts';
import { protocolErrorSentence } from '../tx/sentences.ts';
import { TxError } from '../tx/errors.ts';
import { WAD } from '../../protocol/wad.ts';

export const FAUCET_LIMIT = 1_000_000n * WAD;

export async function faucet(ctx: ActionContext, p: { amount: bigint; to?: Address }): Promise<void> {
  requirePositive('amount', p.amount);
  if (!isLocalChainId(ctx.deployment.chainId))
    throw new TxError('reverted', protocolErrorSentence('FaucetDisabled')!, 'FaucetDisabled');
  const to = p.to ?? accountOf(ctx);
  for (let left = p.amount; left > 0n;) {
    const drip = left > FAUCET_LIMIT ? FAUCET_LIMIT : left;
    await send(ctx, {
      kind: 'faucet',
      label: `Get ${tokens(drip)} from the local faucet`,
      summary: { to, amount: tokens(drip) },
      call: writeCall(ctx.deployment.contracts.token, arenaTokenAbi, 'faucet', [to, drip]),
    });
    left -= drip;
  }
}
