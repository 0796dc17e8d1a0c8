import { useEffect, useState, type KeyboardEvent, type RefObject } from 'react';
import { SearchInput } from '../../../ui-common/SearchInput.js';
import { usePos } from '../app/context.js';
import { shelfPrice, type AddOptions, type Cart } from '../lib/cart.js';
import { categoryLevel, type PosCategory, type Product } from '../lib/catalog.js';
import { errorText } from '../lib/errors.js';
import { money } from '../lib/format.js';
import type { Notice } from './SellScreen.js';

const PAGE = 20;
/** Digits only, as long as an EAN-8 or more: read like a scan (weights and prices embedded). */
const LOOKS_LIKE_BARCODE = /^\d{8,14}$/;

type Source = { kind: 'category'; categoryId: number | null; offset: number } | { kind: 'search'; query: string };

/** The search box, the POS categories and a page of product tiles. */
export function ProductPanel({
  cart,
  searchRef,
  onAdd,
  onScan,
  notice,
  onNotice,
}: {
  cart: Cart;
  searchRef: RefObject<HTMLInputElement | null>;
  onAdd: (product: Product, options?: AddOptions) => void;
  onScan: (code: string) => Promise<void>;
  notice: Notice | null;
  onNotice: (notice: Notice | null) => void;
}) {
  const { api, data, products } = usePos();
  const [query, setQuery] = useState('');
  const [source, setSource] = useState<Source>({ kind: 'category', categoryId: null, offset: 0 });
  const [page, setPage] = useState<{ products: Product[]; more: boolean } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  // Typing searches as you go (after a short pause); clearing the box goes back to the categories.
  useEffect(() => {
    const q = query.trim();
    const timer = setTimeout(() => setSource((s) => (q ? { kind: 'search', query: q } : s.kind === 'search' ? { kind: 'category', categoryId: null, offset: 0 } : s)), q ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query]);

  useEffect(() => {
    let live = true;
    const load = async () => {
      if (source.kind === 'category') return products.page(source.categoryId, source.offset, PAGE);
      const hits = await api.call('pos.searchProducts', { query: source.query, limit: PAGE });
      return { products: await products.get(hits.map((h) => h.productId)), more: false };
    };
    load().then(
      (result) => {
        if (!live) return;
        setPage(result);
        setLoadError(null);
      },
      (e: unknown) => live && setLoadError(errorText(e)),
    );
    return () => {
      live = false;
    };
    // `data` is read again when pictures arrive (Selling): the page in view shows them too.
  }, [api, products, source, data]);

  /** Enter in the search box: a barcode is read like a scan; otherwise the exact code, else the first match. */
  const onSearchKey = async (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Escape') {
      setQuery('');
      return;
    }
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const q = query.trim();
    if (!q) return;
    setQuery('');
    if (LOOKS_LIKE_BARCODE.test(q)) return onScan(q);
    try {
      const hits = await api.call('pos.searchProducts', { query: q, limit: 20 });
      const best = hits.find((h) => h.barcode === q) ?? hits.find((h) => h.defaultCode?.toLowerCase() === q.toLowerCase()) ?? hits[0];
      const product = best ? (await products.get([best.productId]))[0] : undefined;
      if (product) onAdd(product);
      else onNotice({ text: `Nothing matches “${q}”.`, kind: 'error' });
    } catch (e) {
      onNotice({ text: errorText(e), kind: 'error' });
    }
  };

  const categoryId = source.kind === 'category' ? source.categoryId : undefined;
  const level = categoryLevel(data.categories, categoryId ?? null);
  const pick = (id: number | null) => {
    setQuery('');
    setSource({ kind: 'category', categoryId: id, offset: 0 });
  };
  return (
    <section className="product-panel" aria-label="Products">
      <div className="search-row">
        <SearchInput ref={searchRef} placeholder="Search name, barcode or reference (F2)" label="Search products by name, barcode or internal reference" value={query} onValue={setQuery} onKeyDown={(e) => void onSearchKey(e)} testId="product-search" />
      </div>
      <div className="category-bar" role="toolbar" aria-label="Categories">
        {/* The path from the top to the chosen category, then its subcategories (as Odoo's POS). */}
        <button type="button" className={`chip${categoryId === null ? ' active' : ''}`} aria-pressed={categoryId === null} onClick={() => pick(null)} data-testid="category-all">
          All
        </button>
        {level.path.map((c) => (
          <CategoryChip key={c.id} category={c} active={categoryId === c.id} onPick={pick} crumb />
        ))}
        {level.children.map((c) => (
          <CategoryChip key={c.id} category={c} active={false} onPick={pick} />
        ))}
      </div>
      <div className={`notice-slot${notice ? ` notice-${notice.kind}` : ''}`} role="status" aria-live="polite" data-testid="sell-notice">
        {notice?.text ?? loadError ?? ''}
      </div>
      <ProductGrid products={page?.products ?? []} cart={cart} onAdd={onAdd} />
      {source.kind === 'category' ? (
        <div className="pager">
          <button type="button" className="btn" disabled={source.offset === 0} onClick={() => setSource({ ...source, offset: Math.max(0, source.offset - PAGE) })} data-testid="page-prev">
            ‹ Previous
          </button>
          <span className="muted">Page {source.offset / PAGE + 1}</span>
          <button type="button" className="btn" disabled={!page?.more} onClick={() => setSource({ ...source, offset: source.offset + PAGE })} data-testid="page-next">
            Next ›
          </button>
        </div>
      ) : null}
    </section>
  );
}

function CategoryChip({ category, active, onPick, crumb = false }: { category: PosCategory; active: boolean; onPick: (id: number) => void; crumb?: boolean }) {
  return (
    <button type="button" className={`chip${active ? ' active' : ''}${crumb ? ' crumb' : ''}`} aria-pressed={active} onClick={() => onPick(category.id)} data-testid={`category-${category.id}`}>
      {category.imageUrl ? <img src={category.imageUrl} alt="" className="chip-picture" /> : null}
      {crumb ? '› ' : ''}
      {category.name}
    </button>
  );
}

function ProductGrid({ products, cart, onAdd }: { products: Product[]; cart: Cart; onAdd: (product: Product) => void }) {
  const { data } = usePos();
  if (products.length === 0) return <p className="muted empty-grid">No products here.</p>;
  return (
    <div className="product-grid" data-testid="product-grid">
      {products.map((product) => {
        let price: string;
        try {
          price = money(shelfPrice(product, cart, data), data.currency);
        } catch {
          price = '—';
        }
        return (
          <button key={product.id} type="button" className={`tile product-tile${product.imageUrl ? ' with-picture' : ''}`} onClick={() => onAdd(product)} aria-label={`Add ${product.name}, ${price}`} data-testid={`product-${product.id}`}>
            {product.imageUrl ? <img src={product.imageUrl} alt="" className="tile-picture" loading="lazy" /> : null}
            <span className="tile-name">{product.name}</span>
            <span className="tile-meta">
              {product.defaultCode ? <span className="muted">{product.defaultCode}</span> : <span />}
              <strong>{price}</strong>
            </span>
          </button>
        );
      })}
    </div>
  );
}
