// Model spec templates the Create page offers: the specs published with the app in public/specs/
// (a unit test keeps this list equal to that folder), and the published datasets they fit.
export interface SpecTemplate {
  /** File name without .json, under `${BASE_URL}specs/`. */
  id: string;
  title: string;
  /** Published datasets (folders under `${BASE_URL}datasets/`) that fit it. */
  train: string;
  eval: string;
  /**
   * The repository folder holding the demo hidden final eval set for it (datasets/hidden/<name>):
   * never published with the app, so the creator picks its files; named in the form's help.
   */
  final: string;
}

export const SPEC_TEMPLATES: readonly SpecTemplate[] = [
  {
    id: 'digits-mlp',
    title: '8×8 digits, small MLP (trains in seconds)',
    train: 'digits-train',
    eval: 'digits-eval',
    final: 'datasets/hidden/digits-final',
  },
  {
    id: 'fashion-mlp',
    title: 'Fashion-MNIST, MLP',
    train: 'fashion-mnist-train',
    eval: 'fashion-mnist-eval',
    final: 'datasets/hidden/fashion-mnist-final',
  },
  {
    id: 'fashion-cnn',
    title: 'Fashion-MNIST, small CNN',
    train: 'fashion-mnist-train',
    eval: 'fashion-mnist-eval',
    final: 'datasets/hidden/fashion-mnist-final',
  },
  {
    id: 'solidity-gpt',
    title: 'Solidity code co-creation, byte-level GPT (bits per byte)',
    train: 'solidity-train',
    eval: 'solidity-eval',
    final: 'datasets/hidden/solidity-final',
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
