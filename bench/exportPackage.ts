import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { writeExportPackage } from '../storage/exportPackage/index.js';
import { report, round } from './measure.js';

const MB = 1024 * 1024;

interface ChildFigure {
  records: number;
  seconds: number;
  peakRssMb: number;
  zipMb: number;
}

/** Activity-like records, made one at a time so the only copy of a million records is the one in the ZIP. */
async function* activities(count: number): AsyncGenerator<Record<string, unknown>> {
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < count; i += 1) {
    yield {
      activityid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      activitytypecode: i % 3 === 0 ? 'email' : i % 3 === 1 ? 'phonecall' : 'task',
      subject: `Follow-up on order SO-${100000 + i}, "priority" ${i % 5}`,
      description: i % 10 === 0 ? 'Customer asked about delivery.\nCall back on Monday.' : null,
      createdon: new Date(start + i * 60_000).toISOString(),
      actualdurationminutes: i % 90,
      statecode: i % 2,
      regardingobjectid: { id: 'c-1', logicalname: 'contact' },
    };
    // A real connector waits on the network between pages; without this the generator never lets a timer run.
    if (i % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Runs in its own process so one size's peak memory cannot show up in the other's figure. */
async function child(count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'dsr-bench-export-'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const started = process.hrtime.bigint();
    const { bytes } = await writeExportPackage({
      caseId: 'DSR-BENCH',
      subjectLabel: 'Maria Garcia',
      sources: [
        { system: 'dataverse', systemName: 'Customer Engagement', kind: 'activity', records: () => activities(count) },
      ],
      extractedAt: new Date(),
      out: join(dir, 'package.zip'),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    // The kernel's high-water mark catches peaks between samples; ru_maxrss is in kilobytes on Linux.
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    const figure: ChildFigure = { records: count, seconds, peakRssMb: peak / MB, zipMb: bytes / MB };
    process.stdout.write(`${JSON.stringify(figure)}\n`);
  } finally {
    clearInterval(sampler);
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(count: number): Promise<ChildFigure> {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(import.meta.url), String(count)], {
    maxBuffer: MB,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildFigure;
}

/** Export of one person with `large` records in one system against `small` records: throughput and peak memory. */
export async function exportPackage(small: number, large: number): Promise<void> {
  const few = await measure(small);
  const many = await measure(large);
  report({
    figure: 'export-package',
    formats: 'json+csv',
    [`recordsPerSecond${small}`]: Math.round(few.records / few.seconds),
    [`recordsPerSecond${large}`]: Math.round(many.records / many.seconds),
    [`peakRssMb${small}`]: round(few.peakRssMb, 1),
    [`peakRssMb${large}`]: round(many.peakRssMb, 1),
    [`zipMb${large}`]: round(many.zipMb, 1),
    [`seconds${large}`]: round(many.seconds, 1),
    target: `peak RSS for ${large} records under 300 MB`,
    met: many.peakRssMb < 300,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await child(Number(process.argv[2]));
}
