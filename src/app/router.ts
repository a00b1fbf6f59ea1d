// Hash routes (`#/tasks/3/train?epoch=2`): pure parsing and formatting, so every route the app
// links to round-trips and a mistyped address lands on a page that says what was wrong.

export type TaskRouteName = 'task' | 'train' | 'validate' | 'delegate' | 'challenges';
export type PlainRouteName = 'explore' | 'create' | 'rewards' | 'dev';

export type Route =
  | { name: PlainRouteName; query: Query }
  | { name: TaskRouteName; taskId: bigint; query: Query }
  | { name: 'address'; address: string; query: Query }
  | { name: 'not-found'; path: string; reason: string; query: Query };

export type RouteName = Route['name'];
export type Query = Readonly<Record<string, string>>;

const PLAIN: Record<string, PlainRouteName> = { create: 'create', rewards: 'rewards', dev: 'dev' };
const TASK_SUFFIX: Record<string, TaskRouteName> = {
  train: 'train',
  validate: 'validate',
  delegate: 'delegate',
  challenges: 'challenges',
};

/** A task id as the registry numbers them: a positive decimal integer without leading zeros. */
const TASK_ID = /^[1-9]\d{0,30}$/;

/** The route a location hash names. Never throws: unknown paths become `not-found`. */
export function parseHash(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const [pathPart = '', queryPart = ''] = splitOnce(raw, '?');
  const query = parseQuery(queryPart);
  let path: string;
  try {
    path = decodeURIComponent(pathPart);
  } catch {
    return { name: 'not-found', path: pathPart, reason: 'the address is not valid URL encoding', query };
  }
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return { name: 'explore', query };
  const [head, second, third, ...rest] = parts;
  if (parts.length === 1 && head !== undefined && PLAIN[head]) return { name: PLAIN[head], query };
  if (head === 'address' && second !== undefined && third === undefined) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(second))
      return { name: 'not-found', path: `/${parts.join('/')}`, reason: `"${second}" is not an address`, query };
    return { name: 'address', address: second, query };
  }
  if (head === 'tasks') {
    if (second === undefined) return { name: 'explore', query };
    if (!TASK_ID.test(second)) {
      return { name: 'not-found', path: `/${parts.join('/')}`, reason: `"${second}" is not a task number`, query };
    }
    const taskId = BigInt(second);
    if (third === undefined) return { name: 'task', taskId, query };
    const sub = TASK_SUFFIX[third];
    if (sub && rest.length === 0) return { name: sub, taskId, query };
  }
  return { name: 'not-found', path: `/${parts.join('/')}`, reason: 'no page has this address', query };
}

/** The hash (with its leading `#`) of a route; `parseHash(routeHash(r))` gives `r` back. */
export function routeHash(route: Route): string {
  const q = formatQuery(route.query);
  switch (route.name) {
    case 'explore':
      return `#/${q}`;
    case 'create':
    case 'rewards':
    case 'dev':
      return `#/${route.name}${q}`;
    case 'task':
      return `#/tasks/${route.taskId}${q}`;
    case 'train':
    case 'validate':
    case 'delegate':
    case 'challenges':
      return `#/tasks/${route.taskId}/${route.name}${q}`;
    case 'address':
      return `#/address/${route.address}${q}`;
    case 'not-found':
      return `#${route.path}${q}`;
  }
}

/** Shorthand for links: `href('task', 3n)`, `href('explore')`. */
export function href(name: PlainRouteName, query?: Query): string;
export function href(name: TaskRouteName, taskId: bigint, query?: Query): string;
export function href(name: PlainRouteName | TaskRouteName, a?: bigint | Query, b?: Query): string {
  if (typeof a === 'bigint') return routeHash({ name: name as TaskRouteName, taskId: a, query: b ?? {} });
  return routeHash({ name: name as PlainRouteName, query: a ?? {} });
}

/** The page of an account (`#/address/0x...`). */
export const addressHref = (address: string): string => `#/address/${address}`;

/** Whether two routes show the same page (same name and task), ignoring the query. */
export function samePage(a: Route, b: Route): boolean {
  if (a.name !== b.name) return false;
  if (a.name === 'address' && b.name === 'address') return a.address.toLowerCase() === b.address.toLowerCase();
  if ('taskId' in a && 'taskId' in b) return a.taskId === b.taskId;
  return true;
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function parseQuery(q: string): Query {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(q)) out[k] = v;
  return out;
}

function formatQuery(query: Query): string {
  const entries = Object.entries(query);
  if (entries.length === 0) return '';
  return `?${new URLSearchParams(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))).toString()}`;
}
