// The challenge section of docs/bench/incentives.md: the table of challenge-rows.ts and the
// model and assumptions behind it, with every measured input and its source.

import type { ChallengeInputs, ChallengeRow } from './challenge-rows.ts';
import type { SimConfig } from './config.ts';
import { fmtX, resultText, table } from './report.ts';

const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
const tok = (v: number) => `${v >= 0 ? '' : '-'}${Math.abs(v).toFixed(1)}`;

function breakEvenText(r: ChallengeRow): string {
  if (r.spec.kind.kind === 'honest') return '—';
  const r0 = r.unchallenged.value;
  if (r.breakEven === undefined) return r0 < 1 ? 'below 1.0x at any detection' : '≥ 1.0x at any detection';
  return r.certain < r0
    ? `below 1.0x above ${r.breakEven.toFixed(3)}`
    : `above 1.0x beyond ${r.breakEven.toFixed(3)} (bonds won)`;
}

function computeText(r: ChallengeRow): string {
  const e = r.spec.effort;
  const share = `${e < 0.01 ? e.toFixed(4) : e.toFixed(2)}x (${r.spec.effortSource})`;
  if (r.spec.kind.kind === 'honest') return share;
  const bound =
    r.computeBound === undefined
      ? 'not below 1.0x'
      : r.computeBound >= 1
        ? '< 1.0x whatever the compute costs'
        : `< 1.0x while honest compute < ${pct(r.computeBound, 0)} of its reward`;
  return `${share}; ${bound}`;
}

export function challengeTable(rows: readonly ChallengeRow[]): string {
  return table(
    [
      'strategy',
      'when challenged',
      'reward vs honest, never challenged [95% CI]',
      'detection used (95% bound)',
      'expected loss per task, tokens (share of its reward)',
      "challengers' expected net per task, tokens",
      'expected reward vs honest [95% CI]',
      'at the detection bound',
      'what-if: no bond to a cleared trainer',
      'detection needed for < 1.0x',
      'training compute vs honest; net of compute',
      'target',
      'result',
    ],
    rows.map((r) => {
      const honest = r.spec.kind.kind === 'honest';
      return [
        r.spec.label,
        r.spec.answer,
        fmtX(r.unchallenged),
        honest
          ? `false challenges ${r.rate.toFixed(3)} (upper ${r.rateBound.toFixed(3)})`
          : `${r.rate.toFixed(3)} (lower ${r.rateBound.toFixed(3)})`,
        `${tok(r.loss)} of ${r.reward.toFixed(1)} (${r.reward === 0 ? 'n/a' : pct(r.loss / r.reward)})`,
        tok(r.challengers),
        fmtX(r.expected),
        fmtX(r.atBound),
        fmtX(r.noBondToCleared),
        breakEvenText(r),
        computeText(r),
        r.pass === undefined ? '—' : '< 1.0x',
        resultText(r.pass),
      ];
    }),
  );
}

export function challengeText(rows: readonly ChallengeRow[], input: ChallengeInputs, config: SimConfig): string {
  const { trigger, replays, terms } = input;
  const detected = trigger.copies.filter((c) => c.detected).length;
  const lowest = trigger.copies.reduce((m, c) => (c.value < m.value ? c : m), trigger.copies[0]!);
  const farmerOnce = rows.find((r) => r.spec.id === 'farmer-once');
  const sybilHalf = rows.find((r) => r.spec.id === 'sybil-alphaHalf-once');
  return [
    "How to read: each row takes the adversary table's rewards per task (summed over the task's epochs, the same " +
      "tasks and twins) and counts what revision 2's challenges do to them: expected reward = reward if not challenged " +
      'x (1 - detection) + outcome if challenged x detection, per identity, against the honest twin under the same ' +
      'rules. "Expected loss": the adversary\'s reward never challenged minus its expected reward (negative: it gains ' +
      'bonds). "Challengers\' expected net": what the validators who challenge this strategy gain (forfeits and slashes ' +
      'less the jury\'s share) or lose (bonds). "At the detection bound": the detection rate at its 95% lower bound ' +
      '(for the honest row: the false-challenge rate at its upper bound). "Detection needed": the detection rate at ' +
      'which the row crosses 1.0x. "What-if": the same at the measured rate if a cleared trainer were not paid the ' +
      'bond (burned instead; not the contracts\' rule, a candidate fix for bond farming below). "Net of compute": training costs the honest trainer a share of its reward and the ' +
      'adversary the stated multiple of that; the row stays below 1.0x (upper end of its interval) for every honest ' +
      'compute share under the bound given. A target passes when the whole interval of the expected reward is below 1.0x.',
    '',
    '### Model and assumptions of the challenge rows',
    '',
    `- **Trigger** (SPEC 8.4, issue 11 section 4): a validator's agent challenges a new submission when its ` +
      `"${trigger.measure}" agreement (src/lib/ml/eval/agreement.ts) with an earlier submission of another trainer is at ` +
      `or above ${trigger.threshold}. The simulator has no real models, so the rates come from \`${trigger.source}\` ` +
      `(npm run bench:similarity, digits-mlp, real trained models): ${detected} of ${trigger.copies.length} copies ` +
      `detected (re-watermarked, fine-tuned 1 to 10 epochs, permuted and rescaled; lowest ${lowest.value.toFixed(3)}, ` +
      `"${lowest.label}"), so detection ${trigger.detection.value.toFixed(3)} (Clopper-Pearson 95% lower bound ` +
      `${trigger.detection.lo.toFixed(3)}); ${trigger.independentAbove} of ${trigger.independentPairs} pairs of ` +
      `independently trained models above the threshold, so false challenges ${trigger.falseChallenge.value.toFixed(3)} ` +
      `(upper bound ${trigger.falseChallenge.hi.toFixed(3)}). The same rate is used for the simulator's thieves ` +
      '(1% or 3% of predictions changed) and near-copies (0.2%), which are closer to their original than the measured ' +
      'copies. Detection is applied once per task, although a thief submits a stolen model in every submission epoch ' +
      'after the first (each a new chance): this favours the thief.',
    '- **What a challenge finds** (SPEC 7, 8): a thief that re-keyed the stolen model passes the ownership step, but ' +
      'its transcript must start from its own seeded start (or its own earlier transcript) and end at the stolen ' +
      'weights; without the training, one segment must jump, and a jump never replays (test/unit/ml/transcript/' +
      'replay.test.ts), so the challenger names it and the jury upholds. A plain copier that did not re-key fails at ' +
      'the ownership step, with the same outcome and no vote. Of several identities holding near-copies of one model, ' +
      'only the identity whose seed produced the training replays; the others fail like the thief. The transcript is ' +
      'assumed to be disclosed in time (a thief gains nothing by not answering: that fails too).',
    `- **Outcome amounts** (contracts/src/ChallengeModule.sol \`_uphold\` / \`_clear\`, StakeManager.sol \`forfeit\`; ` +
      'scripts/lib/incentives/challenge.ts mirrors them): a failing trainer forfeits every unvested reward of the task, ' +
      "its delegators' booked share included (the simulator's pool reward; trainer rewards vest only after the " +
      `challenge phase, SPEC 2.4, so that is all of them), and ${terms.slashBps / 100}% of its own stake (slashBps ` +
      `${terms.slashBps}), both to the challenger less ${terms.juryBps / 100}% for the majority jurors; its later ` +
      'submissions are excluded (nothing more to lose: all its rewards are already forfeited). A trainer that replays ' +
      `is cleared without a dispute (the challenger replayed the transcript first) and takes the whole bond, ` +
      `${terms.bond} tokens. Terms: the Create form's defaults (src/lib/app-logic/task-form.ts: slash ` +
      `${terms.slashBps / 100}%; jury share DEFAULT_JURY_BPS = ${terms.juryBps}), the bond the form's default scaled ` +
      `to the simulator's minimum stake (${terms.bond} tokens: see bond farming below).`,
    `- **Honest transcripts that fail anyway**: in \`${replays.source}\` ${replays.withFailure} of ` +
      `${replays.transcripts} honest transcripts replayed by a juror (on the reference backend, wasm: ` +
      `docs/transcript.md section 5) had a failing segment ` +
      `(${replays.failedSegments} of ${replays.segments} segments). An honest trainer challenged by mistake is taken to ` +
      `lose the challenge with that chance (${replays.rate.value.toFixed(3)}; pessimistic: the jury is assumed to ` +
      'side with a failing replay every time). With no false challenge measured this costs nothing at the ' +
      "measured rate; the bound column shows it at the false-challenge rate's upper bound. The adversaries' trained " +
      'identities are given no such risk (in their favour).',
    `- **Near-copies**: the simulator submits a near-copy (0.2% of predictions changed) from each of the 10 ` +
      "identities. The identity that trained is taken to be the one that earned most in the task (in the attacker's " +
      'favour; it could order reveals and seals so that its trained identity looks like a copy of its own ' +
      `near-copies). That identity replays, so a challenge against it clears and pays it the bond. "Once per task": ` +
      'agents do not challenge a trainer again after it passed a challenge in the task, and its challenge comes with ' +
      `the detection rate; "at every submission": agents challenge each flagged submission, ${config.submissionEpochs} ` +
      'in a task.',
    `- **Bond farming** (found while building these rows; now bounded): a trainer that passes a challenge takes ` +
      "the bond (SPEC 7), so any strategy that makes an honest identity look like a copy collects challengers' " +
      'bonds. The farmer trains honestly and submits a near-copy of its own model from a second identity staking the ' +
      `minimum (${config.minStake} token in the simulator); a challenged copy loses its reward and ` +
      `${terms.slashBps / 100}% of ${config.minStake} token, the real identity replays and takes the bond` +
      (farmerOnce?.atFormerBond && input.formerBond !== undefined
        ? `. At a bond of ${input.formerBond} tokens over a ${config.minStake}-token copy: ` +
          `${fmtX(farmerOnce.atFormerBond)} an honest trainer's reward when agents challenge it once per task` +
          (sybilHalf?.atFormerBond
            ? `, and the same bond lifted the alphaT = 0.5 near-copy sybil to ${fmtX(sybilHalf.atFormerBond)}`
            : '') +
          '; the challengers lose those bonds, so rational validators would stop challenging and thieves would go ' +
          'undetected'
        : '') +
      '. Decision (docs/contracts.md, "Challenges"): the Create form starts from the largest bond nobody can farm, ' +
      'the slash of a trainer at the minimum stake (src/lib/chain/task-defaults.ts maxUnfarmableBond: 2 ARENA at ' +
      "the form's 10 ARENA minimum and 20% slash), and warns a creator who sets more. The rows above use that bound " +
      `at the simulator's minimum stake (${terms.bond} tokens)` +
      (farmerOnce
        ? `: the farmer ${fmtX(farmerOnce.expected)} (${fmtX(farmerOnce.noBondToCleared)} if a cleared trainer ` +
          'were not paid the bond)'
        : '') +
      (sybilHalf ? `, the alphaT = 0.5 sybil ${fmtX(sybilHalf.expected)}` : '') +
      '. What is left: a copy that nobody challenges (the farmer reveals it first, and agents challenge the later ' +
      'of a pair) leaves the farmer at most one bond per task (agents challenge a trainer once per task), at most ' +
      'the bound; and a creator may still set a larger bond through the contracts. Paying a cleared trainer only ' +
      'its response costs and burning the rest (the what-if column) would close both, but contradicts SPEC 7 ' +
      '("the bond goes to B"): it is left to the next SPEC revision.',
    "- **Not modelled**: the challenger's own costs (replaying a transcript: 0.12 s per 50-step segment on wasm, " +
      'docs/bench/transcript.md) and gas; delegation (no delegators in the simulator: the forfeit then takes what ' +
      "would be theirs too); a thief's first submission epoch, before there is a model to steal, is not measured, so " +
      'whatever it would have earned and forfeited there is left out (in its favour); honest victims whose next model ' +
      "is close to a thief's copy of their earlier one may be challenged too and then win the bond.",
  ].join('\n');
}
