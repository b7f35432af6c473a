#!/usr/bin/env node
// Entry point of the `serialed` command: registers the TypeScript loader, then runs the CLI.
import { register } from "tsx/esm/api";
register();
const { main } = await import("../src/main/cli/main.ts");
const code = await main(process.argv.slice(2));
process.exitCode = code;
