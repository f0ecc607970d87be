import { caseUpdate } from './caseUpdate.js';
import { connectorExport } from './connectorExport.js';
import { discovery } from './discovery.js';
import { exportPackage } from './exportPackage.js';
import { turnLatency } from './turnLatency.js';

// `npm run bench` runs every figure; `npm run bench -- turns`, `-- updates`, `-- discovery` or `-- export` runs one.
const only = process.argv[2];
const quick = process.env.BENCH_QUICK === '1';

if (!only || only === 'turns') await turnLatency(quick ? 50 : 300);
if (!only || only === 'updates') await caseUpdate(200, quick ? 2000 : 20000, quick ? 50 : 300);
if (!only || only === 'discovery') await discovery(quick ? 3 : 7, 10_000);
if (!only || only === 'export') await exportPackage(10_000, quick ? 100_000 : 1_000_000);
if (!only || only === 'connector-export') await connectorExport(10_000, quick ? 100_000 : 1_000_000);
