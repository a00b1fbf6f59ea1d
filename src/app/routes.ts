// Which component renders each route, loaded on demand so the first page carries only its own
// code.
import type { Component } from 'svelte';
import type { Route, RouteName } from './router.ts';

export interface PageProps {
  route: Route;
}

export type PageModule = { default: Component<PageProps> };
export type PageLoader = () => Promise<PageModule>;

export const PAGES: Record<RouteName, PageLoader> = {
  explore: () => import('./pages/ExplorePage.svelte'),
  task: () => import('./pages/TaskPage.svelte'),
  train: () => import('./pages/train/TrainPage.svelte'),
  validate: () => import('./pages/validate/ValidatePage.svelte'),
  delegate: () => import('./pages/delegate/DelegatePage.svelte'),
  challenges: () => import('./pages/challenges/ChallengesPage.svelte'),
  create: () => import('./pages/create/CreatePage.svelte'),
  rewards: () => import('./pages/rewards/RewardsPage.svelte'),
  dev: () => import('./pages/dev/DevPage.svelte'),
  address: () => import('./pages/address/AddressPage.svelte'),
  'not-found': () => import('./pages/NotFoundPage.svelte'),
};

/** The document title of a route. */
export function pageTitle(route: Route): string {
  const suffix = 'AIArena';
  switch (route.name) {
    case 'explore':
      return `Explore tasks · ${suffix}`;
    case 'task':
      return `Task #${route.taskId} · ${suffix}`;
    case 'train':
    case 'validate':
    case 'delegate':
      return `${ROLE_LABEL[route.name]} · Task #${route.taskId} · ${suffix}`;
    case 'challenges':
      return `Challenges · Task #${route.taskId} · ${suffix}`;
    case 'create':
      return `Create a task · ${suffix}`;
    case 'rewards':
      return `Rewards · ${suffix}`;
    case 'dev':
      return `Dev panel · ${suffix}`;
    case 'address':
      return `Account ${route.address.slice(0, 6)}…${route.address.slice(-4)} · ${suffix}`;
    case 'not-found':
      return `Page not found · ${suffix}`;
  }
}

export const ROLE_LABEL = { train: 'Train', validate: 'Validate', delegate: 'Delegate' } as const;

export interface NavItem {
  name: 'explore' | 'create' | 'rewards' | 'dev';
  label: string;
  href: string;
  /** SVG path (24-unit grid) for the phone bar. */
  icon: string;
}

/** The main navigation. Dev appears only on local chains (its accounts exist only there). */
export function navItems(chainId: number): NavItem[] {
  const items: NavItem[] = [
    { name: 'explore', label: 'Explore', href: '#/', icon: 'M3 11 12 3l9 8v10h-6v-6H9v6H3z' },
    { name: 'create', label: 'Create', href: '#/create', icon: 'M11 4h2v7h7v2h-7v7h-2v-7H4v-2h7z' },
    {
      name: 'rewards',
      label: 'Rewards',
      href: '#/rewards',
      icon: 'M12 2l3 6.5 7 .8-5.2 4.8 1.5 7L12 17.6 5.7 21.1l1.5-7L2 9.3l7-.8z',
    },
  ];
  if (chainId === 31337 || chainId === 1337) {
    items.push({
      name: 'dev',
      label: 'Dev',
      href: '#/dev',
      icon: 'M8.6 16.6 4 12l4.6-4.6L10 8.8 6.8 12l3.2 3.2zm6.8 0L14 15.2l3.2-3.2L14 8.8l1.4-1.4L20 12z',
    });
  }
  return items;
}

/**
 * Which nav item a route is under: a task's page belongs to Explore, where it is listed; a role
 * page (train, validate, delegate, challenges) is none of the four, and marking Explore there
 * told people they were browsing when they were acting.
 */
export function navSection(route: Route): NavItem['name'] | null {
  switch (route.name) {
    case 'explore':
    case 'task':
      return 'explore';
    case 'create':
    case 'rewards':
    case 'dev':
      return route.name;
    default:
      return null;
  }
}
