// Webhooks (issue 17): the property's endpoints, their signing secret shown once, enable/disable, delivery log
// and replay. Event names stay as the API sends them: the booking engine's developers read them.
import { admin, del, get, patch, post } from "../lib/api.js";
import { formValues, html } from "../lib/dom.js";
import { checkList, field, pill } from "../lib/form.js";
import { dateTime, t } from "../lib/i18n.js";
import { Screen, openDialog } from "../lib/screen.js";

export const EVENT_TYPES = ["code.redeemed", "code.released", "voucher.purchased", "voucher.redeemed", "package.purchased",
  "guest.unsubscribed", "review.received", "cart.recovered"];

class Webhooks extends Screen {
  async load() {
    this.endpoints = (await get(admin("/webhooks"))).endpoints;
    this.logs = this.logs || {};
  }

  view() {
    return html`<h1 tabindex="-1">${t("nav.webhooks")}</h1>
      <p class="hint">${t("webhooks.intro")}</p>
      ${this.endpoints.length ? html`<ul class="plain" data-testid="endpoints">${this.endpoints.map((e) => html`
        <li class="card" data-endpoint="${e.id}"><h2><code>${e.url}</code></h2>
          <p>${pill(e.enabled ? "active" : "archived", t(e.enabled ? "webhooks.enabled" : "webhooks.disabled"))}
            ${e.event_types.map((type) => html` <code>${type}</code>`)}</p>
          ${e.description ? html`<p>${e.description}</p>` : ""}
          ${e.previous_secret_until && e.previous_secret_until > new Date().toISOString()
            ? html`<p class="hint">${t("webhooks.previousUntil", { date: dateTime(e.previous_secret_until) })}</p>` : ""}
          <div class="actions">
            <button class="secondary" data-action="toggle" data-id="${e.id}">${t(e.enabled ? "webhooks.disable" : "webhooks.enable")}</button>
            <button class="secondary" data-action="log" data-id="${e.id}" aria-expanded="${this.logs[e.id] ? "true" : "false"}">${t("webhooks.deliveries")}</button>
            <button class="secondary" data-action="rotate" data-id="${e.id}" data-testid="rotate-secret"
              data-confirm="${t("webhooks.rotateConfirm", { url: e.url })}">${t("webhooks.rotate")}</button>
            <button class="link danger" data-action="delete" data-id="${e.id}"
              data-confirm="${t("webhooks.deleteConfirm", { url: e.url })}">${t("common.delete")}</button></div>
          ${this.logs[e.id] ? this.logView(e, this.logs[e.id]) : ""}</li>`)}</ul>`
        : html`<p class="empty">${t("webhooks.none")}</p>`}
      <form data-form="endpoint" novalidate class="grid" aria-labelledby="endpoint-form-title">
        <h2 id="endpoint-form-title">${t("webhooks.new")}</h2>
        ${field(t("webhooks.url"), "url", "", { type: "url", required: true, hint: t("webhooks.urlHint"), testid: "webhook-url" })}
        ${checkList(t("webhooks.events"), "event_types", ["code.redeemed"], EVENT_TYPES.map((type) => [type, type]))}
        ${field(t("codes.description"), "description", "")}
        <div class="actions"><button type="submit" data-testid="save-webhook">${t("webhooks.subscribe")}</button></div>
      </form>`;
  }

  logView(endpoint, deliveries) {
    if (!deliveries.length) return html`<p class="empty">${t("webhooks.noDeliveries")}</p>`;
    return html`<div class="table-wrap"><table data-testid="deliveries">
      <caption class="sr-only">${t("webhooks.deliveries")}</caption>
      <thead><tr><th scope="col">${t("webhooks.event")}</th><th scope="col">${t("webhooks.created")}</th>
        <th scope="col">${t("common.status")}</th><th scope="col">${t("webhooks.attempts")}</th>
        <th scope="col">${t("webhooks.lastResponse")}</th><th scope="col"><span class="sr-only">${t("common.actions")}</span></th></tr></thead>
      <tbody>${deliveries.map((d) => html`<tr data-delivery="${d.id}"><th scope="row"><code>${d.event_type}</code></th>
        <td>${dateTime(d.created_at)}</td>
        <td>${pill(d.status === "dead" ? "failed" : d.status === "delivered" ? "delivered" : "pending", t(`webhooks.status_${d.status}`))}</td>
        <td>${d.attempts}</td>
        <td>${d.last_status_code ?? "—"}${d.last_latency_ms !== null && d.last_latency_ms !== undefined ? ` · ${d.last_latency_ms} ms` : ""}${d.last_error ? html`<br><span class="hint">${d.last_error}</span>` : ""}</td>
        <td>${d.erased_at ? html`<span class="hint">${t("webhooks.erased")}</span>`
          : html`<button class="link" data-action="replay" data-id="${endpoint.id}" data-delivery="${d.id}">${t("webhooks.replay")}</button>`}</td></tr>`)}
      </tbody></table></div>`;
  }

  async submit_endpoint(form) {
    const v = formValues(form);
    const created = await post(admin("/webhooks"), { url: v.url, event_types: v.event_types,
      description: v.description || null });
    await this.load();
    this.paint();
    showSecret(t("webhooks.secretOnce"), created.secret);
  }

  async on_rotate(button) {
    const rotated = await post(admin(`/webhooks/${encodeURIComponent(button.dataset.id)}/rotate-secret`));
    await this.load();
    this.paint();
    showSecret(t("webhooks.rotatedOnce"), rotated.secret);
  }

  async on_toggle(button) {
    const endpoint = this.endpoints.find((e) => e.id === button.dataset.id);
    await patch(admin(`/webhooks/${encodeURIComponent(endpoint.id)}`), { enabled: !endpoint.enabled });
    await this.load();
    this.paint();
  }

  async on_log(button) {
    const id = button.dataset.id;
    if (this.logs[id]) delete this.logs[id];
    else this.logs[id] = (await get(admin(`/webhooks/${encodeURIComponent(id)}/deliveries`), { limit: 50 })).deliveries;
    this.paint();
  }

  async on_replay(button) {
    const id = button.dataset.id;
    await post(admin(`/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(button.dataset.delivery)}/replay`));
    this.toast(t("webhooks.replayed"));
    this.logs[id] = (await get(admin(`/webhooks/${encodeURIComponent(id)}/deliveries`), { limit: 50 })).deliveries;
    this.paint();
  }

  async on_delete(button) {
    await del(admin(`/webhooks/${encodeURIComponent(button.dataset.id)}`));
    delete this.logs[button.dataset.id];
    await this.load();
    this.paint();
  }
}

/** A signing secret, shown this once (at creation and after a rotation). */
function showSecret(message, secret) {
  openDialog(t("webhooks.secretTitle"), html`<p>${message}</p>
    <p><code data-testid="webhook-secret">${secret}</code></p>
    <form method="dialog"><div class="actions"><button>${t("common.close")}</button></div></form>`);
}

customElements.define("revenir-webhooks", Webhooks);
