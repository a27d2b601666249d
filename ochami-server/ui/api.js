// The page's only way to the server: the public HTTP API, with the operator's bearer token
// (kept in sessionStorage, so it lives as long as the tab) and entity tags for polling.

const TOKEN_KEY = "ochami.token";

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An answer that was not 2xx (or 304): its status and the problem's detail. */
export class ApiError extends Error {
  constructor(path, status, detail) {
    super(`${path}: ${status}${detail ? " " + detail : ""}`);
    this.path = path;
    this.status = status;
  }
}

function headers(extra) {
  const h = new Headers(extra || {});
  const t = token();
  if (t) h.set("Authorization", "Bearer " + t);
  return h;
}

async function failure(path, resp) {
  let detail = "";
  try {
    const body = await resp.text();
    try { detail = JSON.parse(body).detail || body; } catch { detail = body; }
  } catch { /* no body */ }
  return new ApiError(path, resp.status, detail.slice(0, 300));
}

/** GET `path` as text; throws ApiError unless 2xx. */
export async function getText(path) {
  const resp = await fetch(path, { headers: headers(), cache: "no-store" });
  if (!resp.ok) throw await failure(path, resp);
  return resp.text();
}

/** GET `path` as JSON; throws ApiError unless 2xx. */
export async function getJSON(path) {
  return JSON.parse(await getText(path));
}

/** GET `path` as JSON, or null when the server answers 404 (a route or thing it lacks). */
export async function getOptional(path) {
  try {
    return await getJSON(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/** Send `method` to `path` with a JSON body; the parsed answer (or null when empty). */
export async function send(method, path, body) {
  const resp = await fetch(path, {
    method,
    headers: headers({ "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (!resp.ok) throw await failure(path, resp);
  const text = await resp.text();
  return text ? JSON.parse(text) : null;
}

/**
 * A collection polled with If-None-Match: `poll()` resolves to the parsed JSON when it
 * changed since the last call, or `undefined` when the server answered 304.
 */
export class Watched {
  constructor(path) {
    this.path = path;
    this.etag = "";
  }

  async poll() {
    const h = headers();
    if (this.etag) h.set("If-None-Match", this.etag);
    const resp = await fetch(this.path, { headers: h, cache: "no-store" });
    if (resp.status === 304) return undefined;
    if (!resp.ok) throw await failure(this.path, resp);
    const body = await resp.json();
    this.etag = resp.headers.get("ETag") || "";
    return body;
  }

  /** Forget the tag (after a token change, say) so the next poll reads the whole answer. */
  reset() {
    this.etag = "";
  }
}
