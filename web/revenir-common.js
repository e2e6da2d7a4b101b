/*
 * What the Revenir web components share: the design tokens, the guest's language, the catalogs and Intl
 * formatting, and a small DOM builder (text only: data never goes through innerHTML).
 *
 * Design tokens (CSS custom properties; a host page overrides them on the element or any ancestor, see
 * docs/widget-theming.md):
 *   --revenir-accent, --revenir-accent-contrast, --revenir-text, --revenir-muted, --revenir-border,
 *   --revenir-surface, --revenir-field, --revenir-good, --revenir-bad, --revenir-focus, --revenir-radius,
 *   --revenir-font
 *
 * Language: the element's `lang` attribute, else the closest [lang] ancestor, else the property's language
 * (when the component knows it from the API), else English. Messages come from web/i18n/messages.js,
 * generated from the catalogs in layers/revenir/revenir/i18n/catalogs (python -m local.web_i18n).
 */

import { LANGUAGES, MESSAGES } from "./i18n/messages.js";

export { LANGUAGES };

// Defaults live on :host with a fallback, so a value inherited from the host page wins.
export const TOKENS_CSS = `
  :host {
    --_accent: var(--revenir-accent, #2f6b4f);
    --_accent-contrast: var(--revenir-accent-contrast, #ffffff);
    --_text: var(--revenir-text, #1f2a24);
    --_muted: var(--revenir-muted, #5b6660);
    --_border: var(--revenir-border, #d5dcd7);
    --_surface: var(--revenir-surface, #ffffff);
    --_field: var(--revenir-field, #8a968f);
    --_good: var(--revenir-good, #1f6b3a);
    --_bad: var(--revenir-bad, #a3261b);
    --_focus: var(--revenir-focus, #f0b429);
    --_radius: var(--revenir-radius, 12px);
    --_font: var(--revenir-font, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif);
    display: block;
    box-sizing: border-box;
    color: var(--_text);
    font: 16px/1.45 var(--_font);
  }
  :host([hidden]) { display: none; }
  *, *::before, *::after { box-sizing: inherit; }
  .card {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 1.25rem;
    box-shadow: 0 1px 2px rgb(0 0 0 / 4%), 0 4px 16px rgb(0 0 0 / 6%);
  }
  h2 { font-size: 1.15rem; margin: 0 0 .25rem; }
  label { display: block; font-weight: 600; margin-bottom: .3rem; }
  .hint { display: block; color: var(--_muted); font-size: .85rem; margin-top: .25rem; }
  input, select, textarea {
    min-width: 0; min-height: 44px; padding: .5rem .75rem; width: 100%;
    font: inherit; font-size: 16px; color: inherit; background: #fff;
    border: 1px solid var(--_field); border-radius: 8px;
  }
  input[type=checkbox], input[type=radio] { width: 1.15rem; min-height: 0; height: 1.15rem; padding: 0; margin: 0;
    accent-color: var(--_accent); }
  [aria-invalid="true"] { border-color: var(--_bad); box-shadow: 0 0 0 1px var(--_bad); }
  .field-error { display: block; color: var(--_bad); font-size: .9rem; margin-top: .25rem; }
  .field-error:empty { display: none; }
  button {
    min-height: 44px; padding: .5rem 1.1rem; font: inherit; font-weight: 600; cursor: pointer;
    border-radius: 8px; border: 1px solid var(--_accent);
    background: var(--_accent); color: var(--_accent-contrast);
  }
  button.secondary {
    background: transparent; color: var(--_accent); font-weight: 500; border-color: transparent;
    text-decoration: underline; text-underline-offset: 3px; padding-inline: .5rem;
  }
  button[disabled] { opacity: .55; cursor: not-allowed; }
  input:focus-visible, select:focus-visible, textarea:focus-visible, button:focus-visible {
    outline: 3px solid var(--_focus); outline-offset: 2px;
  }
  .sr-only {
    position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
    overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
  @media (max-width: 480px) { .card { padding: 1rem; } }
  @media (prefers-reduced-motion: no-preference) {
    button { transition: filter .15s; }
    button:not([disabled]):hover { filter: brightness(1.1); }
  }
`;

/** The shared tokens as a stylesheet (constructable when the browser can, else a <style> element). */
export function tokenStyle(extra = "") {
  const style = document.createElement("style");
  style.textContent = TOKENS_CSS + extra;
  return style;
}

function supported(tag) {
  if (!tag) return null;
  const short = String(tag).toLowerCase().split("-")[0];
  return LANGUAGES.includes(short) ? short : null;
}

/**
 * The guest's language for `element`: its `lang`, else the closest [lang] ancestor (crossing shadow roots),
 * else `propertyLanguage`, else English. Returns {lang, locale}: `locale` keeps a region when the page gave
 * one (fr-BE), for Intl.
 */
export function languageOf(element, propertyLanguage = null) {
  let node = element;
  while (node) {
    const tag = node.getAttribute?.("lang");
    if (tag) {
      const lang = supported(tag);
      if (lang) return { lang, locale: tag.toLowerCase().startsWith(lang) ? tag : lang };
      break; // a language we do not speak: the property's, then English
    }
    node = node.parentElement || node.getRootNode?.().host || null;
  }
  const lang = supported(propertyLanguage) || "en";
  return { lang, locale: lang };
}

/** A translator for one namespace: t(key, {name: value}) with `{name}` placeholders; `count` picks a plural. */
export function translator(lang, locale, namespace) {
  const own = MESSAGES[lang]?.[namespace] ?? {};
  const english = MESSAGES.en[namespace] ?? {};
  const plurals = new Intl.PluralRules(locale);
  return (key, params = {}) => {
    let text;
    if (typeof params.count === "number") {
      const form = `${key}.${plurals.select(params.count)}`;
      text = own[form] ?? own[`${key}.other`] ?? english[form] ?? english[`${key}.other`];
    }
    text = text ?? own[key] ?? english[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
  };
}

/** Money in minor units, in the guest's locale: 4260 EUR → "42,60 €" (fr), "€42.60" (en). */
export function formatMoney(locale, amount, currency = "EUR") {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits;
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount / 10 ** digits);
  } catch {
    return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** The minor-unit exponent of a currency (2 for EUR). */
export function currencyDigits(currency = "EUR") {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

/** A YYYY-MM-DD day in the guest's locale ("15 décembre 2026", "15 December 2026"). */
export function formatDay(locale, iso, options = { day: "numeric", month: "long", year: "numeric" }) {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}

export function formatNumber(locale, value, options = {}) {
  return new Intl.NumberFormat(locale, options).format(value);
}

/** document.createElement with attributes and children (strings become text nodes, never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/** Call `callback` when the `lang` of any ancestor of `element` (or <html>) changes. Returns the observer. */
export function watchLanguage(element, callback) {
  const observer = new MutationObserver(callback);
  observer.observe(element.ownerDocument.documentElement, { attributes: true, attributeFilter: ["lang"],
                                                            subtree: true });
  return observer;
}
