import type { Command } from 'commander';
import { table } from './actions.js';
import { print, run } from './context.js';
import { readAllStdin, readSecret } from './prompt.js';

// `odoo-fleet keys …`: backup encryption keys.

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('backup encryption keys: yours to keep; export them somewhere safe, import them into another console to restore there');
  keys
    .command('list')
    .action(
      run(async (ctx) => {
        const list = await ctx.call('keys.list', {});
        print(ctx, list, () => (list.length ? table([['NAME', 'ID', 'CREATED'], ...list.map((k) => [k.name, k.id, k.createdAt])]) : 'No backup keys yet: odoo-fleet keys create <name>'));
      }),
    );
  keys
    .command('create <name>')
    .description('make a new random key (AES-256), kept in the vault')
    .action(
      run(async (ctx, name: string) => {
        const key = await ctx.call('keys.create', { name });
        print(ctx, key, () => `Created backup key ${key.name} (${key.id}). Export it now and keep it offline: without it, its archives cannot be read.`);
      }),
    );
  keys
    .command('export <name>')
    .description('print the key as one line of text (to stdout only)')
    .action(
      run(async (ctx, name: string) => {
        const key = await ctx.call('keys.export', { name });
        print(ctx, key, () => key.secret);
      }),
    );
  keys
    .command('import <name>')
    .description('import an exported key, read from stdin or from the environment variable --secret-env names')
    .option('--secret-env <var>', 'read the key line from this environment variable instead of stdin')
    .action(
      run(async (ctx, name: string, opts: { secretEnv?: string }) => {
        const secret = opts.secretEnv ? await readSecret(opts.secretEnv, null) : await readAllStdin();
        const key = await ctx.call('keys.import', { name, secret: (secret ?? '').trim() });
        print(ctx, key, () => `Imported backup key ${key.name} (${key.id}).`);
      }),
    );
  keys
    .command('rm <name>')
    .description('forget a key: archives it encrypted cannot be read by this console any more')
    .action(
      run(async (ctx, name: string) => {
        const result = await ctx.call('keys.remove', { name });
        print(ctx, result, () => `Forgot backup key ${name}.`);
      }),
    );
}
