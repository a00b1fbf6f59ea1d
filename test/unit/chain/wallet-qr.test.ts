import { describe, expect, it } from 'vitest';
import { qrMatrix, qrSvg } from '../../../src/lib/chain/wallet/qr.ts';

const URI =
  'wc:7f6e504bfad60b485450578e05678ed3e8e8c4751d3c6160be17160d63ec90f9@2?relay-protocol=irn&symKey=587d5484ce2a2a6ee3ba1962fdd7e8588e06200c46823bd18fbd67def96ad303&expiryTimestamp=1769000000';

/** The 7x7 finder pattern with its top-left corner at (r, c): dark ring, light ring, dark 3x3. */
function finderAt(m: ReturnType<typeof qrMatrix>, r: number, c: number): boolean {
  for (let i = 0; i < 7; i++) {
    for (let j = 0; j < 7; j++) {
      const ring = Math.max(Math.abs(i - 3), Math.abs(j - 3));
      const dark = ring !== 2;
      if (m.dark[(r + i) * m.size + (c + j)] !== dark) return false;
    }
  }
  return true;
}

describe('pairing QR code', () => {
  it('encodes a WalletConnect URI in a valid symbol: size of a QR version, three finder patterns', () => {
    const m = qrMatrix(URI);
    expect((m.size - 17) % 4).toBe(0);
    expect(m.size).toBeLessThanOrEqual(177);
    expect(m.dark).toHaveLength(m.size * m.size);
    expect(finderAt(m, 0, 0) && finderAt(m, 0, m.size - 7) && finderAt(m, m.size - 7, 0)).toBe(true);
    expect(finderAt(m, m.size - 7, m.size - 7)).toBe(false);
    // Longer text needs a bigger symbol; the same text, the same symbol.
    expect(qrMatrix(URI + URI).size).toBeGreaterThan(m.size);
    expect(qrMatrix(URI)).toEqual(m);
  });

  it('renders a scalable SVG', () => {
    const svg = qrSvg(URI);
    expect(svg).toMatch(/^<svg[^>]*viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain('<path');
  });

  it('refuses to encode nothing', () => {
    expect(() => qrMatrix('')).toThrow('nothing to encode in the QR code');
  });
});
