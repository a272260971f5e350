import { assertEquals } from "../trial/assertions.ts";
import { seededRandom, splitAnywhere } from "./_random.ts";

Deno.test("splitAnywhere's pieces are the input in order", () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  const random = seededRandom(1);
  for (let round = 0; round < 50; round++) {
    const pieces = splitAnywhere(bytes, random, { maxPiece: 1 + round });
    const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const piece of pieces) {
      joined.set(piece, at);
      at += piece.length;
    }
    assertEquals(joined, bytes);
  }
});

Deno.test("splitAnywhere's pieces hold 0 to maxPiece bytes, empty ones included", () => {
  const pieces = splitAnywhere(new Uint8Array(10_000), seededRandom(2), {
    maxPiece: 5,
  });
  const sizes = new Set(pieces.map((piece) => piece.length));
  assertEquals([...sizes].sort(), [0, 1, 2, 3, 4, 5]);
});
