import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { methodNames, parseHostMessage, parseRequest, validateResult } from "../../src/core/api/host-api.ts";

describe("parseRequest", () => {
  it("accepts a valid request for every method with the right params", () => {
    assert.equal(parseRequest({ type: "request", id: 1, method: "readFrame", params: { datasetId: "d1", shotIndex: 4 } }).method, "readFrame");
    assert.equal(parseRequest({ type: "request", id: 2, method: "getShots", params: { datasetId: "d1" } }).id, 2);
    assert.ok(methodNames.includes("query"));
  });
  it("names the offending field of a bad request", () => {
    assert.throws(() => parseRequest({ type: "request", id: 1, method: "readFrame", params: { datasetId: "d1", shotIndex: -1 } }), /params\.shotIndex: expected integer/);
    assert.throws(() => parseRequest({ type: "request", id: 1, method: "readFrame", params: { datasetId: 5, shotIndex: 1 } }), /params\.datasetId: expected string/);
    assert.throws(() => parseRequest({ type: "request", id: 1, method: "openDataset", params: { paths: ["a"], extra: 1 } }), /params\.extra: unknown field/);
    assert.throws(() => parseRequest({ type: "request", id: 1, method: "deleteEverything", params: {} }), /unknown method 'deleteEverything'/);
    assert.throws(() => parseRequest({ type: "request", method: "getSession", params: {} }), /message\.id: missing/);
    assert.throws(() => parseRequest("hello"), /expected object/);
  });
});

describe("validateResult", () => {
  it("checks binary payload types", () => {
    const ok = { shotIndex: 0, shape: [2, 2], dtype: "<u2", pixels: new Uint16Array(4) };
    assert.deepEqual(validateResult("readFrame", ok), ok);
    assert.throws(() => validateResult("readFrame", { ...ok, pixels: [1, 2, 3, 4] }), /result\.pixels: expected Float32Array/);
  });
  it("accepts both query outcomes", () => {
    validateResult("query", { ok: true, mask: new Uint8Array(3), count: 1 });
    validateResult("query", { ok: false, message: "unknown column 'x'", position: 4 });
    assert.throws(() => validateResult("query", { ok: false, message: "x" }), /position: missing/);
  });
});

describe("parseHostMessage", () => {
  it("validates event payloads", () => {
    const ev = parseHostMessage({ type: "event", event: "log", payload: { level: "info", message: "hi" } });
    assert.equal(ev.type, "event");
    assert.throws(() => parseHostMessage({ type: "event", event: "log", payload: { level: "loud", message: "hi" } }), /payload\.level/);
    assert.throws(() => parseHostMessage({ type: "event", event: "nope", payload: {} }), /unknown event/);
  });
});
