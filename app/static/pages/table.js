// The cases or the agents as an editable table: one row per case or agent, one text box per
// field. Rows keep their number (1 = the first row under a file's header; rows added by hand
// follow the last one), so the check report can point at them while the planner edits.

import { el, replace } from './dom.js';

/** The records of a file table as rows of the editor: values in the order of `fields`. */
export function recordsFrom(table, mapping, fields) {
  return table.records.map((record) => ({
    row: record.row,
    source: record.values, // the file's cells, to fill a column again when it is remapped
    values: fields.map((field) => cellOf(record.values, mapping[field.key])),
  }));
}

const cellOf = (values, index) => (index >= 0 ? String(values[index] ?? '') : '');

export class RecordTable {
  /** `noun`: 'case' or 'agent'; `onEdit()` runs after every change of a cell or a row. */
  constructor(container, fields, noun, onEdit) {
    this.container = container;
    this.fields = fields;
    this.noun = noun;
    this.Noun = noun[0].toUpperCase() + noun.slice(1);
    this.onEdit = onEdit;
    this.records = [];
    this.inputs = new Map(); // "row:key" -> input
    this.render();
  }

  /** What mapping.js builds from: a table of {row, values} read with `this.mapping`. */
  get table() {
    return { records: this.records };
  }

  get mapping() {
    return Object.fromEntries(this.fields.map((field, i) => [field.key, i]));
  }

  set(records) {
    this.records = records;
    this.render();
  }

  /** The column of `key` read again from the file (rows added by hand keep their cell). */
  refill(key, index) {
    const at = this.fields.findIndex((field) => field.key === key);
    for (const record of this.records) {
      if (record.source) record.values[at] = cellOf(record.source, index);
    }
    this.render();
  }

  add() {
    const row = Math.max(0, ...this.records.map((r) => r.row)) + 1;
    this.records.push({ row, source: null, values: this.fields.map(() => '') });
    this.render();
    this.onEdit();
    this.focus(row, this.fields[0].key);
  }

  remove(row) {
    const at = this.records.findIndex((r) => r.row === row);
    this.records.splice(at, 1);
    this.render();
    this.onEdit();
    const next = this.records[Math.min(at, this.records.length - 1)];
    const target = next ? this.container.querySelector(`tr[data-row="${next.row}"] button`) : null;
    (target ?? this.container.querySelector('button.add-row')).focus();
  }

  focus(row, key) {
    const input = this.inputs.get(`${row}:${key}`) ?? this.inputs.get(`${row}:id`);
    input?.focus();
  }

  /** Mark the cells (and rows) named by the check's problems. */
  mark(problems) {
    for (const input of this.inputs.values()) input.removeAttribute('aria-invalid');
    for (const tr of this.container.querySelectorAll('tr.bad')) tr.classList.remove('bad');
    for (const p of problems) {
      const input = this.inputs.get(`${p.row}:${p.field}`);
      input?.setAttribute('aria-invalid', 'true');
      input?.closest('tr').classList.add('bad');
    }
  }

  render() {
    this.inputs.clear();
    const plural = `${this.noun}s`;
    const body = this.records.length
      ? el(
          'div',
          { class: 'table-box', role: 'region', tabindex: 0, 'aria-label': `${this.Noun}s table` },
          el(
            'table',
            { class: 'records' },
            el('thead', {}, el('tr', {}, ...this.headers())),
            el('tbody', {}, ...this.records.map((record) => this.renderRow(record))),
          ),
        )
      : el('p', { class: 'hint' }, `No ${plural} yet: import a file or add one.`);
    replace(
      this.container,
      body,
      el(
        'button',
        { type: 'button', class: 'add-row', onclick: () => this.add() },
        `Add ${this.noun}`,
      ),
    );
  }

  headers() {
    return [
      el('th', { scope: 'col' }, 'Row'),
      ...this.fields.map((field) =>
        el(
          'th',
          { scope: 'col' },
          field.label,
          field.required ? ' *' : '',
          el('br'),
          el('code', {}, field.key),
        ),
      ),
      el('th', { scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Delete')),
    ];
  }

  renderRow(record) {
    const cells = this.fields.map((field, i) => {
      const input = el('input', {
        type: 'text',
        class: `f-${field.key}`,
        value: record.values[i],
        autocomplete: 'off',
        spellcheck: 'false',
        'aria-label': `${this.Noun} ${record.row} ${field.key}`,
        oninput: (event) => {
          record.values[i] = event.target.value;
          this.onEdit();
        },
      });
      this.inputs.set(`${record.row}:${field.key}`, input);
      return el('td', {}, input);
    });
    const remove = el(
      'button',
      {
        type: 'button',
        class: 'delete-row',
        'aria-label': `Delete ${this.noun} ${record.row}`,
        onclick: () => this.remove(record.row),
      },
      'Delete',
    );
    return el(
      'tr',
      { 'data-row': record.row },
      el('th', { scope: 'row' }, record.row),
      ...cells,
      el('td', {}, remove),
    );
  }
}
