import assert from 'node:assert/strict';
import { translator } from '../../i18n/index.js';
import { summaryHtml } from '../../storage/exportPackage/summary.js';
import type { ExportManifest } from '../../storage/exportPackage/types.js';

/** The words a person reads about one record, one system, one day: in the singular. */
describe('counts worded in their number', () => {
  const manifest = (records: number, systems: number): ExportManifest => ({
    packageFormat: 'dsr-export/1',
    caseId: 'DSR-2026-0001',
    subject: 'Maria Garcia',
    extractedAt: '2026-03-05T10:00:00Z',
    formats: ['json'],
    complete: true,
    totalRecords: records,
    systems: Array.from({ length: systems }, (_, i) => ({
      system: `s${i}`,
      systemName: `System ${i}`,
      records: i === 0 ? records : 0,
      kinds: [],
    })),
    exclusions: [],
    conventions: { json: '', csv: '', xml: '' },
  });

  const english = { t: translator('en'), timeZone: 'UTC' };

  it("says '1 record from 1 system' in the package's summary", () => {
    const one = summaryHtml(manifest(1, 1), english);
    assert.match(one, /This package holds 1 record from 1 system,/);
    assert.match(one, /<p>1 record in total\.<\/p>/);
    assert.match(summaryHtml(manifest(3, 2), english), /This package holds 3 records from 2 systems,/);
  });
});
