import { jsonText } from './csv.js';

// XML 1.0 (fifth edition) name characters; ':' is left out so no name is read as a namespace prefix.
const NAME_START =
  'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F' +
  '\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_REST = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
// The classes are the XML spec's ranges, which include joiners and combining marks on purpose.
// eslint-disable-next-line no-misleading-character-class
const VALID_NAME = new RegExp(`^[${NAME_START}][${NAME_REST}]*$`, 'u');
// eslint-disable-next-line no-misleading-character-class
const NOT_NAME_CHAR = new RegExp(`[^${NAME_REST}]`, 'gu');
const START_CHAR = new RegExp(`^[${NAME_START}]`, 'u');
// Names are also kept to letters, digits and marks, so parsers that follow older editions of the spec (stricter about
// which characters a name may use) still read the file.
const PLAIN_NAME = /^[\p{L}_][\p{L}\p{N}\p{M}_.\-\u00B7]*$/u;
const NOT_PLAIN_CHAR = /[^\p{L}\p{N}\p{M}_.\-\u00B7]/gu;
// Characters XML 1.0 cannot carry at all, not even as references (controls, lone surrogates, U+FFFE/FFFF).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const MAX_CACHED_NAMES = 10_000;

/** The element name for a record key, and whether it had to change (then the original goes in a `key` attribute). */
export function elementName(key: string): { name: string; changed: boolean } {
  if (VALID_NAME.test(key) && PLAIN_NAME.test(key) && !/^xml/i.test(key)) return { name: key, changed: false };
  let name = key.replace(NOT_NAME_CHAR, '_').replace(NOT_PLAIN_CHAR, '_');
  if (!START_CHAR.test(name) || !/^[\p{L}_]/u.test(name) || /^xml/i.test(name)) name = `_${name}`;
  return { name, changed: true };
}

/**
 * Escapes text for element content and attributes. Carriage returns and tabs become references because parsers
 * normalise them otherwise; characters XML cannot represent become U+FFFD (the JSON file keeps them exactly).
 */
export function xmlEscape(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"'\r\t\n]/g, (char) => ENTITIES[char] ?? char);
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
  '\t': '&#9;',
  '\n': '&#10;',
};

/**
 * Turns records into one XML document: `<records>` holding a `<record>` per record, a child element per field.
 * Strings are plain text; other values say their JSON type in a `type` attribute so a reader can restore them.
 */
export class XmlEncoder {
  private names = new Map<string, string>();

  constructor(
    private readonly system: string,
    private readonly kind: string,
  ) {}

  begin(): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<records system="${xmlEscape(this.system)}" kind="${xmlEscape(this.kind)}">\n`;
  }

  push(record: Record<string, unknown>): string {
    let out = '<record>';
    for (const key of Object.keys(record)) out += this.field(key, record[key]);
    return `${out}</record>\n`;
  }

  finish(): string {
    return '</records>\n';
  }

  private open(key: string): string {
    const cached = this.names.get(key);
    if (cached !== undefined) return cached;
    const { name, changed } = elementName(key);
    const tag = changed ? `${name} key="${xmlEscape(key)}"` : name;
    if (this.names.size < MAX_CACHED_NAMES) this.names.set(key, tag);
    return tag;
  }

  private field(key: string, value: unknown): string {
    const tag = this.open(key);
    const close = tag.split(' ', 1)[0]!;
    return this.element(tag, close, value);
  }

  private element(tag: string, close: string, value: unknown): string {
    if (typeof value === 'string') return `<${tag}>${xmlEscape(value)}</${close}>`;
    if (value === null || value === undefined) return `<${tag} type="null"/>`;
    if (typeof value === 'number' || typeof value === 'boolean')
      return `<${tag} type="${typeof value}">${String(value)}</${close}>`;
    if (typeof value === 'bigint') return `<${tag} type="number">${value.toString()}</${close}>`;
    if (value instanceof Date) return `<${tag}>${Number.isNaN(value.getTime()) ? '' : value.toISOString()}</${close}>`;
    if (Array.isArray(value)) {
      let out = `<${tag} type="array">`;
      for (const item of value as unknown[]) out += this.element('item', 'item', item);
      return `${out}</${close}>`;
    }
    if (typeof value === 'object') {
      let out = `<${tag} type="object">`;
      for (const [innerKey, inner] of Object.entries(value)) out += this.field(innerKey, inner);
      return `${out}</${close}>`;
    }
    return `<${tag}>${xmlEscape(jsonText(value))}</${close}>`;
  }
}
