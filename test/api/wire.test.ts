import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeMessage, encodeMessage } from "../../src/core/api/wire.ts";

describe("encodeMessage / decodeMessage", () => {
  it("sends plain messages as JSON text", () => {
    const m = { type: "request", id: 3, method: "getSession", params: {} };
    const enc = encodeMessage(m);
    assert.equal(typeof enc, "string");
    assert.deepEqual(decodeMessage(enc), m);
  });
  it("sends typed arrays as binary, round trip exact and not as number lists", () => {
    const pixels = new Uint16Array(516 * 1556).map((_, i) => (i * 7) % 65536);
    const f64 = new Float64Array([1.5, NaN, -Infinity, 3]);
    const m = { type: "response", id: 1, ok: true, result: { shape: [516, 1556], pixels, nested: [{ f64 }] } };
    const enc = encodeMessage(m);
    assert.ok(enc instanceof Uint8Array);
    // Binary payload ≈ raw byte size, nowhere near a JSON list of 800k numbers.
    assert.ok(enc.byteLength < pixels.byteLength + 1000, `size ${enc.byteLength}`);
    const dec = decodeMessage(enc.slice(0)) as typeof m;
    assert.ok(dec.result.pixels instanceof Uint16Array);
    assert.deepEqual(dec.result.pixels, pixels);
    assert.ok(Object.is(dec.result.nested[0]!.f64[1], NaN));
    assert.equal(dec.result.nested[0]!.f64[2], -Infinity);
  });
  it("decodes from an unaligned view", () => {
    const enc = encodeMessage({ a: new Float64Array([1, 2, 3]) }) as Uint8Array;
    const shifted = new Uint8Array(enc.byteLength + 3);
    shifted.set(enc, 3);
    const dec = decodeMessage(shifted.subarray(3)) as { a: Float64Array };
    assert.deepEqual([...dec.a], [1, 2, 3]);
  });
  it("rejects malformed binary messages with a clear error", () => {
    const enc = encodeMessage({ a: new Float32Array(100) }) as Uint8Array;
    assert.throws(() => decodeMessage(enc.subarray(0, enc.byteLength - 16)), /truncated/);
    const bad = enc.slice();
    bad[0] = 0;
    assert.throws(() => decodeMessage(bad), /magic/);
    assert.throws(() => decodeMessage(new Uint8Array(3)), /shorter/);
    assert.throws(() => decodeMessage("{not json"), /not valid JSON/);
  });
});
