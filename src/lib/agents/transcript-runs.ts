// How the trainer's agent names and reshapes its transcripts in its transcript store
// (docs/transcript.md section 11). A transcript's K is fixed when it starts, but the agent's plan
// is in epochs and can grow (extra epochs until the watermark is sealable) or be cut (a snapshot
// near the seal window's close). The program is deterministic, so a transcript of K' segments
// from the same start has the same first states as one of K segments: a new K reuses the stored
// states of the longest earlier one (copied under the new id, never recomputed), and a snapshot
// seals the stored prefix as a finished transcript of its own. Nothing here deletes a state:
// they are kept until vesting (SPEC 8.2).
import { continuedTranscript, seededTranscript, type TranscriptCommitment } from '../chain/transcript-commit.ts';
import { TranscriptError } from '../ml/transcript/errors.ts';
import { merkleRoot } from '../ml/transcript/merkle.ts';
import type { TranscriptMeta, TranscriptStore } from '../ml/transcript/store.ts';

/**
 * The transcript id of run `base` with K segments. Ids are file names in Node's store
 * ([A-Za-z0-9][A-Za-z0-9._-]{0,127}), so the parts are joined with dots.
 */
export const transcriptIdOf = (base: string, segments: number): string => `${base}.k${segments}`;

/** The finished prefix of `id` with n segments (a snapshot). */
export const prefixIdOf = (id: string, segments: number): string => `${id}.p${segments}`;

const sameStart = (a: TranscriptMeta, b: TranscriptMeta) =>
  a.start.kind === b.start.kind &&
  (a.start.kind === 'seeded' || (b.start.kind === 'continued' && a.start.from === b.start.from));

/** The seal's commitment for a finished transcript record. */
export function commitmentOf(meta: TranscriptMeta): TranscriptCommitment {
  if (meta.root === undefined || meta.leaves.length !== meta.segments + 1)
    throw new TranscriptError('store', `transcript ${meta.id} is not finished`);
  return meta.start.kind === 'seeded'
    ? seededTranscript(meta.root, meta.segments)
    : continuedTranscript(meta.root, meta.segments, meta.start.root, meta.start.segments);
}

/** Copies states 0..count-1 of `from` into a new record `meta` (whose leaves are those states'). */
async function copyStates(store: TranscriptStore, from: TranscriptMeta, meta: TranscriptMeta): Promise<void> {
  const count = meta.leaves.length;
  for (let i = 0; i < count; i++) {
    const bytes = await store.state(from.id, i);
    if (bytes === undefined) throw new TranscriptError('store', `state ${i} of transcript ${from.id} is missing`);
    // Each save stores the state with a record that lists exactly the states stored so far.
    const partial: TranscriptMeta = { ...meta, leaves: meta.leaves.slice(0, i + 1) };
    if (i < count - 1) delete partial.root;
    await store.save(partial, i, bytes);
  }
}

/**
 * Before running `transcriptIdOf(base, K)`: if it is not stored yet, the stored states of the
 * longest earlier transcript of the same run (same base and start, another K) are copied into it,
 * up to K + 1, so the run resumes there instead of recomputing them. Returns the states reused.
 */
export async function carryOver(store: TranscriptStore, base: string, segments: number): Promise<number> {
  const id = transcriptIdOf(base, segments);
  if ((await store.meta(id)) !== undefined) return 0;
  const prefix = `${base}.k`;
  const earlier = (await store.list())
    .filter((m) => m.id.startsWith(prefix) && /^\d+$/.test(m.id.slice(prefix.length)) && m.leaves.length > 1)
    .sort((a, b) => b.leaves.length - a.leaves.length)[0];
  if (!earlier) return 0;
  const count = Math.min(earlier.leaves.length, segments + 1);
  const leaves = earlier.leaves.slice(0, count);
  const now = Date.now();
  const meta: TranscriptMeta = {
    ...earlier,
    id,
    segments,
    leaves,
    createdAt: now,
    updatedAt: now,
    ...(count === segments + 1 ? { root: merkleRoot(leaves) } : {}),
  };
  if (count !== segments + 1) delete meta.root;
  if (!sameStart(meta, earlier)) return 0;
  await copyStates(store, earlier, meta);
  return count - 1;
}

/**
 * The stored prefix of `id` as a finished transcript of its own (n = stored segments, at least
 * 1): what a snapshot seals. Returns its record and its last state's bytes.
 */
export async function finishPrefix(
  store: TranscriptStore,
  id: string,
): Promise<{ meta: TranscriptMeta; last: Uint8Array } | null> {
  const meta = await store.meta(id);
  if (!meta || meta.leaves.length < 2) return null;
  const n = meta.leaves.length - 1;
  const target = n === meta.segments ? meta : await store.meta(prefixIdOf(id, n));
  let done = target;
  if (done === undefined) {
    const leaves = meta.leaves.slice(0, n + 1);
    const now = Date.now();
    done = {
      ...meta,
      id: prefixIdOf(id, n),
      segments: n,
      leaves,
      root: merkleRoot(leaves),
      createdAt: now,
      updatedAt: now,
    };
    await copyStates(store, meta, done);
  }
  const last = await store.state(done.id, n);
  if (last === undefined) throw new TranscriptError('store', `state ${n} of transcript ${done.id} is missing`);
  return { meta: done, last };
}
