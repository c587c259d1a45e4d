import { SqlDumpError } from './errors';

/*
 * Splits SQL text arriving in chunks into complete statements, with the semantics of SQLite's
 * sqlite3_complete(): a statement ends at a `;` that is outside quotes ('…', "…", `…`, […]) and comments
 * (-- …, /* … *\/), except inside CREATE TRIGGER … BEGIN … END, whose body holds `;`s of its own and ends
 * at the `;` after END. This is what the sqlite3 shell uses to decide when to run what it has read.
 * node:sqlite exposes no sqlite3_complete, hence this tokenizer. It keeps only the current, unfinished
 * statement in memory, so a multi-gigabyte dump streams through it.
 */

export interface SqlStatement {
  /** The statement text, from its first token to its `;` inclusive. */
  sql: string;
  /** 1-based position among the statements of the input. */
  index: number;
  /** 1-based line of the input where the statement's first token is. */
  line: number;
  /** The first token, upper-cased, when it is a word (`INSERT`, `BEGIN`, …); otherwise ''. */
  keyword: string;
}

// States of the sqlite3_complete() state machine. A statement is complete on entering START.
const enum State {
  Invalid = 0, // nothing but whitespace and comments seen yet
  Start = 1, // just after a complete statement's `;`
  Normal = 2, // inside an ordinary statement
  Explain = 3, // after a leading EXPLAIN
  Create = 4, // after a leading CREATE (possibly with TEMP)
  Trigger = 5, // inside a CREATE TRIGGER
  Semi = 6, // inside a trigger, after a `;`
  End = 7, // inside a trigger, after `; END`
}

const enum Token {
  Semi,
  Space,
  Other,
  Explain,
  Create,
  Temp,
  Trigger,
  End,
}

/** Where an unfinished token left the scanner at the end of the buffered text. */
const enum Lex {
  None,
  SingleQuote,
  DoubleQuote,
  Backtick,
  Bracket,
  LineComment,
  BlockComment,
}

const CLOSERS: Record<Exclude<Lex, Lex.None>, string> = {
  [Lex.SingleQuote]: "'",
  [Lex.DoubleQuote]: '"',
  [Lex.Backtick]: '`',
  [Lex.Bracket]: ']',
  [Lex.LineComment]: '\n',
  [Lex.BlockComment]: '*/',
};

function next(state: State, token: Token): State {
  if (token === Token.Semi) {
    if (state === State.Trigger || state === State.Semi) return State.Semi;
    return State.Start; // END; closes a trigger, anything else is a complete statement
  }
  if (token === Token.Space) return state;
  switch (state) {
    case State.Invalid:
    case State.Start:
      if (token === Token.Explain) return State.Explain;
      if (token === Token.Create) return State.Create;
      return State.Normal;
    case State.Normal:
      return State.Normal;
    case State.Explain:
      if (token === Token.Create) return State.Create;
      if (token === Token.Other) return State.Explain; // EXPLAIN QUERY PLAN CREATE …
      return State.Normal;
    case State.Create:
      if (token === Token.Temp) return State.Create;
      if (token === Token.Trigger) return State.Trigger;
      return State.Normal;
    case State.Trigger:
      return State.Trigger;
    case State.Semi:
      return token === Token.End ? State.End : State.Trigger;
    case State.End:
      return State.Trigger;
  }
}

function keywordToken(word: string): Token {
  switch (word.toUpperCase()) {
    case 'EXPLAIN':
      return Token.Explain;
    case 'CREATE':
      return Token.Create;
    case 'TEMP':
    case 'TEMPORARY':
      return Token.Temp;
    case 'TRIGGER':
      return Token.Trigger;
    case 'END':
      return Token.End;
    default:
      return Token.Other;
  }
}

/** Identifier characters as SQLite's tokenizer sees them: letters, digits, `_`, `$`, and all non-ASCII. */
function isIdChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x24 ||
    code >= 0x80
  );
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d || code === 0x0c;
}

/** In states where words cannot change the state, only these characters matter. */
const SPECIAL = /[;'"`[\-/]/g;

export class SqlStatementSplitter {
  /** SQLite's own default limit (SQLITE_MAX_SQL_LENGTH); longer statements could not run anyway. */
  constructor(private readonly maxStatementLength = 1_000_000_000) {}

  /** Text being scanned: the latest chunk, after a few unscanned characters carried over. */
  private buf = '';
  /**
   * Earlier pieces of the current statement when it began in an earlier chunk. Kept as a list so a huge
   * statement (a big blob) costs linear, not quadratic, copying.
   */
  private head: string[] = [];
  private headLength = 0;
  /** Next offset of `buf` to scan. */
  private pos = 0;
  private lex: Lex = Lex.None;
  private state: State = State.Invalid;
  /** Offset in `buf` of the current statement's first token, or -1 before it. */
  private stmtStart = -1;
  private stmtLine = 0;
  private stmtKeyword = '';
  private statements = 0;
  /** Newlines are counted up to `linePos`; `line` is the line number there. */
  private linePos = 0;
  private line = 1;

  /** Adds text; returns the statements it completed, in order. */
  push(text: string): SqlStatement[] {
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    const out: SqlStatement[] = [];
    this.scan(out, false);
    this.compact();
    return out;
  }

  /**
   * Ends the input. Returns the text of an unfinished statement (what sqlite3_complete() would call
   * incomplete), or undefined when the input ended cleanly (only whitespace and comments left).
   */
  finish(): { sql: string; index: number; line: number } | undefined {
    const out: SqlStatement[] = [];
    this.scan(out, true);
    if (out.length > 0) throw new Error('bug: statements completed at end of input');
    if (this.stmtStart < 0) return undefined;
    return { sql: this.statementText(this.buf.length), index: this.statements + 1, line: this.stmtLine };
  }

  private lineAt(offset: number): number {
    if (offset <= this.linePos) return this.line;
    let nl = this.buf.indexOf('\n', this.linePos);
    while (nl !== -1 && nl < offset) {
      this.line++;
      nl = this.buf.indexOf('\n', nl + 1);
    }
    this.linePos = offset;
    return this.line;
  }

  private compact(): void {
    // Move the scanned part of an unfinished statement to `head`; keep only the unscanned tail.
    this.lineAt(this.pos);
    if (this.stmtStart >= 0) {
      const piece = this.buf.slice(this.stmtStart, this.pos);
      if (piece.length > 0) {
        this.head.push(piece);
        this.headLength += piece.length;
      }
      if (this.headLength > this.maxStatementLength) {
        throw new SqlDumpError(
          `Statement ${this.statements + 1} (line ${this.stmtLine}) is longer than ${this.maxStatementLength} characters`,
          { statement: this.statements + 1, line: this.stmtLine },
          { hint: 'The backup is not a dump made by sqlite3 .dump, or it is damaged; pick another backup' },
        );
      }
      this.stmtStart = 0;
    }
    this.buf = this.buf.slice(this.pos);
    this.linePos -= this.pos;
    this.pos = 0;
  }

  /** The current statement's text from its start up to `end` in `buf`. */
  private statementText(end: number): string {
    if (this.head.length === 0) return this.buf.slice(this.stmtStart, end);
    const text = this.head.join('') + this.buf.slice(this.stmtStart, end);
    this.head = [];
    this.headLength = 0;
    return text;
  }

  private scan(out: SqlStatement[], atEnd: boolean): void {
    const buf = this.buf;
    const len = buf.length;
    let i = this.pos;

    // Resume a quote or comment that the previous chunk left open.
    if (this.lex !== Lex.None) {
      const closer = CLOSERS[this.lex];
      const close = buf.indexOf(closer, i);
      if (close === -1) {
        // Keep the last character of a block comment: it may be the `*` of `*/`.
        this.pos = this.lex === Lex.BlockComment ? Math.max(i, len - 1) : len;
        if (atEnd && this.lex === Lex.LineComment) this.lex = Lex.None;
        return;
      }
      i = close + closer.length;
      this.lex = Lex.None;
    }

    while (i < len) {
      const state = this.state;
      if (state === State.Normal || state === State.Trigger) {
        // Words cannot change these states: jump to the next character that can.
        SPECIAL.lastIndex = i;
        const m = SPECIAL.exec(buf);
        if (m === null) {
          i = len;
          break;
        }
        i = m.index;
      }

      const c = buf.charCodeAt(i);
      let token: Token;
      let end: number; // offset just after the token
      if (isSpace(c)) {
        token = Token.Space;
        end = i + 1;
      } else if (c === 0x3b /* ; */) {
        token = Token.Semi;
        end = i + 1;
      } else if (c === 0x27 /* ' */ || c === 0x22 /* " */ || c === 0x60 /* ` */ || c === 0x5b /* [ */) {
        const lex =
          c === 0x27 ? Lex.SingleQuote : c === 0x22 ? Lex.DoubleQuote : c === 0x60 ? Lex.Backtick : Lex.Bracket;
        this.beginToken(i, '');
        const close = buf.indexOf(CLOSERS[lex], i + 1);
        this.state = next(this.state, Token.Other);
        if (close === -1) {
          this.lex = lex;
          i = len;
          break;
        }
        i = close + 1;
        continue;
      } else if (c === 0x2d /* - */ || c === 0x2f /* / */) {
        if (i + 1 >= len && !atEnd) break; // cannot tell `-` from `--` yet
        const d = i + 1 < len ? buf.charCodeAt(i + 1) : -1;
        if (c === 0x2d && d === 0x2d) {
          const close = buf.indexOf('\n', i + 2);
          if (close === -1) {
            this.lex = atEnd ? Lex.None : Lex.LineComment;
            i = len;
            break;
          }
          i = close + 1;
          continue; // whitespace: no state change
        }
        if (c === 0x2f && d === 0x2a /* * */) {
          const close = buf.indexOf('*/', i + 2);
          if (close === -1) {
            // At the end of input the sqlite3 shell ignores an unterminated comment, like whitespace.
            if (atEnd) {
              i = len;
            } else {
              this.lex = Lex.BlockComment;
              i = Math.max(i + 2, len - 1);
            }
            break;
          }
          i = close + 2;
          continue;
        }
        token = Token.Other;
        end = i + 1;
      } else if (isIdChar(c)) {
        end = i + 1;
        while (end < len && isIdChar(buf.charCodeAt(end))) end++;
        if (end === len && !atEnd) break; // the word may go on in the next chunk
        if (state === State.Invalid || state === State.Start) {
          const word = buf.slice(i, end);
          this.beginToken(i, word.toUpperCase());
          token = keywordToken(word);
        } else if (state === State.Explain || state === State.Create || state === State.Semi) {
          token = keywordToken(buf.slice(i, end));
        } else {
          token = Token.Other;
        }
      } else {
        token = Token.Other;
        end = i + 1;
      }

      if (token !== Token.Space) this.beginToken(i, '');
      const after = next(this.state, token);
      this.state = after;
      i = end;
      if (token === Token.Semi && after === State.Start) {
        this.statements++;
        out.push({ sql: this.statementText(end), index: this.statements, line: this.stmtLine, keyword: this.stmtKeyword });
        this.stmtStart = -1;
        this.stmtKeyword = '';
      }
    }
    this.pos = i;
  }

  /** Notes where the current statement begins, at its first token. */
  private beginToken(offset: number, keyword: string): void {
    if (this.stmtStart >= 0) return;
    this.stmtStart = offset;
    this.stmtLine = this.lineAt(offset);
    this.stmtKeyword = keyword;
  }
}
