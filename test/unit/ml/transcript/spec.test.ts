// The model spec's `transcript` section (docs/ml.md section 1): defaults, limits, clear errors,
// and specs without the section parsing exactly as before.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelSpec, SpecError } from '../../../../src/lib/ml/spec/parse.ts';
import { TRANSCRIPT_BACKEND, TRANSCRIPT_DEFAULTS, transcriptSettings } from '../../../../src/lib/ml/spec/transcript.ts';

const file = () =>
  JSON.parse(readFileSync(new URL('../../../../public/specs/digits-mlp.json', import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
const withSection = (t: unknown) => parseModelSpec({ ...file(), transcript: t });
const error = (t: unknown) => {
  try {
    withSection(t);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return `${(e as SpecError).field}: ${(e as SpecError).reason}`;
  }
  throw new Error('accepted');
};

describe('model spec transcript section', () => {
  it('is absent from a spec without it, whose settings are the defaults', () => {
    const spec = parseModelSpec(file());
    expect('transcript' in spec).toBe(false);
    expect(transcriptSettings(spec)).toEqual(TRANSCRIPT_DEFAULTS);
    expect(transcriptSettings(spec)).not.toBe(TRANSCRIPT_DEFAULTS);
    expect(TRANSCRIPT_DEFAULTS.tolerance).toBeLessThan(2 ** -TRANSCRIPT_DEFAULTS.mantissaBits);
  });

  it('fills defaults field by field and keeps given values', () => {
    expect(withSection({}).transcript).toEqual(TRANSCRIPT_DEFAULTS);
    expect(withSection({ interval: 20 }).transcript).toEqual({ ...TRANSCRIPT_DEFAULTS, interval: 20 });
    const full = { interval: 7, mantissaBits: 12, tolerance: 1e-4, outlierShare: 0.001, outlierTolerance: 3e-3 };
    expect(withSection(full).transcript).toEqual(full);
    expect(transcriptSettings(withSection(full))).toEqual(full);
    expect(withSection({ mantissaBits: 23, tolerance: 0 }).transcript?.mantissaBits).toBe(23);
    // SPEC 8.3 as written (no outliers) is a valid choice.
    expect(withSection({ outlierShare: 0 }).transcript).toMatchObject({ outlierShare: 0 });
    // Without an outlier tolerance, a tolerance above the default's still gets one at least as wide.
    expect(withSection({ mantissaBits: 4, tolerance: 0.05 }).transcript?.outlierTolerance).toBe(0.05);
    // The one-unit outlier rule (docs/transcript.md section 5) is kept when given.
    expect(withSection({ outlierScope: 'unit' }).transcript).toEqual({ ...TRANSCRIPT_DEFAULTS, outlierScope: 'unit' });
    expect(withSection({ outlierScope: 'state' }).transcript?.outlierScope).toBe('state');
  });

  it("defaults to SPEC 8.3's rule as written, on the reference backend where honest replays are exact", () => {
    expect(TRANSCRIPT_DEFAULTS).toMatchObject({ interval: 50, mantissaBits: 8, tolerance: 1e-4, outlierShare: 0 });
    expect(TRANSCRIPT_DEFAULTS.outlierTolerance).toBeGreaterThan(TRANSCRIPT_DEFAULTS.tolerance);
    expect(TRANSCRIPT_BACKEND).toBe('wasm');
  });

  it('refuses bad values naming the field', () => {
    expect(error({ interval: 0 })).toBe('transcript.interval: must be an integer in 1..100000, got number 0');
    expect(error({ interval: 2.5 })).toMatch(/^transcript.interval: must be an integer/);
    expect(error({ mantissaBits: 1 })).toBe('transcript.mantissaBits: must be an integer in 2..23, got number 1');
    expect(error({ mantissaBits: 24 })).toMatch(/^transcript.mantissaBits: must be an integer in 2..23/);
    expect(error({ tolerance: -1e-3 })).toMatch(/^transcript.tolerance: must be a number in \[0, 1\)/);
    expect(error({ tolerance: '1e-3' })).toMatch(/^transcript.tolerance: must be a number/);
    expect(error({ mantissaBits: 8, tolerance: 2 ** -8 })).toMatch(
      /^transcript.tolerance: must be below one grid step of 8 mantissa bits \(2\^-8 = 0.00390625\)/,
    );
    expect(error({ outlierShare: 0.02 })).toMatch(/^transcript.outlierShare: must be a number in \[0, 0.01\]/);
    expect(error({ outlierShare: -0.001 })).toMatch(/^transcript.outlierShare: must be a number in \[0, 0.01\]/);
    expect(error({ outlierTolerance: 1 })).toMatch(/^transcript.outlierTolerance: must be a number in \[0, 1\)/);
    expect(error({ tolerance: 1e-3, outlierTolerance: 5e-4 })).toBe(
      'transcript.outlierTolerance: must be at least the tolerance (0.001), got 0.0005: an outlier lies beyond the tolerance',
    );
    expect(error({ seed: 1 })).toBe(
      'transcript.seed: unknown field (allowed: interval, mantissaBits, tolerance, outlierShare, outlierTolerance, outlierScope)',
    );
    expect(error({ outlierScope: 'layer' })).toBe(
      'transcript.outlierScope: must be one of "state", "unit", got "layer"',
    );
    expect(error(5)).toMatch(/^transcript: must be an object/);
  });
});
