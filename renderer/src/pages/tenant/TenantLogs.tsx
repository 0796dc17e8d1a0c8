import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useApi } from '../../../../ui-common/api/context.js';
import { CountedTitle } from '../../components/CountedTitle.js';
import { ErrorBox } from '../../components/ErrorBox.js';
import { toFleetError, type FleetError } from '../../lib/errors.js';
import { useIntervalRefresh } from '../../lib/use-interval-refresh.js';

export const MAX_LOG_LINES = 5000;
const FIRST_TAIL = 200;
const POLL_TAIL = 5000;
const POLL_MS = 1500;
const ROW_H = 18;
const MAX_WIDTH_CH = 1000;
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

interface LogLine {
  id: number;
  stamp: string | null;
  text: string;
}

/** Splits Docker's `<RFC 3339 timestamp> <message>` line. */
export function splitLogLine(line: string): { stamp: string | null; text: string } {
  const i = line.indexOf(' ');
  const first = i > 0 ? line.slice(0, i) : line;
  return STAMP.test(first) ? { stamp: first, text: i > 0 ? line.slice(i + 1) : '' } : { stamp: null, text: line };
}

/** The time of day of a log timestamp, to the millisecond, in local time. */
function shortStamp(stamp: string): string {
  const d = new Date(stamp);
  if (Number.isNaN(d.getTime())) return stamp;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * A tenant's server log, followed live: the last 200 lines, then every 1.5 s the lines newer than
 * the last timestamp received. Pausing stops the polling; the view scrolls with new lines only
 * while it is at the bottom; at most 5,000 lines are kept, and only the visible ones are in the DOM.
 */
export function TenantLogs({ hostId, name }: { hostId: string; name: string }) {
  const api = useApi();
  const [lines, setLines] = useState<readonly LogLine[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [following, setFollowing] = useState(true);
  const [error, setError] = useState<FleetError | null>(null);
  const [atBottom, setAtBottom] = useState(true);
  const lastStamp = useRef<string | null>(null);
  const nextId = useRef(0);
  const maxLen = useRef(0);
  const dropped = useRef(0);
  const bottomRef = useRef(true);
  const scrollRef = useRef<HTMLDivElement>(null);
  const alive = useRef(true);

  const append = useCallback((raw: readonly string[], replace: boolean) => {
    const fresh: LogLine[] = raw.map((l) => {
      const { stamp, text } = splitLogLine(l);
      maxLen.current = Math.min(MAX_WIDTH_CH, Math.max(maxLen.current, text.length + 14));
      return { id: nextId.current++, stamp, text };
    });
    for (let i = fresh.length - 1; i >= 0; i--) {
      const s = fresh[i]!.stamp;
      if (s) {
        lastStamp.current = s;
        break;
      }
    }
    setLines((prev) => {
      const all = replace ? fresh : fresh.length === 0 ? prev : [...prev, ...fresh];
      if (all.length <= MAX_LOG_LINES) return all;
      if (!replace) dropped.current += all.length - MAX_LOG_LINES;
      return all.slice(all.length - MAX_LOG_LINES);
    });
  }, []);

  const poll = useCallback(async () => {
    try {
      const since = lastStamp.current;
      const { lines: got } = await api.call('tenants.logs', since ? { hostId, name, since, tail: POLL_TAIL } : { hostId, name, tail: FIRST_TAIL });
      if (!alive.current) return;
      append(got, since === null);
      setError(null);
    } catch (e) {
      if (alive.current) setError(toFleetError(e));
    } finally {
      if (alive.current) setLoaded(true);
    }
  }, [api, hostId, name, append]);

  useEffect(() => {
    alive.current = true;
    void poll();
    return () => {
      alive.current = false;
    };
  }, [poll]);

  const gone = error?.code === 'NOT_FOUND';
  useIntervalRefresh(poll, POLL_MS, loaded && following && !gone);

  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_H,
    overscan: 20,
    getItemKey: (i) => lines[i]?.id ?? i,
  });

  // Stick to the bottom when the reader is there; otherwise keep what they read in place.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    if (bottomRef.current) el.scrollTop = el.scrollHeight;
    else if (dropped.current > 0) el.scrollTop = Math.max(0, el.scrollTop - dropped.current * ROW_H);
    dropped.current = 0;
  }, [lines]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    const bottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_H / 2;
    bottomRef.current = bottom;
    setAtBottom(bottom);
  };

  const toBottom = () => {
    const el = scrollRef.current;
    if (!el) return;
    bottomRef.current = true;
    setAtBottom(true);
    el.scrollTop = el.scrollHeight;
  };

  const toggleFollow = () => {
    const next = !following;
    setFollowing(next);
    if (next) void poll();
  };

  return (
    <section className="card tenant-logs" aria-label="Live log" data-testid="tenant-logs">
      <div className="section-head">
        <CountedTitle title="Log" count={`${lines.length} lines${lines.length >= MAX_LOG_LINES ? ` (the last ${MAX_LOG_LINES})` : ''}`} testId="log-count" />
        <div className="inline-row">
          <span className={`small ${following && !gone ? 'text-ok' : 'muted'}`} data-testid="log-status" role="status">
            {gone ? 'tenant gone' : following ? 'following' : 'paused'}
          </span>
          {!atBottom ? (
            <button type="button" className="btn btn-small" onClick={toBottom} data-testid="log-to-bottom">
              Jump to newest
            </button>
          ) : null}
          <button type="button" className="btn btn-small" onClick={toggleFollow} aria-pressed={!following} disabled={gone} data-testid="log-follow">
            {following ? 'Pause' : 'Resume'}
          </button>
        </div>
      </div>
      {error && !gone ? <ErrorBox error={error} compact testId="log-error" /> : null}
      <div
        ref={scrollRef}
        className="log-view"
        role="log"
        aria-label={`Server log of ${name}`}
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
        data-testid="log-view"
        data-count={lines.length}
      >
        <div className="log-sizer" style={{ height: virtualizer.getTotalSize(), minWidth: `${maxLen.current}ch` }}>
          {virtualizer.getVirtualItems().map((v) => {
            const line = lines[v.index];
            if (!line) return null;
            return (
              <div key={v.key} className="log-line" style={{ transform: `translateY(${v.start}px)`, height: ROW_H }} data-testid="log-line">
                {line.stamp ? (
                  <span className="log-stamp" title={line.stamp}>
                    {shortStamp(line.stamp)}{' '}
                  </span>
                ) : null}
                {line.text}
              </div>
            );
          })}
        </div>
        {loaded && lines.length === 0 ? <div className="vlist-empty">{gone ? 'The tenant no longer exists.' : 'No log lines yet.'}</div> : null}
        {!loaded ? <div className="vlist-empty">Loading…</div> : null}
      </div>
    </section>
  );
}
