// Signing in on both pages: the form when there is no valid token or an API call answers 401,
// the signed-in user and "Sign out" in the header. Everything marked data-session="in" (the
// page's controls and data) is shown only while someone is signed in.

import { getJson, onUnauthorized, problem, signIn, token } from './api.js';
import { byId } from './dom.js';

let current = null; // the signed-in user, as GET /auth/me answers
let handlers = { onSignedIn: () => true };
let retryTimer = null;

const form = () => byId('sign-in-form');
const alertBox = () => byId('sign-in-error');

function showContent(shown) {
  for (const node of document.querySelectorAll('[data-session="in"]')) node.hidden = !shown;
  byId('sign-in').hidden = shown;
}

function tell(text) {
  alertBox().textContent = text;
}

function showForm(message = '') {
  const wasHidden = byId('sign-in').hidden;
  showContent(false);
  tell(message);
  if (wasHidden) {
    byId('password').value = '';
    if (current) byId('username').value = current.username;
    byId('username').focus();
  }
}

/** "(planner, team north)", "(agent A-1)", "(admin)". */
function describe(me) {
  const scope = [me.agent_id ? `${me.role} ${me.agent_id}` : me.role];
  if (me.team) scope.push(`team ${me.team}`);
  return `(${scope.join(', ')})`;
}

function enter(me) {
  if (current && current.id !== me.id) {
    // Someone else signs in where another user's data was on screen: start afresh.
    window.location.reload();
    return;
  }
  const first = current === null;
  current = me;
  byId('session-name').textContent = me.username;
  byId('session-role').textContent = describe(me);
  tell('');
  const fromForm = byId('sign-in').contains(document.activeElement);
  if (handlers.onSignedIn(me, { first }) === false) return; // the page sends the user elsewhere
  showContent(true);
  // The focus was in the form, which is gone: put it at the top of the page.
  if (fromForm) document.querySelector('h1').focus();
}

function signOut() {
  token.clear();
  // A fresh load leaves nothing of the user's data on the page or in memory.
  window.location.reload();
}

/** "1 second", "40 seconds", "3 minutes". */
function waitText(seconds) {
  if (seconds >= 120) return `${Math.ceil(seconds / 60)} minutes`;
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

function wait(seconds) {
  const button = byId('sign-in-button');
  button.disabled = true;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => {
    button.disabled = false;
  }, seconds * 1000);
}

async function submit(event) {
  event.preventDefault();
  const button = byId('sign-in-button');
  const username = byId('username');
  const password = byId('password');
  if (!username.value.trim() || !password.value) {
    tell('Enter your username and your password.');
    (username.value.trim() ? password : username).focus();
    return;
  }
  button.disabled = true;
  tell('');
  let retryAfter = null;
  try {
    const answer = await signIn(username.value.trim(), password.value);
    if (answer.ok) {
      password.value = '';
      const me = await getJson('/auth/me');
      if (me.ok) {
        enter(me.data);
      } else if (me.status !== 401) {
        tell(`Signed in, but the account could not be read (${problem(me)}).`);
      }
    } else if (answer.status === 401) {
      password.value = '';
      password.focus();
      tell('Wrong username or password. Check both and try again.');
    } else if (answer.status === 429) {
      retryAfter = Number(answer.headers.get('Retry-After')) || 60;
      tell(`Too many sign-in attempts. Wait ${waitText(retryAfter)}, then try again.`);
    } else {
      tell(`Signing in failed (${problem(answer)}).`);
    }
  } catch (error) {
    tell(`Signing in failed: the server could not be reached (${error.message}).`);
  } finally {
    button.disabled = false;
    if (retryAfter) wait(retryAfter);
  }
}

/** Start the page's session: `onSignedIn(me, {first})` runs after each sign-in (the first
 * time, and again after signing in anew when the sign-in ended); it loads the page's data
 * and may answer false to keep the page hidden (when it sends the user elsewhere). */
export async function startSession(options) {
  handlers = { ...handlers, ...options };
  form().addEventListener('submit', submit);
  byId('sign-out').addEventListener('click', signOut);
  onUnauthorized(() => showForm('Your sign-in has ended. Sign in again to carry on.'));
  if (!token.get()) {
    showForm();
    return;
  }
  try {
    const me = await getJson('/auth/me');
    if (me.ok) enter(me.data);
    else if (me.status !== 401) showForm(`Your sign-in could not be checked (${problem(me)}).`);
  } catch (error) {
    showForm(`The server could not be reached (${error.message}).`);
  }
}
