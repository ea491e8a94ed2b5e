// DOM helpers shared by Keyturn's pages (popup, bulk run, options). Glue only: results
// and failures are shown as the core produced them, as text, never as HTML.

import { asFailure, failureText, t } from './i18n.js';

/**
 * The element with `id`. Typed `any` on purpose: each page knows which of its ids are
 * inputs, selects or tables, and a cast at every use would check nothing more.
 * @param {string} id
 * @returns {any}
 */
export const $ = (id) => document.getElementById(id);

/** Shows a result box: kind is 'ok' or 'error'; lines are plain strings (never HTML). */
export function showResult(box, kind, lines, code) {
  box.replaceChildren(...lines.map((line) => Object.assign(document.createElement('p'), { textContent: line })));
  box.className = `result ${kind}`;
  box.dataset.code = code ?? '';
  box.hidden = false;
}

export function hideResult(box) {
  box.hidden = true;
  box.replaceChildren();
  box.dataset.code = '';
}

/**
 * @param {HTMLElement} box
 * @param {unknown} error
 * @returns {ShownFailure}
 */
export function showFailure(box, error) {
  const failure = asFailure(error);
  showResult(box, 'error', [failureText(failure)], failure.code);
  return failure;
}

/** Runs an async action with its button disabled, so a request is never sent twice by a double click. */
export async function whileDisabled(button, action) {
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

export function onSubmit(form, button, action) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileDisabled(button, action);
  });
}

export function onClick(button, action) {
  button.addEventListener('click', () => whileDisabled(button, action));
}

// Show/hide for every masked field, including the ones added later (new keys).
document.addEventListener('click', (event) => {
  const button = /** @type {HTMLElement | null} */ (/** @type {Element} */ (event.target).closest('button.toggle[data-toggles]'));
  if (!button) return;
  const input = $(button.dataset.toggles);
  const show = input.type === 'password';
  // A shown secret is a text field: one without autocomplete="off" goes into the browser's
  // form history and session restore (Chromium writes a tab's text fields to the profile).
  if (show) input.autocomplete = 'off';
  input.type = show ? 'text' : 'password';
  button.textContent = t(show ? 'hide' : 'show');
  button.setAttribute('aria-pressed', String(show));
});

/**
 * "Remind me before this key expires": a date field (the expiry Treasure's API Keys page
 * shows) and a button. `remind(expiresAt)` sets the reminder and resolves to the text to
 * show, or throws a failure. `idPrefix` names the elements (`<prefix>-date`, `-button`, `-result`).
 * @param {string} idPrefix
 * @param {(expiresAt: number) => Promise<string>} remind
 */
export function remindControl(idPrefix, remind) {
  const wrap = Object.assign(document.createElement('div'), { className: 'remind' });
  const label = Object.assign(document.createElement('label'), { htmlFor: `${idPrefix}-date`, textContent: t('remindLabel') });
  const date = Object.assign(document.createElement('input'), { type: 'date', id: `${idPrefix}-date` });
  const button = Object.assign(document.createElement('button'), { type: 'button', id: `${idPrefix}-button`, textContent: t('remindButton') });
  const result = Object.assign(document.createElement('p'), { id: `${idPrefix}-result`, className: 'hint', role: 'status' });
  onClick(button, async () => {
    try {
      result.textContent = await remind(date.valueAsNumber || 0);
      result.dataset.code = 'OK';
    } catch (error) {
      const failure = asFailure(error);
      result.textContent = failureText(failure);
      result.dataset.code = failure.code;
    }
  });
  const row = Object.assign(document.createElement('div'), { className: 'secret' });
  row.append(date, button);
  wrap.append(label, row, result);
  return wrap;
}

/** Offers `text` as a file download through the page's hidden link (`link`), replacing its last file. */
export function downloadText(link, text, type, filename) {
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = filename;
  link.click();
}
