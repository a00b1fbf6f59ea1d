// Finds the anvil or forge binary. The npm packages `@foundry-rs/<tool>-<os>-<arch>` carry the
// real binaries; the registry has them for linux-x64 (what we depend on), so other machines
// fall back to a foundry installed on PATH. Plain JS so both node and tsx can load it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const OS = { linux: 'linux', darwin: 'darwin', win32: 'win32' };
const ARCH = { x64: 'amd64', arm64: 'arm64' };

/** @param {'anvil' | 'forge'} tool */
export function foundryBinary(tool) {
  const exe = process.platform === 'win32' ? `${tool}.exe` : tool;
  const pkg = `@foundry-rs/${tool}-${OS[process.platform] ?? process.platform}-${ARCH[process.arch] ?? process.arch}`;
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', exe);
  } catch {
    // not installed for this platform: try PATH
  }
  if (spawnSync(exe, ['--version'], { stdio: 'ignore' }).status === 0) return exe;
  throw new Error(
    `no ${tool} binary: npm package ${pkg} is not installed for this platform and ${tool} is not on PATH ` +
      '(on Linux x64 run npm install; elsewhere install foundry 1.7.x)',
  );
}
