// Loaded with --import into a process a bench runs: prints the process's peak resident memory as its last stderr line.
process.on('exit', () => process.stderr.write(`\n${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`));
