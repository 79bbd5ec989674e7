import type { Catalog } from './types.ts';

/** ISO 3166-1 alpha-2: every officially assigned country code. */
const ISO_3166_ALPHA2 = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** The EEA's members (EU and Iceland, Liechtenstein, Norway), and `EU` / `EEA` themselves. */
const EEA = new Set('AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO EU EEA'.split(' '));

/** Where a system's `region` puts its processing: not recorded, in the EEA, a third country, or not a region Weft knows. */
export type RegionKind = 'not-recorded' | 'eea' | 'third-country' | 'unknown';

/**
 * What a system's `region` says (GDPR Chapter V): an ISO 3166-1 alpha-2 code (any case) or EU / EEA is
 * in the EEA or a third country; anything else (`eu-west-1`, `Germany`) is `unknown`, never a transfer.
 */
export function regionKind(region: string | undefined | null): RegionKind {
  const code = region?.trim().toUpperCase();
  if (!code) return 'not-recorded';
  if (EEA.has(code)) return 'eea';
  return ISO_3166_ALPHA2.has(code) ? 'third-country' : 'unknown';
}

/** A `region` that is not an ISO 3166-1 alpha-2 code or EU / EEA, as a problem on `systems[i].region`. */
export function regionProblems(catalog: Pick<Catalog, 'systems'>): Array<{ path: string; message: string }> {
  return catalog.systems.flatMap((s, i) =>
    s.region !== undefined && regionKind(s.region) === 'unknown'
      ? [
          {
            path: `systems[${i}].region`,
            message: `"${s.region}" is not an ISO 3166-1 alpha-2 country code or EU / EEA: write the country where the system processes data (DE, IE, US)${/^[a-z]{2}-[a-z]+-\d+$/i.test(s.region) ? ', not a cloud region name' : ''}`,
          },
        ]
      : [],
  );
}
