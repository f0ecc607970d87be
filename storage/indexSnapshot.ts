import { isAscii } from 'node:buffer';
import { endianness } from 'node:os';
import { crc32 } from 'node:zlib';
import { caseNumber } from '../dsr/case.js';
import type { IndexEntry } from './indexEntry.js';

/**
 * The saved index as one snapshot of every case, in columns rather than one object a case. A
 * hundred thousand objects, or even a hundred thousand strings, cost a start a quarter of a second
 * to parse and as much again to collect; a few long strings and packed numbers are read in a
 * fraction of that and searched as they are. Each column is a line of its own: the ids and the
 * requesters each one JSON string, the numbers as little-endian bytes (each in as few as its
 * column needs, copied as they are into typed arrays: nothing to decode), then what only intake, the purge and kept records need as one JSON line, read
 * from the file at its first use (more than half the bytes, and a start needs none of them). The
 * header gives each line's length and checksums, so a snapshot cut short or damaged is rebuilt,
 * never half read.
 */

/**
 * The strings of a column one after the other in one text, with the position where each ends: one
 * text for a hundred thousand values, and a value made into a string of its own only when asked.
 * Plain ASCII text (ids, Entra object ids) stays the bytes it was read as, one byte a code unit,
 * and is never copied into a string whole; any other text is a string.
 */
export class TextColumn {
  constructor(
    private readonly text: string | Buffer,
    private readonly ends: Numbers,
  ) {}

  get length(): number {
    return this.ends.length;
  }

  at(row: number): string {
    const { text } = this;
    return typeof text === 'string'
      ? text.slice(this.start(row), this.ends[row])
      : text.toString('latin1', this.start(row), this.ends[row]);
  }

  /** The value of `row` against `wanted` in code unit order (as `<` compares strings), negative when before it. */
  compareTo(row: number, wanted: string): number {
    const { text } = this;
    const start = this.start(row);
    const length = this.ends[row]! - start;
    const common = Math.min(length, wanted.length);
    if (typeof text === 'string') {
      for (let i = 0; i < common; i += 1) {
        const difference = text.charCodeAt(start + i) - wanted.charCodeAt(i);
        if (difference !== 0) return difference;
      }
    } else {
      for (let i = 0; i < common; i += 1) {
        const difference = text[start + i]! - wanted.charCodeAt(i);
        if (difference !== 0) return difference;
      }
    }
    return length - wanted.length;
  }

  private start(row: number): number {
    return row === 0 ? 0 : this.ends[row - 1]!;
  }
}

/** The columns serving needs, one value a row, the rows in order of their ids. */
export interface ServingColumns {
  ids: TextColumn;
  versions: Numbers;
  /** `1` for an open case, `0` for another, one character a row. */
  open: string;
  requesters: TextColumn;
  /** The rows in order of their requester, so that one requester's cases are found by halving. */
  byRequester: Numbers;
}

/** The columns only intake, the purge and kept records need, one value a row. */
export interface LaterColumns {
  intakeKeys: string[];
  keys: string[][];
  purge: Array<'started' | 'after' | null>;
  purgeAfter: Array<string | null>;
  keptDueAt: Array<string | null>;
}

const NEWLINE = Buffer.from('\n');

/** The lines after the header, in this order: the serving lines, then the later line. */
const SECTIONS = ['ids', 'requesters', 'idEnds', 'requesterEnds', 'byRequester', 'versions', 'open', 'later'] as const;
type Section = (typeof SECTIONS)[number];
/** The columns of numbers, and the bytes each of their numbers takes: 1, 2 or 4 (unsigned), or 8 (any number). */
type Widths = Record<'idEnds' | 'requesterEnds' | 'byRequester' | 'versions', Width>;
type Width = 1 | 2 | 4 | 8;
const ARRAYS = { 1: Uint8Array, 2: Uint16Array, 4: Uint32Array, 8: Float64Array } as const;
/** A column of numbers as read, in the array its width makes: nothing a row is converted at open. */
export type Numbers = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** The first line of a snapshot: what follows it, so that a line cut short or changed is noticed. */
export interface SnapshotHeader {
  format: string;
  /** The audit trail's sequence number the snapshot brings the index up to. */
  seq: number;
  rows: number;
  /** The highest case number of each year among the rows, so a start need not read every id for it. */
  highest: Record<string, number>;
  /** Bytes of each line after the header, without its newline. */
  sections: Record<Section, number>;
  widths: Widths;
  /** CRC-32 of the serving lines, newlines included. */
  crc32: number;
  /** CRC-32 of the later line, checked when it is read. */
  laterCrc32: number;
}

export interface Snapshot {
  readonly rows: number;
  readonly serving: ServingColumns;
  readonly highest: Readonly<Record<string, number>>;
  /** Reads and parses the later columns; throws when the file no longer holds them as written. */
  later(): LaterColumns;
}

/** Where the lines after a snapshot's header lie, in bytes from the start of the file. */
export interface SnapshotLayout {
  servingStart: number;
  /** The later line's first byte, just after the serving lines' last newline. */
  laterStart: number;
  /** The later line's newline; the journal starts after it. */
  laterEnd: number;
}

/** Code unit order, as the ids and requesters are sorted and searched; never the locale's. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The lines (without their newlines) of a snapshot of these entries, its header first. */
export function snapshotLines(entries: Iterable<IndexEntry>, format: string, seq: number): Buffer[] {
  const rows = [...entries].sort((a, b) => compareText(a.id, b.id));
  const ids = rows.map((entry) => entry.id);
  const requesters = rows.map((entry) => entry.requesterId);
  const byRequester = rows.map((_, row) => row).sort((a, b) => compareText(requesters[a]!, requesters[b]!) || a - b);
  const highest: Record<string, number> = {};
  for (const id of ids) {
    const number = caseNumber(id);
    if (number) highest[number.year] = Math.max(highest[number.year] ?? 0, number.sequence);
  }
  const numbers = {
    idEnds: packed(endsOf(ids)),
    requesterEnds: packed(endsOf(requesters)),
    byRequester: packed(byRequester),
    versions: packed(rows.map((entry) => entry.version)),
  };
  const lines: Record<Section, Buffer> = {
    ids: Buffer.from(JSON.stringify(ids.join(''))),
    requesters: Buffer.from(JSON.stringify(requesters.join(''))),
    idEnds: numbers.idEnds.bytes,
    requesterEnds: numbers.requesterEnds.bytes,
    byRequester: numbers.byRequester.bytes,
    versions: numbers.versions.bytes,
    open: Buffer.from(rows.map((entry) => (entry.open ? '1' : '0')).join(''), 'latin1'),
    later: Buffer.from(JSON.stringify(laterColumnsOf(rows))),
  };
  const serving = SECTIONS.filter((section) => section !== 'later').flatMap((section) => [lines[section], NEWLINE]);
  const sections = Object.fromEntries(SECTIONS.map((section) => [section, lines[section].length]));
  const header: SnapshotHeader = {
    format,
    seq,
    rows: rows.length,
    highest,
    sections: sections as Record<Section, number>,
    widths: {
      idEnds: numbers.idEnds.width,
      requesterEnds: numbers.requesterEnds.width,
      byRequester: numbers.byRequester.width,
      versions: numbers.versions.width,
    },
    crc32: crc32(Buffer.concat(serving)),
    laterCrc32: crc32(lines.later),
  };
  return [Buffer.from(JSON.stringify(header)), ...SECTIONS.map((section) => lines[section])];
}

/** The later columns of these entries, in their order; a row with no entry has none of the fields. */
export function laterColumnsOf(rows: ReadonlyArray<IndexEntry | undefined>): LaterColumns {
  return {
    intakeKeys: rows.map((entry) => entry?.intakeKey ?? ''),
    keys: rows.map((entry) => entry?.keys ?? []),
    purge: rows.map((entry) => entry?.purge ?? null),
    purgeAfter: rows.map((entry) => entry?.purgeAfter ?? null),
    keptDueAt: rows.map((entry) => entry?.keptDueAt ?? null),
  };
}

/** Where the snapshot's lines lie after its header line, which ends at `headerEnd`; nothing when the header says no whole layout. */
export function snapshotLayout(header: SnapshotHeader, headerEnd: number): SnapshotLayout | undefined {
  const { sections } = header;
  if (typeof sections !== 'object' || sections === null) return undefined;
  let at = headerEnd + 1;
  const servingStart = at;
  for (const section of SECTIONS) {
    const length = sections[section];
    if (!Number.isSafeInteger(length) || length < 0) return undefined;
    if (section === 'later') return { servingStart, laterStart: at, laterEnd: at + length };
    at += length + 1;
  }
  return undefined;
}

/**
 * The snapshot of these serving lines (every line from the header's newline to the later line,
 * newlines included), its later line read by `readLater` at the first use; nothing when the lines
 * are not whole or not as they were written.
 */
export function readSnapshot(header: SnapshotHeader, serving: Buffer, readLater: () => Buffer): Snapshot | undefined {
  const { rows, widths, sections } = header;
  if (!Number.isSafeInteger(rows) || rows < 0 || typeof widths !== 'object' || widths === null) return undefined;
  if (crc32(serving) !== header.crc32 || !isHighest(header.highest)) return undefined;
  const lines = {} as Record<Section, Buffer>;
  let at = 0;
  for (const section of SECTIONS) {
    if (section === 'later') break;
    const length = sections[section];
    if (serving[at + length] !== 0x0a) return undefined;
    lines[section] = serving.subarray(at, at + length);
    at += length + 1;
  }
  // As written, so whole and in order; what follows only guards against a writer that went wrong.
  const ids = textColumn(lines.ids, unpacked(lines.idEnds, widths.idEnds, rows));
  const requesters = textColumn(lines.requesters, unpacked(lines.requesterEnds, widths.requesterEnds, rows));
  const byRequester = unpacked(lines.byRequester, widths.byRequester, rows);
  const versions = unpacked(lines.versions, widths.versions, rows);
  const open = lines.open.toString('latin1');
  if (!ids || !requesters || !byRequester || !versions || open.length !== rows) return undefined;
  return {
    rows,
    serving: { ids, versions, open, requesters, byRequester },
    highest: header.highest,
    later: () => {
      const line = readLater();
      if (line.length !== sections.later || crc32(line) !== header.laterCrc32) {
        throw new Error('The case index file no longer holds the snapshot it was opened with');
      }
      return JSON.parse(line.toString('utf8')) as LaterColumns;
    },
  };
}

/** The column of strings in this line (one JSON string), each ending where `ends` says. */
function textColumn(line: Buffer, ends: Numbers | undefined): TextColumn | undefined {
  if (!ends) return undefined;
  let text: unknown;
  // The JSON string of plain ASCII that needs no escape is its text between the quotes, byte for byte.
  if (isAscii(line) && line.indexOf(0x5c) < 0 && line[0] === 0x22 && line.at(-1) === 0x22 && line.length > 1) {
    text = line.subarray(1, line.length - 1);
  } else {
    try {
      text = JSON.parse(line.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  if (!(typeof text === 'string' || Buffer.isBuffer(text)) || (ends.at(-1) ?? 0) !== text.length) return undefined;
  return new TextColumn(text, ends);
}

/** Where each string ends in the strings joined. */
function endsOf(values: readonly string[]): number[] {
  let end = 0;
  return values.map((value) => (end += value.length));
}

/**
 * Numbers as bytes, each in as few as the largest needs (8 for any that is not a whole number
 * below 2³²), little-endian whatever the machine, so that a data folder can move to another.
 */
function packed(numbers: readonly number[]): { width: Width; bytes: Buffer } {
  const largest = numbers.reduce((most, n) => (Number.isInteger(n) && n >= 0 && most >= 0 ? Math.max(most, n) : -1), 0);
  const width: Width = largest < 0 || largest > 0xffffffff ? 8 : largest > 0xffff ? 4 : largest > 0xff ? 2 : 1;
  const array = ARRAYS[width].from(numbers);
  const bytes = Buffer.from(array.buffer, array.byteOffset, array.byteLength);
  return { width, bytes: littleEndian(Buffer.from(bytes), width) };
}

function unpacked(line: Buffer, width: Width, length: number): Numbers | undefined {
  if (!(width in ARRAYS) || line.length !== length * width) return undefined;
  // Copied, since a typed array needs its own alignment; turned round on a big-endian machine.
  const array = new ARRAYS[width](length);
  const bytes = Buffer.from(array.buffer);
  line.copy(bytes);
  littleEndian(bytes, width);
  return array;
}

/** The bytes of each number turned round in place on a big-endian machine, where the file's order is not the machine's. */
function littleEndian(bytes: Buffer, width: Width): Buffer {
  if (endianness() === 'LE' || width === 1) return bytes;
  return width === 8 ? bytes.swap64() : width === 4 ? bytes.swap32() : bytes.swap16();
}

function isHighest(highest: unknown): highest is Record<string, number> {
  return (
    typeof highest === 'object' &&
    highest !== null &&
    Object.values(highest).every((sequence) => Number.isSafeInteger(sequence))
  );
}
