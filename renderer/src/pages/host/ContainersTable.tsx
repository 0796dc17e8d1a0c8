import { useDeferredValue, useMemo, useState } from 'react';
import type { Container } from '../../../../shared/hosts.js';
import { SearchInput } from '../../../../ui-common/SearchInput.js';
import { VirtualTable, type Column, type Sort } from '../../components/VirtualList.js';
import { formatDateTime } from '../../lib/format.js';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function createdMs(c: Container): number {
  const t = /^\d+$/.test(c.created) ? Number(c.created) * 1000 : Date.parse(c.created);
  return Number.isNaN(t) ? 0 : t;
}

const COLUMNS: readonly Column<Container>[] = [
  { key: 'name', title: 'Name', width: 'minmax(140px, 2fr)', render: (c) => c.name, tooltip: (c) => `${c.name}\n${c.id}`, sortable: true },
  { key: 'image', title: 'Image', width: 'minmax(140px, 2fr)', render: (c) => c.image, tooltip: (c) => c.image, className: 'mono', sortable: true },
  {
    key: 'state',
    title: 'State',
    width: '96px',
    render: (c) => <span className={`cstate cstate-${c.state}`}>{c.state}</span>,
    tooltip: (c) => c.status,
    sortable: true,
  },
  { key: 'ports', title: 'Ports', width: 'minmax(110px, 1.4fr)', render: (c) => c.ports.join(', ') || '—', tooltip: (c) => c.ports.join('\n'), className: 'mono' },
  { key: 'created', title: 'Created', width: '136px', render: (c) => formatDateTime(c.created), tooltip: (c) => c.created, sortable: true },
];

export function ContainersTable({ containers, loading }: { containers: readonly Container[] | null; loading: boolean }) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'name', dir: 'asc' });
  const q = useDeferredValue(filter.trim().toLowerCase());

  const rows = useMemo(() => {
    if (!containers) return [];
    const filtered = q
      ? containers.filter(
          (c) => c.name.toLowerCase().includes(q) || c.image.toLowerCase().includes(q) || c.state.toLowerCase().includes(q) || c.ports.some((p) => p.includes(q)),
        )
      : [...containers];
    const dir = sort.dir === 'asc' ? 1 : -1;
    const cmp =
      sort.key === 'created'
        ? (a: Container, b: Container) => (createdMs(a) - createdMs(b)) * dir
        : (a: Container, b: Container) => {
            const k = sort.key as 'name' | 'image' | 'state';
            return collator.compare(a[k], b[k]) * dir || collator.compare(a.name, b.name);
          };
    return filtered.sort(cmp);
  }, [containers, q, sort]);

  const running = useMemo(() => (containers ?? []).filter((c) => c.state === 'running').length, [containers]);

  return (
    <section className="containers" aria-label="Containers">
      <div className="section-head">
        <h3 className="card-title">
          Containers{' '}
          <span className="muted" data-testid="containers-count">
            {containers ? (q ? `${rows.length} of ${containers.length}` : `${containers.length} (${running} running)`) : ''}
          </span>
        </h3>
        <SearchInput className="search-inline" placeholder="Filter by name, image, state, port" label="Filter containers" value={filter} onValue={setFilter} testId="containers-filter" />
      </div>
      <VirtualTable
        className="containers-table"
        ariaLabel="Containers"
        testId="containers-table"
        items={rows}
        rowHeight={28}
        minWidth={620}
        getKey={(c) => c.id}
        rowTestId={(c) => `container-row-${c.name}`}
        columns={COLUMNS}
        sort={sort}
        onSort={(key) => setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }))}
        empty={containers === null ? (loading ? 'Loading…' : 'No data.') : containers.length === 0 ? 'No containers on this host.' : 'No container matches.'}
      />
    </section>
  );
}
