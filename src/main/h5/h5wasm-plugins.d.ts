// Types for h5wasm-plugins 0.2.1 (the package ships none). Only what we use.
declare module "h5wasm-plugins" {
  import type { H5Module } from "h5wasm/src/hdf5_util_helpers.js";
  /** Prepends node_modules/h5wasm-plugins/plugins to the HDF5 plugin search path (Node only). */
  export function install_local_plugins(module: H5Module): void;
}
