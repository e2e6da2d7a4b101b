// The host's bearer token: from the one-click local link (#token=…, read once and removed from the address),
// or from the Cognito managed login (authorization code + PKCE) when config.js names a user pool domain.
import config from "../config.js";

const KEY = "revenir.admin.token";
const PROPERTY_KEY = "revenir.admin.property";
const VERIFIER_KEY = "revenir.admin.pkce";

function decode(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return null;
  }
}

/** Reads a token handed over in the fragment, once: it is stored for this tab and removed from the address. */
export function takeTokenFromAddress() {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return;
  sessionStorage.setItem(KEY, decodeURIComponent(match[1]));
  history.replaceState(null, "", `${location.pathname}${location.search}#/`);
}

export function token() {
  const value = sessionStorage.getItem(KEY);
  if (!value) return null;
  const claims = decode(value);
  if (!claims || (claims.exp && claims.exp * 1000 <= Date.now())) {
    sessionStorage.removeItem(KEY);
    return null;
  }
  return value;
}

/** Properties this host manages (the token's property_ids claim, or Cognito's custom:property_ids). */
export function propertyIds() {
  const claims = decode(token() || "") || {};
  const value = claims.property_ids ?? claims["custom:property_ids"] ?? [];
  if (Array.isArray(value)) return value.map(String);
  return String(value).replace(/[[\]",]/g, " ").split(/\s+/).filter(Boolean);
}

/** The signed-in user's own verified e-mail (Cognito's email claim), or null: a test e-mail may go there. */
export function tokenEmail() {
  const claims = decode(token() || "") || {};
  return claims.email && String(claims.email_verified ?? "true") !== "false" ? String(claims.email) : null;
}

export function currentProperty() {
  const ids = propertyIds();
  const stored = localStorage.getItem(PROPERTY_KEY);
  return ids.includes(stored) ? stored : ids[0] || null;
}

export function setProperty(id) { localStorage.setItem(PROPERTY_KEY, id); }

export function signOut() {
  sessionStorage.removeItem(KEY);
  if (config.cognito) {
    const back = `${location.origin}${location.pathname}`;
    location.assign(`${config.cognito.domain}/logout?client_id=${encodeURIComponent(config.cognito.clientId)}`
      + `&logout_uri=${encodeURIComponent(back)}`);
  }
}

export const hasManagedLogin = () => Boolean(config.cognito);

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Cognito managed login: authorization code + PKCE (S256). */
export async function startManagedLogin() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(VERIFIER_KEY, JSON.stringify({ verifier, state }));
  const params = new URLSearchParams({
    response_type: "code", client_id: config.cognito.clientId, redirect_uri: `${location.origin}${location.pathname}`,
    scope: "openid email", code_challenge_method: "S256", code_challenge: challenge, state,
  });
  location.assign(`${config.cognito.domain}/oauth2/authorize?${params}`);
}

/** Back from the managed login with ?code=…&state=…: exchange the code for tokens, then clean the address. */
export async function finishManagedLogin() {
  const params = new URLSearchParams(location.search);
  if (!config.cognito || !params.has("code")) return;
  const saved = JSON.parse(sessionStorage.getItem(VERIFIER_KEY) || "{}");
  sessionStorage.removeItem(VERIFIER_KEY);
  history.replaceState(null, "", `${location.pathname}#/`);
  if (!saved.verifier || saved.state !== params.get("state")) return;
  const response = await fetch(`${config.cognito.domain}/oauth2/token`, {
    method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: config.cognito.clientId, code: params.get("code"),
      redirect_uri: `${location.origin}${location.pathname}`, code_verifier: saved.verifier,
    }),
  });
  if (response.ok) sessionStorage.setItem(KEY, (await response.json()).id_token);
}
