// The replays of disclosed transcripts running in this tab, by challenge id: a validator's agent
// (or anything else that checks a transcript here) publishes its TranscriptCheckProgress, the
// Challenges page renders it. Plain data in a reactive map; nothing here replays.
import { SvelteMap } from 'svelte/reactivity';
import type { TranscriptCheckProgress } from '../../../lib/agents/transcript-check.ts';

export const transcriptChecks = new SvelteMap<string, TranscriptCheckProgress>();

/** Shows (or updates) a check on the page; a copy, so a later change by the publisher shows only when published. */
export function publishCheck(p: TranscriptCheckProgress): void {
  transcriptChecks.set(p.challengeId, { ...p, checked: [...p.checked], toCheck: [...p.toCheck] });
}

export function clearCheck(challengeId: string): void {
  transcriptChecks.delete(challengeId);
}
