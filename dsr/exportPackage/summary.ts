import type { ExportManifest } from './types.js';
import { counted } from '../counted.js';

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

/** The human-readable side of the package: what was found where, how much, and what is not in it and why. */
export function summaryHtml(manifest: ExportManifest): string {
  const e = htmlEscape;
  const systems = manifest.systems
    .map((system) => {
      const rows = system.kinds
        .map(
          (kind) =>
            `<tr><td>${e(kind.kind)}</td><td>${e(kind.categories.join(', '))}</td><td class="n">${kind.records}</td>` +
            `<td>${kind.files.map((file) => `<code>${e(file.path)}</code>`).join('<br>')}</td></tr>`,
        )
        .join('\n');
      return (
        `<section><h2>${e(system.systemName)}</h2>\n` +
        `<p>${system.records === 0 ? 'No records about you were found in this system.' : `${counted(system.records, 'record')} in total.`}</p>\n` +
        `<table><thead><tr><th>Record kind</th><th>Data categories</th><th>Records</th><th>Files</th></tr></thead>\n` +
        `<tbody>\n${rows}\n</tbody></table></section>`
      );
    })
    .join('\n');
  const exclusions =
    manifest.exclusions.length === 0
      ? '<p>Nothing was left out.</p>'
      : `<ul>\n${manifest.exclusions.map((item) => `<li><strong>${e(item.system)}</strong>: ${e(item.reason)}</li>`).join('\n')}\n</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Your personal data: summary</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; }
</style>
</head>
<body>
<h1>Your personal data: summary</h1>
<p>Prepared for ${e(manifest.subject)} (request ${e(manifest.caseId)}). Data extracted at ${e(manifest.extractedAt)}.</p>
<p>This package holds ${counted(manifest.totalRecords, 'record')} from ${counted(manifest.systems.length, 'system')}, as ${e(manifest.formats.map((f) => f.toUpperCase()).join(', '))} files. <code>manifest.json</code> lists every file with its record count.</p>
${systems}
<section><h2>Not included</h2>
${exclusions}
</section>
</body>
</html>
`;
}
