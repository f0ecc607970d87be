import type { TFunction } from 'i18next';

/**
 * A record kind in words a person reads ("email participant", "sales invoice"), for the findings
 * card and the package alike; the words are in `locales/<language>/findings.json` under
 * `findings.kind.<kind>` (counted) and `…_name` (the kind alone). An organisation's own kinds,
 * which no catalogue knows, keep the name they were given.
 */
function kindKey(kind: string): string {
  return `findings.kind.${kind.replace(/[^a-z0-9]+/gi, '_').replace(/^_+|_+$/g, '')}`;
}

/** "sales invoice". */
export function kindName(t: TFunction, kind: string): string {
  return t(`${kindKey(kind)}_name`, { defaultValue: kind });
}

/** "3 sales invoices". */
export function kindCount(t: TFunction, kind: string, count: number): string {
  return t(kindKey(kind), { count, defaultValue: `${count} ${kind}` });
}
