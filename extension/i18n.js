// Every user-facing string comes from _locales (chrome.i18n, English and Japanese); the
// language follows the browser. Pages mark static text with data-i18n attributes.
export const t = (id, ...args) => chrome.i18n.getMessage(id, args.map(String));

/** A region's name in the UI language (the core's English label as the fallback). */
export const regionName = (region) => t(`region_${region.id}`) || region.label;

/** The attributes localize() translates (data-i18n-<attribute>); the build's prefill-english.mjs writes these only. */
export const LOCALIZED_ATTRIBUTES = ['placeholder', 'title', 'aria-label', 'value'];

/**
 * Fills every [data-i18n] element's text and [data-i18n-<attribute>] attribute, except in a
 * page whose English text the build wrote in (the popup's) when the UI is English.
 */
export function localize(root = document) {
  document.documentElement.lang = chrome.i18n.getUILanguage();
  // build.sh wrote the English text into this page (prefill-english.mjs): nothing to replace.
  // Every en-* UI reads _locales/en while it is the only English catalog (an en_GB one
  // would need its own prefilled page or this skip removed).
  if (root === document && document.documentElement.dataset.prefilled === 'en' && isEnglish()) return;
  for (const element of /** @type {NodeListOf<HTMLElement>} */ (root.querySelectorAll('[data-i18n]'))) element.textContent = t(element.dataset.i18n);
  for (const attribute of LOCALIZED_ATTRIBUTES) {
    for (const element of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      element.setAttribute(attribute, t(element.getAttribute(`data-i18n-${attribute}`)));
    }
  }
}

const isEnglish = () => chrome.i18n.getUILanguage().toLowerCase().startsWith('en');

/**
 * A build check's verdict in the UI language: in English the core's own message (it says
 * what to look at), otherwise the translation for the verdict.
 * @param {import('./keyturn.js').BuildCheck} check
 */
export const buildText = (check) => (isEnglish() ? check.message : t(`build_${check.verdict}`) || check.message);

/**
 * A workflow project's runs check in the UI language: in English the core's own message
 * (a success proves the project ran, not that every task used td.apikey), otherwise the
 * translation for the verdict.
 * @param {{ verdict: string, message: string }} check
 */
export const runsText = (check) => (isEnglish() ? check.message : t(`runs_${check.verdict}`) || check.message);

/**
 * A failure in the UI language. In English, the core's own message, the most specific;
 * otherwise the translation for its code, with the HTTP status (or the code) filled in.
 */
export function failureText(failure) {
  if (isEnglish()) return failure.message;
  const translated = t(`error_${failure.code}`, failure.status ?? failure.code);
  return translated || failure.message;
}

/**
 * Failures from the core are {code, message}; anything else is a bug worth saying plainly
 * (never in its own words: an error's text might quote input). DOM-free, so the background
 * shows failures by it too.
 * @param {unknown} error
 * @returns {ShownFailure}
 */
export function asFailure(error) {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) return /** @type {ShownFailure} */ (error);
  return { code: 'INTERNAL', message: t('internalError'), requestSent: false };
}
