// Compiles the verifier of a zk build output folder (WatermarkOwnershipVerifier.sol and the
// IWatermarkOwnershipVerifier.sol next to it) with the npm solc and the settings of
// foundry.toml, so a production verifier built outside contracts/src deploys without a hand
// copy, and the bytecode always comes from the source that sits in the folder.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Abi, Hex } from 'viem';

export const VERIFIER_CONTRACT = 'WatermarkOwnershipVerifier';
export const VERIFIER_SOURCE = `${VERIFIER_CONTRACT}.sol`;
export const INTERFACE_SOURCE = 'IWatermarkOwnershipVerifier.sol';

/** As foundry.toml: solc 0.8.28 (the npm package), optimizer 200 runs, EVM cancun. */
export const VERIFIER_COMPILER_SETTINGS = { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun' } as const;

export interface CompiledVerifier {
  abi: Abi;
  bytecode: Hex;
  compiler: string;
  /** The Solidity source the bytecode came from. */
  source: string;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
}

/** Compiles `contract` of `file` among `sources` (name -> Solidity text). */
export function compileSolidity(sources: Record<string, string>, file: string, contract: string): CompiledVerifier {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string; version(): string };
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([name, content]) => [name, { content }])),
    settings: {
      ...VERIFIER_COMPILER_SETTINGS,
      outputSelection: { [file]: { [contract]: ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0)
    throw new Error(`${file} does not compile:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const c = output.contracts?.[file]?.[contract];
  if (!c || !c.evm.bytecode.object) throw new Error(`${file} has no contract ${contract}`);
  return {
    abi: c.abi,
    bytecode: `0x${c.evm.bytecode.object}`,
    compiler: `solc ${solc.version()}`,
    source: sources[file]!,
  };
}

/** Compiles `<dir>/WatermarkOwnershipVerifier.sol`; errors name the folder and the compiler's message. */
export function compileVerifierDir(dir: string): CompiledVerifier {
  const files = [VERIFIER_SOURCE, INTERFACE_SOURCE];
  for (const f of files)
    if (!existsSync(join(dir, f)))
      throw new Error(`${dir} has no ${f}: point to the --out-dir of \`npm run build:zk\``);
  try {
    return compileSolidity(
      Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), 'utf8')])),
      VERIFIER_SOURCE,
      VERIFIER_CONTRACT,
    );
  } catch (e) {
    throw new Error(`${dir}: ${(e as Error).message}`, { cause: e });
  }
}
