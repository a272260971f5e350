// The program of docs/tls_and_certificates.md: a TLS server from an endpoint
// string, a client that trusts a private CA, and STARTTLS (a cleartext
// connection that turns into TLS). It prints what each connection saw and
// exits 0. Make the certificates first (the guide shows the openssl commands).
//
// Run it:   deno run --allow-net --allow-read examples/guide_tls.ts \
//             --ca ca.pem --cert localhost.pem --key localhost.key
import { Factory, listen, react, startTLS, tlsInfo } from "../reactor/mod.ts";
import { LineDecoder, LineReceiver } from "../protocols/basic/mod.ts";

function option(name: string): string {
  const index = Deno.args.indexOf(`--${name}`);
  const value = index >= 0 ? Deno.args[index + 1] : undefined;
  if (value === undefined) throw new Error(`give --${name} FILE`);
  return value;
}
const [caFile, certFile, keyFile] = [
  option("ca"),
  option("cert"),
  option("key"),
];
const caCert = await Deno.readTextFile(caFile);
const cert = await Deno.readTextFile(certFile);
const key = await Deno.readTextFile(keyFile);

// STARTTLS, server side: after "STARTTLS" and our "GO", the same connection
// carries TLS; the line protocol goes on inside it.
class StartTLSServer extends LineReceiver {
  override delimiter = "\n";

  override async lineReceived(line: string): Promise<void> {
    if (line !== "STARTTLS") return this.sendLine(line.toUpperCase());
    this.sendLine("GO");
    await this.transport.startTLS({ isServer: true, cert, key });
  }
}

await react(async (reactor) => {
  // 1. A TLS listener from an endpoint string (durations in seconds there).
  const endpoint = `tls:0:interface=127.0.0.1:privateKey=${keyFile}` +
    `:certKey=${certFile}:alpn=greet/1:handshakeTimeout=10`;
  await using listener = await listen(endpoint);
  const { port } = listener.addr as Deno.NetAddr;
  const served = (async () => {
    await using conn = await listener.accept();
    const info = await tlsInfo(conn);
    const text = `alpn=${info?.alpnProtocol} sni=${info?.serverName}\n`;
    await conn.write(new TextEncoder().encode(text));
  })();

  // 2. A client that trusts our CA besides the system's.
  await using client = await reactor.connectTLS("localhost", port, {
    caCerts: [caCert],
    alpnProtocols: ["greet/1"],
  });
  console.log(`tls: ${(await new Response(client.readable).text()).trim()}`);
  await served;

  // 3. STARTTLS: a cleartext line protocol that upgrades.
  const plain = await reactor.listenTCP(
    0,
    Factory.forProtocol(StartTLSServer),
    {
      interface: "127.0.0.1",
    },
  );
  const plainPort = (plain.getHost() as Deno.NetAddr).port;
  await using conn = await reactor.connectTCP("localhost", plainPort);
  await conn.write(new TextEncoder().encode("STARTTLS\n"));
  const go = await conn.read(); // "GO\n": nothing more comes in cleartext
  console.log(`starttls: ${new TextDecoder().decode(go!).trim()}`);
  await startTLS(conn, { hostname: "localhost", caCerts: [caCert] });
  await conn.write(new TextEncoder().encode("secret\n"));
  await conn.closeWrite();
  for await (
    const line of conn.readable.pipeThrough(
      new LineDecoder({ delimiter: "\n" }),
    )
  ) {
    console.log(`starttls: ${line} (encrypted)`);
  }
  await plain.stopListening();
});
