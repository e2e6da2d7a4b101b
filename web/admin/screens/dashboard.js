// Dashboard: this month and the last 12 months, built from the existing routes (codes, vouchers per product,
// carts stats, reviews summary, unanswered reviews).
import { admin, get, pub } from "../lib/api.js";
import { html } from "../lib/dom.js";
import { addDays, today } from "../lib/form.js";
import { dateTime, money, monthName, number, t } from "../lib/i18n.js";
import { Screen } from "../lib/screen.js";

const MAX_VOUCHER_PAGES = 10;

async function allVouchers(productId) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < MAX_VOUCHER_PAGES; i += 1) {
    const page = await get(admin(`/gift-products/${encodeURIComponent(productId)}/vouchers`), { limit: 100, cursor });
    out.push(...page.vouchers);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

class Dashboard extends Screen {
  async load() {
    const now = today();
    const monthStart = `${now.slice(0, 8)}01`;
    const yearStart = addDays(now, -365);
    this.periods = { month: monthStart, year: yearStart };
    const [codes, products, cartsMonth, cartsYear, summary, toAnswer] = await Promise.all([
      get(admin("/promo-codes"), { limit: 100 }), get(admin("/gift-products")),
      get(admin("/carts/stats"), { date_from: monthStart, date_to: now }),
      get(admin("/carts/stats"), { date_from: yearStart, date_to: now }),
      get(pub("/reviews/summary"), { latest: 0 }), get(admin("/reviews"), { answered: false, limit: 5 }),
    ]);
    const guests = await get(admin("/guests"), { arrival_from: yearStart, arrival_to: addDays(now, 365),
      reachable: false, limit: 500 });
    const vouchers = (await Promise.all(products.gift_products.map((p) => allVouchers(p.id)))).flat();
    const since = (v, start) => v.purchased_at.slice(0, 10) >= start;
    const sold = (start) => vouchers.filter((v) => since(v, start) && v.source === "order");
    const revenue = (list) => list.reduce((sum, v) => sum + v.initial_value, 0);
    this.data = {
      codesUsed: codes.promo_codes.reduce((sum, c) => sum + c.uses, 0),
      activeCodes: codes.promo_codes.filter((c) => !c.archived && c.valid_from <= now && c.valid_until >= now).length,
      soldMonth: sold(monthStart), soldYear: sold(yearStart),
      revenueMonth: revenue(sold(monthStart)), revenueYear: revenue(sold(yearStart)),
      openBalance: vouchers.filter((v) => v.status === "unused" || v.status === "partly_used")
        .reduce((sum, v) => sum + v.balance, 0),
      currency: products.gift_products[0]?.currency || "EUR",
      cartsMonth, cartsYear, summary, toAnswer: toAnswer.reviews,
      guests: guests.total,
      unsubscribed: new Set(guests.guests.filter((g) => g.unsubscribed).map((g) => g.email)).size,
      bounced: new Set(guests.guests.filter((g) => g.bounced).map((g) => g.email)).size,
    };
  }

  view() {
    const d = this.data;
    const recovered = (stats) => Object.entries(stats.recovered_revenue || {}).map(([c, a]) => money(a, c)).join(", ") || money(0, d.currency);
    return html`<h1 tabindex="-1">${t("nav.dashboard")}</h1>
      <div class="table-wrap"><table class="dashboard" data-testid="dashboard">
        <caption>${t("dash.caption")}</caption>
        <thead><tr><th scope="col">${t("dash.figure")}</th><th scope="col">${monthName(new Date())}</th>
          <th scope="col">${t("dash.last12")}</th></tr></thead>
        <tbody>
          <tr><th scope="row">${t("dash.vouchersSold")}</th><td data-testid="sold-month">${number(d.soldMonth.length)}</td><td>${number(d.soldYear.length)}</td></tr>
          <tr><th scope="row">${t("dash.voucherRevenue")}</th><td>${money(d.revenueMonth, d.currency)}</td><td>${money(d.revenueYear, d.currency)}</td></tr>
          <tr><th scope="row">${t("dash.cartsStarted")}</th><td>${number(d.cartsMonth.started)}</td><td>${number(d.cartsYear.started)}</td></tr>
          <tr><th scope="row">${t("dash.cartsReminded")}</th><td>${number(d.cartsMonth.reminded)}</td><td>${number(d.cartsYear.reminded)}</td></tr>
          <tr><th scope="row">${t("dash.cartsRecovered")}</th><td>${number(d.cartsMonth.recovered)}</td><td>${number(d.cartsYear.recovered)}</td></tr>
          <tr><th scope="row">${t("dash.recoveredRevenue")}</th><td>${recovered(d.cartsMonth)}</td><td>${recovered(d.cartsYear)}</td></tr>
        </tbody></table></div>
      <dl class="figures">
        <div><dt>${t("dash.codesUsed")}</dt><dd data-testid="codes-used">${number(d.codesUsed)}</dd></div>
        <div><dt>${t("dash.activeCodes")}</dt><dd>${number(d.activeCodes)}</dd></div>
        <div><dt>${t("dash.openBalance")}</dt><dd data-testid="open-balance">${money(d.openBalance, d.currency)}</dd></div>
        <div><dt>${t("dash.reviewAverage")}</dt><dd data-testid="review-average">${d.summary.average === null ? "—"
          : `${number(d.summary.average, 1)} / 5`} <span class="muted">(${t("reviews.count", { count: d.summary.count })})</span></dd></div>
        <div><dt>${t("dash.stays")}</dt><dd>${number(d.guests)}</dd></div>
        <div><dt>${t("dash.unsubscribed")}</dt><dd data-testid="unsubscribed">${number(d.unsubscribed)}</dd></div>
        <div><dt>${t("dash.bounced")}</dt><dd>${number(d.bounced)}</dd></div>
      </dl>
      <section aria-labelledby="answer-title"><h2 id="answer-title">${t("dash.toAnswer")}</h2>
        ${d.toAnswer.length ? html`<ul class="plain" data-testid="to-answer">${d.toAnswer.map((r) => html`<li>
          <a href="#/reviews?answered=false">${r.title || t("reviews.untitled")}</a> — ${r.author || t("reviews.anonymous")},
          ${number(r.rating, 1)} / 5 (${t(`source.${r.source}`)}), ${dateTime(r.created_at)}</li>`)}</ul>`
          : html`<p class="empty">${t("dash.allAnswered")}</p>`}
      </section>`;
  }
}

customElements.define("revenir-dashboard", Dashboard);
