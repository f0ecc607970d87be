import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { z } from 'zod';
import { iconsDir, isMain, templatePath } from './paths.js';

// The app icon: a shield (data protection) with a check mark (a request handled and approved).
// Teams asks for a 192x192 colour icon with the symbol on a solid background, and a 32x32 outline icon
// that is white on transparent so Teams can tint it.

export const COLOR_SIZE = 192;
export const OUTLINE_SIZE = 32;

type Rgba = readonly [r: number, g: number, b: number, a: number];
type Shader = (x: number, y: number) => Rgba | undefined;
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}
type Point = readonly [u: number, v: number];

const WHITE: Rgba = [255, 255, 255, 255];
// Where the straight sides of the shield end and the curve to the tip begins, as a share of its height.
const SHOULDER = 0.42;
// How far the top edge sinks at the middle, as a share of the height.
const TOP_DIP = 0.07;
// The check mark inside the shield, in shield-relative coordinates.
const CHECK: readonly Point[] = [
  [0.28, 0.48],
  [0.44, 0.64],
  [0.73, 0.33],
];
// Samples per pixel along each axis: enough for smooth edges at 32 pixels.
const SAMPLES = 8;

function inShield(box: Box, x: number, y: number): boolean {
  const u = (x - box.x) / box.w;
  const v = (y - box.y) / box.h;
  const side = Math.abs(u - 0.5) * 2;
  if (side > 1 || v > 1) return false;
  if (v < TOP_DIP * (1 - side * side)) return false;
  if (v <= SHOULDER) return true;
  const t = (v - SHOULDER) / (1 - SHOULDER);
  return side <= 1 - t * t;
}

/** The shield shrunk by `stroke` pixels; the tip moves further because it is pointed. */
function insetShield(box: Box, stroke: number): Box {
  return { x: box.x + stroke, y: box.y + stroke, w: box.w - 2 * stroke, h: box.h - 2.2 * stroke };
}

function distanceToSegment(x: number, y: number, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

function inCheck(box: Box, halfWidth: number, x: number, y: number): boolean {
  const points = CHECK.map(([u, v]): Point => [box.x + u * box.w, box.y + v * box.h]);
  for (let i = 1; i < points.length; i++) {
    if (distanceToSegment(x, y, points[i - 1]!, points[i]!) <= halfWidth) return true;
  }
  return false;
}

/**
 * Averages several samples per pixel with premultiplied alpha, so antialiased edges of a white symbol stay white
 * and only their alpha varies: that is what keeps the outline icon within Teams' white-on-transparent rule.
 */
function rasterize(size: number, shade: Shader): PNG {
  const png = new PNG({ width: size, height: size });
  const step = 1 / SAMPLES;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const colour = shade(px + (sx + 0.5) * step, py + (sy + 0.5) * step);
          if (colour === undefined) continue;
          const alpha = colour[3] / 255;
          r += colour[0] * alpha;
          g += colour[1] * alpha;
          b += colour[2] * alpha;
          a += alpha;
        }
      }
      const offset = (py * size + px) * 4;
      const coverage = a / (SAMPLES * SAMPLES);
      const pixel = a === 0 ? [0, 0, 0, 0] : [r / a, g / a, b / a, coverage * 255];
      pixel.forEach((channel, i) => (png.data[offset + i] = Math.min(255, Math.round(channel))));
    }
  }
  return png;
}

export function parseHexColor(hex: string): Rgba {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (match === null) throw new Error(`Expected a colour like #2B5A9E, got "${hex}"`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16), 255];
}

/** A white shield with the check mark cut out in the accent colour, on a full square of the accent colour. */
export function drawColorIcon(accentColor: string): PNG {
  const accent = parseHexColor(accentColor);
  const shield: Box = { x: 46, y: 38, w: 100, h: 116 };
  return rasterize(COLOR_SIZE, (x, y) => {
    if (!inShield(shield, x, y)) return accent;
    return inCheck(shield, 7, x, y) ? accent : WHITE;
  });
}

/** The shield's border and the check mark in white, everything else transparent. */
export function drawOutlineIcon(): PNG {
  const shield: Box = { x: 4, y: 2, w: 24, h: 28 };
  const inner = insetShield(shield, 2.2);
  return rasterize(OUTLINE_SIZE, (x, y) => {
    const border = inShield(shield, x, y) && !inShield(inner, x, y);
    return border || inCheck(shield, 1.3, x, y) ? WHITE : undefined;
  });
}

export function readAccentColor(path: string = templatePath()): string {
  const template = z.object({ accentColor: z.string() }).parse(JSON.parse(readFileSync(path, 'utf8')));
  return template.accentColor;
}

/** Draws both icons in the manifest's accent colour and writes them where the package builder reads them. */
export function writeIcons(dir: string = iconsDir(), accentColor: string = readAccentColor()): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, PNG]> = [
    ['color.png', drawColorIcon(accentColor)],
    ['outline.png', drawOutlineIcon()],
  ];
  return files.map(([name, png]) => {
    const path = join(dir, name);
    writeFileSync(path, PNG.sync.write(png));
    return path;
  });
}

if (isMain(import.meta.url)) {
  for (const path of writeIcons()) console.log(`Wrote ${path}`);
}
