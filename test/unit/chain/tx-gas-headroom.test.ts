// sendCall's gas limit: the node's estimate with headroom, because transactions of other accounts
// landing first can make the same call cost more (concurrent reveals, docs/bench/network.md).
// The wallet and the client are stand-ins recording what they were asked; the anvil run of the
// network simulation (test/integration/sim.test.ts) sends concurrent reveals for real.
import type { Address } from 'viem';
import { describe, expect, it } from 'vitest';
import { submissionBookAbi } from '../../../src/lib/chain/abi.generated.ts';
import { GAS_HEADROOM_BPS, sendCall, withGasHeadroom } from '../../../src/lib/chain/tx/send.ts';
import type { AccountWallet, ContractCall } from '../../../src/lib/chain/tx/types.ts';

const account = { address: '0x00000000000000000000000000000000000000a1' as Address, type: 'local' };
const call: ContractCall = {
  address: '0x00000000000000000000000000000000000000b2',
  abi: submissionBookAbi,
  functionName: 'drawEvalSeed',
  args: [1n],
};

function recordingWallet() {
  const sent: Record<string, unknown>[] = [];
  const wallet = {
    account,
    chain: undefined,
    writeContract: async (p: Record<string, unknown>) => {
      sent.push(p);
      return `0x${'ab'.repeat(32)}`;
    },
  } as unknown as AccountWallet;
  return { wallet, sent };
}

describe('sendCall gas headroom', () => {
  it('is a quarter over the estimate', () => {
    expect(GAS_HEADROOM_BPS).toBe(2_500n);
    expect(withGasHeadroom(247_115n)).toBe(308_893n);
    // The reveal that ran out of gas needed 17k more than its estimate: inside the headroom.
    expect(withGasHeadroom(247_115n) - 247_115n).toBeGreaterThan(17_000n);
  });

  it("sends with the client's estimate plus headroom, estimated for the wallet's account", async () => {
    const { wallet, sent } = recordingWallet();
    const asked: Record<string, unknown>[] = [];
    const client = {
      getTransactionCount: async () => 7,
      getBlock: async () => ({ number: 1n }),
      estimateContractGas: async (p: Record<string, unknown>) => {
        asked.push(p);
        return 100_000n;
      },
    };
    await sendCall(wallet, call, client as never);
    expect(asked).toEqual([
      expect.objectContaining({ account, address: call.address, functionName: 'drawEvalSeed', args: [1n] }),
    ]);
    expect(sent).toEqual([expect.objectContaining({ functionName: 'drawEvalSeed', gas: 125_000n })]);
  });

  it('without a client that estimates, the wallet estimates by itself as before', async () => {
    const { wallet, sent } = recordingWallet();
    await sendCall(wallet, call);
    expect(sent[0]).not.toHaveProperty('gas');
  });
});
