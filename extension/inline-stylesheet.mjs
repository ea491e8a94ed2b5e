// Build step: puts a page's stylesheet inline (`node inline-stylesheet.mjs page.html sheet.css`).
// A stylesheet that is still loading holds back the page's script, and the popup's time to
// usable is mostly such waits. The page's CSP restricts scripts only, so a <style> is allowed.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [page, sheet] = process.argv.slice(2);
const link = `<link rel="stylesheet" href="${path.basename(sheet)}">`;
const html = readFileSync(page, 'utf8');
if (!html.includes(link)) throw new Error(`${page} has no ${link}`);
writeFileSync(page, html.replace(link, () => `<style>\n${readFileSync(sheet, 'utf8')}</style>`));
