// A POS terminal started as after a power cut, with nobody there: its data folder and key file
// come from the environment (FLEET_DATA_DIR, FLEET_POS_KEY_FILE) as `npm run pos` takes them, and
// no passphrase. It sells one order, syncs, and prints what happened as one line of JSON.
import { silentLogger } from '../../electron/common/log.js';
import { defaultDataDir } from '../../electron/common/paths.js';
import { createPosServices } from '../../electron/pos/pos-services.js';
import { cashSale, saleInputOf } from './pos-terminal.js';

const pos = createPosServices({ dataDir: defaultDataDir('pos'), log: silentLogger, sync: { backoffBaseMs: 10, backoffMaxMs: 50 } });
const vault = pos.vault.status();
// As the selling page does it: a cashier logs in, the sale goes through the contract.
const till = { actor: 'till@pos', role: 'cashier' as const, transport: 'internal' as const };
const login = await pos.dispatcher.invoke('pos.cashierLogin', {}, till);
const sold = await pos.dispatcher.invoke('pos.sell', { sale: saleInputOf(cashSale(pos, 12, 1)) }, till);
if (!login.ok || !sold.ok) throw new Error(JSON.stringify({ login, sold }));
const order = sold.value as { name: string };
const round = await pos.sync.sync();
process.stdout.write(`${JSON.stringify({ vault, order: order.name, round, outbox: pos.outbox.counts() })}\n`);
await pos.close();
