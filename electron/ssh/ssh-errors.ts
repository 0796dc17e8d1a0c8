import { FleetError } from '../../shared/errors.js';

interface Ssh2LikeError extends Error {
  code?: string;
  level?: string;
}

/** Turns what ssh2 and net throw into errors that say what happened and what to check. */
export function classifySshError(error: unknown, where: { address: string; port: number; user: string }): FleetError {
  if (error instanceof FleetError) return error;
  const err = (error instanceof Error ? error : new Error(String(error))) as Ssh2LikeError;
  const at = `${where.address}:${where.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new FleetError('CONNECTION_REFUSED', `Nothing accepts SSH connections at ${at} (connection refused). Is sshd running, and is the port right?`, { address: where.address, port: where.port });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FleetError('HOST_UNREACHABLE', `Cannot resolve the host name "${where.address}".`, { address: where.address });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return new FleetError('HOST_UNREACHABLE', `No route to ${at}: the host is down or the network is cut.`, { address: where.address, port: where.port });
    case 'ETIMEDOUT':
      return new FleetError('HOST_UNREACHABLE', `Timed out connecting to ${at}: the host did not answer.`, { address: where.address, port: where.port });
    case 'ECONNRESET':
    case 'EPIPE':
      return new FleetError('HOST_UNREACHABLE', `The connection to ${at} was cut while logging in. Is it an SSH server?`, { address: where.address, port: where.port });
    default:
      break;
  }
  if (err.level === 'client-authentication') {
    return new FleetError('AUTH_FAILED', `${at} refused the credentials offered for user "${where.user}".`, { address: where.address, port: where.port, user: where.user });
  }
  if (err.level === 'client-timeout' || /timed out while waiting for handshake/i.test(err.message)) {
    return new FleetError('HOST_UNREACHABLE', `No SSH handshake from ${at} in time: the port answers but does not speak SSH, or the host is overloaded.`, { address: where.address, port: where.port });
  }
  if (err.level === 'protocol' || /protocol|ident/i.test(err.message)) {
    return new FleetError('HOST_UNREACHABLE', `The service at ${at} does not speak SSH (${err.message}). Is the port right?`, { address: where.address, port: where.port });
  }
  if (err.level === 'client-socket') {
    return new FleetError('HOST_UNREACHABLE', `Connection to ${at} failed: ${err.message}`, { address: where.address, port: where.port });
  }
  return new FleetError('HOST_UNREACHABLE', `SSH to ${at} failed: ${err.message}`, { address: where.address, port: where.port });
}
