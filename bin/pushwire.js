#!/usr/bin/env node
// Runs the compiled CLI, built into dist/ by `npm ci` (the `prepare` script) or `npm run build`.
import '../dist/cli/bin.js';
