import type { Api } from '../../../shared/api.js';
import { readProduct, type Product } from './catalog.js';

/** Cached product records fetched from the terminal by id (search and scans give ids only). */
export class ProductCache {
  private readonly byId = new Map<number, Product>();

  constructor(private readonly api: Api) {}

  remember(products: readonly Product[]): void {
    for (const p of products) this.byId.set(p.id, p);
  }

  async get(ids: readonly number[]): Promise<Product[]> {
    const missing = ids.filter((id) => !this.byId.has(id));
    if (missing.length) this.remember((await this.api.call('pos.products', { ids: missing.slice(0, 500), limit: 500 })).map(readProduct));
    return ids.flatMap((id) => {
      const product = this.byId.get(id);
      return product ? [product] : [];
    });
  }

  /** A page of products, all or of one POS category (one more than asked tells whether a next page exists). */
  async page(categoryId: number | null, offset: number, limit: number): Promise<{ products: Product[]; more: boolean }> {
    const rows = (await this.api.call('pos.products', { ...(categoryId ? { categoryId } : {}), offset, limit: limit + 1 })).map(readProduct);
    this.remember(rows);
    return { products: rows.slice(0, limit), more: rows.length > limit };
  }

  /** The product whose barcode is exactly one of `codes` (tried in order). */
  async byBarcode(codes: readonly string[]): Promise<Product | null> {
    for (const code of codes) {
      const hit = (await this.api.call('pos.searchProducts', { query: code, limit: 20 })).find((r) => r.barcode === code);
      if (hit) return (await this.get([hit.productId]))[0] ?? null;
    }
    return null;
  }

  clear(): void {
    this.byId.clear();
  }
}
