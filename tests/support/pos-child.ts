// A POS backend in its own process, for tests that SIGKILL it: `sync` pushes the outbox until
// nothing is due (printing each round), `sell` commits one sale and prints its name once it is
// stored, then waits to be killed.
import { cashSale, openPos } from './pos-terminal.js';

const [mode, dataDir] = process.argv.slice(2);
const pos = openPos(dataDir!, { batchSize: Number(process.env.POS_BATCH ?? 25), backoffBaseMs: 10, backoffMaxMs: 50 });

if (mode === 'sync') {
  process.stdout.write('ready\n');
  for (;;) {
    const round = await pos.sync.syncOnce();
    process.stdout.write(`${JSON.stringify(round)}\n`);
    if (pos.outbox.counts().pending === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await pos.close();
  process.stdout.write('done\n');
} else if (mode === 'sell') {
  const order = pos.terminal.commitSale(cashSale(pos, 10, 1));
  process.stdout.write(`sold ${order.name}\n`);
  setInterval(() => {}, 1000);
}
