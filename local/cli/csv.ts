/** One CSV record and the physical line it starts on, so rejections can point at the line a person sees. */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** Set when the record is malformed; the fields read so far are kept for the message. */
  error?: string;
}

/**
 * RFC 4180 reader: quoted fields may hold commas, quotes (`""`) and line breaks; CRLF, LF and lone CR all end a
 * record. Lenient where spreadsheets are sloppy (a stray `"` inside an unquoted field is kept as text) and strict
 * where data would be silently mangled (text after a closing quote, an unterminated quote): those records carry
 * an error instead of failing the whole file. Blank lines are skipped.
 *
 * Hand-written rather than `csv-parse` (installed, and tried with `skip_records_with_error`, `info`, `raw`):
 * - a bad record must cost only itself. After `"a@x.org"junk,paid` csv-parse resumes inside the broken field, so
 *   the *next, valid* row is lost too, reported as a second error ("Quote Not Closed"): an import would silently
 *   skip a good reader. Here the bad record ends at its line break and the next one is read as usual.
 * - errors must name the line a person sees. csv-parse's `info.lines` is where a record *ends* (a quoted line
 *   break moves it) and an unclosed quote is reported at the end of the file, not where it opened.
 * - a stray `"` inside an unquoted field is text here; csv-parse either refuses the row (reported twice) or, with
 *   `relax_quotes`, also accepts `"a@x.org"junk` as a value, which is the mangling we refuse.
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;

  // Consumes one line break at i (CRLF, LF or CR); returns whether there was one.
  const takeBreak = (): boolean => {
    if (source[i] === '\r') {
      i += source[i + 1] === '\n' ? 2 : 1;
    } else if (source[i] === '\n') {
      i += 1;
    } else {
      return false;
    }
    line += 1;
    return true;
  };

  while (i < source.length) {
    const startLine = line;
    if (takeBreak()) continue;
    const fields: string[] = [];
    let error: string | undefined;

    for (;;) {
      let field = '';
      if (source[i] === '"') {
        i += 1;
        let closed = false;
        while (i < source.length) {
          const char = source[i];
          if (char === '"') {
            if (source[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (char === '\r' || char === '\n') {
            const start = i;
            takeBreak();
            field += source.slice(start, i);
            continue;
          }
          field += char;
          i += 1;
        }
        if (!closed) {
          error = `unterminated quoted field (opened on line ${startLine})`;
          fields.push(field);
          break;
        }
        if (i < source.length && source[i] !== ',' && source[i] !== '\r' && source[i] !== '\n') {
          error = `unexpected text after a closing quote in field ${fields.length + 1}`;
          fields.push(field);
          while (i < source.length && source[i] !== '\r' && source[i] !== '\n') i += 1;
          break;
        }
      } else {
        while (i < source.length && source[i] !== ',' && source[i] !== '\r' && source[i] !== '\n') {
          field += source[i];
          i += 1;
        }
      }
      fields.push(field);
      if (source[i] === ',') {
        i += 1;
        continue;
      }
      break;
    }
    takeBreak();
    records.push(error ? { line: startLine, fields, error } : { line: startLine, fields });
  }
  return records;
}
