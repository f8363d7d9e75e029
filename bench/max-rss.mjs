// Loaded with --import into a process a bench runs: prints the process's peak resident memory and the CPU it used as its last stderr line.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\n${JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: Math.round((usage.userCPUTime + usage.systemCPUTime) / 1000) })}\n`);
});
