// Model spec templates the Create page offers: the specs published with the app in public/specs/
// (a unit test keeps this list equal to that folder), and the published datasets they fit.
export interface SpecTemplate {
  /** File name without .json, under `${BASE_URL}specs/`. */
  id: string;
  title: string;
  /** Published datasets (folders under `${BASE_URL}datasets/`) that fit it. */
  train: string;
  eval: string;
}

export const SPEC_TEMPLATES: readonly SpecTemplate[] = [
  { id: 'digits-mlp', title: '8×8 digits, small MLP (trains in seconds)', train: 'digits-train', eval: 'digits-eval' },
  { id: 'fashion-mlp', title: 'Fashion-MNIST, MLP', train: 'fashion-mnist-train', eval: 'fashion-mnist-eval' },
  { id: 'fashion-cnn', title: 'Fashion-MNIST, small CNN', train: 'fashion-mnist-train', eval: 'fashion-mnist-eval' },
  {
    id: 'solidity-gpt',
    title: 'Solidity code co-creation, byte-level GPT',
    train: 'solidity-train',
    eval: 'solidity-eval',
  },
];

/** Datasets published with the app (public/datasets/<name>/manifest.json and shards). */
export const PUBLISHED_DATASETS: readonly string[] = [
  'digits-train',
  'digits-eval',
  'fashion-mnist-train',
  'fashion-mnist-eval',
  'solidity-train',
  'solidity-eval',
];
