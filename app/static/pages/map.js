// The map: an SVG of the region's roads, each agent's route along them and the cases.
// Equirectangular projection, x scaled by cos(latitude), fitted to the roads' bounding box.

import { svg, replace } from './dom.js';
import { clock } from './format.js';

const WIDTH = 1000;

function boundsOf(lines) {
  const b = { minLon: Infinity, maxLon: -Infinity, minLat: Infinity, maxLat: -Infinity };
  for (const line of lines) {
    for (const [lon, lat] of line) {
      b.minLon = Math.min(b.minLon, lon);
      b.maxLon = Math.max(b.maxLon, lon);
      b.minLat = Math.min(b.minLat, lat);
      b.maxLat = Math.max(b.maxLat, lat);
    }
  }
  return Number.isFinite(b.minLon) ? b : null;
}

/** A projection fitted to bounds: [lon, lat] -> [x, y] in a WIDTH-wide view box. */
export function fitProjection(bounds) {
  const k = Math.cos((((bounds.minLat + bounds.maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((bounds.maxLon - bounds.minLon) * k, 1e-6);
  const spanY = Math.max(bounds.maxLat - bounds.minLat, 1e-6);
  const pad = 0.03 * Math.max(spanX, spanY);
  const scale = WIDTH / (spanX + 2 * pad);
  const height = (spanY + 2 * pad) * scale;
  const project = ([lon, lat]) => [
    ((lon - bounds.minLon) * k + pad) * scale,
    (bounds.maxLat - lat + pad) * scale,
  ];
  return { project, width: WIDTH, height };
}

function pathData(project, lines) {
  const parts = [];
  for (const line of lines) {
    line.forEach((point, i) => {
      const [x, y] = project(point);
      parts.push(`${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`);
    });
  }
  return parts.join('');
}

const lonLat = (p) => [p.lon, p.lat];

/** The route's road path as one line of [lon, lat]: each leg's geometry, else straight. */
export function routeLine(itinerary) {
  const line = [lonLat(itinerary.start_location)];
  const leg = (geometry, to) => {
    if (geometry?.coordinates?.length) line.push(...geometry.coordinates);
    else line.push(lonLat(to));
  };
  for (const stop of itinerary.stops) leg(stop.geometry, stop.location);
  leg(itinerary.return_geometry, itinerary.end_location);
  return line;
}

export class RouteMap {
  constructor(element) {
    this.element = element;
    this.roads = [];
    this.outline = [];
    this.projection = null;
  }

  /** The base map: road lines (GeoJSON MultiLineString coordinates) and the region outline. */
  setBase(roadLines, outlineRing) {
    this.roads = roadLines ?? [];
    this.outline = outlineRing ? [outlineRing] : [];
    const bounds = boundsOf(this.roads.length ? this.roads : this.outline);
    this.projection = bounds ? fitProjection(bounds) : null;
    this.draw(null);
  }

  /**
   * Draw a plan: routes of `itineraries` (colour by agent id from `colours`), visited cases,
   * agents' starts and the unassigned cases that have a known point (`unassignedPoints`:
   * [{case_id, reason, location}]).
   */
  draw(itineraries, colours = new Map(), unassignedPoints = []) {
    const { element } = this;
    if (!this.projection) {
      replace(element);
      return;
    }
    const { project, width, height } = this.projection;
    const r = Math.max(width, height) / 110; // markers a few pixels wide at any region size
    element.setAttribute('viewBox', `0 0 ${width.toFixed(0)} ${height.toFixed(0)}`);
    const base = svg(
      'g',
      { class: 'base' },
      this.outline.length
        ? svg('path', { class: 'outline', d: pathData(project, this.outline) })
        : null,
      svg('path', { class: 'roads', d: pathData(project, this.roads) }),
    );
    const routes = svg('g', { class: 'routes' });
    const markers = svg('g', { class: 'markers' });
    for (const itinerary of itineraries ?? []) {
      if (itinerary.stops.length === 0) continue;
      const colour = colours.get(itinerary.agent_id) ?? '#333';
      routes.append(
        svg('path', {
          class: 'route',
          'data-agent-id': itinerary.agent_id,
          d: pathData(project, [routeLine(itinerary)]),
          stroke: colour,
        }),
      );
      const [sx, sy] = project(lonLat(itinerary.start_location));
      markers.append(
        svg(
          'rect',
          { class: 'agent-start', x: sx - r, y: sy - r, width: 2 * r, height: 2 * r, fill: colour },
          svg('title', {}, `${itinerary.agent_id}: start ${clock(itinerary.start_time)}`),
        ),
      );
      itinerary.stops.forEach((stop, i) => {
        const [x, y] = project(lonLat(stop.location));
        markers.append(
          svg(
            'circle',
            {
              class: 'case-marker visited',
              'data-case-id': stop.case_id,
              cx: x,
              cy: y,
              r: r * 0.8,
              stroke: colour,
            },
            svg(
              'title',
              {},
              `${stop.case_id}: ${itinerary.agent_id} #${i + 1}, ${clock(stop.service_start)}`,
            ),
          ),
        );
      });
    }
    for (const point of unassignedPoints) {
      const [x, y] = project(lonLat(point.location));
      markers.append(
        svg(
          'g',
          { class: 'case-marker unassigned', 'data-case-id': point.case_id },
          svg('path', {
            d: `M${x - r} ${y - r}L${x + r} ${y + r}M${x - r} ${y + r}L${x + r} ${y - r}`,
          }),
          svg('title', {}, `${point.case_id}: unassigned (${point.reason})`),
        ),
      );
    }
    replace(element, base, routes, markers);
  }
}
