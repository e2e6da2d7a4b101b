// Promo codes: list with usage and status, create/edit with every field of the API, archive, "sent to", share.
import { admin, del, get, patch, post } from "../lib/api.js";
import { formValues, html, toInt, toMinor } from "../lib/dom.js";
import { addDays, area, checkList, checkbox, field, pill, readTranslations, select, today, translations, weekdays }
  from "../lib/form.js";
import { date, dateTime, money, percent, t } from "../lib/i18n.js";
import { Screen, clearErrors, openDialog, showErrors } from "../lib/screen.js";

export function codeStatus(code, now = today()) {
  if (code.archived) return "archived";
  if (code.max_uses && code.uses >= code.max_uses) return "exhausted";
  if (now < code.valid_from) return "scheduled";
  if (now > code.valid_until) return "expired";
  return "active";
}

export function discountText(discount) {
  if (!discount) return "—";
  if (discount.type === "percent") return percent(discount.percent);
  return money(discount.amount, discount.currency);
}

class Codes extends Screen {
  async load() {
    const codes = [];
    let cursor = null;
    do {
      const page = await get(admin("/promo-codes"), { limit: 100, cursor });
      codes.push(...page.promo_codes);
      cursor = page.next_cursor;
    } while (cursor);
    this.codes = codes;
  }

  view() {
    const show = this.query.get("status") || "all";
    const rows = this.codes.filter((c) => show === "all" || codeStatus(c) === show);
    return html`<h1 tabindex="-1">${t("nav.codes")}</h1>
      <div class="toolbar"><a class="button" href="#/codes/new" data-testid="new-code">${t("codes.new")}</a>
        <label>${t("codes.filter")} <select data-change="status" id="codes-status">
          ${["all", "active", "scheduled", "expired", "exhausted", "archived"].map((s) => html`
            <option value="${s}" ${s === show ? html`selected` : ""}>${t(`status.${s}`)}</option>`)}</select></label></div>
      ${rows.length ? html`<div class="table-wrap"><table data-testid="codes-table">
        <caption class="sr-only">${t("nav.codes")}</caption>
        <thead><tr><th scope="col">${t("codes.code")}</th><th scope="col">${t("codes.name")}</th>
          <th scope="col">${t("codes.discount")}</th><th scope="col">${t("codes.validity")}</th>
          <th scope="col">${t("codes.uses")}</th><th scope="col">${t("common.status")}</th></tr></thead>
        <tbody>${rows.map((c) => html`<tr data-code="${c.code}">
          <th scope="row"><a href="#/codes/${c.id}">${c.code}</a></th><td>${c.name}</td>
          <td>${discountText(c.discount)}</td><td>${date(c.valid_from)} – ${date(c.valid_until)}</td>
          <td><a href="#/codes/${c.id}/usage" aria-label="${t("usage.link", { code: c.code })}">${c.uses}${c.max_uses ? ` / ${c.max_uses}` : ""}</a></td>
          <td>${pill(codeStatus(c), t(`status.${codeStatus(c)}`))}</td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">${t("common.none")}</p>`}`;
  }

  changed_status(select) {
    location.hash = `#/codes${select.value === "all" ? "" : `?status=${select.value}`}`;
  }
}

class CodeEdit extends Screen {
  async load() {
    const [offers, code] = await Promise.all([
      get(admin("/offers")),
      this.params.id ? get(admin(`/promo-codes/${encodeURIComponent(this.params.id)}`)) : null,
    ]);
    this.offers = offers.offers || [];
    this.code = code;
    this.sentTo = code ? (await get(admin(`/promo-codes/${encodeURIComponent(code.id)}/sent-to`))).sent_to : [];
  }

  view() {
    const c = this.code || { discount: { type: "percent", percent: 10 }, valid_from: today(), public: false };
    const d = c.discount || {};
    const title = this.code ? t("codes.edit", { code: c.code }) : t("codes.new");
    const status = this.code ? codeStatus(c) : null;
    return html`<p class="crumbs"><a href="#/codes">${t("nav.codes")}</a></p>
      <h1 tabindex="-1">${title}</h1>
      ${this.code ? html`<p>${pill(status, t(`status.${status}`))} ${t("codes.uses")}: <strong data-testid="uses">${c.uses}</strong></p>
        <div class="toolbar">
          <button data-action="share" data-testid="share">${t("codes.share")}</button>
          ${!c.archived ? html`<button class="danger" data-action="archive" data-testid="archive"
            data-confirm="${t("codes.archiveConfirm", { code: c.code })}">${t("common.archive")}</button>` : ""}
        </div>` : ""}
      <form data-form="save" novalidate class="grid">
        <fieldset><legend>${t("codes.general")}</legend>
          ${this.code ? "" : field(t("codes.code"), "code", "", { required: true, hint: t("codes.codeHint"), testid: "code" })}
          ${field(t("codes.name"), "name", c.name, { required: true, testid: "name" })}
          ${area(t("codes.description"), "description", c.description)}
          ${translations(t("codes.nameTranslations"), "name", c.name_translations)}
          ${translations(t("codes.descriptionTranslations"), "description", c.description_translations)}
        </fieldset>
        <fieldset data-field="discount"><legend>${t("codes.discount")}</legend>
          ${select(t("codes.discountType"), "discount_type", d.type, [["percent", t("codes.percent")], ["amount", t("codes.amount")]])}
          ${field(t("codes.percentValue"), "percent", d.type === "percent" ? d.percent : "", { type: "number", attrs: html`min="0" max="100" step="0.1"`, testid: "percent" })}
          ${field(t("codes.amountValue"), "amount", d.type === "amount" ? d.amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
          ${field(t("codes.maxAmount"), "max_amount", d.max_amount ? d.max_amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
        </fieldset>
        <fieldset><legend>${t("codes.windows")}</legend>
          ${field(t("codes.validFrom"), "valid_from", c.valid_from, { type: "date", required: true })}
          ${field(t("codes.validUntil"), "valid_until", c.valid_until, { type: "date", required: true, testid: "valid-until" })}
          ${field(t("codes.publishFrom"), "publish_from", c.publish_from, { type: "date" })}
          ${field(t("codes.publishUntil"), "publish_until", c.publish_until, { type: "date" })}
          ${checkbox(t("codes.public"), "public", c.public)}
        </fieldset>
        <fieldset><legend>${t("codes.limits")}</legend>
          ${field(t("codes.maxUses"), "max_uses", c.max_uses, { type: "number", attrs: html`min="1"` })}
          ${field(t("codes.maxUsesPerGuest"), "max_uses_per_guest", c.max_uses_per_guest, { type: "number", attrs: html`min="1"` })}
          ${checkbox(t("codes.firstStayOnly"), "first_stay_only", c.first_stay_only)}
        </fieldset>
        <fieldset><legend>${t("codes.stayRules")}</legend>
          ${field(t("codes.stayFrom"), "stay_from", c.stay_from, { type: "date" })}
          ${field(t("codes.stayUntil"), "stay_until", c.stay_until, { type: "date" })}
          ${field(t("codes.minNights"), "min_nights", c.min_nights, { type: "number", attrs: html`min="1"` })}
          ${field(t("codes.maxNights"), "max_nights", c.max_nights, { type: "number", attrs: html`min="1"` })}
          ${field(t("codes.minAmount"), "min_amount", c.min_amount ? c.min_amount / 100 : "", { type: "number", attrs: html`min="0" step="0.01"` })}
          ${checkList(t("codes.weekdays"), "arrival_weekdays", c.arrival_weekdays, weekdays())}
          ${checkList(t("codes.offers"), "offer_ids", c.offer_ids, this.offers.map((o) => [o.offer_id, o.name]))}
          <p class="hint">${t("codes.emptyMeansAll")}</p>
        </fieldset>
        <div class="actions"><button type="submit" data-testid="save">${t("common.save")}</button></div>
      </form>
      ${this.code ? html`<section aria-labelledby="sent-title"><h2 id="sent-title">${t("codes.sentTo")}</h2>
        ${this.sentTo.length ? html`<ul class="plain" data-testid="sent-to">${this.sentTo.map((s) => html`
          <li>${s.first_name || ""} ${s.last_name || ""} &lt;${s.email}&gt; — ${dateTime(s.sent_at)}</li>`)}</ul>`
          : html`<p class="empty">${t("common.none")}</p>`}</section>` : ""}`;
  }

  body(form) {
    const v = formValues(form);
    const body = {
      name: v.name, description: v.description,
      name_translations: readTranslations(v, "name"), description_translations: readTranslations(v, "description"),
      discount: v.discount_type === "percent"
        ? { type: "percent", percent: v.percent === null ? null : Number(v.percent), max_amount: toMinor(v.max_amount) }
        : { type: "amount", amount: toMinor(v.amount), currency: this.closest("revenir-admin")?.property?.currency || "EUR" },
      valid_from: v.valid_from, valid_until: v.valid_until, publish_from: v.publish_from, publish_until: v.publish_until,
      public: v.public, max_uses: toInt(v.max_uses), max_uses_per_guest: toInt(v.max_uses_per_guest),
      first_stay_only: v.first_stay_only, stay_from: v.stay_from, stay_until: v.stay_until,
      min_nights: toInt(v.min_nights), max_nights: toInt(v.max_nights), min_amount: toMinor(v.min_amount),
      arrival_weekdays: v.arrival_weekdays.length ? v.arrival_weekdays.map(Number) : null,
      offer_ids: v.offer_ids.length ? v.offer_ids : null,
    };
    if (!this.code) body.code = v.code;
    return body;
  }

  async submit_save(form) {
    const body = this.body(form);
    if (this.code) {
      this.code = await patch(admin(`/promo-codes/${encodeURIComponent(this.code.id)}`), body);
      this.toast(t("common.saved"));
      this.refresh();
    } else {
      const created = await post(admin("/promo-codes"), body);
      this.toast(t("common.saved"));
      location.hash = `#/codes/${created.id}`;
    }
  }

  async on_archive() {
    await del(admin(`/promo-codes/${encodeURIComponent(this.code.id)}`));
    this.toast(t("common.archived"));
    this.refresh();
  }

  async on_share() {
    const code = this.code;
    const guests = (await get(admin("/guests"), { arrival_from: addDays(today(), -730), arrival_to: addDays(today(), 365),
      limit: 200 })).guests;
    const byEmail = new Map(guests.map((g) => [g.email, g]));
    const dialog = openDialog(t("codes.shareTitle", { code: code.code }), html`
      <p class="share-code"><code data-testid="share-code">${code.code}</code>
        <button type="button" data-copy>${t("codes.copy")}</button></p>
      <form data-form="send" novalidate>
        <p>${t("codes.sendIntro")}</p>
        ${select(t("codes.chooseGuest"), "guest", "", [["", "—"], ...[...byEmail.values()].map((g) =>
          [g.email, `${g.first_name} ${g.last_name} <${g.email}>`])], { testid: "share-guest" })}
        ${field(t("guests.firstName"), "first_name", "", { required: true })}
        ${field(t("guests.lastName"), "last_name", "", { required: true })}
        ${field(t("guests.email"), "email", "", { type: "email", required: true, testid: "share-email" })}
        ${select(t("guests.language"), "language", "", [["", t("common.guestLanguage")], ["fr", t("lang.fr")],
          ["en", t("lang.en")], ["nl", t("lang.nl")], ["de", t("lang.de")]])}
        <div class="actions"><button type="button" class="secondary" data-close>${t("common.close")}</button>
          <button type="submit" data-testid="share-send">${t("codes.send")}</button></div>
      </form>`);
    dialog.querySelector("[data-copy]").addEventListener("click", async (event) => {
      try { await navigator.clipboard.writeText(code.code); event.target.textContent = t("codes.copied"); }
      catch { event.target.textContent = t("codes.copyFailed"); }
    });
    dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
    dialog.querySelector("[name=guest]").addEventListener("change", (event) => {  // a guest from the list
      const guest = byEmail.get(event.target.value);
      const form = event.target.form;
      for (const name of ["first_name", "last_name", "email", "language"]) form.elements[name].value = guest?.[name] || "";
    });
    dialog.querySelector("form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target;
      clearErrors(form);
      try {
        const { guest, ...body } = formValues(form);
        await post(admin(`/promo-codes/${encodeURIComponent(code.id)}/send`), body);
        dialog.close();
        this.toast(t("codes.sent"));
        this.refresh();
      } catch (error) {
        if (error.details) showErrors(form, error); else throw error;
      }
    });
  }
}

customElements.define("revenir-codes", Codes);
customElements.define("revenir-code-edit", CodeEdit);
