/*
 * <revenir-reviews> — the property's guest reviews for the host's own site: overall score, count, per-category
 * bars, per-source scores and the latest reviews (with the host's replies), from the public summary endpoint
 * GET /v1/properties/{property}/reviews/summary (Google, Booking.com, Airbnb and Revenir's own form, on 0–5).
 *
 * Plain JavaScript custom element: no build step, no framework, no external resource. Embed with
 *
 *   <script type="module" src="https://…/web/revenir-reviews.js"></script>
 *   <revenir-reviews property="demo" api="https://api.example" lang="fr" latest="3"></revenir-reviews>
 *
 * Attributes
 *   property  the property id (required)
 *   api       base URL of the Revenir API; empty or absent = same origin
 *   lang      fr, en, nl or de; else the closest [lang] ancestor (followed when it changes), else English.
 *             Texts from the catalogs (web/i18n/messages.js); numbers and dates with Intl in that language.
 *   latest    how many recent reviews to show (0–20, default 3)
 *
 * Events (bubbling, composed): revenir:reviews  detail = the summary, once loaded.
 * Methods: reload().
 */

import { el, formatNumber, languageOf, tokenStyle, translator, watchLanguage } from "./revenir-common.js";

const SOURCES = { google: "Google", booking: "Booking.com", airbnb: "Airbnb", direct: "Revenir" };

const STYLE = `
  :host { --_star: var(--revenir-star, #8a6d1f); }
  h3 { font-size: 1rem; margin: 1.1rem 0 .5rem; }
  .score { display: flex; align-items: baseline; gap: .6rem; flex-wrap: wrap; }
  .average { font-size: 2.4rem; font-weight: 700; line-height: 1; }
  .stars { color: var(--_star); letter-spacing: .08em; }
  .count { color: var(--_muted); }
  .bars { display: grid; grid-template-columns: minmax(7rem, auto) minmax(3rem, 1fr) 2.5rem; gap: .35rem .75rem;
          align-items: center; margin: .75rem 0 0; }
  .bars dt { font-size: .95rem; overflow-wrap: anywhere; }
  .bars dd { margin: 0; }
  .bar { height: .55rem; border-radius: 999px; background: #e8ece9; overflow: hidden; }
  .bar > span { display: block; height: 100%; background: var(--_accent); }
  .value { font-variant-numeric: tabular-nums; text-align: right; font-size: .95rem; }
  .sources { display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: 0; list-style: none; }
  .sources li { border: 1px solid var(--_border); border-radius: 999px; padding: .15rem .7rem; font-size: .9rem; }
  ol.latest { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; }
  ol.latest li { border-top: 1px solid var(--_border); padding-top: .6rem; overflow-wrap: anywhere; }
  .meta { font-size: .9rem; color: var(--_muted); }
  .text { margin: .3rem 0 0; white-space: pre-line; }
  .reply { margin: .4rem 0 0 .8rem; padding-left: .6rem; border-left: 3px solid var(--_border); font-size: .95rem; }
  [role=status] { color: var(--_muted); }
`;

function stars(value) {
  const full = Math.round(value);
  return "★".repeat(full) + "☆".repeat(Math.max(0, 5 - full));
}

class RevenirReviews extends HTMLElement {
  static get observedAttributes() {
    return ["property", "api", "lang", "latest"];
  }

  constructor() {
    super();
    this._summary = null;
    this._state = "loading";
    this._sequence = 0;
    this.attachShadow({ mode: "open" });
    this._observer = null;
  }

  connectedCallback() {
    this._observer ??= watchLanguage(this, () => this._render());
    this.reload();
  }

  disconnectedCallback() {
    this._observer?.disconnect();
    this._observer = null;
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === "lang") this._render();
    else this.reload();
  }

  get _language() {
    return languageOf(this, this._summary?.language); // the property's language once the summary is in
  }

  async reload() {
    const property = this.getAttribute("property") || "";
    if (!property) return;
    const api = (this.getAttribute("api") || "").replace(/\/+$/, "");
    const latest = Math.max(0, Math.min(20, Number.parseInt(this.getAttribute("latest") ?? "3", 10) || 0));
    const sequence = ++this._sequence;
    this._state = "loading";
    this._render();
    try {
      const response = await fetch(
        `${api}/v1/properties/${encodeURIComponent(property)}/reviews/summary?latest=${latest}`,
        { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const summary = await response.json();
      if (sequence !== this._sequence) return;
      this._summary = summary;
      this._state = "ready";
      this.dispatchEvent(new CustomEvent("revenir:reviews", { detail: summary, bubbles: true, composed: true }));
    } catch (error) {
      if (sequence !== this._sequence) return;
      this._state = "error";
    }
    this._render();
  }

  _render() {
    const { lang, locale } = this._language;
    const t = translator(lang, locale, "reviews_widget");
    const root = this.shadowRoot;
    root.replaceChildren(tokenStyle(STYLE));
    const box = el("section", { class: "card", part: "box", "aria-labelledby": "reviews-title" },
      el("h2", { id: "reviews-title" }, t("title")));
    root.append(box);
    if (this._state !== "ready") {
      box.append(el("p", { role: "status" }, this._state === "error" ? t("error") : t("loading")));
      return;
    }
    const s = this._summary;
    if (!s.count) {
      box.append(el("p", { role: "status", "data-testid": "reviews-empty" }, t("none")));
      return;
    }
    const number = (value) => formatNumber(locale, value, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const category = (key, fallback) => {
      const text = t(`category.${key}`);
      return text === `category.${key}` ? fallback : text;
    };
    box.append(el("div", { class: "score" },
      el("span", { class: "average", "data-testid": "reviews-average" }, number(s.average)),
      el("span", { class: "stars", role: "img", "aria-label": t("out_of", { value: number(s.average) }) },
        stars(s.average)),
      el("span", { class: "count", "data-testid": "reviews-count" }, t("count", { count: s.count }))));

    const categories = Object.entries(s.categories);
    if (categories.length) {
      const bars = el("dl", { class: "bars", "data-testid": "reviews-categories" });
      for (const [key, stat] of categories) {
        const label = category(key, stat.label);
        const bar = el("div", { class: "bar", role: "meter", "aria-valuemin": 0, "aria-valuemax": 5,
                                "aria-valuenow": stat.average, "aria-label": label });
        bar.append(el("span", { style: `width:${(stat.average / 5) * 100}%` }));
        bars.append(el("dt", { "data-category": key }, label), el("dd", {}, bar),
          el("dd", { class: "value" }, number(stat.average)));
      }
      box.append(bars);
    }

    const sources = Object.entries(s.sources);
    if (sources.length > 1) {
      const list = el("ul", { class: "sources", "aria-label": t("sources") });
      for (const [key, stat] of sources) {
        list.append(el("li", { "data-source": key },
          `${SOURCES[key] ?? stat.label} ${number(stat.average)} · ${t("count", { count: stat.count })}`));
      }
      box.append(el("h3", {}, t("sources")), list);
    }

    if (s.latest.length) {
      const list = el("ol", { class: "latest", "data-testid": "reviews-latest" });
      const dates = new Intl.DateTimeFormat(locale, { month: "long", year: "numeric" });
      for (const review of s.latest) {
        const item = el("li", { "data-review": review.review_id },
          el("div", { class: "meta" },
            el("span", { class: "stars", role: "img", "aria-label": t("out_of", { value: review.rating }) },
              stars(review.rating)),
            ` ${review.author || t("anonymous")} · ${dates.format(new Date(review.created_at))} · `
            + (SOURCES[review.source] ?? review.source)));
        // The reviewer's own words keep the reviewer's language (screen readers, translation tools).
        const words = el("div", { lang: review.language || null, "data-user-content": "review" });
        if (review.title) words.append(el("strong", {}, review.title));
        if (review.text) words.append(el("p", { class: "text" }, review.text));
        if (review.title || review.text) item.append(words);
        if (review.reply) {
          item.append(el("p", { class: "reply" }, el("strong", {}, t("reply")), " ", review.reply.text));
        }
        list.append(item);
      }
      box.append(el("h3", {}, t("latest")), list);
    }
  }
}

if (!customElements.get("revenir-reviews")) customElements.define("revenir-reviews", RevenirReviews);
