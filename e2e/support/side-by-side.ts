/** Several screenshots side by side in one PNG, composed by a browser page (no image library). */
import type { Browser } from '@playwright/test';

function pngSize(png: Buffer): { width: number; height: number } {
  if (png.readUInt32BE(12) !== 0x49484452) throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export async function composeSideBySide(browser: Browser, images: readonly Buffer[], gap = 12): Promise<Buffer> {
  const sizes = images.map(pngSize);
  const width = sizes.reduce((sum, s) => sum + s.width, 0) + gap * (images.length + 1);
  const height = Math.max(...sizes.map((s) => s.height)) + gap * 2;
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  try {
    const imgs = images.map((png, i) => `<img alt="" width="${sizes[i]?.width}" height="${sizes[i]?.height}" src="data:image/png;base64,${png.toString('base64')}">`).join('');
    await page.setContent(
      `<!doctype html><html><body style="margin:0;padding:${gap}px;display:flex;gap:${gap}px;align-items:flex-start;background:#c9ced6">${imgs}</body></html>`,
    );
    await page.waitForFunction(() => Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0));
    return await page.screenshot({ type: 'png' });
  } finally {
    await page.close();
  }
}
