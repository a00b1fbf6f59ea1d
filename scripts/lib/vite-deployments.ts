// Vite plugin: serves the deployments folder at /deployments/ in dev and preview, and copies it
// into the build, so the app finds deployments/<chainId>.json wherever it is hosted.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Plugin } from 'vite';

/** Only deployment records are published; anything else in the folder stays private. */
export const DEPLOYMENT_FILE = /^\d+\.json$/;

export function deploymentFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => DEPLOYMENT_FILE.test(f))
    .sort();
}

function serve(dir: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const name = decodeURIComponent((req.url ?? '/').split('?')[0]!.replace(/^\//, ''));
    const file = join(dir, name);
    // Answer 404 ourselves: falling through would let the SPA fallback answer 200 with HTML.
    if (!DEPLOYMENT_FILE.test(name) || !existsSync(file)) {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(`no deployment ${name}\n`);
      return;
    }
    res.statusCode = 200;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    // A restarted local stack rewrites the file: never let a browser keep an old copy.
    res.setHeader('cache-control', 'no-store');
    res.end(readFileSync(file));
  };
}

export function deploymentsPlugin(dir: string): Plugin {
  return {
    name: 'aiarena-deployments',
    configureServer(server) {
      server.middlewares.use('/deployments', serve(dir));
    },
    configurePreviewServer(server) {
      server.middlewares.use('/deployments', serve(dir));
    },
    generateBundle() {
      for (const f of deploymentFiles(dir)) {
        this.emitFile({ type: 'asset', fileName: `deployments/${f}`, source: readFileSync(join(dir, f)) });
      }
    },
  };
}
