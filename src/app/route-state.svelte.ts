// The current hash route as reactive state.
import { parseHash, routeHash, type Route } from './router.ts';

export class RouteState {
  route = $state.raw<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));

  /** Follows hash changes; returns the function that stops following. */
  start(): () => void {
    const update = () => (this.route = parseHash(location.hash));
    update();
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }

  /** Changes the address without a history entry (e.g. a picker's `?epoch=`). */
  replace(route: Route): void {
    history.replaceState(history.state, '', routeHash(route));
    this.route = route;
  }
}
