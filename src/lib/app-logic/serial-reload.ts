// A page's reload as one read at a time: a request during a read runs the read once more after
// it (the request may be about newer chain state), however many requests came meanwhile.

/** Wraps `read` so overlapping calls collapse into at most one follow-up run. */
export function serialReload(read: () => Promise<void>): () => Promise<void> {
  let running = false;
  let again = false;
  const reload = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    try {
      await read();
    } finally {
      running = false;
    }
    if (again) return reload();
  };
  return reload;
}
