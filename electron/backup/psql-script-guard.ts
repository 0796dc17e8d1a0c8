import { isAscii } from 'node:buffer';
import crypto from 'node:crypto';
import { FleetError } from '../../shared/errors.js';

// A restore runs an archive's dump.sql through psql, and psql obeys backslash meta-commands
// (`\!` runs a shell, `\o |cmd`, `\copy … program`, `\connect`, `\gexec`, …) wherever its lexer
// sees a backslash outside quotes, comments and dollar quotes. This guard streams the script
// through a lexer that tracks what psql's own lexer (psqlscan.l) tracks, line by line as psql
// reads it, and lets the script through only when psql would run no meta-command from it. The
// one exception is the `\restrict KEY` … `\unrestrict KEY` pair that pg_dump 17.6, 16.10, 15.14
// and later write around their output: accepted, and never passed on. A psql that knows it gets
// our own `\restrict` with a random key instead, ahead of the script: psql then refuses every
// meta-command by itself, whatever its lexer makes of the bytes (the second line of defence).
//
// Where psql's reading depends on something the guard cannot know, the guard accepts only input
// that every possibility reads the same way, and refuses the rest:
//  - standard_conforming_strings (a dump can change it as it runs): a plain '…' literal must end
//    at the same quote whether backslashes escape or not;
//  - the client encoding (a dump can switch it to SJIS, BIG5, GBK, UHC, GB18030 or JOHAB, where
//    psql reads the bytes after a multibyte lead byte as part of that character, even a quote or
//    a backslash): outside COPY data, each line must lex under those encodings as it lexes byte
//    by byte, and dollar-quote tags are ASCII. That refuses UTF-8 text right before a quote
//    ('Quantité'), so it applies only to a psql without restricted mode: one with it refuses any
//    meta-command however it reads the encoding (so does the standard_conforming_strings rule,
//    which refuses a comment pg_dump writes as 'ends with a backslash \');
//  - the psql version (12 to 18): numbers run into words (`1e`, `0x1F`, `1_000`, `$1a`), which
//    versions split differently, are refused; statement boundaries are taken as psql 14 and later
//    take them (a `;` inside CREATE FUNCTION … BEGIN … END does not end the statement), and a COPY
//    that only some versions would start is refused;
//  - psql variables: `:NAME` re-lexes the variable's value as script text, and psql sets
//    upper-case variables itself, some from server text (LAST_ERROR_MESSAGE); a reference to a
//    name with an upper-case letter is refused (`:'NAME'` and `:"NAME"` are quoted, not re-lexed).
//
// COPY … FROM stdin: psql reads the lines after such a statement as raw data up to a line `\.`,
// never lexing them. Only pg_dump's own form, alone on its line at a statement start, is
// accepted (`COPY name (col, …) FROM stdin;`), so the guard and psql agree on where data starts.
// They also agree on where it ends only if the COPY succeeds: psql must run with
// ON_ERROR_STOP=1 (as the restore does), or a failing COPY would leave psql lexing the data
// lines as SQL.
//
// End of input inside a quote, a comment or COPY data is passed: psql just reports the
// incomplete statement (or ends the COPY). Bytes are emitted only once the line they belong to is
// checked, so a refusal never lets a partial line with a meta-command reach psql.

export interface PsqlGuardOptions {
  /** Names the archive in error messages, e.g. "backup.zip". */
  label: string;
  /**
   * The psql client knows `\restrict` (17.6, 16.10, 15.14, 14.19, 13.22 and later): the script
   * goes to it in restricted mode under a key of ours, and what only a change of client encoding
   * could hide is left to psql to refuse.
   */
  psqlRestricts: boolean;
}

/** The longest SQL line (outside COPY data) held while it is checked. */
// pg_dump puts data in COPY blocks (streamed, never held); SQL lines are DDL. Bounded so that a
// small archive cannot make the console hold (and re-read per client encoding) a huge line.
const MAX_SQL_LINE_BYTES = 16 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const VT = 0x0b;
const FF = 0x0c;
const SPACE = 0x20;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const DOLLAR = 0x24;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const LPAREN = 0x28;
const RPAREN = 0x29;
const EQUALS = 0x3d;
const AMPERSAND = 0x26;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const QUESTION = 0x3f;
const COMMA = 0x2c;

// Byte classes, as psqlscan.l defines them.
const IDENT_START = 1; // [A-Za-z\x80-\xff_]
const IDENT_CONT = 2; // [A-Za-z\x80-\xff_0-9$]
const DOLQ_CONT = 4; // [A-Za-z\x80-\xff_0-9]   (also psql's variable_char)
const DIGIT = 8;
const CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const letter = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0x80 || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  CLASS[c] = (letter ? IDENT_START | IDENT_CONT | DOLQ_CONT : 0) | (digit ? IDENT_CONT | DOLQ_CONT | DIGIT : 0) | (c === DOLLAR ? IDENT_CONT : 0);
}

// What a byte starts in INITIAL state.
const T_OTHER = 0;
const T_SPACE = 1; // [ \t\r\f]: LF never reaches the lexer (psql reads by line)
const T_WORD = 2;
const T_DIGIT = 3;
const T_DOT = 4;
const T_MINUS = 5;
const T_SLASH = 6;
const T_QUOTE = 7;
const T_DQUOTE = 8;
const T_DOLLAR = 9;
const T_COLON = 10;
const T_BACKSLASH = 11;
const T_SEMICOLON = 12;
const T_LPAREN = 13;
const T_RPAREN = 14;
const TOKEN_START = new Uint8Array(256);
for (let c = 0; c < 256; c++) TOKEN_START[c] = CLASS[c]! & IDENT_START ? T_WORD : CLASS[c]! & DIGIT ? T_DIGIT : T_OTHER;
for (const [c, t] of [
  [SPACE, T_SPACE],
  [TAB, T_SPACE],
  [CR, T_SPACE],
  [FF, T_SPACE],
  [DOT, T_DOT],
  [MINUS, T_MINUS],
  [SLASH, T_SLASH],
  [QUOTE, T_QUOTE],
  [DQUOTE, T_DQUOTE],
  [DOLLAR, T_DOLLAR],
  [COLON, T_COLON],
  [BACKSLASH, T_BACKSLASH],
  [SEMICOLON, T_SEMICOLON],
  [LPAREN, T_LPAREN],
  [RPAREN, T_RPAREN],
]) {
  TOKEN_START[c!] = t!;
}

// Lexer states (psqlscan.l's xc, xq/xe, xb/xh, xus, xd/xui, xdolq, xqs).
const INITIAL = 0;
const COMMENT = 1; // /* … */, nesting
const PLAIN_STRING = 2; // '…' or N'…': read both with and without backslash escapes
const ESCAPE_STRING = 3; // E'…'
const BIT_STRING = 4; // B'…', X'…'
const UNICODE_STRING = 5; // U&'…'
const QUOTED_IDENT = 6; // "…", U&"…"
const DOLLAR_QUOTE = 7; // $tag$…$tag$
const QUOTE_STOP = 8; // just after a string's closing quote: psql looks for a continuation

const EMPTY_TAG_DELIMITER = Buffer.from('$$');

// What a checked line becomes.
const KEEP = 0;
const DROP = 1; // the \restrict pair, stripped
const COPY_START = 2; // COPY … FROM stdin; the following lines are data

// copyDataLineHead's answers besides a position.
const NEED_MORE = -1;
const ORDINARY_LINE = -2;
// lexInitial's answers besides a position.
const RESTRICT_LINE = -1;
const COPY_LINE = -2;

// Words psql's CREATE FUNCTION … BEGIN … END heuristic looks at, and COPY.
const WORD_CREATE = 1;
const WORD_FUNCTION = 2;
const WORD_PROCEDURE = 3;
const WORD_OR = 4;
const WORD_REPLACE = 5;
const WORD_BEGIN = 6;
const WORD_CASE = 7;
const WORD_END = 8;
const WORD_COPY = 9;
/** The words by length, as bytes. */
const WORDS_BY_LENGTH: { bytes: Buffer; word: number }[][] = [];
for (const [text, word] of [
  ['create', WORD_CREATE],
  ['function', WORD_FUNCTION],
  ['procedure', WORD_PROCEDURE],
  ['or', WORD_OR],
  ['replace', WORD_REPLACE],
  ['begin', WORD_BEGIN],
  ['case', WORD_CASE],
  ['end', WORD_END],
  ['copy', WORD_COPY],
] as const) {
  (WORDS_BY_LENGTH[text.length] ??= []).push({ bytes: Buffer.from(text), word });
}

/** Which of those words the identifier b[s, e) is, ASCII case-insensitively as psql compares; 0 if none. */
function wordAt(b: Buffer, s: number, e: number): number {
  const candidates = WORDS_BY_LENGTH[e - s];
  if (!candidates) return 0;
  for (const { bytes, word } of candidates) {
    // Identifier bytes are letters, digits, _, $ and non-ASCII: OR-ing 0x20 lowercases letters only.
    let k = 0;
    while (k < bytes.length && (b[s + k]! | 0x20) === bytes[k]) k++;
    if (k === bytes.length) return word;
  }
  return 0;
}

/** The lexer's state between lines. */
interface LexState {
  state: number;
  commentDepth: number;
  dollarDelimiter: Buffer | null;
  stringResumes: number;
  quoteStopCarried: boolean;
  parenDepth: number;
  beginDepth: number;
  identifierCount: number;
  identifiers: Uint8Array;
  statementEmpty: boolean;
  afterInnerSemicolon: boolean;
  restrictKey: string | null;
  unrestricted: boolean;
}

function sameLexState(a: LexState, b: LexState): boolean {
  return (
    a.state === b.state &&
    a.commentDepth === b.commentDepth &&
    (a.dollarDelimiter === b.dollarDelimiter || (a.dollarDelimiter !== null && b.dollarDelimiter !== null && a.dollarDelimiter.equals(b.dollarDelimiter))) &&
    a.stringResumes === b.stringResumes &&
    a.quoteStopCarried === b.quoteStopCarried &&
    a.parenDepth === b.parenDepth &&
    a.beginDepth === b.beginDepth &&
    a.identifierCount === b.identifierCount &&
    a.identifiers.every((v, k) => v === b.identifiers[k]) &&
    a.statementEmpty === b.statementEmpty &&
    a.afterInnerSemicolon === b.afterInnerSemicolon &&
    a.restrictKey === b.restrictKey &&
    a.unrestricted === b.unrestricted
  );
}

/**
 * The client encodings psql does not lex byte by byte (those a server cannot use): psql reads
 * a lead byte and the next length - 1 bytes as one character, whatever they are, and lexes the
 * line with those trailing bytes replaced by 0xFF. Lengths as PostgreSQL's pg_wchar tables give
 * them; BIG5, GBK and UHC agree, and so do SJIS and SHIFT_JIS_2004.
 */
const MULTIBYTE_ENCODINGS: { encoding: string; length: (b: Buffer, i: number) => number }[] = [
  { encoding: 'BIG5 (or GBK, UHC)', length: () => 2 },
  { encoding: 'SJIS', length: (b, i) => (b[i]! >= 0xa1 && b[i]! <= 0xdf ? 1 : 2) },
  { encoding: 'GB18030', length: (b, i) => (i + 1 < b.length && b[i + 1]! >= 0x30 && b[i + 1]! <= 0x39 ? 4 : 2) },
  { encoding: 'JOHAB', length: (b, i) => (b[i] === 0x8f ? 3 : 2) },
];

/**
 * The line as psql lexes it under such an encoding, if that differs from the bytes in an ASCII
 * byte (non-ASCII bytes all lex alike); null if not.
 */
function multibyteView(b: Buffer, length: (b: Buffer, i: number) => number): Buffer | null {
  const n = b.length;
  let view: Buffer | null = null;
  for (let i = 0; i < n; ) {
    if (b[i]! < 0x80) {
      i++;
      continue;
    }
    const len = length(b, i);
    for (let k = 1; k < len && i + k < n; k++) {
      if (b[i + k]! < 0x80) {
        view ??= Buffer.from(b);
        view[i + k] = 0xff;
      }
    }
    i += len;
  }
  return view;
}

/** The guard's state across lines and chunks. */
class Guard {
  private readonly label: string;
  /**
   * Refuse what psql could read otherwise than the guard by settings a script can change at run
   * time (client encoding, standard_conforming_strings): needed for a psql without restricted
   * mode; one with it refuses every meta-command by itself, so the guard reads as pg_dump writes.
   */
  private readonly refuseAmbiguous: boolean;
  /** 1-based number of the line being read. */
  private line = 1;
  private inCopyData = false;
  /** In COPY data: at the start of a line (the end marker is only recognised there). */
  private dataLineStart = false;
  /** In COPY data: the first bytes of a line split across chunks, until they tell whether it is `\.`. */
  private dataHead: Buffer | null = null;
  /** In SQL: the start of the current line, from earlier chunks. */
  private carry: Buffer[] = [];
  private carryBytes = 0;

  private state = INITIAL;
  private commentDepth = 0;
  private dollarDelimiter: Buffer | null = null;
  /** In QUOTE_STOP: the string state a continuation resumes. */
  private stringResumes = PLAIN_STRING;
  /** QUOTE_STOP reached at the very end of the previous line. */
  private quoteStopCarried = false;
  private parenDepth = 0;
  private beginDepth = 0;
  private identifierCount = 0;
  private readonly identifiers = new Uint8Array(4);
  /** Nothing but whitespace and comments since the last statement-ending `;` (or the start). */
  private statementEmpty = true;
  /** The last token was a `;` that did not end the statement (inside parentheses or BEGIN … END). */
  private afterInnerSemicolon = false;
  private restrictKey: string | null = null;
  private unrestricted = false;

  constructor(options: PsqlGuardOptions) {
    this.label = options.label;
    this.refuseAmbiguous = !options.psqlRestricts;
  }

  /** Checks a chunk; returns the checked bytes to pass on (possibly from earlier chunks). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let buf = chunk;
    if (this.dataHead) {
      buf = Buffer.concat([this.dataHead, chunk]);
      this.dataHead = null;
    }
    const nul = buf.indexOf(0);
    const limit = nul < 0 ? buf.length : nul;
    let p = 0;
    let emitFrom = 0;
    while (p < limit) {
      if (this.inCopyData) {
        if (this.dataLineStart) {
          const end = this.copyDataLineHead(buf, p, limit);
          if (end === NEED_MORE) {
            if (limit < buf.length) this.refuseNul();
            if (p > emitFrom) out.push(buf.subarray(emitFrom, p));
            this.dataHead = Buffer.from(buf.subarray(p, limit));
            return out;
          }
          if (end !== ORDINARY_LINE) {
            p = end;
            this.line++;
            this.inCopyData = false;
            this.dataLineStart = false;
            continue;
          }
          this.dataLineStart = false;
        }
        const q = buf.indexOf(LF, p);
        if (q < 0 || q >= limit) {
          p = limit;
          break;
        }
        p = q + 1;
        this.line++;
        this.dataLineStart = true;
        continue;
      }
      const q = buf.indexOf(LF, p);
      if (q < 0 || q >= limit) {
        this.holdPartialLine(buf.subarray(p, limit));
        if (p > emitFrom) out.push(buf.subarray(emitFrom, p));
        emitFrom = limit;
        p = limit;
        break;
      }
      let action: number;
      if (this.carry.length > 0) {
        // The line began in an earlier chunk, so p is 0 and nothing of this chunk is out yet.
        const parts = this.carry;
        const length = this.carryBytes + q;
        if (length > MAX_SQL_LINE_BYTES) this.refuseLongLine();
        this.carry = [];
        this.carryBytes = 0;
        action = this.checkLine(Buffer.concat([...parts, buf.subarray(0, q)], length));
        if (action !== DROP) out.push(...parts);
      } else {
        action = this.checkLine(buf.subarray(p, q));
      }
      if (action === DROP) {
        if (p > emitFrom) out.push(buf.subarray(emitFrom, p));
        emitFrom = q + 1;
      }
      p = q + 1;
      this.line++;
      if (action === COPY_START) {
        this.inCopyData = true;
        this.dataLineStart = true;
      }
    }
    if (limit < buf.length) this.refuseNul();
    if (p > emitFrom) out.push(buf.subarray(emitFrom, p));
    return out;
  }

  /** End of input: checks and returns the last line if it had no newline. */
  finish(): Buffer[] {
    if (this.dataHead) {
      // psql ends COPY data at end of input, whatever the last line holds.
      const head = this.dataHead;
      this.dataHead = null;
      return [head];
    }
    if (this.carry.length === 0) return [];
    const parts = this.carry;
    const line = Buffer.concat(parts, this.carryBytes);
    this.carry = [];
    this.carryBytes = 0;
    return this.checkLine(line) === DROP ? [] : parts;
  }

  /** Keeps (a copy of) the unfinished end of a chunk until its line is complete. */
  private holdPartialLine(part: Buffer): void {
    if (part.length === 0) return;
    this.carryBytes += part.length;
    if (this.carryBytes > MAX_SQL_LINE_BYTES) this.refuseLongLine();
    this.carry.push(Buffer.from(part));
  }

  private refuseLongLine(): never {
    return this.refuse(`has an SQL line longer than ${MAX_SQL_LINE_BYTES / 1024 / 1024} MiB, too long to check.`, 'line');
  }

  /**
   * At the start of a COPY data line: where the line ends if it is the end marker (`\.` then
   * LF or CR LF, as psql recognises it), ORDINARY_LINE if it is data, NEED_MORE if the bytes so far
   * cannot tell. A data line that starts with `\.` but is not the marker is refused: pg_dump
   * never writes one, and it is where psql versions could disagree.
   */
  private copyDataLineHead(buf: Buffer, p: number, limit: number): number {
    const available = limit - p;
    if (buf[p] !== BACKSLASH) return ORDINARY_LINE;
    if (available < 2) return NEED_MORE;
    if (buf[p + 1] !== DOT) return ORDINARY_LINE;
    if (available < 3) return NEED_MORE;
    if (buf[p + 2] === LF) return p + 3;
    if (buf[p + 2] === CR) {
      if (available < 4) return NEED_MORE;
      if (buf[p + 3] === LF) return p + 4;
    }
    return this.refuse('has COPY data starting with \\. that is not the end-of-data line, which psql versions could read differently.', '\\.');
  }

  /** Lexes one SQL line (without its LF) as psql would, carrying the state to the next. */
  private checkLine(b: Buffer): number {
    if (this.line === 1 && b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      this.refuse('starts with a byte-order mark, which psql drops or keeps depending on the client encoding.', 'BOM');
    }
    if (!this.refuseAmbiguous || isAscii(b)) return this.lexLine(b);
    const views: { encoding: string; bytes: Buffer }[] = [];
    for (const { encoding, length } of MULTIBYTE_ENCODINGS) {
      const bytes = multibyteView(b, length);
      if (bytes) views.push({ encoding, bytes });
    }
    if (views.length === 0) return this.lexLine(b);
    // psql reads each line in the client encoding of the moment, which the script itself can
    // switch. The line must leave psql where it leaves the guard whatever that encoding is.
    const start = this.snapshot();
    const action = this.lexLine(b);
    const end = this.snapshot();
    for (const { encoding, bytes } of views) {
      this.restore(start);
      let same: boolean;
      try {
        same = this.lexLine(bytes) === action && sameLexState(end, this.snapshot());
      } catch (error) {
        if (!(error instanceof FleetError)) throw error;
        same = false;
      }
      if (!same) {
        this.refuse(`has non-ASCII bytes that psql would read together with the ASCII after them under the client encoding ${encoding} (which a script can switch to), so it cannot be checked safely.`, 'encoding');
      }
    }
    this.restore(end);
    return action;
  }

  /** Lexes one line's bytes from the current state; returns what the line becomes. */
  private lexLine(b: Buffer): number {
    const n = b.length;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case INITIAL: {
          const r = this.lexInitial(b, i);
          if (r === RESTRICT_LINE) return DROP;
          if (r === COPY_LINE) return COPY_START;
          i = r;
          break;
        }
        case QUOTE_STOP:
          i = this.quoteStop(b, i);
          break;
        case COMMENT:
          i = this.lexComment(b, i);
          break;
        case PLAIN_STRING:
          i = this.lexPlainString(b, i);
          break;
        case ESCAPE_STRING:
          i = this.lexEscapeString(b, i);
          break;
        case BIT_STRING: {
          // B'…', X'…': the first quote ends them (a doubled quote reopens a plain literal).
          const q = b.indexOf(QUOTE, i);
          if (q < 0) i = n;
          else {
            this.endString(BIT_STRING);
            i = q + 1;
          }
          break;
        }
        case UNICODE_STRING:
          i = this.lexUnicodeString(b, i);
          break;
        case QUOTED_IDENT:
          i = this.lexQuotedIdent(b, i);
          break;
        case DOLLAR_QUOTE: {
          const delimiter = this.dollarDelimiter!;
          const q = b.indexOf(delimiter, i);
          if (q < 0) i = n;
          else {
            i = q + delimiter.length;
            this.dollarDelimiter = null;
            this.state = INITIAL;
          }
          break;
        }
      }
    }
    // psql lexes each line it reads on its own, carrying the state over. Still in QUOTE_STOP
    // here means a closing quote ended the line (or the line was empty): psql goes on looking
    // for a continuation on the next line.
    if (this.state === QUOTE_STOP) this.quoteStopCarried = true;
    return KEEP;
  }

  private endString(kind: number): void {
    this.state = QUOTE_STOP;
    this.stringResumes = kind;
    this.quoteStopCarried = false;
  }

  /**
   * After a string's closing quote, psql's xqs state: whitespace holding a newline (CR: psql's
   * lines end at LF, which its lexer never sees), `--` comments, then a quote continue the string
   * in its state; anything else returns to INITIAL at the closing quote.
   */
  private quoteStop(b: Buffer, i: number): number {
    const n = b.length;
    if (i >= n) return n;
    let j = i;
    let newline = false;
    let verticalTab = false;
    while (j < n) {
      const c = b[j]!;
      if (c === SPACE || c === TAB || c === FF) j++;
      else if (c === VT) {
        verticalTab = true; // whitespace from psql 16 on, a token before
        j++;
      } else if (c === CR) {
        newline = true;
        j++;
      } else if (c === MINUS && j + 1 < n && b[j + 1] === MINUS) {
        j += 2;
        while (j < n && b[j] !== CR) j++;
        if (j >= n) break;
      } else if (c === QUOTE && newline) {
        if (verticalTab) this.refuse('has a string continued across a vertical tab, which psql versions read differently.', 'string');
        if (this.quoteStopCarried) this.refuse('has a string continued from the line before, which psql versions read differently.', 'string');
        this.quoteStopCarried = false;
        // An E'…' string continues as one; the others continue read both ways, the strictest.
        this.state = this.stringResumes === ESCAPE_STRING ? ESCAPE_STRING : PLAIN_STRING;
        return j + 1;
      } else break;
    }
    // No continuation: back to INITIAL at the closing quote.
    this.quoteStopCarried = false;
    this.state = INITIAL;
    return i;
  }

  private lexComment(b: Buffer, i: number): number {
    const n = b.length;
    while (i < n) {
      const c = b[i]!;
      if (c === STAR && i + 1 < n && b[i + 1] === SLASH) {
        i += 2;
        if (this.commentDepth === 0) {
          this.state = INITIAL;
          return i;
        }
        this.commentDepth--;
      } else if (c === SLASH && i + 1 < n && b[i + 1] === STAR) {
        this.commentDepth++;
        i += 2;
      } else i++;
    }
    return n;
  }

  /**
   * A '…' literal read both ways: backslashes literal (standard_conforming_strings on) and
   * escaping (off). The readings agree until a backslash comes right before a quote.
   */
  private lexPlainString(b: Buffer, i: number): number {
    const n = b.length;
    while (i < n) {
      const c = b[i]!;
      if (c === BACKSLASH && this.refuseAmbiguous) {
        if (i + 1 < n && b[i + 1] === QUOTE) {
          this.refuse('has a string literal whose end depends on standard_conforming_strings, so psql could read what follows it as commands.', "\\'");
        }
        i += 2;
      } else if (c === QUOTE) {
        if (i + 1 < n && b[i + 1] === QUOTE) i += 2;
        else {
          this.endString(PLAIN_STRING);
          return i + 1;
        }
      } else i++;
    }
    return n;
  }

  private lexEscapeString(b: Buffer, i: number): number {
    const n = b.length;
    while (i < n) {
      const c = b[i]!;
      if (c === BACKSLASH) i += 2; // a backslash ending the line escapes nothing on the next
      else if (c === QUOTE) {
        if (i + 1 < n && b[i + 1] === QUOTE) i += 2;
        else {
          this.endString(ESCAPE_STRING);
          return i + 1;
        }
      } else i++;
    }
    return n;
  }

  private lexUnicodeString(b: Buffer, i: number): number {
    const n = b.length;
    while (i < n) {
      const q = b.indexOf(QUOTE, i);
      if (q < 0) return n;
      if (q + 1 < n && b[q + 1] === QUOTE) i = q + 2;
      else {
        this.endString(UNICODE_STRING);
        return q + 1;
      }
    }
    return n;
  }

  private lexQuotedIdent(b: Buffer, i: number): number {
    const n = b.length;
    while (i < n) {
      const q = b.indexOf(DQUOTE, i);
      if (q < 0) return n;
      if (q + 1 < n && b[q + 1] === DQUOTE) i = q + 2;
      else {
        this.state = INITIAL;
        return q + 1;
      }
    }
    return n;
  }

  /** A token other than whitespace or a comment. */
  private significant(): void {
    this.statementEmpty = false;
    this.afterInnerSemicolon = false;
  }

  /**
   * INITIAL state from i: returns where a quote, comment or dollar quote starts (the state set),
   * the end of the line, or RESTRICT_LINE / COPY_LINE when the whole line is settled.
   */
  private lexInitial(b: Buffer, i: number): number {
    const n = b.length;
    while (i < n) {
      const c = b[i]!;
      switch (TOKEN_START[c]) {
        case T_SPACE:
          i++;
          continue;
        case T_WORD: {
          const r = this.word(b, i);
          if (r === COPY_LINE || this.state !== INITIAL) return r;
          i = r;
          continue;
        }
        case T_DIGIT:
          this.significant();
          i = this.number(b, i);
          continue;
        case T_DOT:
          this.significant();
          if (i + 1 < n && CLASS[b[i + 1]!]! & DIGIT) i = this.number(b, i);
          else i++;
          continue;
        case T_MINUS:
          if (i + 1 < n && b[i + 1] === MINUS) {
            // `--` comment: to the end of the line or a CR, which psql takes as a newline too.
            i += 2;
            while (i < n && b[i] !== CR) i++;
            continue;
          }
          this.significant();
          i++;
          continue;
        case T_SLASH:
          if (i + 1 < n && b[i + 1] === STAR) {
            this.state = COMMENT;
            this.commentDepth = 0;
            return i + 2;
          }
          this.significant();
          i++;
          continue;
        case T_QUOTE:
          this.significant();
          this.state = PLAIN_STRING;
          return i + 1;
        case T_DQUOTE:
          this.significant();
          this.state = QUOTED_IDENT;
          return i + 1;
        case T_DOLLAR: {
          this.significant();
          const r = this.dollar(b, i);
          if (this.state === DOLLAR_QUOTE) return r;
          i = r;
          continue;
        }
        case T_COLON:
          this.significant();
          i = this.colon(b, i);
          continue;
        case T_BACKSLASH:
          if (i === 0 && this.statementEmpty && this.restrictLine(b)) return RESTRICT_LINE;
          return this.refuseMetaCommand(b, i);
        case T_SEMICOLON:
          this.semicolon();
          i++;
          continue;
        case T_LPAREN:
          this.significant();
          this.parenDepth++;
          i++;
          continue;
        case T_RPAREN:
          this.significant();
          if (this.parenDepth > 0) this.parenDepth--;
          i++;
          continue;
        default:
          // Operators, punctuation, other bytes; a vertical tab too (a token before psql 16).
          this.significant();
          i++;
      }
    }
    return n;
  }

  /**
   * A word at b[i]: a string prefix (E'…', B'…', X'…', N'…', U&'…', U&"…") switches the state and
   * returns past the quote; otherwise the identifier is taken whole. COPY_LINE for pg_dump's COPY.
   */
  private word(b: Buffer, i: number): number {
    const n = b.length;
    const next = i + 1 < n ? b[i + 1] : -1;
    const lower = b[i]! | 0x20;
    if (next === QUOTE) {
      if (lower === 0x65 /* e */) return this.startString(ESCAPE_STRING, i + 2);
      if (lower === 0x62 /* b */ || lower === 0x78 /* x */) return this.startString(BIT_STRING, i + 2);
      if (lower === 0x6e /* n */) {
        // N'…': psql takes the N alone, then a plain literal.
        this.significant();
        return i + 1;
      }
    }
    if (lower === 0x75 /* u */ && next === AMPERSAND) {
      const after = i + 2 < n ? b[i + 2] : -1;
      if (after === QUOTE) return this.startString(UNICODE_STRING, i + 3);
      if (after === DQUOTE) return this.startString(QUOTED_IDENT, i + 3);
      this.significant();
      return i + 1; // U& without a quote: psql takes the U alone, not as an identifier
    }
    let j = i + 1;
    while (j < n && CLASS[b[j]!]! & IDENT_CONT) j++;
    return this.identifier(b, i, j) ? COPY_LINE : j;
  }

  private startString(state: number, next: number): number {
    this.significant();
    this.state = state;
    return next;
  }

  /** psql ends a statement at a `;` outside parentheses and outside CREATE FUNCTION … BEGIN … END. */
  private semicolon(): void {
    if (this.parenDepth === 0 && this.beginDepth === 0) {
      this.identifierCount = 0;
      this.statementEmpty = true;
      this.afterInnerSemicolon = false;
    } else {
      this.statementEmpty = false;
      this.afterInnerSemicolon = true;
    }
  }

  /**
   * An identifier b[s, e): psql's CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN … END
   * tracking, and COPY. Returns true when the line is a pg_dump COPY … FROM stdin.
   */
  private identifier(b: Buffer, s: number, e: number): boolean {
    const word = wordAt(b, s, e);
    if (word === WORD_COPY && this.parenDepth === 0) {
      if (this.statementEmpty) {
        if (s === 0 && isDumpCopyLine(b)) {
          this.identifierCount = 0;
          this.statementEmpty = true;
          this.afterInnerSemicolon = false;
          return true;
        }
        this.refuseCopy();
      }
      // A COPY right after a `;` that psql 14+ does not end the statement at (BEGIN … END) is a
      // statement start for psql 12 and 13, and for the server.
      if (this.beginDepth > 0 || this.afterInnerSemicolon) this.refuseCopy();
    }
    this.significant();
    const ids = this.identifiers;
    if (this.identifierCount === 0) ids.fill(0);
    if (word >= WORD_CREATE && word <= WORD_REPLACE && this.identifierCount < ids.length) {
      ids[this.identifierCount] = b[s]! | 0x20;
    }
    this.identifierCount++;
    const c = 0x63;
    const f = 0x66;
    const p = 0x70;
    const o = 0x6f;
    const r = 0x72;
    if (ids[0] === c && (ids[1] === f || ids[1] === p || (ids[1] === o && ids[2] === r && (ids[3] === f || ids[3] === p))) && this.parenDepth === 0) {
      if (word === WORD_BEGIN) this.beginDepth++;
      else if (word === WORD_CASE) {
        if (this.beginDepth >= 1) this.beginDepth++;
      } else if (word === WORD_END) {
        if (this.beginDepth > 0) this.beginDepth--;
      }
    }
    return false;
  }

  /** A number from i (a digit, or a dot before one): returns its end. */
  private number(b: Buffer, i: number): number {
    const n = b.length;
    let j = i;
    if (b[j] === DOT) j++;
    else {
      while (j < n && CLASS[b[j]!]! & DIGIT) j++;
      if (j < n && b[j] === DOT && !(j + 1 < n && b[j + 1] === DOT)) j++;
    }
    while (j < n && CLASS[b[j]!]! & DIGIT) j++;
    if (j < n && (b[j]! | 0x20) === 0x65 /* e */) {
      let k = j + 1;
      if (k < n && (b[k] === PLUS || b[k] === MINUS)) k++;
      if (k < n && CLASS[b[k]!]! & DIGIT) {
        j = k;
        while (j < n && CLASS[b[j]!]! & DIGIT) j++;
      } else this.refuseJunk(b, i, k);
    }
    if (j < n && CLASS[b[j]!]! & IDENT_START) this.refuseJunk(b, i, j + 1);
    return j;
  }

  /** A `$` in INITIAL: a dollar quote's opening delimiter, a parameter, or a lone `$`. */
  private dollar(b: Buffer, i: number): number {
    const n = b.length;
    const next = i + 1 < n ? b[i + 1]! : -1;
    if (next === DOLLAR) {
      this.dollarDelimiter = EMPTY_TAG_DELIMITER;
      this.state = DOLLAR_QUOTE;
      return i + 2;
    }
    if (next >= 0 && CLASS[next]! & IDENT_START) {
      let j = i + 1;
      while (j < n && CLASS[b[j]!]! & DOLQ_CONT) j++;
      if (j < n && b[j] === DOLLAR) {
        for (let k = i + 1; k < j; k++) {
          if (b[k]! >= 0x80) this.refuse('has a dollar quote with a non-ASCII tag, which a multibyte client encoding could read differently.', '$…$');
        }
        this.dollarDelimiter = Buffer.from(b.subarray(i, j + 1));
        this.state = DOLLAR_QUOTE;
        return j + 1;
      }
      return i + 1; // `$` then an identifier
    }
    if (next >= 0 && CLASS[next]! & DIGIT) {
      let j = i + 1;
      while (j < n && CLASS[b[j]!]! & DIGIT) j++;
      if (j < n && CLASS[b[j]!]! & IDENT_START) this.refuseJunk(b, i, j + 1);
      return j;
    }
    return i + 1;
  }

  /** A `:` in INITIAL: `::`, `:=`, or a psql variable reference. */
  private colon(b: Buffer, i: number): number {
    const n = b.length;
    const next = i + 1 < n ? b[i + 1]! : -1;
    if (next === COLON || next === EQUALS) return i + 2;
    if (next === QUOTE || next === DQUOTE) {
      // :'name' and :"name": the value is quoted into the query, never lexed.
      let j = i + 2;
      while (j < n && CLASS[b[j]!]! & DOLQ_CONT) j++;
      return j > i + 2 && j < n && b[j] === next ? j + 1 : i + 1;
    }
    if (next === LBRACE && i + 2 < n && b[i + 2] === QUESTION) {
      let j = i + 3;
      while (j < n && CLASS[b[j]!]! & DOLQ_CONT) j++;
      return j > i + 3 && j < n && b[j] === RBRACE ? j + 1 : i + 1;
    }
    if (next >= 0 && CLASS[next]! & DOLQ_CONT) {
      let j = i + 1;
      let upper = false;
      while (j < n && CLASS[b[j]!]! & DOLQ_CONT) {
        const v = b[j]!;
        if (v >= 0x41 && v <= 0x5a) upper = true;
        j++;
      }
      if (upper) {
        const name = printable(b.toString('latin1', i, Math.min(j, i + 64)));
        this.refuse(`has a psql variable reference (${name}), which psql would expand into script text.`, name);
      }
      return j;
    }
    return i + 1;
  }

  /** A line `\restrict KEY` or `\unrestrict KEY` at a statement start; false for anything else. */
  private restrictLine(b: Buffer): boolean {
    let n = b.length;
    if (n > 0 && b[n - 1] === CR) n--;
    const text = b.toString('latin1', 0, n);
    const m = /^\\(restrict|unrestrict) ([A-Za-z0-9]+)$/.exec(text);
    if (!m) return false;
    const key = m[2]!;
    if (m[1] === 'restrict') {
      if (this.restrictKey !== null) this.refuse('has a second \\restrict, which pg_dump never writes.', '\\restrict');
      this.restrictKey = key;
    } else {
      if (this.restrictKey === null) this.refuse('has \\unrestrict without a \\restrict before it.', '\\unrestrict');
      if (this.unrestricted) this.refuse('has a second \\unrestrict, which pg_dump never writes.', '\\unrestrict');
      if (key !== this.restrictKey) this.refuse('has \\unrestrict with a key other than its \\restrict’s.', '\\unrestrict');
      this.unrestricted = true;
    }
    return true;
  }

  /** Refuses a backslash that psql would start a meta-command at, naming the command. */
  private refuseMetaCommand(b: Buffer, i: number): never {
    const n = b.length;
    let j = i + 1;
    if (j < n && CLASS[b[j]!]! & DOLQ_CONT) {
      while (j < n && j - i < 32 && CLASS[b[j]!]! & DOLQ_CONT) j++;
    } else if (j < n) j++;
    const command = printable(b.toString('latin1', i, j));
    return this.refuse(`has a psql meta-command (${command}), which a restore never runs.`, command);
  }

  private refuseCopy(): never {
    return this.refuse('has a COPY statement not in pg_dump’s form (COPY name (columns) FROM stdin; alone on its line), so psql could read the lines after it differently.', 'COPY');
  }

  private refuseJunk(b: Buffer, s: number, e: number): never {
    const text = printable(b.toString('latin1', s, Math.min(e, s + 32)));
    return this.refuse(`has a number run into a word (${text}), which psql versions split differently.`, text);
  }

  private refuseNul(): never {
    return this.refuse('has a NUL byte, which psql would cut the line at.', 'NUL');
  }

  private snapshot(): LexState {
    return {
      state: this.state,
      commentDepth: this.commentDepth,
      dollarDelimiter: this.dollarDelimiter,
      stringResumes: this.stringResumes,
      quoteStopCarried: this.quoteStopCarried,
      parenDepth: this.parenDepth,
      beginDepth: this.beginDepth,
      identifierCount: this.identifierCount,
      identifiers: this.identifiers.slice(),
      statementEmpty: this.statementEmpty,
      afterInnerSemicolon: this.afterInnerSemicolon,
      restrictKey: this.restrictKey,
      unrestricted: this.unrestricted,
    };
  }

  private restore(s: LexState): void {
    this.state = s.state;
    this.commentDepth = s.commentDepth;
    this.dollarDelimiter = s.dollarDelimiter;
    this.stringResumes = s.stringResumes;
    this.quoteStopCarried = s.quoteStopCarried;
    this.parenDepth = s.parenDepth;
    this.beginDepth = s.beginDepth;
    this.identifierCount = s.identifierCount;
    this.identifiers.set(s.identifiers);
    this.statementEmpty = s.statementEmpty;
    this.afterInnerSemicolon = s.afterInnerSemicolon;
    this.restrictKey = s.restrictKey;
    this.unrestricted = s.unrestricted;
  }

  private refuse(what: string, command: string): never {
    throw new FleetError('ARCHIVE_INVALID', `${this.label}: dump.sql line ${this.line} ${what}`, { line: this.line, command });
  }
}

/** Control bytes and non-ASCII shown escaped in messages. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * pg_dump's COPY line: `COPY name [(col, col…)] FROM stdin;` then only spaces, tabs, form feeds
 * or CRs; name is an identifier, optionally schema-qualified, each part plain or double-quoted.
 */
function isDumpCopyLine(b: Buffer): boolean {
  const n = b.length;
  let i = 0;
  const word = (w: string): boolean => {
    if (i + w.length > n) return false;
    for (let k = 0; k < w.length; k++) if ((b[i + k]! | 0x20) !== w.charCodeAt(k)) return false;
    i += w.length;
    return true;
  };
  const byte = (c: number): boolean => {
    if (b[i] !== c) return false;
    i++;
    return true;
  };
  const ident = (): boolean => {
    if (b[i] === DQUOTE) {
      const start = ++i;
      for (;;) {
        if (i >= n) return false;
        if (b[i] === DQUOTE) {
          if (b[i + 1] === DQUOTE) i += 2;
          else break;
        } else i++;
      }
      if (i === start) return false;
      i++;
      return true;
    }
    if (i >= n || !(CLASS[b[i]!]! & IDENT_START)) return false;
    i++;
    while (i < n && CLASS[b[i]!]! & IDENT_CONT) i++;
    return true;
  };
  if (!word('copy') || !byte(SPACE) || !ident()) return false;
  if (b[i] === DOT) {
    i++;
    if (!ident()) return false;
  }
  if (!byte(SPACE)) return false;
  if (b[i] === LPAREN) {
    i++;
    if (!ident()) return false;
    while (b[i] === COMMA) {
      i++;
      if (!byte(SPACE) || !ident()) return false;
    }
    if (!byte(RPAREN) || !byte(SPACE)) return false;
  }
  if (!word('from') || !byte(SPACE) || !word('stdin') || !byte(SEMICOLON)) return false;
  while (i < n && (b[i] === SPACE || b[i] === TAB || b[i] === FF || b[i] === CR)) i++;
  return i === n;
}

/**
 * The script's bytes, without its \restrict pair (and behind our own when psql knows it); throws
 * FleetError('ARCHIVE_INVALID', …) naming the line number and the command when it finds anything
 * else psql would run as a meta-command, or input it cannot lex safely.
 */
export async function* guardPsqlScript(source: AsyncIterable<Buffer | Uint8Array | string>, options: PsqlGuardOptions): AsyncGenerator<Buffer> {
  const guard = new Guard(options);
  if (options.psqlRestricts) yield Buffer.from(`\\restrict ${crypto.randomBytes(32).toString('hex')}\n`);
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buf.length === 0) continue;
    for (const checked of guard.push(buf)) yield checked;
  }
  for (const checked of guard.finish()) yield checked;
}
