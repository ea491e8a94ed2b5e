// Reads cargo-mutants' outcomes (one or more mutants.out directories) and writes the caught,
// missed, unviable and timed-out counts per module to tests/mutants/summary.json and to the
// README's table between the `mutants:begin` and `mutants:end` markers.
//
//   node tests/mutants/summarize.mjs [--check-only] [--no-write] DIR...
//
// A missed mutant listed in tests/mutants/equivalent.json (same file and description, the
// position left out so that edits elsewhere do not unlist it) is counted as equivalent: no
// test can tell it from the original, and the list says why. The exit status is 1 when a
// missed mutant is not listed there, so every survivor is either killed or explained.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const noWrite = args.includes('--no-write');
const dirs = args.filter((arg) => !arg.startsWith('--'));
if (dirs.length === 0) {
  console.error('usage: node tests/mutants/summarize.mjs [--no-write] MUTANTS_OUT_DIR...');
  process.exit(2);
}

/** `src/x.rs:12:5: replace a with b in f` without its position: `replace a with b in f`. */
const description = (name) => name.replace(/^[^:]+:\d+:\d+: /, '');

const equivalents = JSON.parse(readFileSync(path.join(root, 'tests', 'mutants', 'equivalent.json'), 'utf8'));
const whyEquivalent = (mutant) => equivalents.find((entry) => entry.file === mutant.file && entry.mutant === description(mutant.name))?.why;

const modules = new Map();
const survivors = [];
const versions = new Set();
for (const dir of dirs) {
  const outcomes = JSON.parse(readFileSync(path.join(dir, 'outcomes.json'), 'utf8'));
  versions.add(outcomes.cargo_mutants_version);
  for (const outcome of outcomes.outcomes) {
    const mutant = outcome.scenario?.Mutant;
    if (!mutant) continue; // the baseline
    const counts = modules.get(mutant.file) ?? { caught: 0, missed: 0, equivalent: 0, timeout: 0, unviable: 0 };
    modules.set(mutant.file, counts);
    switch (outcome.summary) {
      case 'CaughtMutant': counts.caught++; break;
      case 'Timeout': counts.timeout++; break;
      case 'Unviable': counts.unviable++; break;
      case 'MissedMutant': {
        counts.missed++;
        const why = whyEquivalent(mutant);
        if (why) counts.equivalent++;
        survivors.push({ name: mutant.name, equivalent: why ?? null });
        break;
      }
      default: throw new Error(`unknown outcome ${outcome.summary} of ${mutant.name}`);
    }
  }
}

/** Caught (a timeout counts: the tests noticed) of viable mutants, in percent, one decimal. */
const percent = ({ caught, timeout, missed }) => {
  const viable = caught + timeout + missed;
  return viable === 0 ? 100 : Math.floor((1000 * (caught + timeout)) / viable) / 10;
};
const sorted = [...modules.entries()].sort(([a], [b]) => a.localeCompare(b));
const total = { caught: 0, missed: 0, equivalent: 0, timeout: 0, unviable: 0 };
for (const [, counts] of sorted) for (const key of Object.keys(total)) total[key] += counts[key];

let commit = 'unknown';
try { commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
const summary = {
  commit,
  cargoMutants: [...versions].join(', '),
  note: 'caughtPercent = (caught + timeout) / (caught + timeout + missed); equivalent mutants are among the missed',
  modules: Object.fromEntries(sorted.map(([file, counts]) => [file, { ...counts, caughtPercent: percent(counts) }])),
  total: { ...total, caughtPercent: percent(total) },
  missed: survivors.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true })),
};

const rows = sorted.map(([file, counts]) =>
  `| \`${file}\` | ${counts.caught + counts.timeout} | ${counts.missed} | ${counts.equivalent} | ${counts.unviable} | ${percent(counts)}% |`);
const table = [
  '| module | caught | missed | of which equivalent | unviable | caught of viable |',
  '|---|---|---|---|---|---|',
  ...rows,
  `| **all** | ${total.caught + total.timeout} | ${total.missed} | ${total.equivalent} | ${total.unviable} | ${percent(total)}% |`,
].join('\n');

if (!noWrite) {
  writeFileSync(path.join(root, 'tests', 'mutants', 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const readmePath = path.join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const marked = /(<!-- mutants:begin -->\n)[\s\S]*?(<!-- mutants:end -->)/;
  if (!marked.test(readme)) throw new Error('README.md has no <!-- mutants:begin --> … <!-- mutants:end --> section');
  writeFileSync(readmePath, readme.replace(marked, `$1${table}\n$2`));
}

console.log(table);
const unexplained = survivors.filter((survivor) => !survivor.equivalent);
for (const survivor of survivors) {
  console.log(`${survivor.equivalent ? 'equivalent' : 'MISSED    '}  ${survivor.name}${survivor.equivalent ? `: ${survivor.equivalent}` : ''}`);
}
if (unexplained.length) {
  console.log(`${unexplained.length} missed mutant(s) neither killed nor listed in tests/mutants/equivalent.json`);
  process.exit(1);
}
