/*
 * <revenir-gift-shop> — buy a gift voucher or gift card, paid through Stripe's Payment Element.
 *
 *   <script type="module" src="https://…/web/revenir-gift-shop.js"></script>
 *   <revenir-gift-shop property="demo" api="https://api.example" lang="fr"></revenir-gift-shop>
 *
 * Attributes: property (required), api (base URL; empty = same origin), lang (fr, en, nl, de; else the closest
 * [lang] ancestor, else the property's language from the gift-shop endpoint, else English), kind ("vouchers":
 * gift vouchers and cards only, "packages": prepaid packages only; absent: both, packages in their own section). Colours and font: the --revenir-* custom properties (docs/widget-theming.md),
 * shared with <revenir-widget>; they also style the Payment Element (Stripe's `appearance`).
 *
 * Flow (Stripe's "deferred intent" integration):
 *   1. GET /v1/properties/{p}/gift-shop      products on sale, publishable key, Stripe.js URL
 *      GET /v1/properties/{p}/packages/on-sale  the prepaid packages sold online (unless kind="vouchers")
 *   2. Stripe.js from that URL, initialised for the property's connected account when the shop names one
 *      (Stripe(pk, {stripeAccount}): direct charges, docs/payments.md); stripe.elements({mode: "payment", amount, currency}).create("payment"): card,
 *      and Apple Pay / Google Pay where the Payment Element offers them
 *   3. on "pay": the fields are checked in the page (messages next to each field) and elements.submit()
 *      checks the payment details; nothing is sent while anything is invalid
 *   4. POST /v1/properties/{p}/gift-orders    the order and its PaymentIntent (client_secret); for a package,
 *      POST /v1/properties/{p}/package-orders {package_id, buyer}
 *   5. stripe.confirmPayment({elements, clientSecret, redirect: "if_required"}): 3-D Secure included
 * The vouchers are issued by Stripe's webhook, never by the browser; the e-mail follows. Locally the Stripe.js
 * URL is the local runtime's stand-in (local/stripe_payment_element.js over localstripe): same code.
 *
 * Events (bubbling, composed) once paid: revenir:gift-order detail = {order_id, order_number, amount, currency};
 * revenir:package-order detail = {order_id, package_id, amount, currency}.
 * Shadow DOM for the shop; the Payment Element is mounted in a light-DOM child slotted into it (Stripe's
 * iframes and 3-D Secure dialogs live in the page's document). Data is only ever set as text.
 */

import {
  currencyDigits, el, formatDay, formatMoney, languageOf, tokenStyle, translator, watchLanguage,
} from "./revenir-common.js";

const MAX_QUANTITY = 20;
const PRESETS = [2500, 5000, 7500, 10000, 15000, 20000, 30000];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const STYLE = `
  :host { max-width: 40rem; }
  .lead { color: var(--_muted); margin: 0 0 1rem; }
  fieldset { border: 0; margin: 0 0 1.25rem; padding: 0; min-width: 0; }
  legend { font-weight: 700; padding: 0; margin-bottom: .5rem; }
  .products, .amounts { display: grid; gap: .5rem; }
  .products { grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); }
  .amounts { grid-template-columns: repeat(auto-fill, minmax(6.5rem, 1fr)); }
  .choice {
    display: flex; gap: .6rem; align-items: flex-start; min-height: 44px; padding: .65rem .8rem; margin: 0;
    border: 1px solid var(--_border); border-radius: 8px; cursor: pointer; background: var(--_surface);
    font-weight: 400;
  }
  .choice:has(input:checked) { border-color: var(--_accent); box-shadow: inset 0 0 0 1px var(--_accent); }
  .choice input { margin-top: .2rem; flex: none; }
  .choice .name { display: block; font-weight: 600; }
  .choice .value, .choice .more { display: block; color: var(--_muted); font-size: .9rem; }
  .amounts .choice { align-items: center; font-variant-numeric: tabular-nums; }
  .row2 { display: grid; gap: .9rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
  .field { margin-bottom: .9rem; }
  .check { display: flex; gap: .6rem; align-items: center; font-weight: 600; margin: 0 0 1rem; min-height: 44px; }
  textarea { min-height: 5rem; resize: vertical; }
  .payment-box { border: 1px solid var(--_border); border-radius: 8px; padding: .75rem; background: var(--_surface); }
  .total { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; font-size: 1.15rem;
           font-weight: 700; border-top: 2px solid var(--_text); padding-top: .6rem; margin: 0 0 1rem; }
  .total .amount { font-variant-numeric: tabular-nums; }
  button.pay { width: 100%; font-size: 1.05rem; }
  .status { min-height: 1.5em; margin: .75rem 0 0; }
  .status[data-kind="error"] { color: var(--_bad); font-weight: 600; }
  .status[data-kind="busy"] { color: var(--_muted); }
  .done { text-align: center; padding: 1rem 0; }
  .done .tick { font-size: 2.5rem; color: var(--_good); line-height: 1; }
  .done h2 { color: var(--_good); font-size: 1.35rem; }
`;

function loadScript(url) {
  if (window.Stripe) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`cannot load ${url}`));
    document.head.append(script);
  });
}

class RevenirGiftShop extends HTMLElement {
  static get observedAttributes() { return ["lang", "property", "api", "kind"]; }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._state = "loading"; // loading | ready | unavailable | paid
    this._shop = null;
    this._packages = [];
    this._values = { product: null, package: null, preset: null, amount: "", quantity: "1", first_name: "", last_name: "",
                     email: "", is_gift: false, recipient_name: "", recipient_email: "", message: "",
                     delivery_date: "" };
    this._errors = {};
    this._status = null; // {kind, key, params}
    this._paid = null;
    this._busy = false;
  }

  connectedCallback() {
    this._observer ??= watchLanguage(this, () => this._render());
    if (!this._slot) {
      this._slot = document.createElement("div");
      this._slot.slot = "payment";
      this._slot.dataset.testid = "gift-card";
      this.append(this._slot);
    }
    if (!this._started) {
      this._started = true;
      this._render();
      this._load().catch((error) => {
        console.warn("revenir-gift-shop", error);
        this._state = "unavailable";
        this._render();
      });
    }
  }

  disconnectedCallback() {
    this._observer?.disconnect();
    this._observer = null;
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this._started) return;
    this._render();
  }

  get _api() { return (this.getAttribute("api") || "").replace(/\/+$/, ""); }
  get _property() { return this.getAttribute("property") || ""; }
  get _kind() { return this.getAttribute("kind") || ""; }
  get _language() { return languageOf(this, this._shop?.language); }
  get _t() {
    const { lang, locale } = this._language;
    return translator(lang, locale, "gift_shop");
  }

  _money(amount) {
    return formatMoney(this._language.locale, amount, this._currency());
  }

  // ------------------------------------------------------------------ data
  async _load() {
    const base = `${this._api}/v1/properties/${encodeURIComponent(this._property)}`;
    const headers = { Accept: "application/json" };
    const [response, packages] = await Promise.all([
      fetch(`${base}/gift-shop`, { headers }),
      this._kind === "vouchers" ? null : fetch(`${base}/packages/on-sale`, { headers }).catch(() => null),
    ]);
    if (!response.ok) throw new Error(`gift-shop ${response.status}`);
    this._shop = await response.json();
    if (this._kind === "packages") this._shop.products = [];
    this._packages = packages?.ok ? (await packages.json()).packages || [] : [];
    this._state = "ready";
    const first = this._shop.products[0];
    if (first) this._selectProduct(first.id);
    else if (this._packages[0]) this._selectPackage(this._packages[0].id);
    this._render();
    if (!first && !this._packages.length) return;
    await loadScript(this._shop.stripe_js_url);
    // Direct charges: the PaymentIntent lives on the property's connected account, so Stripe.js must name it.
    const account = this._shop.stripe_account;
    this._stripe = account ? window.Stripe(this._shop.stripe_publishable_key, { stripeAccount: account })
      : window.Stripe(this._shop.stripe_publishable_key);
    this._mountPayment();
  }

  _package() {
    return this._packages.find((p) => p.id === this._values.package) ?? null;
  }

  _selectPackage(id) {
    this._values.package = id;
    this._values.product = null;
    this._values.is_gift = false;
  }

  _product() {
    return this._shop?.products.find((p) => p.id === this._values.product) ?? null;
  }

  _presets(product) {
    const { min_amount: min, max_amount: max } = product.value;
    const inside = PRESETS.filter((amount) => amount >= min && amount <= max);
    return inside.length ? inside.slice(0, 5) : [min];
  }

  _selectProduct(id) {
    this._values.product = id;
    this._values.package = null;
    const product = this._product();
    if (product && product.value.type !== "fixed") {
      const presets = this._presets(product);
      this._values.preset = presets.includes(5000) ? 5000 : presets[0];
    }
  }

  _unit() {
    const product = this._product();
    if (!product) return 0;
    if (product.value.type === "fixed") return product.value.amount;
    if (this._values.preset !== "other") return this._values.preset;
    const digits = currencyDigits(this._shop.currency);
    const number = Number(String(this._values.amount).replace(",", "."));
    return Number.isFinite(number) ? Math.round(number * 10 ** digits) : NaN;
  }

  _quantity() {
    const n = Number(this._values.quantity);
    return Number.isInteger(n) ? n : NaN;
  }

  _total() {
    const pack = this._package();
    if (pack) return pack.price;
    const unit = this._unit(), quantity = this._quantity();
    return Number.isFinite(unit) && unit > 0 && quantity >= 1 && quantity <= MAX_QUANTITY ? unit * quantity : 0;
  }

  _currency() {
    return this._package()?.currency || this._shop?.currency || "EUR";
  }

  _productName(product) {
    return product.name_translations?.[this._language.lang] || product.name;
  }

  _productDescription(product) {
    return product.description_translations?.[this._language.lang] || product.description || "";
  }

  _today() {
    return new Intl.DateTimeFormat("en-CA").format(new Date());
  }

  // ------------------------------------------------------------------ validation
  _validate() {
    const t = this._t, v = this._values, errors = {};
    const product = this._product();
    if (product && product.value.type !== "fixed") {
      const unit = this._unit();
      const { min_amount: min, max_amount: max } = product.value;
      if (!Number.isFinite(unit) || unit < min || unit > max) {
        errors.amount = t("error.amount", { min: this._money(min), max: this._money(max) });
      }
    }
    const quantity = this._quantity();
    if (!this._package() && !(quantity >= 1 && quantity <= MAX_QUANTITY)) errors.quantity = t("error.quantity", { max: MAX_QUANTITY });
    for (const name of ["first_name", "last_name"]) if (!v[name].trim()) errors[name] = t("error.required");
    if (!v.email.trim()) errors.email = t("error.required");
    else if (!EMAIL.test(v.email.trim())) errors.email = t("error.email");
    if (v.is_gift && !this._package()) {
      if (!v.recipient_name.trim()) errors.recipient_name = t("error.required");
      if (!v.recipient_email.trim()) errors.recipient_email = t("error.required");
      else if (!EMAIL.test(v.recipient_email.trim())) errors.recipient_email = t("error.email");
      if (v.delivery_date && v.delivery_date < this._today()) errors.delivery_date = t("error.date");
    }
    return errors;
  }

  // ------------------------------------------------------------------ payment element
  _appearance() {
    const style = getComputedStyle(this);
    const token = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    return {
      theme: "stripe",
      variables: {
        colorPrimary: token("--_accent", "#2f6b4f"), colorText: token("--_text", "#1f2a24"),
        colorDanger: token("--_bad", "#a3261b"), colorBackground: "#ffffff", borderRadius: "8px",
        fontFamily: token("--_font", "system-ui, sans-serif"),
      },
    };
  }

  _mountPayment() {
    if (!this._stripe || this._elements) return;
    this._elements = this._stripe.elements({
      mode: "payment", amount: this._total() || this._unit() || 100, currency: this._currency().toLowerCase(),
      locale: this._language.lang, appearance: this._appearance(),
    });
    this._payment = this._elements.create("payment", { layout: "tabs" });
    this._payment.mount(this._slot);
    this._payment.on("change", (event) => {
      if (event?.complete && this._errors.payment) {
        delete this._errors.payment;
        this._render();
      }
    });
  }

  _syncAmount() {
    const total = this._total();
    if (this._elements && total > 0) this._elements.update({ amount: total, currency: this._currency().toLowerCase() });
  }

  // ------------------------------------------------------------------ paying
  async _pay() {
    if (this._busy) return;
    const t = this._t;
    this._errors = this._validate();
    let paymentError = null;
    if (this._elements) {
      const checked = await this._elements.submit();
      paymentError = checked?.error ?? null;
    } else {
      paymentError = { message: "" };
    }
    if (paymentError) this._errors.payment = t("error.card");
    if (Object.keys(this._errors).length) {
      this._status = { kind: "error", key: "fix_fields" };
      this._render();
      const first = this.shadowRoot.querySelector('[aria-invalid="true"]');
      if (first) first.focus();
      else this._slot.querySelector("input, iframe")?.focus();
      return;
    }
    this._busy = true;
    this._status = { kind: "busy", key: "paying" };
    this._render();
    try {
      const pack = this._package();
      const order = pack ? await this._packageOrder(pack) : await this._order();
      if ((order.stripe_account || null) !== (this._shop.stripe_account || null)) {
        throw new Error("the property's Stripe account changed: reload the shop"); // nothing confirmed
      }
      const result = await this._stripe.confirmPayment({
        elements: this._elements, clientSecret: order.client_secret, redirect: "if_required",
        confirmParams: { return_url: window.location.href, receipt_email: this._values.email.trim() },
      });
      const status = result?.paymentIntent?.status;
      if (result?.error || !["succeeded", "processing", "requires_capture"].includes(status)) {
        const declined = result?.error?.code === "card_declined" || result?.error?.decline_code;
        this._status = { kind: "error", key: declined ? "declined" : "failed" };
        return;
      }
      this._paid = { order: pack ? order.order_id : order.order_number, email: this._values.email.trim(),
                     package: Boolean(pack) };
      this._state = "paid";
      this._status = null;
      this.dispatchEvent(pack
        ? new CustomEvent("revenir:package-order", { bubbles: true, composed: true, detail: {
          order_id: order.order_id, package_id: order.package_id, amount: order.amount, currency: order.currency,
        } })
        : new CustomEvent("revenir:gift-order", { bubbles: true, composed: true, detail: {
          order_id: order.order_id, order_number: order.order_number, amount: order.amount, currency: order.currency,
        } }));
    } catch (error) {
      console.warn("revenir-gift-shop", error);
      this._status = { kind: "error", key: "failed" };
    } finally {
      this._busy = false;
      this._render();
    }
  }

  async _order() {
    const v = this._values, product = this._product();
    const item = { product_id: product.id, quantity: this._quantity() };
    if (product.value.type !== "fixed") item.amount = this._unit();
    const body = {
      items: [item],
      buyer: { first_name: v.first_name.trim(), last_name: v.last_name.trim(), email: v.email.trim(),
               language: this._language.lang },
    };
    if (v.is_gift) {
      body.recipient = { name: v.recipient_name.trim(), email: v.recipient_email.trim(),
                         message: v.message.trim() || null, delivery_date: v.delivery_date || null,
                         language: this._language.lang };
    }
    const response = await fetch(`${this._api}/v1/properties/${encodeURIComponent(this._property)}/gift-orders`, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`gift-orders ${response.status}`);
    return response.json();
  }

  async _packageOrder(pack) {
    const v = this._values;
    const body = {
      package_id: pack.id,
      buyer: { first_name: v.first_name.trim(), last_name: v.last_name.trim(), email: v.email.trim(),
               language: this._language.lang },
    };
    const response = await fetch(`${this._api}/v1/properties/${encodeURIComponent(this._property)}/package-orders`, {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`package-orders ${response.status}`);
    return response.json();
  }

  _again() {
    this._state = "ready";
    this._paid = null;
    for (const name of ["recipient_name", "recipient_email", "message", "delivery_date"]) this._values[name] = "";
    this._values.is_gift = false;
    this._render();
  }

  // ------------------------------------------------------------------ DOM
  _input(name, labelKey, attrs = {}, hintKey = null, hintParams = {}) {
    const t = this._t, error = this._errors[name];
    const described = [hintKey ? `${name}-hint` : null, `${name}-error`].filter(Boolean).join(" ");
    const { tag = "input", labelParams = {}, ...rest } = attrs;
    const input = el(tag, {
      id: name, name, "aria-describedby": described, "aria-invalid": error ? "true" : null,
      "data-testid": `gift-${name.replaceAll("_", "-")}`, ...rest,
    });
    input.value = this._values[name];
    input.addEventListener("input", () => {
      this._values[name] = input.value;
      if (this._errors[name]) { // fixed while typing: the message goes as soon as the value is right
        const again = this._validate();
        if (!again[name]) {
          delete this._errors[name];
          input.removeAttribute("aria-invalid");
          this.shadowRoot.getElementById(`${name}-error`).textContent = "";
        }
      }
      if (name === "amount" || name === "quantity") this._updateTotal();
    });
    return el("div", { class: "field" },
      el("label", { for: name }, t(labelKey, labelParams)),
      input,
      hintKey ? el("span", { id: `${name}-hint`, class: "hint" }, t(hintKey, hintParams)) : null,
      el("span", { id: `${name}-error`, class: "field-error", "data-testid": `gift-${name.replaceAll("_", "-")}-error` },
        error || ""));
  }

  _updateTotal() {
    const total = this._total();
    const amount = this.shadowRoot.querySelector("[data-testid=gift-total]");
    const pay = this.shadowRoot.querySelector("[data-testid=gift-pay]");
    if (amount) amount.textContent = this._money(total);
    if (pay) pay.textContent = this._t("pay", { amount: this._money(total) });
    this._syncAmount();
  }

  // Prepaid packages (docs/payments.md): the name in the guest's language, what it covers, price, validity.
  _packageChoices() {
    const t = this._t, list = el("div", { class: "products" });
    for (const pack of this._packages) {
      const radio = el("input", { type: "radio", name: "product", value: `package:${pack.id}`,
                                  "data-testid": `gift-package-${pack.id}` });
      radio.checked = pack.id === this._values.package;
      radio.addEventListener("change", () => {
        this._selectPackage(pack.id);
        delete this._errors.amount;
        delete this._errors.quantity;
        this._render();
        this._syncAmount();
      });
      const unit = ["night", "stay", "service"].includes(pack.unit) ? pack.unit : "service";
      const description = pack.description_translations?.[this._language.lang] || pack.description || "";
      const price = formatMoney(this._language.locale, pack.price, pack.currency || this._shop.currency);
      list.append(el("label", { class: "choice" }, radio,
        el("span", {}, el("span", { class: "name", "data-user-content": "host" },
          pack.name_translations?.[this._language.lang] || pack.name),
        el("span", { class: "value", "data-testid": "package-covers" },
          t(`package.covers.${unit}`, { count: pack.units })),
        el("span", { class: "value", "data-testid": "package-price" }, price),
        description ? el("span", { class: "more", "data-user-content": "host" }, description) : null,
        Number(pack.validity_months) > 0
          ? el("span", { class: "more" }, t("validity.months", { count: Number(pack.validity_months) })) : null)));
    }
    return el("fieldset", { "data-testid": "gift-packages" }, el("legend", {}, t("package.legend")),
      el("p", { class: "hint", style: "margin:0 0 .5rem" }, t("package.hint")), list);
  }

  _render() {
    const t = this._t;
    const root = this.shadowRoot;
    const card = el("section", { class: "card", part: "card", "aria-labelledby": "gift-title" });
    root.replaceChildren(tokenStyle(STYLE), card);
    if (this._state === "paid") {
      card.append(el("div", { class: "done", role: "status", "data-testid": "gift-paid" },
        el("div", { class: "tick", "aria-hidden": "true" }, "✓"),
        el("h2", { id: "gift-title" }, t("paid_title")),
        el("p", { "data-testid": "gift-status", "data-order-number": this._paid.order },
          t(this._paid.package ? "package.paid" : "paid", this._paid)),
        el("button", { type: "button", class: "secondary", "data-testid": "gift-again" },
          t(this._paid.package ? "package.another" : "another"))));
      root.querySelector("[data-testid=gift-again]").addEventListener("click", () => this._again());
      this._slot.hidden = true;
      return;
    }
    const packagesOnly = this._kind === "packages";
    card.append(el("h2", { id: "gift-title" }, t(packagesOnly ? "package.title" : "title")));
    if (this._state !== "ready" || (!this._shop.products.length && !this._packages.length)) {
      const key = this._state === "loading" ? "loading" : this._state === "unavailable" ? "unavailable"
        : packagesOnly ? "package.empty" : "empty";
      card.append(el("p", { role: "status", "data-testid": "gift-status" }, t(key)));
      this._slot.hidden = true;
      return;
    }
    this._slot.hidden = false;
    card.append(el("p", { class: "lead" }, t(packagesOnly ? "package.lead" : "lead")));
    const form = el("form", { novalidate: true, "data-testid": "gift-form" });
    card.append(form);

    // Products: the name once, then the value (a fixed amount or the range the buyer chooses in).
    const products = el("div", { class: "products" });
    for (const product of this._shop.products) {
      const value = product.value.type === "fixed"
        ? this._money(product.value.amount)
        : t("value.range", { min: this._money(product.value.min_amount), max: this._money(product.value.max_amount) });
      const radio = el("input", { type: "radio", name: "product", value: product.id,
                                  "data-testid": `gift-product-${product.id}` });
      radio.checked = product.id === this._values.product;
      radio.addEventListener("change", () => {
        this._selectProduct(product.id);
        delete this._errors.amount;
        this._render();
        this._syncAmount();
      });
      const description = this._productDescription(product);
      const months = Number(product.validity?.months), until = product.validity?.until;
      const validity = months > 0 ? t("validity.months", { count: months })
        : /^\d{4}-\d{2}-\d{2}$/.test(until || "") ? t("validity.until", { date: formatDay(this._language.locale, until) })
          : null;
      products.append(el("label", { class: "choice" }, radio,
        el("span", {}, el("span", { class: "name", "data-user-content": "host" }, this._productName(product)),
          el("span", { class: "value" }, value),
          description ? el("span", { class: "more", "data-user-content": "host" }, description) : null,
          validity ? el("span", { class: "more" }, validity) : null)));
    }
    if (this._shop.products.length) {
      form.append(el("fieldset", { "data-testid": "gift-product" }, el("legend", {}, t("product_legend")), products));
    }
    if (this._packages.length) form.append(this._packageChoices());

    const product = this._product();
    const pack = this._package();
    if (product && product.value.type !== "fixed") {
      const amounts = el("div", { class: "amounts" });
      const choices = [...this._presets(product), "other"];
      for (const preset of choices) {
        const radio = el("input", { type: "radio", name: "preset", value: String(preset),
                                    "data-testid": `gift-preset-${preset}` });
        radio.checked = this._values.preset === preset;
        radio.addEventListener("change", () => {
          this._values.preset = preset;
          delete this._errors.amount;
          this._render();
          this._syncAmount();
          if (preset === "other") this.shadowRoot.getElementById("amount")?.focus();
        });
        amounts.append(el("label", { class: "choice" }, radio,
          preset === "other" ? t("amount_other") : this._money(preset)));
      }
      const fieldset = el("fieldset", {}, el("legend", {}, t("amount_legend")), amounts);
      if (this._values.preset === "other") {
        const digits = currencyDigits(this._shop.currency);
        fieldset.append(el("div", { style: "margin-top:.75rem" }, this._input("amount", "amount_label", {
          type: "number", inputmode: "decimal", min: product.value.min_amount / 10 ** digits,
          max: product.value.max_amount / 10 ** digits, step: "any",
          labelParams: { currency: this._shop.currency },
        }, "amount_hint", { min: this._money(product.value.min_amount), max: this._money(product.value.max_amount) })));
      } else if (this._errors.amount) {
        delete this._errors.amount;
      }
      form.append(fieldset);
    }
    if (!pack) {
      form.append(this._input("quantity", "quantity", { type: "number", inputmode: "numeric", min: 1,
                                                        max: MAX_QUANTITY, step: 1, style: "max-width:8rem" }));
    }

    form.append(el("fieldset", {}, el("legend", {}, t("buyer")),
      el("div", { class: "row2" },
        this._input("first_name", "first_name", { autocomplete: "given-name", maxlength: 100 }),
        this._input("last_name", "last_name", { autocomplete: "family-name", maxlength: 100 })),
      this._input("email", "email", { type: "email", autocomplete: "email", inputmode: "email", maxlength: 254 },
        pack ? "package.email_hint" : "email_hint")));

    const gift = el("input", { type: "checkbox", id: "is_gift", "data-testid": "gift-is-gift" });
    gift.checked = this._values.is_gift;
    gift.addEventListener("change", () => {
      this._values.is_gift = gift.checked;
      this._render();
      if (gift.checked) this.shadowRoot.getElementById("recipient_name")?.focus();
      else this.shadowRoot.getElementById("is_gift")?.focus();
    });
    if (!pack) form.append(el("label", { class: "check", for: "is_gift" }, gift, t("is_gift")));
    if (this._values.is_gift && !pack) {
      form.append(el("fieldset", { "data-testid": "gift-recipient" }, el("legend", {}, t("recipient")),
        el("div", { class: "row2" },
          this._input("recipient_name", "recipient_name", { autocomplete: "off", maxlength: 200 }),
          this._input("recipient_email", "recipient_email", { type: "email", autocomplete: "off", maxlength: 254 })),
        this._input("message", "message", { tag: "textarea", maxlength: 1000, rows: 3 }),
        this._input("delivery_date", "delivery_date", { type: "date", min: this._today(), style: "max-width:14rem" },
          "delivery_hint")));
    }

    const paymentError = this._errors.payment || "";
    form.append(el("fieldset", {}, el("legend", {}, t("payment")),
      el("div", { class: "payment-box", "aria-describedby": "payment-error" }, el("slot", { name: "payment" })),
      el("span", { id: "payment-error", class: "field-error", "data-testid": "gift-payment-error" }, paymentError),
      el("span", { class: "hint" }, t("secure"))));

    const total = this._total();
    form.append(el("p", { class: "total" }, el("span", {}, t("total")),
      el("span", { class: "amount", "data-testid": "gift-total" }, this._money(total))));
    form.append(el("button", { type: "submit", class: "pay", "data-testid": "gift-pay", disabled: this._busy },
      t("pay", { amount: this._money(total) })));
    const status = this._status;
    form.append(el("p", { class: "status", role: status?.kind === "error" ? "alert" : "status",
                          "aria-live": "polite", "data-kind": status?.kind || "", "data-testid": "gift-status" },
      status ? t(status.key, status.params || {}) : ""));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this._pay();
    });
  }
}

if (!customElements.get("revenir-gift-shop")) customElements.define("revenir-gift-shop", RevenirGiftShop);

export { RevenirGiftShop };
