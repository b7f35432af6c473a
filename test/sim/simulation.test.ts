// The simulator's pure core (src/core/sim): determinism, geometry of rendered spots, symmetry of the
// true intensities, ellipticity as preprocessing.md §10, dead-time saturation, noise, bookkeeping.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createSimulation, type Simulation } from "../../src/core/sim/simulation.ts";
import { asu422, isAbsentP43212, orbit422, P43212_OPS, applySymOp } from "../../src/core/sim/space-group-p43212.ts";
import { diffractemSaturationCorrection, invertParalyzable, paralyzableCounts } from "../../src/core/sim/saturation.ts";
import { scatteringVector } from "../../src/core/geometry/cell.ts";
import { createRng } from "../../src/core/sim/rng.ts";

// one shared small simulation (structure factors take ~0.5 s)
const sim: Simulation = createSimulation({ seed: 7, nCrystals: 12, framesPerCrystal: 3, nFiles: 2, hitFraction: 0.75 });
const hitShots = Array.from({ length: sim.nShots }, (_, i) => i).filter((i) => sim.truth.hit[i] === 1);

describe("rng", () => {
  it("gives the same stream for the same tuple and different streams otherwise", () => {
    const a = createRng(5, 1, 2), b = createRng(5, 1, 2), c = createRng(5, 2, 1);
    const xa = [a.uniform(), a.uniform()], xb = [b.uniform(), b.uniform()], xc = [c.uniform(), c.uniform()];
    assert.deepEqual(xa, xb);
    assert.notDeepEqual(xa, xc);
  });
  it("samples Poisson with mean ≈ variance ≈ λ (small and large λ)", () => {
    const r = createRng(1, 9);
    for (const lam of [0.3, 4, 55]) {
      let s = 0, s2 = 0;
      const n = 20000;
      for (let i = 0; i < n; i++) { const v = r.poisson(lam); s += v; s2 += v * v; }
      const mean = s / n, variance = s2 / n - mean * mean;
      assert.ok(Math.abs(mean - lam) < 0.05 * lam + 0.02, `λ=${lam} mean ${mean}`);
      assert.ok(Math.abs(variance / lam - 1) < 0.06, `λ=${lam} var ${variance}`);
    }
  });
});

describe("determinism", () => {
  it("renders identical frames for the same seed, in any order", () => {
    const other = createSimulation({ seed: 7, nCrystals: 12, framesPerCrystal: 3, nFiles: 2, hitFraction: 0.75 });
    const s1 = hitShots[0]!, s2 = hitShots[3]!;
    const a2 = sim.renderShot(s2), a1 = sim.renderShot(s1);
    const b1 = other.renderShot(s1), b2 = other.renderShot(s2);
    assert.deepEqual(a1, b1);
    assert.deepEqual(a2, b2);
    assert.deepEqual(sim.renderShot(s1), a1);
  });
  it("differs for another seed and between frames of one crystal (independent noise)", () => {
    const other = createSimulation({ seed: 8, nCrystals: 12, framesPerCrystal: 3, nFiles: 2, hitFraction: 0.75 });
    const s = hitShots[0]!;
    assert.notDeepEqual(other.renderShot(s), sim.renderShot(s));
    assert.notDeepEqual(sim.renderShot(s), sim.renderShot(s + 1));
  });
});

describe("bookkeeping", () => {
  it("has F frames per crystal, one auxiliary shot (frame −1, crystal −1) before each scan line, consistent keys", () => {
    let nAux = 0;
    for (const f of sim.files) {
      const t = f.shots;
      const cid = t.columns.get("crystal_id")!.data as Float64Array, frame = t.columns.get("frame")!.data as Float64Array;
      const ev = t.columns.get("Event")!.data as string[], sis = t.columns.get("shot_in_subset")!.data as Float64Array;
      assert.equal(t.length, f.shotCount);
      for (let i = 0; i < t.length; i++) {
        assert.equal(ev[i], `entry//${i}`);
        assert.equal(sis[i], i);
        if (frame[i] === -1) { nAux++; assert.equal(cid[i], -1); assert.ok(frame[i + 1] === 0, "aux shot is followed by a crystal's frame 0"); }
        else assert.ok(cid[i]! >= 0 && frame[i]! < 3);
      }
      assert.equal(frame[0], -1, "a scan starts with an auxiliary shot");
      assert.equal(f.features.length, f.crystals.length);
    }
    assert.equal(sim.nShots, 12 * 3 + nAux);
    assert.equal(sim.shots.length, sim.nShots);
  });
  it("renders non-hits and auxiliary shots without spots", () => {
    for (let i = 0; i < sim.nShots; i++) if (!sim.truth.hit[i]) assert.equal(sim.trueSpots(i).count, 0);
    assert.ok(hitShots.length > 0 && hitShots.length < sim.nShots);
  });
  it("decays spot intensities with dose over a crystal's frames", () => {
    const s = hitShots.find((i) => sim.truth.frame[i] === 0)!;
    const sum = (i: number): number => sim.trueSpots(i).counts.reduce((a, b) => a + b, 0);
    assert.ok(sum(s) > sum(s + 1) && sum(s + 1) > sum(s + 2), "frame 0 > 1 > 2");
  });
});

describe("true intensities", () => {
  const m = sim.intensities;
  let mean = 0;
  for (let i = 0; i < m.unique.count; i++) mean += m.unique.intensity[i]!;
  mean /= m.unique.count;
  it("obey 422 symmetry and Friedel's law", () => {
    const r = createRng(3, 3);
    for (let t = 0; t < 300; t++) {
      const h = r.int(2 * 20 + 1) - 20, k = r.int(41) - 20, l = r.int(21) - 10;
      const I = m.intensity(h, k, l);
      for (const [a, b, c] of orbit422(h, k, l)) {
        assert.equal(m.intensity(a, b, c), I);
        assert.equal(m.intensity(-a, -b, -c), I);
      }
    }
  });
  it("vanish for the P4₃2₁2 absences (00l l≠4n, h00 h odd) and only there among axial reflections", () => {
    let nAbsent = 0, nPresentZero = 0;
    for (let i = 0; i < m.unique.count; i++) {
      const [h, k, l] = [m.unique.h[i]!, m.unique.k[i]!, m.unique.l[i]!];
      const axial = (h === 0 && k === 0) || (k === 0 && l === 0);
      if (!axial) continue;
      if (isAbsentP43212(h, k, l)) { nAbsent++; assert.ok(m.unique.intensity[i]! < 1e-9 * mean, `${h} ${k} ${l}: ${m.unique.intensity[i]}`); }
      else if (m.unique.intensity[i]! < 1e-6 * mean) nPresentZero++;
    }
    assert.ok(nAbsent > 20, `${nAbsent} absent reflections checked`);
    assert.equal(nPresentZero, 0);
  });
  it("lists each unique reflection once, in the CrystFEL 422 asymmetric unit", () => {
    const seen = new Set<string>();
    for (let i = 0; i < m.unique.count; i++) {
      const key = asu422(m.unique.h[i]!, m.unique.k[i]!, m.unique.l[i]!).join(" ");
      assert.equal(key, `${m.unique.h[i]} ${m.unique.k[i]} ${m.unique.l[i]}`);
      assert.ok(!seen.has(key));
      seen.add(key);
    }
  });
  it("uses a closed set of P4₃2₁2 operators", () => {
    const x = [0.123, 0.456, 0.0789] as const;
    const images = P43212_OPS.map((op) => applySymOp(op, ...x));
    for (const a of P43212_OPS) for (const p of images) {
      const q = applySymOp(a, ...p);
      assert.ok(images.some((r) => r.every((v, i) => Math.abs(((v - q[i]! + 1.5) % 1) - 0.5) < 1e-9)), "op·op maps into the orbit");
    }
  });
});

describe("rendered spots", () => {
  it("peak where the geometry predicts (centroid within 0.5 px, median < 0.15 px)", () => {
    const errs: number[] = [];
    for (const shot of hitShots.filter((i) => sim.truth.frame[i] === 0).slice(0, 8)) {
      const frame = sim.renderShot(shot);
      const sp = sim.trueSpots(shot);
      const { nFs, nSs } = sim.config;
      for (let i = 0; i < sp.count; i++) {
        if (sp.counts[i]! < 1000) continue;
        const x0 = sp.fs[i]!, y0 = sp.ss[i]!;
        if (x0 < 8 || y0 < 8 || x0 > nFs - 9 || y0 > nSs - 9) continue;
        let isolated = true;
        for (let j = 0; j < sp.count; j++) if (j !== i && sp.counts[j]! > 5 && Math.hypot(sp.fs[j]! - x0, sp.ss[j]! - y0) < 8) isolated = false;
        if (!isolated || Math.hypot(x0 - sim.truth.centerFs[shot]!, y0 - sim.truth.centerSs[shot]!) < 60) continue;
        const ix = Math.round(x0), iy = Math.round(y0);
        // local background from the border of a 11×11 box, centroid over the inner 7×7
        let bg = 0, nb = 0, dead = false;
        for (let dy = -5; dy <= 5; dy++) for (let dx = -5; dx <= 5; dx++) {
          const p = (iy + dy) * nFs + ix + dx;
          if (sim.deadMask[p]) dead = true;
          if (Math.max(Math.abs(dx), Math.abs(dy)) === 5) { bg += frame[p]!; nb++; }
        }
        if (dead) continue;
        bg /= nb;
        let sw = 0, sx = 0, sy = 0;
        for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) {
          const w = frame[(iy + dy) * nFs + ix + dx]! - bg;
          sw += w; sx += w * (ix + dx); sy += w * (iy + dy);
        }
        errs.push(Math.hypot(sx / sw - x0, sy / sw - y0));
      }
    }
    assert.ok(errs.length >= 10, `${errs.length} spots checked`);
    errs.sort((a, b) => a - b);
    assert.ok(errs[errs.length - 1]! < 0.5, `worst ${errs[errs.length - 1]}`);
    assert.ok(errs[Math.floor(errs.length / 2)]! < 0.15, `median ${errs[Math.floor(errs.length / 2)]}`);
  });
});

describe("ellipticity", () => {
  const { ratio, angleDeg } = sim.ellipticity;
  const res = 1 / sim.config.pixelSizeM, L = sim.config.cameraLengthM, k = 10 / sim.config.wavelengthAngstrom;
  // spot offsets from the true centre (detector) and their undistorted lab radius (from q, in px)
  const obs: { x: number; y: number; rLab: number }[] = [];
  for (const shot of hitShots.slice(0, 6)) {
    const sp = sim.trueSpots(shot);
    const basis = sim.crystals[sim.truth.crystalIndex[shot]!]!.basis;
    for (let i = 0; i < sp.count; i++) {
      const q = scatteringVector(basis, sp.h[i]!, sp.k[i]!, sp.l[i]!);
      obs.push({ x: sp.fs[i]! - sim.truth.centerFs[shot]!, y: sp.ss[i]! - sim.truth.centerSs[shot]!, rLab: (L * res * Math.hypot(q[0], q[1])) / (k + q[2]) });
    }
  }
  const correct = (x: number, y: number, rho: number, phiDeg: number): number => {
    // preprocessing.md §10, verbatim
    const c = Math.cos((phiDeg * Math.PI) / 180), s = Math.sin((phiDeg * Math.PI) / 180);
    const u = rho ** -0.5 * (c * x - s * y), v = rho ** 0.5 * (s * x + c * y);
    return Math.hypot(c * u + s * v, -s * u + c * v);
  };
  it("is undone exactly by the spec's correction with the true (ρ, φ)", () => {
    assert.ok(obs.length > 1000);
    let worst = 0;
    for (const o of obs) worst = Math.max(worst, Math.abs(correct(o.x, o.y, ratio, angleDeg) - o.rLab));
    assert.ok(worst < 1e-6, `worst radius mismatch ${worst} px`);
    // a wrong axis leaves a clear anisotropy
    let bad = 0;
    for (const o of obs) bad = Math.max(bad, Math.abs(correct(o.x, o.y, ratio, angleDeg + 90) - o.rLab) / o.rLab);
    assert.ok(bad > 0.01);
  });
  it("can be measured back from the true spot positions (ρ within 1e-4, φ within 0.05°)", () => {
    // fit |M p|² = rLab² with Q = MᵀM symmetric (linear least squares in Q11, Q12, Q22), then Q = RR²
    const A = [[0, 0, 0], [0, 0, 0], [0, 0, 0]], b = [0, 0, 0];
    for (const o of obs) {
      const row = [o.x * o.x, 2 * o.x * o.y, o.y * o.y], t = o.rLab * o.rLab;
      for (let i = 0; i < 3; i++) { b[i]! += row[i]! * t; for (let j = 0; j < 3; j++) A[i]![j]! += row[i]! * row[j]!; }
    }
    const det3 = (m: number[][]): number => m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
    const D = det3(A);
    const sol = [0, 1, 2].map((c) => det3(A.map((r, i) => r.map((v, j) => (j === c ? b[i]! : v)))) / D);
    const [q11, q12, q22] = sol as [number, number, number];
    const tr = q11 + q22, dt = q11 * q22 - q12 * q12;
    const l1 = tr / 2 + Math.sqrt((tr * tr) / 4 - dt), l2 = tr / 2 - Math.sqrt((tr * tr) / 4 - dt);
    const rho = Math.sqrt(l1 / l2);
    // eigenvector of the small eigenvalue (1/ρ) is Rᵀ·e_x = (cos φ, −sin φ)
    const vx = q12, vy = l2 - q11;
    let phi = (-Math.atan2(vy, vx) * 180) / Math.PI;
    phi = ((phi % 180) + 180) % 180;
    assert.ok(Math.abs(rho - ratio) < 1e-4, `ρ ${rho} vs ${ratio}`);
    assert.ok(Math.abs(phi - angleDeg) < 0.05, `φ ${phi} vs ${angleDeg}`);
  });
});

describe("detector response", () => {
  const s = sim.saturation.s;
  it("inverts the paralyzable model exactly and matches diffractem's series for moderate counts", () => {
    for (const n of [1, 50, 300, 700]) {
      const m = paralyzableCounts(n, s);
      assert.ok(Math.abs(invertParalyzable(m, s) - n) < 1e-6 * n);
      if (n <= 300) assert.ok(Math.abs(diffractemSaturationCorrection(m, s) - n) / n < 0.01, `n=${n}`);
    }
  });
  it("saturates the zero-order beam as m = n·exp(−n·τ/T) of Poisson counts", () => {
    const shot = hitShots[0]!;
    const frame = sim.renderShot(shot), lam = sim.expectedFrame(shot);
    let sumObs = 0, sumExp = 0, nPix = 0, max = 0;
    for (let i = 0; i < frame.length; i++) {
      max = Math.max(max, frame[i]!);
      if (lam[i]! > 250 && !sim.deadMask[i]) { sumObs += frame[i]!; sumExp += paralyzableCounts(lam[i]!, s); nPix++; }
    }
    assert.ok(nPix >= 5, `${nPix} bright pixels`);
    assert.ok(Math.abs(sumObs / sumExp - 1) < 0.05, `observed/expected ${sumObs / sumExp}`);
    assert.ok(max <= Math.ceil(1 / (Math.E * s)) + 1, `max ${max} exceeds the paralyzable maximum`);
    assert.ok(max > 0.9 / (Math.E * s), "the beam reaches saturation");
  });
  it("adds Poisson noise (variance ≈ mean) and reads 0 in dead pixels and the dead column", () => {
    const shot = sim.truth.hit.indexOf(0);
    const frame = sim.renderShot(shot), lam = sim.expectedFrame(shot);
    let n = 0, s1 = 0, s2 = 0, sl = 0;
    for (let i = 0; i < frame.length; i++) {
      if (sim.deadMask[i]) { assert.equal(frame[i], 0); continue; }
      if (lam[i]! > 2 && lam[i]! < 4) { const d = frame[i]! - lam[i]!; n++; s1 += d; s2 += d * d; sl += lam[i]!; }
    }
    assert.ok(n > 1000);
    assert.ok(Math.abs(s1 / n) < 0.05, `bias ${s1 / n}`);
    assert.ok(Math.abs(s2 / sl - 1) < 0.05, `variance/mean ${s2 / sl}`);
    const col = sim.config.deadColumnFs;
    for (let ss = 0; ss < sim.config.nSs; ss++) assert.equal(sim.deadMask[ss * sim.config.nFs + col], 1);
  });
});
