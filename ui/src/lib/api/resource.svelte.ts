import { untrack } from 'svelte';
import { ApiError, session } from './client.svelte.ts';

/** How a Resource treats a change of its key. */
export interface ResourceOptions {
  /**
   * What the data is about (a flow's id), as opposed to how it is looked at (its window). A new key
   * within the same scope keeps the data on screen, marked `stale`, until the new answer arrives; a
   * new scope (another flow) clears it, so one subject's data is never shown under another's name.
   * Without a scope every new key clears the data.
   */
  scope?: () => unknown;
}

/**
 * Data a page shows: loading, the value, or the error; loads again when `reload()` is called, the
 * token changes or every `refreshMs`. Create it in a component's script; `key` re-runs the loader
 * when its value changes: the data shown so far is cleared (showing "loading" again) unless the
 * options' `scope` is unchanged; a refresh keeps the data on screen meanwhile.
 */
export class Resource<T> {
  // Raw, not a deep proxy: an answer is replaced whole, never edited in place, and reading a large one
  // (the graph of 500 systems) through Svelte's proxies cost more than drawing it.
  value = $state.raw<T | undefined>(undefined);
  error = $state<ApiError | undefined>(undefined);
  loading = $state(true);
  /** The value shown is the answer for an earlier key of the same scope; the current key's answer is on its way (or failed: see `error`). */
  stale = $state(false);
  #seq = 0;
  #scope: string | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    key: () => unknown = () => undefined,
    /** Loads again this often while the page is open and visible (the estate changes as you look). */
    refreshMs = 0,
    options: ResourceOptions = {},
  ) {
    if (refreshMs > 0) {
      $effect(() => {
        const timer = setInterval(() => {
          // Not before the API's Retry-After: asking sooner only gets the same 429.
          const waiting = (this.error?.retryAt ?? 0) > Date.now();
          if (!this.loading && !waiting && document.visibilityState === 'visible') void this.reload();
        }, refreshMs);
        return () => clearInterval(timer);
      });
    }
    $effect(() => {
      key();
      const scope = options.scope ? JSON.stringify(options.scope() ?? null) : undefined;
      void session.epoch;
      untrack(() => {
        // A new key shows new data: not the previous key's while it loads, unless it is about the same subject.
        const keep = scope !== undefined && scope === this.#scope && this.value !== undefined;
        this.#scope = scope;
        if (keep) this.stale = true;
        else {
          this.value = undefined;
          this.stale = false;
        }
        void this.reload();
      });
    });
  }

  async reload(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const value = await this.load();
      if (seq !== this.#seq) return;
      this.value = value;
      this.error = undefined;
      this.stale = false;
    } catch (err) {
      if (seq !== this.#seq) return;
      this.error = err instanceof ApiError ? err : new ApiError(0, err instanceof Error ? err.message : String(err), '');
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
