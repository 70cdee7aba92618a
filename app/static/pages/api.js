// Calls to this server's API, same origin, with the signed-in user's token. Answers are
// {ok, status, data, headers}; errors are not thrown for HTTP statuses, only for network
// failures. A 401 clears the token and tells the session (onUnauthorized), which shows the
// sign-in form.

// The token lives in sessionStorage: it dies with the tab, and other tabs do not see it.
const TOKEN_KEY = 'doorstep.token';
const EXPIRY_MARGIN_MS = 10_000; // a token this close to its end counts as ended

let unauthorized = () => {};

/** The sign-in token: read, kept after signing in, dropped on signing out. */
export const token = {
  get() {
    let stored = null;
    try {
      stored = JSON.parse(sessionStorage.getItem(TOKEN_KEY));
    } catch {
      stored = null;
    }
    if (!stored?.value) return null;
    if (!(stored.expires > Date.now() + EXPIRY_MARGIN_MS)) {
      token.clear();
      return null;
    }
    return stored.value;
  },
  set(value, expiresInSeconds) {
    const expires = Date.now() + expiresInSeconds * 1000;
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ value, expires }));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** `handler()` runs when an API call answers 401 (after the token is dropped). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** fetch with the Authorization header; a 401 to the token sent ends the sign-in. */
async function send(method, url, init = {}) {
  const sent = token.get();
  const headers = { ...init.headers };
  if (sent) headers.Authorization = `Bearer ${sent}`;
  const response = await fetch(url, { ...init, method, headers, credentials: 'omit' });
  // An answer to an older token must not end a sign-in made while it was on its way.
  if (response.status === 401 && token.get() === sent) {
    token.clear();
    unauthorized();
  }
  return response;
}

async function answerOf(response) {
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { ok: response.ok, status: response.status, data, headers: response.headers };
}

export async function request(method, url, body) {
  const init = { headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return answerOf(await send(method, url, init));
}

export const getJson = (url) => request('GET', url);
export const postJson = (url, body) => request('POST', url, body);

/** POST a FormData as multipart/form-data (the browser writes the boundary). */
export async function postForm(url, form) {
  return answerOf(await send('POST', url, { headers: { Accept: 'application/json' }, body: form }));
}

/** The file name a Content-Disposition header gives, or null. */
export function fileNameOf(disposition) {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(disposition);
  let name = null;
  if (extended) {
    try {
      name = decodeURIComponent(extended[2].trim());
    } catch {
      name = null;
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition);
    name = plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]) : null;
  }
  // Only the last part of a path, and no characters file systems refuse.
  name = name
    ?.split(/[/\\]/)
    .pop()
    .replace(/[\u0000-\u001f<>:"|?*]/g, '_')
    .trim();
  return name || null;
}

/** GET a file: {ok, status, data} as for JSON, and on success `blob` and `fileName` (from
 * Content-Disposition, else null). */
export async function getFile(url) {
  const response = await send('GET', url);
  if (!response.ok) return answerOf(response);
  return {
    ok: true,
    status: response.status,
    headers: response.headers,
    blob: await response.blob(),
    fileName: fileNameOf(response.headers.get('Content-Disposition')),
  };
}

/** OAuth2 password sign-in; on success the token is kept for the next calls. */
export async function signIn(username, password) {
  const response = await fetch('/auth/token', {
    method: 'POST',
    headers: { Accept: 'application/json' },
    body: new URLSearchParams({ username, password }),
    credentials: 'omit',
  });
  const answer = await answerOf(response);
  if (answer.ok) token.set(answer.data.access_token, answer.data.expires_in);
  return answer;
}

/** A path segment: ids go into URLs escaped, and nothing else about a case does. */
export const seg = (value) => encodeURIComponent(value);

/** A sentence for an unsuccessful answer. */
/**
 * Follow a plan solved in the background (POST /plan answered 202 with a job) until it is
 * over; `onProgress(job)` hears each status read. Answers the plan as GET /plans/{id} does,
 * or the failed job's answer with `detail` saying why.
 */
export async function followJob(accepted, onProgress = () => {}, intervalMs = 1000) {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const answer = await getJson(accepted.status_url);
    if (!answer.ok) return answer;
    const job = answer.data;
    onProgress(job);
    if (job.status === 'succeeded') return getJson(job.plan_url);
    if (job.status === 'failed' || job.status === 'cancelled') {
      return { ok: false, status: answer.status, data: { detail: job.error ?? job.status } };
    }
  }
}

export function problem(answer) {
  const detail = answer.data?.detail;
  if (typeof detail === 'string') return `${answer.status}: ${detail}`;
  if (Array.isArray(detail)) return `${answer.status}: ${detail.map((d) => d.msg).join('; ')}`;
  return `HTTP ${answer.status}`;
}
