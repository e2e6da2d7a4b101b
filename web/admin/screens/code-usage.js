// A promo code's usage (issue 17): the bookings that used it over a period, totals, pages, CSV export.
import { admin, get, request } from "../lib/api.js";
import { download, formValues, html } from "../lib/dom.js";
import { field, pill } from "../lib/form.js";
import { date, money, t } from "../lib/i18n.js";
import { Screen } from "../lib/screen.js";

const amount = (value) => (value ? money(value.amount, value.currency) : "—");
const sums = (perCurrency) => Object.entries(perCurrency || {}).map(([cur, minor]) => money(minor, cur)).join(" · ") || "—";

class CodeUsage extends Screen {
  period() {
    return { date_from: this.query.get("from") || "", date_to: this.query.get("to") || "" };
  }

  async load() {
    const id = encodeURIComponent(this.params.id);
    this.report = await get(admin(`/promo-codes/${id}/usage`), { ...this.period(), limit: 50 });
    this.rows = this.report.usages;
    this.title = t("usage.title", { code: this.report.code });
  }

  view() {
    const r = this.report;
    const p = this.period();
    return html`<p><a href="#/codes">${t("usage.back")}</a></p>
      <h1 tabindex="-1">${t("usage.title", { code: r.code })}</h1>
      <form data-form="period" novalidate class="toolbar" aria-label="${t("usage.period")}">
        ${field(t("usage.from"), "date_from", p.date_from, { type: "date", testid: "usage-from" })}
        ${field(t("usage.to"), "date_to", p.date_to, { type: "date", testid: "usage-to" })}
        <div class="actions"><button type="submit" data-testid="usage-filter">${t("common.filter")}</button>
          <button type="button" class="secondary" data-action="csv" data-testid="usage-csv">${t("usage.csv")}</button></div>
      </form>
      <dl class="totals" data-testid="usage-totals">
        <div><dt>${t("usage.uses")}</dt><dd data-testid="usage-uses">${r.totals.uses}</dd></div>
        <div><dt>${t("usage.released")}</dt><dd>${r.totals.released}</dd></div>
        <div><dt>${t("usage.discountTotal")}</dt><dd>${sums(r.totals.discount)}</dd></div>
        <div><dt>${t("usage.bookingTotal")}</dt><dd>${sums(r.totals.booking_total)}</dd></div>
      </dl>
      ${this.rows.length ? html`<div class="table-wrap"><table data-testid="usage-table">
        <caption class="sr-only">${t("usage.title", { code: r.code })}</caption>
        <thead><tr><th scope="col">${t("usage.date")}</th><th scope="col">${t("usage.booking")}</th>
          <th scope="col">${t("usage.guest")}</th><th scope="col">${t("usage.discount")}</th>
          <th scope="col">${t("usage.total")}</th><th scope="col">${t("common.status")}</th></tr></thead>
        <tbody>${this.rows.map((u) => html`<tr data-booking="${u.booking_id}"><td>${date(u.date)}</td>
          <th scope="row">${u.booking_id}</th><td>${u.guest_email || "—"}</td><td>${amount(u.discount)}</td>
          <td>${amount(u.booking_total)}</td><td>${pill(u.status === "released" ? "archived" : u.status === "held" ? "pending" : "active",
            t(`usage.status_${u.status}`))}</td></tr>`)}</tbody></table></div>
        ${r.next_cursor ? html`<button class="secondary" data-action="more">${t("common.more")}</button>` : ""}`
        : html`<p class="empty">${t("usage.none")}</p>`}`;
  }

  submit_period(form) {
    const v = formValues(form);
    const query = new URLSearchParams();
    if (v.date_from) query.set("from", v.date_from);
    if (v.date_to) query.set("to", v.date_to);
    const search = String(query);
    location.hash = `#/codes/${encodeURIComponent(this.params.id)}/usage${search ? `?${search}` : ""}`;
  }

  async on_more() {
    const id = encodeURIComponent(this.params.id);
    const page = await get(admin(`/promo-codes/${id}/usage`), { ...this.period(), limit: 50,
      cursor: this.report.next_cursor });
    this.rows = [...this.rows, ...page.usages];
    this.report = { ...this.report, next_cursor: page.next_cursor };
    this.paint();
  }

  async on_csv() {
    const id = encodeURIComponent(this.params.id);
    const response = await request("GET", admin(`/promo-codes/${id}/usage.csv`), { query: this.period(), raw: true });
    download(`promo-code-usage-${this.report.code}.csv`, await response.blob());
  }
}

customElements.define("revenir-code-usage", CodeUsage);
