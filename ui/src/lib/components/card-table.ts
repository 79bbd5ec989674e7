/**
 * Svelte action for a `<table class="cards">`: labels every body cell with its column's header
 * (`data-label`), which app.css shows before the cell on phones, where each row becomes a card instead
 * of a table that scrolls sideways. Rows added later (a reload, a filter) are labelled too.
 */
export function cardTable(table: HTMLTableElement): { destroy: () => void } {
  const label = () => {
    const heads = [...(table.tHead?.rows[0]?.cells ?? [])].map((c) => c.textContent?.trim() ?? '');
    for (const body of table.tBodies)
      for (const row of body.rows)
        [...row.cells].forEach((cell, i) => {
          const text = heads[i] ?? '';
          if (cell.dataset.label !== text) cell.dataset.label = text;
        });
  };
  label();
  // Only element changes are watched: writing data-label (an attribute) does not call this again.
  const observer = new MutationObserver(label);
  observer.observe(table, { childList: true, subtree: true });
  return { destroy: () => observer.disconnect() };
}
