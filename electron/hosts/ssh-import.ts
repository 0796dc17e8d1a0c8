import fs from 'node:fs';
import path from 'node:path';
import type { SshImportCandidate } from '../../shared/hosts.js';
import { FleetError } from '../../shared/errors.js';
import { listConfiguredAliases, resolveSshHost, SshConfigError, type IncludeDirective, type ResolvedSshHost, type SshConfigContext } from '../ssh/openssh-config.js';
import type { HostStore } from './host-store.js';

export interface SshImportOptions {
  homeDir: string;
  localUser: string;
  store: HostStore;
}

/**
 * `anyPath`: the CLI may read any file its user names; the UIs (untrusted callers) only files
 * under ~/.ssh — the config and everything it includes, symbolic links followed — since parse
 * errors quote the file's lines.
 */
export interface SshReadScope {
  anyPath?: boolean;
}

/** Hosts declared in ~/.ssh/config, resolved as OpenSSH resolves them, ready to add. */
export class SshConfigImporter {
  constructor(private readonly options: SshImportOptions) {}

  private get sshDir(): string {
    return path.join(this.options.homeDir, '.ssh');
  }

  private context(configPath: string | undefined, scope: SshReadScope): SshConfigContext {
    // Without an explicit file, read ~/.ssh/config and then /etc/ssh/ssh_config, as plain `ssh` does.
    return {
      homeDir: this.options.homeDir,
      localUser: this.options.localUser,
      ...(configPath ? { configPath } : {}),
      ...(scope.anyPath ? {} : { vetUserFile: confinedTo(this.sshDir) }),
    };
  }

  resolve(alias: string, configPath?: string, scope: SshReadScope = {}): ResolvedSshHost {
    try {
      return resolveSshHost(alias, this.context(configPath, scope));
    } catch (error) {
      throw asConfigError(error);
    }
  }

  candidates(configPath?: string, scope: SshReadScope = {}): SshImportCandidate[] {
    if (configPath?.startsWith('~/')) configPath = path.join(this.options.homeDir, configPath.slice(2));
    if (configPath !== undefined && !scope.anyPath) {
      const sshDir = this.sshDir;
      const resolved = path.resolve(sshDir, configPath);
      if (!resolved.startsWith(sshDir + path.sep)) {
        throw new FleetError('VALIDATION', `Only SSH config files under ${sshDir} can be read from here.`, { issues: [{ path: ['configPath'], message: 'must be under ~/.ssh' }] });
      }
      configPath = resolved;
    }
    let aliases: string[];
    try {
      aliases = listConfiguredAliases(this.context(configPath, scope));
    } catch (error) {
      throw asConfigError(error);
    }
    const existing = this.options.store.list();
    return aliases.map((alias) => {
      const resolved = this.resolve(alias, configPath, scope);
      const identityFiles = resolved.identityFilesAreDefault ? resolved.identityFiles.filter((file) => fs.existsSync(file)) : resolved.identityFiles;
      return {
        alias,
        hostName: resolved.hostName,
        port: resolved.port,
        user: resolved.user,
        identityFiles,
        proxyJump: resolved.proxyJump.map((jump) => ({ host: jump.host, ...(jump.user ? { user: jump.user } : {}), ...(jump.port ? { port: jump.port } : {}) })),
        ...(resolved.identityAgent ? { identityAgent: resolved.identityAgent } : {}),
        alreadyAdded: existing.some((host) => host.address === resolved.hostName && host.port === resolved.port && host.user === resolved.user),
      };
    });
  }
}

/**
 * Refuses any file of the user config that is not under `dir` once symbolic links are followed
 * (an Include's glob, `..` or absolute path, or a link inside `dir` pointing out), before it is
 * read, naming the Include directive that led there, never the other file's contents.
 */
function confinedTo(dir: string): (file: string, includedBy?: IncludeDirective) => void {
  const root = realpathOrNull(dir) ?? path.resolve(dir);
  return (file, includedBy) => {
    const real = realpathOrNull(file);
    if (real === null || real.startsWith(root + path.sep)) return; // a missing file is not read at all
    const what = includedBy ? `${includedBy.file} line ${includedBy.line}: "${includedBy.directive}" leads to a file outside ${dir}` : `${file} leads outside ${dir} (a symbolic link)`;
    throw new FleetError('VALIDATION', `${what}; only files under ~/.ssh are read from here (the CLI's --config reads any file).`, {
      ...(includedBy ? { file: includedBy.file, line: includedBy.line, directive: includedBy.directive } : { file }),
    });
  };
}

/** The path with every symbolic link followed; null when nothing is there. */
function realpathOrNull(file: string): string | null {
  try {
    return fs.realpathSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new FleetError('SSH_CONFIG', `Could not tell where ${file} leads: ${code ?? (error as Error).message}`);
  }
}

function asConfigError(error: unknown): FleetError {
  if (error instanceof FleetError) return error;
  if (error instanceof SshConfigError) return new FleetError('SSH_CONFIG', error.message, { file: error.file, line: error.line });
  return new FleetError('SSH_CONFIG', `Could not read the SSH config: ${(error as Error).message}`);
}
