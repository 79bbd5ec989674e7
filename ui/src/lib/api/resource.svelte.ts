import { untrack } from 'svelte';
import { ApiError, session } from './client.svelte.ts';

/**
 * Data a page shows: loading, the value, or the error; loads again when `reload()` is called or the
 * token changes. Create it in a component's script; `key` re-runs the loader when its value changes.
 */
export class Resource<T> {
  value = $state<T | undefined>(undefined);
  error = $state<ApiError | undefined>(undefined);
  loading = $state(true);
  #seq = 0;

  constructor(
    private readonly load: () => Promise<T>,
    key: () => unknown = () => undefined,
  ) {
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
