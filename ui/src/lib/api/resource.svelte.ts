import { untrack } from 'svelte';
import { ApiError, session } from './client.svelte.ts';

/**
 * Data a page shows: loading, the value, or the error; loads again when `reload()` is called, the
 * token changes or every `refreshMs`. Create it in a component's script; `key` re-runs the loader
 * (showing "loading" again) when its value changes; a refresh keeps the data on screen meanwhile.
 */
export class Resource<T> {
  // Raw, not a deep proxy: an answer is replaced whole, never edited in place, and reading a large one
  // (the graph of 500 systems) through Svelte's proxies cost more than drawing it.
  value = $state.raw<T | undefined>(undefined);
  error = $state<ApiError | undefined>(undefined);
  loading = $state(true);
  #seq = 0;

  constructor(
    private readonly load: () => Promise<T>,
    key: () => unknown = () => undefined,
    /** Loads again this often while the page is open and visible (the estate changes as you look). */
    refreshMs = 0,
  ) {
    if (refreshMs > 0) {
      $effect(() => {
        const timer = setInterval(() => {
          if (!this.loading && document.visibilityState === 'visible') void this.reload();
        }, refreshMs);
        return () => clearInterval(timer);
      });
    }
    $effect(() => {
      key();
      void session.epoch;
      // A new key shows new data: not the previous key's while it loads.
      untrack(() => {
        this.value = undefined;
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
    } catch (err) {
      if (seq !== this.#seq) return;
      this.error = err instanceof ApiError ? err : new ApiError(0, err instanceof Error ? err.message : String(err), '');
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
