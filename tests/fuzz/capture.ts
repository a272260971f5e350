/**
 * Captures the fuzz corpus from real peers, once; the files are kept in
 * `tests/fuzz/corpus/<codec>/` and `deno task fuzz` mutates them. Run it again
 * by hand when a peer's traffic should be refreshed:
 *
 *     deno run -A --unstable-net tests/fuzz/capture.ts
 *
 * It needs the Debian packages `.ci/run` installs: `python3-twisted` (what
 * Twisted's own protocol implementations write), `curl` (HTTP requests),
 * `dnsutils` and `knot-dnsutils` (the queries dig and kdig send). The zone-file
 * seeds are the DNS tests' fixture zones.
 *
 * @module
 */
const corpus = new URL("./corpus/", import.meta.url);

async function save(codec: string, name: string, data: Uint8Array) {
  const dir = new URL(`${codec}/`, corpus);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(new URL(name, dir), data);
  console.log(`${codec}/${name}: ${data.length} bytes`);
}

async function run(command: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command(command, {
    args,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(`${command} failed: ${new TextDecoder().decode(stderr)}`);
  }
}

// The bytes a client sends to a TCP server that answers `reply` once the
// request has gone quiet for a moment.
async function captureTCP(
  client: (port: number) => Promise<void>,
  reply: string,
): Promise<Uint8Array> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    const conn = await listener.accept();
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(65536);
    while (true) {
      const timer = new Promise<null>((resolve) =>
        setTimeout(() => resolve(null), 300)
      );
      const n = await Promise.race([conn.read(buffer), timer]);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
    await conn.write(new TextEncoder().encode(reply));
    conn.close();
    return chunks;
  })();
  await client(listener.addr.port);
  const chunks = await served;
  listener.close();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// The first datagram a client sends to a UDP port (the client then times out).
async function captureUDP(
  client: (port: number) => Promise<void>,
): Promise<Uint8Array> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const received = socket.receive();
  const port = (socket.addr as Deno.NetAddr).port;
  const asked = client(port).catch(() => {});
  const [data] = await received;
  socket.close();
  await asked;
  return data;
}

const OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

async function captureHTTP() {
  const curl = (args: string[]) => (port: number) =>
    run("curl", [
      "-s",
      "-o",
      "/dev/null",
      ...args,
      `http://127.0.0.1:${port}/path/to?q=1&r=%20`,
    ]);
  await save("http-request", "curl_get", await captureTCP(curl([]), OK));
  await save(
    "http-request",
    "curl_post_form",
    await captureTCP(curl(["-d", "name=alice&msg=hello+world"]), OK),
  );
  await save(
    "http-request",
    "curl_post_chunked",
    await captureTCP(
      curl([
        "-H",
        "Transfer-Encoding: chunked",
        "-H",
        "Expect:",
        "--data-binary",
        "first chunk of a body, then more",
      ]),
      OK,
    ),
  );
  await save(
    "http-request",
    "curl_headers",
    await captureTCP(
      curl([
        "-H",
        "Cookie: a=1; b=2",
        "-H",
        "Range: bytes=0-99",
        "-H",
        'If-None-Match: "abc"',
        "--compressed",
      ]),
      OK,
    ),
  );
}

async function captureDNS() {
  const dig = (args: string[]) => (port: number) =>
    run("dig", [
      "@127.0.0.1",
      "-p",
      String(port),
      "+tries=1",
      "+time=1",
      ...args,
    ]);
  const kdig = (args: string[]) => (port: number) =>
    run("kdig", [
      "@127.0.0.1",
      "-p",
      String(port),
      "+retry=0",
      "+time=1",
      ...args,
    ]);
  for (
    const [name, client] of [
      ["dig_a", dig(["example.org", "A"])],
      ["dig_ptr", dig(["-x", "192.0.2.1"])],
      ["kdig_mx_nsid", kdig(["example.org", "MX", "+nsid"])],
      ["kdig_txt_cookie", kdig(["example.org", "TXT", "+cookie"])],
    ] as const
  ) {
    await save("dns-wire", name, await captureUDP(client));
  }
  // dig asks ANY over TCP: the message follows a two-byte length.
  const any = dig(["example.org", "ANY", "+dnssec"]);
  const framed = await captureTCP((port) => any(port).catch(() => {}), "");
  await save("dns-wire", "dig_any_dnssec", framed.subarray(2));
}

async function captureZones() {
  const fixtures = new URL("../protocols/dns/fixtures/", import.meta.url);
  for await (const entry of Deno.readDir(fixtures)) {
    if (!entry.name.endsWith(".zone")) continue;
    await save(
      "zone-file",
      entry.name,
      await Deno.readFile(new URL(entry.name, fixtures)),
    );
  }
}

if (import.meta.main) {
  await run("/usr/bin/python3", [
    new URL("./capture_twisted.py", import.meta.url).pathname,
    corpus.pathname,
  ]);
  await captureHTTP();
  await captureDNS();
  await captureZones();
}
