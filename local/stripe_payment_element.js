/*
 * LOCAL ONLY — a stand-in for the part of Stripe.js's Payment Element that web/revenir-gift-shop.js calls,
 * built over localstripe's Stripe.js stand-in (which only has the card element and confirmCardPayment).
 * The local runtime serves it at /_local/stripe.js (STRIPE_JS_URL), prefixed with its configuration:
 *   window.__revenirLocalStripe = {localstripe: ".../js.stripe.com/v3/", confirm: ".../_local/stripe/confirm"}
 *
 * Subset: Stripe(key, {stripeAccount}).elements({mode, amount, currency, locale, appearance}) → elements.create("payment")
 * → element.mount(node) / .on("change") ; elements.update({amount}) ; elements.submit() ;
 * stripe.confirmPayment({elements, clientSecret, confirmParams, redirect: "if_required"}).
 * confirmPayment tokenises the card with localstripe, has the local runtime attach it to the PaymentIntent and
 * confirm it with the secret key (localstripe refuses a publishable-key confirm), and runs localstripe's
 * 3-D Secure dialog (confirmCardPayment) when the intent requires action. With `stripeAccount` (a direct charge on
 * a connected account) the confirm names that account, as Stripe.js does with its Stripe-Account header: the
 * Connect stand-in (local/connect.py) answers 404 for an intent created on another account (or the platform).
 */
(() => {
  const config = window.__revenirLocalStripe;
  let innerStripe = null;
  const ready = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = config.localstripe;
    script.onload = () => {
      innerStripe = window.Stripe; // localstripe's, which just replaced ours
      window.Stripe = LocalStripe;
      resolve();
    };
    script.onerror = () => reject(new Error("localstripe's Stripe.js did not load"));
    document.head.append(script);
  });

  const LABELS = {
    fr: { number: "Numéro de carte", exp_month: "Mois d'expiration", exp_year: "Année d'expiration",
          cvc: "Code de sécurité", postal_code: "Code postal" },
    en: { number: "Card number", exp_month: "Expiry month", exp_year: "Expiry year", cvc: "Security code",
          postal_code: "Postal code" },
    nl: { number: "Kaartnummer", exp_month: "Vervalmaand", exp_year: "Vervaljaar", cvc: "Beveiligingscode",
          postal_code: "Postcode" },
    de: { number: "Kartennummer", exp_month: "Ablaufmonat", exp_year: "Ablaufjahr", cvc: "Prüfnummer",
          postal_code: "Postleitzahl" },
  };
  const PLACEHOLDERS = { number: "1234 1234 1234 1234", exp_month: "MM", exp_year: "YY", cvc: "CVC",
                         postal_code: "12345" };

  function complete(card) {
    const value = card?.value?.card;
    return Boolean(value && value.number.replace(/\s/g, "").length >= 12 && value.exp_month
                   && value.exp_year.length >= 4 && value.cvc.length >= 3);
  }

  class PaymentElement {
    constructor(elements) {
      this._elements = elements;
      this._handlers = [];
      this.card = null;
    }

    mount(target) {
      const node = typeof target === "string" ? document.querySelector(target) : target;
      const box = document.createElement("div");
      box.dataset.localstripe = "payment-element";
      Object.assign(box.style, { display: "flex", flexWrap: "wrap", gap: "8px" });
      node.append(box);
      ready.then(() => {
        const inner = innerStripe(this._elements._key).elements();
        this.card = inner.create("card");
        this.card.mount(box);
        const vars = this._elements._options.appearance?.variables || {};
        const labels = LABELS[this._elements._options.locale] || LABELS.en;
        for (const child of box.children) {
          if (child.tagName !== "INPUT") {
            child.hidden = true; // localstripe's "localstripe: " marker
            continue;
          }
          const field = child.getAttribute("placeholder");
          child.dataset.field = field;
          child.setAttribute("aria-label", labels[field] || field);
          child.setAttribute("placeholder", PLACEHOLDERS[field] || field);
          child.setAttribute("inputmode", "numeric");
          child.setAttribute("autocomplete", field === "number" ? "cc-number" : field === "cvc" ? "cc-csc" : "off");
          Object.assign(child.style, {
            flex: field === "number" ? "1 1 100%" : "1 1 4.5rem", minWidth: "0", width: "auto", minHeight: "44px",
            padding: "8px 10px", font: "inherit", fontSize: "16px", boxSizing: "border-box",
            border: "1px solid #8a968f", borderRadius: vars.borderRadius || "8px", color: vars.colorText || "inherit",
            background: "#fff",
          });
        }
        this.card.on("change", () => {
          const event = { elementType: "payment", complete: complete(this.card), empty: false };
          for (const handler of this._handlers) handler(event);
        });
      });
    }

    on(event, handler) {
      if (event === "change") this._handlers.push(handler);
      return this;
    }

    focus() {
      this.card?._inputs?.number?.focus();
    }
  }

  class Elements {
    constructor(key, options) {
      this._key = key;
      this._options = options || {};
      this._payment = null;
    }

    create(type, options) {
      if (type !== "payment") throw new Error(`local stand-in: only the "payment" element (not ${type})`);
      this._payment = new PaymentElement(this, options);
      return this._payment;
    }

    getElement(type) {
      return type === "payment" ? this._payment : null;
    }

    update(options) {
      Object.assign(this._options, options || {});
    }

    async submit() {
      await ready;
      const card = this._payment?.card;
      const ok = complete(card);
      for (const input of Object.values(card?._inputs || {})) {
        if (!ok && !input.value) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      }
      return ok ? {} : { error: { type: "validation_error", code: "incomplete", message: "incomplete card" } };
    }
  }

  function LocalStripe(key, options) {
    const account = options?.stripeAccount || null;
    return {
      _stripeAccount: account,
      elements: (options) => new Elements(key, options),
      async confirmPayment({ elements, clientSecret }) {
        await ready;
        const card = elements?._payment?.card;
        if (!complete(card)) return { error: { type: "validation_error", code: "incomplete" } };
        const stripe = innerStripe(key);
        const tokenised = await stripe.createToken(card);
        if (tokenised.error) return { error: tokenised.error };
        const response = await fetch(config.confirm, {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ client_secret: clientSecret, payment_method: tokenised.token.card.id,
                                stripe_account: account }),
        });
        const intent = await response.json().catch(() => ({}));
        if (!response.ok || intent.error) return { error: intent.error || { type: "api_error" } };
        if (intent.status === "requires_action") return stripe.confirmCardPayment(clientSecret); // 3-D Secure
        return { paymentIntent: intent };
      },
    };
  }

  window.Stripe = LocalStripe;
})();
