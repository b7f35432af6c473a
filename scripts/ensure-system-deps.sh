#!/usr/bin/env bash
# Installs the Debian packages the test suite needs when they are missing.
#   chromium                 browser for end-to-end tests (driven by playwright-core)
#   python3-h5py, python3-hdf5plugin, bitshuffle, hdf5-tools
#                            an independent HDF5 reader/writer (h5py, h5dump) with the LZ4/bitshuffle filters
#   gemmi                    independent reader for MTZ and mmCIF exports
#   slurm-wlm, munge         a real single-node SLURM for the cluster backend tests
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
/usr/bin/python3 -c 'import h5py, hdf5plugin' >/dev/null 2>&1 || need+=(python3-h5py python3-hdf5plugin)
[ -e /usr/lib/x86_64-linux-gnu/hdf5/serial/plugins/libh5bshuf.so ] || need+=(bitshuffle)
command -v h5dump >/dev/null 2>&1 || need+=(hdf5-tools)
command -v gemmi >/dev/null 2>&1 || need+=(gemmi)
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages missing: ${need[*]}"
if [ "$(id -u)" != "0" ]; then
  echo "error: not root, cannot apt-get install. Run: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || { echo "error: apt-get update failed" >&2; exit 1; }
apt-get install -y -qq "${need[@]}" >/tmp/serialed-apt.log 2>&1 || { echo "error: apt-get install ${need[*]} failed; see /tmp/serialed-apt.log" >&2; tail -20 /tmp/serialed-apt.log >&2; exit 1; }
echo "system packages installed: ${need[*]}"
