/**
 * The demo's WebSocket echo (RFC 6455, with permessage-deflate), on port
 * base + 8080.
 *
 * @module
 */
import { HTTPFactory } from "../../protocols/http/server.ts";
import { upgradeWebSocket } from "../../protocols/websocket/server.ts";
import { StreamServerEndpointService } from "../endpoint_service.ts";
import { type DemoService, endpointString } from "./demo_service.ts";

/**
 * WebSocket: each message comes back, text as text and binary as binary.
 *
 * @example Usage
 * ```ts
 * import { websocket } from "./websocket.ts";
 * console.assert(websocket.port === 8080);
 * ```
 */
export const websocket: DemoService = {
  name: "websocket",
  description:
    "a WebSocket echo (RFC 6455, permessage-deflate): each message comes back",
  port: 8080,
  tryIt: ({ hostname, port }) => [{
    // A few lines of Python websockets: its interactive client
    // (python3 -m websockets) quits at the end of its input before the echo.
    command: `/usr/bin/python3 -c "import asyncio, websockets
async def main():
    async with websockets.connect('ws://${hostname}:${port}/') as ws:
        await ws.send('hello')
        print('echoed:', await ws.recv())
asyncio.run(main())"`,
    expect: "echoed: hello",
    note:
      `interactive: python3 -m websockets ws://${hostname}:${port}/ ; a chat in the browser: deno run -A examples/websocket_chat.ts`,
  }],
  makeService: ({ address }) =>
    new StreamServerEndpointService(
      endpointString(address),
      new HTTPFactory((request, info) => {
        const { socket, response } = upgradeWebSocket(request, info);
        socket.onmessage = (event) => socket.send(event.data);
        return response;
      }),
      { name: "websocket" },
    ),
};
