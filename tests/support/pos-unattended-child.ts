// A POS terminal started as after a power cut, with nobody there: its data folder and key file
// come from the environment (FLEET_DATA_DIR, FLEET_POS_KEY_FILE) as `npm run pos` takes them, and
// no passphrase. It sells one order, syncs, and prints what happened as one line of JSON.
import { silentLogger } from '../../electron/common/log.js';
import { defaultDataDir } from '../../electron/common/paths.js';
import { createPosServices } from '../../electron/pos/pos-services.js';
import { cashSale } from './pos-terminal.js';

const pos = createPosServices({ dataDir: defaultDataDir('pos'), log: silentLogger, sync: { backoffBaseMs: 10, backoffMaxMs: 50 } });
const vault = pos.vault.status();
const order = pos.terminal.commitSale(cashSale(12, 1, 4.25));
const round = await pos.sync.sync();
process.stdout.write(`${JSON.stringify({ vault, order: order.name, round, outbox: pos.outbox.counts() })}\n`);
await pos.close();
