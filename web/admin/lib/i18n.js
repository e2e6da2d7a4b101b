// The back-office's languages: French first, then English, Dutch and German. One JSON catalog per language.
export const LANGUAGES = ["fr", "en", "nl", "de"];
const LOCALES = { fr: "fr-BE", en: "en-GB", nl: "nl-BE", de: "de-DE" };
const STORAGE_KEY = "revenir.admin.lang";

let current = "fr";
let catalog = {};
let fallback = {};

/** ?lang=xx in the address wins (and is remembered), then the remembered choice, then French. */
export function chooseLanguage() {
  const fromUrl = new URLSearchParams(location.search).get("lang");
  if (LANGUAGES.includes(fromUrl)) {
    localStorage.setItem(STORAGE_KEY, fromUrl);
    return fromUrl;
  }
  const stored = localStorage.getItem(STORAGE_KEY);
  return LANGUAGES.includes(stored) ? stored : "fr";
}

async function loadCatalog(lang) {
  const response = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
  return response.json();
}

export async function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) lang = "fr";
  if (!Object.keys(fallback).length) fallback = await loadCatalog("fr");
  catalog = lang === "fr" ? fallback : await loadCatalog(lang);
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  const url = new URL(location.href);
  if (url.searchParams.has("lang")) {
    url.searchParams.set("lang", lang);
    history.replaceState(history.state, "", url);
  }
}

const fallbackCatalog = () => fallback;
export const language = () => current;
export const locale = () => LOCALES[current];

/** The message for `key`, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
  let text = catalog[key] ?? fallback[key];
  if (text === undefined) {
    console.warn(`missing message ${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? ""));
}

export function money(minor, currency = "EUR") {
  if (minor === null || minor === undefined) return "—";
  return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(minor / 100);
}

export function number(value, digits = 0) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits })
    .format(value);
}

/** A percentage given in percent (15 → "15 %" in French and German, "15%" in English and Dutch). */
export function percent(value) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 2 }).format(value / 100);
}

/** A calendar date ("2026-12-01") or a timestamp, shown in the host's language. */
export function date(value) {
  if (!value) return "—";
  const text = String(value);
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T12:00:00`) : new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  return new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", year: "numeric" }).format(d);
}

export function dateTime(value) {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(d);
}

export const monthName = (d) => new Intl.DateTimeFormat(locale(), { month: "long", year: "numeric" }).format(d);

/** The message for `key` if the catalog has one, else `fallback` (for values the API may extend). */
export function tOr(key, fallback) {
  return catalog[key] ?? fallbackCatalog()[key] ?? fallback;
}
