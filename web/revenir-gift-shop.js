/*
 * <revenir-gift-shop> — buy a gift voucher or gift card, paid by card through Stripe.js.
 *
 *   <script type="module" src="https://…/web/revenir-gift-shop.js"></script>
 *   <revenir-gift-shop property="demo" api="https://api.example" lang="fr"></revenir-gift-shop>
 *
 * It reads GET /v1/properties/{property}/gift-shop (products on sale, Stripe publishable key, Stripe.js URL),
 * loads Stripe.js from that URL (locally: localstripe's stand-in, so the same code runs against both), mounts
 * the card element, and pays:
 *   1. stripe.createToken(card)               the card, tokenised by Stripe (never touches our API)
 *   2. POST /v1/properties/{p}/gift-orders     the order; the server creates and confirms the PaymentIntent
 *   3. stripe.confirmCardPayment(secret)       only when 3-D Secure is required (status requires_action)
 * The vouchers are issued by Stripe's webhook, never by the browser; the e-mail follows.
 *
 * Event: revenir:gift-order (bubbling) detail = {order_id, order_number, amount, currency} once paid.
 * Light DOM on purpose: Stripe's card element and 3-D Secure dialogs live in the page's document.
 */

const TEXT = {
  fr: {
    title: "Offrir un bon cadeau", product: "Bon cadeau", amount: "Montant (€)", quantity: "Quantité",
    buyer: "Vos coordonnées", first_name: "Prénom", last_name: "Nom", email: "E-mail",
    gift: "C'est pour offrir", recipient_name: "Nom du bénéficiaire", recipient_email: "E-mail du bénéficiaire",
    message: "Votre message", delivery_date: "Date d'envoi", card: "Carte bancaire", pay: (t) => `Payer ${t}`,
    paying: "Paiement en cours…", paid: (n) => `Merci ! Commande ${n} payée : vos bons cadeaux arrivent par e-mail.`,
    error: "Le paiement n'a pas abouti.", loading: "Chargement de la boutique…", unavailable: "Boutique indisponible.",
    card_kind: "Carte cadeau", voucher_kind: "Chèque cadeau", between: (a, b) => `entre ${a} et ${b}`,
  },
  en: {
    title: "Give a gift voucher", product: "Gift voucher", amount: "Amount (€)", quantity: "Quantity",
    buyer: "Your details", first_name: "First name", last_name: "Last name", email: "E-mail",
    gift: "It's a gift", recipient_name: "Recipient's name", recipient_email: "Recipient's e-mail",
    message: "Your message", delivery_date: "Send on", card: "Card", pay: (t) => `Pay ${t}`,
    paying: "Paying…", paid: (n) => `Thank you! Order ${n} is paid: your gift vouchers are on their way by e-mail.`,
    error: "The payment did not go through.", loading: "Loading the shop…", unavailable: "Shop unavailable.",
    card_kind: "Gift card", voucher_kind: "Gift voucher", between: (a, b) => `between ${a} and ${b}`,
  },
};

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
  static get observedAttributes() { return ["lang"]; }

  connectedCallback() {
    if (this._started) return;
    this._started = true;
    this.innerHTML = `<p data-testid="gift-status">${this.t.loading}</p>`;
    this.load().catch((error) => {
      console.warn("revenir-gift-shop", error);
      this.innerHTML = `<p role="alert" data-testid="gift-status">${this.t.unavailable}</p>`;
    });
  }

  attributeChangedCallback() { if (this._shop) this.render(); }

  get t() { return TEXT[this.getAttribute("lang")] || TEXT.fr; }
  get api() { return (this.getAttribute("api") || "").replace(/\/$/, ""); }
  get property() { return this.getAttribute("property"); }

  money(cents) {
    const locale = this.getAttribute("lang") === "en" ? "en-GB" : "fr-FR";
    return new Intl.NumberFormat(locale, { style: "currency", currency: this._shop.currency }).format(cents / 100);
  }

  async load() {
    const response = await fetch(`${this.api}/v1/properties/${encodeURIComponent(this.property)}/gift-shop`);
    if (!response.ok) throw new Error(`gift-shop ${response.status}`);
    this._shop = await response.json();
    await loadScript(this._shop.stripe_js_url);
    this._stripe = window.Stripe(this._shop.stripe_publishable_key);
    this.render();
  }

  productName(p) {
    const lang = this.getAttribute("lang") || "fr";
    return (p.name_translations && p.name_translations[lang]) || p.name;
  }

  render() {
    const t = this.t;
    // The markup holds only our own translations; everything the host typed (product names) goes in as text
    // nodes below, never as HTML: a product named <img src=x onerror=…> shows as those characters.
    this.innerHTML = `
      <form class="gift-form" novalidate data-testid="gift-form">
        <h2>${t.title}</h2>
        <label class="field">${t.product}<select name="product" data-testid="gift-product"></select></label>
        <label class="field" data-amount>${t.amount}
          <input name="amount" type="number" min="1" step="1" value="50" data-testid="gift-amount"></label>
        <label class="field">${t.quantity}
          <input name="quantity" type="number" min="1" max="20" value="1" data-testid="gift-quantity"></label>
        <fieldset><legend>${t.buyer}</legend>
          <label class="field">${t.first_name}<input name="first_name" required autocomplete="given-name"
            data-testid="gift-first-name"></label>
          <label class="field">${t.last_name}<input name="last_name" required autocomplete="family-name"
            data-testid="gift-last-name"></label>
          <label class="field">${t.email}<input name="email" type="email" required autocomplete="email"
            data-testid="gift-email"></label>
        </fieldset>
        <label class="option"><input type="checkbox" name="is_gift" data-testid="gift-is-gift"> ${t.gift}</label>
        <fieldset data-recipient hidden>
          <label class="field">${t.recipient_name}<input name="recipient_name"></label>
          <label class="field">${t.recipient_email}<input name="recipient_email" type="email"></label>
          <label class="field">${t.message}<input name="message" maxlength="1000"></label>
          <label class="field">${t.delivery_date}<input name="delivery_date" type="date"></label>
        </fieldset>
        <fieldset><legend>${t.card}</legend><div class="card" data-testid="gift-card"></div></fieldset>
        <button type="submit" data-testid="gift-pay"></button>
        <p role="status" aria-live="polite" data-testid="gift-status"></p>
      </form>`;
    const form = this.querySelector("form");
    for (const p of this._shop.products) {
      const value = p.value.type === "fixed" ? this.money(p.value.amount)
        : t.between(this.money(p.value.min_amount), this.money(p.value.max_amount));
      const kind = p.kind === "card" ? t.card_kind : t.voucher_kind;
      const option = document.createElement("option");
      option.value = p.id;
      option.textContent = `${kind} — ${this.productName(p)} (${value})`;
      form.product.append(option);
    }
    this._card = this._stripe.elements().create("card");
    this._card.mount(this.querySelector(".card"));
    form.addEventListener("input", () => this.update());
    form.addEventListener("change", () => this.update());
    form.addEventListener("submit", (event) => { event.preventDefault(); this.pay(); });
    this.update();
  }

  selected() {
    const form = this.querySelector("form");
    return this._shop.products.find((p) => p.id === form.product.value);
  }

  total() {
    const form = this.querySelector("form");
    const product = this.selected();
    const unit = product.value.type === "fixed" ? product.value.amount : Math.round(Number(form.amount.value) * 100);
    return unit * Math.max(1, Number(form.quantity.value) || 1);
  }

  update() {
    const form = this.querySelector("form");
    this.querySelector("[data-amount]").hidden = this.selected().value.type === "fixed";
    this.querySelector("[data-recipient]").hidden = !form.is_gift.checked;
    this.querySelector("[data-testid=gift-pay]").textContent = this.t.pay(this.money(this.total()));
  }

  async pay() {
    const form = this.querySelector("form");
    const status = this.querySelector("[data-testid=gift-status]");
    const button = this.querySelector("[data-testid=gift-pay]");
    const product = this.selected();
    const t = this.t;
    button.disabled = true;
    status.textContent = t.paying;
    try {
      const tokenized = await this._stripe.createToken(this._card);
      if (tokenized.error) throw new Error(tokenized.error.message || t.error);
      const item = { product_id: product.id, quantity: Number(form.quantity.value) || 1 };
      if (product.value.type === "custom") item.amount = Math.round(Number(form.amount.value) * 100);
      const body = {
        items: [item],
        buyer: { first_name: form.first_name.value, last_name: form.last_name.value, email: form.email.value,
                 language: this.getAttribute("lang") || "fr" },
        payment_method: tokenized.token.card.id,
      };
      if (form.is_gift.checked) {
        body.recipient = { name: form.recipient_name.value, email: form.recipient_email.value,
                           message: form.message.value || null, delivery_date: form.delivery_date.value || null };
      }
      const response = await fetch(`${this.api}/v1/properties/${encodeURIComponent(this.property)}/gift-orders`, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const order = await response.json();
      if (!response.ok) throw new Error(order.error?.message || t.error);
      if (order.payment_status === "requires_action") {  // 3-D Secure: Stripe.js shows the bank's challenge
        const confirmed = await this._stripe.confirmCardPayment(order.client_secret);
        if (confirmed.error) throw new Error(confirmed.error.message || t.error);
      } else if (order.payment_status !== "succeeded" && order.payment_status !== "processing") {
        throw new Error(t.error);
      }
      status.textContent = t.paid(order.order_number);
      status.dataset.orderNumber = order.order_number;
      this.dispatchEvent(new CustomEvent("revenir:gift-order", { bubbles: true, composed: true, detail: {
        order_id: order.order_id, order_number: order.order_number, amount: order.amount, currency: order.currency,
      } }));
    } catch (error) {
      status.textContent = `${t.error} ${error.message || ""}`.trim();
      status.setAttribute("role", "alert");
    } finally {
      button.disabled = false;
    }
  }
}

customElements.define("revenir-gift-shop", RevenirGiftShop);
