// Base class of every screen: load → paint, with delegated actions (data-action), forms (data-form),
// the API's 4xx errors shown next to the offending field, and confirmations for destructive actions.
import { ApiError } from "./api.js";
import { html } from "./dom.js";
import { t, tOr } from "./i18n.js";

export class Screen extends HTMLElement {
  constructor() {
    super();
    this.params = {};
    this.query = new URLSearchParams();
    this.busy = false;
  }

  connectedCallback() {
    this.addEventListener("click", (event) => this.#dispatch(event, "action"));
    this.addEventListener("change", (event) => this.#dispatch(event, "change"));
    this.addEventListener("submit", (event) => this.#submit(event));
    this.refresh();
  }

  /** Override: fetch what the screen shows. */
  async load() {}

  /** Override: the screen's markup (an `html` value). */
  view() { return html``; }

  async refresh() {
    this.innerHTML = String(html`<p class="loading" role="status">${t("common.loading")}</p>`);
    try {
      await this.load();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      this.innerHTML = String(html`<h1 tabindex="-1">${this.title || t("common.error")}</h1>
        <p class="error" role="alert">${error.message}</p>`);
      return;
    }
    this.paint();
    const heading = this.querySelector("h1");
    if (heading && this.dataset.focus !== "no") heading.focus({ preventScroll: true });
  }

  /** Renders again, keeping the keyboard focus on the same control (by form and name, or by action). */
  paint() {
    const active = document.activeElement;
    let selector = null;
    if (active && this.contains(active)) {
      const form = active.closest("form[data-form]");
      if (active.name && form) selector = `form[data-form="${form.dataset.form}"]${form.dataset.id ? `[data-id="${CSS.escape(form.dataset.id)}"]` : ""} [name="${CSS.escape(active.name)}"]`;
      else if (active.dataset.action) selector = `[data-action="${active.dataset.action}"]${active.dataset.id ? `[data-id="${CSS.escape(active.dataset.id)}"]` : ""}`;
      else if (form) selector = `form[data-form="${form.dataset.form}"] [type=submit]`;
    }
    this.innerHTML = String(this.view());
    if (this.busy) {  // a form is still being sent: its repainted buttons wait too (a click is never dropped)
      for (const button of this.querySelectorAll("form[data-form] [type=submit]")) {
        button.disabled = true;
        button.dataset.busy = "";
      }
    }
    if (selector) this.querySelector(selector)?.focus({ preventScroll: true });
  }

  async #dispatch(event, kind) {
    const target = event.target.closest(kind === "action" ? "[data-action]" : "[data-change]");
    if (!target || !this.contains(target)) return;
    const name = target.dataset[kind === "action" ? "action" : "change"];
    const handler = this[`${kind === "action" ? "on" : "changed"}_${name}`];
    if (!handler) return;
    if (target.tagName === "A") event.preventDefault();
    if (target.dataset.confirm && !(await confirmDialog(target.dataset.confirm))) return;
    try {
      await handler.call(this, target, event);
    } catch (error) {
      this.toast(error.message, true);
    }
  }

  async #submit(event) {
    const form = event.target.closest("form[data-form]");
    if (!form) return;
    event.preventDefault();
    const handler = this[`submit_${form.dataset.form}`];
    if (!handler || this.busy) return;
    clearErrors(form);
    this.busy = true;
    const button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
    try {
      await handler.call(this, form);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status !== 401) showErrors(form, error);
    } finally {
      this.busy = false;
      if (button && button.isConnected) button.disabled = false;
      for (const waiting of this.querySelectorAll("[data-busy]")) {
        waiting.disabled = false;
        delete waiting.dataset.busy;
      }
    }
  }

  toast(message, isError = false) {
    document.querySelector("revenir-admin")?.toast(message, isError);
  }
}

/** A field error in the host's language when its type is a known one; else the API's own message. */
export function detailText(detail) {
  const known = tOr(`apiError.${detail.type}`, null);
  return known || String(detail.message || "").replace(/^Value error, /, "");
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error, .form-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.setAttribute("aria-describedby", (el.getAttribute("aria-describedby") || "")
      .split(" ").filter((id) => !id.startsWith("err-")).join(" "));
  });
}

/** Puts each of the error model's details next to its field (by name, or the field path's last part). */
export function showErrors(form, error) {
  const unplaced = [];
  error.details.forEach((detail, index) => {
    const path = String(detail.field || "").replace(/^body\./, "");
    const parts = path.split(".");
    let control = null;
    for (let i = 0; i < parts.length && !control; i += 1) {
      const candidate = parts.slice(i).join(".");
      control = form.querySelector(`[name="${CSS.escape(candidate)}"]`)
        || form.querySelector(`[data-field="${CSS.escape(candidate)}"]`);
    }
    if (!control) { unplaced.push(detail); return; }
    const id = `err-${form.dataset.form}-${index}`;
    const message = document.createElement("p");
    message.className = "field-error";
    message.id = id;
    message.textContent = detailText(detail);
    const anchor = control.closest("label, .field, fieldset") || control;
    anchor.after(message);
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", `${control.getAttribute("aria-describedby") || ""} ${id}`.trim());
  });
  const summary = document.createElement("div");
  summary.className = "form-error";
  summary.setAttribute("role", "alert");
  summary.textContent = error.details.length ? t("form.checkFields") : error.message;
  for (const detail of unplaced) {
    const line = document.createElement("p");
    line.textContent = detail.field ? `${detail.field}: ${detailText(detail)}` : detailText(detail);
    summary.append(line);
  }
  form.prepend(summary);
  (form.querySelector("[aria-invalid=true]") || summary).focus?.();
}

/** A modal confirmation (a <dialog>): resolves true when the host confirms. */
export function confirmDialog(message, confirmLabel = t("common.confirm")) {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-text");
    dialog.innerHTML = String(html`<form method="dialog">
      <p id="confirm-text">${message}</p>
      <div class="actions">
        <button value="cancel" class="secondary">${t("common.cancel")}</button>
        <button value="ok" class="danger" data-testid="confirm-ok">${confirmLabel}</button>
      </div></form>`);
    document.body.append(dialog);
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    dialog.showModal();
  });
}

/** A modal with arbitrary content; returns the dialog (closed by its own buttons). */
export function openDialog(title, body) {
  const dialog = document.createElement("dialog");
  dialog.setAttribute("aria-labelledby", "dialog-title");
  dialog.innerHTML = String(html`<h2 id="dialog-title">${title}</h2>${body}`);
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.showModal();
  return dialog;
}
