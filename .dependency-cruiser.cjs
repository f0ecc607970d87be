/**
 * The layers, enforced: `npm run lint` (and so `npm test`) fails on an import that crosses them the
 * wrong way. Dependencies point inward: app -> teams -> cards -> dsr; storage -> dsr and
 * connectors -> dsr (adapters implement the ports dsr/ports/ declares). The README's layout table
 * says what each folder holds. test/lint/layers.test.ts proves each rule refuses a wrong import.
 *
 * dependency-cruiser rather than ESLint's no-restricted-imports: it sees type-only imports too, it
 * finds import cycles across the whole graph, and one rule names a folder on both sides, where
 * no-restricted-imports would need a pattern per relative depth.
 */
const BOT_SDK = '^(botbuilder|botbuilder-[a-z-]+|botframework-[a-z-]+|restify)$';
const STORAGE_DRIVERS = '^(pg|lowdb|lowdb/.+)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'Modules that import each other, even for types only, cannot be understood or moved one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment:
        'dsr/ is the domain: it imports neither the bot SDK, nor storage, nor cards, nor any outer layer. ' +
        'Adapters implement its ports (dsr/ports/) instead.',
      severity: 'error',
      from: { path: '^dsr/', pathNot: '^dsr/runs/' },
      to: { path: '^(app|teams|cards|storage|connectors|sandbox|local|scripts|dashboard|manifest|bench|test)/' },
    },
    {
      name: 'runs-write-packages-only',
      comment:
        'dsr/runs/ holds the workflows: besides the domain they use the export package writer (storage/exportPackage/), ' +
        'which streams a package to its file; nothing else outside the domain.',
      severity: 'error',
      from: { path: '^dsr/runs/' },
      to: {
        path: '^(app|teams|cards|storage|connectors|sandbox|local|scripts|dashboard|manifest|bench|test)/',
        pathNot: '^storage/exportPackage/',
      },
    },
    {
      name: 'domain-without-sdk-or-drivers',
      comment: 'The Bot Framework SDK is in maintenance: its successor must be a swap of teams/, not of the domain.',
      severity: 'error',
      from: { path: '^(dsr|cards|storage|connectors)/' },
      to: { path: BOT_SDK },
    },
    {
      name: 'drivers-only-in-storage',
      comment: 'Only storage/ (and the composition root) speaks to a database or file store library.',
      severity: 'error',
      from: { path: '^(dsr|cards|teams|connectors)/' },
      to: { path: STORAGE_DRIVERS },
    },
    {
      name: 'cards-render-only',
      comment: 'cards/ renders what the domain says: it imports no storage, no Teams glue, no connectors.',
      severity: 'error',
      from: { path: '^cards/' },
      to: { path: '^(app|teams|storage|connectors|sandbox|local|scripts)/' },
    },
    {
      name: 'teams-below-app',
      comment: 'teams/ is given what it needs by the composition root (app/); it never reaches back into it.',
      severity: 'error',
      from: { path: '^teams/' },
      to: { path: '^(app|storage|sandbox|local|scripts)/' },
    },
    {
      name: 'adapters-below-teams',
      comment: "storage/ and connectors/ implement the domain's ports; they know nothing of Teams, cards or the app.",
      severity: 'error',
      from: { path: '^(storage|connectors)/' },
      to: { path: '^(app|teams|cards|sandbox|local|scripts)/' },
    },
    {
      name: 'i18n-is-a-leaf',
      comment:
        'i18n/ loads the message catalogues; every layer may use it (the domain for its messages, storage for the ' +
        "package's README), so it imports nothing of ours.",
      severity: 'error',
      from: { path: '^i18n/' },
      to: { path: '^(app|teams|cards|dsr|storage|connectors|sandbox|local|scripts|dashboard)/' },
    },
    {
      name: 'sandbox-only-for-local-runs',
      comment:
        "The sandbox stands in for Microsoft's services in a local run: only local/, scripts/, benchmarks and tests " +
        'may import it, so the production host never loads it.',
      severity: 'error',
      from: { pathNot: '^(sandbox|local|scripts|bench|test)/' },
      to: { path: '^(sandbox|local)/' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|dashboard/page)/' },
  },
};
