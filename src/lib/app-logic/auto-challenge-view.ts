// What the Validate page shows of its agent's automatic challenges (SPEC 8.4; issue 11 section
// 4): whether they are on, the threshold, the bond a challenge posts against the balance, and one
// row per similarity hint. Pure: the page renders these and sends the parsed settings.
import type { LearningState } from '../agents/validator/learning.ts';
import { formatTokens, shortHex } from '../format.ts';

export interface HintRow {
  submissionId: number;
  trainer: string;
  /** "S3 of 0x12…ab" or "none earlier" */
  closest: string;
  /** Probe agreement in percent with one decimal, or "—". */
  probes: string;
  flagged: boolean;
  /** What the agent did about it, in words. */
  action: string;
}

export interface AutoChallengeView {
  auto: boolean;
  /** The threshold in percent, as the input shows it. */
  thresholdPercent: string;
  /** The bond a challenge posts and whether the balance covers it; null before the agent read them. */
  bond: { text: string; covered: boolean } | null;
  rows: HintRow[];
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

export function autoChallengeView(l: LearningState | undefined): AutoChallengeView {
  if (!l) return { auto: true, thresholdPercent: '76.8', bond: null, rows: [] };
  const bond = l.terms
    ? {
        text: `A challenge posts a bond of ${formatTokens(BigInt(l.terms.bond), 4)} ARENA; this account holds ${formatTokens(BigInt(l.terms.balance), 4)} ARENA.`,
        covered: l.terms.covered,
      }
    : null;
  const rows = Object.values(l.hints)
    .sort((a, b) => a.submissionId - b.submissionId)
    .map((h): HintRow => {
      const c = l.challenges[String(h.submissionId)];
      const action = c
        ? c.status === 'opened'
          ? `challenged (#${c.challengeId})`
          : c.status === 'sending'
            ? 'challenging…'
            : `not challenged: ${c.halted ?? 'refused'}`
        : h.flagged
          ? 'above the threshold: not challenged yet'
          : 'no action';
      return {
        submissionId: h.submissionId,
        trainer: shortHex(h.trainer, 4),
        closest: h.closest ? `S${h.closest.submissionId} of ${shortHex(h.closest.trainer, 4)}` : 'none earlier',
        probes: h.closest ? pct(h.closest.probes) : '—',
        flagged: h.flagged,
        action,
      };
    });
  return { auto: l.settings.auto, thresholdPercent: (l.settings.threshold * 100).toFixed(1), bond, rows };
}

/** The threshold field's text as a share in (0, 1], or the sentence that says why not. */
export function parseThresholdPercent(text: string): { share: number } | { error: string } {
  const t = text.trim().replace(/%$/, '').trim();
  const v = /^\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
  if (!(v > 0 && v <= 100))
    return {
      error:
        'The threshold is the share of probe inputs two models must agree on: a number above 0 and at most 100 (percent).',
    };
  return { share: v / 100 };
}
