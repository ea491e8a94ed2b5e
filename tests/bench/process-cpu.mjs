// The CPU time the browser's processes and threads ran, from /proc (Linux only): what a
// phase cost without the hypervisor's steal. Wall-clock ratios move with steal between runs,
// the baselines' too; the CPU a thread ran moves far less, since this kind of kernel leaves
// steal out of a task's run time (CONFIG_PARAVIRT_TIME_ACCOUNTING; a busy host still slows
// the work itself a little). So "the background's time per row" is measured here as its
// thread's CPU, not as wall time beyond the ideal.
import { readdirSync, readFileSync } from 'node:fs';

// Chromium's names for the extension process's threads (Linux keeps 15 characters): the
// background's service worker runs on the first, Keyturn's pages on the second.
export const SERVICE_WORKER_THREAD = 'ServiceWorker t';
export const PAGE_MAIN_THREAD = 'chromium';

const read = (file) => { try { return readFileSync(file, 'utf8'); } catch { return null; } };

/** Every process below this one (the browser Playwright started, its children). */
function descendants() {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    // The name sits in parentheses and may hold spaces: the fields after the last ')' are fixed.
    if (stat) parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const found = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parents) if (!found.has(pid) && found.has(parent)) { found.add(pid); grew = true; }
  }
  found.delete(process.pid);
  return [...found];
}

/** What a browser process is for, from its command line. */
function kindOf(pid) {
  // Chromium rewrites its children's command lines into one line (setproctitle): split on spaces too.
  const args = (read(`/proc/${pid}/cmdline`) ?? '').split(/[\0 ]/);
  if (args.includes('--extension-process')) return 'extension';
  const type = args.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
  if (!type) return 'browser';
  if (type === 'utility' && args.some((arg) => arg.includes('NetworkService'))) return 'network';
  return type === 'renderer' ? 'otherRenderers' : 'otherProcesses';
}

/**
 * CPU milliseconds so far: per kind of browser process, and the extension process's threads
 * by name (the service worker's thread apart from the pages' main thread). Threads and
 * processes that ended since are not counted: take both readings while they live.
 */
export function browserCpu() {
  const byKind = {};
  const extensionThreads = {};
  for (const pid of descendants()) {
    const kind = kindOf(pid);
    let tasks = [];
    try { tasks = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tasks) {
      const ran = read(`/proc/${pid}/task/${tid}/schedstat`);
      if (!ran) continue;
      const ms = Number(ran.split(' ')[0]) / 1e6; // nanoseconds on a CPU
      byKind[kind] = (byKind[kind] ?? 0) + ms;
      if (kind === 'extension') {
        const name = (read(`/proc/${pid}/task/${tid}/comm`) ?? '?').trim();
        extensionThreads[name] = (extensionThreads[name] ?? 0) + ms;
      }
    }
  }
  return { byKind, extensionThreads };
}

/**
 * Adds up the CPU the browser (and this process: the fake APIs and the driver) ran during
 * each timed call, to report it per row.
 */
export function cpuTally() {
  const spent = { byKind: {}, extensionThreads: {} };
  const add = (into, from, to) => { for (const name of Object.keys(to)) into[name] = (into[name] ?? 0) + to[name] - (from[name] ?? 0); };
  return {
    async time(call) {
      const from = { ...browserCpu(), self: process.cpuUsage() };
      const value = await call();
      const to = { ...browserCpu(), self: process.cpuUsage(from.self) };
      add(spent.byKind, from.byKind, to.byKind);
      add(spent.extensionThreads, from.extensionThreads, to.extensionThreads);
      spent.byKind.benchProcess = (spent.byKind.benchProcess ?? 0) + (to.self.user + to.self.system) / 1000;
      return value;
    },
    /** Milliseconds per `count` (rows): each kind, the extension's threads, and all of it. */
    per(count) {
      const round = (values) => Object.fromEntries(Object.entries(values).map(([name, ms]) => [name, +(ms / count).toFixed(3)]));
      const all = Object.values(spent.byKind).reduce((sum, ms) => sum + ms, 0);
      return { all: +(all / count).toFixed(3), byKind: round(spent.byKind), extensionThreads: round(spent.extensionThreads) };
    },
  };
}
