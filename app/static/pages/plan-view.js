// Rendering of a plan (or an evaluated hand edit) on the dashboard: key figures, unassigned
// cases, the compliance report, the itineraries with their edit controls, and violations.

import { seg } from './api.js';
import { el, replace, byId } from './dom.js';
import { download, openPage } from './files.js';
import { clock, duration, km, money } from './format.js';

export function renderSummary(summary) {
  const figures = [
    ['assigned', 'Visits planned', summary.assigned],
    ['unassigned', 'Unassigned', summary.unassigned],
    ['total_travel_seconds', 'Travel time', duration(summary.total_travel_seconds)],
    ['total_distance_meters', 'Distance', km(summary.total_distance_meters)],
    ['total_cost', 'Cost', money(summary.total_cost)],
    ['expected_recovery', 'Expected recovery', money(summary.expected_recovery)],
    [
      'recovery_per_cost',
      'Recovery per cost',
      summary.recovery_per_cost === null ? '–' : summary.recovery_per_cost.toFixed(2),
    ],
  ];
  replace(
    'summary',
    figures.map(([key, label, value]) =>
      el('div', { 'data-key': key }, el('dt', {}, label), el('dd', {}, value)),
    ),
  );
  byId('summary-panel').hidden = false;
}

/** Every unassigned case with its reason, detail, rule and the changes that would let it in. */
export function renderUnassigned(unassigned, rowOf) {
  const items = unassigned.map((u) => {
    const row = rowOf(u.case_id);
    return el(
      'li',
      { 'data-case-id': u.case_id },
      el('strong', {}, u.case_id),
      row ? el('small', {}, ` row ${row}`) : null,
      ' ',
      el('code', { class: 'reason' }, u.reason),
      el('span', { class: 'detail' }, ` ${u.detail}`),
      u.rule_id
        ? el(
            'span',
            { class: 'rule' },
            ` Rule ${u.profile_id ? `${u.profile_id} ` : ''}${u.rule_id}`,
          )
        : null,
      u.hints?.length
        ? el(
            'ul',
            { class: 'hints' },
            u.hints.map((h) => el('li', {}, h.detail)),
          )
        : null,
    );
  });
  replace(
    'unassigned',
    items.length ? items : [el('li', { class: 'none' }, 'Every case is planned.')],
  );
  byId('unassigned-title').textContent = `Unassigned (${unassigned.length})`;
  byId('unassigned-panel').hidden = false;
}

export function renderCompliance(report, effects) {
  if (!report) return;
  const profiles = el(
    'ul',
    { id: 'compliance-profiles' },
    report.profiles.map((p) =>
      el(
        'li',
        { 'data-profile-id': p.id },
        el('strong', {}, `${p.id} v${p.version}`),
        ` ${p.title} (${p.jurisdiction}, ${p.binding_level})`,
      ),
    ),
  );
  const excluded = report.excluded.length
    ? el(
        'table',
        { id: 'compliance-excluded', class: 'report' },
        el('caption', {}, 'Cases the rules keep out'),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['Case', 'Profile', 'Rule', 'Why'].map((h) => el('th', { scope: 'col' }, h)),
          ),
        ),
        el(
          'tbody',
          {},
          report.excluded.map((x) =>
            el(
              'tr',
              { 'data-case-id': x.case_id },
              el('td', {}, x.case_id),
              el('td', {}, `${x.profile_id} v${x.profile_version}`),
              el('td', {}, el('code', {}, x.rule_id)),
              el('td', {}, x.detail),
            ),
          ),
        ),
      )
    : el('p', { id: 'compliance-excluded' }, 'No case excluded by a rule.');
  replace(
    'compliance-body',
    el('h3', {}, 'Profiles applied'),
    profiles,
    el('p', {}, `${report.cases_checked} cases checked.`),
    excluded,
    report.conduct?.length
      ? el(
          'details',
          {},
          el('summary', {}, `Conduct checklist for agents (${report.conduct.length})`),
          el(
            'ul',
            {},
            report.conduct.map((c) => el('li', {}, c)),
          ),
        )
      : null,
    effects?.length
      ? el(
          'details',
          {},
          el('summary', {}, `Effects of visit history (${effects.length})`),
          el(
            'ul',
            {},
            effects.map((e) => el('li', {}, `${e.case_id}: ${e.effect} – ${e.detail}`)),
          ),
        )
      : null,
  );
  byId('compliance').hidden = false;
}

export function renderViolations(view, edit) {
  const panel = byId('violations-panel');
  const edited = edit.dirty || edit.pinsChanged;
  panel.hidden = !edited && !view.violations;
  const violations = view.violations ?? [];
  let summary = 'Pins set: re-optimise to plan around them.';
  if (edit.dirty) {
    summary = violations.length
      ? `The edited plan breaks ${violations.length} rule${violations.length > 1 ? 's' : ''}.`
      : 'The edited plan breaks no rule. Times below are recomputed.';
  }
  const notes = [summary];
  if (edit.dirty)
    notes.push('Publishing and exports use the stored plan: re-optimise to store the edits.');
  if (edit.removed.size)
    notes.push(
      `Removed cases (${[...edit.removed].join(', ')}) are left out of the re-optimised plan.`,
    );
  byId('violations-summary').textContent = notes.join(' ');
  panel.classList.toggle('bad', violations.length > 0);
  replace(
    'violations',
    violations.map((v) =>
      el(
        'li',
        { 'data-code': v.code, 'data-case-id': v.case_id ?? undefined },
        el('strong', {}, v.code),
        ' ',
        [v.agent_id, v.case_id].filter(Boolean).join(' / '),
        `: ${v.detail}`,
      ),
    ),
  );
}

/** Case id -> the violations' sentences, for marking the stops that break a rule. */
export function violationsByCase(view) {
  const flagged = new Map();
  for (const v of view.violations ?? []) {
    if (v.case_id)
      flagged.set(v.case_id, [...(flagged.get(v.case_id) ?? []), `${v.code}: ${v.detail}`]);
  }
  return flagged;
}

function stopRow(stop, index, agentId, agentIds, actions, edit, flagged) {
  const id = stop.case_id;
  const target = el(
    'select',
    { 'aria-label': `Move ${id} to agent`, class: 'move-agent' },
    agentIds.map((a) => el('option', { value: a, selected: a === agentId }, a)),
  );
  const position = el('input', {
    type: 'number',
    min: 1,
    value: index + 1,
    class: 'move-position',
    'aria-label': `Position of ${id} in the new agent's day`,
  });
  const pinned = edit.pinned.has(id);
  const broken = flagged.get(id);
  return el(
    'tr',
    { 'data-case-id': id, class: broken ? 'violating' : undefined, title: broken?.join('; ') },
    el('td', {}, index + 1),
    el(
      'th',
      { scope: 'row' },
      id,
      stop.borrower_name ? [el('br'), el('small', { class: 'borrower' }, stop.borrower_name)] : null,
    ),
    el(
      'td',
      { class: 'address' },
      stop.address ?? `${stop.location.lat.toFixed(5)}, ${stop.location.lon.toFixed(5)}`,
    ),
    el('td', { class: 'arrival' }, clock(stop.arrival)),
    el('td', { class: 'service' }, `${clock(stop.service_start)}–${clock(stop.service_end)}`),
    el('td', {}, stop.wait_seconds ? duration(stop.wait_seconds) : ''),
    el(
      'td',
      { class: 'edit' },
      target,
      position,
      el(
        'button',
        {
          type: 'button',
          class: 'move',
          onclick: () => actions.move(id, target.value, Number(position.value)),
        },
        'Move',
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'remove',
          'aria-label': `Remove ${id}`,
          onclick: () => actions.remove(id),
        },
        'Remove',
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'pin',
          'aria-pressed': String(pinned),
          'aria-label': `Pin ${id} to ${agentId}`,
          onclick: () => actions.pin(id),
        },
        pinned ? 'Pinned' : 'Pin',
      ),
    ),
  );
}

/** A button fetching an export with the token (a plain link could not send it). */
function exportButton(label, name, fetchIt, say) {
  const button = el('button', { type: 'button', class: 'link', 'aria-label': name }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const failed = await fetchIt();
      if (failed) say(`${name}: not available (${failed}).`);
    } catch (error) {
      say(`${name}: not available (${error.message}).`);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** The itineraries with export buttons and per-stop edit controls. */
export function renderItineraries(view, agents, ctx) {
  const byAgent = new Map(view.itineraries.map((it) => [it.agent_id, it]));
  const agentIds = agents.map((a) => a.id);
  const planId = seg(ctx.planId);
  const flagged = violationsByCase(view);
  const articles = agents.map((agent) => {
    const it = byAgent.get(agent.id);
    const a = seg(agent.id);
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = ctx.colours.get(agent.id) ?? '';
    const day = `/plans/${planId}/itineraries/${a}`;
    const fallback = `${agent.id}-${ctx.planId.slice(0, 8)}`; // the server's CSV name
    const links = el(
      'p',
      { class: 'exports' },
      exportButton(
        'CSV',
        `CSV of ${agent.id}`,
        () => download(`${day}.csv`, `${fallback}.csv`),
        ctx.say,
      ),
      exportButton(
        'Calendar (.ics)',
        `Calendar (.ics) of ${agent.id}`,
        () => download(`${day}.ics`, `${fallback}.ics`),
        ctx.say,
      ),
      exportButton(
        'Print',
        `Print the day of ${agent.id}`,
        () => openPage(`${day}/print`),
        ctx.say,
      ),
      // The agent's page asks for its own sign-in: a new tab does not share this one's.
      el('a', { href: `/agent/${a}?date=${ctx.date}`, target: '_blank' }, 'Agent page'),
    );
    const figures = it?.stops.length
      ? [
          `${it.stops.length} visits`,
          `${clock(it.start_time)}–${clock(it.end_time)}`,
          `travel ${duration(it.total_travel_seconds)}`,
          km(it.total_distance_meters),
          `cost ${money(it.costs.total)}`,
        ].join(' · ')
      : 'No visits';
    const table = it?.stops.length
      ? el(
          'table',
          { class: 'stops' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['#', 'Case', 'Address', 'Arrive', 'Visit', 'Wait', 'Edit'].map((h) =>
                el('th', { scope: 'col' }, h),
              ),
            ),
          ),
          el(
            'tbody',
            {},
            it.stops.map((stop, i) =>
              stopRow(stop, i, agent.id, agentIds, ctx.actions, ctx.edit, flagged),
            ),
          ),
        )
      : null;
    return el(
      'article',
      { class: 'itinerary', 'data-agent-id': agent.id },
      el(
        'h3',
        {},
        swatch,
        agent.id,
        ' ',
        el('small', {}, `shift ${agent.shift.start}–${agent.shift.end}`),
      ),
      el('p', { class: 'figures-line' }, figures),
      links,
      table,
    );
  });
  replace('itineraries', articles);
  byId('itineraries-panel').hidden = false;
}
