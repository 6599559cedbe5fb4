/**
 * The app's name as tests expect it: `productName` in package.json, its one source. Tests that
 * look for the name (the viewer's frame titles, say) read it here rather than spelling
 * "Fieldsync", so that a fork that renamed its app (docs/fork.md, "Your app's name") keeps them
 * green.
 */
import { readFileSync } from 'node:fs';

export const { productName } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { productName: string };

/** The name as an HTML attribute holds it (the viewer escapes it: `Tom &amp; Jerry`). */
export const productNameInHtml = productName.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
