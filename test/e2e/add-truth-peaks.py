"""Adds CXI peak arrays (nPeaks, peakXPosRaw, peakYPosRaw, peakTotalIntensity) holding the simulator's
true spot positions (truth/spots.csv, counts >= MIN) to a simulated raw file, so the viewer's peak
overlay can be checked against ground truth. Usage: add-truth-peaks.py FILE.h5 spots.csv MIN"""
import csv
import sys

import h5py
import hdf5plugin  # noqa: F401  (LZ4 filter for the raw stack)
import numpy as np

path, spots_csv, min_counts = sys.argv[1], sys.argv[2], float(sys.argv[3])
name = path.rsplit("/", 1)[-1]
with h5py.File(path, "r+") as f:
    n = f["/entry/shots/Event"].shape[0]
    per = [[] for _ in range(n)]
    with open(spots_csv) as fh:
        for row in csv.DictReader(fh):
            if row["file"] != name or float(row["counts"]) < min_counts:
                continue
            per[int(row["Event"].split("//")[-1])].append((float(row["fs"]), float(row["ss"]), float(row["counts"])))
    m = max(1, max(len(p) for p in per))
    x = np.zeros((n, m), np.float32); y = np.zeros((n, m), np.float32); i = np.zeros((n, m), np.float32)
    for k, p in enumerate(per):
        for j, (a, b, c) in enumerate(p):
            x[k, j], y[k, j], i[k, j] = a, b, c
    g = f["/entry/data"]
    g.create_dataset("nPeaks", data=np.array([len(p) for p in per], np.int32))
    g.create_dataset("peakXPosRaw", data=x, chunks=(1, m))
    g.create_dataset("peakYPosRaw", data=y, chunks=(1, m))
    g.create_dataset("peakTotalIntensity", data=i, chunks=(1, m))
print(sum(len(p) for p in per))
