import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  CSV_ADDITIONAL_FIELDS,
  writeExportPackage,
  type ExportManifest,
  type RecordSource,
} from '../../../storage/exportPackage/index.js';
import { parseCsv, parseXml, readZip, unguardCsv, xmlRecord } from '../../support/packageReaders.js';

const EXTRACTED_AT = new Date('2026-03-10T12:00:00.000Z');

// eslint-disable-next-line @typescript-eslint/require-await
async function* listed(records: Array<Record<string, unknown>>): AsyncGenerator<Record<string, unknown>> {
  for (const record of records) yield record;
}

function source(system: string, kind: string, records: Array<Record<string, unknown>>, categories?: string[]) {
  return {
    system,
    systemName: `${system} (display)`,
    kind,
    categories,
    records: () => listed(records),
  } satisfies RecordSource;
}

const contacts = [
  { contactid: 'c-1', fullname: 'María García', emailaddress1: 'maria.garcia@example.org', birthdate: null },
  { contactid: 'c-2', fullname: 'Maria Garcia', emailaddress1: 'mgarcia@example.org', birthdate: '1984-02-29' },
];
const activities = Array.from({ length: 250 }, (_, i) => ({
  activityid: `a-${i}`,
  subject: `Call ${i}`,
  durationminutes: i,
  billable: i % 2 === 0,
}));
const customers = [
  { number: 'C10000', name: 'Maria Garcia', balance: 12.5, address: { city: 'Berlin', lines: ['A 1'] } },
];

/** What a record looks like after a trip through a CSV cell: text, with nested values as JSON. */
function asCsvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Reads a package file in every format and checks it holds exactly `records`. */
function checkFormats(
  files: Map<string, Buffer>,
  base: string,
  records: Array<Record<string, unknown>>,
  formats = ['json', 'csv', 'xml'],
): void {
  const json = JSON.parse(files.get(`${base}.json`)!.toString('utf8')) as unknown;
  assert.deepEqual(json, records, `${base}.json`);

  const rows = parseCsv(files.get(`${base}.csv`)!.toString('utf8'));
  if (records.length === 0) assert.deepEqual(rows, []);
  else {
    const [header, ...body] = rows;
    assert.equal(header!.at(-1), CSV_ADDITIONAL_FIELDS);
    assert.equal(body.length, records.length, `${base}.csv rows`);
    body.forEach((cells, n) => {
      const fromCsv: Record<string, string> = {};
      header!.slice(0, -1).forEach((column, c) => {
        if (column in records[n]!) fromCsv[column] = unguardCsv(cells[c]!);
      });
      const late = cells.at(-1) ? (JSON.parse(cells.at(-1)!) as Record<string, unknown>) : {};
      for (const [key, value] of Object.entries(late)) fromCsv[key] = asCsvText(value);
      const expected = Object.fromEntries(Object.entries(records[n]!).map(([key, value]) => [key, asCsvText(value)]));
      assert.deepEqual(fromCsv, expected, `${base}.csv row ${n}`);
    });
  }

  if (!formats.includes('xml')) return;
  const root = parseXml(files.get(`${base}.xml`)!.toString('utf8'));
  assert.equal(root.name, 'records');
  assert.deepEqual(root.children.map(xmlRecord), records, `${base}.xml`);
}

describe('the access/portability package', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-export-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('holds every record per system and kind in JSON, CSV and XML, with a manifest that counts them', async () => {
    const out = join(dir, 'package.zip');
    const result = await writeExportPackage({
      caseId: 'DSR-2026-0007',
      subjectLabel: 'Maria Garcia',
      sources: [
        source('dataverse', 'contact', contacts, ['identity', 'contact details']),
        source('dataverse', 'activity', activities, ['communications']),
        source('businessCentral', 'customer', customers, ['billing']),
      ],
      exclusions: [
        { system: 'Finance and Operations', reason: 'Not connected; the privacy team exports it by hand.' },
        { system: 'Business Central', reason: 'Posted ledger entries are kept for tax law and listed, not exported.' },
      ],
      formats: ['json', 'csv', 'xml'],
      extractedAt: EXTRACTED_AT,
      out,
    });
    const files = await readZip(out);
    assert.equal((await stat(out)).size, result.bytes);
    assert.deepEqual([...files.keys()].sort(), [
      'README.txt',
      'businessCentral/customer.csv',
      'businessCentral/customer.json',
      'businessCentral/customer.xml',
      'columns.csv',
      'dataverse/activity.csv',
      'dataverse/activity.json',
      'dataverse/activity.xml',
      'dataverse/contact.csv',
      'dataverse/contact.json',
      'dataverse/contact.xml',
      'manifest.json',
      'summary.html',
    ]);
    checkFormats(files, 'dataverse/contact', contacts);
    checkFormats(files, 'dataverse/activity', activities);
    checkFormats(files, 'businessCentral/customer', customers);

    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as ExportManifest;
    assert.deepEqual(manifest, result.manifest);
    assert.equal(manifest.caseId, 'DSR-2026-0007');
    assert.equal(manifest.extractedAt, '2026-03-10T12:00:00.000Z');
    assert.equal(manifest.complete, true);
    assert.deepEqual(manifest.formats, ['json', 'csv', 'xml']);
    assert.equal(manifest.totalRecords, 253);
    assert.deepEqual(
      manifest.systems.map((system) => [system.system, system.records, system.kinds.map((kind) => kind.records)]),
      [
        ['dataverse', 252, [2, 250]],
        ['businessCentral', 1, [1]],
      ],
    );
    for (const system of manifest.systems)
      for (const kind of system.kinds)
        for (const file of kind.files) {
          assert.ok(files.has(file.path), file.path);
          assert.equal(file.records, kind.records);
        }
    assert.deepEqual(
      manifest.exclusions.map((exclusion) => exclusion.system),
      ['Finance and Operations', 'Business Central'],
    );

    const summary = files.get('summary.html')!.toString('utf8');
    for (const text of [
      'dataverse (display)',
      'contact details',
      'communications',
      '250',
      'Finance and Operations',
      'Posted ledger entries are kept for tax law',
    ])
      assert.ok(summary.includes(text), `summary shows ${text}`);
  });

  it('keeps quotes, commas, line breaks, markup, unicode and formula-looking text intact in every format', async () => {
    const awkward = [
      {
        'full name': 'O\'Brien, "Mo"\r\nline two\nline three',
        '1st contact': '<script>alert("x")</script> & <b>',
        xmlNote: '=HYPERLINK("http://evil.example","click")',
        'a:b': '+49 30 1234567',
        '': '-1+2',
        émoji: '@SUM(A1) 😀 Zoë Ådahl 山田太郎 שלום',
        '😀': "'=already guarded",
        tabbed: '\tcell',
        nested: { 'quote"key': 'v,"x"', list: ['<a>', 1, null, true, { deep: '=1' }] },
        amount: -12.5,
        flag: false,
        nothing: null,
      },
    ];
    const out = join(dir, 'awkward.zip');
    await writeExportPackage({
      caseId: 'DSR-1',
      subjectLabel: 'Zoë <O\'Brien> & "friends"',
      sources: [source('graph', 'user', awkward, ['<profile> & "directory"'])],
      exclusions: [{ system: 'Social <Engagement>', reason: 'Guided steps: "delete the author" & alert recipients' }],
      formats: ['json', 'csv', 'xml'],
      extractedAt: EXTRACTED_AT,
      out,
    });
    const files = await readZip(out);
    checkFormats(files, 'graph/user', awkward);

    const csv = files.get('graph/user.csv')!.toString('utf8');
    const cells = parseCsv(csv)[1]!;
    for (const guarded of ['=HYPERLINK', '+49', '-1+2', '@SUM', "'=already", '\tcell']) {
      assert.ok(
        cells.some((cell) => cell.startsWith(`'${guarded}`)),
        `a spreadsheet does not run ${JSON.stringify(guarded)}`,
      );
    }
    assert.ok(cells.includes('-12.5'), 'numbers are not guarded');

    const summary = files.get('summary.html')!.toString('utf8');
    assert.ok(!summary.includes("<O'Brien>") && !summary.includes('<Engagement>') && !summary.includes('<profile>'));
    assert.ok(summary.includes('Zoë &lt;O&#39;Brien&gt; &amp; &quot;friends&quot;'));
    assert.ok(summary.includes('Social &lt;Engagement&gt;'));
  });

  it('writes JSON and CSV unless asked otherwise', async () => {
    const out = join(dir, 'default.zip');
    const { manifest } = await writeExportPackage({
      caseId: 'DSR-2',
      subjectLabel: 'Maria Garcia',
      sources: [source('dataverse', 'contact', contacts)],
      extractedAt: EXTRACTED_AT,
      out,
    });
    assert.deepEqual(manifest.formats, ['json', 'csv']);
    assert.deepEqual([...(await readZip(out)).keys()].sort(), [
      'README.txt',
      'columns.csv',
      'dataverse/contact.csv',
      'dataverse/contact.json',
      'manifest.json',
      'summary.html',
    ]);
  });

  it('keeps fields that first appear after the CSV header was written, without changing the header', async () => {
    const records: Array<Record<string, unknown>> = Array.from({ length: 300 }, (_, i) => ({ id: i, name: `n${i}` }));
    records[200] = { id: 200, name: 'n200', mobilephone: '=+1 555', address: { city: 'Köln' } };
    const out = join(dir, 'late.zip');
    await writeExportPackage({
      caseId: 'DSR-3',
      subjectLabel: 'x',
      sources: [source('dataverse', 'contact', records)],
      formats: ['csv', 'json', 'xml'],
      extractedAt: EXTRACTED_AT,
      out,
    });
    const files = await readZip(out);
    checkFormats(files, 'dataverse/contact', records);
    const rows = parseCsv(files.get('dataverse/contact.csv')!.toString('utf8'));
    assert.deepEqual(rows[0], ['id', 'name', CSV_ADDITIONAL_FIELDS]);
    assert.deepEqual(JSON.parse(rows[201]!.at(-1)!), { mobilephone: '=+1 555', address: { city: 'Köln' } });
  });

  it('writes no file for a kind with nothing found, and shows its system with zero records', async () => {
    const out = join(dir, 'empty.zip');
    const { manifest } = await writeExportPackage({
      caseId: 'DSR-4',
      subjectLabel: 'Maria Garcia',
      sources: [source('hr', 'worker', []), source('dataverse', 'contact', contacts)],
      formats: ['json', 'csv', 'xml'],
      extractedAt: EXTRACTED_AT,
      out,
    });
    const files = await readZip(out);
    assert.deepEqual(
      [...files.keys()].filter((name) => name.startsWith('hr/')),
      [],
      'no empty file for a kind with nothing in it',
    );
    for (const [name, content] of files) assert.ok(content.length > 0, `${name} is not empty`);
    assert.deepEqual(manifest.systems[0]!.kinds, []);
    assert.equal(manifest.systems[0]!.records, 0);
    assert.equal(manifest.totalRecords, 2);
    assert.ok(files.get('summary.html')!.toString('utf8').includes('No records about you were found in this system.'));
  });

  it('tells as each system is written, after its last kind, an empty system too', async () => {
    const events: string[] = [];
    const logged = (system: string, kind: string, records: Array<Record<string, unknown>>): RecordSource => ({
      ...source(system, kind, records),
      records: async function* () {
        yield* listed(records);
        events.push(`read ${system} ${kind}`);
      },
    });
    await writeExportPackage({
      caseId: 'DSR-5',
      subjectLabel: 'Maria Garcia',
      sources: [
        logged('dataverse', 'contact', contacts),
        logged('dataverse', 'activity', activities),
        logged('hr', 'worker', []),
        logged('bc', 'customer', customers),
      ],
      extractedAt: EXTRACTED_AT,
      out: join(dir, 'told.zip'),
      onSystemWritten: (system) => {
        events.push(`written ${system}`);
      },
    });
    assert.deepEqual(events, [
      'read dataverse contact',
      'read dataverse activity',
      'written dataverse',
      'read hr worker',
      'written hr',
      'read bc customer',
      'written bc',
    ]);
  });

  it('explains itself to the data subject in their language: a README, the columns by their names, local times', async () => {
    const out = join(dir, 'readable.zip');
    const records = [
      {
        contactid: 'c-1',
        fullname: 'María García',
        _parentcustomerid_value: 'a-1',
        createdon: '2026-03-10T12:00:00Z',
        donotbulkemail: true,
      },
    ];
    await writeExportPackage({
      caseId: 'DSR-7',
      subjectLabel: 'María García',
      sources: [
        {
          ...source('crm', 'contact', records, ['identity', 'contactDetails', 'marketingPreferences']),
          labels: { fullname: 'Full Name', _parentcustomerid_value: 'Company Name', createdon: 'Created On' },
        },
        source('crm', 'note', []),
      ],
      formats: ['json', 'csv'],
      extractedAt: EXTRACTED_AT,
      out,
      language: 'de',
      timeZone: 'Europe/Berlin',
    });
    const files = await readZip(out);
    const readme = files.get('README.txt')!.toString('utf8');
    assert.match(readme, /^Ihre personenbezogenen Daten\r\n/);
    assert.match(readme, /1 Datensatz, zusammengestellt für die Anfrage DSR-7 am 2026-03-10 13:00 Europe\/Berlin/);
    assert.match(readme, /crm\/contact\.json, crm\/contact\.csv: 1 Kontakt \(Identität/);
    assert.match(readme, /Marketing- und Kontaktpräferenzen/);
    assert.match(readme, /columns\.csv: /);
    assert.doesNotMatch(readme, /crm\/note/, 'a kind with nothing found has no file to explain');

    const columns = parseCsv(
      files
        .get('columns.csv')!
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
    assert.deepEqual(columns[0], ['Datei', 'Spalte', 'Bezeichnung im System']);
    const label = (column: string) => columns.find((row) => row[1] === column)?.[2];
    assert.equal(label('_parentcustomerid_value'), 'Company Name');
    assert.equal(label('createdon'), 'Created On');
    assert.equal(label('createdon_localTime'), 'Created On (Ortszeit, Europe/Berlin)');
    // A column no metadata names is still named in words, never left as its key alone.
    assert.equal(label('donotbulkemail'), 'Donotbulkemail');

    const [header, row] = parseCsv(files.get('crm/contact.csv')!.toString('utf8'));
    const at = header!.indexOf('createdon');
    assert.equal(header![at + 1], 'createdon_localTime', 'the local time stands beside the ISO time');
    assert.equal(row![at], '2026-03-10T12:00:00Z');
    assert.equal(row![at + 1], '2026-03-10 13:00:00');

    const summary = files.get('summary.html')!.toString('utf8');
    assert.match(summary, /<html lang="de">/);
    assert.match(summary, /<td>Kontakt<\/td><td>Identität \(Namen, Geburtsdaten\), Kontaktdaten/);
  });

  it('keeps file names inside the package and apart when systems or kinds collide', async () => {
    const out = join(dir, 'names.zip');
    const { manifest } = await writeExportPackage({
      caseId: 'DSR-5',
      subjectLabel: 'x',
      sources: [
        source('../../etc', 'passwd', [{ a: 1 }]),
        source('dataverse', 'Contact', [{ a: 2 }]),
        source('dataverse', 'contact', [{ a: 3 }]),
        source('a/b\\c', '..', [{ a: 4 }]),
      ],
      formats: ['json'],
      extractedAt: EXTRACTED_AT,
      out,
    });
    const paths = manifest.systems.flatMap((system) => system.kinds.flatMap((kind) => kind.files.map((f) => f.path)));
    assert.equal(new Set(paths.map((path) => path.toLowerCase())).size, 4);
    for (const path of paths) assert.match(path, /^[^/.][^/]*\/[^/.][^/]*\.json$/);
    const files = await readZip(out);
    assert.deepEqual(
      paths.map((path) => JSON.parse(files.get(path)!.toString('utf8')) as unknown),
      [[{ a: 1 }], [{ a: 2 }], [{ a: 3 }], [{ a: 4 }]],
    );
  });

  it('streams into a writable, such as a download response', async () => {
    const chunks: Buffer[] = [];
    const target = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await writeExportPackage({
      caseId: 'DSR-6',
      subjectLabel: 'x',
      sources: [source('dataverse', 'contact', contacts)],
      extractedAt: EXTRACTED_AT,
      out: target,
    });
    assert.ok(target.writableFinished);
    const files = await readZip(Buffer.concat(chunks));
    checkFormats(files, 'dataverse/contact', contacts, ['json', 'csv']);
    assert.ok(files.has('manifest.json') && files.has('summary.html'));
  });

  describe('when a system fails midway', () => {
    function failing(after: number): RecordSource {
      return {
        system: 'dataverse',
        systemName: 'Customer Engagement',
        kind: 'activity',
        // eslint-disable-next-line @typescript-eslint/require-await
        records: async function* () {
          for (let i = 0; i < after; i += 1) yield { activityid: `a-${i}`, subject: 'x'.repeat(200) };
          throw new Error('503 from the service');
        },
      };
    }

    it('rejects and leaves neither the package nor any spooled data behind', async () => {
      const out = join(dir, 'broken.zip');
      const spoolDir = join(dir, 'spool');
      await mkdir(spoolDir);
      await assert.rejects(
        writeExportPackage({
          caseId: 'DSR-7',
          subjectLabel: 'x',
          sources: [source('graph', 'user', contacts), failing(5000)],
          formats: ['json', 'csv', 'xml'],
          extractedAt: EXTRACTED_AT,
          out,
          spoolDir,
        }),
        (error: Error) => /dataverse activity failed after 5000 records/.test(error.message),
      );
      assert.deepEqual(await readdir(dir), ['spool']);
      assert.deepEqual(await readdir(spoolDir), []);
    });

    it('leaves no file behind when the very first read fails', async () => {
      const out = join(dir, 'first.zip');
      await assert.rejects(
        writeExportPackage({
          caseId: 'DSR-7',
          subjectLabel: 'x',
          sources: [failing(0), source('graph', 'user', contacts)],
          formats: ['json', 'csv', 'xml'],
          extractedAt: EXTRACTED_AT,
          out,
          spoolDir: dir,
        }),
        /dataverse activity failed after 0 records/,
      );
      assert.deepEqual(await readdir(dir), []);
    });

    it('rejects when the package cannot be written where it was asked to go', async () => {
      await assert.rejects(
        writeExportPackage({
          caseId: 'DSR-7',
          subjectLabel: 'x',
          sources: [source('graph', 'user', contacts)],
          formats: ['json', 'csv'],
          extractedAt: EXTRACTED_AT,
          out: join(dir, 'missing', 'package.zip'),
          spoolDir: dir,
        }),
        { code: 'ENOENT' },
      );
      assert.deepEqual(await readdir(dir), []);
    });

    it('refuses a record that is not an object and options that make no sense, creating nothing', async () => {
      const out = join(dir, 'odd.zip');
      const odd = {
        ...source('graph', 'user', []),
        records: () => listed([{ a: 1 }, [1, 2] as unknown as Record<string, unknown>]),
      };
      await assert.rejects(
        writeExportPackage({
          caseId: 'DSR-7',
          subjectLabel: 'x',
          sources: [odd],
          extractedAt: EXTRACTED_AT,
          out,
          spoolDir: dir,
        }),
        /A record from graph is not an object/,
      );
      await assert.rejects(
        writeExportPackage({
          caseId: 'DSR-7',
          subjectLabel: 'x',
          sources: [],
          formats: ['pdf' as 'json'],
          extractedAt: EXTRACTED_AT,
          out,
        }),
      );
      await assert.rejects(
        writeExportPackage({ caseId: '', subjectLabel: 'x', sources: [], extractedAt: new Date('nope'), out }),
      );
      assert.deepEqual(await readdir(dir), []);
    });

    it('reports a failing target as such and lets the source close', async () => {
      let closed = false;
      let written = 0;
      const full = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          written += chunk.length;
          callback(written > 64 * 1024 ? new Error('no space left on device') : null);
        },
      });
      const many: RecordSource = {
        ...source('dataverse', 'activity', []),
        records: async function* () {
          try {
            for (let i = 0; i < 1_000_000; i += 1) {
              if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
              yield { activityid: `a-${i}`, subject: `Call ${Math.random()}` };
            }
          } finally {
            closed = true;
          }
        },
      };
      await assert.rejects(
        writeExportPackage({
          caseId: 'DSR-7',
          subjectLabel: 'x',
          sources: [many],
          extractedAt: EXTRACTED_AT,
          out: full,
          spoolDir: dir,
        }),
        /no space left on device/,
      );
      assert.ok(closed, 'the source was told to stop');
      assert.deepEqual(await readdir(dir), []);
    });

    it('does not finish a stream target, so a download is not taken for complete', async () => {
      let finished = false;
      const target = new Writable({
        write(_chunk, _encoding, callback) {
          callback();
        },
        final(callback) {
          finished = true;
          callback();
        },
      });
      await assert.rejects(
        writeExportPackage({
          caseId: 'DSR-8',
          subjectLabel: 'x',
          sources: [failing(10)],
          extractedAt: EXTRACTED_AT,
          out: target,
        }),
      );
      assert.equal(finished, false);
      assert.ok(target.destroyed);
    });
  });

  describe('streaming', () => {
    it('stops reading the system while the reader of the package is behind', async () => {
      let pulled = 0;
      let stop = false;
      const endless: RecordSource = {
        system: 'dataverse',
        systemName: 'Customer Engagement',
        kind: 'activity',
        // A real connector waits on the network now and then; this gives timers their turn the same way.
        records: async function* () {
          for (;;) {
            if (stop) throw new Error('cancelled by the test');
            pulled += 1;
            if (pulled % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
            yield { activityid: `a-${pulled}`, subject: 'Call about the order', body: 'y'.repeat(100) };
          }
        },
      };
      const held: Array<() => void> = [];
      const slow = new Writable({
        highWaterMark: 1024,
        write(_chunk, _encoding, callback) {
          held.push(callback);
        },
      });
      const writing = writeExportPackage({
        caseId: 'DSR-9',
        subjectLabel: 'x',
        sources: [endless],
        formats: ['json', 'csv', 'xml'],
        extractedAt: EXTRACTED_AT,
        out: slow,
        spoolDir: dir,
      });
      let before = -1;
      while (before !== pulled && pulled < 50_000) {
        before = pulled;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(pulled > 0 && pulled < 50_000, `reading stopped after ${pulled} records`);
      stop = true;
      for (const callback of held.splice(0)) callback();
      const drain = setInterval(() => held.splice(0).forEach((callback) => callback()), 5);
      await assert.rejects(writing);
      clearInterval(drain);
    });
  });
});
