/*
 * <revenir-widget> — the Revenir booking widget: basket summary + promo code, priced live by the Revenir API.
 *
 * Plain JavaScript custom element: no build step, no framework, no external resource. Embed with
 *
 *   <script type="module" src="https://…/web/revenir-widget.js"></script>
 *   <revenir-widget property="demo" api="https://api.example" lang="fr"></revenir-widget>
 *
 * Attributes
 *   property  the property id (required)
 *   api       base URL of the Revenir API; empty or absent = same origin
 *   lang      fr, en, nl or de (a region is kept for formatting: fr-BE); else the closest [lang] ancestor
 *             (followed when it changes), else the property's language (GET /v1/properties/{id}/widget), else
 *             English. Texts come from the catalogs (web/i18n/messages.js).
 *   locale    optional locale for amounts and dates; default: the language above (Intl formats both)
 *
 * Recovery links: when the page's URL carries `revenir_code=…` (the abandoned-cart reminder appends it to the
 * booking engine's recovery URL), the widget applies that code once the page has handed the basket over.
 * Another parameter name: attribute `code-param`; none: code-param="".
 *
 * The host page (its booking engine) hands the basket over as a property:
 *
 *   widget.basket = {
 *     arrival: "2025-07-01", departure: "2025-07-04",          // YYYY-MM-DD
 *     guest_email: "guest@example.org",                          // optional (the widget also has an e-mail field)
 *     lines: [{offer_id, amount, currency, label?, detail?}],   // amount in minor units (cents)
 *   };
 *
 * `label` and `detail` are for display only and are never sent to the API. Whenever the basket changes while
 * a code is applied, the code is validated again (debounced) so the discount always matches the basket.
 *
 * Events (bubbling, composed):
 *   revenir:discount  detail = {code, discount, lines, total, total_after_discount} when a code applies,
 *                     detail = null when no code applies (any more).
 *
 * Methods: applyCode(code), clearCode().
 *
 * Money is always an integer number of minor units; only the display divides by 100. Colours and font: the
 * --revenir-* custom properties (docs/widget-theming.md).
 */

import { el, formatDay, formatMoney, languageOf, tokenStyle, translator, watchLanguage } from "./revenir-common.js";

const REVALIDATE_DELAY_MS = 300;

// Reasons that depend on the basket or on the guest: the code stays applied and is tried again when they change.
// For the others (unknown, expired, exhausted, …) the code is dropped until the guest applies a code again.
const RETRYABLE_REASONS = new Set([
  "not_applicable", "min_nights", "max_nights", "arrival_day", "min_amount", "guest_limit_reached", "first_stay_only",
  "not_yet_valid",
]);

const STYLE = `
  :host { max-width: 32rem; }
  .stay { margin: 0 0 1rem; color: var(--_muted); font-size: .95rem; }
  ul.lines { list-style: none; margin: 0; padding: 0; }
  .row {
    display: flex; justify-content: space-between; align-items: baseline; gap: 1rem;
    padding: .45rem 0; border-bottom: 1px dashed var(--_border);
  }
  .row .what { min-width: 0; overflow-wrap: anywhere; }
  .row .detail { display: block; color: var(--_muted); font-size: .85rem; }
  .row .amount { white-space: nowrap; font-variant-numeric: tabular-nums; text-align: right; }
  .row .line-discount { display: block; color: var(--_good); font-size: .85rem; }
  .row.total { border-bottom: 0; font-weight: 700; font-size: 1.05rem; }
  .row.discount { color: var(--_good); border-bottom: 0; }
  .row.after { font-weight: 700; font-size: 1.15rem; border-top: 2px solid var(--_text); border-bottom: 0; }
  .row.total.superseded .amount { text-decoration: line-through; color: var(--_muted); font-weight: 400; }
  .empty { color: var(--_muted); margin: .5rem 0; }
  form { margin-top: 1rem; padding-top: 1rem; border-top: 1px solid var(--_border); }
  .field + .field { margin-top: .9rem; }
  .promo { display: flex; flex-wrap: wrap; gap: .5rem; }
  .promo input { flex: 1 1 10rem; }
  #promo-input { text-transform: uppercase; letter-spacing: .04em; width: auto; }
  #promo-input::placeholder { text-transform: none; letter-spacing: normal; }
  .message { min-height: 1.5em; margin: .6rem 0 1rem; font-size: .95rem; }
  .message:empty { margin-bottom: .5rem; }
  .message[data-kind="ok"] { color: var(--_good); }
  .message[data-kind="error"] { color: var(--_bad); }
  .message[data-kind="busy"] { color: var(--_muted); }
  @media (max-width: 480px) { .promo button { flex: 1 1 100%; } }
`;

function isoDate(value) {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

function nightsBetween(arrival, departure) {
  const a = isoDate(arrival), d = isoDate(departure);
  if (!a || !d) return 0;
  return Math.max(0, Math.round((Date.parse(`${d}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000));
}

function retryAfterSeconds(header) {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  const when = Date.parse(header);
  return Number.isFinite(when) ? Math.max(1, Math.ceil((when - Date.now()) / 1000)) : null;
}

class RevenirWidget extends HTMLElement {
  static get observedAttributes() {
    return ["property", "api", "lang", "locale"];
  }

  constructor() {
    super();
    this._basket = { arrival: null, departure: null, lines: [] };
    this._applied = null; // the code the guest applied (string), kept while the basket changes
    this._result = null; // the last valid answer, for the current basket only
    this._message = { kind: "", text: () => "" }; // text is a function: re-translated when `lang` changes
    this._sequence = 0; // answers to older requests are ignored
    this._signature = null; // what the API would see of the basket: an unchanged basket is not priced again
    this._controller = null;
    this._debounce = null;
    this._cooldownUntil = 0;
    this._cooldownTimer = null;
    this._pendingAfterCooldown = false;
    this._propertyLanguage = null; // from GET …/widget: the texts' language when the page sets none we speak
    this._propertyLanguageFor = null;
    this.attachShadow({ mode: "open" });
    this._build();
  }

  connectedCallback() {
    this._languageObserver ??= watchLanguage(this, () => {
      this._relabel();
      this._render();
    });
    this._loadPropertyLanguage();
    const param = this.getAttribute("code-param") ?? "revenir_code";
    const fromUrl = param ? new URLSearchParams(window.location.search).get(param) : null;
    if (fromUrl && this._urlCode === undefined) this._urlCode = fromUrl.trim().slice(0, 64);
    // A page may have set `basket` before this module loaded: re-run it through the setter.
    if (Object.prototype.hasOwnProperty.call(this, "basket")) {
      const value = this.basket;
      delete this.basket;
      this.basket = value;
    }
    this._render();
  }

  disconnectedCallback() {
    this._languageObserver?.disconnect();
    this._languageObserver = null;
    this._cancelPending();
    clearTimeout(this._cooldownTimer);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this._dom) return;
    if (name === "lang" || name === "locale") {
      this._relabel();
      this._render();
      return;
    }
    this._loadPropertyLanguage(); // another property or API
    if (this._applied) {
      this._scheduleValidation(0);
    }
  }

  // ------------------------------------------------------------------ public API
  get basket() {
    return this._basket;
  }

  set basket(value) {
    const lines = Array.isArray(value?.lines) ? value.lines : [];
    this._basket = {
      arrival: isoDate(value?.arrival),
      departure: isoDate(value?.departure),
      guest_email: typeof value?.guest_email === "string" ? value.guest_email : undefined,
      lines: lines
        .filter((line) => line && typeof line.offer_id === "string" && Number.isInteger(line.amount))
        .map((line) => ({ ...line, currency: line.currency || "EUR" })),
    };
    const signature = JSON.stringify([
      this._basket.arrival, this._basket.departure, this._basket.guest_email,
      this._basket.lines.map(({ offer_id, amount, currency }) => [offer_id, amount, currency]),
    ]);
    const changed = signature !== this._signature;
    this._signature = signature;
    if (changed) this._basketChanged();
    else this._render(); // labels only (e.g. another language): the discount still holds
    if (this._urlCode && this._basket.lines.length) { // a recovery link's code, once the basket is there
      const code = this._urlCode;
      this._urlCode = null;
      this.applyCode(code);
    }
  }

  get property() {
    return this.getAttribute("property") || "";
  }

  get api() {
    return (this.getAttribute("api") || "").replace(/\/+$/, "");
  }

  get total() {
    return this._basket.lines.reduce((sum, line) => sum + line.amount, 0);
  }

  applyCode(code) {
    this._dom.promoInput.value = code ?? "";
    this._onApply();
  }

  clearCode() {
    this._cancelPending();
    this._applied = null;
    this._result = null;
    this._dom.promoInput.value = "";
    this._setMessage("", () => "");
    this._render();
    this._emit();
  }

  // ------------------------------------------------------------------ i18n and formatting
  get _language() {
    return languageOf(this, this._propertyLanguage);
  }

  /** The property's language (GET …/widget, cached 5 minutes by the API): used when the page sets none we speak. */
  async _loadPropertyLanguage() {
    const target = `${this.api}|${this.property}`;
    if (!this.property || target === this._propertyLanguageFor) return;
    this._propertyLanguageFor = target;
    let language = null;
    try {
      const response = await fetch(`${this.api}/v1/properties/${encodeURIComponent(this.property)}/widget`,
        { headers: { Accept: "application/json" } });
      if (response.ok) language = (await response.json())?.language ?? null;
    } catch {
      language = null; // offline or blocked: the page's language, else English
    }
    if (target !== this._propertyLanguageFor || language === this._propertyLanguage) return;
    this._propertyLanguage = language;
    this._relabel();
    this._render();
  }

  get _lang() {
    return this._language.lang;
  }

  _t(key, params) {
    const { lang, locale } = this._language;
    return translator(lang, locale, "widget")(key, params);
  }

  _reason(reason) {
    const key = `reason.${reason}`;
    const text = this._t(key);
    return text === key ? this._t("reason.other") : text;
  }

  get _locale() {
    return this.getAttribute("locale") || this._language.locale;
  }

  _money(amount, currency = "EUR") {
    return formatMoney(this._locale, amount, currency);
  }

  _date(iso) {
    return formatDay(this._locale, iso);
  }

  // ------------------------------------------------------------------ DOM
  _build() {
    const root = this.shadowRoot;
    const style = tokenStyle(STYLE);

    const title = el("h2", { id: "summary-title" });
    const stay = el("p", { class: "stay", "data-testid": "stay" });
    const lines = el("ul", { class: "lines", "data-testid": "basket-lines" });
    const empty = el("p", { class: "empty", "data-testid": "basket-empty" });
    const totals = el("div", { class: "totals" });

    const promoLabel = el("label", { for: "promo-input" });
    const promoInput = el("input", {
      id: "promo-input", name: "code", type: "text", autocomplete: "off", autocapitalize: "characters",
      spellcheck: "false", enterkeyhint: "go", "data-testid": "promo-input", "aria-describedby": "promo-message",
    });
    const promoApply = el("button", { type: "submit", "data-testid": "promo-apply" });
    const promoRemove = el("button", { type: "button", class: "secondary", "data-testid": "promo-remove", hidden: true });
    const emailLabel = el("label", { for: "email-input" });
    const emailInput = el("input", {
      id: "email-input", name: "email", type: "email", autocomplete: "email", inputmode: "email",
      "aria-describedby": "email-hint", "data-testid": "guest-email",
    });
    const emailHint = el("span", { id: "email-hint", class: "hint" });
    const message = el("p", {
      id: "promo-message", class: "message", role: "status", "aria-live": "polite", "aria-atomic": "true",
      "data-testid": "promo-message",
    });

    const form = el("form", { novalidate: true, "data-testid": "promo-form" },
      el("div", { class: "field" }, promoLabel, el("div", { class: "promo" }, promoInput, promoApply, promoRemove)),
      message,
      el("div", { class: "field" }, emailLabel, emailInput, emailHint),
    );
    const section = el("section", { class: "card", "aria-labelledby": "summary-title", part: "card" },
      title, stay, lines, empty, totals, form);
    root.append(style, section);

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this._onApply();
    });
    promoRemove.addEventListener("click", () => {
      this.clearCode();
      promoInput.focus();
    });
    emailInput.addEventListener("input", () => {
      if (this._applied) this._scheduleValidation(REVALIDATE_DELAY_MS * 2);
    });

    this._dom = {
      title, stay, lines, empty, totals, promoLabel, promoInput, promoApply, promoRemove,
      emailLabel, emailInput, emailHint, message,
    };
    this._relabel();
  }

  _relabel() {
    const d = this._dom;
    d.title.textContent = this._t("summary");
    d.promoLabel.textContent = this._t("promo_label");
    d.promoInput.placeholder = this._t("promo_placeholder");
    d.promoApply.textContent = this._t("apply");
    d.promoRemove.textContent = this._t("remove");
    d.emailLabel.textContent = this._t("email_label");
    d.emailHint.textContent = this._t("email_hint");
    this._showMessage();
  }

  _row(className, label, amountText, attrs = {}, extra = null) {
    return el("div", { class: `row ${className}` },
      el("span", { class: "what" }, label),
      el("span", { class: "amount", ...attrs }, amountText, extra));
  }

  _render() {
    if (!this._dom) return;
    const d = this._dom, basket = this._basket, total = this.total;
    const nights = nightsBetween(basket.arrival, basket.departure);
    d.stay.textContent = basket.arrival && basket.departure && nights > 0
      ? `${this._t("from_to", { arrival: this._date(basket.arrival), departure: this._date(basket.departure) })} · ${this._t("nights", { count: nights })}`
      : "";
    d.stay.hidden = !d.stay.textContent;

    const perLine = new Map((this._result?.lines || []).map((line) => [line.offer_id, line]));
    d.lines.replaceChildren(...basket.lines.map((line) => {
      const priced = perLine.get(line.offer_id);
      const lineDiscount = priced && priced.discount > 0
        ? el("span", { class: "line-discount" }, `−${this._money(priced.discount, line.currency)}`)
        : null;
      return el("li", { class: "row", "data-offer-id": line.offer_id },
        el("span", { class: "what" }, line.label || line.offer_id,
          line.detail ? el("span", { class: "detail" }, line.detail) : null),
        el("span", { class: "amount" }, this._money(line.amount, line.currency), lineDiscount));
    }));
    d.empty.textContent = this._t("empty");
    d.empty.hidden = basket.lines.length > 0;

    const currency = basket.lines[0]?.currency || "EUR";
    const result = this._result;
    const totalRow = this._row("total", this._t("total"), this._money(total, currency),
      { "data-testid": "basket-total", "data-amount": total, "data-currency": currency });
    const rows = [totalRow];
    if (result) {
      totalRow.classList.add("superseded");
      rows.push(
        this._row("discount", this._t("discount", { code: result.code }), `−${this._money(result.discount, currency)}`,
          { "data-testid": "discount-amount", "data-amount": result.discount }),
        this._row("after", this._t("total_after"), this._money(result.totalAfter, currency),
          { "data-testid": "total-after-discount", "data-amount": result.totalAfter }),
      );
    }
    d.totals.replaceChildren(...rows);
    d.promoRemove.hidden = !this._applied;
    d.promoApply.disabled = Date.now() < this._cooldownUntil;
  }

  _setMessage(kind, text, reason = "") {
    this._message = { kind, text: typeof text === "function" ? text : () => text };
    const m = this._dom.message;
    m.dataset.kind = kind;
    m.dataset.reason = reason;
    this._showMessage();
  }

  _showMessage() {
    const text = this._message.text();
    if (this._dom.message.textContent !== text) this._dom.message.textContent = text;
  }

  _emit() {
    const r = this._result;
    const detail = r
      ? { code: r.code, discount: r.discount, lines: r.lines, total: this.total, total_after_discount: r.totalAfter }
      : null;
    this.dispatchEvent(new CustomEvent("revenir:discount", { detail, bubbles: true, composed: true }));
  }

  // ------------------------------------------------------------------ validation
  _basketChanged() {
    if (this._applied) {
      // The old discount belongs to the old basket: never show it against the new one.
      const had = this._result !== null;
      this._result = null;
      if (had) this._emit();
      this._setMessage("busy", () => this._t("repricing"));
      this._scheduleValidation(REVALIDATE_DELAY_MS);
    }
    this._render();
  }

  _onApply() {
    const code = this._dom.promoInput.value.trim();
    if (!code) {
      this._setMessage("error", () => this._t("enter_code"));
      this._dom.promoInput.focus();
      return;
    }
    if (Date.now() < this._cooldownUntil) return;
    this._applied = code;
    this._result = null;
    this._setMessage("busy", () => this._t("checking"));
    this._render();
    this._scheduleValidation(0);
  }

  _cancelPending() {
    clearTimeout(this._debounce);
    this._debounce = null;
    if (this._controller) this._controller.abort();
    this._controller = null;
    this._sequence += 1;
  }

  _scheduleValidation(delay) {
    this._cancelPending();
    this._debounce = setTimeout(() => this._validate(), delay);
  }

  async _validate() {
    const code = this._applied;
    if (!code) return;
    if (Date.now() < this._cooldownUntil) {
      this._pendingAfterCooldown = true;
      return;
    }
    const basket = this._basket;
    if (!basket.lines.length || this.total <= 0 || !basket.arrival || !basket.departure) {
      this._result = null;
      this._setMessage("error", () => this._t("empty_basket"));
      this._render();
      this._emit();
      return;
    }
    const sequence = ++this._sequence;
    const controller = new AbortController();
    this._controller = controller;
    const email = this._dom.emailInput.value.trim() || basket.guest_email;
    const body = {
      code,
      arrival: basket.arrival,
      departure: basket.departure,
      lines: basket.lines.map(({ offer_id, amount, currency }) => ({ offer_id, amount, currency })),
    };
    if (email) body.guest_email = email;
    const url = `${this.api}/v1/properties/${encodeURIComponent(this.property)}/codes/validate`;
    this.setAttribute("aria-busy", "true");

    let outcome;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      let payload = null;
      try {
        payload = await response.json();
      } catch {
        payload = null;
      }
      outcome = { status: response.status, retryAfter: response.headers.get("Retry-After"), payload };
    } catch (error) {
      if (error?.name === "AbortError") return;
      outcome = { status: 0, payload: null };
    }
    if (sequence !== this._sequence || code !== this._applied) return; // a newer basket or code took over
    this._controller = null;
    this.removeAttribute("aria-busy");
    this._handle(code, body, outcome);
  }

  _handle(code, sent, { status, retryAfter, payload }) {
    this._result = null;
    let reason;
    if (status === 200 && payload && payload.valid === true && payload.discount) {
      const discount = Number(payload.discount.amount) || 0;
      const lines = Array.isArray(payload.lines) ? payload.lines : [];
      const sumTotals = lines.reduce((sum, line) => sum + (Number(line.total) || 0), 0);
      const totalAfter = lines.length && lines.every((line) => Number.isInteger(line.total))
        ? sumTotals
        : this.total - discount;
      const shownCode = (payload.code && typeof payload.code.code === "string" && payload.code.code) || code;
      this._result = { code: shownCode, discount, lines, totalAfter, sent };
      this._setMessage("ok", () => this._t("applied", { code: shownCode, amount: this._money(discount, payload.discount.currency) }));
    } else if (status === 200 && payload && payload.valid === false) {
      reason = String(payload.reason || "other");
      this._setMessage("error", () => this._reason(reason), reason);
      if (!RETRYABLE_REASONS.has(reason)) this._applied = null;
    } else if (status === 404) {
      reason = "unknown"; // no such route yet, or no such property: the code cannot be known
      this._setMessage("error", () => this._reason("unknown"), reason);
      this._applied = null;
    } else if (status === 429) {
      const seconds = retryAfterSeconds(retryAfter);
      this._pendingAfterCooldown = true; // priced again, once, when the API lets us
      this._startCooldown(seconds ?? 10);
      this._setMessage("error", () => (seconds ? this._t("rate_limited", { seconds }) : this._t("rate_limited_later")));
    } else if (status >= 400 && status < 500) {
      this._applied = null;
      this._setMessage("error", () => this._t("error_request")); // the API's message is English: not for guests
    } else {
      this._setMessage("error", () => this._t("error_network"));
    }
    this._render();
    this._emit();
  }

  _startCooldown(seconds) {
    this._cooldownUntil = Date.now() + seconds * 1000;
    clearTimeout(this._cooldownTimer);
    this._cooldownTimer = setTimeout(() => {
      this._cooldownUntil = 0;
      this._render();
      if (this._pendingAfterCooldown && this._applied) {
        this._pendingAfterCooldown = false;
        this._scheduleValidation(0);
      }
    }, seconds * 1000);
    this._render();
  }
}

if (!customElements.get("revenir-widget")) {
  customElements.define("revenir-widget", RevenirWidget);
}

export { RevenirWidget };
