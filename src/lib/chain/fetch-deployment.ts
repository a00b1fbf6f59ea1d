// Loads deployments/<chainId>.json from where the app is served, distinguishing "not deployed
// here" from "server unreachable" so the page can say which.
import { parseDeployment, type Deployment } from './deployments.ts';
import { ArenaError } from '../errors.ts';

export class DeploymentUnavailable extends ArenaError<'deployment-unavailable'> {
  constructor(
    message: string,
    readonly reason: 'missing' | 'unreachable' | 'malformed',
  ) {
    super('deployment-unavailable', message, { retryable: reason === 'unreachable' });
    this.name = 'DeploymentUnavailable';
  }
}

export async function fetchDeployment(url: string, fetchFn: typeof fetch = fetch): Promise<Deployment> {
  let res: Response;
  try {
    res = await fetchFn(url, { cache: 'no-store' });
  } catch (cause) {
    throw new DeploymentUnavailable(`cannot fetch ${url}: ${(cause as Error).message}`, 'unreachable');
  }
  if (res.status === 404)
    throw new DeploymentUnavailable(`${url} does not exist (nothing deployed on this chain yet?)`, 'missing');
  if (!res.ok) throw new DeploymentUnavailable(`${url} answered HTTP ${res.status}`, 'unreachable');
  try {
    return parseDeployment(await res.text(), url);
  } catch (cause) {
    throw new DeploymentUnavailable((cause as Error).message, 'malformed');
  }
}
