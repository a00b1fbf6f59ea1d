// The palette in src/app/app.css, checked as WCAG 2.2 computes contrast: text 4.5:1 on the
// backgrounds it is used on, chart series and focus rings 3:1 (non-text contrast).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const css = readFileSync(new URL('../../../src/app/app.css', import.meta.url), 'utf8');

function block(source: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const m of source.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) vars[m[1]!] = m[2]!.toLowerCase();
  return vars;
}

const darkStart = css.indexOf('@media (prefers-color-scheme: dark)');
const schemes = {
  light: block(css.slice(0, darkStart)),
  dark: block(css.slice(darkStart, css.indexOf('}\n}', darkStart))),
};

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe('contrast', () => {
  it('matches known values', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});

describe.each(Object.entries(schemes))('%s scheme', (_name, v) => {
  it('defines every colour the components use', () => {
    for (const key of [
      'bg',
      'surface',
      'text',
      'muted',
      'border',
      'accent',
      'on-accent',
      'warn-bg',
      'warn-text',
      'error-bg',
      'error-text',
      'ok-bg',
      'ok-text',
      'track',
    ]) {
      expect(v[key], key).toMatch(/^#[0-9a-f]{6}$/);
    }
    for (let i = 1; i <= 8; i++) expect(v[`series-${i}`], `series-${i}`).toBeDefined();
  });

  it('gives text at least 4.5:1 on both backgrounds', () => {
    for (const fg of ['text', 'muted', 'accent', 'warn-text', 'error-text', 'ok-text']) {
      for (const bg of ['bg', 'surface'])
        expect(contrast(v[fg]!, v[bg]!), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrast(v['on-accent']!, v.accent!), 'button text').toBeGreaterThanOrEqual(4.5);
    expect(contrast(v['warn-text']!, v['warn-bg']!), 'warning').toBeGreaterThanOrEqual(4.5);
    expect(contrast(v['error-text']!, v['error-bg']!), 'error').toBeGreaterThanOrEqual(4.5);
    expect(contrast(v['ok-text']!, v['ok-bg']!), 'ok').toBeGreaterThanOrEqual(4.5);
  });

  it('gives chart series and the focus ring at least 3:1 on the surface', () => {
    for (let i = 1; i <= 8; i++)
      expect(contrast(v[`series-${i}`]!, v.surface!), `series-${i}`).toBeGreaterThanOrEqual(3);
    expect(contrast(v.accent!, v.bg!)).toBeGreaterThanOrEqual(3);
  });
});
