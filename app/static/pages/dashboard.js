// The planner's dashboard: import, plan, look at the map and timeline, edit, publish. Shown
// once signed in (session.js); an agent who opens it is sent to their own day.

import { followJob, getJson, postJson, problem, seg } from './api.js';
import { byId, el, replace } from './dom.js';
import { localTime, today } from './format.js';
import { Importer } from './importer.js';
import { RouteMap } from './map.js';
import { columnOf } from './mapping.js';
import {
  renderCompliance,
  renderItineraries,
  renderSummary,
  renderUnassigned,
  renderViolations,
  violationsByCase,
} from './plan-view.js';
import { startSession } from './session.js';
import { renderTimeline } from './timeline.js';

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
];

const state = {
  regions: [],
  roads: new Map(), // region name -> road lines (or null: not available)
  imported: { cases: null, agents: null },
  request: null, // the body of the last POST /plan
  rows: { cases: [], agents: [] }, // CSV row number of each case and agent of the request
  plan: null, // the stored plan
  view: null, // what is shown: the plan, or the evaluation of hand edits
  edit: null,
  points: new Map(), // case id -> {lat, lon} or null, for unassigned cases on the map
};
const map = new RouteMap(byId('map'));

const say = (text) => {
  byId('status').textContent = text;
};

// --- regions and roads -------------------------------------------------------------------

async function loadRegions() {
  const answer = await getJson('/regions');
  if (!answer.ok) return say(`Regions could not be read (${problem(answer)}).`);
  state.regions = answer.data;
  const select = byId('region');
  // After signing in again the region chosen before stays chosen.
  const chosen = state.regions.some((r) => r.name === select.value) ? select.value : null;
  replace(
    select,
    state.regions.map((r) =>
      el(
        'option',
        { value: r.name, selected: chosen ? r.name === chosen : r.default },
        `${r.name} (${r.timezone})`,
      ),
    ),
  );
  return loadRoads();
}

async function loadRoads() {
  const name = byId('region').value;
  const region = state.regions.find((r) => r.name === name);
  if (!state.roads.has(name)) {
    const answer = await getJson(`/regions/${seg(name)}/roads`);
    state.roads.set(name, answer.ok ? answer.data.coordinates : null);
  }
  const roads = state.roads.get(name);
  byId('map-note').textContent = roads ? '' : 'Road map not available; showing the outline.';
  map.setBase(roads, region?.outline.coordinates[0]);
  redraw();
}

// --- import and plan -----------------------------------------------------------------------

function imported(result) {
  state.imported = result;
  state.points.clear();
  byId('plan-button').disabled = !(result.agents?.items.length > 0);
}

function planBody() {
  const body = {
    date: byId('plan-date').value,
    region: byId('region').value || undefined,
    cases: state.imported.cases?.items ?? [],
    agents: state.imported.agents.items,
    options: { time_limit_seconds: Number(byId('time-limit').value) || 5 },
  };
  const profiles = byId('profiles')
    .value.split(',')
    .map((p) => p.trim().toUpperCase())
    .filter(Boolean);
  if (profiles.length) body.compliance_profiles = profiles;
  return body;
}

/** 422 details as sentences naming the CSV row and column. */
function describeErrors(detail, body, rows) {
  return detail.map((d) => {
    const [where, kind, index, ...path] = d.loc ?? [];
    if (where === 'body' && (kind === 'cases' || kind === 'agents') && Number.isInteger(index)) {
      const noun = kind === 'cases' ? 'Case' : 'Agent';
      const row = rows[kind][index];
      const id = body[kind][index]?.id;
      const column = path.length ? `, ${columnOf(kind, path)}` : '';
      return {
        text: `${noun} row ${row ?? index + 1}${id ? ` (${id})` : ''}${column}: ${d.msg}`,
        kind,
        row,
      };
    }
    return { text: `${(d.loc ?? []).filter((p) => p !== 'body').join('.')}: ${d.msg}` };
  });
}

async function postPlan(body, rows) {
  replace('plan-errors');
  const button = byId('plan-button');
  button.disabled = true;
  byId('reoptimise-button').disabled = true;
  byId('progress').hidden = false;
  const started = performance.now();
  const tick = () => {
    byId('elapsed').textContent = `${Math.floor((performance.now() - started) / 1000)} s`;
  };
  tick();
  const timer = setInterval(tick, 250);
  say('Planning…');
  try {
    let answer = await postJson('/plan', body);
    if (answer.status === 202) {
      answer = await followJob(answer.data, (job) => {
        say(`Planning in the background… ${job.phase ?? job.status}, ${Math.round(job.progress * 100)} %`);
      });
    }
    if (answer.ok) {
      state.request = body;
      state.rows = rows;
      setPlan(answer.data);
      say(`Planned in ${Math.round((performance.now() - started) / 1000)} s.`);
    } else if (answer.status === 422 && Array.isArray(answer.data?.detail)) {
      const errors = describeErrors(answer.data.detail, body, rows);
      replace(
        'plan-errors',
        errors.map((e) => el('li', { 'data-kind': e.kind, 'data-row': e.row }, e.text)),
      );
      say(`The plan was refused: ${errors.length} problem${errors.length > 1 ? 's' : ''}.`);
    } else {
      say(`Planning failed (${problem(answer)}).`);
    }
  } catch (error) {
    say(`Planning failed (${error.message}).`);
  } finally {
    clearInterval(timer);
    byId('progress').hidden = true;
    button.disabled = !(state.imported.agents?.items.length > 0);
    byId('reoptimise-button').disabled = false;
  }
}

function plan() {
  const { cases, agents } = state.imported;
  postPlan(planBody(), { cases: cases?.rows ?? [], agents: agents.rows });
}

// --- showing a plan ------------------------------------------------------------------------

function colours() {
  return new Map((state.request?.agents ?? []).map((a, i) => [a.id, PALETTE[i % PALETTE.length]]));
}

function freshEdit(plan) {
  const pinned = new Set(state.request.cases.filter((c) => c.pinned_agent_id).map((c) => c.id));
  return { ...routesOf(plan), pinned, removed: new Set(), dirty: false, pinsChanged: false };
}

function routesOf(view) {
  const routes = new Map(state.request.agents.map((a) => [a.id, []]));
  for (const it of view.itineraries) {
    const caseIds = it.stops.map((s) => s.case_id);
    routes.set(it.agent_id, caseIds);
  }
  return { routes };
}

function setPlan(plan) {
  state.plan = plan;
  state.view = plan;
  state.edit = freshEdit(plan);
  render();
  locateUnassigned();
}

function rowOf(caseId) {
  const index = state.request.cases.findIndex((c) => c.id === caseId);
  return index >= 0 ? state.rows.cases[index] : null;
}

function unassignedPoints() {
  const points = [];
  for (const u of state.view?.unassigned ?? []) {
    const point = state.points.get(u.case_id);
    if (point) points.push({ case_id: u.case_id, reason: u.reason, location: point });
  }
  return points;
}

function redraw() {
  if (!state.view) return map.draw(null);
  return map.draw(state.view.itineraries, colours(), unassignedPoints());
}

function render() {
  const { view, edit, request } = state;
  const palette = colours();
  renderSummary(view.summary);
  renderUnassigned(view.unassigned, rowOf);
  renderCompliance(view.compliance, view.history_effects);
  renderViolations(view, edit);
  redraw();
  renderTimeline(
    byId('timeline'),
    request.agents,
    view.itineraries,
    request.date,
    palette,
    new Set(violationsByCase(view).keys()),
  );
  byId('timeline-panel').hidden = false;
  renderItineraries(view, request.agents, {
    planId: state.plan.plan_id,
    date: request.date,
    colours: palette,
    edit,
    actions: { move, remove, pin },
    say,
  });
  renderPublish();
}

/** Put unassigned cases on the map: their given point, else the geocoder's answer. */
async function locateUnassigned() {
  const cases = new Map(state.request.cases.map((c) => [c.id, c]));
  const wanted = state.view.unassigned
    .map((u) => cases.get(u.case_id))
    .filter((c) => c && !state.points.has(c.id));
  for (const c of wanted.filter((c) => c.location)) state.points.set(c.id, c.location);
  const byAddress = wanted.filter((c) => !c.location);
  if (byAddress.length) {
    const answer = await postJson('/geocode', {
      region: state.request.region,
      addresses: byAddress.map((c) => c.address),
    });
    if (answer.ok) {
      byAddress.forEach((c, i) => state.points.set(c.id, answer.data[i]?.location ?? null));
    }
  }
  redraw();
}

// --- hand edits ----------------------------------------------------------------------------

function take(caseId) {
  for (const [agentId, ids] of state.edit.routes) {
    const at = ids.indexOf(caseId);
    if (at >= 0) {
      ids.splice(at, 1);
      return agentId;
    }
  }
  return null;
}

function move(caseId, agentId, position) {
  take(caseId);
  const route = state.edit.routes.get(agentId);
  const at = Math.min(Math.max((position > 0 ? position : route.length + 1) - 1, 0), route.length);
  route.splice(at, 0, caseId);
  state.edit.pinned.add(caseId);
  evaluate(`${caseId} moved to ${agentId} at ${at + 1}`);
}

function remove(caseId) {
  take(caseId);
  state.edit.removed.add(caseId);
  state.edit.pinned.delete(caseId);
  evaluate(`${caseId} removed`);
}

function pin(caseId) {
  const { pinned } = state.edit;
  if (pinned.has(caseId)) pinned.delete(caseId);
  else pinned.add(caseId);
  state.edit.pinsChanged = true;
  render();
  say(`${caseId} ${pinned.has(caseId) ? 'pinned' : 'unpinned'}.`);
}

let evaluations = 0; // only the answer to the latest edit is shown

async function evaluate(what) {
  const mine = ++evaluations;
  state.edit.dirty = true;
  const routes = [...state.edit.routes].map(([agent_id, case_ids]) => ({ agent_id, case_ids }));
  say(`${what}; checking…`);
  const answer = await postJson(`/plans/${seg(state.plan.plan_id)}/evaluate`, { routes });
  if (mine !== evaluations) return;
  if (!answer.ok) {
    say(`${what}; the check failed (${problem(answer)}).`);
    return;
  }
  state.view = answer.data;
  Object.assign(state.edit, routesOf(answer.data));
  render();
  byId('violations-panel').focus(); // the buttons that were focused are redrawn
  locateUnassigned();
  const n = answer.data.violations.length;
  say(
    `${what}; ${answer.data.feasible ? 'no rule broken' : `${n} rule${n > 1 ? 's' : ''} broken`}.`,
  );
}

function discard() {
  state.view = state.plan;
  state.edit = freshEdit(state.plan);
  render();
  say('Edits discarded.');
}

/** Plan again with the edited assignment pinned (and ordered) on the pinned cases. */
function reoptimise() {
  const { edit, request, rows } = state;
  const where = new Map();
  for (const [agentId, ids] of edit.routes) ids.forEach((id, i) => where.set(id, [agentId, i]));
  const keep = request.cases.map((c) => !edit.removed.has(c.id));
  const cases = request.cases
    .filter((_, i) => keep[i])
    .map((c) => {
      const next = { ...c };
      if (!edit.pinned.has(c.id)) {
        delete next.pinned_agent_id;
        delete next.locked_position;
      } else if (where.has(c.id)) {
        [next.pinned_agent_id, next.locked_position] = where.get(c.id);
      }
      return next;
    });
  const body = {
    ...request,
    cases,
    options: { ...request.options, time_limit_seconds: Number(byId('time-limit').value) || 5 },
  };
  postPlan(body, { cases: rows.cases.filter((_, i) => keep[i]), agents: rows.agents });
}

// --- publishing ----------------------------------------------------------------------------

function renderPublish() {
  byId('publish-panel').hidden = !state.plan;
  const published = state.plan?.published_at;
  const button = byId('publish-button');
  button.disabled = Boolean(published) || state.edit.dirty;
  byId('publish-state').textContent = published
    ? `Published at ${localTime(published)}: agents see this plan.`
    : state.edit.dirty
      ? 'Draft with unsaved hand edits: re-optimise or discard them before publishing.'
      : 'Draft: agents do not see it yet.';
  byId('publish-panel').classList.toggle('published', Boolean(published));
}

async function publish() {
  const answer = await postJson(`/plans/${seg(state.plan.plan_id)}/publish`);
  if (!answer.ok) return say(`Publishing failed (${problem(answer)}).`);
  state.plan.published_at = answer.data.published_at;
  renderPublish();
  return say('Published.');
}

// --- start ---------------------------------------------------------------------------------

byId('plan-date').value = today();
new Importer(imported);
byId('region').addEventListener('change', loadRoads);
byId('plan-button').addEventListener('click', plan);
byId('publish-button').addEventListener('click', publish);
byId('reoptimise-button').addEventListener('click', reoptimise);
byId('discard-button').addEventListener('click', discard);
startSession({
  onSignedIn(me, { first }) {
    if (me.role === 'agent') {
      // The dashboard is the planners'; an agent's page is their own day.
      window.location.replace(`/agent/${seg(me.agent_id)}`);
      return false;
    }
    if (!first) say('Signed in again: the page is as you left it.');
    loadRegions(); // and again after signing in anew: what is on the page stays
    return true;
  },
});
