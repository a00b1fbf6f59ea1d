// Port availability, checked before starting anything so a clash is reported by name.
import { createServer } from 'node:net';
import { freePort } from './anvil.ts';
import type { PortChoice } from './start-config.ts';

export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * The port to use: the chosen one if free; a default that is taken is swapped for a free port
 * (with a warning), a port the user set explicitly is an error naming the variable.
 */
export async function resolvePort(
  choice: PortChoice,
  envName: string,
  what: string,
  warn: (l: string) => void,
): Promise<number> {
  if (await isPortFree(choice.port)) return choice.port;
  if (choice.explicit) {
    throw new Error(
      `${what} port ${choice.port} (${envName}) is already in use: stop whatever holds it or pick another port`,
    );
  }
  const port = await freePort();
  warn(
    `${what} port ${choice.port} is in use (another npm start or node?); using ${port} instead. Set ${envName} to choose.`,
  );
  return port;
}
