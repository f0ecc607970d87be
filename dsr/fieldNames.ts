/**
 * Column names as a reader can take them, where the system's published metadata gives no label
 * (Graph's CSDL has none; most Finance and Operations data entity fields have no CDM displayName):
 * the logical name split into words, the Web API's lookup wrapper (`_x_value`) dropped.
 */
export function humanisedColumn(column: string): string {
  const words = column
    .replace(/^_(.+)_value$/, '$1')
    .replace(/^@odata\./, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : column;
}

/**
 * OData control information (`@odata.etag`, `@odata.context`, `x@odata.nextLink`): protocol state,
 * not data about the person (OData JSON Format 4.01, §4.5 "Control Information"), so it stays out
 * of what people read.
 */
export function isControlInformation(key: string): boolean {
  return key.startsWith('@') || key.includes('@odata.');
}

/** ISO 8601 date-times with a zone, as OData's Edm.DateTimeOffset writes them. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
