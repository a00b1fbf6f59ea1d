// Links to a block explorer, where the app's chain has one (viem's definitions of the public
// chains name it; a local or unknown chain has none, and then no link is shown). Pure.
import type { Chain } from 'viem';

/** The explorer's base URL (no trailing slash), or null when the chain has none. */
export function explorerBase(chain: Pick<Chain, 'blockExplorers'> | undefined): string | null {
  const url = chain?.blockExplorers?.default.url;
  return url ? url.replace(/\/+$/, '') : null;
}

/** The explorer's page of a transaction or an address; null without an explorer. */
export function explorerLink(base: string | null, kind: 'tx' | 'address', value: string): string | null {
  return base ? `${base}/${kind}/${value}` : null;
}
