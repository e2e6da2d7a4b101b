// Private sales (a link and an access code) and partner programs (card numbers loaded from CSV).
import { admin, del, get, post, put, request } from "../lib/api.js";
import { formValues, html, toInt, toMinor } from "../lib/dom.js";
import { area, checkList, field, pill, readTranslations, select, today, translations, weekdays } from "../lib/form.js";
import { date, t } from "../lib/i18n.js";
import { Screen, showErrors } from "../lib/screen.js";
import { discountText } from "./codes.js";

function discountFrom(v) {
  if (v.discount_type === "amount") return { type: "amount", amount: toMinor(v.amount), currency: "EUR" };
  return { type: "percent", percent: v.percent === null ? null : Number(v.percent) };
}

function stayRules(v) {
  return { min_nights: toInt(v.min_nights), max_nights: toInt(v.max_nights), min_amount: toMinor(v.min_amount),
    stay_from: v.stay_from, stay_until: v.stay_until,
    arrival_weekdays: v.arrival_weekdays.length ? v.arrival_weekdays.map(Number) : null,
    offer_ids: v.offer_ids.length ? v.offer_ids : null };
}

class Sales extends Screen {
  async load() {
    const [sales, programs, offers] = await Promise.all([get(admin("/private-sales")), get(admin("/partner-programs")),
      get(admin("/offers"))]);
    this.sales = sales.private_sales;
    this.programs = programs.partner_programs;
    this.offers = offers.offers;
  }

  view() {
    const sale = this.editingSale;
    const prog = this.editingProgram;
    return html`<h1 tabindex="-1">${t("nav.sales")}</h1>
      <section aria-labelledby="ps-title"><h2 id="ps-title">${t("sales.private")}</h2>
        ${this.sales.length ? html`<div class="table-wrap"><table data-testid="sales-table"><thead><tr>
          <th scope="col">${t("codes.name")}</th><th scope="col">${t("sales.advantage")}</th><th scope="col">${t("sales.published")}</th>
          <th scope="col">${t("sales.link")}</th><th scope="col">${t("common.status")}</th><th scope="col"><span class="sr-only">${t("common.actions")}</span></th></tr></thead>
          <tbody>${this.sales.map((s) => html`<tr><th scope="row">${s.name}</th>
            <td>${s.kind === "discount" ? discountText(s.discount) : s.advantage}</td>
            <td>${date(s.publish_from)} – ${date(s.publish_until)}</td>
            <td><code>${s.link_token}</code>${s.access_code ? html`<br>${t("sales.accessCode")}: <code>${s.access_code}</code>` : ""}</td>
            <td>${pill(s.status === "upcoming" ? "scheduled" : s.status === "ended" ? "expired" : s.status, t(`sales.status_${s.status}`))}</td>
            <td><button class="link" data-action="edit-sale" data-id="${s.id}">${t("common.edit")}</button>
              ${s.archived ? "" : html`<button class="link danger" data-action="archive-sale" data-id="${s.id}"
                data-confirm="${t("sales.archiveConfirm", { name: s.name })}">${t("common.archive")}</button>`}</td></tr>`)}</tbody></table></div>`
          : html`<p class="empty">${t("common.none")}</p>`}
        <form data-form="sale" novalidate class="grid" aria-labelledby="sale-form-title">
          <h3 id="sale-form-title">${sale ? t("sales.editSale", { name: sale.name }) : t("sales.newSale")}</h3>
          <fieldset><legend>${t("codes.general")}</legend>
            ${field(t("codes.name"), "name", sale?.name, { required: true, testid: "sale-name" })}
            ${area(t("codes.description"), "description", sale?.description)}
            ${translations(t("codes.nameTranslations"), "name", sale?.name_translations)}
            ${field(t("sales.accessCode"), "access_code", sale?.access_code, { hint: t("sales.accessCodeHint") })}
            ${field(t("codes.publishFrom"), "publish_from", sale?.publish_from || today(), { type: "date", required: true })}
            ${field(t("codes.publishUntil"), "publish_until", sale?.publish_until, { type: "date", required: true, testid: "sale-until" })}
          </fieldset>
          <fieldset data-field="discount"><legend>${t("sales.advantage")}</legend>
            ${select(t("sales.kind"), "kind", sale?.kind || "discount", [["discount", t("sales.kind_discount")], ["advantage", t("sales.kind_advantage")]])}
            ${select(t("codes.discountType"), "discount_type", sale?.discount?.type || "percent", [["percent", t("codes.percent")], ["amount", t("codes.amount")]])}
            ${field(t("codes.percentValue"), "percent", sale?.discount?.percent, { type: "number", attrs: html`min="0" max="100" step="0.1"` })}
            ${field(t("codes.amountValue"), "amount", sale?.discount?.amount ? sale.discount.amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
            ${field(t("sales.advantageText"), "advantage", sale?.advantage)}
            ${select(t("sales.freeOffer"), "free_offer_id", sale?.free_offer_id, [["", "—"], ...this.offers.map((o) => [o.offer_id, o.name])])}
          </fieldset>
          ${this.rulesFieldset(sale)}
          <div class="actions"><button type="submit" data-testid="save-sale">${t("common.save")}</button>
            ${sale ? html`<button type="button" class="secondary" data-action="cancel">${t("common.cancel")}</button>` : ""}</div>
        </form>
      </section>
      <section aria-labelledby="pp-title"><h2 id="pp-title">${t("sales.partners")}</h2>
        ${this.programs.length ? html`<ul class="plain" data-testid="programs">${this.programs.map((p) => html`<li class="card">
          <h3>${p.name}</h3><p>${discountText(p.discount)} · ${date(p.valid_from)} – ${date(p.valid_until)} ·
            ${t("sales.cards", { count: p.cards })}
            <button class="link" data-action="edit-program" data-id="${p.id}">${t("common.edit")}</button></p>
          <form data-form="cards" data-id="${p.id}" novalidate>
            <div class="field"><label for="cards-${p.id}">${t("sales.cardsFile")}</label>
              <input type="file" id="cards-${p.id}" name="file" accept=".csv,text/csv,text/plain"></div>
            <div class="actions"><button type="submit" class="secondary">${t("sales.uploadCards")}</button></div>
            ${this.cardReports?.[p.id] ? html`<div class="report" role="status" data-testid="cards-report">
              <p>${t("report.added")}: <strong>${this.cardReports[p.id].added}</strong> ·
                ${t("report.already_loaded")}: <strong>${this.cardReports[p.id].already_loaded}</strong> ·
                ${t("report.rejected")}: <strong>${this.cardReports[p.id].rejected.length}</strong></p>
              ${this.cardReports[p.id].rejected.length ? html`<ul>${this.cardReports[p.id].rejected.map((r) => html`
                <li>${Object.entries(r).map(([k, v]) => `${k}: ${v}`).join(" · ")}</li>`)}</ul>` : ""}</div>` : ""}
          </form></li>`)}</ul>` : html`<p class="empty">${t("common.none")}</p>`}
        <form data-form="program" novalidate class="grid" aria-labelledby="program-form-title">
          <h3 id="program-form-title">${prog ? t("sales.editProgram", { name: prog.name }) : t("sales.newProgram")}</h3>
          <fieldset><legend>${t("codes.general")}</legend>
            ${field(t("codes.name"), "name", prog?.name, { required: true })}
            ${translations(t("codes.nameTranslations"), "name", prog?.name_translations)}
            ${field(t("codes.validFrom"), "valid_from", prog?.valid_from || today(), { type: "date", required: true })}
            ${field(t("codes.validUntil"), "valid_until", prog?.valid_until, { type: "date", required: true })}
          </fieldset>
          <fieldset data-field="discount"><legend>${t("codes.discount")}</legend>
            ${select(t("codes.discountType"), "discount_type", prog?.discount?.type || "percent", [["percent", t("codes.percent")], ["amount", t("codes.amount")]])}
            ${field(t("codes.percentValue"), "percent", prog?.discount?.percent, { type: "number", attrs: html`min="0" max="100" step="0.1"` })}
            ${field(t("codes.amountValue"), "amount", prog?.discount?.amount ? prog.discount.amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
          </fieldset>
          ${this.rulesFieldset(prog)}
          <div class="actions"><button type="submit">${t("common.save")}</button>
            ${prog ? html`<button type="button" class="secondary" data-action="cancel">${t("common.cancel")}</button>` : ""}</div>
        </form>
      </section>`;
  }

  rulesFieldset(x) {
    return html`<fieldset><legend>${t("codes.stayRules")}</legend>
      ${field(t("codes.stayFrom"), "stay_from", x?.stay_from, { type: "date" })}
      ${field(t("codes.stayUntil"), "stay_until", x?.stay_until, { type: "date" })}
      ${field(t("codes.minNights"), "min_nights", x?.min_nights, { type: "number", attrs: html`min="1"` })}
      ${field(t("codes.maxNights"), "max_nights", x?.max_nights, { type: "number", attrs: html`min="1"` })}
      ${field(t("codes.minAmount"), "min_amount", x?.min_amount ? x.min_amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
      ${checkList(t("codes.weekdays"), "arrival_weekdays", x?.arrival_weekdays, weekdays())}
      ${checkList(t("codes.offers"), "offer_ids", x?.offer_ids, this.offers.map((o) => [o.offer_id, o.name]))}
    </fieldset>`;
  }

  on_edit_sale(b) { this.editingSale = this.sales.find((s) => s.id === b.dataset.id); this.paint(); this.querySelector("#sale-form-title")?.scrollIntoView(); }
  on_edit_program(b) { this.editingProgram = this.programs.find((s) => s.id === b.dataset.id); this.paint(); }
  on_cancel() { this.editingSale = null; this.editingProgram = null; this.paint(); }

  async on_archive_sale(b) {
    await del(admin(`/private-sales/${encodeURIComponent(b.dataset.id)}`));
    this.refresh();
  }

  async submit_sale(form) {
    const v = formValues(form);
    const body = { name: v.name, description: v.description, name_translations: readTranslations(v, "name"),
      access_code: v.access_code, publish_from: v.publish_from, publish_until: v.publish_until, kind: v.kind,
      discount: v.kind === "discount" ? discountFrom(v) : null, advantage: v.kind === "advantage" ? v.advantage : null,
      free_offer_id: v.free_offer_id, ...stayRules(v) };
    if (this.editingSale) await put(admin(`/private-sales/${encodeURIComponent(this.editingSale.id)}`), body);
    else await post(admin("/private-sales"), body);
    this.editingSale = null;
    this.toast(t("common.saved"));
    this.refresh();
  }

  async submit_program(form) {
    const v = formValues(form);
    const body = { name: v.name, name_translations: readTranslations(v, "name"), valid_from: v.valid_from,
      valid_until: v.valid_until, discount: discountFrom(v), ...stayRules(v) };
    delete body.stay_from_unused;
    if (this.editingProgram) await put(admin(`/partner-programs/${encodeURIComponent(this.editingProgram.id)}`), body);
    else await post(admin("/partner-programs"), body);
    this.editingProgram = null;
    this.toast(t("common.saved"));
    this.refresh();
  }

  async submit_cards(form) {
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) {
      showErrors(form, { message: t("vouchers.chooseFile"), details: [{ field: "file", message: t("vouchers.chooseFile") }] });
      return;
    }
    const report = await request("POST", admin(`/partner-programs/${encodeURIComponent(form.dataset.id)}/cards`),
      { body: await file.text(), contentType: "text/csv" });
    this.cardReports = { ...(this.cardReports || {}), [form.dataset.id]: report };
    this.programs = (await get(admin("/partner-programs"))).partner_programs;
    this.paint();
  }
}

customElements.define("revenir-sales", Sales);
