// Dashboard: this month and the 12 months ending with it from one route (GET …/dashboard: monthly counters),
// plus what it does not carry: the active codes, the vouchers' open balance, the reviews left to answer.
import { admin, get } from "../lib/api.js";
import { html } from "../lib/dom.js";
import { today } from "../lib/form.js";
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
    const [board, codes, products, toAnswer] = await Promise.all([
      get(admin("/dashboard")), get(admin("/promo-codes"), { limit: 100 }), get(admin("/gift-products")),
      get(admin("/reviews"), { answered: false, limit: 5 }),
    ]);
    const vouchers = (await Promise.all(products.gift_products.map((p) => allVouchers(p.id)))).flat();
    this.data = {
      board, month: board.this_month, year: board.last_12_months,
      activeCodes: codes.promo_codes.filter((c) => !c.archived && c.valid_from <= now && c.valid_until >= now).length,
      openBalance: vouchers.filter((v) => v.status === "unused" || v.status === "partly_used")
        .reduce((sum, v) => sum + v.balance, 0),
      currency: products.gift_products[0]?.currency || "EUR",
      toAnswer: toAnswer.reviews,
    };
  }

  view() {
    const d = this.data;
    const amounts = (perCurrency) => Object.entries(perCurrency || {}).map(([c, a]) => money(a, c)).join(", ")
      || money(0, d.currency);
    const [year, month] = d.board.month.split("-").map(Number);
    const row = (label, testId, pick, format = number) => html`<tr><th scope="row">${label}</th>
      <td data-testid="${testId}">${format(pick(d.month))}</td><td data-testid="${testId}-12">${format(pick(d.year))}</td></tr>`;
    return html`<h1 tabindex="-1">${t("nav.dashboard")}</h1>
      <div class="table-wrap"><table class="dashboard" data-testid="dashboard">
        <caption>${t("dash.caption")}</caption>
        <thead><tr><th scope="col">${t("dash.figure")}</th><th scope="col">${monthName(new Date(year, month - 1, 1))}</th>
          <th scope="col">${t("dash.last12")}</th></tr></thead>
        <tbody>
          ${row(t("dash.codesUsed"), "codes-used", (p) => p.codes.uses)}
          ${row(t("dash.discountGiven"), "discount-given", (p) => p.codes.discount_given, amounts)}
          ${row(t("dash.vouchersSold"), "sold-month", (p) => p.vouchers.sold)}
          ${row(t("dash.voucherRevenue"), "voucher-revenue", (p) => p.vouchers.revenue, amounts)}
          ${row(t("dash.cartsStarted"), "carts-started", (p) => p.carts.started)}
          ${row(t("dash.cartsReminded"), "carts-reminded", (p) => p.carts.reminded)}
          ${row(t("dash.cartsRecovered"), "carts-recovered", (p) => p.carts.recovered)}
          ${row(t("dash.recoveredRevenue"), "recovered-revenue", (p) => p.carts.recovered_revenue, amounts)}
          ${row(t("dash.emailsSent"), "emails-sent", (p) => p.emails.sent)}
          ${row(t("dash.emailsFailed"), "emails-failed", (p) => p.emails.failed)}
          ${row(t("dash.unsubscribed"), "unsubscribed", (p) => p.emails.unsubscribed)}
          ${row(t("dash.bounced"), "bounced", (p) => p.emails.bounced)}
        </tbody></table></div>
      <dl class="figures">
        <div><dt>${t("dash.activeCodes")}</dt><dd>${number(d.activeCodes)}</dd></div>
        <div><dt>${t("dash.openBalance")}</dt><dd data-testid="open-balance">${money(d.openBalance, d.currency)}</dd></div>
        <div><dt>${t("dash.reviewAverage")}</dt><dd data-testid="review-average">${d.board.reviews.average === null ? "—"
          : `${number(d.board.reviews.average, 1)} / 5`} <span class="muted">(${t("reviews.count", { count: d.board.reviews.count })})</span></dd></div>
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
