import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useId, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  getKey: (item: T) => string;
  /** The row's content (cells for a table, anything for a list). */
  renderRow: (item: T, index: number) => ReactNode;
  rowTestId?: (item: T) => string;
  rowClassName?: (item: T) => string | undefined;
  onActivate?: (item: T) => void;
  /** The key of the item the app considers selected (e.g. the open host). */
  selectedKey?: string | null;
  /** Sticky header row inside the scroller (tables); its height must be `headerHeight`. */
  header?: ReactNode;
  headerHeight?: number;
  /** grid = table semantics with cells; listbox = a list of options. */
  role: 'grid' | 'listbox';
  ariaLabel: string;
  testId: string;
  className?: string;
  /** CSS grid-template-columns for header and rows (tables). */
  columns?: string;
  minWidth?: number;
  /** A fixed height in pixels (otherwise the stylesheet sizes the scroller). */
  height?: number;
  empty?: ReactNode;
}

/**
 * A virtualized list/table with fixed row height: only the visible rows exist in the DOM, so
 * 5,000 rows scroll like 50. Keyboard: the scroller takes focus; arrows, Page Up/Down, Home/End
 * move the active row (aria-activedescendant), Enter opens it.
 */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, rowHeight, getKey, onActivate, selectedKey, headerHeight = 0 } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const idBase = useId().replace(/[^A-Za-z0-9_-]/g, '');
  const [active, setActive] = useState(-1);
  // The virtualizer recomputes every row's offset (all 5,000) whenever getItemKey is a new
  // function, so it changes with the items only: getKey must give an item the same key each time.
  const getItemKey = useCallback(
    (index: number) => {
      const item = items[index];
      return item === undefined ? index : getKey(item);
    },
    [items],
  );

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    paddingStart: headerHeight,
    scrollPaddingStart: headerHeight,
    getItemKey,
  });

  // Keep the active row meaningful when the list changes under it (filtering, refresh).
  useEffect(() => {
    setActive((a) => (a >= items.length ? items.length - 1 : a));
  }, [items.length]);

  const move = useCallback(
    (next: number) => {
      if (items.length === 0) return;
      const clamped = Math.max(0, Math.min(items.length - 1, next));
      setActive(clamped);
      virtualizer.scrollToIndex(clamped, { align: 'auto' });
    },
    [items.length, virtualizer],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor(((scrollRef.current?.clientHeight ?? rowHeight * 10) - headerHeight) / rowHeight) - 1);
    const current = active < 0 ? selectedIndex() : active;
    switch (e.key) {
      case 'ArrowDown':
        move(current < 0 ? 0 : current + 1);
        break;
      case 'ArrowUp':
        move(current < 0 ? 0 : current - 1);
        break;
      case 'PageDown':
        move(current + page);
        break;
      case 'PageUp':
        move(current - page);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(items.length - 1);
        break;
      case 'Enter':
      case ' ': {
        const item = items[current];
        if (item !== undefined && onActivate) onActivate(item);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  const selectedIndex = () => (selectedKey ? items.findIndex((it) => getKey(it) === selectedKey) : -1);

  const onFocus = () => {
    if (active < 0 && items.length > 0) {
      const sel = selectedIndex();
      setActive(sel >= 0 ? sel : 0);
    }
  };

  const activeItem = active >= 0 ? items[active] : undefined;
  const style = { '--cols': props.columns ?? '1fr', '--row-h': `${rowHeight}px`, ...(props.height === undefined ? {} : { height: props.height }) } as CSSProperties;
  const isGrid = props.role === 'grid';

  return (
    <div
      ref={scrollRef}
      className={`vlist ${props.className ?? ''}`}
      role={props.role}
      aria-label={props.ariaLabel}
      aria-rowcount={isGrid ? items.length + 1 : undefined}
      aria-activedescendant={activeItem !== undefined ? `${idBase}-r${active}` : undefined}
      tabIndex={0}
      data-testid={props.testId}
      data-count={items.length}
      onKeyDown={onKeyDown}
      onFocus={onFocus}
      style={style}
    >
      <div className="vlist-sizer" style={{ height: virtualizer.getTotalSize(), minWidth: props.minWidth }}>
        {props.header}
        {virtualizer.getVirtualItems().map((v) => {
          const item = items[v.index];
          if (item === undefined) return null;
          const key = getKey(item);
          const classes = ['vrow'];
          if (v.index === active) classes.push('active');
          if (selectedKey === key) classes.push('selected');
          if (v.index % 2 === 1) classes.push('odd');
          const extra = props.rowClassName?.(item);
          if (extra) classes.push(extra);
          return (
            <div
              key={v.key}
              id={`${idBase}-r${v.index}`}
              role={isGrid ? 'row' : 'option'}
              aria-rowindex={isGrid ? v.index + 2 : undefined}
              aria-selected={selectedKey === key}
              className={classes.join(' ')}
              data-testid={props.rowTestId?.(item)}
              style={{ transform: `translateY(${v.start}px)`, height: rowHeight }}
              onClick={() => {
                setActive(v.index);
                onActivate?.(item);
              }}
            >
              {props.renderRow(item, v.index)}
            </div>
          );
        })}
      </div>
      {items.length === 0 && props.empty ? <div className="vlist-empty">{props.empty}</div> : null}
    </div>
  );
}

export interface Column<T> {
  key: string;
  title: string;
  /** A grid track, e.g. "minmax(120px, 2fr)" or "90px". */
  width: string;
  render: (item: T) => ReactNode;
  /** Text for the cell's tooltip (when it may be cut off). */
  tooltip?: (item: T) => string;
  className?: string;
  sortable?: boolean;
}

export interface Sort {
  key: string;
  dir: 'asc' | 'desc';
}

export function VirtualTable<T>(
  props: Omit<VirtualListProps<T>, 'renderRow' | 'header' | 'role' | 'columns'> & {
    columns: readonly Column<T>[];
    sort?: Sort;
    onSort?: (key: string) => void;
  },
) {
  const { columns, sort, onSort, ...rest } = props;
  const template = columns.map((c) => c.width).join(' ');
  const headerHeight = 30;
  const header = (
    <div className="vrow vhead" role="row" aria-rowindex={1}>
      {columns.map((c) => {
        const sorted = sort?.key === c.key ? sort.dir : undefined;
        return (
          <div
            key={c.key}
            role="columnheader"
            className="vcell"
            aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
          >
            {c.sortable && onSort ? (
              <button type="button" className="sort-button" onClick={() => onSort(c.key)}>
                {c.title}
                <span className="sort-mark" aria-hidden="true">
                  {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                </span>
              </button>
            ) : (
              c.title
            )}
          </div>
        );
      })}
    </div>
  );
  return (
    <VirtualList
      {...rest}
      role="grid"
      columns={template}
      header={header}
      headerHeight={headerHeight}
      renderRow={(item) =>
        columns.map((c) => (
          <div key={c.key} role="gridcell" className={`vcell ${c.className ?? ''}`} title={c.tooltip?.(item)}>
            {c.render(item)}
          </div>
        ))
      }
    />
  );
}
