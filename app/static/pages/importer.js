// Import step of the dashboard: read the two files (CSV here, Excel through the server), let
// the planner map columns to fields and edit the rows in a table, and report every row that
// cannot be planned. The table, not the file, is what gets planned.

import { postForm, problem } from './api.js';
import { CsvError, readTable } from './csv.js';
import { el, replace, byId } from './dom.js';
import { AGENT_FIELDS, CASE_FIELDS, buildAgents, buildCases, guessMapping } from './mapping.js';
import { RecordTable, recordsFrom } from './table.js';

/** An Excel file's first sheet, read by the server (POST /imports/table), as readTable gives. */
async function readWorkbook(file) {
  const form = new FormData();
  form.append('file', file);
  const answer = await postForm('/imports/table', form);
  if (!answer.ok) throw new CsvError(problem(answer));
  const records = answer.data.rows.map((values, index) => ({ row: index + 1, values }));
  return { headers: answer.data.headers, records };
}

const KINDS = {
  cases: {
    fields: CASE_FIELDS,
    build: buildCases,
    file: 'cases-file',
    fieldset: 'cases-mapping',
    editor: 'cases-table',
    noun: 'case',
  },
  agents: {
    fields: AGENT_FIELDS,
    build: buildAgents,
    file: 'agents-file',
    fieldset: 'agents-mapping',
    editor: 'agents-table',
    noun: 'agent',
  },
};

export class Importer {
  /** `onChange(result)` gets {cases, agents} (each null or {items, rows, problems, total}). */
  constructor(onChange) {
    this.onChange = onChange;
    this.tables = { cases: null, agents: null };
    this.mappings = { cases: {}, agents: {} };
    this.errors = { cases: null, agents: null };
    this.editors = {};
    for (const [kind, spec] of Object.entries(KINDS)) {
      byId(spec.file).addEventListener('change', (event) => this.load(kind, event.target.files[0]));
      this.editors[kind] = new RecordTable(byId(spec.editor), spec.fields, spec.noun, () =>
        this.update(),
      );
    }
    this.update();
  }

  async load(kind, file) {
    this.tables[kind] = null;
    this.errors[kind] = null;
    if (file) {
      try {
        this.tables[kind] = file.name.toLowerCase().endsWith('.xlsx')
          ? await readWorkbook(file)
          : readTable(await file.text());
      } catch (error) {
        if (!(error instanceof CsvError)) throw error;
        this.errors[kind] = error.message;
      }
    }
    const table = this.tables[kind];
    const { fields } = KINDS[kind];
    this.mappings[kind] = table ? guessMapping(fields, table.headers) : {};
    // A new file (even an unreadable one) starts the table afresh; no file leaves it as it is.
    if (file) this.editors[kind].set(table ? recordsFrom(table, this.mappings[kind], fields) : []);
    this.renderMapping(kind);
    this.update();
  }

  renderMapping(kind) {
    const spec = KINDS[kind];
    const fieldset = byId(spec.fieldset);
    const table = this.tables[kind];
    fieldset.hidden = !table;
    byId('mapping-panel').hidden = !this.tables.cases && !this.tables.agents;
    if (!table) return;
    const rows = spec.fields.map((field) => {
      const id = `map-${kind}-${field.key}`;
      const select = el(
        'select',
        {
          id,
          'data-field': field.key,
          onchange: (e) => this.remap(kind, field.key, Number(e.target.value)),
        },
        el('option', { value: -1 }, '(not in the file)'),
        table.headers.map((header, i) =>
          el(
            'option',
            { value: i, selected: this.mappings[kind][field.key] === i },
            header || `column ${i + 1}`,
          ),
        ),
      );
      return el(
        'div',
        { class: 'map-row' },
        el(
          'label',
          { for: id },
          field.label,
          field.required ? ' *' : '',
          el('code', {}, field.key),
        ),
        select,
      );
    });
    replace(
      fieldset,
      el('legend', {}, `${kind === 'cases' ? 'Cases' : 'Agents'}: ${table.records.length} rows`),
      rows,
    );
  }

  remap(kind, key, index) {
    this.mappings[kind][key] = index;
    this.editors[kind].refill(key, index);
    this.update();
  }

  /** Build both lists from the tables being edited and render the check report. */
  update() {
    const result = {};
    for (const [kind, spec] of Object.entries(KINDS)) {
      const editor = this.editors[kind];
      const used = this.tables[kind] || editor.records.length > 0;
      result[kind] = used ? spec.build(editor.table, editor.mapping) : null;
      editor.mark(result[kind]?.problems ?? []);
    }
    this.renderReport(result);
    this.onChange(result);
  }

  renderReport(result) {
    const panel = byId('check-panel');
    panel.hidden = !result.cases && !result.agents && !this.errors.cases && !this.errors.agents;
    const lines = [];
    const problems = [];
    for (const [kind, spec] of Object.entries(KINDS)) {
      if (this.errors[kind])
        lines.push(el('li', { class: 'error' }, `${spec.noun} file: ${this.errors[kind]}`));
      const built = result[kind];
      if (!built) continue;
      const bad = built.total - built.items.length;
      lines.push(
        el(
          'li',
          {},
          `${built.items.length} of ${built.total} ${spec.noun} rows ready`,
          bad ? `, ${bad} with problems` : '',
        ),
      );
      problems.push(...built.problems.map((p) => ({ kind, ...p })));
    }
    replace('check-summary', el('ul', { class: 'plain' }, lines));
    const report = byId('validation-report');
    report.hidden = problems.length === 0;
    replace(
      report.tBodies[0],
      problems.map((p) =>
        el(
          'tr',
          { 'data-row': p.row, 'data-kind': p.kind },
          el('td', {}, p.kind),
          el(
            'td',
            {},
            el(
              'button',
              {
                type: 'button',
                class: 'link',
                'aria-label': `Go to ${KINDS[p.kind].noun} ${p.row} ${p.field}`,
                onclick: () => this.editors[p.kind].focus(p.row, p.field),
              },
              p.row,
            ),
          ),
          el('td', {}, el('code', {}, p.field)),
          el('td', {}, p.problem),
        ),
      ),
    );
  }
}
