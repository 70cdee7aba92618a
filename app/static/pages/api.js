// JSON over fetch, same origin. Answers are {ok, status, data}; errors are not thrown for HTTP
// statuses, only for network failures.

export async function request(method, url, body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  return { ok: response.ok, status: response.status, data };
}

export const getJson = (url) => request('GET', url);
export const postJson = (url, body) => request('POST', url, body);

/** A path segment: ids go into URLs escaped, and nothing else about a case does. */
export const seg = (value) => encodeURIComponent(value);

/** A sentence for an unsuccessful answer. */
export function problem(answer) {
  const detail = answer.data?.detail;
  if (typeof detail === 'string') return `${answer.status}: ${detail}`;
  if (Array.isArray(detail)) return `${answer.status}: ${detail.map((d) => d.msg).join('; ')}`;
  return `HTTP ${answer.status}`;
}
