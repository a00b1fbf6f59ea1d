// anvil's default accounts: derived from its public test mnemonic, so the keys printed for the
// user are exactly the ones anvil funds. They are public knowledge: never use them elsewhere.
import { toHex, type Address, type Hex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';

export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export interface DevAccount {
  index: number;
  address: Address;
  privateKey: Hex;
}

export function devAccounts(count = 10): DevAccount[] {
  return Array.from({ length: count }, (_, index) => {
    const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index });
    const key = account.getHdKey().privateKey;
    if (!key) throw new Error(`no private key for dev account ${index}`);
    return { index, address: account.address, privateKey: toHex(key) };
  });
}
