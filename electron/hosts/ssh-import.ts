import fs from 'node:fs';
import path from 'node:path';
import type { SshImportCandidate } from '../../shared/hosts.js';
import { FleetError } from '../../shared/errors.js';
import { listConfiguredAliases, resolveSshHost, SshConfigError, type ResolvedSshHost, type SshConfigContext } from '../ssh/openssh-config.js';
import type { HostStore } from './host-store.js';

export interface SshImportOptions {
  homeDir: string;
  localUser: string;
  store: HostStore;
}

/** Hosts declared in ~/.ssh/config, resolved as OpenSSH resolves them, ready to add. */
export class SshConfigImporter {
  constructor(private readonly options: SshImportOptions) {}

  private context(configPath?: string): SshConfigContext {
    // Without an explicit file, read ~/.ssh/config and then /etc/ssh/ssh_config, as plain `ssh` does.
    return { homeDir: this.options.homeDir, localUser: this.options.localUser, ...(configPath ? { configPath } : {}) };
  }

  resolve(alias: string, configPath?: string): ResolvedSshHost {
    try {
      return resolveSshHost(alias, this.context(configPath));
    } catch (error) {
      throw asConfigError(error);
    }
  }

  /**
   * @param anyPath the CLI may read any file its user names; the UIs (untrusted callers) only
   *   files under ~/.ssh, since parse errors quote the file's lines.
   */
  candidates(configPath?: string, options: { anyPath?: boolean } = {}): SshImportCandidate[] {
    if (configPath?.startsWith('~/')) configPath = path.join(this.options.homeDir, configPath.slice(2));
    if (configPath !== undefined && !options.anyPath) {
      const sshDir = path.join(this.options.homeDir, '.ssh');
      const resolved = path.resolve(sshDir, configPath);
      if (!resolved.startsWith(sshDir + path.sep)) {
        throw new FleetError('VALIDATION', `Only SSH config files under ${sshDir} can be read from here.`, { issues: [{ path: ['configPath'], message: 'must be under ~/.ssh' }] });
      }
      configPath = resolved;
    }
    let aliases: string[];
    try {
      aliases = listConfiguredAliases(this.context(configPath));
    } catch (error) {
      throw asConfigError(error);
    }
    const existing = this.options.store.list();
    return aliases.map((alias) => {
      const resolved = this.resolve(alias, configPath);
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

function asConfigError(error: unknown): FleetError {
  if (error instanceof FleetError) return error;
  if (error instanceof SshConfigError) return new FleetError('SSH_CONFIG', error.message, { file: error.file, line: error.line });
  return new FleetError('SSH_CONFIG', `Could not read the SSH config: ${(error as Error).message}`);
}
