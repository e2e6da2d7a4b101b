// Gift vouchers: the catalog (create/edit, publication window, archive), vouchers sold per product with the
// "commandé par" list, statuses and balances, a voucher's ledger with extend/void, manual issue, CSV export
// and CSV import with its per-row report.
import { admin, del, get, patch, post, put, request } from "../lib/api.js";
import { download, formValues, html, toInt, toMinor } from "../lib/dom.js";
import { area, checkList, field, pill, readTranslations, select, today, translations } from "../lib/form.js";
import { date, dateTime, money, t, tOr } from "../lib/i18n.js";
import { Screen, showErrors } from "../lib/screen.js";

const STATUSES = ["unused", "partly_used", "used", "expired", "void"];

export function valueText(p) {
  if (p.value.type === "fixed") return money(p.value.amount, p.currency);
  return `${money(p.value.min_amount, p.currency)} – ${money(p.value.max_amount, p.currency)}`;
}

function productStatus(p, now = today()) {
  if (p.archived) return "archived";
  if (p.publish_from && now < p.publish_from) return "scheduled";
  if (p.publish_until && now > p.publish_until) return "expired";
  return "active";
}

class Products extends Screen {
  async load() {
    this.products = (await get(admin("/gift-products"))).gift_products;
  }

  view() {
    return html`<h1 tabindex="-1">${t("nav.vouchers")}</h1>
      <div class="toolbar"><a class="button" href="#/vouchers/new" data-testid="new-product">${t("vouchers.newProduct")}</a></div>
      <form data-form="lookup" class="inline" role="search" aria-label="${t("vouchers.lookup")}">
        ${field(t("vouchers.lookup"), "code", "", { testid: "lookup" })}<button type="submit">${t("common.open")}</button></form>
      ${this.products.length ? html`<div class="table-wrap"><table data-testid="products-table">
        <caption class="sr-only">${t("vouchers.catalog")}</caption>
        <thead><tr><th scope="col">${t("vouchers.product")}</th><th scope="col">${t("vouchers.kind")}</th>
          <th scope="col">${t("vouchers.value")}</th><th scope="col">${t("vouchers.validity")}</th><th scope="col">${t("common.status")}</th></tr></thead>
        <tbody>${this.products.map((p) => html`<tr><th scope="row"><a href="#/vouchers/${p.id}">${p.name}</a></th>
          <td>${t(`vouchers.kind_${p.kind}`)}</td><td>${valueText(p)}</td>
          <td>${p.validity.months ? t("vouchers.months", { count: p.validity.months }) : date(p.validity.until)}</td>
          <td>${pill(productStatus(p), t(`status.${productStatus(p)}`))}</td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">${t("common.none")}</p>`}`;
  }

  submit_lookup(form) {
    const code = formValues(form).code;
    if (code) location.hash = `#/vouchers/code/${encodeURIComponent(code)}`;
  }
}

class ProductEdit extends Screen {
  async load() {
    const id = this.params.id;
    const [offers, product] = await Promise.all([get(admin("/offers")),
      id ? get(admin(`/gift-products/${encodeURIComponent(id)}`)) : null]);
    this.offers = offers.offers;
    this.product = product;
    this.status = this.query.get("status") || "";
    if (product) await this.loadVouchers();
  }

  async loadVouchers(cursor = null) {
    const page = await get(admin(`/gift-products/${encodeURIComponent(this.product.id)}/vouchers`),
      { status: this.status || null, limit: 50, cursor });
    this.vouchers = cursor ? [...this.vouchers, ...page.vouchers] : page.vouchers;
    this.cursor = page.next_cursor;
  }

  view() {
    const p = this.product || { kind: "voucher", currency: "EUR", value: { type: "fixed" }, validity: { months: 12 } };
    return html`<p class="crumbs"><a href="#/vouchers">${t("nav.vouchers")}</a></p>
      <h1 tabindex="-1">${this.product ? p.name : t("vouchers.newProduct")}</h1>
      ${this.product ? html`<p>${pill(productStatus(p), t(`status.${productStatus(p)}`))}</p>` : ""}
      ${this.product ? this.soldView() : ""}
      <section aria-labelledby="product-settings"><h2 id="product-settings">${t("vouchers.productSettings")}</h2>
      <form data-form="save" novalidate class="grid">
        <fieldset><legend>${t("codes.general")}</legend>
          ${select(t("vouchers.kind"), "kind", p.kind, [["voucher", t("vouchers.kind_voucher")], ["card", t("vouchers.kind_card")]])}
          ${field(t("vouchers.name"), "name", p.name, { required: true, testid: "product-name" })}
          ${area(t("codes.description"), "description", p.description)}
          ${translations(t("codes.nameTranslations"), "name", p.name_translations)}
          ${translations(t("codes.descriptionTranslations"), "description", p.description_translations)}
        </fieldset>
        <fieldset data-field="value"><legend>${t("vouchers.value")}</legend>
          ${select(t("vouchers.valueType"), "value_type", p.value.type, [["fixed", t("vouchers.fixed")], ["custom", t("vouchers.custom")]])}
          ${field(t("vouchers.amount"), "amount", p.value.amount ? p.value.amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"`, testid: "product-amount" })}
          ${field(t("vouchers.minAmount"), "min_amount", p.value.min_amount ? p.value.min_amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
          ${field(t("vouchers.maxAmount"), "max_amount", p.value.max_amount ? p.value.max_amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
          ${field(t("vouchers.currency"), "currency", p.currency, { attrs: html`maxlength="3"` })}
        </fieldset>
        <fieldset data-field="validity"><legend>${t("vouchers.validity")}</legend>
          ${field(t("vouchers.validityMonths"), "months", p.validity.months, { type: "number", attrs: html`min="1"` })}
          ${field(t("vouchers.validityUntil"), "until", p.validity.until, { type: "date" })}
          ${field(t("codes.publishFrom"), "publish_from", p.publish_from, { type: "date" })}
          ${field(t("codes.publishUntil"), "publish_until", p.publish_until, { type: "date" })}
          ${checkList(t("codes.offers"), "offer_ids", p.offer_ids, this.offers.map((o) => [o.offer_id, o.name]))}
        </fieldset>
        <div class="actions"><button type="submit" data-testid="save-product">${t("common.save")}</button>
          ${this.product && !p.archived ? html`<button type="button" class="danger" data-action="archive"
            data-confirm="${t("vouchers.archiveConfirm", { name: p.name })}">${t("common.archive")}</button>` : ""}</div>
      </form></section>`;
  }

  soldView() {
    const p = this.product;
    return html`<section aria-labelledby="sold-title"><h2 id="sold-title">${t("vouchers.sold")}</h2>
      <div class="toolbar">
        <label>${t("common.status")} <select data-change="status" id="voucher-status">
          <option value="">${t("common.any")}</option>${STATUSES.map((s) => html`
          <option value="${s}" ${s === this.status ? html`selected` : ""}>${t(`voucher.${s}`)}</option>`)}</select></label>
        <button class="secondary" data-action="export" data-testid="export">${t("vouchers.export")}</button>
      </div>
      ${this.vouchers.length ? html`<div class="table-wrap"><table data-testid="vouchers-table">
        <caption class="sr-only">${t("vouchers.orderedBy")}</caption>
        <thead><tr><th scope="col">${t("vouchers.code")}</th><th scope="col">${t("vouchers.orderedBy")}</th>
          <th scope="col">${t("vouchers.recipient")}</th><th scope="col">${t("vouchers.purchased")}</th>
          <th scope="col">${t("vouchers.balance")}</th><th scope="col">${t("vouchers.validUntil")}</th><th scope="col">${t("common.status")}</th></tr></thead>
        <tbody>${this.vouchers.map((v) => html`<tr data-code="${v.code}">
          <th scope="row"><a href="#/vouchers/code/${encodeURIComponent(v.code)}">${v.code}</a></th>
          <td>${v.buyer_name || "—"}${v.buyer_email ? html`<br><span class="muted">${v.buyer_email}</span>` : ""}
            ${v.order_number ? html`<br><span class="muted">${t("vouchers.order")} ${v.order_number}</span>` : ""}</td>
          <td>${v.recipient_name || "—"}</td><td>${date(v.purchased_at)} <span class="muted">${t(`source.${v.source}`)}</span></td>
          <td>${money(v.balance, v.currency)} / ${money(v.initial_value, v.currency)}</td><td>${date(v.valid_until)}</td>
          <td>${pill(v.status, t(`voucher.${v.status}`))}</td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">${t("common.none")}</p>`}
      ${this.cursor ? html`<button class="secondary" data-action="more">${t("common.more")}</button>` : ""}
      <div class="two">
        <form data-form="issue" novalidate aria-labelledby="issue-title"><h3 id="issue-title">${t("vouchers.issue")}</h3>
          ${field(t("vouchers.reason"), "reason", "", { required: true, testid: "issue-reason" })}
          ${p.value.type === "custom" ? field(t("vouchers.amount"), "amount", "", { type: "number", attrs: html`min="0" step="0.01"`, testid: "issue-amount" }) : ""}
          ${field(t("vouchers.recipientName"), "recipient_name", "")}
          ${field(t("vouchers.recipientEmail"), "recipient_email", "", { type: "email" })}
          ${field(t("vouchers.validUntil"), "valid_until", "", { type: "date" })}
          <div class="actions"><button type="submit" data-testid="issue">${t("vouchers.issueButton")}</button></div>
        </form>
        <form data-form="import" novalidate aria-labelledby="import-title"><h3 id="import-title">${t("vouchers.import")}</h3>
          <p class="hint" id="import-hint">${t("vouchers.importHint")}</p>
          <div class="field"><label for="import-file">${t("vouchers.csvFile")}</label>
            <input id="import-file" type="file" name="file" accept=".csv,text/csv" aria-describedby="import-hint" data-testid="import-file"></div>
          <div class="actions"><button type="submit">${t("vouchers.importButton")}</button></div>
          ${this.report ? importReport(this.report) : ""}
        </form>
      </div></section>`;
  }

  body(form) {
    const v = formValues(form);
    return {
      kind: v.kind, name: v.name, description: v.description, currency: (v.currency || "EUR").toUpperCase(),
      name_translations: readTranslations(v, "name"), description_translations: readTranslations(v, "description"),
      value: v.value_type === "fixed" ? { type: "fixed", amount: toMinor(v.amount) }
        : { type: "custom", min_amount: toMinor(v.min_amount), max_amount: toMinor(v.max_amount) },
      validity: { months: toInt(v.months), until: v.until },
      publish_from: v.publish_from, publish_until: v.publish_until, offer_ids: v.offer_ids.length ? v.offer_ids : null,
    };
  }

  async submit_save(form) {
    if (this.product) {
      this.product = await put(admin(`/gift-products/${encodeURIComponent(this.product.id)}`), this.body(form));
      this.toast(t("common.saved"));
      this.paint();
    } else {
      const created = await post(admin("/gift-products"), this.body(form));
      this.toast(t("common.saved"));
      location.hash = `#/vouchers/${created.id}`;
    }
  }

  async on_archive() {
    await del(admin(`/gift-products/${encodeURIComponent(this.product.id)}`));
    this.toast(t("common.archived"));
    this.refresh();
  }

  async changed_status(selectEl) {
    this.status = selectEl.value;
    await this.loadVouchers();
    this.paint();
  }

  async on_more() {
    await this.loadVouchers(this.cursor);
    this.paint();
  }

  async on_export() {
    const response = await request("GET", admin(`/gift-products/${encodeURIComponent(this.product.id)}/vouchers/export`), { raw: true });
    download(`vouchers-${this.product.id}.csv`, await response.blob());
  }

  async submit_issue(form) {
    const v = formValues(form);
    const voucher = await post(admin(`/gift-products/${encodeURIComponent(this.product.id)}/vouchers`), {
      reason: v.reason, amount: toMinor(v.amount), recipient_name: v.recipient_name,
      recipient_email: v.recipient_email, valid_until: v.valid_until });
    this.toast(t("vouchers.issued", { code: voucher.code }));
    await this.loadVouchers();
    this.paint();
  }

  async submit_import(form) {
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) {
      showErrors(form, { message: t("vouchers.chooseFile"), details: [{ field: "file", message: t("vouchers.chooseFile") }] });
      return;
    }
    this.report = await request("POST", admin(`/gift-products/${encodeURIComponent(this.product.id)}/vouchers/import`),
      { body: await file.text(), contentType: "text/csv" });
    await this.loadVouchers();
    this.paint();
    this.querySelector("[data-testid=import-report]")?.focus();
  }
}

export function importReport(report, columns = ["imported", "unchanged", "rejected"]) {
  return html`<div class="report" tabindex="-1" data-testid="import-report" role="status">
    <p>${columns.map((c) => html`<span class="figure">${t(`report.${c}`)}: <strong>${Array.isArray(report[c]) ? report[c].length : report[c]}</strong></span> `)}</p>
    ${report.rows && report.rows.length ? html`<div class="table-wrap"><table><thead><tr><th scope="col">${t("report.row")}</th>
      <th scope="col">${t("vouchers.code")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("report.message")}</th></tr></thead>
      <tbody>${report.rows.map((r) => html`<tr data-status="${r.status}"><td>${r.row}</td><td>${r.code}</td>
        <td>${t(`report.${r.status}`)}</td><td>${r.message || ""}</td></tr>`)}</tbody></table></div>` : ""}
  </div>`;
}

class VoucherDetail extends Screen {
  async load() {
    this.detail = await get(admin(`/vouchers/${encodeURIComponent(this.params.code)}`));
  }

  view() {
    const { voucher: v, ledger } = this.detail;
    const open = v.status === "unused" || v.status === "partly_used";
    return html`<p class="crumbs"><a href="#/vouchers">${t("nav.vouchers")}</a> ›
      <a href="#/vouchers/${v.product_id}">${v.name}</a></p>
      <h1 tabindex="-1">${t("vouchers.voucher", { code: v.code })}</h1>
      <dl class="facts">
        <dt>${t("common.status")}</dt><dd data-testid="voucher-status">${pill(v.status, t(`voucher.${v.status}`))}</dd>
        <dt>${t("vouchers.balance")}</dt><dd data-testid="voucher-balance">${money(v.balance, v.currency)} / ${money(v.initial_value, v.currency)}</dd>
        <dt>${t("vouchers.validUntil")}</dt><dd>${date(v.valid_until)}</dd>
        <dt>${t("vouchers.orderedBy")}</dt><dd>${v.buyer_name || "—"} ${v.buyer_email ? `<${v.buyer_email}>` : ""}</dd>
        <dt>${t("vouchers.recipient")}</dt><dd>${v.recipient_name || "—"} ${v.recipient_email ? `<${v.recipient_email}>` : ""}</dd>
        <dt>${t("vouchers.purchased")}</dt><dd>${dateTime(v.purchased_at)} (${t(`source.${v.source}`)})</dd>
      </dl>
      ${open ? html`<div class="two">
        <form data-form="extend" novalidate aria-labelledby="extend-title"><h2 id="extend-title">${t("vouchers.extend")}</h2>
          ${field(t("vouchers.newValidUntil"), "valid_until", v.valid_until, { type: "date", required: true })}
          <div class="actions"><button type="submit">${t("vouchers.extend")}</button></div></form>
        <div><h2>${t("vouchers.void")}</h2><p>${t("vouchers.voidHint")}</p>
          <button class="danger" data-action="void" data-testid="void"
            data-confirm="${t("vouchers.voidConfirm", { code: v.code, amount: money(v.balance, v.currency) })}">${t("vouchers.void")}</button></div>
      </div>` : ""}
      <section aria-labelledby="ledger-title"><h2 id="ledger-title">${t("vouchers.ledger")}</h2>
        <div class="table-wrap"><table data-testid="ledger"><thead><tr><th scope="col">${t("vouchers.when")}</th>
          <th scope="col">${t("vouchers.movement")}</th><th scope="col">${t("vouchers.amount")}</th><th scope="col">${t("vouchers.reference")}</th></tr></thead>
          <tbody>${ledger.map((e) => html`<tr><td>${dateTime(e.at)}</td><td>${tOr(`ledger.${e.kind}`, e.kind)}</td>
            <td>${money(e.amount, v.currency)}</td><td>${e.booking_id || e.order_id || e.note || ""}</td></tr>`)}</tbody></table></div>
      </section>`;
  }

  async submit_extend(form) {
    await patch(admin(`/vouchers/${encodeURIComponent(this.detail.voucher.code)}`), formValues(form));
    this.toast(t("common.saved"));
    this.refresh();
  }

  async on_void() {
    await post(admin(`/vouchers/${encodeURIComponent(this.detail.voucher.code)}/void`), {});
    this.refresh();
  }
}

customElements.define("revenir-products", Products);
customElements.define("revenir-product-edit", ProductEdit);
customElements.define("revenir-voucher", VoucherDetail);
