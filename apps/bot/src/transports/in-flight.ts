/** What a tracked turn is about, for the shutdown log. */
export interface UpdateRef {
  update_id: number;
  chat_id: number | undefined;
}

/**
 * Turns in progress, so shutdown can wait for them: the runner's `stop()` and `server.close()`
 * only stop taking updates, they do not wait for the ones being handled.
 */
export class InFlight {
  readonly #running = new Map<Promise<unknown>, UpdateRef | undefined>();

  get size(): number {
    return this.#running.size;
  }

  /** Tracks `work` (about `update`, if given) until it settles; returns it unchanged. */
  track<T>(work: Promise<T>, update?: UpdateRef): Promise<T> {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.#running.set(tracked, update);
    tracked.then(() => this.#running.delete(tracked));
    return work;
  }

  /** The updates whose turns have not finished, oldest first. */
  unfinished(): UpdateRef[] {
    const refs = [...this.#running.values()].filter((ref) => ref !== undefined);
    return refs.sort((a, b) => a.update_id - b.update_id);
  }

  /** Resolves true when everything in flight (including work added meanwhile) settled in time. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#running.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        Promise.all(this.#running.keys()).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), left);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) return false;
    }
    return true;
  }
}
