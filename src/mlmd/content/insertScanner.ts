/*
 * Reads the values of an `INSERT INTO <table> [(<columns>)] VALUES (…)[, (…)]` statement the way SQLite
 * would store them, with our own code rather than SQLite's parser: this is the backup's content as the
 * restore checks it. It understands what `sqlite3 .dump` writes — NULL, integers, REAL literals (read by
 * JavaScript's correctly rounded Number(), the 1e999 of ±Inf included), '…' text, X'…' blobs, and the
 * text expressions replace(…), char(…), unistr(…) and || that the shell uses for control characters — and
 * reports anything else as unsupported instead of guessing.
 */

/** Receives the values of each row, in order. */
export interface ValueSink {
  beginRow(): void;
  null(): void;
  /** An INTEGER; `value` is a number when it is a safe integer, else a bigint. */
  integer(value: number | bigint): void;
  /** A REAL literal, with where its text is in the statement (for rewriting it). */
  real(value: number, start: number, end: number): void;
  text(value: string): void;
  blobHex(hex: string): void;
  endRow(): void;
}

export interface InsertTarget {
  table: string;
  /** The column list as written, or undefined when the statement has none. */
  columns: string[] | undefined;
  rows: number;
}

/** The statement is not an INSERT of literal values this reader understands; `reason` says where. */
export class UnsupportedSql extends Error {}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN_MAGNITUDE = 9223372036854775808n;

const enum Ch {
  Tab = 9,
  Nl = 10,
  Cr = 13,
  Space = 32,
  Quote = 39, // '
  DQuote = 34, // "
  LParen = 40,
  RParen = 41,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Slash = 47,
  Zero = 48,
  Nine = 57,
  Semi = 59,
  LBracket = 91,
  RBracket = 93,
  Backtick = 96,
  Pipe = 124,
  Star = 42,
  E = 69,
  LowerE = 101,
}

function isDigit(c: number): boolean {
  return c >= Ch.Zero && c <= Ch.Nine;
}

function isIdChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f || c === 0x24 || c >= 0x80;
}

/** Scans one INSERT statement; calls `sink` for each row; throws UnsupportedSql for anything else. */
export function scanInsert(sql: string, sink: ValueSink): InsertTarget {
  return new Scanner(sql, sink).insert();
}

class Scanner {
  private at = 0;

  constructor(
    private readonly sql: string,
    private readonly sink: ValueSink,
  ) {}

  insert(): InsertTarget {
    this.keyword('INSERT');
    this.keyword('INTO');
    const table = this.identifier();
    let columns: string[] | undefined;
    this.space();
    if (this.peek() === Ch.LParen) {
      this.at++;
      columns = [this.identifier()];
      while (this.punct(Ch.Comma, Ch.RParen) === Ch.Comma) columns.push(this.identifier());
    }
    this.keyword('VALUES');
    let rows = 0;
    for (;;) {
      this.expect(Ch.LParen);
      this.sink.beginRow();
      do this.value();
      while (this.punct(Ch.Comma, Ch.RParen) === Ch.Comma);
      this.sink.endRow();
      rows++;
      this.space();
      if (this.peek() !== Ch.Comma) break;
      this.at++;
    }
    this.space();
    if (this.peek() === Ch.Semi) this.at++;
    this.space();
    if (this.at < this.sql.length) this.fail('text after the VALUES list');
    return { table, columns, rows };
  }

  /** One column value: a literal, or a text expression. */
  private value(): void {
    this.space();
    const c = this.peek();
    if (c === Ch.Minus || c === Ch.Plus || isDigit(c) || c === Ch.Dot) return this.number();
    if (c === Ch.Quote) {
      const text = this.quoted();
      this.space();
      if (this.peek() === Ch.Pipe) return this.sink.text(this.concatenation(text));
      return this.sink.text(text);
    }
    if ((c === 0x58 || c === 0x78) && this.sql.charCodeAt(this.at + 1) === Ch.Quote) return this.blob();
    const word = this.word();
    if (word.toUpperCase() === 'NULL') return this.sink.null();
    this.sink.text(this.concatenation(this.call(word)));
  }

  private number(): void {
    const start = this.at;
    let negative = false;
    // Unary signs, as SQLite allows them (`- -1` is 1); .dump writes at most one `-`.
    for (;;) {
      this.space();
      const c = this.peek();
      if (c === Ch.Minus) negative = !negative;
      else if (c !== Ch.Plus) break;
      this.at++;
    }
    const digitsStart = this.at;
    while (isDigit(this.peek())) this.at++;
    let isReal = false;
    if (this.peek() === Ch.Dot) {
      isReal = true;
      this.at++;
      while (isDigit(this.peek())) this.at++;
    }
    const e = this.peek();
    if (e === Ch.E || e === Ch.LowerE) {
      isReal = true;
      this.at++;
      if (this.peek() === Ch.Plus || this.peek() === Ch.Minus) this.at++;
      if (!isDigit(this.peek())) this.fail('an exponent without digits');
      while (isDigit(this.peek())) this.at++;
    }
    const literal = this.sql.slice(digitsStart, this.at);
    if (literal === '' || literal === '.' || isIdChar(this.peek())) this.fail('a malformed number');
    if (!isReal) {
      // SQLite reads an integer literal beyond 64 bits as a REAL (only -9223372036854775808 fits, negated).
      if (literal.length < 16) return this.sink.integer(negative ? -Number(literal) : Number(literal));
      const magnitude = BigInt(literal);
      if (magnitude <= INT64_MAX || (negative && magnitude === INT64_MIN_MAGNITUDE)) {
        const value = negative ? -magnitude : magnitude;
        return this.sink.integer(Number.isSafeInteger(Number(value)) ? Number(value) : value);
      }
    }
    const magnitude = Number(literal);
    this.sink.real(negative ? -magnitude : magnitude, start, this.at);
  }

  private blob(): void {
    this.at++; // X
    const hex = this.quoted();
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) this.fail('a blob literal that is not hex');
    this.sink.blobHex(hex);
  }

  /** `'…'` with `''` for a quote. */
  private quoted(): string {
    const sql = this.sql;
    let from = this.at + 1;
    let out = '';
    for (;;) {
      const close = sql.indexOf("'", from);
      if (close < 0) this.fail('an unterminated string');
      if (sql.charCodeAt(close + 1) === Ch.Quote) {
        out += sql.slice(from, close + 1);
        from = close + 2;
        continue;
      }
      out += sql.slice(from, close);
      this.at = close + 1;
      return out;
    }
  }

  /** `text || text …`, each operand a text expression. */
  private concatenation(first: string): string {
    let out = first;
    for (;;) {
      this.space();
      if (this.peek() !== Ch.Pipe || this.sql.charCodeAt(this.at + 1) !== Ch.Pipe) return out;
      this.at += 2;
      out += this.textExpression();
    }
  }

  private textExpression(): string {
    this.space();
    if (this.peek() === Ch.Quote) return this.quoted();
    return this.call(this.word());
  }

  /** replace(t, t, t), char(n, …) and unistr(t): the only functions `sqlite3 .dump` writes. */
  private call(name: string): string {
    const fn = name.toLowerCase();
    if (fn !== 'replace' && fn !== 'char' && fn !== 'unistr') this.fail(name === '' ? 'an unexpected character' : `${name}, which is not a value`);
    this.expect(Ch.LParen);
    if (fn === 'char') {
      let out = '';
      do out += codePoint(this.charArgument(), () => this.fail('char() of a number that is not a Unicode scalar value'));
      while (this.punct(Ch.Comma, Ch.RParen) === Ch.Comma);
      return out;
    }
    const args = [this.concatenation(this.textExpression())];
    while (this.punct(Ch.Comma, Ch.RParen) === Ch.Comma) args.push(this.concatenation(this.textExpression()));
    if (fn === 'unistr') {
      if (args.length !== 1) this.fail('unistr() with more than one argument');
      return unistr(args[0]!, () => this.fail('unistr() with a malformed escape'));
    }
    if (args.length !== 3) this.fail('replace() without three arguments');
    const [text, pattern, replacement] = args as [string, string, string];
    // SQLite's replace(): every non-overlapping occurrence, left to right; an empty pattern changes nothing.
    return pattern === '' ? text : text.split(pattern).join(replacement);
  }

  private charArgument(): number {
    this.space();
    const start = this.at;
    while (isDigit(this.peek())) this.at++;
    if (start === this.at) this.fail('char() of something other than a decimal integer');
    return Number(this.sql.slice(start, this.at));
  }

  private word(): string {
    this.space();
    const start = this.at;
    while (this.at < this.sql.length && isIdChar(this.peek())) this.at++;
    return this.sql.slice(start, this.at);
  }

  private keyword(expected: string): void {
    const word = this.word();
    if (word.toUpperCase() !== expected) this.fail(`${expected} expected`);
  }

  /** A table or column name: bare, "…", `…` or […]. */
  private identifier(): string {
    this.space();
    const open = this.peek();
    const close = open === Ch.DQuote ? Ch.DQuote : open === Ch.Backtick ? Ch.Backtick : open === Ch.LBracket ? Ch.RBracket : 0;
    if (close === 0) {
      const word = this.word();
      if (word === '') this.fail('a name expected');
      return word;
    }
    const closer = String.fromCharCode(close);
    let from = this.at + 1;
    let out = '';
    for (;;) {
      const end = this.sql.indexOf(closer, from);
      if (end < 0) this.fail('an unterminated name');
      if (close !== Ch.RBracket && this.sql.charCodeAt(end + 1) === close) {
        out += this.sql.slice(from, end + 1);
        from = end + 2;
        continue;
      }
      out += this.sql.slice(from, end);
      this.at = end + 1;
      return out;
    }
  }

  /** Whitespace and comments. */
  private space(): void {
    const sql = this.sql;
    for (;;) {
      const c = sql.charCodeAt(this.at);
      if (c === Ch.Space || c === Ch.Nl || c === Ch.Cr || c === Ch.Tab || c === 12 || c === 11) {
        this.at++;
      } else if (c === Ch.Minus && sql.charCodeAt(this.at + 1) === Ch.Minus) {
        const end = sql.indexOf('\n', this.at);
        this.at = end < 0 ? sql.length : end + 1;
      } else if (c === Ch.Slash && sql.charCodeAt(this.at + 1) === Ch.Star) {
        const end = sql.indexOf('*/', this.at + 2);
        this.at = end < 0 ? sql.length : end + 2;
      } else {
        return;
      }
    }
  }

  private peek(): number {
    return this.sql.charCodeAt(this.at);
  }

  private expect(c: number): void {
    this.space();
    if (this.peek() !== c) this.fail(`${String.fromCharCode(c)} expected`);
    this.at++;
  }

  /** The next character, which must be one of two. */
  private punct(a: number, b: number): number {
    this.space();
    const c = this.peek();
    if (c !== a && c !== b) this.fail(`${String.fromCharCode(a)} or ${String.fromCharCode(b)} expected`);
    this.at++;
    return c;
  }

  private fail(what: string): never {
    throw new UnsupportedSql(`${what} at character ${this.at + 1}`);
  }
}

function codePoint(n: number, fail: () => never): string {
  if (!Number.isInteger(n) || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) fail();
  return String.fromCodePoint(n);
}

/** SQLite's unistr(): `\\`, `\XXXX`, `\uXXXX`, `\+XXXXXX`, `\UXXXXXXXX`. */
function unistr(text: string, fail: () => never): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const slash = text.indexOf('\\', i);
    if (slash < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, slash);
    const next = text[slash + 1];
    let digits: number;
    let skip: number;
    if (next === '\\') {
      out += '\\';
      i = slash + 2;
      continue;
    } else if (next === 'u') [digits, skip] = [4, 2];
    else if (next === '+') [digits, skip] = [6, 2];
    else if (next === 'U') [digits, skip] = [8, 2];
    else [digits, skip] = [4, 1];
    const hex = text.slice(slash + skip, slash + skip + digits);
    if (hex.length !== digits || !/^[0-9a-fA-F]+$/.test(hex)) fail();
    out += codePoint(parseInt(hex, 16), fail);
    i = slash + skip + digits;
  }
  return out;
}
