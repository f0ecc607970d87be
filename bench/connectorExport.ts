import { execFile } from 'node:child_process';
import { EVERY_RECORD } from '../dsr/matching.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { entitySchema } from '../connectors/describe.js';
import { DescribedConnector, type Row, type Source } from '../connectors/engine.js';
import { CUSTOMER_ENGAGEMENT } from '../connectors/systems/customerEngagement.js';
import { KIND_CATEGORIES } from '../connectors/systems/index.js';
import { writeExportPackage } from '../storage/exportPackage/index.js';
import { report, round } from './measure.js';

const MB = 1024 * 1024;
const PAGE = 5000;
const CONTACT = '0c0c0000-0000-4000-8000-000000000001';

interface Figure {
  records: number;
  seconds: number;
  peakRssMb: number;
}

/** A system answering in pages, as Dataverse does: one contact, and `count` activities regarding it. */
function pagedSource(count: number): Source {
  return {
    dialect: { wildcardEq: false, tolower: false },
    scopes: () => Promise.resolve(['https://crm.bench/']),
    async *collection(_scope, entitySet) {
      if (entitySet === 'contacts') {
        yield [{ contactid: CONTACT, fullname: 'Maria Garcia', emailaddress1: 'maria@bench.example' }];
        return;
      }
      for (let start = 0; start < count; start += PAGE) {
        const page: Row[] = [];
        for (let i = start; i < Math.min(count, start + PAGE); i++) {
          page.push({
            activityid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
            subject: `Follow-up on order SO-${100000 + i}`,
            createdon: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
            _regardingobjectid_value: CONTACT,
          });
        }
        // The network's pause between pages, so timers (and the memory sampler) run.
        await new Promise((resolve) => setImmediate(resolve));
        yield page;
      }
    },
    // The bench's entities use no navigation.
    navigation: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
    }),
  };
}

async function child(count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dsr-bench-connector-export-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const connector = new DescribedConnector({
      info: { id: 'crm', displayName: 'Customer Engagement', capabilities: ['find', 'export'], manualSteps: {} },
      metadata: CUSTOMER_ENGAGEMENT.metadata,
      categories: KIND_CATEGORIES,
      ...(CUSTOMER_ENGAGEMENT.labels ? { labels: CUSTOMER_ENGAGEMENT.labels } : {}),
      entities: [
        entitySchema.parse({
          kind: 'contact',
          entitySet: 'contacts',
          key: 'contactid',
          match: [{ field: 'emailaddress1', by: 'email' }],
          show: ['fullname'],
          operations: { export: true },
        }),
        entitySchema.parse({
          kind: 'activity',
          entitySet: 'activitypointers',
          key: 'activityid',
          related: { to: 'contact', field: '_regardingobjectid_value' },
          show: ['subject'],
          operations: { export: true },
        }),
      ],
      source: pagedSource(count),
      timeoutMs: 600_000,
    });
    const started = process.hrtime.bigint();
    const query = { names: [], emails: ['maria@bench.example'], phones: [], customerNumbers: [], employeeIds: [] };
    const kinds = await connector.exportRecords(query, EVERY_RECORD);
    const { manifest } = await writeExportPackage({
      caseId: 'DSR-BENCH',
      subjectLabel: 'Maria Garcia',
      sources: kinds.map((k) => ({
        system: 'crm',
        systemName: 'Customer Engagement',
        kind: k.kind,
        records: k.records,
      })),
      extractedAt: new Date(),
      out: join(dir, 'package.zip'),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const figure: Figure = { records: manifest.totalRecords, seconds, peakRssMb: peak / MB };
    process.stdout.write(`${JSON.stringify(figure)}\n`);
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(count: number): Promise<Figure> {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), String(count)], {
    maxBuffer: MB,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Figure;
}

/** The package step's path: the engine pages the person's records straight into the package. */
export async function connectorExport(small: number, large: number): Promise<void> {
  const few = await measure(small);
  const many = await measure(large);
  report({
    figure: 'connector-export',
    [`recordsPerSecond${small}`]: Math.round(few.records / few.seconds),
    [`recordsPerSecond${large}`]: Math.round(many.records / many.seconds),
    [`peakRssMb${small}`]: round(few.peakRssMb, 1),
    [`peakRssMb${large}`]: round(many.peakRssMb, 1),
    peakRssRatio: round(many.peakRssMb / few.peakRssMb, 2),
    target: `peak RSS for ${large} records under 300 MB`,
    met: many.peakRssMb < 300,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await child(Number(process.argv[2]));
}
