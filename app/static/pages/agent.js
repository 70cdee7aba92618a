// The agent's day on a phone: the stops in order with local times, whom to ask for (and a
// phone to call ahead), the sum to collect, directions, the conduct checklist, and a button per
// outcome that records it. Shown once signed in (session.js); an agent user sees only their own
// day (the API answers 404 for anyone else's, as if there were none).

import { getJson, postJson, problem, seg } from './api.js';
import { byId, el, replace } from './dom.js';
import { clock, localTime, money, nowIso, today } from './format.js';
import { startSession } from './session.js';

const OUTCOMES = [
  ['met', 'Met'],
  ['not_home', 'Not home'],
  ['refused', 'Refused'],
  ['promise_to_pay', 'Promise to pay'],
  ['paid', 'Paid'],
  ['wrong_address', 'Wrong address'],
  ['moved', 'Moved'],
  ['unsafe', 'Unsafe'],
];
const LABELS = Object.fromEntries(OUTCOMES);
const POSITION_MAX_AGE_MS = 5 * 60 * 1000;

const agentId = decodeURIComponent(window.location.pathname.split('/').filter(Boolean).pop());
const params = new URLSearchParams(window.location.search);
let position = null; // the latest known {lat, lon, at}; outcomes never wait for it
let me = null; // the signed-in user

const say = (text) => {
  byId('status').textContent = text;
};

function watchPosition() {
  if (!('geolocation' in navigator)) return;
  navigator.geolocation.watchPosition(
    (p) => {
      position = { lat: p.coords.latitude, lon: p.coords.longitude, at: Date.now() };
    },
    () => {}, // no position: outcomes go without one
    { enableHighAccuracy: true, maximumAge: 60_000 },
  );
}

function renderHistory(container, history) {
  const outcomes = history.outcomes.map((o) =>
    el(
      'li',
      { 'data-outcome': o.outcome },
      el('strong', {}, LABELS[o.outcome] ?? o.outcome),
      ` ${localTime(o.occurred_at)}`,
      o.amount !== null ? ` · amount ${o.amount.toFixed(2)}` : '',
      o.promise_date ? ` · by ${o.promise_date}` : '',
      ` · ${o.agent_id}`,
    ),
  );
  replace(
    container,
    el('p', {}, `${history.visits.length} planned visit${history.visits.length === 1 ? '' : 's'}`),
    outcomes.length
      ? el('ul', { class: 'history-outcomes' }, outcomes)
      : el('p', {}, 'No outcome recorded yet.'),
  );
}

async function loadHistory(stop, details) {
  const answer = await getJson(`/cases/${seg(stop.case_id)}/history`);
  const body = details.querySelector('.history-body');
  if (!answer.ok) {
    replace(body, `History could not be read (${problem(answer)}).`);
    return;
  }
  renderHistory(body, answer.data);
}

async function record(stop, item, outcome, extra = {}) {
  const body = { outcome, occurred_at: nowIso(), ...extra };
  if (position && Date.now() - position.at < POSITION_MAX_AGE_MS) {
    body.location = { lat: position.lat, lon: position.lon };
  }
  const result = item.querySelector('.recorded');
  result.textContent = 'Saving…';
  const answer = await postJson(`/visits/${seg(stop.visit_id)}/outcome`, body);
  if (!answer.ok) {
    result.textContent = `Not saved (${problem(answer)}). Try again.`;
    return;
  }
  result.textContent = `Recorded: ${LABELS[outcome]} at ${localTime(answer.data.occurred_at).slice(11)}.`;
  item.classList.add('done');
  item.dataset.outcome = outcome;
  item.querySelector('form.outcome-details').hidden = true;
  const details = item.querySelector('details.history');
  if (!details) return;
  details.open = true;
  await loadHistory(stop, details);
}

/** Planners see a case's history here; an agent sees only today's visit (the minimum the
 * visit needs: the API refuses them the history). */
const seesHistory = () => me?.role !== 'agent';

function detailsForm(stop, item) {
  const id = stop.visit_id;
  const dateInput = el('input', { type: 'date', id: `promise-date-${id}`, required: true });
  const amountInput = el('input', {
    type: 'number',
    id: `amount-${id}`,
    min: 0,
    step: '0.01',
    required: true,
    inputmode: 'decimal',
  });
  const dateField = el(
    'div',
    { class: 'field' },
    el('label', { for: dateInput.id }, 'Promised pay date'),
    dateInput,
  );
  const form = el(
    'form',
    { class: 'outcome-details', hidden: true },
    dateField,
    el('div', { class: 'field' }, el('label', { for: amountInput.id }, 'Amount'), amountInput),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit' }, 'Record'),
      el(
        'button',
        {
          type: 'button',
          class: 'cancel',
          onclick: () => {
            form.hidden = true;
          },
        },
        'Cancel',
      ),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const outcome = form.dataset.outcome;
    const extra = { amount: Number(amountInput.value) };
    if (outcome === 'promise_to_pay') extra.promise_date = dateInput.value;
    record(stop, item, outcome, extra);
  });
  const ask = (outcome) => {
    form.dataset.outcome = outcome;
    dateField.hidden = outcome !== 'promise_to_pay';
    dateInput.required = outcome === 'promise_to_pay';
    form.hidden = false;
    (outcome === 'promise_to_pay' ? dateInput : amountInput).focus();
  };
  return { form, ask };
}

/** Whom to ask for (with a phone link to call ahead) and the sum to collect, as far as the
 * case gives them: zero to two paragraphs. */
function visitLines(stop) {
  const lines = [];
  if (stop.borrower_name) lines.push(borrowerLine(stop));
  if (typeof stop.amount_overdue === 'number') {
    lines.push(el('p', { class: 'overdue' }, `To collect ${money(stop.amount_overdue)}`));
  }
  return lines;
}

function borrowerLine(stop) {
  const phone = stop.borrower_phone;
  const call = phone
    ? el(
        'a',
        {
          class: 'phone',
          href: `tel:${phone.replace(/[^0-9+]/g, '')}`,
          'aria-label': `Call ${stop.borrower_name}, ${phone}`,
        },
        phone,
      )
    : null;
  return el(
    'p',
    { class: 'borrower' },
    el('strong', {}, stop.borrower_name),
    call ? ' · ' : '',
    call,
  );
}

function stopItem(stop, index) {
  const { lat, lon } = stop.location;
  const item = el('li', {
    class: 'stop',
    'data-visit-id': stop.visit_id,
    'data-case-id': stop.case_id,
  });
  const { form, ask } = detailsForm(stop, item);
  const buttons = OUTCOMES.map(([outcome, label]) =>
    el(
      'button',
      {
        type: 'button',
        class: `outcome ${outcome}`,
        'data-outcome': outcome,
        'aria-label': `${label}, ${stop.case_id}`,
        onclick: () =>
          outcome === 'promise_to_pay' || outcome === 'paid'
            ? ask(outcome)
            : record(stop, item, outcome),
      },
      label,
    ),
  );
  const history = seesHistory()
    ? el(
        'details',
        { class: 'history' },
        el('summary', {}, 'Case history'),
        el('div', { class: 'history-body' }, 'Loading…'),
      )
    : null;
  history?.addEventListener('toggle', () => {
    if (history.open) loadHistory(stop, history);
  });
  item.append(
    el(
      'h2',
      {},
      el('span', { class: 'order' }, index + 1),
      ` ${clock(stop.service_start)}–${clock(stop.service_end)} `,
      el('span', { class: 'case' }, stop.case_id),
    ),
    el('p', { class: 'arrive' }, `Arrive ${clock(stop.arrival)}`),
    ...visitLines(stop),
    el('p', { class: 'address' }, stop.address ?? `${lat.toFixed(5)}, ${lon.toFixed(5)}`),
    el(
      'p',
      { class: 'links' },
      el('a', { href: `geo:${lat},${lon}` }, 'Open in maps app'),
      el(
        'a',
        {
          href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`,
          target: '_blank',
          rel: 'noopener noreferrer',
        },
        'OpenStreetMap',
      ),
    ),
    el(
      'div',
      { class: 'outcomes', role: 'group', 'aria-label': `Outcome of the visit to ${stop.case_id}` },
      buttons,
    ),
    form,
    el('p', { class: 'recorded', role: 'status', 'aria-live': 'polite' }),
    history,
  );
  return item;
}

/** No day to show: none planned (or published), or not this user's to see. */
function noDay(date) {
  say(`No day found for ${agentId} on ${date}.`);
  if (me?.role === 'agent' && me.agent_id !== agentId) {
    const own = `/agent/${seg(me.agent_id)}?date=${seg(date)}`;
    replace(
      'day-summary',
      el('p', {}, el('a', { href: own }, `Open your own day (${me.agent_id})`)),
    );
    byId('day-summary').hidden = false;
  }
}

async function load(date) {
  say('Loading…');
  replace('stops');
  byId('day-summary').hidden = true;
  byId('conduct').hidden = true;
  const answer = await getJson(`/itinerary/${seg(agentId)}?date=${seg(date)}`);
  if (answer.status === 404) return noDay(date);
  if (!answer.ok) return say(`The day could not be read (${problem(answer)}).`);
  const day = answer.data;
  say('');
  replace(
    'day-summary',
    el(
      'p',
      {},
      `${day.stops.length} visit${day.stops.length === 1 ? '' : 's'}, ` +
        `${clock(day.start_time)}–${clock(day.end_time)}`,
    ),
    el(
      'p',
      { class: day.published ? 'badge published' : 'badge draft' },
      day.published ? 'Published plan' : 'Draft plan, not yet published',
    ),
  );
  byId('day-summary').hidden = false;
  const conduct = day.conduct ?? [];
  replace(
    'conduct-list',
    conduct.map((text, i) =>
      el(
        'li',
        {},
        el('input', { type: 'checkbox', id: `conduct-${i}` }),
        el('label', { for: `conduct-${i}` }, text),
      ),
    ),
  );
  byId('conduct').hidden = conduct.length === 0;
  replace('stops', day.stops.map(stopItem));
  return undefined;
}

const dayInput = byId('day');
dayInput.value = params.get('date') ?? today();
byId('agent-title').textContent = `Day of ${agentId}`;
dayInput.addEventListener('change', () => {
  const url = new URL(window.location.href);
  url.searchParams.set('date', dayInput.value);
  window.history.replaceState(null, '', url);
  load(dayInput.value);
});
startSession({
  onSignedIn(user, { first }) {
    me = user;
    if (first) watchPosition();
    load(dayInput.value); // and again after signing in anew
    return true;
  },
});
