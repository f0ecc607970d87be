import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { AppManifestUtils } from '@microsoft/app-manifest';
import type { TeamsManifestV1D30 } from '@microsoft/app-manifest';
import { PNG } from 'pngjs';
import { ZipFile } from 'yazl';
import { z } from 'zod';
import { COLOR_SIZE, OUTLINE_SIZE } from './drawIcons.js';
import { iconsDir, isMain, projectRoot, templatePath } from './paths.js';

/** The manifest version the template is written against; the type follows it. */
export type DsrManifest = TeamsManifestV1D30.TeamsManifestV1D30;

/** Limits Teams documents for bot commands but the JSON schema does not enforce (it allows 12 commands of 128/4000). */
export const COMMAND_LIMITS = { perScope: 10, title: 32, description: 128 } as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The schema only caps `version` at 256 characters although it asks for semver; this is the numeric
// MAJOR.MINOR.PATCH form of the schema's own `semver` definition, so pre-release and build suffixes are refused.
const APP_VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

// Stand-ins that let a developer build and sideload at once; publishing to an organisation's catalog needs real ones.
export const DEFAULTS = {
  DSR_DEVELOPER_NAME: 'DSR Assistant',
  DSR_DEVELOPER_URL: 'https://example.com/dsr-assistant',
  DSR_PRIVACY_URL: 'https://example.com/dsr-assistant/privacy',
  DSR_TERMS_URL: 'https://example.com/dsr-assistant/terms',
} as const;

const blankAsUnset = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const httpsUrl = (fallback: string) =>
  blankAsUnset.pipe(
    z
      .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'an https URL with a domain name' })
      .default(fallback),
  );

function configSchema(packageVersion: string) {
  return z.object({
    MicrosoftAppId: blankAsUnset.pipe(
      z
        .string({ error: "the bot's Microsoft Entra application (client) ID, a GUID" })
        .regex(GUID, "the bot's Microsoft Entra application (client) ID, a GUID"),
    ),
    DSR_APP_VERSION: blankAsUnset.pipe(
      z.string().regex(APP_VERSION, 'a version MAJOR.MINOR.PATCH such as 1.4.0').default(packageVersion),
    ),
    DSR_DEVELOPER_NAME: blankAsUnset.pipe(
      z.string().max(32, 'a name of at most 32 characters').default(DEFAULTS.DSR_DEVELOPER_NAME),
    ),
    DSR_DEVELOPER_URL: httpsUrl(DEFAULTS.DSR_DEVELOPER_URL),
    DSR_PRIVACY_URL: httpsUrl(DEFAULTS.DSR_PRIVACY_URL),
    DSR_TERMS_URL: httpsUrl(DEFAULTS.DSR_TERMS_URL),
    // The dashboard tab's pages and its single sign-on resource live at the bot's own address.
    DSR_PUBLIC_URL: blankAsUnset.pipe(
      z.url({
        protocol: /^https$/,
        hostname: z.regexes.domain,
        error: 'the https address the bot is reached at, such as https://dsr.contoso.com',
      }),
    ),
  });
}

/** The host part of DSR_PUBLIC_URL, for the Application ID URI (api://<host>/botid-<app id>) and validDomains. */
function withHost<T extends { DSR_PUBLIC_URL: string }>(config: T): T & { DSR_PUBLIC_HOST: string } {
  const url = config.DSR_PUBLIC_URL.replace(/\/+$/, '');
  return { ...config, DSR_PUBLIC_URL: url, DSR_PUBLIC_HOST: new URL(url).host };
}

/** Keyed by the environment variable names, which are also the template's placeholder names. */
export type PackageConfig = ReturnType<typeof withHost<z.output<ReturnType<typeof configSchema>>>>;

/** Bad configuration: each problem names the variable, what it should be and what it was. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The Teams app package cannot be built:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A manifest or icon that Teams would refuse; nothing is written. */
export class PackageError extends Error {
  constructor(readonly problems: string[]) {
    super(`The Teams app package is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PackageError';
  }
}

export function readPackageVersion(root: string = projectRoot()): string {
  const pkg = z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')));
  return pkg.version;
}

export function loadConfig(
  env: Record<string, string | undefined>,
  packageVersion: string = readPackageVersion(),
): PackageConfig {
  const parsed = configSchema(packageVersion).safeParse(env);
  if (parsed.success) return withHost(parsed.data);
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'configuration');
      const value = env[variable];
      const shown = value === undefined || value.trim() === '' ? 'not set' : `got "${value}"`;
      return `${variable}: expected ${issue.message.replace(/^Invalid input: /, '')} (${shown})`;
    }),
  );
}

/** The optional variables left unset, so the command line can say which stand-ins went into the package. */
export function defaultedVariables(env: Record<string, string | undefined>): Array<keyof typeof DEFAULTS> {
  return (Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>).filter((name) => !env[name]?.trim());
}

export function readTemplate(path: string = templatePath()): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Fills the template's `${{NAME}}` placeholders from the configuration. Substitution happens on parsed strings,
 * not on the JSON text, so a quote in a developer name cannot break the document. The result is not yet validated.
 */
export function renderManifest(config: PackageConfig, template: unknown = readTemplate()): DsrManifest {
  const values: Record<string, string> = { ...config };
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string) => {
        if (!Object.hasOwn(values, name)) throw new Error(`The manifest template uses ${whole}, which has no setting`);
        return values[name]!;
      });
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fill(value)]));
    }
    return node;
  };
  return fill(template) as DsrManifest;
}

const schemaUrl = (manifestVersion: string): string =>
  `https://developer.microsoft.com/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`;

/**
 * Whether @microsoft/app-manifest ships this schema version. Its validator downloads schemas it does not ship;
 * checking first keeps packaging offline and its result independent of the network.
 */
function isSchemaShipped(manifestVersion: string): boolean {
  if (!/^\d+\.\d+$/.test(manifestVersion)) return false;
  const packageDir = dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest'));
  return existsSync(join(packageDir, 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json'));
}

function checkLength(problems: string[], where: string, text: string | undefined, max: number): void {
  if (text === undefined || text.trim() === '') problems.push(`${where} is empty`);
  else if (text.length > max) problems.push(`${where} "${text}" has ${text.length} characters; Teams allows ${max}`);
}

function checkBot(manifest: DsrManifest): string[] {
  const problems: string[] = [];
  const bots = manifest.bots ?? [];
  if (bots.length !== 1) return [`bots: the app is a bot, so it needs exactly one bot entry (found ${bots.length})`];
  const bot = bots[0]!;
  const perScope = new Map<string, string[]>();
  (bot.commandLists ?? []).forEach((list, i) => {
    for (const scope of list.scopes) {
      if (!bot.scopes.includes(scope)) {
        problems.push(`bots[0].commandLists[${i}] lists commands for "${scope}", a scope the bot is not installed in`);
      }
    }
    list.commands.forEach((command, j) => {
      const where = `bots[0].commandLists[${i}].commands[${j}]`;
      checkLength(problems, `${where}.title`, command.title, COMMAND_LIMITS.title);
      checkLength(problems, `${where}.description`, command.description, COMMAND_LIMITS.description);
      for (const scope of list.scopes) perScope.set(scope, [...(perScope.get(scope) ?? []), command.title]);
    });
  });
  for (const [scope, titles] of perScope) {
    if (titles.length > COMMAND_LIMITS.perScope) {
      problems.push(
        `bots[0].commandLists: ${titles.length} commands for "${scope}"; Teams shows at most ${COMMAND_LIMITS.perScope}`,
      );
    }
    const repeated = titles.filter((title, k) => titles.indexOf(title) !== k);
    if (repeated.length > 0) problems.push(`bots[0].commandLists: "${scope}" repeats ${repeated.join(', ')}`);
  }
  return problems;
}

/**
 * Checks the manifest against the official JSON schema for its version, shipped with @microsoft/app-manifest,
 * and against the rules Teams documents but the schema leaves out. Returns the problems; empty means valid.
 */
export async function validateManifest(manifest: DsrManifest): Promise<string[]> {
  const problems: string[] = [];
  const version = String(manifest.manifestVersion);
  if (!isSchemaShipped(version)) {
    problems.push(`manifestVersion ${version}: no schema for it ships with @microsoft/app-manifest`);
  } else {
    if (manifest.$schema !== schemaUrl(version)) problems.push(`$schema should be ${schemaUrl(version)}`);
    const schema = await AppManifestUtils.fetchSchema(schemaUrl(version));
    const errors = await AppManifestUtils.validateAgainstSchema(manifest, schema);
    problems.push(...errors.map((error) => `schema: ${error.trim()}`));
  }
  const unfilled = JSON.stringify(manifest).match(PLACEHOLDER);
  if (unfilled !== null) problems.push(`placeholders left unfilled: ${[...new Set(unfilled)].join(', ')}`);
  if (typeof manifest.version === 'string' && !APP_VERSION.test(manifest.version)) {
    problems.push(`version "${manifest.version}" should be MAJOR.MINOR.PATCH, numbers only`);
  }
  problems.push(...checkBot(manifest));
  return problems;
}

export interface IconFiles {
  color: string;
  outline: string;
}

async function readPng(path: string, problems: string[], label: string): Promise<PNG | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    problems.push(`${label}: missing`);
    return undefined;
  }
  try {
    return PNG.sync.read(bytes);
  } catch (error) {
    problems.push(`${label}: not a readable PNG (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

function checkSize(png: PNG, label: string, size: number): string[] {
  return png.width === size && png.height === size
    ? []
    : [`${label}: ${png.width}x${png.height} pixels; Teams wants ${size}x${size}`];
}

/**
 * Teams tints the outline icon, so its pixels may only be fully transparent or white (with any alpha);
 * anything else shows as a smudge in the app bar.
 */
function checkOutlinePixels(png: PNG, label: string): string[] {
  let offending = 0;
  let first: string | undefined;
  let visible = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!];
    if (a === 0) continue;
    visible++;
    if (r === 255 && g === 255 && b === 255) continue;
    offending++;
    const pixel = i / 4;
    first ??= `(${pixel % png.width}, ${Math.floor(pixel / png.width)}) is rgba(${r}, ${g}, ${b}, ${a})`;
  }
  if (offending > 0) {
    return [
      `${label}: must be white on a transparent background, but ${offending} pixels are neither; the first at ${first}`,
    ];
  }
  return visible === 0 ? [`${label}: fully transparent, so the icon would be invisible`] : [];
}

/** Checks the icons in `dir` for the sizes Teams requires and the outline icon's white-on-transparent rule. */
export async function checkIcons(
  dir: string,
  files: IconFiles = { color: 'color.png', outline: 'outline.png' },
): Promise<string[]> {
  const problems: string[] = [];
  const color = await readPng(join(dir, files.color), problems, `color icon ${files.color}`);
  if (color) problems.push(...checkSize(color, `color icon ${files.color}`, COLOR_SIZE));
  const outline = await readPng(join(dir, files.outline), problems, `outline icon ${files.outline}`);
  if (outline) {
    problems.push(...checkSize(outline, `outline icon ${files.outline}`, OUTLINE_SIZE));
    problems.push(...checkOutlinePixels(outline, `outline icon ${files.outline}`));
  }
  return problems;
}

// A fixed time stamp, given in local time because zip stores local time, so the same inputs give the same bytes.
const ENTRY_OPTIONS = { mtime: new Date(2020, 0, 1), mode: 0o100644, forceDosTimestamp: true };

export interface WritePackageOptions {
  manifest: DsrManifest;
  /** Where the files named in `manifest.icons` are. */
  iconsDir: string;
  /** The zip file to write; its folder is created if needed. */
  out: string;
}

/** Writes manifest.json and the two icons at the root of a zip, as Teams expects. Does not validate. */
export async function writePackage({ manifest, iconsDir: dir, out }: WritePackageOptions): Promise<string> {
  const target = resolve(out);
  const zip = new ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 'manifest.json', ENTRY_OPTIONS);
  for (const name of [manifest.icons.color, manifest.icons.outline]) {
    zip.addBuffer(await readFile(join(dir, name)), name, ENTRY_OPTIONS);
  }
  zip.end();
  await mkdir(dirname(target), { recursive: true });
  // Write beside the target and rename, so an interrupted run never leaves a truncated package to upload.
  const partial = `${target}.${process.pid}.partial`;
  try {
    await pipeline(zip.outputStream, createWriteStream(partial));
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return target;
}

export interface BuildPackageOptions {
  out: string;
  iconsDir?: string;
  template?: unknown;
}

/** Renders, validates and writes the package; throws a PackageError listing every problem instead of writing. */
export async function buildPackage(
  config: PackageConfig,
  { out, iconsDir: dir = iconsDir(), template = readTemplate() }: BuildPackageOptions,
): Promise<{ out: string; manifest: DsrManifest }> {
  const manifest = renderManifest(config, template);
  const problems = [...(await validateManifest(manifest)), ...(await checkIcons(dir, manifest.icons))];
  if (problems.length > 0) throw new PackageError(problems);
  return { out: await writePackage({ manifest, iconsDir: dir, out }), manifest };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string', short: 'o' } } });
  const config = loadConfig(process.env);
  const defaulted = defaultedVariables(process.env);
  if (defaulted.length > 0) {
    console.warn(
      `Using stand-ins for ${defaulted.join(', ')}; set them before publishing the app to your organisation.`,
    );
  }
  const out = resolve(values.out ?? join(projectRoot(), 'appPackage.zip'));
  const { manifest } = await buildPackage(config, { out });
  console.log(`Wrote ${out}: ${manifest.name.short} ${manifest.version}, app and bot id ${manifest.id}`);
}

if (isMain(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
