import type { ExportManifest } from './types.js';
import { kindName } from '../../dsr/recordKinds.js';
import { categoryWords, localAndIso, type PackageTexts } from './readme.js';

export function htmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char] ?? char);
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The human-readable side of the package, in the data subject's language: what was found where,
 * how much, which categories of data, and what is not in it and why.
 */
export function summaryHtml(manifest: ExportManifest, { t, timeZone }: PackageTexts): string {
  const e = htmlEscape;
  const systems = manifest.systems
    .map((system) => {
      const rows = system.kinds
        .map(
          (kind) =>
            `<tr><td>${e(kindName(t, kind.kind))}</td><td>${e(categoryWords(t, kind.categories))}</td><td class="n">${kind.records}</td>` +
            `<td>${kind.files.map((file) => `<code>${e(file.path)}</code>`).join('<br>')}</td></tr>`,
        )
        .join('\n');
      return (
        `<section><h2>${e(system.systemName)}</h2>\n` +
        `<p>${e(system.records === 0 ? t('package.summary.nothingFound') : t('package.summary.systemTotal', { count: system.records }))}</p>\n` +
        (system.kinds.length === 0
          ? ''
          : `<table><thead><tr><th>${e(t('package.summary.kind'))}</th><th>${e(t('package.summary.categories'))}</th><th>${e(t('package.summary.records'))}</th><th>${e(t('package.summary.files'))}</th></tr></thead>\n` +
            `<tbody>\n${rows}\n</tbody></table>`) +
        `</section>`
      );
    })
    .join('\n');
  const exclusions =
    manifest.exclusions.length === 0
      ? `<p>${e(t('package.summary.nothingLeftOut'))}</p>`
      : `<ul>\n${manifest.exclusions.map((item) => `<li><strong>${e(item.system)}</strong>: ${e(item.reason)}</li>`).join('\n')}\n</ul>`;
  const title = e(t('package.summary.title'));
  return `<!DOCTYPE html>
<html lang="${e(t('package.summary.lang'))}">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; }
</style>
</head>
<body>
<h1>${title}</h1>
<p>${e(t('package.summary.preparedFor', { subject: manifest.subject, caseId: manifest.caseId, extracted: localAndIso(manifest.extractedAt, timeZone) }))}</p>
<p>${e(t('package.summary.holds', { records: t('package.summary.recordCount', { count: manifest.totalRecords }), systems: t('package.summary.systemCount', { count: manifest.systems.length }), formats: manifest.formats.map((f) => f.toUpperCase()).join(', ') }))}</p>
${systems}
<section><h2>${e(t('package.summary.notIncluded'))}</h2>
${exclusions}
</section>
</body>
</html>
`;
}
