export { closestName, didYouMean } from './closest-name.ts';
export { compareCodePoints } from './code-point-order.ts';
export { count, pluralOf } from './count.ts';
export { printable, shown, shownValue, terminalText } from './shown.ts';
export { jsonValueCount } from './json-value-count.ts';
export { nameMatches } from './wildcard.ts';
