import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { defaultPreProcOpts, overridePreProcOpt, parsePreProcOpts, serializePreProcOpts } from "../../src/core/options/preproc-opts.ts";
import { lysozymeYaml } from "./lysozyme-yaml.ts";

describe("parsePreProcOpts", () => {
  it("reads diffractem's lysozyme example unchanged", () => {
    const { opts, warnings } = parsePreProcOpts(lysozymeYaml, "preproc.yaml");
    assert.deepEqual(warnings, []);
    assert.equal(opts.shutter_time, 8);
    assert.equal(opts.dead_time_gap_factor, 5);
    assert.equal(opts.float, true);
    assert.equal(opts.interpolate_dead, true);
    assert.equal(opts.cam_length, 1.58);
    assert.equal(opts.ellipse_angle, 83);
    assert.equal(opts.com_xrng, 516);
    assert.equal(opts.agg_query, "frame >= 1 and frame <= 4");
    assert.equal(opts.peak_search_params["max-res"], 550);
    assert.equal(opts.peak_search_params["min-res"], 0);
    assert.equal(opts.peak_search_params.peaks, "peakfinder8");
    assert.deepEqual(opts.r_adf1, [50, 100]);
    assert.equal(opts.indexing_params["int-radius"], "3,4,6");
    // defaults for keys not in the file
    assert.equal(opts.max_peaks, 500);
    assert.equal(opts.friedel_max_radius, null);
  });
  it("reports unknown keys as warnings", () => {
    const { opts, warnings } = parsePreProcOpts("cam_length: 1.2\nfoo_bar: 3\n", "x.yaml");
    assert.equal(opts.cam_length, 1.2);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /x\.yaml: unknown option 'foo_bar'/);
  });
  it("names key and expected type for wrong types, and the file for bad YAML", () => {
    assert.throws(() => parsePreProcOpts("cam_length: long\n", "a.yaml"), /a\.yaml: option 'cam_length' must be a number, got string "long"/);
    assert.throws(() => parsePreProcOpts("xsize: 15.5\n", "a.yaml"), /'xsize' must be an integer/);
    assert.throws(() => parsePreProcOpts("peak_search_params:\n  min-snr: high\n", "a.yaml"), /'peak_search_params.min-snr' must be a number/);
    assert.throws(() => parsePreProcOpts("r_adf1: [1, 2, 3]\n", "a.yaml"), /'r_adf1' must be a pair/);
    assert.throws(() => parsePreProcOpts("a: [1, 2\n", "b.yaml"), /b\.yaml: not valid YAML/);
    assert.throws(() => parsePreProcOpts("- 1\n- 2\n", "c.yaml"), /c\.yaml: expected a mapping/);
  });
  it("accepts JSON and empty files", () => {
    assert.equal(parsePreProcOpts('{"cam_length": 1.5}').opts.cam_length, 1.5);
    assert.deepEqual(parsePreProcOpts("").opts, defaultPreProcOpts);
  });
  it("round-trips through YAML", () => {
    const { opts } = parsePreProcOpts(lysozymeYaml);
    const again = parsePreProcOpts(serializePreProcOpts(opts));
    assert.deepEqual(again.warnings, []);
    assert.deepEqual(again.opts, opts);
  });
  it("overrides one key from a command-line string, typed like the default", () => {
    const o = overridePreProcOpt(defaultPreProcOpts, "min_peaks", "15");
    assert.equal(o.min_peaks, 15);
    assert.equal(overridePreProcOpt(o, "select_query", "frame >= 0").select_query, "frame >= 0");
    assert.throws(() => overridePreProcOpt(o, "float", "maybe"), /'float' must be a boolean/);
    assert.throws(() => overridePreProcOpt(o, "nope", "1"), /unknown option 'nope'/);
    const n = overridePreProcOpt(o, "peak_search_params.min-snr", "4.5");
    assert.equal(n.peak_search_params["min-snr"], 4.5);
    assert.equal(n.peak_search_params["max-res"], 600);
    assert.throws(() => overridePreProcOpt(o, "peak_search_params.threshold", "x"), /'peak_search_params.threshold' must be a number/);
  });
});
