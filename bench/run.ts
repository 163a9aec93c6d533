/**
 * `npm run bench`: synth and analysis benchmarks, printed as one aligned report
 * (DESIGN.md "Performance"). The bench prints; it fails (exit 1) only on an exception.
 */
import { cpus } from 'os';
import { RssSampler } from './measure';
import { benchReachability } from './reach-bench';
import { fmt, Report } from './report';
import { benchComparison, benchLinearity } from './synth-bench';

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const rss = new RssSampler();
  const report = new Report();
  try {
    benchLinearity(report, rss);
    benchComparison(report, rss);
    benchReachability(report, rss);
    report.section('4. Process');
    report.info('peak RSS of the whole run (getrusage maxRSS)', `${fmt(process.resourceUsage().maxRSS / 1024, 0)} MiB`);
    report.info('bench wall time (without node/ts-node startup)', `${fmt(Number(process.hrtime.bigint() - started) / 1e9, 1)} s`);
    report.info('node', `${process.version}, ${cpus().length} CPUs`);
    process.stdout.write(report.render());
    process.stdout.write(`\n${report.misses} target(s) missed\n`);
  } finally {
    await rss.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
