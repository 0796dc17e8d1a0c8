import { AUDIT_TABLE, SECRETS_TABLE, type Migration } from '../store/migrations.js';

// The POS terminal's own store (pos.sqlite), opened with the same pragmas as the console's
// (WAL, synchronous=FULL): a sale committed here survives a crash or a power cut.
// Append only once released: a released migration never changes. (None of these is released yet:
// no terminal store outside tests holds them.)
export const POS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit, vault, pairing, session, cached POS data, outbox',
    up(db) {
      db.exec(`
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        ${AUDIT_TABLE}
        ${SECRETS_TABLE}
        -- The one Odoo database this terminal sells for; the password or API key is in secrets.
        CREATE TABLE pairing (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          url TEXT NOT NULL,
          database TEXT NOT NULL,
          login TEXT NOT NULL,
          secret_id TEXT NOT NULL REFERENCES secrets(id),
          uid INTEGER NOT NULL,
          server_version TEXT NOT NULL,
          config_id INTEGER,
          config_name TEXT,
          paired_at TEXT NOT NULL
        );
        -- The POS session this terminal sells in, and its order numbering.
        CREATE TABLE pos_session (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          config_id INTEGER NOT NULL,
          state TEXT NOT NULL,
          login_number INTEGER NOT NULL,
          next_sequence INTEGER NOT NULL,
          opened_at TEXT NOT NULL,
          closed_at TEXT
        );
        -- Odoo's POS data as loaded, one row per record (JSON as Odoo sent it).
        CREATE TABLE cache_records (
          model TEXT NOT NULL,
          id TEXT NOT NULL,
          data TEXT NOT NULL,
          PRIMARY KEY (model, id)
        ) WITHOUT ROWID;
        CREATE TABLE cache_loads (model TEXT PRIMARY KEY, loaded_at TEXT NOT NULL, count INTEGER NOT NULL);
        -- What the product search looks at, kept beside the cache.
        CREATE TABLE product_search (
          product_id INTEGER PRIMARY KEY,
          name TEXT NOT NULL,
          barcode TEXT,
          default_code TEXT
        );
        CREATE INDEX product_search_barcode ON product_search (barcode);
        CREATE INDEX product_search_code ON product_search (default_code COLLATE NOCASE);
        CREATE INDEX product_search_name ON product_search (name COLLATE NOCASE);
        -- Every sale, with its final name and the payload Odoo gets, frozen byte for byte.
        CREATE TABLE outbox (
          uid TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          session_id INTEGER NOT NULL,
          sequence INTEGER NOT NULL,
          payload TEXT NOT NULL,
          amount_total REAL NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'synced', 'parked')),
          attempts INTEGER NOT NULL DEFAULT 0,
          -- 1 after a send whose outcome is unknown (timeout, cut connection): check before resending.
          uncertain INTEGER NOT NULL DEFAULT 0,
          next_attempt_at TEXT NOT NULL,
          last_error TEXT,
          server_id INTEGER,
          created_at TEXT NOT NULL,
          -- When it was last handed to Odoo: an order whose answer was lost is not sent again
          -- before Odoo can no longer be processing the first send.
          sent_at TEXT,
          synced_at TEXT,
          -- The sale's own uuid, made by the UI: a sale sent again (its answer lost) is not sold twice.
          sale_uuid TEXT UNIQUE
        );
        CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
      `);
    },
  },
  {
    version: 2,
    name: "products' POS categories in the search table",
    up(db) {
      // ",3,7," so one LIKE finds a category's products without parsing every cached record.
      db.exec("ALTER TABLE product_search ADD COLUMN pos_categ_ids TEXT NOT NULL DEFAULT ','");
    },
  },
  {
    version: 3,
    name: 'customers created offline, and the orders that wait for them',
    up(db) {
      db.exec(`
        -- A customer made on the terminal: a negative local id until Odoo gives it a real one.
        CREATE TABLE partner_outbox (
          local_id INTEGER PRIMARY KEY CHECK (local_id < 0),
          ref TEXT NOT NULL UNIQUE,
          vals TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'synced', 'parked')),
          uncertain INTEGER NOT NULL DEFAULT 0,
          server_id INTEGER,
          last_error TEXT,
          created_at TEXT NOT NULL
        );
        -- An order for such a customer is held (never sent) until its payload names the real id.
        ALTER TABLE outbox ADD COLUMN partner_local_id INTEGER REFERENCES partner_outbox(local_id);
      `);
    },
  },
  {
    version: 4,
    name: 'cash put in or taken out',
    up(db) {
      db.exec(`
        CREATE TABLE cash_moves (
          uid TEXT PRIMARY KEY,
          session_id INTEGER NOT NULL,
          session_name TEXT NOT NULL,
          type TEXT NOT NULL CHECK (type IN ('in', 'out')),
          amount REAL NOT NULL CHECK (amount > 0),
          reason TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'synced', 'parked')),
          uncertain INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          created_at TEXT NOT NULL,
          synced_at TEXT
        );
      `);
    },
  },
  {
    version: 5,
    name: 'product and category pictures',
    up(db) {
      db.exec(`
        -- Pictures shown offline, fetched from Odoo after a refresh. A NULL picture means Odoo had
        -- none for that version of the record, so it is not asked again until the record changes.
        CREATE TABLE images (
          model TEXT NOT NULL CHECK (model IN ('product.product', 'pos.category')),
          record_id INTEGER NOT NULL,
          version TEXT NOT NULL,
          mime TEXT,
          picture BLOB,
          fetched_at TEXT NOT NULL,
          PRIMARY KEY (model, record_id)
        );
      `);
    },
  },
  {
    version: 6,
    name: 'refunds linked to the lines they give back',
    up(db) {
      db.exec(`
        -- A refund of an order of this terminal not yet in Odoo when it was rung up:
        -- {"of": <the order's uid>, "lines": [[<refund line uuid>, <refunded line uuid>], …]}. Its
        -- lines get refunded_orderline_id once that order is in Odoo, before the refund's first send.
        ALTER TABLE outbox ADD COLUMN refund_links TEXT;
      `);
    },
  },
  {
    version: 7,
    name: 'the receipt printer',
    up(db) {
      db.exec(`
        -- The terminal's one ESC/POS network printer, set by an admin: the selling page prints
        -- only here, never to an address of its choosing.
        CREATE TABLE receipt_printer (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          host TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
          port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
          width INTEGER NOT NULL CHECK (width IN (32, 42, 48)),
          set_at TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 8,
    name: 'sales that keep their promise, carts and cashiers kept by the terminal',
    up(db) {
      db.exec(`
        -- What was rung up under a sale's uuid (sha256 of its content, the payment time aside): the
        -- same uuid sent again is the same sale only when it holds the same content.
        ALTER TABLE outbox ADD COLUMN sale_digest TEXT;
        -- Open carts, kept here rather than in a browser: selling a cart removes it in the same
        -- transaction that stores its sale, so no page, tab or crash can bring a sold cart back.
        CREATE TABLE open_carts (
          id TEXT PRIMARY KEY,
          sale_uuid TEXT NOT NULL UNIQUE,
          revision INTEGER NOT NULL CHECK (revision > 0),
          data TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
        -- Who is logged in at this terminal: sales are attributed to this cashier only.
        CREATE TABLE cashier_login (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          session_id INTEGER NOT NULL,
          user_id INTEGER NOT NULL,
          employee_id INTEGER,
          name TEXT NOT NULL,
          manager INTEGER NOT NULL CHECK (manager IN (0, 1)),
          since TEXT NOT NULL
        );
        -- Wrong PINs and badges in a row, per cashier ('employee:<id>') or for unknown badges
        -- ('badge'): growing delays, then a lockout a POS manager lifts. Kept across restarts.
        CREATE TABLE login_failures (
          subject TEXT PRIMARY KEY,
          failures INTEGER NOT NULL CHECK (failures > 0),
          last_failure_at TEXT NOT NULL,
          locked_at TEXT
        );
      `);
    },
  },
  {
    version: 9,
    name: 'price overrides recorded with their sale',
    up(db) {
      db.exec(`
        -- The lines sold off their pricelist price or with a discount, and who did it, checked and
        -- written with the sale: [{lineUuid, productId, listPrice, soldPrice, discount, cashier}].
        ALTER TABLE outbox ADD COLUMN price_overrides TEXT;
      `);
    },
  },
  {
    version: 10,
    name: 'what a refund may give back: lines read from Odoo, and every refund recorded here',
    up(db) {
      db.exec(`
        -- Lines of paid orders read from Odoo to refund them (pos.findOrders): a refund line naming
        -- one is checked against it (price, discount, taxes, what is left), never taken on trust.
        CREATE TABLE refundable_lines (
          line_id INTEGER PRIMARY KEY,
          uuid TEXT,
          product_id INTEGER NOT NULL,
          price_unit REAL NOT NULL,
          discount REAL NOT NULL,
          tax_ids TEXT NOT NULL,
          qty REAL NOT NULL,
          refunded_qty REAL NOT NULL,
          seen_at TEXT NOT NULL
        );
        CREATE INDEX refundable_lines_uuid ON refundable_lines (uuid);
        -- Every refund line recorded here, with the line it gives back (by uuid, by Odoo id, or
        -- both) and how much: written with its sale. Once Odoo has counted it (its order was synced
        -- when the line was read from Odoo again), Odoo's refunded quantity holds it.
        CREATE TABLE refund_ledger (
          refund_line_uuid TEXT PRIMARY KEY,
          order_uid TEXT NOT NULL,
          sold_uuid TEXT,
          sold_line_id INTEGER,
          qty REAL NOT NULL CHECK (qty > 0),
          counted_by_odoo INTEGER NOT NULL DEFAULT 0 CHECK (counted_by_odoo IN (0, 1))
        );
        CREATE INDEX refund_ledger_sold_uuid ON refund_ledger (sold_uuid);
        CREATE INDEX refund_ledger_sold_line ON refund_ledger (sold_line_id);
      `);
    },
  },
  {
    version: 11,
    name: "products' names by their trigrams, for the product search",
    up(db) {
      db.exec(`
        -- Every three characters of every product name (case folded), over product_search's names
        -- (the index only: rowid = product_id), so that a name search of three characters or more
        -- reads its candidates instead of every name. Rebuilt whenever product_search is written
        -- (PosTerminal.refresh); the rebuild here indexes a cache loaded before this version.
        CREATE VIRTUAL TABLE product_name_trigrams USING fts5(name, content='product_search', content_rowid='product_id', tokenize='trigram');
        INSERT INTO product_name_trigrams (product_name_trigrams) VALUES ('rebuild');
      `);
    },
  },
  {
    version: 12,
    name: "cash control: each session's opening count and note, the closing's counts and its Z report",
    up(db) {
      db.exec(`
        -- One row per session opened here: what Odoo expected and what was counted at opening (and
        -- the note that explains a difference); the Z report, written before Odoo is asked to close
        -- (closed_at NULL) and marked closed once Odoo has closed the session.
        CREATE TABLE session_cash (
          session_id INTEGER PRIMARY KEY,
          opening_expected REAL,
          opening_counted REAL,
          opening_notes TEXT NOT NULL DEFAULT '',
          z_report TEXT,
          closed_at TEXT
        );
        CREATE INDEX session_cash_closed ON session_cash (closed_at);
        -- The largest closing difference accepted without a note when Odoo sets none (one row, or none: the default).
        CREATE TABLE cash_difference_limit (id INTEGER PRIMARY KEY CHECK (id = 1), amount REAL NOT NULL CHECK (amount >= 0), set_at TEXT NOT NULL);
      `);
    },
  },
  {
    version: 13,
    name: 'synced orders checked against Odoo: which database each went to, and those sent again after a restore',
    up(db) {
      db.exec(`
        -- The database (its name and address) an order was synced to: only orders synced to the
        -- database paired now are looked for in it (a terminal paired elsewhere never re-sends them there).
        ALTER TABLE outbox ADD COLUMN synced_to TEXT;
        UPDATE outbox SET synced_to = (SELECT database || '@' || url FROM pairing) WHERE state = 'synced';
        -- When a synced order was last found missing from Odoo (its database went back to an earlier
        -- backup) and queued again; kept once it is synced again, so the sync page can say so.
        ALTER TABLE outbox ADD COLUMN resent_at TEXT;
        -- Missing from Odoo, but no session there can take it yet (18 with no open session): it waits, still marked synced.
        ALTER TABLE outbox ADD COLUMN missing_since TEXT;
        CREATE INDEX outbox_synced_at ON outbox (state, synced_at);
      `);
    },
  },
  {
    version: 14,
    name: 'a week offline: the outbox read in order at any depth, its counts kept, and when Odoo was last out of reach',
    up(db) {
      db.exec(`
        -- The sync's next orders and a state's latest ones (due, list) read in the order sold,
        -- the latest orders of all states (the orders screen), the orders held for a customer
        -- made offline: each an index walk, not a sort of every waiting order.
        CREATE INDEX outbox_sold ON outbox (state, created_at, sequence);
        CREATE INDEX outbox_created ON outbox (created_at);
        CREATE INDEX outbox_customer ON outbox (partner_local_id) WHERE partner_local_id IS NOT NULL;
        -- A session's orders (its next number when it is opened again, its Z report).
        CREATE INDEX outbox_session ON outbox (session_id, sequence);
        -- Orders and their amount per state, kept by triggers: the status bar's counts after every
        -- sale and sync round cost one small read, however many orders wait or were synced.
        CREATE TABLE outbox_tally (
          state TEXT PRIMARY KEY,
          orders INTEGER NOT NULL,
          amount REAL NOT NULL,
          last_synced_at TEXT
        );
        INSERT INTO outbox_tally (state, orders, amount, last_synced_at)
          SELECT state, count(*), total(amount_total), max(synced_at) FROM outbox GROUP BY state;
        CREATE TRIGGER outbox_tally_insert AFTER INSERT ON outbox BEGIN
          INSERT INTO outbox_tally (state, orders, amount, last_synced_at) VALUES (new.state, 1, new.amount_total, new.synced_at)
            ON CONFLICT (state) DO UPDATE SET orders = orders + 1, amount = amount + excluded.amount, last_synced_at = nullif(max(coalesce(last_synced_at, ''), coalesce(excluded.last_synced_at, '')), '');
        END;
        CREATE TRIGGER outbox_tally_delete AFTER DELETE ON outbox BEGIN
          -- An emptied state's amount restarts from 0: no rounding left over from the sums.
          UPDATE outbox_tally SET orders = orders - 1, amount = CASE WHEN orders = 1 THEN 0 ELSE amount - old.amount_total END WHERE state = old.state;
        END;
        CREATE TRIGGER outbox_tally_update AFTER UPDATE OF state, amount_total, synced_at ON outbox BEGIN
          UPDATE outbox_tally SET orders = orders - 1, amount = CASE WHEN orders = 1 THEN 0 ELSE amount - old.amount_total END WHERE state = old.state;
          INSERT INTO outbox_tally (state, orders, amount, last_synced_at) VALUES (new.state, 1, new.amount_total, new.synced_at)
            ON CONFLICT (state) DO UPDATE SET orders = orders + 1, amount = amount + excluded.amount, last_synced_at = nullif(max(coalesce(last_synced_at, ''), coalesce(excluded.last_synced_at, '')), '');
        END;
        -- When Odoo was first found out of reach in the outage going on (none: it answers), kept
        -- across restarts; and after how many hours of it the status bar warns (none: 24).
        CREATE TABLE odoo_outage (id INTEGER PRIMARY KEY CHECK (id = 1), since TEXT NOT NULL);
        CREATE TABLE offline_warning (id INTEGER PRIMARY KEY CHECK (id = 1), hours REAL NOT NULL CHECK (hours > 0), set_at TEXT NOT NULL);
      `);
    },
  },
];
