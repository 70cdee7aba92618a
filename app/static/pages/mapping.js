// From CSV tables to the cases and agents of POST /plan: which column feeds which field, and
// a check of every row, naming each row, field and problem.

const f = (key, label, aliases = [], required = false) => ({ key, label, aliases, required });

export const CASE_FIELDS = [
  f('id', 'Case id', ['case_id', 'case', 'reference', 'ref', 'case_number'], true),
  f('address', 'Address', ['street_address', 'full_address', 'addr', 'adresse']),
  f('lat', 'Latitude', ['latitude', 'y']),
  f('lon', 'Longitude', ['lng', 'long', 'longitude', 'x']),
  f('service_minutes', 'Visit minutes', ['duration', 'duration_minutes', 'service', 'minutes']),
  f('window_start', 'Window start', ['from', 'start', 'window_from', 'time_window_start']),
  f('window_end', 'Window end', ['to', 'end', 'window_to', 'time_window_end']),
  f('value', 'Value', ['expected_recovery']),
  f('amount_overdue', 'Amount overdue', ['overdue_amount', 'amount', 'balance', 'arrears']),
  f('days_overdue', 'Days overdue', ['dpd', 'overdue_days']),
  // The borrower's contact: personal data, sent in the plan and shown to the agent.
  f('borrower_name', 'Borrower name', ['name', 'borrower', 'full_name', 'debtor', 'customer']),
  f('borrower_phone', 'Phone', ['phone', 'telephone', 'tel', 'mobile', 'phone_number']),
  f('borrower_email', 'E-mail', ['email', 'e_mail', 'mail']),
];

export const AGENT_FIELDS = [
  f('id', 'Agent id', ['agent_id', 'agent', 'name'], true),
  f('start_address', 'Start address', ['address', 'start', 'home', 'depot']),
  f('start_lat', 'Start latitude', ['lat', 'latitude']),
  f('start_lon', 'Start longitude', ['lon', 'lng', 'longitude']),
  f('end_address', 'End address', ['end']),
  f('end_lat', 'End latitude'),
  f('end_lon', 'End longitude'),
  f('shift_start', 'Shift start', ['start_time', 'from'], true),
  f('shift_end', 'Shift end', ['end_time', 'to'], true),
  f('team_size', 'Team size', ['team', 'staff']),
  f('travel_mode', 'Travel mode', ['mode']),
];

const TRAVEL_MODES = ['drive', 'walk', 'bike', 'escooter'];
const norm = (name) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Field key -> column index (or -1): exact names first, then aliases; a column serves once. */
export function guessMapping(fields, headers) {
  const names = headers.map(norm);
  const mapping = {};
  const taken = new Set();
  const pick = (field, candidates) => {
    for (const candidate of candidates) {
      const index = names.findIndex((n, i) => n === norm(candidate) && !taken.has(i));
      if (index >= 0) return index;
    }
    return -1;
  };
  for (const field of fields) {
    mapping[field.key] = pick(field, [field.key]);
    if (mapping[field.key] >= 0) taken.add(mapping[field.key]);
  }
  for (const field of fields) {
    if (mapping[field.key] >= 0) continue;
    mapping[field.key] = pick(field, field.aliases);
    if (mapping[field.key] >= 0) taken.add(mapping[field.key]);
  }
  return mapping;
}

/** Reads one row's cells by field key, and collects its problems. */
class RowReader {
  constructor(record, mapping, problems) {
    this.record = record;
    this.mapping = mapping;
    this.problems = problems;
    this.bad = false;
  }

  text(key) {
    const index = this.mapping[key] ?? -1;
    return index >= 0 ? (this.record.values[index] ?? '').trim() : '';
  }

  fail(field, problem) {
    this.problems.push({ row: this.record.row, field, problem });
    this.bad = true;
  }

  number(key, { min = -Infinity, max = Infinity, integer = false } = {}) {
    const raw = this.text(key);
    if (raw === '') return undefined;
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(raw)) {
      this.fail(key, `"${raw}" is not a number${raw.includes(',') ? ' (use a dot)' : ''}`);
      return undefined;
    }
    const value = Number(raw);
    if (integer && !Number.isInteger(value)) this.fail(key, `"${raw}" is not a whole number`);
    else if (value < min || value > max) this.fail(key, `${raw} is not between ${min} and ${max}`);
    return value;
  }

  time(key, raw = this.text(key)) {
    const match = /^(\d{1,2}):(\d{2})$/.exec(raw);
    const hours = match ? Number(match[1]) : -1;
    const minutes = match ? Number(match[2]) : -1;
    if (!match || minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) {
      this.fail(key, `"${raw}" is not a time of day HH:MM`);
      return undefined;
    }
    return `${String(hours).padStart(2, '0')}:${match[2]}`;
  }

  /** {lat, lon}, {address} or undefined, from an address column and two coordinate columns. */
  place(addressKey, latKey, lonKey, required) {
    const lat = this.number(latKey, { min: -90, max: 90 });
    const lon = this.number(lonKey, { min: -180, max: 180 });
    if ((lat === undefined) !== (lon === undefined)) {
      this.fail(lat === undefined ? latKey : lonKey, `give both ${latKey} and ${lonKey}`);
      return undefined;
    }
    if (lat !== undefined) return { lat, lon };
    const address = this.text(addressKey);
    if (address !== '') return { address };
    if (required) this.fail(addressKey, `give ${addressKey} or ${latKey} and ${lonKey}`);
    return undefined;
  }
}

function windows(reader) {
  const starts = reader.text('window_start');
  const ends = reader.text('window_end');
  if (starts === '' && ends === '') return [];
  const startList = starts.split(/[;|]/).map((s) => s.trim());
  const endList = ends.split(/[;|]/).map((s) => s.trim());
  if (starts === '' || ends === '' || startList.length !== endList.length) {
    reader.fail(
      starts === '' ? 'window_start' : 'window_end',
      'each window needs a start and an end',
    );
    return [];
  }
  const result = [];
  startList.forEach((rawStart, i) => {
    const start = reader.time('window_start', rawStart);
    const end = reader.time('window_end', endList[i]);
    if (start && end && end <= start) reader.fail('window_end', `${end} is not after ${start}`);
    if (start && end) result.push({ start, end });
  });
  return result;
}

/** The borrower {name, phone, email} of a row, undefined when none is given; a phone or an
 * e-mail needs a name. */
function contact(reader) {
  const name = reader.text('borrower_name');
  const phone = reader.text('borrower_phone');
  const email = reader.text('borrower_email');
  if (name === '') {
    if (phone !== '' || email !== '') {
      reader.fail('borrower_name', 'give a name with a phone or e-mail');
    }
    return undefined;
  }
  const borrower = { name };
  if (phone !== '') borrower.phone = phone;
  if (email !== '') borrower.email = email;
  return borrower;
}

function duplicateCheck(reader, seen, id) {
  if (id === '') reader.fail('id', 'missing');
  else if (id.length > 100) reader.fail('id', 'longer than 100 characters');
  else if (seen.has(id)) reader.fail('id', `duplicate of row ${seen.get(id)}`);
  else seen.set(id, reader.record.row);
}

function build(table, mapping, readRow) {
  const items = [];
  const rows = [];
  const problems = [];
  const seen = new Map();
  for (const record of table.records) {
    const reader = new RowReader(record, mapping, problems);
    duplicateCheck(reader, seen, reader.text('id'));
    const item = readRow(reader);
    if (!reader.bad) {
      items.push(item);
      rows.push(record.row);
    }
  }
  return { items, rows, problems, total: table.records.length };
}

/** POST /plan cases from a table: {items, rows (row number of each item), problems, total}. */
export function buildCases(table, mapping) {
  return build(table, mapping, (r) => {
    const item = { id: r.text('id') };
    const place = r.place('address', 'lat', 'lon', true);
    if (place?.address !== undefined) item.address = place.address;
    else if (place) item.location = place;
    const service = r.number('service_minutes', { min: 0, max: 1440, integer: true });
    if (service !== undefined) item.service_minutes = service;
    const tw = windows(r);
    if (tw.length > 0) item.time_windows = tw;
    const value = r.number('value', { min: 0, max: 1_000_000 });
    if (value !== undefined) item.value = value;
    const overdue = r.number('amount_overdue', { min: 0, max: 1_000_000 });
    if (overdue !== undefined) item.amount_overdue = overdue;
    const days = r.number('days_overdue', { min: 0, max: 100_000, integer: true });
    if (days !== undefined) item.days_overdue = days;
    const borrower = contact(r);
    if (borrower) item.borrower = borrower;
    return item;
  });
}

/** POST /plan agents from a table, the same way. */
export function buildAgents(table, mapping) {
  return build(table, mapping, (r) => {
    const item = { id: r.text('id') };
    item.start = r.place('start_address', 'start_lat', 'start_lon', true);
    const end = r.place('end_address', 'end_lat', 'end_lon', false);
    if (end) item.end = end;
    const start =
      r.text('shift_start') === '' ? r.fail('shift_start', 'missing') : r.time('shift_start');
    const finish =
      r.text('shift_end') === '' ? r.fail('shift_end', 'missing') : r.time('shift_end');
    if (start && finish && finish <= start) r.fail('shift_end', `${finish} is not after ${start}`);
    item.shift = { start, end: finish };
    const team = r.number('team_size', { min: 1, max: 10, integer: true });
    if (team !== undefined) item.team_size = team;
    const mode = r.text('travel_mode').toLowerCase();
    if (mode !== '' && !TRAVEL_MODES.includes(mode)) {
      r.fail('travel_mode', `"${mode}" is not one of ${TRAVEL_MODES.join(', ')}`);
    } else if (mode !== '') item.travel_mode = mode;
    return item;
  });
}

/** The CSV column behind a field path of the request (for 422 errors), or the path itself. */
export function columnOf(kind, path) {
  const [head, second, third] = path;
  if (kind === 'cases') {
    if (head === 'location') return second;
    if (head === 'time_windows') return third === 'end' ? 'window_end' : 'window_start';
    if (head === 'borrower') return `borrower_${second ?? 'name'}`;
    return head;
  }
  const nested = head === 'start' || head === 'end' || head === 'shift';
  return nested && second !== undefined ? `${head}_${second}` : head;
}
