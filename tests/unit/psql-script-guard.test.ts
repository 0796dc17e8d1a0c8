import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardPsqlScript } from '../../electron/backup/psql-script-guard.js';
import { FleetError } from '../../shared/errors.js';

// The guard lets a dump through only when psql would run no meta-command from it. The examples
// pin its rules; the property test checks it against the real psql: whenever psql ran a
// meta-command planted in a random script, the guard must have refused that script.

type Outcome = { ok: true; out: Buffer } | { ok: false; message: string; details: unknown };

const bytes = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);

async function guard(chunks: (string | Buffer)[], psqlRestricts = false): Promise<Outcome> {
  async function* source() {
    for (const c of chunks) yield bytes(c);
  }
  const parts: Buffer[] = [];
  try {
    for await (const b of guardPsqlScript(source(), { label: 'backup.zip', psqlRestricts })) parts.push(b);
    return { ok: true, out: Buffer.concat(parts) };
  } catch (error) {
    if (!(error instanceof FleetError) || error.code !== 'ARCHIVE_INVALID') throw error;
    return { ok: false, message: error.message, details: error.details };
  }
}

async function accepted(script: string, psqlRestricts = false): Promise<string> {
  const r = await guard([script], psqlRestricts);
  if (!r.ok) throw new Error(`refused: ${r.message}`);
  return r.out.toString('latin1');
}

/** An outcome to compare: our own \restrict line carries a new random key each time. */
function norm(r: Outcome) {
  return r.ok ? { ok: true, out: r.out.toString('latin1').replace(/^\\restrict [0-9a-f]{64}\n/, '') } : { ok: false, message: r.message };
}

async function refusal(script: string): Promise<{ message: string; details: unknown }> {
  const r = await guard([script]);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(script)}`);
  return r;
}

const KEY = 'Zx9aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4yZ5aB6cD7eF8gH9iJ0kL1mN2o';
const pgDumpLike = [
  '--',
  '-- PostgreSQL database dump',
  '--',
  '',
  `\\restrict ${KEY}`,
  '',
  "SET statement_timeout = 0;",
  "SET client_encoding = 'UTF8';",
  'SET standard_conforming_strings = on;',
  "SELECT pg_catalog.set_config('search_path', '', false);",
  '',
  'CREATE FUNCTION public.f(x text) RETURNS text',
  '    LANGUAGE plpgsql',
  '    AS $_$',
  'BEGIN',
  "  RETURN x || E'\\\\' || '\\' || $$ \\! not a command $$; -- \\! nor this",
  'END;',
  '$_$;',
  '',
  'CREATE TABLE public.res_partner (',
  '    id integer NOT NULL,',
  '    name character varying,',
  '    "Weird ""col""" text DEFAULT \'a\\b\'::text,',
  '    data bytea DEFAULT \'\\x0102\'::bytea',
  ');',
  "COMMENT ON TABLE public.res_partner IS 'Partner /* not a comment */ -- \"quoted\"';",
  '/* a /* nested */ comment \\! id */',
  '',
  'COPY public.res_partner (id, name, "Weird ""col""", data) FROM stdin;',
  '1\tAlice\t\\N\t\\\\x41',
  '2\tBob \\\\ O\'Brien\t"\\t"\t\\N',
  '\\! id',
  '\\echo inside COPY data is data',
  '\\.',
  '',
  'SELECT foo$bar$, a$$b FROM x WHERE y = $1;',
  'SELECT 1e5, .5, 1.5, 1..2, x::text, :foo, :\'VAR\', :"VAR", U&\'d\\0061t\', B\'01\', X\'ff\', N\'n\';',
  '',
  `\\unrestrict ${KEY}`,
  '',
].join('\n');

describe('guardPsqlScript: examples', () => {
  it("passes a pg_dump-like script through byte for byte but its \\restrict pair, behind a key of ours for a psql that knows it", async () => {
    const stripped = await accepted(pgDumpLike);
    expect(stripped).toBe(pgDumpLike.replace(`\\restrict ${KEY}\n`, '').replace(`\\unrestrict ${KEY}\n`, ''));
    expect(stripped).not.toContain('restrict');
    const restricted = await accepted(pgDumpLike, true);
    const [first, ...rest] = restricted.split('\n');
    expect(first).toMatch(/^\\restrict [0-9a-f]{64}$/);
    expect(first).not.toContain(KEY);
    expect(rest.join('\n')).toBe(stripped);
    // CRLF lines: the end-of-data line \.\r\n ends COPY data.
    const crlf = pgDumpLike.replaceAll('\n', '\r\n');
    expect(await accepted(crlf)).toBe(crlf.replace(`\\restrict ${KEY}\r\n`, '').replace(`\\unrestrict ${KEY}\r\n`, ''));
  });

  it('refuses meta-commands outside quotes, naming the line and the command', async () => {
    const cases: [string, number, string][] = [
      ['\\! id\n', 1, '\\!'],
      ['SELECT 1;\nSELECT 1; \\! id\n', 2, '\\!'],
      ['SELECT 1 \\g\n', 1, '\\g'],
      ['\\connect other\n', 1, '\\connect'],
      ["\\copy x to program 'id'\n", 1, '\\copy'],
      ['\\o |id\n', 1, '\\o'],
      ["SELECT 'a' \\! id\n", 1, '\\!'],
      ['SELECT $$ a $$ \\! id\n', 1, '\\!'],
      ['SELECT $t$ $$ $t$ \\! id\n', 1, '\\!'],
      ['/* /* */ */ \\! id\n', 1, '\\!'],
      ['SELECT "a\\" \\! id\n', 1, '\\!'],
      ['SELECT 1; -- comment\r\\! id\n', 1, '\\!'], // psql ends -- comments at CR too
      ['SELECT 1\\; SELECT 2;\n', 1, '\\;'],
      ['SELECT\n1\n\\set x 1\n', 3, '\\set'],
    ];
    for (const [script, line, command] of cases) {
      const r = await refusal(script);
      expect(r.details, script).toEqual({ line, command });
      expect(r.message).toBe(`backup.zip: dump.sql line ${line} has a psql meta-command (${command}), which a restore never runs.`);
    }
  });

  it('refuses COPY other than pg_dump’s form alone on its line', async () => {
    for (const script of [
      'COPY t FROM stdin WITH (FORMAT csv);\nx\n\\.\n',
      'COPY (SELECT 1) TO stdout;\n',
      'COPY t TO stdout;\n',
      "COPY t FROM '/etc/passwd';\n",
      'COPY t\nFROM stdin;\n',
      'COPY t FROM stdin; \\! id\n',
      'COPY t FROM stdin; SELECT 1;\n',
      'SELECT 1; COPY t FROM stdin;\n',
      '  COPY t FROM stdin;\n',
      'COPY t(a) FROM stdin;\n',
      'COPY t (a,b) FROM stdin;\n',
      'COPY "" FROM stdin;\n',
      // psql 14+ keeps this ; inside the CREATE FUNCTION … BEGIN it saw; psql 12/13 and the server do not.
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = begin RETURN 1;\nCOPY t FROM stdin;\n\\! id\n\\.\nend;\n',
    ]) {
      const r = await refusal(script);
      expect((r.details as { command: string }).command, script).toBe('COPY');
    }
    // A COPY in BEGIN ATOMIC … END that psql closed is fine, as is a column named copy, or COPY
    // inside a statement begun before it (the server gets one statement, and fails it).
    await accepted('SELECT 1\nCOPY t FROM stdin;\nSELECT 2;\n');
    await accepted('CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nCOPY t FROM stdin;\n\\.\n');
    await accepted('CREATE TABLE t (copy integer);\nCOMMENT ON COLUMN t.copy IS \'x\';\ncopy "s"."t" ("copy", x$) from STDIN;\r\n\\.\r\n');
    // The line after COPY data is SQL again; a data line starting \. must be the end marker.
    expect((await refusal('COPY t FROM stdin;\na\n\\.\n\\! id\n')).details).toEqual({ line: 4, command: '\\!' });
    expect((await refusal('COPY t FROM stdin;\n\\.x\n')).details).toEqual({ line: 2, command: '\\.' });
    // End of input in COPY data, or in a quote, is psql's to report.
    await accepted('COPY t FROM stdin;\na\n\\');
    await accepted("SELECT 'unterminated\n\\! id\n");
  });

  it('refuses literals whose end depends on standard_conforming_strings', async () => {
    for (const script of ["SELECT 'a\\'; \\! id --';\n", "SELECT 'a\\''; \\! id --';\n", "SELECT N'a\\' \\! x';\n", "SELECT 'x'\r'a\\' \\! x';\n"]) {
      const r = await refusal(script);
      expect(r.message, script).toContain('standard_conforming_strings');
    }
    // E'…' escapes are known, and so are '…' literals whose backslashes precede no quote.
    await accepted("SELECT E'a\\'; \\! not a command --';\nSELECT E'\\\\', 'a\\\\b', '\\x41', 'it''s';\n");
  });

  it('refuses the \\restrict pair out of order, repeated, or with another key', async () => {
    const cases: [string, string][] = [
      ['\\restrict abc\nSELECT 1;\n\\unrestrict abd\n', 'key other'],
      ['\\restrict abc\n\\restrict abc\n', 'second \\restrict'],
      ['\\unrestrict abc\n', 'without a \\restrict'],
      ['\\restrict abc\n\\unrestrict abc\n\\unrestrict abc\n', 'second \\unrestrict'],
    ];
    for (const [script, text] of cases) expect((await refusal(script)).message, script).toContain(text);
    // Not alone on its line, or mid-statement: a meta-command like any other.
    expect((await refusal('\\restrict abc x\n')).details).toEqual({ line: 1, command: '\\restrict' });
    expect((await refusal('SELECT\n\\restrict abc\n')).details).toEqual({ line: 2, command: '\\restrict' });
    expect((await refusal(' \\restrict abc\n')).details).toEqual({ line: 1, command: '\\restrict' });
  });

  it('refuses what psql could read differently by encoding, version or variable', async () => {
    const cases: [string, string][] = [
      [':LAST_ERROR_MESSAGE\n', ':LAST_ERROR_MESSAGE'], // psql re-lexes a variable's value
      ['SELECT \xe3\x81\x82\' \\echo x\n', 'encoding'], // SJIS swallows the quote after あ
      ['SELECT \xc3\x83\'x\';\n', 'encoding'], // Ã then a quote, under SJIS
      ["SELECT 'd\xc3\xa9j\xc3\xa0';\n", 'encoding'], // 'déjà': SJIS reads à and the quote as one character
      ["SELECT '\xe5\x95\x86';\n", 'encoding'], // '商': so does BIG5
      ['SELECT $\xc3\xa9$ x $\xc3\xa9$;\n', '$…$'],
      ['SELECT 1e;\n', '1e'],
      ['SELECT 0x1F;\n', '0x'],
      ['SELECT 1_000;\n', '1_'],
      ['SELECT $1a;\n', '$1a'],
      ['SELECT 1E\'\\\' \\! x\';\n', '1E'],
      ['\xef\xbb\xbfSELECT 1;\n', 'BOM'],
      ['SELECT 1;\x00\n', 'NUL'],
      ["SELECT 'a'\n\r'b';\n", 'string'], // a continuation only psql 13 and later look for across lines
      ["SELECT 'a'\x0b\r'b';\n", 'string'], // \v is whitespace only from psql 16 on
    ];
    for (const [script, command] of cases) expect((await refusal(script)).details, JSON.stringify(script)).toMatchObject({ command });
    // UTF-8 that no multibyte encoding reads into the ASCII around it is fine, and so is
    // UTF-8 that one reads together with ASCII that does not change the line's lexing.
    await accepted("COMMENT ON TABLE t IS 'Soci\xc3\xa9t\xc3\xa9';\nSELECT 'caf\xc3\xa9', '\xe5\x95\x86\xe5\x93\x81', 'Gr\xc3\xb6\xc3\x9fe', '\xc3\xa0 la carte', \xc3\xa0b;\n");
    // A psql in restricted mode refuses meta-commands however it reads the encoding: a field
    // labelled 'Quantité' then loads; the other rules stay.
    await accepted("COMMENT ON COLUMN t.q IS 'Quantit\xc3\xa9';\nSELECT 'd\xc3\xa9j\xc3\xa0';\n", true);
    // So does a comment pg_dump writes ending in a backslash (standard_conforming_strings on).
    await accepted("COMMENT ON TABLE t IS 'ends with a backslash \\';\nCREATE VIEW v AS SELECT replace(x, '\\', '/') FROM t;\n", true);
    expect((await refusal("COMMENT ON TABLE t IS 'ends with a backslash \\';\n")).details).toMatchObject({ command: "\\'" });
    // An SQL line (not COPY data) is held while it is checked: a huge one is refused, not held.
    const huge = Buffer.from(`SELECT '${'x'.repeat(17 * 2 ** 20)}';\n`);
    const chunks = Array.from({ length: Math.ceil(huge.length / 65536) }, (_, k) => huge.subarray(k * 65536, (k + 1) * 65536));
    expect((await guard(chunks, true)) as { details?: unknown }).toMatchObject({ ok: false, details: { command: 'line' } });
    expect((await guard(["SELECT 'a\\' \\! id --';\n"], true)).ok).toBe(false);
  });

  it('accepts backslashes inside every kind of quote, comment and dollar quote', async () => {
    const script = [
      "SELECT 'a\\b', E'x\\'y', E'\\\\', \"c\\d\", $$ \\! $$, $tag$ $$ \\! $tag$, $a$b$ \\! $a$;",
      'SELECT 1; -- \\! id',
      '/* \\! /* \\! */ \\! */ SELECT 2;',
      'SELECT foo$bar$ FROM x$y; SELECT $1, $2$x$ \\! $x$;',
      "SELECT U&'\\0041', U&\"\\0041\", B'\\', X'\\';",
      '',
    ].join('\n');
    expect(await accepted(script)).toBe(script);
  });

  it('does not depend on where the input is cut into chunks', async () => {
    const scripts = [
      pgDumpLike.slice(0, 1400),
      `\\restrict ${KEY}\nSELECT 'a''b\\c', E'\\'', $x$ $ $x$;\nCOPY t FROM stdin;\n\\.x`,
      'COPY t FROM stdin;\r\na\r\n\\.\r\nSELECT 1;\n\\.\n',
      "SELECT 'a'\r'b' \\! id\n",
      `\\restrict ${KEY}\nSELECT 1;\n\\unrestrict ${KEY}`,
    ];
    for (const script of scripts) {
      for (const keep of [true, false]) {
        const whole = await guard([script], keep);
        const expected = norm(whole);
        expect(norm(await guard(script.split(''), keep))).toEqual(expected);
        for (let at = 0; at <= script.length; at++) {
          expect(norm(await guard([script.slice(0, at), script.slice(at)], keep)), `cut at ${at}`).toEqual(expected);
        }
      }
    }
    // And the random scripts of the psql oracle below, cut anywhere.
    await fc.assert(
      fc.asyncProperty(scriptArb, fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), async (script, cuts, keep) => {
        const at = [...new Set(cuts.map((c) => c % (script.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((from, k) => script.slice(from, [...at, script.length][k]));
        expect(norm(await guard(pieces, keep))).toEqual(norm(await guard([script], keep)));
      }),
      { numRuns: 400, seed: 0x5eed_2025 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// psql as the oracle

const MARK = 'ORACLE_MARK';
let cluster: { dir: string; bin: string; asUser: string[] } | undefined;

function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (['initdb', 'pg_ctl', 'psql'].every((tool) => fs.existsSync(path.join(bin, tool)))) return bin;
  }
  throw new Error('psql-script-guard.test: PostgreSQL server and client tools (initdb, pg_ctl, psql under /usr/lib/postgresql/<major>/bin) are needed for the psql oracle; install the postgresql package (the project test command does).');
}

/** Runs the script through psql (results to /dev/null, errors ignored); true if a planted \echo ran. */
function psqlRanMark(script: Buffer): Promise<boolean> {
  const { dir, bin } = cluster!;
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, 'psql'), ['-X', '-q', '-o', '/dev/null', '-v', 'ON_ERROR_STOP=0', '-h', dir, '-U', 'postgres', '-d', 'postgres', '-f', '-'], {
      env: { ...process.env, PGCLIENTENCODING: 'UTF8', PGOPTIONS: '-c client_min_messages=error' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let stdout = '';
    // A psql that hangs is killed and fails the test: read as "ran nothing", it would pass it.
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      if (hung) reject(new Error('psql did not finish the script within 60 s'));
      else resolve(stdout.includes(MARK));
    });
    child.stdin.on('error', () => {}); // psql may exit before reading everything
    child.stdin.end(script);
  });
}

// Script fragments, as latin1 strings (one char per byte), each maybe followed by a planted
// \echo: psql runs it if the fragment left its lexer outside any quote, and the guard must then
// refuse. None starts a transaction: with ON_ERROR_STOP=0 an aborted transaction would make a
// dump-form COPY fail and psql read its data as SQL, which the guard leaves to ON_ERROR_STOP=1.
const ECHO = `\\echo ${MARK}`;
const pick = <T,>(...xs: T[]) => fc.constantFrom(...xs);
const joined = (pieces: fc.Arbitrary<string>, max: number) => fc.array(pieces, { maxLength: max }).map((xs) => xs.join(''));
const quotedInside = pick('a', ' ', "''", '\\', '\\\\', "\\'", "\\''", ECHO, `${ECHO}'`, '\n', '\r', '"', '$$', '--', '/*', ';', '(', 'E');
const identInside = pick('a', '""', '\\', `\\" ${ECHO}\n`, ECHO, "'", ';', '\n', '$$');
const dollarInside = pick('a', '$', '$t', '$x$', '$bar', "'", ECHO, '\n', '$$', '\\', '/*', '$t$', '$bar$');
const commentInside = pick('a', ECHO, '/*', '*/', '*', '/', "'", '\n', `*/ ${ECHO}\n`);
const dataLine = joined(pick('x', '\\N', '\\\\', '\\t', ECHO, "'", '"', '$$', '/*', '--', ' ', ';', "E'"), 3);
const copyBlock = fc
  .tuple(
    pick('COPY t FROM stdin;', 'COPY pg_temp.t (a) FROM stdin;', 'copy "t" ("a") from STDIN;', 'COPY t FROM stdin WITH (FORMAT text);', `COPY t FROM stdin; ${ECHO}`, 'COPY t FROM stdin;\r'),
    fc.array(dataLine, { maxLength: 3 }),
    pick('\\.\n', '\\.\r\n', '\\.\n', '\\.x\n'),
  )
  .map(([head, lines, end]) => `\n${head}\n${lines.map((l) => `${l}\n`).join('')}${end}`);

// Known ways to make a naive lexer disagree with psql.
const trap = pick(
  `SET client_encoding = 'SJIS';\nSELECT \xe3\x81\x82' ${ECHO}\n'`,
  `SET client_encoding = 'BIG5';\nSELECT \xa4' ${ECHO}\n'`,
  `SET client_encoding = 'GB18030';\nSELECT \x81\x30' ${ECHO}\n'`,
  `DO $$BEGIN RAISE EXCEPTION '${ECHO}'; END$$;\n:LAST_ERROR_MESSAGE\n`,
  `create function pg_temp.g() returns int language sql set search_path = begin return 1;\nCOPY t FROM stdin;\n${ECHO}\n\\.\nend;`,
  `SELECT ( ;\nCOPY t FROM stdin;\n${ECHO}\n\\.\n) ;`,
  `SELECT 1\nCOPY t FROM stdin;\n${ECHO}\n\\.\n;`,
  `/* /* */ ' */ ${ECHO}\n'`,
  `SELECT 'a\\' ${ECHO}\n'`,
  `SET standard_conforming_strings = off;\nSELECT 'a\\' ${ECHO}\n'`,
  `SELECT E'\\'' ${ECHO}\n'`,
  `SELECT U&'\\' ${ECHO}\n'`,
  `SELECT B'\\' ${ECHO}\n'`,
  `SELECT x$y$ ${ECHO}\n$y$`,
  `SELECT $1$y$ ${ECHO}\n$y$`,
  `SELECT :'foo'\r'\\' ${ECHO}\n'`,
  `SELECT 'a'\r'\\' ${ECHO}\n'`,
  `SELECT 1 -- c\r${ECHO}\n`,
  `COPY t FROM stdin;\r\nx\r\n\\.\r\n${ECHO}\n`,
);

// Bytes psql may read as one character with the quote after them, under an encoding the script picks.
const encodingSoup = fc
  .tuple(
    pick('SJIS', 'SHIFT_JIS_2004', 'BIG5', 'GBK', 'UHC', 'GB18030', 'JOHAB', 'UTF8'),
    fc.array(pick('\x81', '\x8e', '\x8f', '\x8f', '\xa0', '\xa1', '\xa4', '\xc3', '\x83', '\xdf', '\xe0', '\xfe', '0', '9', 'a', ' '), { minLength: 1, maxLength: 4 }),
  )
  .map(([encoding, soup]) => `SET client_encoding = '${encoding}';\nSELECT ${soup.join('')}' ${ECHO}\n'`);
const traps = fc.oneof({ weight: 1, arbitrary: trap }, { weight: 1, arbitrary: encodingSoup });

const fragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: pick('SELECT 1;', 'SELECT 2', ';', '(', ')', '( ;', 'x', 'foo$bar$', 'a$$b', '$1', '$2$x$', '::text', '1.5', '1e5', ',', '-', '*', '/') },
  { weight: 6, arbitrary: joined(quotedInside, 4).map((s) => `'${s}'`) },
  { weight: 5, arbitrary: joined(quotedInside, 4).map((s) => `E'${s}'`) },
  { weight: 2, arbitrary: pick("B'01'", "X'ff'", "N'x'", "U&'d\\0061t'", 'U&"d\\0061t"', "b'\\'", "U&'\\'", "n'\\'", "'a'\r'b'", "E'a'\r'\\''", "'a' -- c\r'b'") },
  { weight: 4, arbitrary: joined(identInside, 3).map((s) => `"${s}"`) },
  { weight: 5, arbitrary: fc.tuple(pick('$$', '$t$', '$bar$', '$x$'), joined(dollarInside, 4)).map(([tag, s]) => `${tag}${s}${tag}`) },
  { weight: 4, arbitrary: joined(commentInside, 4).map((s) => `/*${s}*/`) },
  { weight: 4, arbitrary: joined(pick('a', ECHO, "'", '/*', '\r', `\r${ECHO}`, '\\'), 3).map((s) => `--${s}\n`) },
  { weight: 5, arbitrary: copyBlock },
  { weight: 2, arbitrary: pick(':LAST_ERROR_MESSAGE', ":'LAST_ERROR_MESSAGE'", ':foo', ":'foo'", ':"foo"', `DO $$BEGIN RAISE EXCEPTION '${ECHO}'; END$$;`) },
  { weight: 2, arbitrary: pick('SET standard_conforming_strings = off;', 'SET standard_conforming_strings = on;') },
  { weight: 2, arbitrary: pick("SET client_encoding = 'SJIS';", "SET client_encoding = 'GB18030';", "SET client_encoding = 'UTF8';", "\xe3\x81\x82'", "'\xc3\xa9'", '\xc3\xa9', "\x82'", "\x81'") },
  { weight: 1, arbitrary: traps },
  {
    weight: 2,
    arbitrary: pick(
      'CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
      'create function pg_temp.g() returns int language sql set search_path = begin return 1;',
      'end;',
      'case',
      '\x0b',
    ),
  },
);
const planted = pick('', '', '', '', '', '', '', '', ` ${ECHO}\n`, `\n${ECHO}\n`);
const separator = pick(' ', '\n', '\n', '', '\r', '\t');
const joinUnits = (units: string[][]) => units.map((u) => u.join('')).join('');
const scriptArb = fc
  .oneof(
    { weight: 2, arbitrary: fc.array(fc.tuple(fragment, planted, separator), { minLength: 1, maxLength: 5 }).map(joinUnits) },
    // A trap between quiet fragments (no planted \echo), so that it decides the verdict.
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.array(fc.tuple(fragment, separator), { maxLength: 1 }), traps, separator, fc.array(fc.tuple(fragment, separator), { maxLength: 1 }))
        .map(([before, t, sep, after]) => joinUnits(before) + t + sep + joinUnits(after)),
    },
  )
  .map((body) => `CREATE TEMP TABLE t (a text);\n${body}\n`);

describe('guardPsqlScript against psql', () => {
  beforeAll(() => {
    const bin = findPostgresBin();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-psql-guard-'));
    // initdb refuses to run as root: run the server as nobody then.
    let asUser: string[] = [];
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
      fs.chownSync(dir, uid, gid);
      asUser = ['runuser', '-u', 'nobody', '--'];
    }
    const run = (tool: string, args: string[]) => {
      const [cmd, ...rest] = [...asUser, path.join(bin, tool), ...args];
      execFileSync(cmd!, rest, { stdio: ['ignore', 'ignore', 'pipe'] });
    };
    run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    run('pg_ctl', ['-D', path.join(dir, 'data'), '-o', `-k ${dir} -c listen_addresses='' -c fsync=off`, '-w', '-l', path.join(dir, 'server.log'), 'start']);
    cluster = { dir, bin, asUser };
  }, 120_000);

  afterAll(() => {
    if (!cluster) return;
    const { dir, bin, asUser } = cluster;
    const [cmd, ...rest] = [...asUser, path.join(bin, 'pg_ctl'), '-D', path.join(dir, 'data'), '-m', 'immediate', 'stop'];
    try {
      execFileSync(cmd!, rest, { stdio: 'ignore' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Runs psql with ON_ERROR_STOP=1 and the script on stdin; its output (throws on failure). */
  function psql(database: string, script: string | Buffer, extra: string[] = []): string {
    const { dir, bin } = cluster!;
    return execFileSync(path.join(bin, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-U', 'postgres', '-d', database, ...extra], {
      input: script,
      env: { ...process.env, PGCLIENTENCODING: 'UTF8' },
    }).toString();
  }

  it('passes a real pg_dump through, which then restores', async () => {
    const { dir, bin } = cluster!;
    psql('postgres', 'CREATE DATABASE shop; CREATE DATABASE restored; CREATE DATABASE restored_stripped;');
    psql(
      'shop',
      String.raw`
CREATE TABLE res_partner (id serial PRIMARY KEY, name varchar NOT NULL, "Weird ""col""" text DEFAULT 'a\b', data bytea DEFAULT '\x0102', j jsonb, copy integer);
COMMENT ON TABLE res_partner IS 'Société / 商品 \ backslash';
COMMENT ON COLUMN res_partner.copy IS 'a column named copy';
INSERT INTO res_partner (name, j, data) VALUES ('Alice \ O''Brien', '{"a": "x\ty"}', '\x00ff'), (E'tab\there\nnext', '{}', NULL), ('\.', NULL, NULL), ('\! id', NULL, NULL);
CREATE FUNCTION f(x text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN x || '\' || E'\\'; END $$;
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;
CREATE VIEW v AS SELECT id, name::text || ':' || 'x' AS label, (ARRAY[1, 2, 3])[1:2] AS sl, $$\! id$$ AS d FROM res_partner;
CREATE TABLE "Weird Table" ("a b" int, "é" text);
INSERT INTO "Weird Table" VALUES (1, 'é'), (2, NULL);
`,
    );
    const dump = execFileSync(path.join(bin, 'pg_dump'), ['-h', dir, '-U', 'postgres', 'shop']);
    const kept = await guard([dump], true);
    if (!kept.ok) throw new Error(kept.message);
    // Loaded in psql's restricted mode, under our key rather than the dump's.
    expect(kept.out.toString()).toMatch(/^\\restrict [0-9a-f]{64}\n/);
    expect(kept.out.toString()).not.toMatch(/^\\unrestrict /m);
    const stripped = await guard([dump], false);
    if (!stripped.ok) throw new Error(stripped.message);
    expect(stripped.out.toString()).not.toMatch(/^\\(un)?restrict /m);
    // The same psql and pg_dump versions: this psql knows \restrict when this pg_dump writes it.
    psql('restored', kept.out);
    psql('restored_stripped', stripped.out);
    for (const database of ['restored', 'restored_stripped']) {
      const rows = psql(database, "SELECT count(*), string_agg(name, '|' ORDER BY id) FROM res_partner", ['-A', '-t']);
      expect(rows.trim()).toBe("4|Alice \\ O'Brien|tab\there\nnext|\\.|\\! id");
    }
  });

  describe('random scripts', () => {
    it('refuses every script in which psql ran a meta-command', async () => {
      const version = execFileSync(path.join(cluster!.bin, 'psql'), ['--version']).toString().trim();
      const stats = { runs: 0, accepted: 0, refused: 0, oraclePositive: 0, refusedOraclePositive: 0 };
      await fc.assert(
        fc.asyncProperty(scriptArb, async (script) => {
          const input = Buffer.from(script, 'latin1');
          const verdict = await guard([input]);
          const ran = await psqlRanMark(input);
          stats.runs++;
          if (verdict.ok) stats.accepted++;
          else stats.refused++;
          if (ran) stats.oraclePositive++;
          if (ran && !verdict.ok) stats.refusedOraclePositive++;
          // Accepted means: psql ran nothing from it, and the script came through unchanged.
          if (verdict.ok) {
            expect(ran, 'psql ran a meta-command from a script the guard accepted').toBe(false);
            expect(verdict.out.equals(input)).toBe(true);
          }
        }),
        { numRuns: 300, seed: 0x5eed_2025, endOnFailure: true },
      );
      console.log(`psql oracle (${version}): ${JSON.stringify(stats)}`);
      // Not vacuous: many scripts pass, and psql did run planted commands that the guard refused.
      expect(stats.accepted).toBeGreaterThan(stats.runs * 0.2);
      expect(stats.refusedOraclePositive).toBeGreaterThan(10);
    }, 120_000);

    it('for a psql with restricted mode: nothing the guard lets through runs a meta-command, encodings included', async () => {
      const stats = { runs: 0, accepted: 0, acceptedWithEncodingSwitch: 0 };
      await fc.assert(
        fc.asyncProperty(scriptArb, async (script) => {
          const verdict = await guard([Buffer.from(script, 'latin1')], true);
          stats.runs++;
          if (!verdict.ok) return;
          stats.accepted++;
          if (/client_encoding = '(SJIS|BIG5|GB18030)'/.test(script)) stats.acceptedWithEncodingSwitch++;
          // What psql is given is the guard's output, behind our own \restrict.
          expect(await psqlRanMark(verdict.out), 'psql ran a meta-command from what the guard passed on').toBe(false);
        }),
        { numRuns: 200, seed: 0x5eed_2026, endOnFailure: true },
      );
      console.log(`psql restricted mode: ${JSON.stringify(stats)}`);
      expect(stats.accepted).toBeGreaterThan(stats.runs * 0.2);
      expect(stats.acceptedWithEncodingSwitch).toBeGreaterThan(0); // left to psql, and psql refused
    }, 120_000);
  });

  describe('each client encoding psql lexes by character', () => {
    it('refuses exactly where psql reads the quote into a multibyte character', async () => {
      // [client encoding, bytes before the quote, does psql swallow the quote?]
      const probes: [string, string, boolean][] = [
        ['SJIS', '\xa1\xe0', true], // A1-DF stand alone, E0-FF lead two bytes
        ['SJIS', '\xc3\x83', true], // … and so do 80-A0
        ['SHIFT_JIS_2004', '\xa1\xe0', true],
        ['SJIS', '\xc3\xa9', false],
        ['BIG5', '\xa4', true],
        ['GBK', '\xa4', true],
        ['UHC', '\xa4', true],
        ['BIG5', '\xe5\x95\x86\xe5\x93\x81', false],
        ['GB18030', '\x81\x30', true], // a digit second makes four bytes
        ['GB18030', '\xc3\xa9', false],
        ['JOHAB', '\x8f\xa1', true], // 8F leads three bytes
        ['JOHAB', '\xc3\xa9', false],
      ];
      for (const [encoding, bytesBefore, swallowed] of probes) {
        const script = Buffer.from(`SET client_encoding = '${encoding}';\nSELECT ${bytesBefore}' ${ECHO}\n';\n`, 'latin1');
        expect(await psqlRanMark(script), `${encoding} ${JSON.stringify(bytesBefore)}`).toBe(swallowed);
        const verdict = await guard([script]);
        expect(verdict.ok, `${encoding} ${JSON.stringify(bytesBefore)}`).toBe(!swallowed);
      }
    }, 60_000);
  });
});

// ---------------------------------------------------------------------------------------------

describe('guardPsqlScript: streaming', () => {
  it('passes a 50 MB dump through unchanged, chunk by chunk', async () => {
    const row = (i: number) => `${i}\tpartner ${i} \\\\ O'Brien\t\\N\t{"en_US": "x\\ty"}\n`;
    const head = `SET standard_conforming_strings = on;\nCREATE TABLE public.p (id integer, name text, ref text, j jsonb);\nCOPY public.p (id, name, ref, j) FROM stdin;\n`;
    const tail = `\\.\n\nSELECT setval('p_id_seq', 1);\n`;
    const target = 50 * 1024 * 1024;
    const inHash = crypto.createHash('sha256');
    let produced = 0;
    async function* source() {
      const emit = (s: string) => {
        const b = Buffer.from(s);
        inHash.update(b);
        produced += b.length;
        return b;
      };
      yield emit(head);
      let i = 0;
      while (produced < target) {
        let chunk = '';
        while (chunk.length < 64 * 1024) chunk += row(i++);
        yield emit(chunk);
      }
      yield emit(tail);
    }
    const outHash = crypto.createHash('sha256');
    let largest = 0;
    let total = 0;
    for await (const b of guardPsqlScript(source(), { label: 'backup.zip', psqlRestricts: false })) {
      outHash.update(b);
      total += b.length;
      largest = Math.max(largest, b.length);
    }
    expect(total).toBe(produced);
    expect(outHash.digest('hex')).toBe(inHash.digest('hex'));
    expect(largest).toBeLessThan(1024 * 1024); // passed on as it comes, never gathered
  }, 60_000);
});
