// The day of each agent against its shift: travel, waiting, visits and breaks as blocks on a
// time axis (HTML, positioned in percent of the axis).

import { el, replace } from './dom.js';
import { clock, hhmm, minutesOf, minutesOn } from './format.js';

/** Blocks of one itinerary: {kind, from, to, caseId?, label} in minutes of the plan's day. */
export function blocksOf(itinerary, date) {
  const at = (iso) => minutesOn(iso, date);
  const blocks = [];
  for (const stop of itinerary.stops) {
    const arrival = at(stop.arrival);
    if (stop.travel_seconds > 0) {
      blocks.push({
        kind: 'travel',
        from: arrival - stop.travel_seconds / 60,
        to: arrival,
        label: `travel to ${stop.case_id}`,
      });
    }
    if (at(stop.service_start) > arrival) {
      blocks.push({
        kind: 'wait',
        from: arrival,
        to: at(stop.service_start),
        label: `wait at ${stop.case_id}`,
      });
    }
    const late = stop.late_seconds > 0 ? ', late' : '';
    blocks.push({
      kind: 'visit',
      from: at(stop.service_start),
      to: at(stop.service_end),
      caseId: stop.case_id,
      late: stop.late_seconds > 0,
      label: `${stop.case_id} ${clock(stop.service_start)}–${clock(stop.service_end)}${late}`,
    });
  }
  const end = at(itinerary.end_time);
  if (itinerary.stops.length && itinerary.return_travel_seconds > 0) {
    blocks.push({
      kind: 'travel',
      from: end - itinerary.return_travel_seconds / 60,
      to: end,
      label: 'travel back',
    });
  }
  for (const pause of itinerary.breaks ?? []) {
    blocks.push({
      kind: 'break',
      from: at(pause.start),
      to: at(pause.end),
      label: `break ${clock(pause.start)}–${clock(pause.end)}`,
    });
  }
  return blocks;
}

function percent(value, from, to) {
  return `${(((value - from) / (to - from)) * 100).toFixed(3)}%`;
}

function place(node, from, to, axis) {
  node.style.left = percent(from, axis.from, axis.to);
  node.style.width = percent(axis.from + Math.max(to - from, 0), axis.from, axis.to);
  return node;
}

/**
 * Render rows for `agents` (the request's agents, for their shifts) with the days of
 * `itineraries`, coloured by `colours` (agent id -> colour); visits of `flagged` case ids are
 * marked as breaking a rule.
 */
export function renderTimeline(container, agents, itineraries, date, colours, flagged = new Set()) {
  const byAgent = new Map(itineraries.map((it) => [it.agent_id, it]));
  const rows = agents.map((agent) => ({
    agent,
    itinerary: byAgent.get(agent.id),
    shift: [minutesOf(agent.shift.start), minutesOf(agent.shift.end)],
  }));
  let from = Math.min(...rows.map((r) => r.shift[0]));
  let to = Math.max(...rows.map((r) => r.shift[1]));
  for (const it of itineraries) {
    if (!it.stops.length) continue;
    from = Math.min(from, minutesOn(it.start_time, date));
    to = Math.max(to, minutesOn(it.end_time, date));
  }
  from = Math.floor(from / 60) * 60;
  to = Math.ceil(to / 60) * 60;
  const axis = { from, to };
  const ticks = el('div', { class: 'timeline-track timeline-axis', 'aria-hidden': 'true' });
  for (let m = from; m <= to; m += 60) {
    const tick = el('span', { class: 'tick' }, hhmm(m % 1440));
    tick.style.left = percent(m, from, to);
    ticks.append(tick);
  }
  const header = el(
    'div',
    { class: 'timeline-row timeline-head' },
    el('span', { class: 'timeline-label' }, 'Agent'),
    ticks,
  );
  const body = rows.map(({ agent, itinerary, shift }) => {
    const track = el('div', { class: 'timeline-track' });
    track.append(
      place(
        el('div', { class: 'shift', title: `shift ${agent.shift.start}–${agent.shift.end}` }),
        shift[0],
        shift[1],
        axis,
      ),
    );
    const blocks = itinerary ? blocksOf(itinerary, date) : [];
    for (const block of blocks) {
      const classes = ['block', block.kind];
      if (block.late) classes.push('late');
      if (flagged.has(block.caseId)) classes.push('violating');
      const node = el('div', {
        class: classes.join(' '),
        title: block.label,
        'data-case-id': block.caseId,
      });
      if (block.kind === 'visit') node.style.backgroundColor = colours.get(agent.id) ?? '';
      track.append(place(node, block.from, block.to, axis));
    }
    const visits = itinerary?.stops.length ?? 0;
    const summary = visits
      ? `${visits} visits, ${clock(itinerary.start_time)}–${clock(itinerary.end_time)}`
      : 'no visits';
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = colours.get(agent.id) ?? '';
    return el(
      'div',
      {
        class: 'timeline-row',
        'data-agent-id': agent.id,
        role: 'listitem',
        'aria-label': `${agent.id}: ${summary}`,
      },
      el(
        'span',
        { class: 'timeline-label' },
        el('span', { class: 'who' }, swatch, agent.id),
        el('small', {}, summary),
      ),
      track,
    );
  });
  replace(container, header, el('div', { role: 'list', class: 'timeline-rows' }, body));
}
