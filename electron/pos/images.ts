import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ImageModel, PosAdapter } from './adapters.js';
import { OdooRpcError } from './odoo-rpc.js';

// Product and POS category pictures, kept in the terminal's store so the selling UI shows them
// with no network. Which records have one, and at which version, comes from the cached POS data
// (Odoo's load sends a product's image_128 as a boolean and a category's has_image, both with
// write_date); the pictures themselves are read from Odoo in batches after a refresh and while
// some are missing — never in the way of a sale. The UI asks for them same-origin, under a URL
// that names the version, so its service worker can keep them for good.

export const PICTURE_ROUTE = '/pos-images/';
const SEGMENTS: Record<ImageModel, string> = { 'product.product': 'product', 'pos.category': 'category' };
const MODEL_OF_SEGMENT = new Map(Object.entries(SEGMENTS).map(([model, segment]) => [segment, model as ImageModel]));
/** image_128 is at most 128×128 pixels; anything far larger is not what Odoo's POS shows. */
const MAX_PICTURE_BYTES = 512 * 1024;

export interface PictureResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface FetchResult {
  /** Pictures stored. */
  fetched: number;
  /** Records Odoo had no usable picture for (none, unknown format, too large, deleted). */
  without: number;
}

/** The picture's type from its first bytes; null for anything else (never trusted from a name). */
export function pictureType(bytes: Buffer): string | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  const head = bytes.subarray(0, 512).toString('utf8').trimStart();
  if ((head.startsWith('<svg') || head.startsWith('<?xml')) && head.includes('<svg')) return 'image/svg+xml';
  return null;
}

/** SQL over a cache_records row `c`: Odoo says the record has a picture (the cache keeps a product's image_128 as true: pos-data-shapes.ts). */
const HAS_PICTURE = `((c.model = 'product.product' AND json_type(c.data, '$.image_128') = 'true') OR (c.model = 'pos.category' AND json_type(c.data, '$.has_image') = 'true'))`;

/** The cached records whose picture is not stored at their version (FROM … WHERE, over `c`). */
const MISSING = `FROM cache_records c
           LEFT JOIN images i ON i.model = c.model AND i.record_id = CAST(c.id AS INTEGER)
          WHERE ${HAS_PICTURE}
            AND (i.version IS NULL OR i.version <> coalesce(json_extract(c.data, '$.write_date'), ''))`;

function versionTag(version: string): string {
  return crypto.createHash('sha1').update(version).digest('hex').slice(0, 12);
}

export class PosImages {
  constructor(private readonly db: Database.Database) {}

  /** Records with a picture in Odoo that is not stored here at their cached version. */
  missing(limit = -1): Array<{ model: ImageModel; id: number; version: string }> {
    return this.db
      .prepare(
        `SELECT c.model AS model, CAST(c.id AS INTEGER) AS id, coalesce(json_extract(c.data, '$.write_date'), '') AS version
           ${MISSING}
          ORDER BY c.model DESC, id
          LIMIT ?`,
      )
      .all(limit) as Array<{ model: ImageModel; id: number; version: string }>;
  }

  counts(): { stored: number; missing: number } {
    const stored = (this.db.prepare('SELECT count(*) AS n FROM images WHERE picture IS NOT NULL').get() as { n: number }).n;
    return { stored, missing: (this.db.prepare(`SELECT count(*) AS n ${MISSING}`).get() as { n: number }).n };
  }

  /**
   * Reads missing pictures from Odoo, a batch at a time, until none is missing. Every record
   * asked for is stored (a picture, or none), so it ends; a failure to reach Odoo stops it and
   * keeps what was stored.
   */
  async fetch(adapter: PosAdapter, batchSize = 100, onStored: (pictures: number) => void = () => {}): Promise<FetchResult> {
    const result: FetchResult = { fetched: 0, without: 0 };
    for (;;) {
      const batch = this.missing(batchSize);
      if (batch.length === 0) return result;
      for (const model of [...new Set(batch.map((r) => r.model))]) {
        const wanted = batch.filter((r) => r.model === model);
        const rows = await this.read(adapter, model, wanted.map((r) => r.id));
        const byId = new Map(rows.map((r) => [r.id, r.image_128]));
        const store = this.db.prepare('INSERT OR REPLACE INTO images (model, record_id, version, mime, picture, fetched_at) VALUES (?, ?, ?, ?, ?, ?)');
        const at = new Date().toISOString();
        const before = result.fetched;
        this.db.transaction(() => {
          for (const record of wanted) {
            const encoded = byId.get(record.id);
            const bytes = typeof encoded === 'string' && encoded ? Buffer.from(encoded, 'base64') : null;
            const mime = bytes && bytes.length <= MAX_PICTURE_BYTES ? pictureType(bytes) : null;
            // Stored under the cached version: the record is asked again once a refresh brings a newer one.
            store.run(model, record.id, record.version, mime, mime ? bytes : null, at);
            if (mime) result.fetched++;
            else result.without++;
          }
        })();
        if (result.fetched > before) onStored(result.fetched - before);
      }
    }
  }

  /** One read for the batch; a refusal (e.g. a record deleted since the refresh) falls back to one read per record. */
  private async read(adapter: PosAdapter, model: ImageModel, ids: number[]): Promise<Array<{ id: number; image_128: string | false }>> {
    try {
      return await adapter.readImages(model, ids);
    } catch (error) {
      if (!(error instanceof OdooRpcError && error.kind === 'rejected')) throw error;
      if (ids.length === 1) return []; // that record is gone or not readable: stored without a picture
      const rows: Array<{ id: number; image_128: string | false }> = [];
      for (const id of ids) rows.push(...(await this.read(adapter, model, [id])));
      return rows;
    }
  }

  /**
   * After a refresh: drops the pictures of records gone from the cache or that no longer have
   * one. A picture whose record changed stays (better than none offline) until the new one comes.
   */
  prune(): number {
    return this.db.prepare(`DELETE FROM images WHERE NOT EXISTS (SELECT 1 FROM cache_records c WHERE c.model = images.model AND c.id = CAST(images.record_id AS TEXT) AND ${HAS_PICTURE})`).run().changes;
  }

  /** The records with `image_url` added where a picture is stored (what the selling UI shows). */
  withUrls<T extends Record<string, unknown>>(model: ImageModel, records: T[]): Array<T & { image_url?: string }> {
    if (records.length === 0) return records;
    const ids = records.map((r) => Number(r.id)).filter(Number.isInteger);
    const versions = new Map<number, string>();
    const query = this.db.prepare(`SELECT record_id, version FROM images WHERE model = ? AND picture IS NOT NULL AND record_id IN (SELECT value FROM json_each(?))`);
    for (const row of query.all(model, JSON.stringify(ids)) as Array<{ record_id: number; version: string }>) versions.set(row.record_id, row.version);
    return records.map((record) => {
      const version = versions.get(Number(record.id));
      return version === undefined ? record : { ...record, image_url: `${PICTURE_ROUTE}${SEGMENTS[model]}/${Number(record.id)}?v=${versionTag(version)}` };
    });
  }

  /** The HTTP answer for a picture URL, or null when the path is not a picture's. */
  respond(urlPath: string, searchParams: URLSearchParams): PictureResponse | null {
    if (!urlPath.startsWith(PICTURE_ROUTE)) return null;
    const match = /^\/pos-images\/([a-z]+)\/(\d{1,10})$/.exec(urlPath);
    const model = match ? MODEL_OF_SEGMENT.get(match[1]!) : undefined;
    const row = model
      ? (this.db.prepare('SELECT version, mime, picture FROM images WHERE model = ? AND record_id = ? AND picture IS NOT NULL').get(model, Number(match![2])) as { version: string; mime: string; picture: Buffer } | undefined)
      : undefined;
    if (!row) return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' }, body: Buffer.from('No such picture.') };
    // The URL names the version: a matching one never changes, so the browser and the service worker keep it.
    const current = searchParams.get('v') === versionTag(row.version);
    return {
      status: 200,
      headers: {
        'Content-Type': row.mime,
        'Content-Length': String(row.picture.length),
        'Cache-Control': current ? 'private, max-age=31536000, immutable' : 'no-cache',
        // An SVG opened on its own must not run anything.
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      },
      body: row.picture,
    };
  }
}
