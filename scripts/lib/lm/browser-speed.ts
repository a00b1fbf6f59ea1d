// Training tokens/s of a spec in a Chromium worker, per backend: the app's trainer worker driven
// through test/browser/pages/engine.html (the page bench-train uses), on the shipped dataset.
import type { TrainProgress } from '../../../src/lib/ml/client.ts';
import { startHarness } from '../../../test/browser/harness.ts';

export interface BrowserSpeed {
  backend: string;
  /** Null when the backend could not train (then `error`). */
  samplesPerSec: number | null;
  steps: number;
  error?: string;
}

/**
 * Per backend, `every` steps per progress window; the first window is warm-up, `windows` more are
 * timed. The
 * page trains with its fixed watermark key (64 bits x 128), which fits solidity-gpt's watermark.
 */
export async function browserSpeeds(
  spec: string,
  dataUrl: string,
  backends: readonly { backend: string; every: number; windows: number }[],
  /** Per backend: a slower one is recorded as an upper bound and the run moves on. */
  limitMs: number,
  log: (line: string) => void = () => {},
): Promise<BrowserSpeed[]> {
  const h = await startHarness();
  const rows: BrowserSpeed[] = [];
  try {
    const page = await h.open('/test/browser/pages/engine.html');
    await page.waitForFunction(() => document.getElementById('log')?.textContent === 'ready', null, {
      timeout: 120_000,
    });
    for (const { backend, every, windows } of backends) {
      const steps = every * (windows + 1);
      const timedOut = new Promise<null>((ok) => setTimeout(() => ok(null), limitMs));
      const r = await Promise.race([
        timedOut,
        page.evaluate(
          async ({ spec, backend, n, every, dataUrl }) => {
            const engine = (
              window as unknown as {
                engine: {
                  resetLog(): void;
                  log: { progress: TrainProgress[]; backends: string[] };
                  train(s: string, j: unknown): Promise<unknown>;
                };
              }
            ).engine;
            engine.resetLog();
            try {
              await engine.train(spec, {
                runId: `bench-lm-${backend}`,
                backend,
                maxSteps: n,
                readEvery: every,
                resume: false,
                dataUrl,
              });
              return { progress: engine.log.progress, ran: engine.log.backends, error: null };
            } catch (e) {
              return { progress: [], ran: engine.log.backends, error: (e as Error).message };
            }
          },
          { spec, backend, n: steps, every, dataUrl },
        ),
      ]);
      if (r === null) {
        // Still training: the page is left as it is (the harness closes the browser at the end).
        rows.push({ backend, samplesPerSec: null, steps, error: `${steps} steps took over ${limitMs / 1000} s` });
        log(`browser ${backend}: over the limit`);
        break;
      }
      const timed = r.progress.slice(1);
      if (r.error !== null || timed.length === 0) {
        rows.push({ backend, samplesPerSec: null, steps: 0, error: (r.error ?? 'no progress reported').slice(0, 160) });
      } else if (r.ran.length > 0 && r.ran.some((b) => b !== backend)) {
        // The worker falls back when a backend fails its trial: that row would be another backend's speed.
        rows.push({ backend, samplesPerSec: null, steps: 0, error: `the worker ran ${r.ran.join(', ')}` });
      } else {
        const sps = timed.reduce((a, p) => a + p.samplesPerSec, 0) / timed.length;
        rows.push({ backend, samplesPerSec: sps, steps: every * windows });
      }
      log(`browser ${backend}: ${JSON.stringify(rows.at(-1))}`);
    }
    for (const { backend } of backends.slice(rows.length))
      rows.push({ backend, samplesPerSec: null, steps: 0, error: 'not run: an earlier backend hit the limit' });
  } finally {
    await h.close();
  }
  return rows;
}
