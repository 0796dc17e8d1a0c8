import { Command, Option } from 'commander';
import { ROLES } from '../../shared/contract.js';
import { registerBackupCommands } from './backups.js';
import { EXIT } from './exit-codes.js';
import { registerHostCommands } from './hosts.js';
import { registerAuditCommand, registerJobCommands } from './jobs.js';
import { registerKeyCommands } from './keys.js';
import { registerPosCommands } from './pos-commands.js';
import { registerStagingCommands } from './staging.js';
import { registerTenantCommands } from './tenants.js';

// `odoo-fleet`: the console's services from a terminal. Every command goes through the same
// dispatcher as the UIs (validation, roles, audit), prints text or, with --json, one JSON
// document on stdout, and exits with a code from cli/exit-codes.ts. The commands live in
// cli/, one file per area (cli/README.md); this builds the program from them.

export function buildCli(): Command {
  const program = new Command('odoo-fleet')
    .description('Fleet Console from the command line: hosts, their Docker Engine and PostgreSQL over SSH.')
    .option('--json', 'print one JSON document instead of text')
    .option('--progress', "with --json: still show a long job's steps on stderr")
    .option('--data-dir <dir>', 'the console store (default: the user data directory, or FLEET_DATA_DIR)')
    .addOption(new Option('--role <role>', 'act with a lower role (guard rails, see README)').choices([...ROLES]).env('FLEET_ROLE'))
    .showHelpAfterError()
    .exitOverride();

  registerHostCommands(program);
  registerTenantCommands(program);
  registerBackupCommands(program);
  registerStagingCommands(program);
  registerKeyCommands(program);
  registerJobCommands(program);
  registerAuditCommand(program);
  registerPosCommands(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const err = error as { code?: string; exitCode?: number };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      process.exitCode = EXIT.ok;
      return;
    }
    process.exitCode = typeof err.exitCode === 'number' && err.exitCode !== 0 ? EXIT.usage : EXIT.failed;
  }
}
