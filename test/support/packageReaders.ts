import { type ZipFile, fromBufferPromise, openPromise } from 'yauzl';

/** Every entry of a ZIP by name; yauzl refuses unsafe names (absolute, `..`) on its own. */
export async function readZip(source: string | Buffer): Promise<Map<string, Buffer>> {
  const zip: ZipFile =
    typeof source === 'string'
      ? await openPromise(source, { lazyEntries: true })
      : await fromBufferPromise(source, { lazyEntries: true });
  const entries = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks));
  }
  return entries;
}

/**
 * A strict RFC 4180 reader: CRLF line ends, quotes only around whole fields, doubled quotes inside, every row as
 * wide as the header. Anything else throws, so a sloppy writer cannot pass.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`CSV: ${why} at offset ${i}`);
  };
  if (text.length === 0) return rows;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') fail('quote inside an unquoted field');
        field += text[i];
        i += 1;
      }
    }
    row.push(field);
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      i += 2;
      rows.push(row);
      row = [];
      if (i === text.length) break;
      continue;
    }
    if (i >= text.length) fail('last line without CRLF');
    fail('bare line break or stray character after a field');
  }
  const width = rows[0]!.length;
  rows.forEach((cells, n) => {
    if (cells.length !== width) throw new Error(`CSV: row ${n} has ${cells.length} cells, header has ${width}`);
  });
  return rows;
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[\p{L}_][\p{L}\p{N}\p{M}_.\-\u00B7]*/u;
const ENTITY = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;

function decodeEntity(reference: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  if (reference in named) return named[reference]!;
  const code = reference.startsWith('#x') ? parseInt(reference.slice(2), 16) : parseInt(reference.slice(1), 10);
  return String.fromCodePoint(code);
}

/**
 * A minimal XML parser that refuses what a real parser refuses: unbalanced or mismatched tags, invalid names, unknown
 * entities, raw `<` or `&` in text, unquoted or repeated attributes, more than one root, controls XML cannot carry.
 */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`XML: ${why} at offset ${i}: ${JSON.stringify(source.slice(i, i + 40))}`);
  };
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(source)) fail('character XML cannot hold');
  const skipSpace = (): void => {
    while (i < source.length && /[ \t\r\n]/.test(source[i]!)) i += 1;
  };
  const name = (): string => {
    const match = NAME.exec(source.slice(i, i + 200));
    if (!match) fail('invalid name');
    i += match![0].length;
    return match![0];
  };
  const characters = (stop: string): string => {
    let out = '';
    while (i < source.length && !stop.includes(source[i]!)) {
      if (source[i] === '&') {
        const match = ENTITY.exec(source.slice(i, i + 12));
        if (!match) fail('unknown entity');
        out += decodeEntity(match![1]!);
        i += match![0].length;
      } else {
        if (source.startsWith(']]>', i)) fail('"]]>" in text');
        out += source[i];
        i += 1;
      }
    }
    return out;
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected an element');
    i += 1;
    const node: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipSpace();
      if (source.startsWith('/>', i)) {
        i += 2;
        return node;
      }
      if (source[i] === '>') {
        i += 1;
        break;
      }
      if (before === i) fail('attribute without a space before it');
      const attribute = name();
      if (attribute in node.attributes) fail('repeated attribute');
      if (source[i] !== '=' || source[i + 1] !== '"') fail('attribute value must be double-quoted');
      i += 2;
      node.attributes[attribute] = characters('"<');
      if (source[i] !== '"') fail('unterminated attribute');
      i += 1;
    }
    for (;;) {
      node.text += characters('<');
      if (i >= source.length) fail(`unclosed <${node.name}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== node.name) fail(`</${closing}> closes <${node.name}>`);
        skipSpace();
        if (source[i] !== '>') fail('bad end tag');
        i += 1;
        return node;
      }
      node.children.push(element());
    }
  };
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>';
  if (!source.startsWith(declaration)) fail('missing XML declaration');
  i = declaration.length;
  skipSpace();
  const root = element();
  skipSpace();
  if (i !== source.length) fail('content after the root element');
  return root;
}

/** Reads a field element back into the value it was written from, following the package's `type` attributes. */
export function xmlValue(node: XmlElement): unknown {
  switch (node.attributes.type) {
    case undefined:
      if (node.children.length > 0) throw new Error(`XML: text field <${node.name}> has child elements`);
      return node.text;
    case 'null':
      return null;
    case 'number':
      return Number(node.text);
    case 'boolean':
      return node.text === 'true';
    case 'array':
      return node.children.map(xmlValue);
    case 'object':
      return xmlRecord(node);
    default:
      throw new Error(`XML: unknown type ${node.attributes.type}`);
  }
}

/** A `<record>` (or nested object) back to a plain object, using the `key` attribute where a name was changed. */
export function xmlRecord(node: XmlElement): Record<string, unknown> {
  if (node.text.trim() !== '') throw new Error(`XML: stray text in <${node.name}>`);
  return Object.fromEntries(node.children.map((child) => [child.attributes.key ?? child.name, xmlValue(child)]));
}

/** Undoes the package's formula guard: exactly one leading apostrophe comes off a guarded cell. */
export function unguardCsv(cell: string): string {
  return /^'+[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
