// The public JSON API (/v1/...) with the host's bearer token. Errors follow the API's error model:
// {"error": {"code", "message", "details": [{"field", "message", "type"}]}}.
import config from "../config.js";
import { currentProperty, token } from "./auth.js";

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || (body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || String(status);
    this.details = error.details || [];
  }
}

/** Fired when the API refuses the token: the app goes back to sign-in without rendering the rest. */
export const UNAUTHORIZED = "revenir-unauthorized";

export async function request(method, path, { body, query, raw = false, contentType } = {}) {
  const url = new URL(`${config.apiBase}${path}`, location.origin);
  for (const [key, value] of Object.entries(query || {})) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, value);
  }
  const headers = { Authorization: `Bearer ${token()}` };
  let payload;
  if (body !== undefined) {
    if (typeof body === "string" || body instanceof Blob) {
      payload = body;
      headers["Content-Type"] = contentType || "text/csv";
    } else {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  const response = await fetch(url, { method, headers, body: payload });
  if (response.status === 401) {
    window.dispatchEvent(new CustomEvent(UNAUTHORIZED));
    throw new ApiError(401, null);
  }
  if (raw && response.ok) return response;
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/** A path under the current property's admin routes. */
export const admin = (suffix = "") => `/v1/admin/properties/${encodeURIComponent(currentProperty())}${suffix}`;
export const pub = (suffix = "") => `/v1/properties/${encodeURIComponent(currentProperty())}${suffix}`;

export const get = (path, query) => request("GET", path, { query });
export const post = (path, body) => request("POST", path, { body });
export const put = (path, body) => request("PUT", path, { body });
export const patch = (path, body) => request("PATCH", path, { body });
export const del = (path) => request("DELETE", path);
