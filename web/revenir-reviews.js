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
 *   lang      fr (default), en, nl or de; falls back to the closest [lang] ancestor (followed when it changes)
 *   latest    how many recent reviews to show (0–20, default 3)
 *
 * Events (bubbling, composed): revenir:reviews  detail = the summary, once loaded.
 * Methods: reload().
 */

const I18N = {
  fr: {
    title: "Avis de nos hôtes", reviews: (n) => `${n} avis`, none: "Pas encore d'avis.",
    error: "Les avis ne sont pas disponibles pour le moment.", loading: "Chargement des avis…",
    reply: "Réponse de l'hôte", out_of: "sur 5", sources: "Par plateforme", latest: "Derniers avis",
    categories: {
      cleanliness: "Propreté", accuracy: "Précision", check_in: "Arrivée", communication: "Communication",
      location: "Emplacement", value: "Rapport qualité/prix", staff: "Personnel", facilities: "Équipements",
      comfort: "Confort",
    },
    anonymous: "Un voyageur", locale: "fr-BE",
  },
  en: {
    title: "What our guests say", reviews: (n) => (n === 1 ? "1 review" : `${n} reviews`), none: "No reviews yet.",
    error: "Reviews are not available right now.", loading: "Loading reviews…", reply: "Host's reply",
    out_of: "out of 5", sources: "By platform", latest: "Latest reviews",
    categories: {
      cleanliness: "Cleanliness", accuracy: "Accuracy", check_in: "Check-in", communication: "Communication",
      location: "Location", value: "Value for money", staff: "Staff", facilities: "Facilities", comfort: "Comfort",
    },
    anonymous: "A guest", locale: "en-GB",
  },
  nl: {
    title: "Wat onze gasten zeggen", reviews: (n) => (n === 1 ? "1 beoordeling" : `${n} beoordelingen`),
    none: "Nog geen beoordelingen.", error: "Beoordelingen zijn nu niet beschikbaar.", loading: "Laden…",
    reply: "Antwoord van de gastheer", out_of: "op 5", sources: "Per platform", latest: "Laatste beoordelingen",
    categories: {
      cleanliness: "Netheid", accuracy: "Nauwkeurigheid", check_in: "Inchecken", communication: "Communicatie",
      location: "Locatie", value: "Prijs-kwaliteit", staff: "Personeel", facilities: "Faciliteiten",
      comfort: "Comfort",
    },
    anonymous: "Een gast", locale: "nl-BE",
  },
  de: {
    title: "Das sagen unsere Gäste", reviews: (n) => (n === 1 ? "1 Bewertung" : `${n} Bewertungen`),
    none: "Noch keine Bewertungen.", error: "Bewertungen sind gerade nicht verfügbar.", loading: "Laden…",
    reply: "Antwort des Gastgebers", out_of: "von 5", sources: "Nach Plattform", latest: "Neueste Bewertungen",
    categories: {
      cleanliness: "Sauberkeit", accuracy: "Genauigkeit", check_in: "Check-in", communication: "Kommunikation",
      location: "Lage", value: "Preis-Leistung", staff: "Personal", facilities: "Ausstattung", comfort: "Komfort",
    },
    anonymous: "Ein Gast", locale: "de-DE",
  },
};
const SOURCES = { google: "Google", booking: "Booking.com", airbnb: "Airbnb", direct: "Revenir" };

const STYLE = `
  :host { display: block; font: inherit; color: inherit; --accent: #2f6b4f; --star: #c9a44c; --line: #d5dcd7; }
  h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
  h3 { font-size: 1rem; margin: 1.1rem 0 .5rem; }
  .score { display: flex; align-items: baseline; gap: .6rem; flex-wrap: wrap; }
  .average { font-size: 2.4rem; font-weight: 700; line-height: 1; }
  .stars { color: var(--star); letter-spacing: .08em; }
  .count { color: #5b6660; }
  .bars { display: grid; grid-template-columns: minmax(8rem, auto) 1fr 2.5rem; gap: .35rem .75rem; align-items: center;
          margin: 0; }
  .bars dt { font-size: .95rem; }
  .bars dd { margin: 0; }
  .bar { height: .55rem; border-radius: 999px; background: #e8ece9; overflow: hidden; }
  .bar > span { display: block; height: 100%; background: var(--accent); }
  .value { font-variant-numeric: tabular-nums; text-align: right; font-size: .95rem; }
  .sources { display: flex; flex-wrap: wrap; gap: .4rem; padding: 0; margin: 0; list-style: none; }
  .sources li { border: 1px solid var(--line); border-radius: 999px; padding: .15rem .7rem; font-size: .9rem; }
  ol.latest { list-style: none; padding: 0; margin: 0; display: grid; gap: .75rem; }
  ol.latest li { border-top: 1px solid var(--line); padding-top: .6rem; }
  .meta { font-size: .9rem; color: #5b6660; }
  .text { margin: .3rem 0 0; white-space: pre-line; }
  .reply { margin: .4rem 0 0 .8rem; padding-left: .6rem; border-left: 3px solid var(--line); font-size: .95rem; }
  [role=status] { color: #5b6660; }
`;

function stars(value) {
  const full = Math.round(value);
  return "★".repeat(full) + "☆".repeat(Math.max(0, 5 - full));
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
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
    this._observer = new MutationObserver(() => this._render());
  }

  connectedCallback() {
    this._observer.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
    this.reload();
  }

  disconnectedCallback() {
    this._observer.disconnect();
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.isConnected) return;
    if (name === "lang") this._render();
    else this.reload();
  }

  get lang() {
    const own = this.getAttribute("lang") || this.parentElement?.closest("[lang]")?.getAttribute("lang") || "fr";
    return I18N[own] ? own : "fr";
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
    const t = I18N[this.lang];
    const root = this.shadowRoot;
    root.replaceChildren(el("style", {}, STYLE));
    const box = el("section", { part: "box", "aria-labelledby": "reviews-title" },
      el("h2", { id: "reviews-title" }, t.title));
    root.append(box);
    if (this._state !== "ready") {
      box.append(el("p", { role: "status" }, this._state === "error" ? t.error : t.loading));
      return;
    }
    const s = this._summary;
    if (!s.count) {
      box.append(el("p", { role: "status", "data-testid": "reviews-empty" }, t.none));
      return;
    }
    const number = (value) => value.toLocaleString(t.locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    box.append(el("div", { class: "score" },
      el("span", { class: "average", "data-testid": "reviews-average" }, number(s.average)),
      el("span", { class: "stars", "aria-label": `${number(s.average)} ${t.out_of}` }, stars(s.average)),
      el("span", { class: "count", "data-testid": "reviews-count" }, t.reviews(s.count))));

    const categories = Object.entries(s.categories);
    if (categories.length) {
      const bars = el("dl", { class: "bars", "data-testid": "reviews-categories" });
      for (const [key, stat] of categories) {
        const bar = el("div", { class: "bar", role: "meter", "aria-valuemin": 0, "aria-valuemax": 5,
                                "aria-valuenow": stat.average, "aria-label": t.categories[key] ?? stat.label });
        bar.append(el("span", { style: `width:${(stat.average / 5) * 100}%` }));
        bars.append(el("dt", { "data-category": key }, t.categories[key] ?? stat.label), el("dd", {}, bar),
          el("dd", { class: "value" }, number(stat.average)));
      }
      box.append(bars);
    }

    const sources = Object.entries(s.sources);
    if (sources.length > 1) {
      const list = el("ul", { class: "sources", "aria-label": t.sources });
      for (const [key, stat] of sources) {
        list.append(el("li", { "data-source": key }, `${SOURCES[key] ?? stat.label} ${number(stat.average)} · `
          + t.reviews(stat.count)));
      }
      box.append(el("h3", {}, t.sources), list);
    }

    if (s.latest.length) {
      const list = el("ol", { class: "latest", "data-testid": "reviews-latest" });
      const dates = new Intl.DateTimeFormat(t.locale, { month: "long", year: "numeric" });
      for (const review of s.latest) {
        const item = el("li", { "data-review": review.review_id },
          el("div", { class: "meta" },
            el("span", { class: "stars", "aria-label": `${review.rating} ${t.out_of}` }, stars(review.rating)),
            ` ${review.author || t.anonymous} · ${dates.format(new Date(review.created_at))} · `
            + (SOURCES[review.source] ?? review.source)));
        if (review.title) item.append(el("strong", {}, review.title));
        if (review.text) item.append(el("p", { class: "text", lang: review.language || "" }, review.text));
        if (review.reply) item.append(el("p", { class: "reply" }, el("strong", {}, this.lang === "fr" ? `${t.reply} : ` : `${t.reply}: `), review.reply.text));
        list.append(item);
      }
      box.append(el("h3", {}, t.latest), list);
    }
  }
}

if (!customElements.get("revenir-reviews")) customElements.define("revenir-reviews", RevenirReviews);
