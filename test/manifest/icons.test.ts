import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { checkIcons } from '../../manifest/buildPackage.js';
import { drawColorIcon, drawOutlineIcon, parseHexColor, readAccentColor } from '../../manifest/drawIcons.js';
import { iconsDir } from '../../manifest/paths.js';

async function readPng(path: string): Promise<PNG> {
  return PNG.sync.read(await readFile(path));
}

function pixels(png: PNG): Array<[number, number, number, number]> {
  const out: Array<[number, number, number, number]> = [];
  for (let i = 0; i < png.data.length; i += 4)
    out.push([png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!]);
  return out;
}

describe('Teams app icons', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dsr-icons-'));
    await copyFile(join(iconsDir(), 'color.png'), join(dir, 'color.png'));
    await copyFile(join(iconsDir(), 'outline.png'), join(dir, 'outline.png'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function replaceOutline(png: PNG): Promise<void> {
    await writeFile(join(dir, 'outline.png'), PNG.sync.write(png));
  }

  it('ships a 192x192 colour icon and a 32x32 outline icon that pass the checks', async () => {
    const color = await readPng(join(iconsDir(), 'color.png'));
    const outline = await readPng(join(iconsDir(), 'outline.png'));
    assert.deepEqual([color.width, color.height], [192, 192]);
    assert.deepEqual([outline.width, outline.height], [32, 32]);
    assert.deepEqual(await checkIcons(iconsDir()), []);
  });

  it('draws the outline icon white on transparent only, with something visible', async () => {
    const outline = pixels(await readPng(join(iconsDir(), 'outline.png')));
    for (const [r, g, b, a] of outline)
      assert.ok(a === 0 || (r === 255 && g === 255 && b === 255), `${r},${g},${b},${a}`);
    assert.ok(outline.filter(([, , , a]) => a === 255).length > 100);
    assert.ok(outline.filter(([, , , a]) => a === 0).length > 300);
  });

  it('draws the colour icon opaque, on the manifest accent colour', async () => {
    const color = await readPng(join(iconsDir(), 'color.png'));
    const accent = parseHexColor(readAccentColor());
    assert.ok(pixels(color).every(([, , , a]) => a === 255));
    assert.deepEqual(pixels(color)[0], [...accent]);
    assert.ok(pixels(color).some(([r, g, b]) => r === 255 && g === 255 && b === 255));
  });

  it('commits the icons the generator draws now', async () => {
    // Pixels rather than bytes: zlib versions may compress the same image differently.
    assert.ok((await readPng(join(iconsDir(), 'color.png'))).data.equals(drawColorIcon(readAccentColor()).data));
    assert.ok((await readPng(join(iconsDir(), 'outline.png'))).data.equals(drawOutlineIcon().data));
  });

  it('rejects an outline icon on an opaque background', async () => {
    const outline = drawOutlineIcon();
    for (let i = 0; i < outline.data.length; i += 4) {
      if (outline.data[i + 3] === 0) outline.data.set([0, 0, 0, 255], i);
    }
    await replaceOutline(outline);
    const problems = await checkIcons(dir);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0]!,
      /^outline icon outline\.png: must be white on a transparent background, but \d+ pixels are neither; the first at \(0, 0\) is rgba\(0, 0, 0, 255\)$/,
    );
  });

  it('rejects a coloured stroke in the outline icon, even half transparent', async () => {
    const outline = drawOutlineIcon();
    outline.data.set([200, 220, 255, 128], (16 * 32 + 16) * 4);
    await replaceOutline(outline);
    assert.deepEqual(await checkIcons(dir), [
      'outline icon outline.png: must be white on a transparent background, but 1 pixels are neither; the first at (16, 16) is rgba(200, 220, 255, 128)',
    ]);
  });

  it('rejects an invisible outline icon', async () => {
    await replaceOutline(new PNG({ width: 32, height: 32 }));
    assert.deepEqual(await checkIcons(dir), [
      'outline icon outline.png: fully transparent, so the icon would be invisible',
    ]);
  });

  it('rejects icons of the wrong size and missing or unreadable files', async () => {
    await writeFile(join(dir, 'color.png'), PNG.sync.write(new PNG({ width: 96, height: 96, fill: true })));
    await replaceOutline(drawColorIcon('#FFFFFF'));
    await writeFile(join(dir, 'broken.png'), 'not a png');
    assert.deepEqual(await checkIcons(dir), [
      'color icon color.png: 96x96 pixels; Teams wants 192x192',
      'outline icon outline.png: 192x192 pixels; Teams wants 32x32',
    ]);
    const problems = await checkIcons(dir, { color: 'absent.png', outline: 'broken.png' });
    assert.equal(problems[0], 'color icon absent.png: missing');
    assert.match(problems[1]!, /^outline icon broken\.png: not a readable PNG/);
  });
});
