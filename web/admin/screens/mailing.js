// E-mailing tool (seed 000: "Mon outil d'emailing — Synchroniser"): connect Brevo, Mailchimp or Mailjet, pick
// the list, map the fields, test, see the sync status and run a resync. docs/emailing-tools.md.
import { ApiError, admin, del, get, post, put } from "../lib/api.js";
import { formValues, html } from "../lib/dom.js";
import { field, select } from "../lib/form.js";
import { dateTime, number, t } from "../lib/i18n.js";
import { Screen } from "../lib/screen.js";

const PROVIDERS = [["brevo", "Brevo"], ["mailchimp", "Mailchimp"], ["mailjet", "Mailjet"]];
const FIELDS = ["first_name", "last_name", "language", "last_stay", "stays", "segments"];
const COUNTS = ["sent", "updated", "removed", "failed", "skipped"];
const providerName = (id) => (PROVIDERS.find(([p]) => p === id) || [id, id])[1];

class Mailing extends Screen {
  async load() {
    this.tool = null;
    this.lists = [];
    this.listsError = null;
    const tool = await get(admin("/mailing"));
    if (!tool.connected) return;
    this.tool = tool;
    try {
      this.lists = (await get(admin("/mailing/lists"))).lists;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.listsError = error.message;
    }
  }

  view() {
    return html`<h1 tabindex="-1">${t("mailing.title")}</h1>
      <p class="intro">${t("mailing.intro")}</p>
      ${this.tool ? this.connected() : this.connectForm()}`;
  }

  connectForm() {
    return html`<section aria-labelledby="mailing-connect-title"><h2 id="mailing-connect-title">${t("mailing.connect")}</h2>
      <form data-form="connect" novalidate class="narrow" data-testid="mailing-connect">
        ${select(t("mailing.provider"), "provider", "brevo", PROVIDERS, { testid: "mailing-provider" })}
        ${field(t("mailing.apiKey"), "api_key", "", { type: "password", required: true, hint: t("mailing.apiKeyHint"),
          testid: "mailing-api-key", attrs: html`autocomplete="off"` })}
        ${field(t("mailing.apiSecret"), "api_secret", "", { type: "password", hint: t("mailing.apiSecretHint"),
          attrs: html`autocomplete="off"` })}
        ${field(t("mailing.serverPrefix"), "server_prefix", "", { hint: t("mailing.serverPrefixHint") })}
        <div class="actions"><button type="submit" data-testid="mailing-connect-submit">${t("mailing.connectButton")}</button></div>
      </form></section>`;
  }

  connected() {
    const tool = this.tool;
    const s = tool.status;
    const mapping = tool.mapping || {};
    const lists = this.lists.map((l) => [l.list_id, l.members === null || l.members === undefined ? l.name
      : t("mailing.listOption", { name: l.name, count: number(l.members) })]);
    return html`<section aria-labelledby="mailing-connection-title"><h2 id="mailing-connection-title">${t("mailing.connection")}</h2>
        <dl class="facts" data-testid="mailing-connection">
          <dt>${t("mailing.provider")}</dt><dd>${providerName(tool.provider)}</dd>
          <dt>${t("mailing.keyHint")}</dt><dd><code>${tool.key_hint}</code></dd>
          <dt>${t("mailing.connectedAt")}</dt><dd>${dateTime(tool.connected_at)}</dd>
        </dl>
        <div class="actions">
          <button type="button" data-action="test" data-testid="mailing-test">${t("mailing.test")}</button>
          <button type="button" class="danger" data-action="disconnect"
            data-confirm="${t("mailing.disconnectConfirm", { provider: providerName(tool.provider) })}">${t("mailing.disconnect")}</button>
        </div>
        ${this.testResult ? html`<p role="status" class="${this.testResult.ok ? "" : "error"}" data-testid="mailing-test-result">${this.testResult.ok
          ? t("mailing.testOk", { account: this.testResult.account || "" }) : t("mailing.testFailed", { error: this.testResult.error || "" })}</p>` : ""}
      </section>
      <section aria-labelledby="mailing-settings-title"><h2 id="mailing-settings-title">${t("mailing.listAndFields")}</h2>
        ${this.listsError ? html`<p class="error" role="alert">${this.listsError}</p>` : ""}
        <form data-form="settings" novalidate class="narrow" data-testid="mailing-settings">
          ${select(t("mailing.list"), "list_id", tool.list_id || "", [["", t("mailing.chooseList")], ...lists], { testid: "mailing-list" })}
          <fieldset data-field="mapping"><legend>${t("mailing.mapping")}</legend>
            <p class="hint">${t("mailing.mappingHint")}</p>
            ${FIELDS.map((name) => field(t(`mailing.field.${name}`), name, mapping[name] || "",
              { hint: name === "segments" ? t("mailing.segmentsHint") : "", attrs: html`maxlength="40"` }))}
          </fieldset>
          <div class="actions"><button type="submit" data-testid="mailing-save">${t("common.save")}</button></div>
        </form>
      </section>
      <section aria-labelledby="mailing-sync-title"><h2 id="mailing-sync-title">${t("mailing.sync")}</h2>
        <dl class="facts" data-testid="mailing-status">
          <dt>${t("mailing.lastSync")}</dt><dd>${s.last_sync_at ? dateTime(s.last_sync_at) : t("mailing.never")}</dd>
          ${COUNTS.map((name) => html`<dt>${t(`mailing.count.${name}`)}</dt><dd data-testid="mailing-count-${name}">${number(s[name])}</dd>`)}
          <dt>${t("mailing.resyncState")}</dt><dd>${t(`mailing.resync.${s.resync}`)}</dd>
          ${s.last_error ? html`<dt>${t("mailing.lastError")}</dt><dd class="error">${s.last_error}
            ${s.last_error_at ? html` (${dateTime(s.last_error_at)})` : ""}</dd>` : ""}
        </dl>
        <div class="actions">
          <button type="button" data-action="resync" data-testid="mailing-resync" ${tool.list_id ? "" : html`disabled`}>${t("mailing.resyncButton")}</button>
          <button type="button" class="secondary" data-action="reload">${t("mailing.reload")}</button>
        </div>
        ${tool.list_id ? "" : html`<p class="hint">${t("mailing.noList")}</p>`}
      </section>
      ${tool.webhook_url ? html`<section aria-labelledby="mailing-webhook-title"><h2 id="mailing-webhook-title">${t("mailing.webhook")}</h2>
        ${field(t("mailing.webhookUrl"), "webhook_url", tool.webhook_url, { hint: t(`mailing.webhookHint.${tool.provider}`),
          attrs: html`readonly data-testid="mailing-webhook"` })}
      </section>` : ""}`;
  }

  async submit_connect(form) {
    const v = formValues(form);
    const body = { provider: v.provider, api_key: v.api_key };
    if (v.provider === "mailjet" && v.api_secret) body.api_secret = v.api_secret;
    if (v.provider === "mailchimp" && v.server_prefix) body.server_prefix = v.server_prefix;
    await put(admin("/mailing"), body);
    this.toast(t("mailing.connected"));
    this.testResult = null;
    this.refresh();
  }

  async submit_settings(form) {
    const v = formValues(form);
    const mapping = Object.fromEntries(FIELDS.map((name) => [name, v[name] ? String(v[name]) : null]));
    this.tool = await put(admin("/mailing/settings"), { list_id: v.list_id || "", mapping });
    this.toast(t("common.saved"));
    this.paint();
  }

  async on_test() {
    this.testResult = await post(admin("/mailing/test"));
    this.paint();
  }

  async on_disconnect() {
    await del(admin("/mailing"));
    this.toast(t("mailing.disconnected"));
    this.testResult = null;
    this.refresh();
  }

  async on_resync() {
    await post(admin("/mailing/resync"));
    this.toast(t("mailing.resyncStarted"));
    this.tool = await get(admin("/mailing"));
    this.paint();
  }

  async on_reload() {
    this.tool = await get(admin("/mailing"));
    this.paint();
  }
}

customElements.define("revenir-mailing", Mailing);
