// A manual juror's committed verdicts and their salts, kept in this origin's localStorage the
// moment the salt is made (before the commitment is sent), so a reload or a closed tab between
// the commit and the reveal loses nothing (SPEC 8.4: a verdict that is not revealed counts
// nothing). Keyed by chain, challenge module, challenge and juror: another account or another
// deployment never reads it. Removed once the verdict is revealed. The validator agent keeps its
// own in its store.
import type { Address, Hex } from 'viem';

export interface KeptVerdict {
  replays: boolean;
  salt: Hex;
  /** The disputed segment the verdict is about (the commitment binds it). */
  segment: number;
}

export interface VerdictPlace {
  chainId: number;
  module: Address;
  challengeId: bigint;
  juror: Address;
}

/** The part of the Storage API this needs (localStorage in the app, a Map in tests). */
export type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const PREFIX = 'aiarena-verdict';
export const verdictKey = (p: VerdictPlace): string =>
  `${PREFIX}:${p.chainId}:${p.module.toLowerCase()}:${p.challengeId}:${p.juror.toLowerCase()}`;

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

/** The kept verdict, or null when none (or what is stored is not one). */
export function loadVerdict(store: KeyValue | undefined, p: VerdictPlace): KeptVerdict | null {
  try {
    const raw = store?.getItem(verdictKey(p));
    if (!raw) return null;
    const v = JSON.parse(raw) as Partial<KeptVerdict>;
    if (typeof v.replays !== 'boolean' || typeof v.salt !== 'string' || !HEX32.test(v.salt)) return null;
    if (typeof v.segment !== 'number' || !Number.isSafeInteger(v.segment) || v.segment < 0) return null;
    return { replays: v.replays, salt: v.salt as Hex, segment: v.segment };
  } catch {
    return null;
  }
}

/**
 * Keeps the verdict; throws when the storage refuses it (full, disabled), so the caller sends
 * nothing it could not reveal later.
 */
export function keepVerdict(store: KeyValue | undefined, p: VerdictPlace, v: KeptVerdict): void {
  if (!store)
    throw new Error('This browser keeps no local storage, so a verdict committed here could not be revealed later.');
  try {
    store.setItem(verdictKey(p), JSON.stringify({ replays: v.replays, salt: v.salt, segment: v.segment }));
  } catch (e) {
    throw new Error(
      `The verdict's salt could not be kept in this browser (${e instanceof Error ? e.message : String(e)}), so nothing was sent: without it the verdict could not be revealed.`,
      { cause: e },
    );
  }
  if (loadVerdict(store, p)?.salt !== v.salt)
    throw new Error("The verdict's salt could not be kept in this browser, so nothing was sent.");
}

export function forgetVerdict(store: KeyValue | undefined, p: VerdictPlace): void {
  try {
    store?.removeItem(verdictKey(p));
  } catch {
    // A storage that cannot remove leaves a salt nobody can misuse: it opens only this commitment.
  }
}
