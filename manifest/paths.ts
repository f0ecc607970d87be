import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project root, found by walking up to package.json: the compiled scripts run from the build output folder
 * but read the template and icons from the source tree.
 */
export function projectRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

export const manifestDir = (): string => join(projectRoot(), 'manifest');
export const templatePath = (): string => join(manifestDir(), 'manifest.template.json');
export const iconsDir = (): string => join(manifestDir(), 'icons');

/** Whether the module at `moduleUrl` is the script Node was started with, so importing it from tests has no effects. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
