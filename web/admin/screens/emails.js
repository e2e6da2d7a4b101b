// E-mails (seed 000): the board of templates with ACTIVÉ/DÉSACTIVÉ toggles, an editor per template and
// language with variables inserted by click, the API's live preview for a chosen booking, a test send;
// segments and per-segment upsells; abandoned-cart settings and figures.
import { ApiError, admin, del, get, patch, post, put } from "../lib/api.js";
import { tokenEmail } from "../lib/auth.js";
import { formValues, html, toInt } from "../lib/dom.js";
import { addDays, checkList, field, select, today } from "../lib/form.js";
import { LANGUAGES, dateTime, money, number, t, tOr } from "../lib/i18n.js";
import { Screen } from "../lib/screen.js";

const SEGMENT_RULES = ["channels", "tags", "trip_purpose", "rate_includes", "group_type"];

class Emails extends Screen {
  async load() {
    const [templates, segments, settings, stats, problems] = await Promise.all([
      get(admin("/mail-templates")), get(admin("/segments")), get(admin("/cart-settings")),
      get(admin("/carts/stats")), get(admin("/mail-problems")),
    ]);
    this.problems = problems.problems;
    this.templates = templates.templates;
    this.segments = segments.segments;
    this.settings = settings;
    this.stats = stats;
  }

  view() {
    const s = this.settings;
    const st = this.stats;
    return html`<h1 tabindex="-1">${t("nav.emails")}</h1>
      ${this.problems.length ? html`<section aria-labelledby="problems-title" data-testid="mail-problems">
        <h2 id="problems-title">${t("emails.problems")}</h2><p class="hint">${t("emails.problemsIntro")}</p>
        <div class="table-wrap"><table><thead><tr><th scope="col">${t("emails.problemReason")}</th>
          <th scope="col">${t("emails.problemWhat")}</th><th scope="col">${t("emails.problemCount")}</th>
          <th scope="col">${t("emails.problemLast")}</th></tr></thead>
        <tbody>${this.problems.map((p) => html`<tr><td><code>${p.reason}</code><br><span class="muted">${p.last_error}</span></td>
          <td>${t(`emails.problemKind.${p.kind}`)}</td><td>${number(p.count)}</td>
          <td>${dateTime(p.last_at)}<br><span class="muted">${p.last_template_id} · ${p.last_email}</span></td></tr>`)}</tbody>
        </table></div></section>` : ""}
      <section aria-labelledby="board-title"><h2 id="board-title">${t("emails.board")}</h2>
        <ul class="board" data-testid="templates">${this.templates.map((tpl) => html`<li class="card" data-template="${tpl.template_id}">
          <h3><a href="#/emails/${tpl.template_id}">${tpl.name}</a></h3>
          <p class="muted">${t(`kind.${tpl.kind}`)} · ${this.triggerText(tpl.trigger)} · ${t(`mailCategory.${tpl.category}`)}</p>
          <button class="toggle ${tpl.enabled ? "on" : "off"}" role="switch" aria-checked="${String(tpl.enabled)}"
            data-action="toggle" data-id="${tpl.template_id}" aria-label="${t("emails.toggleLabel", { name: tpl.name })}">
            ${tpl.enabled ? t("emails.enabled") : t("emails.disabled")}</button></li>`)}</ul>
      </section>
      <section aria-labelledby="seg-title"><h2 id="seg-title">${t("emails.segments")}</h2>
        ${this.segments.length ? html`<ul class="plain" data-testid="segments">${this.segments.map((seg) => html`<li>
          <strong>${seg.name}</strong> <span class="muted">${this.rulesText(seg.rules)}</span>
          <button class="link" data-action="edit-segment" data-id="${seg.segment_id}">${t("common.edit")}</button>
          <button class="link danger" data-action="delete-segment" data-id="${seg.segment_id}"
            data-confirm="${t("emails.deleteSegmentConfirm", { name: seg.name })}">${t("common.delete")}</button></li>`)}</ul>`
          : html`<p class="empty">${t("common.none")}</p>`}
        ${this.segmentForm(this.editing)}
      </section>
      <section aria-labelledby="cart-title"><h2 id="cart-title">${t("emails.carts")}</h2>
        <dl class="figures" data-testid="cart-figures">
          <div><dt>${t("dash.cartsStarted")}</dt><dd>${number(st.started)}</dd></div>
          <div><dt>${t("dash.cartsReminded")}</dt><dd>${number(st.reminded)}</dd></div>
          <div><dt>${t("dash.cartsRecovered")}</dt><dd>${number(st.recovered)}</dd></div>
          <div><dt>${t("dash.recoveredRevenue")}</dt><dd>${Object.entries(st.recovered_revenue || {}).map(([cur, amount]) =>
            money(amount, cur)).join(", ") || money(0)}</dd></div>
        </dl>
        <form data-form="cart" novalidate class="narrow">
          ${field(t("emails.delayMinutes"), "delay_minutes", s.delay_minutes, { type: "number", attrs: html`min="1"` })}
          ${field(t("emails.secondReminderHours"), "second_reminder_hours", s.second_reminder_hours, { type: "number", attrs: html`min="1"` })}
          ${field(t("emails.discountPercent"), "discount_percent", s.discount_percent, { type: "number", attrs: html`min="0" max="100" step="0.1"` })}
          ${field(t("emails.codeValidityHours"), "code_validity_hours", s.code_validity_hours, { type: "number", attrs: html`min="1"` })}
          <div class="actions"><button type="submit">${t("common.save")}</button></div>
        </form>
      </section>`;
  }

  triggerText(trigger) {
    return t(`trigger.${trigger.type}`, { days: trigger.days, hour: String(trigger.hour ?? 0).padStart(2, "0"),
      minute: String(trigger.minute ?? 0).padStart(2, "0") });
  }

  rulesText(rules) {
    return Object.entries(rules || {}).filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${t(`rule.${k}`)}: ${Array.isArray(v) ? v.join(", ") : v ? t("common.yes") : t("common.no")}`).join(" · ");
  }

  segmentForm(seg) {
    const r = (seg && seg.rules) || {};
    return html`<form data-form="segment" novalidate class="narrow" aria-labelledby="segform-title">
      <h3 id="segform-title">${seg ? t("emails.editSegment", { name: seg.name }) : t("emails.newSegment")}</h3>
      ${seg ? "" : field(t("emails.segmentId"), "segment_id", "", { required: true, hint: t("emails.segmentIdHint") })}
      ${field(t("emails.segmentName"), "name", seg?.name, { required: true })}
      ${SEGMENT_RULES.map((k) => field(t(`rule.${k}`), k, (r[k] || []).join(", "), { hint: t("emails.listHint") }))}
      ${select(t("rule.repeat_guest"), "repeat_guest", r.repeat_guest === undefined || r.repeat_guest === null ? "" : String(r.repeat_guest),
        [["", t("common.any")], ["true", t("common.yes")], ["false", t("common.no")]])}
      <div class="actions"><button type="submit">${t("common.save")}</button>
        ${seg ? html`<button type="button" class="secondary" data-action="cancel-segment">${t("common.cancel")}</button>` : ""}</div>
    </form>`;
  }

  async on_toggle(button) {
    const id = button.dataset.id;
    const index = this.templates.findIndex((x) => x.template_id === id);
    // only `enabled` changes, atomically on the server: an edit saved meanwhile elsewhere is kept
    const saved = await patch(admin(`/mail-templates/${encodeURIComponent(id)}`), { enabled: !this.templates[index].enabled });
    this.templates[index] = saved;
    this.paint();
    this.querySelector(`[data-action=toggle][data-id="${id}"]`)?.focus();
  }

  on_edit_segment(button) {
    this.editing = this.segments.find((s) => s.segment_id === button.dataset.id);
    this.paint();
    this.querySelector("[data-form=segment] input")?.focus();
  }

  on_cancel_segment() { this.editing = null; this.paint(); }

  async on_delete_segment(button) {
    await del(admin(`/segments/${encodeURIComponent(button.dataset.id)}`));
    this.refresh();
  }

  async submit_segment(form) {
    const v = formValues(form);
    const rules = {};
    for (const k of SEGMENT_RULES) {
      const list = (v[k] || "").split(",").map((x) => x.trim()).filter(Boolean);
      if (list.length) rules[k] = list;
    }
    if (v.repeat_guest) rules.repeat_guest = v.repeat_guest === "true";
    const id = this.editing ? this.editing.segment_id : v.segment_id;
    await put(admin(`/segments/${encodeURIComponent(id || "")}`), { name: v.name, rules });
    this.editing = null;
    this.toast(t("common.saved"));
    this.refresh();
  }

  async submit_cart(form) {
    const v = formValues(form);
    this.settings = await put(admin("/cart-settings"), {
      delay_minutes: toInt(v.delay_minutes), second_reminder_hours: toInt(v.second_reminder_hours),
      discount_percent: v.discount_percent === null ? null : Number(v.discount_percent),
      code_validity_hours: toInt(v.code_validity_hours),
    });
    this.toast(t("common.saved"));
  }
}

class TemplateEdit extends Screen {
  async load() {
    const [tpl, guests, segments, offers, property] = await Promise.all([
      get(admin(`/mail-templates/${encodeURIComponent(this.params.id)}`)),
      get(admin("/guests"), { limit: 100, arrival_from: addDays(today(), -365), arrival_to: addDays(today(), 365), reachable: false }),
      get(admin("/segments")), get(admin("/offers")), get(admin()),
    ]);
    this.tpl = tpl;
    // a test goes only to the host's own addresses (the API refuses others): the contact address, the sign-in one
    this.testAddresses = [...new Set([property.contact_email, tokenEmail()].filter(Boolean).map((a) => a.toLowerCase()))];
    this.bookings = guests.guests;
    this.segments = segments.segments;
    this.offers = offers.offers;
    this.lang = LANGUAGES.includes(this.query.get("lang")) ? this.query.get("lang") : "fr";
    const variant = Number(this.query.get("variant"));
    this.variant = this.query.has("variant") && tpl.variants[variant] ? variant : null;
    this.previewBooking = "";
    const [variables] = await Promise.all([  // the renderer's own variables for this kind, with examples
      get(admin("/mail-templates/variables"), { kind: tpl.kind }), this.renderPreview()]);
    this.variables = variables.variables;
  }

  /** The API's rendering of the texts shown: the form's unsaved ones once it exists (live preview). */
  async renderPreview() {
    const form = this.querySelector("form[data-form=save]");
    const body = { language: this.lang, booking_id: this.previewBooking || null, variant: this.variant };
    if (form) {
      const v = formValues(form);
      if (v.subject && v.html && v.text) body.content = { subject: v.subject, html: v.html, text: v.text };
    }
    try {
      this.preview = await post(admin(`/mail-templates/${encodeURIComponent(this.tpl.template_id)}/preview`), body);
      this.previewError = null;
    } catch (error) {
      this.preview = null;
      this.previewError = error.message;
    }
  }

  previewView() {
    return this.preview ? html`<p class="subject"><strong>${t("emails.subject")}:</strong>
      <span data-testid="preview-subject">${this.preview.subject}</span></p>
      <iframe title="${t("emails.preview")}" sandbox="" srcdoc="${this.preview.html}" data-testid="preview-frame"></iframe>`
      : html`<p class="error" role="alert">${this.previewError}</p>`;
  }

  /** While typing: the preview follows, 400 ms after the last keystroke, without repainting the form. */
  schedulePreview() {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(async () => {
      const asked = (this.previewSeq = (this.previewSeq || 0) + 1);
      await this.renderPreview();
      const box = this.querySelector("[data-preview]");
      if (box && asked === this.previewSeq) box.innerHTML = String(this.previewView());
    }, 400);
  }

  view() {
    const tpl = this.tpl;
    const versions = this.variant === null ? tpl.versions : tpl.variants[this.variant].versions;
    const version = versions[this.lang] || { subject: "", html: "", text: "" };
    const base = `#/emails/${tpl.template_id}?${this.variant === null ? "" : `variant=${this.variant}&`}`;
    return html`<p class="crumbs"><a href="#/emails">${t("nav.emails")}</a></p>
      <h1 tabindex="-1">${tpl.name}${this.variant === null ? "" : ` — ${tpl.variants[this.variant].name}`}</h1>
      ${this.variant === null ? "" : html`<p><a href="#/emails/${tpl.template_id}?lang=${this.lang}">${t("emails.backToMain")}</a></p>`}
      <p>${tpl.enabled ? t("emails.enabled") : t("emails.disabled")} · ${t(`kind.${tpl.kind}`)}
        ${tpl.customized ? html`· ${t("emails.customized")}` : ""}</p>
      <nav class="tabs" aria-label="${t("emails.languages")}">${LANGUAGES.map((l) => html`
        <a href="${base}lang=${l}" ${l === this.lang ? html`aria-current="page"` : ""}
          data-testid="lang-${l}">${t(`lang.${l}`)}</a>`)}</nav>
      <div class="editor">
        <form data-form="save" novalidate class="editor-form">
          ${field(t("emails.name"), "name", tpl.name, { required: true })}
          ${field(t("emails.subject"), "subject", version.subject, { required: true, testid: "subject", attrs: html`data-insertable` })}
          <div class="field"><span id="vars-label">${t("emails.variables")}</span>
            <ul class="variables" aria-labelledby="vars-label">${this.variables.map((v) => html`<li>
              <button type="button" class="chip" data-action="insert" data-variable="${v.name}"
                title="${tOr(`variable.${v.name}`, v.description)}${v.example ? ` (${v.example})` : ""}">{{ ${v.name} }}</button></li>`)}</ul></div>
          <div class="field"><label for="tpl-html">${t("emails.html")}</label>
            <textarea id="tpl-html" name="html" rows="14" data-insertable data-testid="html">${version.html}</textarea></div>
          <div class="field"><label for="tpl-text">${t("emails.text")}</label>
            <textarea id="tpl-text" name="text" rows="8" data-insertable>${version.text}</textarea></div>
          ${this.variant !== null ? "" : html`<fieldset><legend>${t("emails.upsells")}</legend>
            ${tpl.upsells.length ? html`<ul class="plain">${tpl.upsells.map((u, i) => html`<li>${this.offerName(u.offer_id)}
              ${u.segments.length ? html`<span class="muted">${t("emails.onlyFor")}: ${u.segments.join(", ")}</span>` : ""}
              <button type="button" class="link danger" data-action="remove-upsell" data-index="${i}">${t("common.delete")}</button></li>`)}</ul>` : ""}
            ${select(t("emails.addUpsell"), "upsell_offer", "", [["", "—"], ...this.offers.filter((o) => o.kind === "option")
              .map((o) => [o.offer_id, o.name])])}
            ${this.segments.length ? checkList(t("emails.upsellSegments"), "upsell_segments", [], this.segments.map((s) => [s.segment_id, s.name])) : ""}
          </fieldset>`}
          ${this.variant === null ? html`<fieldset data-testid="variants"><legend>${t("emails.variants")}</legend>
            ${tpl.variants.length ? html`<ul class="plain">${tpl.variants.map((v, i) => html`<li>
              <a href="#/emails/${tpl.template_id}?variant=${i}&lang=${this.lang}">${v.name}</a>
              <span class="muted">${t("emails.onlyFor")}: ${v.segments.join(", ")}</span>
              <button type="button" class="link danger" data-action="remove-variant" data-index="${i}"
                data-confirm="${t("emails.removeVariantConfirm", { name: v.name })}">${t("common.delete")}</button></li>`)}</ul>` : ""}
            ${this.segments.length ? html`${field(t("emails.variantName"), "variant_name", "", { testid: "variant-name" })}
              ${checkList(t("emails.variantSegments"), "variant_segments", [], this.segments.map((seg) => [seg.segment_id, seg.name]))}
              <p class="hint">${t("emails.variantHint")}</p>` : html`<p class="hint">${t("emails.noSegments")}</p>`}
          </fieldset>` : ""}
          <div class="actions">
            <button type="submit" data-testid="save">${t("common.save")}</button>
            ${tpl.customized ? html`<button type="button" class="secondary" data-action="reset" data-testid="reset"
              data-confirm="${t("emails.resetConfirm")}">${t("emails.reset")}</button>` : ""}
          </div>
        </form>
        <section class="preview" aria-labelledby="preview-title">
          <h2 id="preview-title">${t("emails.preview")}</h2>
          ${select(t("emails.previewFor"), "preview_booking", this.previewBooking, [["", t("emails.sampleStay")],
            ...this.bookings.map((b) => [b.booking_id, `${b.first_name} ${b.last_name} (${b.booking_id})`])],
            { attrs: html`data-change="preview"` })}
          <div data-preview aria-live="polite">${this.previewView()}</div>
          <form data-form="test" novalidate>
            ${select(t("emails.testAddress"), "email", this.testAddresses[0], this.testAddresses.map((a) => [a, a]),
              { testid: "test-email" })}
            <p class="hint">${t("emails.testAddressHint")}</p>
            <div class="actions"><button type="submit" class="secondary">${t("emails.testSend")}</button></div>
          </form>
        </section>
      </div>`;
  }

  offerName(id) { return this.offers.find((o) => o.offer_id === id)?.name || id; }

  connectedCallback() {
    super.connectedCallback();
    this.addEventListener("focusin", (event) => {
      if (event.target.matches("[data-insertable]")) this.lastField = event.target;
    });
    this.addEventListener("input", (event) => {
      if (event.target.matches("form[data-form=save] [data-insertable]")) this.schedulePreview();
    });
  }

  on_insert(button) {
    const target = this.lastField || this.querySelector("#tpl-html");
    const text = `{{ ${button.dataset.variable} }}`;
    const start = target.selectionStart ?? target.value.length;
    const end = target.selectionEnd ?? target.value.length;
    target.setRangeText(text, start, end, "end");
    target.focus();
    this.schedulePreview();
  }

  async changed_preview(selectEl) {
    this.previewBooking = selectEl.value;
    await this.renderPreview();
    this.paint();
  }

  async submit_save(form) {
    const v = formValues(form);
    const tpl = this.tpl;
    const content = { subject: v.subject || "", html: v.html || "", text: v.text || "" };
    // a partial edit based on the revision shown: a change saved meanwhile is refused (409), never overwritten
    const body = { revision: tpl.revision ?? null, name: v.name };
    if (v.upsell_offer) body.upsells = [...tpl.upsells, { offer_id: v.upsell_offer, segments: v.upsell_segments || [], exclude_segments: [] }];
    if (this.variant === null) {
      body.versions = { [this.lang]: content };  // merged per language by the API
      if (v.variant_name) {  // a new variant starts as a copy of the main texts, for the chosen segments
        body.variants = [...tpl.variants, { name: v.variant_name, segments: v.variant_segments || [],
          exclude_segments: [], versions: { ...tpl.versions, [this.lang]: content } }];
      }
    } else {
      body.variants = tpl.variants.map((x, i) => (i === this.variant
        ? { ...x, versions: { ...x.versions, [this.lang]: content } } : x));
    }
    if (!(await this.patchTemplate(body))) return;
    await this.renderPreview();
    this.paint();
    this.toast(t("common.saved"));
  }

  /** PATCH the template at the revision shown; on a conflict, say so and show the latest. */
  async patchTemplate(body) {
    try {
      this.tpl = await patch(admin(`/mail-templates/${encodeURIComponent(this.tpl.template_id)}`),
        { revision: this.tpl.revision ?? null, ...body });
      return true;
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "concurrent_change") throw error;
      this.toast(t("emails.conflict"), true);
      this.tpl = await get(admin(`/mail-templates/${encodeURIComponent(this.tpl.template_id)}`));
      this.paint();  // the latest texts in the form first: the preview renders them
      await this.renderPreview();
      // only the preview box again: a second paint of the form would wipe what the host typed meanwhile
      const box = this.querySelector("[data-preview]");
      if (box) box.innerHTML = String(this.previewView());
      return false;
    }
  }

  async on_remove_upsell(button) {
    const upsells = this.tpl.upsells.filter((_, i) => i !== Number(button.dataset.index));
    if (await this.patchTemplate({ upsells })) this.paint();
  }

  async on_remove_variant(button) {
    const variants = this.tpl.variants.filter((_, i) => i !== Number(button.dataset.index));
    if (await this.patchTemplate({ variants })) this.paint();
  }

  async on_reset() {
    await del(admin(`/mail-templates/${encodeURIComponent(this.tpl.template_id)}`));
    this.refresh();
  }

  async submit_test(form) {
    const v = formValues(form);
    await post(admin(`/mail-templates/${encodeURIComponent(this.tpl.template_id)}/test-send`), {
      email: v.email, language: this.lang, booking_id: this.previewBooking || null });
    this.toast(t("emails.testSent", { email: v.email }));
  }
}

customElements.define("revenir-emails", Emails);
customElements.define("revenir-template-edit", TemplateEdit);
