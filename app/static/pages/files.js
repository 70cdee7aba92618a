// Exports behind sign-in: a plain link cannot carry the Authorization header, so the file is
// fetched with the token and handed to the browser from a Blob object URL.

import { getFile, problem } from './api.js';
import { el } from './dom.js';

const KEEP_URL_MS = 60_000; // long enough for the download or the new tab to read it

function objectUrl(blob) {
  const url = URL.createObjectURL(blob);
  setTimeout(() => URL.revokeObjectURL(url), KEEP_URL_MS);
  return url;
}

/** Download `url` under the name the server gives (else `fallbackName`). Answers null, or a
 * sentence saying what went wrong. */
export async function download(url, fallbackName) {
  const file = await getFile(url);
  if (!file.ok) return problem(file);
  const link = el('a', { href: objectUrl(file.blob), download: file.fileName ?? fallbackName });
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  return null;
}

/** Open the HTML page at `url` in a new tab. The tab is opened at once, while the click still
 * counts as the user's (pop-up blockers), then shown the page fetched with the token, as a Blob:
 * a blob: document keeps this page's Content-Security-Policy (app/routes/pages.py allows the
 * printable page's one inline stylesheet by its hash). Answers null, or what went wrong. */
export async function openPage(url) {
  const tab = window.open('', '_blank');
  if (!tab) return 'the browser blocked the new tab';
  tab.opener = null; // the printed page has no business with this one
  let file;
  try {
    file = await getFile(url);
  } catch (error) {
    tab.close();
    throw error;
  }
  if (!file.ok) {
    tab.close();
    return problem(file);
  }
  const blob = new Blob([file.blob], { type: 'text/html;charset=utf-8' });
  tab.location.replace(objectUrl(blob));
  return null;
}
