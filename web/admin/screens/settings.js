// Settings: the property (name, time zone, languages, currency, contact, sender) and its offers.
import { admin, get, put } from "../lib/api.js";
import { formValues, html, toMinor } from "../lib/dom.js";
import { field, select } from "../lib/form.js";
import { money, t } from "../lib/i18n.js";
import { Screen } from "../lib/screen.js";

const ZONES = ["Europe/Brussels", "Europe/Paris", "Europe/Amsterdam", "Europe/Berlin", "Europe/Luxembourg",
  "Europe/Zurich", "Europe/Vienna", "Europe/London", "Europe/Lisbon", "Europe/Madrid", "Europe/Rome", "Atlantic/Reunion",
  "America/Martinique", "America/Guadeloupe", "Indian/Mauritius", "UTC"];

class Settings extends Screen {
  async load() {
    const [property, offers] = await Promise.all([get(admin()), get(admin("/offers"))]);
    this.property = property;
    this.offers = offers.offers;
  }

  view() {
    const p = this.property;
    const zones = ZONES.includes(p.time_zone) ? ZONES : [p.time_zone, ...ZONES];
    const offer = this.editing;
    return html`<h1 tabindex="-1">${t("nav.settings")}</h1>
      <p><a href="#/webhooks" data-testid="webhooks-link">${t("webhooks.settingsLink")}</a></p>
      <section aria-labelledby="prop-title"><h2 id="prop-title">${t("settings.property")}</h2>
      <form data-form="property" novalidate class="narrow">
        ${field(t("settings.name"), "name", p.name, { required: true, testid: "property-name-input" })}
        ${select(t("settings.timeZone"), "time_zone", p.time_zone, zones.map((z) => [z, z]))}
        ${select(t("settings.defaultLanguage"), "default_language", p.default_language, ["fr", "en", "nl", "de"].map((l) => [l, t(`lang.${l}`)]))}
        ${field(t("settings.currency"), "currency", p.currency, { required: true, attrs: html`maxlength="3"` })}
        ${field(t("settings.contactEmail"), "contact_email", p.contact_email, { type: "email", required: true })}
        ${field(t("settings.contactPhone"), "contact_phone", p.contact_phone, { type: "tel" })}
        ${field(t("settings.website"), "website", p.website, { type: "url" })}
        ${field(t("settings.senderEmail"), "sender_email", p.sender_email, { type: "email", required: true, hint: t("settings.senderHint") })}
        <div class="actions"><button type="submit" data-testid="save-property">${t("common.save")}</button></div>
      </form></section>
      <section aria-labelledby="offers-title"><h2 id="offers-title">${t("settings.offers")}</h2>
        <div class="table-wrap"><table data-testid="offers-table"><thead><tr><th scope="col">${t("settings.offerId")}</th>
          <th scope="col">${t("settings.offerName")}</th><th scope="col">${t("settings.offerKind")}</th><th scope="col">${t("settings.price")}</th>
          <th scope="col"><span class="sr-only">${t("common.actions")}</span></th></tr></thead>
          <tbody>${this.offers.map((o) => html`<tr><th scope="row"><code>${o.offer_id}</code></th><td>${o.name}</td>
            <td>${t(`offer.${o.kind}`)}</td><td>${money(o.price, o.currency)}</td>
            <td><button class="link" data-action="edit-offer" data-id="${o.offer_id}">${t("common.edit")}</button></td></tr>`)}</tbody></table></div>
        <form data-form="offer" novalidate class="narrow" aria-labelledby="offer-form-title">
          <h3 id="offer-form-title">${offer ? t("settings.editOffer", { name: offer.name }) : t("settings.newOffer")}</h3>
          ${offer ? "" : field(t("settings.offerId"), "offer_id", "", { required: true, hint: t("emails.segmentIdHint") })}
          ${field(t("settings.offerName"), "name", offer?.name, { required: true })}
          ${select(t("settings.offerKind"), "kind", offer?.kind || "accommodation", [["accommodation", t("offer.accommodation")], ["option", t("offer.option")]])}
          ${field(t("settings.price"), "price", offer ? offer.price / 100 : "", { type: "number", required: true, attrs: html`min="0" step="0.01"` })}
          <div class="actions"><button type="submit">${t("common.save")}</button>
            ${offer ? html`<button type="button" class="secondary" data-action="cancel">${t("common.cancel")}</button>` : ""}</div>
        </form>
      </section>`;
  }

  async submit_property(form) {
    const v = formValues(form);
    this.property = await put(admin(), { ...v, currency: (v.currency || "").toUpperCase() });
    const name = document.querySelector("[data-testid=property-name]");
    if (name) name.textContent = this.property.name;
    this.toast(t("common.saved"));
  }

  on_edit_offer(b) { this.editing = this.offers.find((o) => o.offer_id === b.dataset.id); this.paint(); }
  on_cancel() { this.editing = null; this.paint(); }

  async submit_offer(form) {
    const v = formValues(form);
    const id = this.editing ? this.editing.offer_id : v.offer_id;
    await put(admin(`/offers/${encodeURIComponent(id || "")}`), { name: v.name, kind: v.kind, price: toMinor(v.price),
      currency: this.property.currency });
    this.editing = null;
    this.toast(t("common.saved"));
    this.refresh();
  }
}

customElements.define("revenir-settings", Settings);
