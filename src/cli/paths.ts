// Where this clone keeps what the CLI reads: the app's public files (datasets, model specs, zk
// artifacts) and the deployments folder.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PUBLIC_DIR = join(REPO_ROOT, 'public');
