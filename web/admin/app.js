// The host back-office: <revenir-admin> is the shell (navigation, property switch, language, sign-out) and
// shows one screen per route. Routes live in the fragment (#/guests?…) so static hosting needs no rewrites.
import { UNAUTHORIZED, admin, get } from "./lib/api.js";
import * as auth from "./lib/auth.js";
import { html } from "./lib/dom.js";
import { LANGUAGES, chooseLanguage, setLanguage, t } from "./lib/i18n.js";
import "./screens/dashboard.js";
import "./screens/codes.js";
import "./screens/sales.js";
import "./screens/vouchers.js";
import "./screens/guests.js";
import "./screens/emails.js";
import "./screens/reviews.js";
import "./screens/settings.js";
import "./screens/mailing.js";
import "./screens/code-usage.js";
import "./screens/webhooks.js";
import "./screens/packages.js";
import "./screens/campaigns.js";

const NAV = [
  ["dashboard", "#/"], ["codes", "#/codes"], ["sales", "#/sales"], ["vouchers", "#/vouchers"], ["packages", "#/packages"],
  ["guests", "#/guests"], ["emails", "#/emails"], ["reviews", "#/reviews"], ["settings", "#/settings"],
  ["mailing", "#/mailing"],
  ["campaigns", "#/campaigns"],
];

const ROUTES = [
  [/^\/?$/, "revenir-dashboard", "dashboard"],
  [/^\/codes$/, "revenir-codes", "codes"],
  [/^\/codes\/new$/, "revenir-code-edit", "codes"],
  [/^\/codes\/(?<id>[^/]+)$/, "revenir-code-edit", "codes"],
  [/^\/sales$/, "revenir-sales", "sales"],
  [/^\/vouchers$/, "revenir-products", "vouchers"],
  [/^\/vouchers\/new$/, "revenir-product-edit", "vouchers"],
  [/^\/vouchers\/code\/(?<code>[^/]+)$/, "revenir-voucher", "vouchers"],
  [/^\/vouchers\/(?<id>[^/]+)$/, "revenir-product-edit", "vouchers"],
  [/^\/packages$/, "revenir-packages", "packages"],
  [/^\/packages\/new$/, "revenir-package-edit", "packages"],
  [/^\/packages\/code\/(?<code>[^/]+)$/, "revenir-package-holding", "packages"],
  [/^\/packages\/(?<id>[^/]+)$/, "revenir-package-edit", "packages"],
  [/^\/guests$/, "revenir-guests", "guests"],
  [/^\/guests\/new$/, "revenir-guest-new", "guests"],
  [/^\/guests\/(?<email>[^/]+)$/, "revenir-guest", "guests"],
  [/^\/emails$/, "revenir-emails", "emails"],
  [/^\/emails\/(?<id>[^/]+)$/, "revenir-template-edit", "emails"],
  [/^\/reviews$/, "revenir-reviews-inbox", "reviews"],
  [/^\/settings$/, "revenir-settings", "settings"],
  [/^\/mailing$/, "revenir-mailing", "mailing"],
  [/^\/codes\/(?<id>[^/]+)\/usage$/, "revenir-code-usage", "codes"],
  [/^\/webhooks$/, "revenir-webhooks", "settings"],
  [/^\/campaigns$/, "revenir-campaigns", "campaigns"],
  [/^\/campaigns\/new$/, "revenir-campaign", "campaigns"],
  [/^\/campaigns\/(?<id>[^/]+)$/, "revenir-campaign", "campaigns"],
];

class RevenirAdmin extends HTMLElement {
  async connectedCallback() {
    auth.takeTokenFromAddress();
    await auth.finishManagedLogin();
    await setLanguage(chooseLanguage());
    window.addEventListener(UNAUTHORIZED, () => this.signedOut(true));
    window.addEventListener("hashchange", () => {
      if (location.hash.startsWith("#token=")) {  // a new sign-in link opened in this tab
        auth.takeTokenFromAddress();
        this.start();
      } else this.route();
    });
    this.addEventListener("change", (event) => this.changed(event));
    this.addEventListener("click", (event) => this.clicked(event));
    this.start();
  }

  start() {
    if (!auth.token() || !auth.currentProperty()) {
      this.signedOut(false);
      return;
    }
    this.renderShell();
    this.route();
  }

  signedOut(expired) {
    sessionStorage.removeItem("revenir.admin.token");
    document.title = `${t("signin.title")} — Revenir`;
    this.innerHTML = String(html`<main id="main" class="signin">
      <h1 tabindex="-1">${t("signin.title")}</h1>
      ${expired ? html`<p class="error" role="alert" data-testid="expired">${t("signin.expired")}</p>` : ""}
      ${auth.hasManagedLogin()
        ? html`<button data-shell="signin">${t("signin.button")}</button>`
        : html`<p>${t("signin.local")}</p><pre>make run</pre>`}
      ${this.languageMenu()}
    </main>`);
  }

  languageMenu() {
    return html`<label class="lang">${t("shell.language")}
      <select data-shell="lang" id="shell-lang">
        ${LANGUAGES.map((code) => html`<option value="${code}" ${code === document.documentElement.lang
          ? html`selected` : ""}>${t(`lang.${code}`)}</option>`)}
      </select></label>`;
  }

  renderShell() {
    const ids = auth.propertyIds();
    const current = auth.currentProperty();
    this.innerHTML = String(html`<a class="skip" href="#main" data-shell="skip">${t("shell.skip")}</a>
      <header class="top">
        <button class="menu-toggle" data-shell="menu" aria-expanded="false" aria-controls="nav">${t("shell.menu")}</button>
        <span class="brand">Revenir</span>
        <span class="property-name" data-testid="property-name"></span>
        <div class="tools">
          ${ids.length > 1 ? html`<label>${t("shell.property")}
            <select data-shell="property" id="shell-property">${ids.map((id) => html`
              <option value="${id}" ${id === current ? html`selected` : ""}>${id}</option>`)}</select></label>` : ""}
          ${this.languageMenu()}
          <button class="secondary" data-shell="signout">${t("shell.signout")}</button>
        </div>
      </header>
      <nav id="nav" aria-label="${t("shell.nav")}"><ul>${NAV.map(([key, href]) => html`
        <li><a href="${href}" data-nav="${key}">${t(`nav.${key}`)}</a></li>`)}</ul></nav>
      <main id="main" tabindex="-1"></main>
      <div class="toast" role="status" aria-live="polite"></div>`);
    get(admin()).then((property) => {
      this.property = property;
      const el = this.querySelector("[data-testid=property-name]");
      if (el) el.textContent = property.name;
    }).catch(() => {});
  }

  route() {
    const main = this.querySelector("main#main");
    if (!main || !auth.token()) {
      if (!auth.token()) this.signedOut(true);
      return;
    }
    const hash = location.hash.replace(/^#/, "") || "/";
    const [path, search = ""] = hash.split("?");
    let found = null;
    for (const [pattern, tag, section] of ROUTES) {
      const match = pattern.exec(path);
      if (match) { found = { tag, section, params: match.groups || {} }; break; }
    }
    if (!found) found = { tag: "revenir-dashboard", section: "dashboard", params: {} };
    for (const link of this.querySelectorAll("nav a")) {
      if (link.dataset.nav === found.section) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    this.querySelector("nav")?.classList.remove("open");
    this.querySelector("[data-shell=menu]")?.setAttribute("aria-expanded", "false");
    const screen = document.createElement(found.tag);
    screen.params = Object.fromEntries(Object.entries(found.params).map(([k, v]) => [k, decodeURIComponent(v)]));
    screen.query = new URLSearchParams(search);
    document.title = `${t(`nav.${found.section}`)} — Revenir`;
    main.replaceChildren(screen);
    window.scrollTo(0, 0);
  }

  async changed(event) {
    const role = event.target.dataset.shell;
    if (role === "lang") {
      await setLanguage(event.target.value);
      this.start();
      document.getElementById("shell-lang")?.focus();
    } else if (role === "property") {
      auth.setProperty(event.target.value);
      this.start();
    }
  }

  clicked(event) {
    const role = event.target.closest("[data-shell]")?.dataset.shell;
    if (role === "signout") {
      auth.signOut();
      this.signedOut(false);
    } else if (role === "signin") {
      auth.startManagedLogin();
    } else if (role === "menu") {
      const nav = this.querySelector("nav");
      const open = nav.classList.toggle("open");
      event.target.setAttribute("aria-expanded", String(open));
    } else if (role === "skip") {
      event.preventDefault();
      this.querySelector("main")?.focus();
    }
  }

  toast(message, isError = false) {
    const el = this.querySelector(".toast");
    if (!el) return;
    el.textContent = message;
    el.classList.toggle("is-error", isError);
    el.classList.add("visible");
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => el.classList.remove("visible"), 4000);
  }
}

customElements.define("revenir-admin", RevenirAdmin);
