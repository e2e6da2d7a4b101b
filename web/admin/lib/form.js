// Small form builders: every control has a visible label; ids are unique per form.
import { html } from "./dom.js";
import { t } from "./i18n.js";

let counter = 0;
const uid = (name) => `f-${name}-${(counter += 1)}`;

export function field(label, name, value, { type = "text", required = false, hint = "", attrs = "", testid } = {}) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : "";
  return html`<div class="field"><label for="${id}">${label}${required ? html` <span aria-hidden="true">*</span>` : ""}</label>
    <input id="${id}" name="${name}" type="${type}" value="${value ?? ""}" ${required ? html`required` : ""}
      ${hint ? html`aria-describedby="${hintId}"` : ""} ${testid ? html`data-testid="${testid}"` : ""} ${attrs}>
    ${hint ? html`<p class="hint" id="${hintId}">${hint}</p>` : ""}</div>`;
}

export function area(label, name, value, { rows = 4, attrs = "", testid } = {}) {
  const id = uid(name);
  return html`<div class="field"><label for="${id}">${label}</label>
    <textarea id="${id}" name="${name}" rows="${rows}" ${testid ? html`data-testid="${testid}"` : ""} ${attrs}>${value ?? ""}</textarea></div>`;
}

export function select(label, name, value, options, { attrs = "", testid } = {}) {
  const id = uid(name);
  return html`<div class="field"><label for="${id}">${label}</label>
    <select id="${id}" name="${name}" ${testid ? html`data-testid="${testid}"` : ""} ${attrs}>${options.map(([v, text]) => html`
      <option value="${v}" ${String(v) === String(value ?? "") ? html`selected` : ""}>${text}</option>`)}</select></div>`;
}

export function checkbox(label, name, checked, { attrs = "" } = {}) {
  const id = uid(name);
  return html`<div class="field check"><input type="checkbox" id="${id}" name="${name}" ${checked ? html`checked` : ""} ${attrs}>
    <label for="${id}">${label}</label></div>`;
}

/** A group of checkboxes whose checked values form a list (data-list). */
export function checkList(legend, name, selected, options) {
  const chosen = new Set((selected || []).map(String));
  return html`<fieldset class="checks" data-field="${name}"><legend>${legend}</legend>${options.map(([v, text]) => {
    const id = uid(name);
    return html`<span class="check"><input type="checkbox" id="${id}" name="${name}" value="${v}" data-list
      ${chosen.has(String(v)) ? html`checked` : ""}><label for="${id}">${text}</label></span>`;
  })}</fieldset>`;
}

export const weekdays = () => [1, 2, 3, 4, 5, 6, 7].map((d) => [d, t(`weekday.${d}`)]);

/** Translations of a text in en/nl/de (French is the main field). */
export function translations(label, prefix, values = {}) {
  return html`<fieldset class="translations" data-field="${prefix}_translations"><legend>${label}</legend>
    ${["en", "nl", "de"].map((lang) => field(t(`lang.${lang}`), `${prefix}_${lang}`, values[lang] || ""))}</fieldset>`;
}

export function readTranslations(values, prefix) {
  const out = {};
  for (const lang of ["en", "nl", "de"]) {
    if (values[`${prefix}_${lang}`]) out[lang] = values[`${prefix}_${lang}`];
    delete values[`${prefix}_${lang}`];
  }
  return out;
}

/** A status pill with a text (never colour alone). */
export const pill = (status, text) => html`<span class="pill pill-${status}" data-status="${status}">${text}</span>`;

export const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

export function addDays(iso, days) {
  const d = new Date(`${iso}T12:00:00`);
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
