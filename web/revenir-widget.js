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
 *   lang      "fr" (default) or "en"; falls back to the closest [lang] ancestor, then French
 *   locale    locale used to format amounts and dates (default "fr-FR")
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
 * Money is always an integer number of minor units; only the display divides by 100.
 */

const I18N = {
  fr: {
    summary: "Votre séjour",
    empty: "Votre panier est vide.",
    nights: (n) => (n > 1 ? `${n} nuits` : `${n} nuit`),
    from_to: (a, d) => `Du ${a} au ${d}`,
    total: "Total",
    promo_label: "Code promo",
    promo_placeholder: "ex. BIENVENUE10",
    apply: "Appliquer",
    remove: "Retirer le code",
    email_label: "Votre e-mail (facultatif)",
    email_hint: "Certains codes sont personnels ou réservés à un premier séjour.",
    discount: (code) => `Remise (${code})`,
    total_after: "Total après remise",
    checking: "Vérification du code…",
    repricing: "Recalcul de la remise…",
    applied: (code, amount) => `Code ${code} appliqué : ${amount} de remise.`,
    enter_code: "Saisissez un code promo.",
    empty_basket: "Ajoutez un hébergement avant d'appliquer un code.",
    rate_limited: (s) => `Trop de tentatives. Réessayez dans ${s} s.`,
    rate_limited_later: "Trop de tentatives. Réessayez dans un instant.",
    error_request: "Ce code n'a pas pu être vérifié.",
    error_network: "Le service est momentanément indisponible. Réessayez dans un instant.",
    reasons: {
      unknown: "Code inconnu. Vérifiez l'orthographe.",
      not_yet_valid: "Ce code n'est pas encore valable.",
      expired: "Ce code a expiré.",
      exhausted: "Ce code a déjà été utilisé le nombre maximal de fois.",
      guest_limit_reached: "Vous avez déjà utilisé ce code.",
      not_applicable: "Ce code ne s'applique pas aux hébergements ou options choisis.",
      min_nights: "Ce code demande un séjour plus long.",
      max_nights: "Ce code n'est pas valable pour un séjour aussi long.",
      arrival_day: "Ce code n'est pas valable pour ce jour d'arrivée.",
      min_amount: "Le montant de votre séjour est inférieur au minimum requis pour ce code.",
      first_stay_only: "Ce code est réservé à un premier séjour chez nous.",
      other: "Ce code ne peut pas être appliqué à ce séjour.",
    },
  },
  en: {
    summary: "Your stay",
    empty: "Your basket is empty.",
    nights: (n) => (n > 1 ? `${n} nights` : `${n} night`),
    from_to: (a, d) => `From ${a} to ${d}`,
    total: "Total",
    promo_label: "Promo code",
    promo_placeholder: "e.g. BIENVENUE10",
    apply: "Apply",
    remove: "Remove code",
    email_label: "Your e-mail (optional)",
    email_hint: "Some codes are personal or for a first stay only.",
    discount: (code) => `Discount (${code})`,
    total_after: "Total after discount",
    checking: "Checking the code…",
    repricing: "Updating the discount…",
    applied: (code, amount) => `Code ${code} applied: ${amount} off.`,
    enter_code: "Enter a promo code.",
    empty_basket: "Add an accommodation before applying a code.",
    rate_limited: (s) => `Too many attempts. Try again in ${s} s.`,
    rate_limited_later: "Too many attempts. Try again in a moment.",
    error_request: "This code could not be checked.",
    error_network: "The service is unavailable right now. Please try again in a moment.",
    reasons: {
      unknown: "Unknown code. Please check the spelling.",
      not_yet_valid: "This code is not valid yet.",
      expired: "This code has expired.",
      exhausted: "This code has already been used the maximum number of times.",
      guest_limit_reached: "You have already used this code.",
      not_applicable: "This code does not apply to the accommodation or options you chose.",
      min_nights: "This code requires a longer stay.",
      max_nights: "This code is not valid for such a long stay.",
      arrival_day: "This code is not valid for this arrival day.",
      min_amount: "Your stay is below the minimum amount for this code.",
      first_stay_only: "This code is for a first stay with us only.",
      other: "This code cannot be applied to this stay.",
    },
  },
};

const REVALIDATE_DELAY_MS = 300;

// Reasons that depend on the basket or on the guest: the code stays applied and is tried again when they change.
// For the others (unknown, expired, exhausted, …) the code is dropped until the guest applies a code again.
const RETRYABLE_REASONS = new Set([
  "not_applicable", "min_nights", "max_nights", "arrival_day", "min_amount", "guest_limit_reached", "first_stay_only",
  "not_yet_valid",
]);

const STYLE = `
  :host {
    --revenir-accent: #2f6b4f;
    --revenir-accent-contrast: #ffffff;
    --revenir-text: #1f2a24;
    --revenir-muted: #5b6660;
    --revenir-border: #d5dcd7;
    --revenir-surface: #ffffff;
    --revenir-good: #1f6b3a;
    --revenir-bad: #a3261b;
    --revenir-radius: 12px;
    display: block;
    box-sizing: border-box;
    max-width: 32rem;
    color: var(--revenir-text);
    font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  }
  :host([hidden]) { display: none; }
  *, *::before, *::after { box-sizing: inherit; }
  .card {
    background: var(--revenir-surface);
    border: 1px solid var(--revenir-border);
    border-radius: var(--revenir-radius);
    padding: 1.25rem;
    box-shadow: 0 1px 2px rgb(0 0 0 / 4%), 0 4px 16px rgb(0 0 0 / 6%);
  }
  h2 { font-size: 1.15rem; margin: 0 0 .25rem; }
  .stay { margin: 0 0 1rem; color: var(--revenir-muted); font-size: .95rem; }
  ul.lines { list-style: none; margin: 0; padding: 0; }
  .row {
    display: flex; justify-content: space-between; align-items: baseline; gap: 1rem;
    padding: .45rem 0; border-bottom: 1px dashed var(--revenir-border);
  }
  .row .what { min-width: 0; overflow-wrap: anywhere; }
  .row .detail { display: block; color: var(--revenir-muted); font-size: .85rem; }
  .row .amount { white-space: nowrap; font-variant-numeric: tabular-nums; text-align: right; }
  .row .line-discount { display: block; color: var(--revenir-good); font-size: .85rem; }
  .row.total { border-bottom: 0; font-weight: 700; font-size: 1.05rem; }
  .row.discount { color: var(--revenir-good); border-bottom: 0; }
  .row.after { font-weight: 700; font-size: 1.15rem; border-top: 2px solid var(--revenir-text); border-bottom: 0; }
  .row.total.superseded .amount { text-decoration: line-through; color: var(--revenir-muted); font-weight: 400; }
  .empty { color: var(--revenir-muted); margin: .5rem 0; }
  form { margin-top: 1rem; padding-top: 1rem; border-top: 1px solid var(--revenir-border); }
  label { display: block; font-weight: 600; margin-bottom: .3rem; }
  .field + .field { margin-top: .9rem; }
  .hint { display: block; color: var(--revenir-muted); font-size: .85rem; margin-top: .25rem; }
  .promo { display: flex; flex-wrap: wrap; gap: .5rem; }
  input {
    flex: 1 1 10rem; min-width: 0; min-height: 44px; padding: .5rem .75rem;
    font: inherit; font-size: 16px; color: inherit; background: #fff;
    border: 1px solid #8a968f; border-radius: 8px; width: 100%;
  }
  #promo-input { text-transform: uppercase; letter-spacing: .04em; width: auto; }
  #promo-input::placeholder { text-transform: none; letter-spacing: normal; }
  button {
    min-height: 44px; padding: .5rem 1.1rem; font: inherit; font-weight: 600; cursor: pointer;
    border-radius: 8px; border: 1px solid var(--revenir-accent);
    background: var(--revenir-accent); color: var(--revenir-accent-contrast);
  }
  button.secondary {
    background: transparent; color: var(--revenir-accent); font-weight: 500; border-color: transparent;
    text-decoration: underline; text-underline-offset: 3px; padding-inline: .5rem;
  }
  button[disabled] { opacity: .55; cursor: not-allowed; }
  input:focus-visible, button:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }
  .message { min-height: 1.5em; margin: .6rem 0 1rem; font-size: .95rem; }
  .message:empty { margin-bottom: .5rem; }
  .message[data-kind="ok"] { color: var(--revenir-good); }
  .message[data-kind="error"] { color: var(--revenir-bad); }
  .message[data-kind="busy"] { color: var(--revenir-muted); }
  .sr-only {
    position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
    overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
  @media (max-width: 480px) {
    .card { padding: 1rem; }
    .promo button { flex: 1 1 100%; }
  }
  @media (prefers-reduced-motion: no-preference) {
    button { transition: filter .15s; }
    button:not([disabled]):hover { filter: brightness(1.1); }
  }
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

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
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
    this.attachShadow({ mode: "open" });
    this._build();
  }

  connectedCallback() {
    // A page may have set `basket` before this module loaded: re-run it through the setter.
    if (Object.prototype.hasOwnProperty.call(this, "basket")) {
      const value = this.basket;
      delete this.basket;
      this.basket = value;
    }
    this._render();
  }

  disconnectedCallback() {
    this._cancelPending();
    clearTimeout(this._cooldownTimer);
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this._dom) return;
    if (name === "lang" || name === "locale") {
      this._relabel();
      this._render();
    } else if (this._applied) {
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
  get _lang() {
    const own = this.getAttribute("lang") || this.closest("[lang]")?.getAttribute("lang") || "fr";
    const short = own.toLowerCase().split("-")[0];
    return I18N[short] ? short : "en"; // French by default; English for any language we don't speak
  }

  _t(key, ...args) {
    const value = I18N[this._lang][key] ?? I18N.en[key];
    return typeof value === "function" ? value(...args) : value;
  }

  _reason(reason) {
    const own = I18N[this._lang].reasons, en = I18N.en.reasons;
    return own[reason] ?? en[reason] ?? own.other;
  }

  get _locale() {
    return this.getAttribute("locale") || "fr-FR";
  }

  _money(amount, currency = "EUR") {
    try {
      return new Intl.NumberFormat(this._locale, { style: "currency", currency }).format(amount / 100);
    } catch {
      return `${(amount / 100).toFixed(2)} ${currency}`;
    }
  }

  _date(iso) {
    return new Intl.DateTimeFormat(this._locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" })
      .format(new Date(`${iso}T00:00:00Z`));
  }

  // ------------------------------------------------------------------ DOM
  _build() {
    const root = this.shadowRoot;
    const style = el("style");
    style.textContent = STYLE;

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
      ? `${this._t("from_to", this._date(basket.arrival), this._date(basket.departure))} · ${this._t("nights", nights)}`
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
        this._row("discount", this._t("discount", result.code), `−${this._money(result.discount, currency)}`,
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
      this._setMessage("ok", () => this._t("applied", shownCode, this._money(discount, payload.discount.currency)));
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
      this._setMessage("error", () => (seconds ? this._t("rate_limited", seconds) : this._t("rate_limited_later")));
    } else if (status >= 400 && status < 500) {
      this._applied = null;
      const detail = payload?.error?.message;
      this._setMessage("error", () => (detail ? `${this._t("error_request")} (${detail})` : this._t("error_request")));
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
