// The spindle CLI as a subprocess: the `web` plugin and graceful stop during downloads.
import {
  assertEquals,
  assertMatch,
  assertRejects,
  test,
} from "../../trial/mod.ts";
import { CliProcess, LOOPBACK } from "./_cli.ts";
import { withTempDir } from "../_temp_dir.ts";
import { makeTestPki } from "../reactor/_tls.ts";
import { findPeer, PEERS } from "../_peers.ts";

const curl = findPeer(PEERS.curl);

test("web serves the files of --path on port 0", () =>
  withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/hello.txt`, "hello, file");
    await using server = await CliProcess.start([
      "web",
      "--listen",
      LOOPBACK,
      "--path",
      dir,
    ]);
    const response = await fetch(`http://127.0.0.1:${server.port}/hello.txt`);
    assertEquals(response.status, 200);
    assertEquals(await response.text(), "hello, file");
    const missing = await fetch(`http://127.0.0.1:${server.port}/nope.txt`);
    assertEquals(missing.status, 404);
    await missing.body?.cancel();
    server.kill("SIGTERM");
    const { code, stderr } = await server.wait();
    assertEquals(code, 0);
    assertMatch(stderr, /GET \/hello\.txt 200/);
  }));

test(
  "web over tls: serves HTTP/2 to a client offering h2 and HTTP/1.1 to one that does not",
  () =>
    withTempDir(async (dir) => {
      const pki = await makeTestPki();
      await Deno.writeTextFile(`${dir}/hello.txt`, "hello, tls");
      await using server = await CliProcess.start([
        "web",
        "--listen",
        `tls:0:interface=127.0.0.1:certKey=${pki.dir}/localhost.pem:privateKey=${pki.dir}/localhost.key`,
        "--path",
        dir,
      ]);
      const url = `https://localhost:${server.port}/hello.txt`;
      for (const [flag, version] of [["--http2", "2"], ["--http1.1", "1.1"]]) {
        const { code, stdout, stderr } = await new Deno.Command(curl.path, {
          args: [
            "--silent",
            "--show-error",
            "--cacert",
            `${pki.dir}/ca.pem`,
            "--resolve",
            `localhost:${server.port}:127.0.0.1`,
            flag!,
            "--write-out",
            "\n%{http_version} %{http_code}",
            url,
          ],
        }).output();
        assertEquals(new TextDecoder().decode(stderr), "");
        assertEquals(code, 0);
        assertEquals(
          new TextDecoder().decode(stdout),
          `hello, tls\n${version} 200`,
        );
      }
      server.kill("SIGTERM");
      assertEquals((await server.wait()).code, 0);
    }),
  { ignore: curl.ignore },
);

test("web --max-body-size answers a longer upload with 413 before reading it", () =>
  withTempDir(async (dir) => {
    await using server = await CliProcess.start([
      "web",
      "--listen",
      LOOPBACK,
      "--path",
      dir,
      "--max-body-size",
      "1024",
    ]);
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.port,
    });
    await conn.write(
      new TextEncoder().encode(
        "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n",
      ),
    );
    const answer = await new Response(conn.readable).text();
    assertMatch(answer, /^HTTP\/1\.1 413 /);
    server.kill("SIGTERM");
    assertEquals((await server.wait()).code, 0);
  }));

test("SIGTERM during a slow download lets the download finish", () =>
  withTempDir(async (dir) => {
    const size = 16 * 1024 * 1024;
    const content = new Uint8Array(size);
    for (let i = 0; i < size; i += 4096) content[i] = (i >> 12) & 0xff;
    await Deno.writeFile(`${dir}/big.bin`, content);
    await using server = await CliProcess.start([
      "web",
      "--listen",
      LOOPBACK,
      "--path",
      dir,
    ]);
    const response = await fetch(`http://127.0.0.1:${server.port}/big.bin`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    let received = first.value?.length ?? 0;
    // The client stalls: the server is stuck mid-body on backpressure when
    // the signal arrives.
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.kill("SIGTERM");
    await server.waitFor(() =>
      /waiting up to \d+ ms for 1 open connections/.test(server.stderr)
    );
    const chunks = [first.value!];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
    }
    assertEquals(received, size);
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.length;
    }
    for (let i = 0; i < size; i += 4096) {
      if (body[i] !== content[i]) throw new Error(`byte ${i} differs`);
    }
    const { code, stderr } = await server.wait();
    assertEquals(code, 0);
    assertEquals(stderr.includes("cutting"), false);
  }));

test("a download still running at the shutdown timeout is cut", () =>
  withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/big.bin`, new Uint8Array(32 * 1024 * 1024));
    await using server = await CliProcess.start([
      "web",
      "--listen",
      LOOPBACK,
      "--path",
      dir,
      "--shutdown-timeout",
      "0.2",
    ]);
    const response = await fetch(`http://127.0.0.1:${server.port}/big.bin`);
    const reader = response.body!.getReader();
    await reader.read();
    server.kill("SIGTERM");
    const { code, stderr } = await server.wait();
    assertEquals(code, 0);
    assertMatch(stderr, /cutting 1 connections still open after 200 ms/);
    await assertRejects(async () => {
      while (!(await reader.read()).done) { /* the rest, until the cut */ }
    });
  }));
