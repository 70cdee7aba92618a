// A small CSV reader (RFC 4180): quoted fields with the delimiter, line breaks and doubled
// quotes inside; CRLF or LF; a byte-order mark; comma, semicolon or tab, detected.

export class CsvError extends Error {}

/** The delimiter of the header line: the most frequent of , ; and tab outside quotes. */
export function detectDelimiter(text) {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c in counts) counts[c] += 1;
  }
  return Object.keys(counts).reduce((a, b) => (counts[b] > counts[a] ? b : a), ',');
}

/** Rows of fields (strings). Throws CsvError for a quote left open. */
export function parseCsv(input, delimiter) {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const sep = delimiter ?? detectDelimiter(text);
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false; // a field that began with a quote, even if empty
  let line = 1;
  let quoteLine = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line += 1;
        field += c;
      }
    } else if (c === '"' && field === '' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
      quoteLine = line;
    } else if (c === sep) {
      row.push(field);
      field = '';
      fieldStarted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      line += 1;
    } else {
      field += c;
    }
  }
  if (quoted) throw new CsvError(`a quoted field opened on line ${quoteLine} is not closed`);
  if (field !== '' || fieldStarted || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * The header and the data rows of a CSV file. Each record keeps its row number (1 = the
 * first row under the header); blank rows are skipped but still counted.
 */
export function readTable(text) {
  const rows = parseCsv(text);
  if (rows.length === 0) throw new CsvError('the file is empty');
  const headers = rows[0].map((h) => h.trim());
  const records = [];
  rows.slice(1).forEach((values, index) => {
    if (values.every((v) => v.trim() === '')) return;
    records.push({ row: index + 1, values });
  });
  return { headers, records };
}
