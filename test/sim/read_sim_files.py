"""Independent reader for `serialed simulate` output (h5py + hdf5plugin): reads every table column and every
stack of each file completely and prints a JSON summary (used by test/sim/simulate-cli.test.ts)."""
import json
import sys

import h5py
import hdf5plugin  # noqa: F401  (registers the LZ4 filter)
import numpy as np

out = {}
for path in sys.argv[1:]:
    info = {"columns": {}, "features": {}, "stacks": {}}
    with h5py.File(path, "r") as f:
        for name, ds in f["/entry/shots"].items():
            v = ds[()]
            info["columns"][name] = [x.decode() if isinstance(x, bytes) else (None if isinstance(x, float) and np.isnan(x) else x.item()) for x in v]
        for name, ds in f["/entry/map/features"].items():
            info["features"][name] = len(ds[()])
        for name, ds in f["/entry/data"].items():
            st = {"shape": list(ds.shape), "dtype": str(ds.dtype), "chunks": list(ds.chunks) if ds.chunks else None, "filters": list(ds._filters.keys())}
            if ds.ndim == 3:
                w = (np.arange(ds.shape[1] * ds.shape[2], dtype=np.int64) % 9973).reshape(ds.shape[1:])
                n = ds.shape[0]
                sample = sorted({0, 1, n // 2, n - 1})
                st["sums"] = []
                st["hash"] = {}
                for i in range(n):  # every frame is read and decoded
                    frame = ds[i].astype(np.int64)
                    st["sums"].append(int(frame.sum()))
                    if i in sample:
                        st["hash"][str(i)] = int(np.sum(frame * w))
            else:
                st["values"] = ds[()].tolist()
            info["stacks"][name] = st
        img = f["/entry/map/image"][()]
        info["map"] = {"shape": list(img.shape), "dtype": str(img.dtype)}
        info["sample"] = {"name": f["/entry/sample/name"][()].decode(), "region": int(f["/entry/sample/region_id"][()]), "run": int(f["/entry/sample/run_id"][()])}
        info["signal"] = f["/entry/data"].attrs["signal"]
        if isinstance(info["signal"], bytes):
            info["signal"] = info["signal"].decode()
    with h5py.File(path.rsplit("/", 1)[0] + "/truth/mask.h5", "r") as m:
        info["mask_good"] = int(m["/mask"][()].sum())
        info["mask_dead"] = int(m["/pxmask"][()].sum())
    out[path] = info
json.dump(out, sys.stdout)
