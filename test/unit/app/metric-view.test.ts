// Scores in the words of the task's metric: bits per byte for a language-model task, as its
// people read them, computed back from the score the chain holds.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  metricName,
  metricText,
  metricValue,
  scoreOfUnits,
  scoreOfWad,
  scoreText,
  scoredBy,
  thresholdNote,
} from '../../../src/lib/app-logic/metric-view.ts';
import { metricScore } from '../../../src/lib/ml/eval/evaluate.ts';
import { parseModelSpec } from '../../../src/lib/ml/spec/parse.ts';
import type { Metric } from '../../../src/lib/ml/spec/types.ts';

const bpb: Metric = { name: 'bitsPerByte', cap: 8 };
const loss: Metric = { name: 'loss', cap: 2.5 };
const accuracy: Metric = { name: 'accuracy' };

describe('scores in the metric’s words', () => {
  it('names the metric as the Create form shows it, from the published template', () => {
    const gpt = parseModelSpec(
      JSON.parse(readFileSync(new URL('../../../public/specs/solidity-gpt.json', import.meta.url), 'utf8')),
    );
    expect(metricName(gpt.metric)).toBe('bits per byte (cap 8)');
    expect(metricName(loss)).toBe('loss (cap 2.5)');
    expect(metricName(accuracy)).toBe('accuracy');
  });

  it('inverts the score: bpb = cap (1 − score) for every score above 0, and round-trips the evaluator’s formula', () => {
    for (const bits of [0.5, 1.34, 2.781, 7.99]) {
      const score = metricScore(bpb, bits * Math.LN2, 0);
      expect(metricValue(bpb, score)).toBeCloseTo(bits, 12);
    }
    expect(metricValue(bpb, 0.75)).toBe(2);
    expect(metricValue(bpb, 1)).toBe(0);
    expect(metricValue(loss, 0.6)).toBeCloseTo(1, 12);
    expect(metricValue(accuracy, 0.93)).toBe(0.93);
    // 0 says only that the value reached the cap.
    expect(metricValue(bpb, 0)).toBeNull();
    expect(metricValue(accuracy, 0)).toBe(0);
    expect(() => metricValue(bpb, 1.2)).toThrow('a score is in [0, 1], got 1.2');
    expect(() => metricValue(bpb, Number.NaN)).toThrow(RangeError);
  });

  it('says the value next to the score, and "above the cap" for 0', () => {
    expect(scoreText(bpb, 0.6523)).toBe('0.6523 (2.782 bits per byte)');
    expect(scoreText(bpb, 0)).toBe('0.0000 (above the cap of 8 bits per byte)');
    expect(metricText(bpb, 0)).toBe('above the cap of 8 bits per byte');
    expect(scoreText(loss, 0.6)).toBe('0.6000 (loss 1.000)');
    expect(scoreText(loss, 0)).toBe('0.0000 (loss above the cap of 2.5)');
    // Classifiers' scores are their accuracy: shown as they are.
    expect(scoreText(accuracy, 0.9812)).toBe('0.9812');
    expect(scoreText(null, 0.5, 2)).toBe('0.50');
  });

  it('reads scores from the chain’s units and WADs', () => {
    expect(scoreOfUnits(6523)).toBe(0.6523);
    expect(metricValue(bpb, scoreOfUnits(6523))).toBeCloseTo(2.7816, 10);
    expect(scoreOfWad(5n * 10n ** 17n)).toBe(0.5);
  });

  it('says what the form’s thresholds mean in bits per byte', () => {
    expect(scoredBy(bpb)).toBe('scored in bits per byte (cap 8)');
    expect(scoredBy(accuracy)).toBe('scored by accuracy');
    expect(thresholdNote(bpb, '0', '0.0005')).toBe(
      'This model is scored in bits per byte (cap 8): score = max(0, 1 − bits per byte / 8). A minimum score of 0 admits any model below the cap, 8 bits per byte. A tolerance of 0.0005 is 0.004 bits per byte between validators.',
    );
    expect(thresholdNote(bpb, '0.5', '')).toBe(
      'This model is scored in bits per byte (cap 8): score = max(0, 1 − bits per byte / 8). A minimum score of 0.5 admits models below 4 bits per byte.',
    );
    expect(thresholdNote(loss, '0.2', 'x')).toBe(
      'This model is scored in loss (cap 2.5): score = max(0, 1 − loss / 2.5). A minimum score of 0.2 admits models below a loss of 2.',
    );
    expect(thresholdNote(accuracy, '0.5', '0.0005')).toBeNull();
  });
});
