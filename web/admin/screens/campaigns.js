// Promotional campaigns (docs/campaigns.md): the list, and one campaign — compose per language, pick
// recipients, count them, test-send, schedule or send now, cancel, read the figures.
import { admin, get, patch, post } from "../lib/api.js";
import { formValues, html } from "../lib/dom.js";
import { area, checkList, checkbox, field, pill, select } from "../lib/form.js";
import { LANGUAGES, dateTime, money, number, t } from "../lib/i18n.js";
import { Screen } from "../lib/screen.js";

const EDITABLE = ["draft", "scheduled"];
const FIGURES = ["recipients", "sent", "suppressed", "failed", "bounced", "complained", "unsubscribed", "codes_redeemed"];

const countView = (count) => html`<p data-testid="count-result">${t("campaigns.countResult", {
  recipients: number(count.recipients), guests: number(count.guests) })}
  ${Object.entries(count.excluded).map(([reason, n]) => html`<br>${t(`campaigns.excluded_${reason}`)}: ${number(n)}`)}</p>`;

const statusPill = (status) => pill(status === "sent" ? "active" : status === "cancelled" ? "archived" : status,
  t(`campaigns.status_${status}`));

class Campaigns extends Screen {
  async load() {
    this.campaigns = (await get(admin("/campaigns"))).campaigns;
  }

  view() {
    return html`<h1 tabindex="-1">${t("nav.campaigns")}</h1>
      <p class="intro">${t("campaigns.intro")}</p>
      <p><a class="button" href="#/campaigns/new" data-testid="new-campaign">${t("campaigns.new")}</a></p>
      ${this.campaigns.length ? html`<div class="table-wrap"><table data-testid="campaigns-table"><thead><tr>
        <th scope="col">${t("campaigns.name")}</th><th scope="col">${t("common.status")}</th>
        <th scope="col">${t("campaigns.sendAt")}</th><th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
        </tr></thead><tbody>${this.campaigns.map((c) => html`<tr><th scope="row">${c.name}</th>
          <td>${statusPill(c.status)}</td><td>${c.send_at ? dateTime(c.send_at) : "—"}</td>
          <td><a href="#/campaigns/${encodeURIComponent(c.campaign_id)}">${t("common.open")}</a></td></tr>`)}</tbody></table></div>`
        : html`<p class="empty">${t("common.none")}</p>`}`;
  }
}

class Campaign extends Screen {
  async load() {
    const id = this.params.id;
    const [segments, codes, campaign, figures] = await Promise.all([
      get(admin("/segments")), get(admin("/promo-codes"), { limit: 100 }),
      id ? get(admin(`/campaigns/${encodeURIComponent(id)}`)) : null,
      id ? get(admin(`/campaigns/${encodeURIComponent(id)}/figures`)) : null,
    ]);
    this.segments = segments.segments;
    this.codes = codes.promo_codes.filter((c) => !c.archived);
    this.campaign = campaign;
    this.figures = figures;
  }

  get editable() { return !this.campaign || EDITABLE.includes(this.campaign.status); }

  view() {
    const c = this.campaign;
    const audience = c?.audience || {};
    const locked = this.editable ? "" : html`disabled`;
    return html`<h1 tabindex="-1">${c ? c.name : t("campaigns.new")}</h1>
      ${c ? html`<p>${statusPill(c.status)} ${c.send_at ? html`· ${t("campaigns.sendAt")} ${dateTime(c.send_at)}` : ""}</p>` : ""}
      ${this.figures && c.status !== "draft" ? this.figuresView() : ""}
      <form data-form="campaign" novalidate class="grid" aria-labelledby="compose-title">
        <h2 id="compose-title">${t("campaigns.compose")}</h2>
        <fieldset ${locked}><legend>${t("campaigns.general")}</legend>
          ${field(t("campaigns.name"), "name", c?.name, { required: true, testid: "campaign-name" })}
          <p class="hint">${t("campaigns.variablesHint")}</p>
        </fieldset>
        ${LANGUAGES.map((lang) => html`<fieldset data-field="versions.${lang}" ${locked}><legend>${t(`lang.${lang}`)}</legend>
          ${field(t("campaigns.subject"), `subject_${lang}`, c?.versions?.[lang]?.subject, { testid: `subject-${lang}` })}
          ${area(t("campaigns.html"), `html_${lang}`, c?.versions?.[lang]?.html, { rows: 5, testid: `html-${lang}` })}
          ${area(t("campaigns.text"), `text_${lang}`, c?.versions?.[lang]?.text, { rows: 3, testid: `text-${lang}` })}
        </fieldset>`)}
        <fieldset data-field="audience" ${locked}><legend>${t("campaigns.recipients")}</legend>
          <p class="hint">${t("campaigns.rules")}</p>
          ${checkList(t("campaigns.segments"), "segments", audience.segments, this.segments.map((s) => [s.segment_id, s.name]))}
          ${checkList(t("campaigns.excludeSegments"), "exclude_segments", audience.exclude_segments, this.segments.map((s) => [s.segment_id, s.name]))}
          ${field(t("campaigns.tags"), "tags", (audience.tags || []).join(", "), { hint: t("campaigns.tagsHint") })}
          ${checkList(t("campaigns.languages"), "languages", audience.languages, LANGUAGES.map((l) => [l, t(`lang.${l}`)]))}
          ${checkbox(t("campaigns.repeatOnly"), "repeat_guests_only", audience.repeat_guests_only)}
          <div class="actions"><button type="button" class="secondary" data-action="count" data-testid="count">${t("campaigns.count")}</button></div>
          <div data-count role="status">${this.count ? countView(this.count) : ""}</div>
        </fieldset>
        <fieldset data-field="promo" ${locked}><legend>${t("campaigns.promo")}</legend>
          ${select(t("campaigns.promoMode"), "promo_mode", c?.promo?.mode || "", [["", t("campaigns.promo_none")],
            ["shared", t("campaigns.promo_shared")], ["per_recipient", t("campaigns.promo_per_recipient")]])}
          ${select(t("campaigns.promoCode"), "promo_code_id", c?.promo?.promo_code_id, [["", "—"], ...this.codes.map((p) => [p.id, `${p.code} — ${p.name}`])])}
          ${field(t("campaigns.validDays"), "valid_days", c?.promo?.valid_days || 60, { type: "number", attrs: html`min="1" max="730"` })}
        </fieldset>
        ${this.editable ? html`<div class="actions"><button type="submit" data-testid="save-campaign">${t("common.save")}</button></div>` : ""}
      </form>
      ${c ? this.sendingView() : ""}`;
  }

  sendingView() {
    const c = this.campaign;
    return html`<section aria-labelledby="send-title"><h2 id="send-title">${t("campaigns.sending")}</h2>
      <form data-form="test" novalidate class="grid" aria-labelledby="test-title">
        <h3 id="test-title">${t("campaigns.testSend")}</h3>
        ${field(t("campaigns.testEmail"), "email", "", { type: "email", required: true, hint: t("campaigns.testHint"), testid: "test-email" })}
        ${select(t("common.guestLanguage"), "language", "", [["", "—"], ...LANGUAGES.map((l) => [l, t(`lang.${l}`)])])}
        <div class="actions"><button type="submit" class="secondary" data-testid="test-send">${t("campaigns.testSendButton")}</button></div>
      </form>
      ${EDITABLE.includes(c.status) ? html`<form data-form="schedule" novalidate class="grid" aria-labelledby="schedule-title">
        <h3 id="schedule-title">${t("campaigns.schedule")}</h3>
        ${field(t("campaigns.sendAt"), "send_at", "", { type: "datetime-local", testid: "send-at" })}
        <div class="actions"><button type="submit" data-testid="schedule">${t("campaigns.scheduleButton")}</button>
          <button type="button" data-action="send_now" data-testid="send-now" data-confirm="${t("campaigns.sendNowConfirm")}">${t("campaigns.sendNow")}</button></div>
      </form>` : ""}
      ${["draft", "scheduled", "planning", "sending"].includes(c.status) ? html`<p><button type="button" class="link danger"
        data-action="cancel_campaign" data-testid="cancel-campaign" data-confirm="${t("campaigns.cancelConfirm")}">${t("campaigns.cancel")}</button></p>` : ""}
    </section>`;
  }

  figuresView() {
    const f = this.figures;
    return html`<section aria-labelledby="figures-title"><h2 id="figures-title">${t("campaigns.figures")}</h2>
      <dl class="figures" data-testid="figures">${FIGURES.map((k) => html`<div><dt>${t(`campaigns.figure_${k}`)}</dt><dd>${number(f[k])}</dd></div>`)}
        <div><dt>${t("campaigns.figure_revenue")}</dt><dd>${f.revenue.length ? f.revenue.map((r) => money(r.amount, r.currency)).join(" · ") : "—"}</dd></div></dl>
      <p><button type="button" class="secondary" data-action="reload">${t("campaigns.reload")}</button></p></section>`;
  }

  audience(v) {
    return { segments: v.segments || [], exclude_segments: v.exclude_segments || [],
      tags: (v.tags || "").split(",").map((s) => s.trim()).filter(Boolean), languages: v.languages || [],
      repeat_guests_only: Boolean(v.repeat_guests_only) };
  }

  body(form) {
    const v = formValues(form);
    const versions = {};
    for (const lang of LANGUAGES) {
      if (v[`subject_${lang}`] || v[`html_${lang}`] || v[`text_${lang}`]) {
        versions[lang] = { subject: v[`subject_${lang}`], html: v[`html_${lang}`], text: v[`text_${lang}`] };
      }
    }
    const promo = v.promo_mode ? { mode: v.promo_mode, promo_code_id: v.promo_code_id,
      valid_days: Number(v.valid_days || 60) } : null;
    return { name: v.name, versions, audience: this.audience(v), promo };
  }

  async on_count() {  // only the result changes: the texts being written stay as they are
    const form = this.querySelector("form[data-form=campaign]");
    this.count = await post(admin("/campaigns/audience-count"), this.audience(formValues(form)));
    this.querySelector("[data-count]").innerHTML = String(countView(this.count));
  }

  async submit_campaign(form) {
    const body = this.body(form);
    if (this.campaign) {
      this.campaign = await patch(admin(`/campaigns/${encodeURIComponent(this.campaign.campaign_id)}`),
        { ...body, revision: this.campaign.revision });
      this.toast(t("common.saved"));
      this.paint();
    } else {
      const created = await post(admin("/campaigns"), body);
      this.toast(t("common.saved"));
      location.hash = `#/campaigns/${encodeURIComponent(created.campaign_id)}`;
    }
  }

  async submit_test(form) {
    const v = formValues(form);
    await post(admin(`/campaigns/${encodeURIComponent(this.campaign.campaign_id)}/test-send`),
      { email: v.email, language: v.language });
    this.toast(t("campaigns.testSent"));
  }

  async submit_schedule(form) {
    const v = formValues(form);
    const sendAt = v.send_at ? new Date(v.send_at).toISOString() : null;
    await post(admin(`/campaigns/${encodeURIComponent(this.campaign.campaign_id)}/schedule`), { send_at: sendAt });
    this.toast(t("campaigns.scheduled"));
    this.refresh();
  }

  async on_send_now() {
    await post(admin(`/campaigns/${encodeURIComponent(this.campaign.campaign_id)}/schedule`), {});
    this.toast(t("campaigns.scheduled"));
    this.refresh();
  }

  async on_cancel_campaign() {
    await post(admin(`/campaigns/${encodeURIComponent(this.campaign.campaign_id)}/cancel`), {});
    this.refresh();
  }

  on_reload() { this.refresh(); }
}

customElements.define("revenir-campaigns", Campaigns);
customElements.define("revenir-campaign", Campaign);
