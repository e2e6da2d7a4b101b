// Reviews: an inbox across sources with filters, per-category averages, reply (posted to Google or stored),
// private note, alert settings, Booking/Airbnb file import with its report, Google connection status.
import { admin, get, pub, put, request } from "../lib/api.js";
import { formValues, html } from "../lib/dom.js";
import { checkbox, field, select } from "../lib/form.js";
import { dateTime, number, t, tOr } from "../lib/i18n.js";
import { Screen, showErrors } from "../lib/screen.js";

const SOURCES = ["google", "booking", "airbnb", "direct"];

class ReviewsInbox extends Screen {
  filters() {
    const f = {};
    for (const k of ["source", "min_rating", "max_rating", "answered"]) if (this.query.get(k)) f[k] = this.query.get(k);
    return f;
  }

  async load() {
    const wanted = this.query.get("review"); // the host's alert links to one review (reviews/alerts.py)
    const [page, summary, settings, one] = await Promise.all([
      get(admin("/reviews"), { ...this.filters(), limit: 20 }),
      get(pub("/reviews/summary"), { latest: 0 }), get(admin("/review-settings")),
      wanted ? get(admin(`/reviews/${encodeURIComponent(wanted)}`)).catch(() => null) : null,
    ]);
    this.reviews = one ? [one, ...page.reviews.filter((r) => r.review_id !== one.review_id)] : page.reviews;
    this.cursor = page.next_cursor;
    this.summary = summary;
    this.settings = settings;
  }

  view() {
    const f = this.filters();
    const s = this.summary;
    const st = this.settings;
    return html`<h1 tabindex="-1">${t("nav.reviews")}</h1>
      <section aria-labelledby="avg-title"><h2 id="avg-title">${t("reviews.averages")}</h2>
        <p class="big"><strong data-testid="review-average">${s.average === null ? "—" : number(s.average, 1)}</strong> / 5
          · ${t("reviews.count", { count: s.count })}</p>
        <dl class="figures">${Object.entries(s.categories).map(([key, c]) => html`<div>
          <dt>${tOr(`category.${key}`, c.label)}</dt><dd>${number(c.average, 1)}</dd></div>`)}</dl>
        <dl class="figures">${Object.entries(s.sources).map(([key, c]) => html`<div>
          <dt>${c.label}</dt><dd>${number(c.average, 1)} (${c.count})</dd></div>`)}</dl>
      </section>
      <section aria-labelledby="inbox-title"><h2 id="inbox-title">${t("reviews.inbox")}</h2>
      <form data-form="filter" class="filters" role="search" aria-label="${t("reviews.filters")}">
        ${select(t("reviews.source"), "source", f.source, [["", t("common.any")], ...SOURCES.map((x) => [x, t(`source.${x}`)])])}
        ${select(t("reviews.rating"), "rating", f.max_rating ? `max${f.max_rating}` : f.min_rating ? `min${f.min_rating}` : "",
          [["", t("common.any")], ["min4", t("reviews.good")], ["max3", t("reviews.low")]])}
        ${select(t("reviews.answered"), "answered", f.answered, [["", t("common.any")], ["false", t("reviews.toAnswer")], ["true", t("reviews.answeredYes")]])}
        <div class="actions"><button type="submit">${t("common.filter")}</button></div>
      </form>
      ${this.reviews.length ? html`<ul class="reviews" data-testid="reviews">${this.reviews.map((r) => this.reviewView(r))}</ul>`
        : html`<p class="empty">${t("common.none")}</p>`}
      ${this.cursor ? html`<button class="secondary" data-action="more">${t("common.more")}</button>` : ""}
      </section>
      <section aria-labelledby="import-title"><h2 id="import-title">${t("reviews.import")}</h2>
        <form data-form="import" novalidate>
          ${select(t("reviews.importSource"), "source", "booking", [["booking", t("reviews.bookingFile")], ["airbnb", t("reviews.airbnbFile")]])}
          <div class="field"><label for="review-file">${t("vouchers.csvFile")}</label>
            <input id="review-file" type="file" name="file" accept=".csv,.json,text/csv,application/json" data-testid="review-file"></div>
          <div class="actions"><button type="submit">${t("vouchers.importButton")}</button></div>
          ${this.report ? html`<div class="report" role="status" tabindex="-1" data-testid="import-report"><p>
            ${["received", "created", "updated", "unchanged"].map((k) => html`<span class="figure">${t(`report.${k}`)}: <strong>${this.report[k]}</strong></span> `)}
            <span class="figure">${t("report.rejected")}: <strong>${this.report.rejected.length}</strong></span></p>
            ${this.report.rejected.length ? html`<ul>${this.report.rejected.map((r) => html`<li>${Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(" · ")}</li>`)}</ul>` : ""}
          </div>` : ""}
        </form>
      </section>
      <section aria-labelledby="settings-title"><h2 id="settings-title">${t("reviews.settings")}</h2>
        <p data-testid="google-status">${st.google_location
          ? t("reviews.googleConnected", { location: st.google_location, until: dateTime(st.google_synced_until) })
          : t("reviews.googleNotConnected")}</p>
        <form data-form="settings" novalidate class="narrow">
          ${field(t("reviews.googleLocation"), "google_location", st.google_location, { hint: t("reviews.googleHint") })}
          ${checkbox(t("reviews.alertsEnabled"), "alerts_enabled", st.alerts_enabled)}
          ${field(t("reviews.alertThreshold"), "alert_threshold", st.alert_threshold, { type: "number", attrs: html`min="0" max="5" step="0.5"` })}
          ${field(t("reviews.alertEmail"), "alert_email", st.alert_email, { type: "email" })}
          <div class="actions"><button type="submit">${t("common.save")}</button></div>
        </form>
      </section>`;
  }

  async refresh() {
    await super.refresh();
    const wanted = this.query.get("review");
    const item = wanted && this.querySelector(`[data-review="${CSS.escape(wanted)}"]`);
    if (!item) return;
    item.classList.add("wanted");
    item.scrollIntoView({ block: "start" });
    item.querySelector("form[data-form=reply] textarea")?.focus({ preventScroll: true }); // ready to answer
  }

  reviewView(r) {
    const reply = r.host_reply || r.source_reply || r.reply;
    return html`<li class="review card" data-review="${r.review_id}">
      <h3>${r.title || t("reviews.untitled")} <span class="muted">— ${r.author || t("reviews.anonymous")}</span></h3>
      <p class="meta"><span class="pill">${t(`source.${r.source}`)}</span> ${number(r.rating, 1)} / 5
        <span class="muted">(${r.rating_original} · ${r.rating_scale})</span> · ${dateTime(r.created_at)}
        ${r.answered ? html`<span class="pill pill-active">${t("reviews.answeredYes")}</span>` : html`<span class="pill pill-scheduled">${t("reviews.toAnswer")}</span>`}</p>
      ${r.text ? html`<blockquote lang="${r.language || ""}">${r.text}</blockquote>` : ""}
      ${reply ? html`<div class="reply" data-testid="reply"><strong>${t("reviews.yourReply")}</strong> <span>${reply.text}</span>
        <span class="muted">${dateTime(reply.at)}${reply.status ? ` · ${tOr(`replyStatus.${reply.status}`, reply.status)}` : ""}</span>
        ${reply.error ? html`<span class="error">${reply.error}</span>` : ""}</div>` : ""}
      <form data-form="reply" data-id="${r.review_id}" novalidate>
        <div class="field"><label for="reply-${r.review_id}">${reply ? t("reviews.editReply") : t("reviews.reply")}</label>
          <textarea id="reply-${r.review_id}" name="text" rows="3" aria-describedby="where-${r.review_id}">${reply ? reply.text : ""}</textarea>
          <p class="hint" id="where-${r.review_id}">${r.source === "google" ? t("reviews.postedToGoogle") : t("reviews.storedOnly", { source: t(`source.${r.source}`) })}</p></div>
        <div class="actions"><button type="submit">${t("reviews.sendReply")}</button></div>
      </form>
      <form data-form="note" data-id="${r.review_id}" novalidate>
        <div class="field"><label for="note-${r.review_id}">${t("reviews.note")}</label>
          <textarea id="note-${r.review_id}" name="text" rows="2">${r.note || ""}</textarea></div>
        <div class="actions"><button type="submit" class="secondary">${t("reviews.saveNote")}</button></div>
      </form></li>`;
  }

  submit_filter(form) {
    const v = formValues(form);
    const q = new URLSearchParams();
    if (v.source) q.set("source", v.source);
    if (v.rating?.startsWith("min")) q.set("min_rating", v.rating.slice(3));
    if (v.rating?.startsWith("max")) q.set("max_rating", v.rating.slice(3));
    if (v.answered) q.set("answered", v.answered);
    location.hash = `#/reviews?${q}`;
  }

  async on_more() {
    const page = await get(admin("/reviews"), { ...this.filters(), limit: 20, cursor: this.cursor });
    this.reviews.push(...page.reviews);
    this.cursor = page.next_cursor;
    this.paint();
  }

  replace(updated) {
    const i = this.reviews.findIndex((r) => r.review_id === updated.review_id);
    if (i >= 0) this.reviews[i] = updated;
    this.paint();
  }

  async submit_reply(form) {
    const updated = await put(admin(`/reviews/${encodeURIComponent(form.dataset.id)}/reply`), { text: formValues(form).text || "" });
    this.replace(updated);
    this.toast(t("reviews.replied"));
  }

  async submit_note(form) {
    const updated = await put(admin(`/reviews/${encodeURIComponent(form.dataset.id)}/note`), { text: formValues(form).text || "" });
    this.replace(updated);
    this.toast(t("common.saved"));
  }

  async submit_settings(form) {
    const v = formValues(form);
    this.settings = await put(admin("/review-settings"), { ...v,
      alert_threshold: v.alert_threshold === null ? 3 : Number(v.alert_threshold) });
    this.toast(t("common.saved"));
    this.paint();
  }

  async submit_import(form) {
    const v = formValues(form);
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) {
      showErrors(form, { message: t("vouchers.chooseFile"), details: [{ field: "file", message: t("vouchers.chooseFile") }] });
      return;
    }
    this.report = await request("POST", admin(`/reviews/imports/${v.source}`), {
      body: await file.text(), contentType: v.source === "airbnb" ? "application/json" : "text/csv" });
    const page = await get(admin("/reviews"), { ...this.filters(), limit: 20 });
    this.reviews = page.reviews;
    this.summary = await get(pub("/reviews/summary"), { latest: 0 });
    this.paint();
    this.querySelector("[data-testid=import-report]")?.focus();
  }
}

customElements.define("revenir-reviews-inbox", ReviewsInbox);
