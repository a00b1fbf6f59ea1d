// One account of the simulation as the app and the CLI hold one: its key, a public and a wallet
// client over its own RPC transport (counted), and the app's direct sender (simulate, sign,
// send, wait), whose receipts are booked in the run's ledger. Every participant sends its own
// transactions with its own key, so every stake, score and claim is a real, signed transaction.
import { createPublicClient, createWalletClient, http, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ActionContext } from '../../../src/lib/chain/actions/context.ts';
import type { Deployment } from '../../../src/lib/chain/deployments.ts';
import { directSender } from '../../../src/lib/chain/tx/send.ts';
import type { AccountWallet } from '../../../src/lib/chain/tx/types.ts';
import { arenaChain } from '../../../src/lib/chain/wallet/chain.ts';
import { countingTransport, RpcCounter, type Ledger } from './ledger.ts';
import type { AccountRole } from './population.ts';

export interface SimAccount {
  role: AccountRole;
  index: number;
  key: Hex;
  address: Address;
  ctx: ActionContext & { address: Address };
  rpc: RpcCounter;
}

export interface ChainLink {
  rpcUrl: string;
  deployment: Deployment;
  ledger: Ledger;
}

/** Local chain: receipts are there as soon as the transaction is; poll often when one is not. */
const POLL_MS = 20;

export function openAccount(link: ChainLink, role: AccountRole, index: number, key: Hex): SimAccount {
  const rpc = new RpcCounter();
  const chain = arenaChain({ chainId: link.deployment.chainId, rpcUrls: [link.rpcUrl] });
  const transport = countingTransport(http(link.rpcUrl, { retryCount: 3 }), rpc);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: POLL_MS }) as PublicClient;
  const wallet = createWalletClient({
    account: privateKeyToAccount(key),
    chain,
    transport,
    pollingInterval: POLL_MS,
  }) as AccountWallet;
  const send = directSender(publicClient, wallet, { pollingIntervalMs: POLL_MS });
  const address = wallet.account.address;
  return {
    role,
    index,
    key,
    address,
    rpc,
    ctx: {
      publicClient,
      deployment: link.deployment,
      wallet,
      address,
      send: async (request) => {
        const receipt = await send(request);
        link.ledger.record(request.kind, receipt.gasUsed, address, role);
        return receipt;
      },
    },
  };
}
