import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractRequest, type Extraction } from '../dsr/intake/extract.js';
import { fold } from '../dsr/intake/normalise.js';

/** The labelled corpus in bench/corpus (see its README for the format). */
export interface CorpusMessage {
  id: string;
  split: 'dev' | 'heldout';
  /** The file's language, or "none" for the messages that are not requests. */
  group: string;
  from: string | undefined;
  subject: string | undefined;
  contentType: 'html' | 'text';
  labels: CorpusLabels;
  body: string;
}

export interface CorpusLabels {
  isRequest: boolean;
  rights?: string[];
  emails?: string[];
  name?: string | null;
  customerNumber?: string;
  orderNumber?: string;
  employeeNumber?: string;
  phone?: string;
  regulations?: string[];
  language?: string;
}

/** The corpus folder in the source tree, from both bench/ and dist/bench/. */
export function corpusDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes(`${join('dist', 'bench')}`) ? join(here, '..', '..', 'bench', 'corpus') : join(here, 'corpus');
}

export function loadCorpus(dir = corpusDir()): CorpusMessage[] {
  const messages: CorpusMessage[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => /^(dev|heldout)-\w+\.txt$/.test(name))
    .sort()) {
    const [split, group] = file.replace(/\.txt$/, '').split('-') as ['dev' | 'heldout', string];
    const text = readFileSync(join(dir, file), 'utf8');
    for (const chunk of text.split(/^=== /m).slice(1)) {
      const [head, ...rest] = chunk.split(/^---$/m);
      const lines = head!.split('\n');
      const header = (key: string) =>
        lines
          .find((line) => line.startsWith(`${key}:`))
          ?.slice(key.length + 1)
          .trim() || undefined;
      messages.push({
        id: lines[0]!.trim(),
        split,
        group,
        from: header('from'),
        subject: header('subject'),
        contentType: header('type') === 'html' ? 'html' : 'text',
        labels: JSON.parse(header('labels') ?? '{}') as CorpusLabels,
        body: rest.join('---').replace(/^\n/, ''),
      });
    }
  }
  return messages;
}

function parseFrom(from: string | undefined): { name?: string; address?: string } | undefined {
  if (!from) return undefined;
  const angle = /^(.*?)\s*<([^>]+)>$/.exec(from);
  return angle ? { name: angle[1]!.replace(/"/g, '') || undefined, address: angle[2]! } : { address: from };
}

export const COMPANY_DOMAINS = ['example.com'];

export function extractCorpusMessage(message: CorpusMessage): Extraction {
  return extractRequest({
    body: message.body,
    contentType: message.contentType,
    subject: message.subject,
    from: parseFrom(message.from),
    ownDomains: COMPANY_DOMAINS,
  });
}

export const FIELDS = [
  'rights',
  'emails',
  'name',
  'customerNumber',
  'orderNumber',
  'employeeNumber',
  'phone',
  'regulations',
  'language',
] as const;
export type Field = (typeof FIELDS)[number];

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

const digits = (value: string) => value.replace(/\D/g, '').replace(/^00/, '');
const same = (a: string, b: string) => fold(a).replace(/\s+/g, ' ').trim() === fold(b).replace(/\s+/g, ' ').trim();

function predicted(extraction: Extraction, field: Field): string[] {
  switch (field) {
    case 'rights':
      return extraction.rights.map((s) => s.value);
    case 'emails':
      return extraction.emails.map((s) => s.value);
    case 'name':
      return extraction.name ? [extraction.name.value] : [];
    case 'customerNumber':
      return extraction.customerNumbers.slice(0, 1).map((s) => s.value);
    case 'orderNumber':
      return extraction.orderNumbers.slice(0, 1).map((s) => s.value);
    case 'employeeNumber':
      return extraction.employeeNumbers.slice(0, 1).map((s) => s.value);
    case 'phone':
      return extraction.phones.slice(0, 1).map((s) => s.value);
    case 'regulations':
      return extraction.regulations.map((s) => s.value);
    case 'language':
      return [extraction.language.code ?? extraction.language.detected];
  }
}

function expected(labels: CorpusLabels, field: Field): string[] {
  const value = labels[field];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** Counts one field of one message: set overlap, compared as a person would (case, accents, phone digits). */
export function score(extraction: Extraction, labels: CorpusLabels, field: Field): Counts {
  const got = predicted(extraction, field);
  const want = expected(labels, field);
  const equal = field === 'phone' ? (a: string, b: string) => digits(a) === digits(b) : same;
  const tp = got.filter((value) => want.some((label) => equal(value, label))).length;
  return { tp, fp: got.length - tp, fn: want.filter((label) => !got.some((value) => equal(value, label))).length };
}

export function f1(counts: Counts): { precision: number; recall: number; f1: number } {
  const precision = counts.tp + counts.fp === 0 ? 1 : counts.tp / (counts.tp + counts.fp);
  const recall = counts.tp + counts.fn === 0 ? 1 : counts.tp / (counts.tp + counts.fn);
  return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}
