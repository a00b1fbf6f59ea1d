// The validator's DisclosureReader over the artifact store: the trainer's manifest module
// (agents/disclosure.ts openDisclosure, ml/transcript/disclosure.ts checkDisclosure) with its
// failures sorted into "could not fetch" (tried again) and "malformed" (the trainer's fault).
import type { Hex } from 'viem';
import { openDisclosure } from '../disclosure.ts';
import { checkDisclosure, disclosedKey } from '../../ml/transcript/disclosure.ts';
import { TranscriptError } from '../../ml/transcript/errors.ts';
import type { StorePort } from '../ports.ts';
import { DisclosureFetchError, type DisclosureReader } from './transcript-checker.ts';

/** `specHash`: the task's modelSpec, so a disclosure for another spec is named as such. */
export function storeDisclosureReader(store: StorePort, specHash?: Hex): DisclosureReader {
  return {
    async open(manifest, expect) {
      let opened;
      try {
        opened = await openDisclosure(store, manifest);
      } catch (e) {
        if (e instanceof TranscriptError) throw e;
        throw new DisclosureFetchError(e instanceof Error ? e.message : String(e), { cause: e });
      }
      const d = opened.disclosure;
      const problems =
        expect.keyCommit === null
          ? ['the trainer has no key commitment on chain']
          : checkDisclosure(d, {
              commitment: expect.commitment,
              chainId: expect.chainId,
              task: expect.task,
              trainer: expect.trainer,
              keyCommit: expect.keyCommit,
              ...(specHash ? { specHash } : {}),
            }).map((p) => p.message);
      return {
        problems,
        segments: d.segments,
        seeded: d.start.kind === 'seeded',
        keyBits: disclosedKey(d.watermark).bits,
        state: (i) => opened.state(i),
      };
    },
  };
}
