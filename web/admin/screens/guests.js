// Guests (seed 002): the list with filters and pagination, export, a guest's profile (bookings, e-mails,
// timeline), add a guest, unsubscribe from all e-mails, GDPR export and erasure.
import { admin, del, get, post, request } from "../lib/api.js";
import { download, formValues, html } from "../lib/dom.js";
import { addDays, checkbox, field, pill, select, today } from "../lib/form.js";
import { date, dateTime, money, t, tOr } from "../lib/i18n.js";
import { Screen, confirmDialog } from "../lib/screen.js";

const PAGE = 25;
const FILTERS = ["arrival_from", "arrival_to", "departure_from", "departure_to", "name", "booking_id", "reachable",
  "checked_in", "cursor"];

class Guests extends Screen {
  filters() {
    const q = this.query;
    const f = {};
    for (const key of FILTERS) if (q.get(key)) f[key] = q.get(key);
    if (!q.has("all")) {  // "all guests": every arrival, past and future (the API's all_arrivals)
      if (!f.arrival_from) f.arrival_from = today();
      if (!f.arrival_to) f.arrival_to = addDays(today(), 30);
    }
    f.reachable = q.get("reachable") === "false" ? "false" : "true";
    return f;
  }

  scope() { return this.query.has("all") ? { all_arrivals: "true" } : {}; }

  async load() {
    this.page = await get(admin("/guests"), { ...this.filters(), ...this.scope(), limit: PAGE });
  }

  view() {
    const f = this.filters();
    const p = this.page;
    const start = Number(f.cursor || 0);
    return html`<h1 tabindex="-1">${t("nav.guests")}</h1>
      <div class="toolbar"><a class="button" href="#/guests/new" data-testid="add-guest">${t("guests.add")}</a>
        <button class="secondary" data-action="export" data-testid="export">${t("guests.export")}</button></div>
      <form data-form="filter" class="filters" role="search" aria-label="${t("guests.filters")}">
        ${field(t("guests.arrivalFrom"), "arrival_from", f.arrival_from, { type: "date" })}
        ${field(t("guests.arrivalTo"), "arrival_to", f.arrival_to, { type: "date" })}
        ${field(t("guests.departureFrom"), "departure_from", f.departure_from, { type: "date" })}
        ${field(t("guests.departureTo"), "departure_to", f.departure_to, { type: "date" })}
        ${field(t("guests.name"), "name", f.name, { testid: "filter-name" })}
        ${field(t("guests.bookingId"), "booking_id", f.booking_id)}
        ${select(t("guests.checkedIn"), "checked_in", f.checked_in, [["", t("common.any")], ["true", t("common.yes")], ["false", t("common.no")]])}
        ${checkbox(t("guests.reachable"), "reachable", f.reachable === "true")}
        <div class="actions"><button type="submit">${t("common.filter")}</button>
          <button type="button" class="secondary" data-action="all">${t("guests.allGuests")}</button></div>
      </form>
      <p role="status" data-testid="guest-total">${t("guests.total", { count: p.total })}</p>
      ${p.guests.length ? html`<div class="table-wrap"><table data-testid="guests-table">
        <caption class="sr-only">${t("nav.guests")}</caption>
        <thead><tr><th scope="col">${t("guests.guest")}</th><th scope="col">${t("guests.stay")}</th>
          <th scope="col">${t("guests.channel")}</th><th scope="col">${t("guests.total_")}</th>
          <th scope="col">${t("guests.emailStatus")}</th></tr></thead>
        <tbody>${p.guests.map((g) => html`<tr>
          <th scope="row"><a href="#/guests/${encodeURIComponent(g.email)}">${g.first_name} ${g.last_name}</a>
            <br><span class="muted">${g.email}</span></th>
          <td>${date(g.arrival)} – ${date(g.departure)} (${t("guests.nights", { count: g.nights })})</td>
          <td>${g.channel}</td><td>${money(g.total, g.currency || "EUR")}</td>
          <td>${g.unsubscribed ? pill("archived", t("guests.unsubscribed")) : g.bounced ? pill("expired", t("guests.bounced"))
            : pill("active", t("guests.reachableShort"))}</td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">${t("common.none")}</p>`}
      <nav class="pager" aria-label="${t("common.pages")}">
        ${start > 0 ? html`<button class="secondary" data-action="page" data-cursor="${Math.max(0, start - PAGE)}">${t("common.previous")}</button>` : ""}
        ${p.next_cursor ? html`<button class="secondary" data-action="page" data-cursor="${p.next_cursor}">${t("common.next")}</button>` : ""}
      </nav>`;
  }

  go(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "" && v !== false) q.set(k, v);
    location.hash = `#/guests?${q}`;
  }

  submit_filter(form) {
    const v = formValues(form);
    this.go({ ...v, reachable: v.reachable ? "true" : "false", ...(v.arrival_from ? {} : { all: "1" }) });
  }

  on_all() { this.go({ all: "1", reachable: "false" }); }

  on_page(button) {
    const f = this.filters();
    this.go({ ...f, cursor: button.dataset.cursor === "0" ? null : button.dataset.cursor, all: this.query.get("all") });
  }

  async on_export() {
    const f = this.filters();
    const response = await request("GET", admin("/guests/export.csv"), {
      raw: true, query: { arrival_from: f.arrival_from, arrival_to: f.arrival_to, reachable: f.reachable, ...this.scope() },
    });
    download(`guests-${today()}.csv`, await response.blob());
  }
}

class GuestNew extends Screen {
  view() {
    return html`<p class="crumbs"><a href="#/guests">${t("nav.guests")}</a></p>
      <h1 tabindex="-1">${t("guests.add")}</h1>
      <form data-form="save" novalidate class="narrow">
        ${field(t("guests.firstName"), "first_name", "", { required: true, testid: "first-name" })}
        ${field(t("guests.lastName"), "last_name", "", { required: true, testid: "last-name" })}
        ${field(t("guests.email"), "email", "", { type: "email", required: true, testid: "email" })}
        ${field(t("guests.phone"), "phone", "", { type: "tel" })}
        ${field(t("guests.country"), "country", "", { hint: t("guests.countryHint"), attrs: html`maxlength="2"` })}
        ${select(t("guests.language"), "language", "", [["", "—"], ["fr", t("lang.fr")], ["en", t("lang.en")],
          ["nl", t("lang.nl")], ["de", t("lang.de")]])}
        ${field(t("guests.arrival"), "arrival", today(), { type: "date", required: true })}
        ${field(t("guests.departure"), "departure", addDays(today(), 1), { type: "date", required: true })}
        ${checkbox(t("guests.consent"), "marketing_consent", false)}
        <div class="actions"><button type="submit" data-testid="save">${t("common.save")}</button></div>
      </form>`;
  }

  async submit_save(form) {
    const v = formValues(form);
    const created = await post(admin("/guests"), v);
    this.toast(t("common.saved"));
    location.hash = `#/guests/${encodeURIComponent(created.email || v.email)}`;
  }
}

class Guest extends Screen {
  scope() { return this.query.has("all") ? { all_arrivals: "true" } : {}; }

  async load() {
    this.profile = await get(admin(`/guests/${encodeURIComponent(this.params.email)}`));
  }

  view() {
    const { guest: g, bookings, emails, timeline } = this.profile;
    const name = `${g.first_name || ""} ${g.last_name || ""}`.trim() || g.email;
    return html`<p class="crumbs"><a href="#/guests">${t("nav.guests")}</a></p>
      <h1 tabindex="-1">${name}</h1>
      <dl class="facts">
        <dt>${t("guests.email")}</dt><dd>${g.email}</dd>
        <dt>${t("guests.phone")}</dt><dd>${g.phone || "—"}</dd>
        <dt>${t("guests.country")}</dt><dd>${g.country || "—"}</dd>
        <dt>${t("guests.language")}</dt><dd>${g.language ? t(`lang.${g.language}`) : "—"}</dd>
        <dt>${t("guests.consent")}</dt><dd>${g.marketing_consent ? t("common.yes") : t("common.no")}</dd>
        <dt>${t("guests.emailStatus")}</dt><dd data-testid="email-status">${g.unsubscribed
          ? t("guests.unsubscribed") : t("guests.reachableShort")}</dd>
        <dt>${t("guests.revenue")}</dt><dd>${money(this.profile.revenue)}</dd>
      </dl>
      <div class="toolbar">
        <button class="secondary" data-action="unsubscribe" data-testid="unsubscribe"
          data-confirm="${t("guests.unsubscribeConfirm", { name })}">${t("guests.unsubscribe")}</button>
        <button class="secondary" data-action="gdpr" data-testid="gdpr-export">${t("guests.gdprExport")}</button>
        <button class="danger" data-action="erase" data-testid="erase">${t("guests.erase")}</button>
      </div>
      <section aria-labelledby="bk"><h2 id="bk">${t("guests.bookings")}</h2>
        ${bookings.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${t("guests.bookingId")}</th>
          <th scope="col">${t("guests.stay")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("guests.total_")}</th></tr></thead>
          <tbody>${bookings.map((b) => html`<tr><th scope="row">${b.booking_id}</th>
            <td>${date(b.arrival)} – ${date(b.departure)}</td><td>${t(`booking.${b.status}`)}</td>
            <td>${money(b.total, b.currency || "EUR")}</td></tr>`)}</tbody></table></div>` : html`<p class="empty">${t("common.none")}</p>`}
      </section>
      <section aria-labelledby="em"><h2 id="em">${t("guests.emails")}</h2>
        ${emails.length ? html`<div class="table-wrap"><table data-testid="guest-emails"><thead><tr><th scope="col">${t("emails.template")}</th>
          <th scope="col">${t("guests.sendAt")}</th><th scope="col">${t("common.status")}</th></tr></thead>
          <tbody>${emails.map((e) => html`<tr><th scope="row">${e.template_id}</th><td>${dateTime(e.sent_at || e.send_at)}</td>
            <td>${pill(e.status, tOr(`mail.${e.status}`, e.status))}</td></tr>`)}</tbody></table></div>`
          : html`<p class="empty">${t("common.none")}</p>`}
      </section>
      <section aria-labelledby="tl"><h2 id="tl">${t("guests.timeline")}</h2>
        <ol class="timeline">${timeline.map((e) => html`<li><time datetime="${e.at}">${dateTime(e.at)}</time>
          ${tOr(`timeline.${e.kind}`, e.kind)}
          ${e.template_id ? html`<span class="muted">${e.template_id}</span>` : ""}
          ${e.booking_id ? html`<span class="muted">#${e.booking_id}</span>` : ""}</li>`)}</ol>
      </section>`;
  }

  get email() { return this.profile.guest.email; }

  async on_unsubscribe() {
    await post(admin(`/guests/${encodeURIComponent(this.email)}/unsubscribe`), {});
    this.toast(t("guests.unsubscribedDone"));
    this.refresh();
  }

  async on_gdpr() {
    const data = await get(admin(`/guests/${encodeURIComponent(this.email)}/export`));
    download(`gdpr-${this.email}.json`, new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  }

  async on_erase() {
    const g = this.profile.guest;
    const name = `${g.first_name || ""} ${g.last_name || ""}`.trim() || g.email;
    if (!(await confirmDialog(t("guests.eraseConfirm", { name, email: g.email }), t("guests.erase")))) return;
    await post(admin(`/guests/${encodeURIComponent(this.email)}/erasure`), {});
    this.toast(t("guests.erased", { name }));
    location.hash = "#/guests";
  }
}

customElements.define("revenir-guests", Guests);
customElements.define("revenir-guest-new", GuestNew);
customElements.define("revenir-guest", Guest);
