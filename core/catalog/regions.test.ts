import { describe, expect, it } from 'vitest';
import { formatProblem, parseCatalog, regionKind } from './index.ts';

const catalogWithRegions = (regions: string[]) =>
  ['systems:', ...regions.map((r, i) => `  - { id: s${i}, region: "${r}", match: { hosts: [s${i}.internal] } }`)].join('\n') + '\n';

describe('regionKind', () => {
  it('tells the EEA, third countries, and what is no ISO 3166-1 alpha-2 code apart', () => {
    expect(['DE', 'de', ' IE ', 'NO', 'EU', 'eea'].map(regionKind)).toEqual(Array(6).fill('eea'));
    expect(['US', 'jp', 'GB', 'CH'].map(regionKind)).toEqual(Array(4).fill('third-country'));
    expect(['eu-west-1', 'Germany', 'XX', 'USA', 'europe-west3'].map(regionKind)).toEqual(Array(5).fill('unknown'));
    expect([undefined, '', '  '].map(regionKind)).toEqual(Array(3).fill('not-recorded'));
  });
});

describe('catalog validation of a system region', () => {
  // Regression: cloud-region names and country names passed `weft catalog validate`, and the GDPR register
  // then called them third-country transfers. They are refused, with file and line.
  it('refuses a region that is not an ISO 3166-1 alpha-2 code or EU / EEA, naming file and line', () => {
    const { problems } = parseCatalog([{ file: 'systems.yaml', text: catalogWithRegions(['eu-west-1', 'Germany', 'XX', 'US', 'de', 'EEA']) }]);
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^systems\.yaml:2:\d+: systems\[0\]\.region: "eu-west-1" is not an ISO 3166-1 alpha-2 country code or EU \/ EEA: .*not a cloud region name$/,
      ),
      expect.stringMatching(/^systems\.yaml:3:\d+: systems\[1\]\.region: "Germany" is not an ISO 3166-1 alpha-2 country code or EU \/ EEA/),
      expect.stringMatching(/^systems\.yaml:4:\d+: systems\[2\]\.region: "XX" is not an ISO 3166-1 alpha-2 country code/),
    ]);
  });
});
