import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/summary-reporter.ts"],
    globalSetup: ["./test/global-setup.ts"],
    // A hang guard, not a speed check: the slowest test (cargo, npm pack, many npx runs) takes about 20 s on an idle
    // 2-core machine and 55 s with five CPU-bound processes beside it (load 7); speed is measured by npm run bench.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Both cores: vitest's default leaves one free, and most test files wait on a spawned tool (cargo, buildah, npm),
    // so two files at a time keep the machine busy without oversubscribing it.
    maxWorkers: 2,
  },
});
