// Build step: writes the English text into a page's data-i18n elements and attributes
// (`node prefill-english.mjs page.html _locales/en/messages.json`), so that in an English
// UI the page parses with its text in place and localize() has nothing to replace; in any
// other language localize() replaces it as the popup starts, as before (before the first
// frame in Chromium, which holds it until the page has parsed; Firefox ignores that hint). The build
// fails unless every data-i18n text and attribute of the page was written: a key with no
// English message, one that takes placeholders, or an element that is not empty.
import { readFileSync, writeFileSync } from 'node:fs';
import { LOCALIZED_ATTRIBUTES } from './i18n.js';

const [page, messagesFile] = process.argv.slice(2);
const messages = JSON.parse(readFileSync(messagesFile, 'utf8'));
const escaped = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
let written = 0;
/** The English message for `key` as chrome.i18n.getMessage gives it with no substitutions. */
function english(key) {
  const entry = messages[key];
  if (!entry) throw new Error(`${page}: data-i18n names ${key}, which has no English message`);
  if (entry.placeholders || /\$\d/.test(entry.message)) throw new Error(`${page}: ${key} takes placeholders; set it from the page's script`);
  written += 1;
  return entry.message.replace(/\$\$/g, '$');
}

const marker = '<html lang="en">';
let html = readFileSync(page, 'utf8');
if (!html.includes(marker)) throw new Error(`${page} has no ${marker}`);
// Attributes first: data-i18n-title="key" gains title="<English>".
html = html.replace(/<([a-z][a-z0-9]*)\b([^>]*)>/g, (tag, name, attributes) => {
  let filled = attributes;
  for (const [, attribute, key] of attributes.matchAll(/\sdata-i18n-([a-z-]+)="([^"]+)"/g)) {
    // One localize() does not translate would stay English in every language.
    if (!LOCALIZED_ATTRIBUTES.includes(attribute)) throw new Error(`${page}: localize() does not translate data-i18n-${attribute}`);
    if (new RegExp(`\\s${attribute}="`).test(attributes.replace(/\sdata-i18n-[a-z-]+="[^"]*"/g, ''))) {
      throw new Error(`${page}: <${name}> sets ${attribute} and data-i18n-${attribute} both`);
    }
    filled += ` ${attribute}="${escaped(english(key))}"`;
  }
  return `<${name}${filled}>`;
});
// Then text: an empty element with data-i18n="key" gains the message as its text.
html = html.replace(/(<([a-z][a-z0-9]*)\b[^>]*\sdata-i18n="([^"]+)"[^>]*>)(<\/\2>)/g, (whole, open, name, key, close) => `${open}${escaped(english(key))}${close}`);
// Every mark of the page's elements (those in comments or the inline stylesheet are none).
const marked = html.replace(/<!--[\s\S]*?-->|<style>[\s\S]*?<\/style>/g, '').match(/\sdata-i18n(-[a-z-]+)?="/g)?.length ?? 0;
if (written !== marked) throw new Error(`${page}: ${marked - written} of its ${marked} data-i18n marks are on elements that are not empty`);
writeFileSync(page, html.replace(marker, '<html lang="en" data-prefilled="en">'));
