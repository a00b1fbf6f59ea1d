// The Solidity demo corpus (issue 14, "Solidity code co-creation"): which packages, the split, the
// sequence length and where the three datasets go. scripts/data/solidity.ts writes them; the
// baselines bench rebuilds them in memory and checks it got the committed hashes.
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';
import type { CorpusConversion } from './convert.ts';
import type { CorpusPackage } from './packages.ts';

const NODE_MODULES = join(REPO_ROOT, 'node_modules');

export const SOLIDITY_PACKAGES: CorpusPackage[] = [
  {
    name: '@openzeppelin/contracts',
    version: '5.7.0',
    license: 'MIT',
    dir: join(NODE_MODULES, '@openzeppelin/contracts'),
    licenseNote:
      'The npm package ships no licence file: its package.json and the SPDX header of every file say MIT. ' +
      'The licence text and copyright notice are those of the upstream repository at this version, ' +
      'https://github.com/OpenZeppelin/openzeppelin-contracts/blob/v5.7.0/LICENSE (the MIT text is the ' +
      'one reproduced for solady below).',
    digest: '926359777ff452e0ae559e2f4a78908703d3e1b5ce83bb3cd0eebf71b7574f8b',
  },
  {
    name: 'solady',
    version: '0.1.26',
    license: 'MIT',
    dir: join(NODE_MODULES, 'solady'),
    licenseFiles: ['LICENSE.txt'],
    digest: '58d9d8115d4b60143e45cca3d38574573ab48b1e03caaf7bc4ffd1c819534854',
  },
  {
    name: 'forge-std',
    version: '1.9.7',
    license: 'MIT OR Apache-2.0',
    licenseFiles: ['LICENSE-MIT', 'LICENSE-APACHE'],
    // The copy LayerZero's foundry toolbox (a dev dependency) ships; no separate install.
    dir: join(NODE_MODULES, '@layerzerolabs/toolbox-foundry/lib/forge-std'),
    digest: 'bdec3715208d3c165d6e36f9179d864598072d04147d794b0441f7251f56e402',
  },
];

export const SOLIDITY_SEQUENCE_LENGTH = 128;
export const SOLIDITY_SHARD_SEQUENCES = 10_000;

export function solidityConversion(
  sequenceLength = SOLIDITY_SEQUENCE_LENGTH,
  shardSequences = SOLIDITY_SHARD_SEQUENCES,
): CorpusConversion {
  return {
    title: 'Solidity corpus',
    packages: SOLIDITY_PACKAGES,
    suffix: '.sol',
    seed: 'aiarena/solidity-split/v1',
    fractions: { train: 0.8, eval: 0.1 },
    sequenceLength,
    shardSequences,
    license:
      'MIT: Solidity sources of @openzeppelin/contracts 5.7.0 (MIT), solady 0.1.26 (MIT), forge-std 1.9.7 (MIT OR Apache-2.0); see public/datasets/README.md',
    targets: {
      train: { name: 'solidity-train', dir: 'public/datasets/solidity-train' },
      eval: { name: 'solidity-eval', dir: 'public/datasets/solidity-eval' },
      final: { name: 'solidity-final', dir: 'datasets/hidden/solidity-final' },
    },
    lists: {
      public: 'public/datasets/solidity-files.md',
      hidden: 'datasets/hidden/solidity-files.md',
      notices: 'public/datasets/solidity-licenses.md',
    },
  };
}
