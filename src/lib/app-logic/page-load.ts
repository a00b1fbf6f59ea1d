// What the shell says and offers when a page's code cannot be loaded (pages load on demand, so
// the first visit to a page needs the network; the service worker of a built app has them all).
// Pure.

export interface PageLoadProblem {
  /** A sentence for the person, never the loader's own message. */
  text: string;
  /** What the button does: load the page's code again, or reload the whole app. */
  action: 'retry' | 'reload';
}

/**
 * After a failed load: offline, the page opens by itself when the connection returns (and can be
 * retried); online, a retry comes first, and when a retry fails too the app is reloaded (a browser
 * may keep a failed module import, so only a fresh document fetches it again).
 */
export function pageLoadProblem(online: boolean, retries: number): PageLoadProblem {
  if (!online) {
    return {
      text: 'This page has not been saved on this device and you are offline. It opens by itself when the connection returns.',
      action: 'retry',
    };
  }
  if (retries === 0)
    return { text: 'This page could not be loaded: the app’s server did not answer. Try again.', action: 'retry' };
  return { text: 'This page still could not be loaded. Reloading the app fetches it afresh.', action: 'reload' };
}
