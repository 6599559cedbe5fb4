/**
 * The app icon, drawn with signed distance fields: a rounded square in a teal-to-indigo
 * gradient, two white arrows chasing each other around a circle (sync), and a check mark
 * in the middle (a todo done). Rendered at any size directly, so small sizes stay crisp.
 */

type Vec = readonly [number, number];

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));
const len = (x: number, y: number): number => Math.sqrt(x * x + y * y);

/** Distance from p to the segment ab. */
function segment(px: number, py: number, a: Vec, b: Vec): number {
  const bx = b[0] - a[0];
  const by = b[1] - a[1];
  const t = clamp01(((px - a[0]) * bx + (py - a[1]) * by) / (bx * bx + by * by));
  return len(px - a[0] - bx * t, py - a[1] - by * t);
}

/** Signed distance to a rounded square centred at 0.5, half-size h, corner radius r (unit coordinates). */
function roundedSquare(x: number, y: number, h: number, r: number): number {
  const qx = Math.abs(x - 0.5) - h + r;
  const qy = Math.abs(y - 0.5) - h + r;
  return len(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

/** Signed distance to a triangle (negative inside). */
function triangle(px: number, py: number, a: Vec, b: Vec, c: Vec): number {
  const d = Math.min(segment(px, py, a, b), segment(px, py, b, c), segment(px, py, c, a));
  const side = (p: Vec, q: Vec): number => (q[0] - p[0]) * (py - p[1]) - (q[1] - p[1]) * (px - p[0]);
  const s1 = side(a, b);
  const s2 = side(b, c);
  const s3 = side(c, a);
  const inside = (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  return inside ? -d : d;
}

const CX = 0.5;
const CY = 0.5;
const RING = 0.245; // radius of the arrows' circle
const STROKE = 0.058;
/** Each arrow: an arc from `from` to `to` (radians, clockwise on screen), with its head at `to`. */
const ARROWS: readonly { from: number; to: number }[] = [
  { from: (-160 * Math.PI) / 180, to: (-30 * Math.PI) / 180 },
  { from: (20 * Math.PI) / 180, to: (150 * Math.PI) / 180 },
];
const CHECK: readonly Vec[] = [[0.405, 0.51], [0.475, 0.58], [0.61, 0.435]];

const at = (angle: number, r = RING): Vec => [CX + r * Math.cos(angle), CY + r * Math.sin(angle)];

function angleIn(angle: number, from: number, to: number): boolean {
  const norm = (a: number): number => ((a % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  return norm(angle - from) <= norm(to - from);
}

/** Signed distance to the white artwork (arrows and check), in unit coordinates. */
function artwork(x: number, y: number): number {
  let d = Infinity;
  const angle = Math.atan2(y - CY, x - CX);
  const radial = Math.abs(len(x - CX, y - CY) - RING) - STROKE / 2;
  for (const { from, to } of ARROWS) {
    const tail = at(from);
    const body = angleIn(angle, from, to - 0.16) ? radial : len(x - tail[0], y - tail[1]) - STROKE / 2;
    d = Math.min(d, body);
    // The head: a triangle pointing along the circle, clockwise.
    const tip = at(to + 0.12);
    const back = to - 0.2;
    const outer = at(back, RING + STROKE * 1.25);
    const inner = at(back, RING - STROKE * 1.25);
    d = Math.min(d, triangle(x, y, tip, outer, inner) - 0.004);
  }
  const check = Math.min(segment(x, y, CHECK[0] as Vec, CHECK[1] as Vec), segment(x, y, CHECK[1] as Vec, CHECK[2] as Vec)) - STROKE / 2;
  return Math.min(d, check);
}

const FROM = [20, 184, 166]; // teal
const TO = [79, 70, 229]; // indigo

/** RGBA pixels of the icon at `size` × `size`. */
export function renderIcon(size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const px = 1 / size; // one pixel in unit coordinates: the anti-aliasing width
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i + 0.5) / size;
      const y = (j + 0.5) / size;
      const bg = clamp01(0.5 - roundedSquare(x, y, 0.41, 0.15) / px);
      if (bg === 0) continue;
      const t = clamp01((x + y - 0.2) / 1.6); // diagonal gradient, top left to bottom right
      const shade = 1 - 0.12 * clamp01((y - 0.1) / 0.8); // a little darker towards the bottom
      let r = (FROM[0] as number) * (1 - t) + (TO[0] as number) * t;
      let g = (FROM[1] as number) * (1 - t) + (TO[1] as number) * t;
      let b = (FROM[2] as number) * (1 - t) + (TO[2] as number) * t;
      r *= shade;
      g *= shade;
      b *= shade;
      const white = clamp01(0.5 - artwork(x, y) / px);
      r += (255 - r) * white;
      g += (255 - g) * white;
      b += (255 - b) * white;
      const o = (j * size + i) * 4;
      out[o] = Math.round(r);
      out[o + 1] = Math.round(g);
      out[o + 2] = Math.round(b);
      out[o + 3] = Math.round(bg * 255);
    }
  }
  return out;
}

export const ICON_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024] as const;
