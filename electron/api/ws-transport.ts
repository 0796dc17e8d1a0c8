import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ClientFrame, MAX_INPUT_DEPTH, nestsDeeperThan, type ServerFrame } from '../../shared/ws-protocol.js';
import type { CallContext, Dispatcher } from './dispatcher.js';
import type { EventBus } from './events.js';

/**
 * The contract over WebSocket: one frame per call, one per result, events broadcast. The HTTP
 * server authenticates the upgrade; this side validates every frame like any other input.
 */
export class WsTransport {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly unsubscribe: () => void;

  constructor(
    private readonly dispatcher: Dispatcher,
    events: EventBus,
    private readonly context: () => CallContext,
  ) {
    this.unsubscribe = events.onAny((event, payload) => {
      const frame = JSON.stringify({ type: 'event', event, payload } satisfies ServerFrame);
      for (const client of this.wss.clients) if (client.readyState === client.OPEN) client.send(frame);
    });
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.attach(ws));
  }

  private attach(ws: WebSocket) {
    // A frame over the size limit or with invalid UTF-8: ws closes that connection and reports it
    // here; unheard, the error would stop the whole server.
    ws.on('error', () => ws.terminate());
    ws.on('message', async (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      let frame: ClientFrame;
      try {
        frame = ClientFrame.parse(JSON.parse(data.toString()));
      } catch {
        return ws.close(1007, 'malformed frame');
      }
      const result = nestsDeeperThan(frame.input, MAX_INPUT_DEPTH)
        ? { ok: false as const, error: { code: 'VALIDATION', message: `A call's input may nest at most ${MAX_INPUT_DEPTH} levels deep.` } }
        : await this.dispatcher.invoke(frame.op, frame.input, this.context());
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: frame.id, result } satisfies ServerFrame));
    });
  }

  close(): void {
    this.unsubscribe();
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }
}
