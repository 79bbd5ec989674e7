export { closestName, didYouMean } from './closest-name.ts';
export { count, pluralOf } from './count.ts';
export { printable, shown } from './shown.ts';
