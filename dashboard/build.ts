/**
 * Bundles the dashboard page (TypeScript, the Teams SDK, the charts and Fluent UI) into the two
 * files the bot serves, so a tab never loads anything from elsewhere. Run by `npm run build`.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: { dashboard: 'dashboard/page/main.ts' },
  outdir: 'dist/dashboard/assets',
  bundle: true,
  format: 'esm',
  // The Teams SDK is a chunk of its own, loaded only when the page runs inside Teams.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  logLevel: 'warning',
});
