// Writes the app's icons into public/icons: SVG sources and PNGs rendered from them by headless
// Chromium (the same browser the tests use), so no image tool is needed. Run after changing the
// design: `npx tsx scripts/gen-icons.ts`; the outputs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../test/browser/harness.ts';
import { REPO_ROOT } from './lib/paths.ts';

const OUT = join(REPO_ROOT, 'public', 'icons');
const BLUE = '#0b5cad';

// The favicon's "A" (32-unit grid), centred at (16, 15.5).
const GLYPH = 'M9 24 16 7l7 17h-3.4l-1.5-4h-4.2l-1.5 4zm6-7h2.2L16 13.6z';

/** `scale` shrinks the glyph around the centre; maskable icons keep it inside the 40 % safe circle. */
function svg(opts: { rounded: boolean; scale: number }): string {
  const s = opts.scale;
  const t = `translate(16 16) scale(${s}) translate(-16 -15.5)`;
  const rect = opts.rounded
    ? `<rect width="32" height="32" rx="6" fill="${BLUE}"/>`
    : `<rect width="32" height="32" fill="${BLUE}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${rect}<path transform="${t}" d="${GLYPH}" fill="#fff"/></svg>\n`;
}

const ICONS = [
  {
    file: 'icon.svg',
    svg: svg({ rounded: true, scale: 1.15 }),
    png: [
      { file: 'icon-192.png', size: 192 },
      { file: 'icon-512.png', size: 512 },
    ],
  },
  {
    file: 'maskable.svg',
    svg: svg({ rounded: false, scale: 0.9 }),
    png: [
      { file: 'maskable-192.png', size: 192 },
      { file: 'maskable-512.png', size: 512 },
      { file: 'apple-touch-icon-180.png', size: 180 },
    ],
  },
];

async function main() {
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    for (const icon of ICONS) {
      writeFileSync(join(OUT, icon.file), icon.svg);
      for (const { file, size } of icon.png) {
        const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
        await page.setContent(
          `<html><body style="margin:0;background:transparent"><img src="data:image/svg+xml;base64,${Buffer.from(icon.svg).toString('base64')}" width="${size}" height="${size}" style="display:block"></body></html>`,
        );
        await page.waitForFunction(() => document.images[0]?.complete === true);
        writeFileSync(join(OUT, file), await page.screenshot({ omitBackground: true, type: 'png' }));
        await page.close();
        console.log(`public/icons/${file} (${size}x${size})`);
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
