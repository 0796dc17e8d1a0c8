import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startFakeOdoo } from '../fixtures/fake-odoo/server.js';
import { cashSale, newPosDir, pairedTerminal } from '../support/pos-terminal.js';

// The sync engine as a state machine under random failures (a seeded generator, so a failing
// seed replays): sales keep coming while Odoo goes down, answers 503, cuts connections after
// processing (pushes or lookups), or refuses a call. Whatever happened, once Odoo behaves:
// no order is in Odoo twice, every order the terminal calls synced is there with its total,
// every order in Odoo is one the terminal calls synced, and nothing is left pending.

function generator(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

describe('POS sync under random failures', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`keeps every order exactly once (seed ${seed})`, async () => {
      const random = generator(seed);
      const odoo = await startFakeOdoo({ version: seed % 2 ? '17.0' : '18.0', seed });
      const dir = newPosDir();
      const pos = await pairedTerminal(odoo, dir, { batchSize: 1 + Math.floor(random() * 8), random, backoffBaseMs: 1, backoffMaxMs: 2 });
      try {
        const sold = new Map<string, number>();
        for (let step = 0; step < 40; step++) {
          for (let n = Math.floor(random() * 4); n > 0; n--) {
            const order = pos.terminal.commitSale(cashSale(pos, 10 + Math.floor(random() * 20), 1 + Math.floor(random() * 3)));
            random(); // once a price of its own: still drawn, so each seed replays the faults it always did
            sold.set(order.name, order.amountTotal);
          }
          const fault = random();
          if (fault < 0.15) await odoo.down('refuse');
          else if (fault < 0.25) await odoo.down('http503');
          else if (fault < 0.45) odoo.cutAfterProcessing(1, random() < 0.7 ? 'create_from_ui' : undefined);
          else if (fault < 0.5) odoo.failNext(seed % 2 ? 'create_from_ui' : 'sync_from_ui', 'Injected refusal');
          await pos.sync.syncOnce();
          if (fault < 0.25) await odoo.up();
          await new Promise((r) => setTimeout(r, 3)); // past the (tiny) backoff
        }
        // Odoo behaves from now on: refused orders stay parked, everything else arrives.
        for (let i = 0; i < 50 && pos.outbox.counts().pending > 0; i++) {
          await pos.sync.sync();
          await new Promise((r) => setTimeout(r, 3));
        }
        const stored = odoo.orders();
        const references = stored.map((o) => o.pos_reference as string);
        expect(new Set(references).size, 'an order in Odoo twice').toBe(references.length);
        const local = pos.outbox.list(undefined, 10_000);
        const synced = new Set(local.filter((o) => o.state === 'synced').map((o) => o.name));
        expect(pos.outbox.counts().pending).toBe(0);
        expect([...synced].sort()).toEqual([...references].sort());
        for (const o of stored) expect(o.amount_total).toBe(sold.get(o.pos_reference as string));
        for (const parked of local.filter((o) => o.state === 'parked')) {
          expect(parked.lastError).toMatch(/Injected refusal/);
          expect(references).not.toContain(parked.name);
        }
        expect(local.length).toBe(sold.size);
      } finally {
        await pos.close();
        await odoo.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
