// Prepaid packages ("forfaits", docs/payments.md): the definitions (define, change, archive, sold online or
// by hand only), the packages issued from each with their balances, issuing one by hand, the CSV export, and
// one issued package's history (its ledger) with void.
import { admin, get, post, put, request } from "../lib/api.js";
import { download, formValues, html, toInt, toMinor } from "../lib/dom.js";
import { area, checkbox, checkList, field, pill, readTranslations, select, translations } from "../lib/form.js";
import { date, dateTime, money, t } from "../lib/i18n.js";
import { Screen } from "../lib/screen.js";

const UNITS = ["night", "stay", "service"];

const covers = (p) => t(`packages.covers_${p.unit}`, { count: p.units ?? p.units_total });

class Packages extends Screen {
  async load() {
    this.packages = (await get(admin("/packages"))).packages;
  }

  view() {
    return html`<h1 tabindex="-1">${t("nav.packages")}</h1>
      <p class="hint">${t("packages.intro")}</p>
      <div class="toolbar"><a class="button" href="#/packages/new" data-testid="new-package">${t("packages.new")}</a></div>
      ${this.packages.length ? html`<div class="table-wrap"><table data-testid="packages-table">
        <caption class="sr-only">${t("nav.packages")}</caption>
        <thead><tr><th scope="col">${t("packages.name")}</th><th scope="col">${t("packages.covers")}</th>
          <th scope="col">${t("packages.price")}</th><th scope="col">${t("packages.validity")}</th>
          <th scope="col">${t("packages.online")}</th><th scope="col">${t("common.status")}</th></tr></thead>
        <tbody>${this.packages.map((p) => html`<tr><th scope="row"><a href="#/packages/${encodeURIComponent(p.id)}">${p.name}</a></th>
          <td>${covers(p)}</td><td>${money(p.price, p.currency)}</td><td>${t("vouchers.months", { count: p.validity_months })}</td>
          <td>${p.purchasable_online ? t("packages.yes") : t("packages.no")}</td>
          <td>${pill(p.archived ? "archived" : "active", t(p.archived ? "status.archived" : "status.active"))}</td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">${t("common.none")}</p>`}`;
  }
}

class PackageEdit extends Screen {
  async load() {
    const id = this.params.id;
    const [offers, found] = await Promise.all([get(admin("/offers")),
      id ? get(admin(`/packages/${encodeURIComponent(id)}`)) : null]);
    this.offers = offers.offers;
    this.package = found;
    this.holdings = found ? (await get(admin(`/packages/${encodeURIComponent(id)}/holdings`))).holdings : [];
  }

  view() {
    const p = this.package || { unit: "night", units: 5, currency: "EUR", validity_months: 12, purchasable_online: true };
    return html`<p class="crumbs"><a href="#/packages">${t("nav.packages")}</a></p>
      <h1 tabindex="-1">${this.package ? p.name : t("packages.new")}</h1>
      ${this.package ? this.issuedView() : ""}
      <section aria-labelledby="package-settings"><h2 id="package-settings">${t("packages.settings")}</h2>
      <form data-form="save" novalidate class="grid">
        <fieldset><legend>${t("codes.general")}</legend>
          ${field(t("packages.name"), "name", p.name, { required: true, testid: "package-name" })}
          ${area(t("codes.description"), "description", p.description)}
          ${translations(t("codes.nameTranslations"), "name", p.name_translations)}
          ${translations(t("codes.descriptionTranslations"), "description", p.description_translations)}
        </fieldset>
        <fieldset><legend>${t("packages.covers")}</legend>
          ${select(t("packages.unit"), "unit", p.unit, UNITS.map((u) => [u, t(`packages.unit_${u}`)]), { testid: "package-unit" })}
          ${field(t("packages.units"), "units", p.units, { type: "number", required: true, attrs: html`min="1" max="1000"`, testid: "package-units" })}
          ${checkList(t("packages.offers"), "offer_ids", p.offer_ids, this.offers.map((o) => [o.offer_id, o.name]))}
        </fieldset>
        <fieldset><legend>${t("packages.price")}</legend>
          ${field(t("packages.price"), "price", p.price !== undefined ? p.price / 100 : "", { type: "number", required: true, attrs: html`min="0" step="0.01"`, testid: "package-price" })}
          ${field(t("vouchers.currency"), "currency", p.currency, { attrs: html`maxlength="3"` })}
          ${field(t("packages.validityMonths"), "validity_months", p.validity_months, { type: "number", required: true, attrs: html`min="1" max="60"`, testid: "package-validity" })}
          ${checkbox(t("packages.purchasableOnline"), "purchasable_online", p.purchasable_online, { attrs: html`data-testid="package-online"` })}
        </fieldset>
        <div class="actions"><button type="submit" data-testid="save-package">${t("common.save")}</button>
          ${this.package && !p.archived ? html`<button type="button" class="danger" data-action="archive"
            data-confirm="${t("packages.archiveConfirm", { name: p.name })}">${t("common.archive")}</button>` : ""}</div>
      </form></section>`;
  }

  issuedView() {
    return html`<section aria-labelledby="issued-title"><h2 id="issued-title">${t("packages.issued")}</h2>
      <div class="toolbar"><button class="secondary" data-action="export" data-testid="export-packages">${t("vouchers.export")}</button></div>
      ${this.holdings.length ? html`<div class="table-wrap"><table data-testid="holdings-table">
        <caption class="sr-only">${t("packages.issued")}</caption>
        <thead><tr><th scope="col">${t("vouchers.code")}</th><th scope="col">${t("packages.holder")}</th>
          <th scope="col">${t("packages.issuedAt")}</th><th scope="col">${t("vouchers.balance")}</th>
          <th scope="col">${t("vouchers.validUntil")}</th><th scope="col">${t("common.status")}</th></tr></thead>
        <tbody>${this.holdings.map((h) => html`<tr data-code="${h.code}">
          <th scope="row"><a href="#/packages/code/${encodeURIComponent(h.code)}">${h.code}</a></th>
          <td>${h.holder ? `${h.holder.first_name} ${h.holder.last_name}` : "—"}${h.holder ? html`<br><span class="muted">${h.holder.email}</span>` : ""}</td>
          <td>${date(h.issued_at)} <span class="muted">${t(`packages.source_${h.source}`)}</span></td>
          <td>${h.balance} / ${covers(h)}</td><td>${date(h.valid_until)}</td>
          <td>${pill(h.status, t(`packages.status_${h.status}`))}</td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">${t("common.none")}</p>`}
      ${this.package.archived ? "" : html`<form data-form="issue" novalidate aria-labelledby="issue-title">
        <h3 id="issue-title">${t("packages.issueTitle")}</h3>
        <div class="two">${field(t("guests.firstName"), "first_name", "", { required: true, testid: "issue-first-name" })}
          ${field(t("guests.lastName"), "last_name", "", { required: true, testid: "issue-last-name" })}</div>
        ${field(t("packages.email"), "email", "", { type: "email", required: true, testid: "issue-email" })}
        ${field(t("packages.pricePaid"), "price_paid", "", { type: "number", attrs: html`min="0" step="0.01"`, hint: t("packages.pricePaidHint") })}
        ${field(t("packages.note"), "note", "")}
        <div class="actions"><button type="submit" data-testid="issue-package">${t("packages.issueButton")}</button></div>
      </form>`}</section>`;
  }

  body(form) {
    const v = formValues(form);
    return {
      name: v.name, description: v.description, name_translations: readTranslations(v, "name"),
      description_translations: readTranslations(v, "description"), unit: v.unit, units: toInt(v.units),
      offer_ids: v.offer_ids.length ? v.offer_ids : null, price: toMinor(v.price),
      currency: (v.currency || "EUR").toUpperCase(), validity_months: toInt(v.validity_months),
      purchasable_online: Boolean(v.purchasable_online),
    };
  }

  async submit_save(form) {
    if (this.package) {
      this.package = await put(admin(`/packages/${encodeURIComponent(this.package.id)}`), this.body(form));
      this.toast(t("common.saved"));
      this.paint();
    } else {
      const created = await post(admin("/packages"), this.body(form));
      this.toast(t("common.saved"));
      location.hash = `#/packages/${encodeURIComponent(created.id)}`;
    }
  }

  async on_archive() {
    const p = this.package;
    const keep = ["name", "name_translations", "description", "description_translations", "unit", "units",
      "offer_ids", "price", "currency", "validity_months", "purchasable_online"];
    await put(admin(`/packages/${encodeURIComponent(p.id)}`),
      { ...Object.fromEntries(keep.map((k) => [k, p[k]])), archived: true });
    this.toast(t("common.archived"));
    this.refresh();
  }

  async on_export() {
    const response = await request("GET", admin(`/packages/${encodeURIComponent(this.package.id)}/holdings/export`), { raw: true });
    download(`packages-${this.package.id}.csv`, await response.blob());
  }

  async submit_issue(form) {
    const v = formValues(form);
    const holding = await post(admin(`/packages/${encodeURIComponent(this.package.id)}/holdings`), {
      holder: { first_name: v.first_name, last_name: v.last_name, email: v.email },
      price_paid: toMinor(v.price_paid), note: v.note });
    this.toast(t("packages.issuedToast", { code: holding.code }));
    this.holdings = (await get(admin(`/packages/${encodeURIComponent(this.package.id)}/holdings`))).holdings;
    this.paint();
  }
}

class PackageHoldingScreen extends Screen {
  async load() {
    this.detail = await get(admin(`/package-holdings/${encodeURIComponent(this.params.code)}`));
  }

  view() {
    const { holding: h, ledger } = this.detail;
    return html`<p class="crumbs"><a href="#/packages">${t("nav.packages")}</a> ›
        <a href="#/packages/${encodeURIComponent(h.package_id)}">${h.name}</a></p>
      <h1 tabindex="-1" data-testid="holding-code">${h.code}</h1>
      <p>${pill(h.status, t(`packages.status_${h.status}`))}</p>
      <dl class="facts">
        <dt>${t("vouchers.balance")}</dt><dd data-testid="holding-balance">${h.balance} / ${covers(h)}</dd>
        <dt>${t("packages.holder")}</dt><dd>${h.holder ? `${h.holder.first_name} ${h.holder.last_name} (${h.holder.email})` : "—"}</dd>
        <dt>${t("packages.pricePaid")}</dt><dd>${money(h.price_paid, h.currency)}</dd>
        <dt>${t("vouchers.validUntil")}</dt><dd>${date(h.valid_until)}</dd>
        <dt>${t("packages.issuedAt")}</dt><dd>${dateTime(h.issued_at)} · ${t(`packages.source_${h.source}`)}</dd>
      </dl>
      <div class="actions"><button type="button" class="secondary" data-action="print">${t("packages.print")}</button>
        ${h.status === "active" ? html`<button type="button" class="danger" data-action="void" data-testid="void-holding"
          data-confirm="${t("packages.voidConfirm", { code: h.code })}">${t("packages.void")}</button>` : ""}</div>
      <section aria-labelledby="history-title"><h2 id="history-title">${t("packages.history")}</h2>
        <div class="table-wrap"><table data-testid="ledger-table"><caption class="sr-only">${t("packages.history")}</caption>
        <thead><tr><th scope="col">${t("packages.when")}</th><th scope="col">${t("packages.movement")}</th>
          <th scope="col">${t("packages.units")}</th><th scope="col">${t("packages.booking")}</th></tr></thead>
        <tbody>${ledger.map((e) => html`<tr><td>${dateTime(e.at)}</td><td>${t(`packages.kind_${e.kind}`)}</td>
          <td>${e.units > 0 ? `+${e.units}` : e.units}</td><td>${e.booking_id || e.note || "—"}</td></tr>`)}</tbody></table></div>
      </section>`;
  }

  async on_print() {
    const response = await request("GET", admin(`/package-holdings/${encodeURIComponent(this.detail.holding.code)}/print`), { raw: true });
    const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
    window.open(url, "_blank", "noopener");
  }

  async on_void() {
    await post(admin(`/package-holdings/${encodeURIComponent(this.detail.holding.code)}/void`), {});
    this.toast(t("packages.voided"));
    this.refresh();
  }
}

customElements.define("revenir-packages", Packages);
customElements.define("revenir-package-edit", PackageEdit);
customElements.define("revenir-package-holding", PackageHoldingScreen);
