// Which trusted setup the deployment's ownership verifier comes from, in words (SPEC 7, docs/zk.md
// section 4): a development-ceremony verifier is forgeable by anyone and belongs on local chains
// only; a production one names its phase 2 and the proving key's hash; a verifier deployed before
// ceremony() existed cannot say. Pure.
import { isLocalDevChain } from '../../../lib/chain/verifier-ceremony.ts';
import type { CeremonyState } from '../../snapshot.ts';

export interface CeremonyView {
  tone: 'ok' | 'warn' | 'bad' | 'muted';
  /** Short: "Development ceremony (insecure)". */
  title: string;
  text: string;
  /** sha256 of the proving key, when known. */
  zkeySha256: string | null;
}

export function ceremonyView(state: CeremonyState | undefined, chainId: number): CeremonyView {
  if (!state)
    return {
      tone: 'muted',
      title: 'Not read yet',
      text: 'The verifier’s ceremony is read with the next refresh.',
      zkeySha256: null,
    };
  switch (state.kind) {
    case 'known': {
      const c = state.ceremony;
      if (c.development) {
        const local = isLocalDevChain(chainId);
        return {
          tone: local ? 'warn' : 'bad',
          title: 'Development ceremony (insecure)',
          text: local
            ? `The ownership verifier comes from the development ceremony, whose phase 2 is a public beacon: anyone can forge an ownership proof. It is for local development chains only, as this one (chain ${chainId}) is.`
            : `The ownership verifier comes from the development ceremony, whose phase 2 is a public beacon: anyone can forge an ownership proof, and chain ${chainId} is not a local development chain. Do not trust ownership proofs here.`,
          zkeySha256: c.zkeySha256,
        };
      }
      return {
        tone: 'ok',
        title: 'Production ceremony',
        text: `The ownership verifier comes from a production ceremony: ${c.description}`,
        zkeySha256: c.zkeySha256,
      };
    }
    case 'unknown':
      switch (state.reason) {
        case 'no-verifier':
          return {
            tone: 'muted',
            title: 'No verifier',
            text: 'This deployment has no ownership verifier, so it has no challenges.',
            zkeySha256: null,
          };
        case 'no-code':
          return {
            tone: 'bad',
            title: 'Unknown',
            text: 'There is no contract at the deployment’s verifier address.',
            zkeySha256: null,
          };
        case 'no-ceremony':
          return {
            tone: 'warn',
            title: 'Unknown',
            text: 'The ownership verifier was deployed before verifiers recorded their trusted setup (it has no ceremony()), so which ceremony it comes from cannot be read from the chain.',
            zkeySha256: null,
          };
      }
    // falls through: unreachable, every reason returns
    case 'unreadable':
      return {
        tone: 'muted',
        title: 'Not readable now',
        text: `The verifier’s ceremony could not be read: ${state.detail}`,
        zkeySha256: null,
      };
  }
}
