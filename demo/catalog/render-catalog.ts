import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { MIN_SCHEDULE_EVERY_MS } from '../../core/catalog/index.ts';
import { formatDuration, parseDuration } from '../../core/time/index.ts';

/** The demo estate's catalog as committed (the `npm start` pace, logical host names in probe URLs). */
export const demoCatalogPath = fileURLToPath(new URL('./estate.yaml', import.meta.url));

export interface RenderOptions {
  /** Demo host (crm.demo.local) → loopback base URL (http://127.0.0.1:PORT) the system really listens on. */
  endpoints: ReadonlyMap<string, string>;
  /** Multiplies every schedule, staleness limit, settle time and probe period (1 = as written; 0.1 = ten times faster; a probe period stays 1 s or more). */
  timeScale: number;
}

/** `value` × `timeScale`, at least `floorMs` (ms). */
function scaled(value: unknown, timeScale: number, where: string, floorMs = 1): string {
  const ms = Math.max(floorMs, Math.round(parseDuration(String(value), where) * timeScale));
  return ms % 1000 === 0 ? formatDuration(ms) : `${ms}ms`;
}

/** Rescales the duration at `path` inside each item of `section`, when the item has one, to at least `floorMs`. */
function scaleEach(doc: Document, section: string, path: string[], timeScale: number, floorMs = 1): void {
  const items = doc.get(section);
  if (!isSeq(items)) return;
  items.items.forEach((item, i) => {
    if (!isMap(item) || !item.hasIn(path)) return;
    item.setIn(path, scaled(item.getIn(path), timeScale, `${section}[${i}].${path.join('.')}`, floorMs));
  });
}

/**
 * The catalog Weft loads while the demo runs: the committed file with probe URLs pointed at the
 * systems' loopback ports and durations scaled to the demo's pace. Comments and order are kept.
 */
export function renderCatalog(text: string, options: RenderOptions): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`The demo catalog is not valid YAML: ${doc.errors[0].message}`);
  const probes = doc.get('probes');
  if (isSeq(probes)) {
    for (const probe of probes.items) {
      if (!isMap(probe) || typeof probe.get('url') !== 'string') continue;
      const url = new URL(String(probe.get('url')));
      const base = options.endpoints.get(url.hostname);
      if (!base) throw new Error(`Probe ${String(probe.get('id'))} names ${url.hostname}, which the demo does not serve.`);
      probe.set('url', `${base}${url.pathname}${url.search}`);
    }
  }
  const remediations = doc.get('remediations');
  if (isSeq(remediations)) {
    for (const action of remediations.items) {
      if (!isMap(action) || typeof action.getIn(['request', 'url']) !== 'string') continue;
      const url = new URL(String(action.getIn(['request', 'url'])));
      const base = options.endpoints.get(url.hostname);
      if (base) action.setIn(['request', 'url'], `${base}${url.pathname}${url.search}`);
    }
  }
  if (options.timeScale !== 1) {
    scaleEach(doc, 'flows', ['schedule', 'every'], options.timeScale);
    scaleEach(doc, 'classes', ['staleAfter'], options.timeScale);
    scaleEach(doc, 'domains', ['drift', 'settle'], options.timeScale);
    // A catalog's probes run at most once a second (core/catalog/probes.ts), at any pace.
    scaleEach(doc, 'probes', ['every'], options.timeScale, MIN_SCHEDULE_EVERY_MS);
  }
  return doc.toString({ lineWidth: 0 });
}

export function readDemoCatalog(): string {
  return readFileSync(demoCatalogPath, 'utf8');
}
