import type { PairingWindows, StoppedPairing, WindowSource } from './pairing-job.ts';

// Its own file, free of the store: a report's worker thread renders this line and must not load libchdb.
/**
 * One line on the windows a stopped store was paired with and where each came from; with a warning when a window given
 * differs from the one the store's Weft recorded (what is paired stays paired). `duration` writes a length (ms).
 */
export function describeStoppedPairing(p: Omit<StoppedPairing, 'result'>, duration: (ms: number) => string): string {
  const from: Record<WindowSource, string> = { given: 'as given', recorded: "as the store's Weft paired", default: 'the default: the store records none' };
  const window = (key: keyof PairingWindows) => `${duration(p.windows[key])} (${from[p.sources[key]]})`;
  const differs = (['lateMs', 'runGapMs'] as const).filter((k) => p.sources[k] === 'given' && p.recorded[k] !== null && p.recorded[k] !== p.windows[k]);
  const name = (k: keyof PairingWindows) => (k === 'lateMs' ? 'a late-arrival window' : 'a run gap');
  const warning = differs.length
    ? `; the store's Weft paired with ${differs.map((k) => `${name(k)} of ${duration(p.recorded[k]!)}`).join(' and ')}, and what is paired now stays paired`
    : '';
  return `paired first what the stopped Weft had not: late-arrival window ${window('lateMs')}, run gap ${window('runGapMs')}${warning}`;
}
