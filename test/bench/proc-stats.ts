/**
 * Reads a server's CPU time and memory from /proc, so its cost is measured from outside
 * without instrumenting the server under test.
 */
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks = 0;

function ticksPerSecond(): number {
  if (clockTicks) return clockTicks;
  try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    // getconf is missing on minimal images; 100 Hz is the Linux user-space constant anyway.
    clockTicks = 100;
  }
  return clockTicks;
}

/** utime + stime of the whole process (all threads) in microseconds, or NaN when it is gone. */
export function cpuMicros(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return NaN;
  }
  // The command name may contain spaces and parentheses; fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / ticksPerSecond();
}

/** A value from /proc/<pid>/status in kilobytes (VmRSS, VmHWM, …), or NaN when unavailable. */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/**
 * How many TCP connections accepted on `port` the process holds open (its client sockets; not
 * its listener nor its own connections out, to Postgres say), or NaN when it is gone: the
 * inodes of its socket fds, matched against the connections in /proc/<pid>/net/tcp and tcp6
 * whose local port is `port`.
 */
export function clientSocketCount(pid: number, port: number): number {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (link.startsWith('socket:[')) inodes.add(link.slice(8, -1));
      } catch {
        // Closed while we read the directory.
      }
    }
  } catch {
    return NaN;
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const local = f[1];
      if (local.slice(local.lastIndexOf(':') + 1) !== hexPort || f[3] === '0A') continue; // 0A: LISTEN
      if (inodes.has(f[9])) n++;
    }
  }
  return n;
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0); false when the kernel refuses. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Per core: busy and total jiffies since boot (busy counts steal: time the VM did not get). */
export function coreTimes(): { busy: number; total: number }[] {
  const out: { busy: number; total: number }[] = [];
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+) (.*)$/.exec(line);
      if (!m) continue;
      const v = m[2].trim().split(/\s+/).map(Number);
      // user nice system idle iowait irq softirq steal (guest time is already in user).
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      out[Number(m[1])] = { busy: total - v[3] - v[4], total };
    }
  } catch {
    // No /proc/stat: core figures are left out.
  }
  return out;
}

/**
 * Tracks one process over a measured window: CPU delta and peak RSS. Peak comes from VmHWM
 * after a reset when the kernel allows it, else from VmRSS sampled every 100 ms.
 */
export function startWindow(pids: number[]) {
  const cpu0 = pids.map(cpuMicros);
  const hwmReset = pids.map(resetPeakRss);
  const sampledPeak = pids.map((pid) => statusKb(pid, 'VmRSS'));
  const timer = setInterval(() => {
    pids.forEach((pid, i) => {
      const rss = statusKb(pid, 'VmRSS');
      if (rss > sampledPeak[i]) sampledPeak[i] = rss;
    });
  }, 100);
  const cores0 = coreTimes();
  const t0 = performance.now();

  /** Closes the window: CPU µs used per pid, wall ms, and the peak RSS in kB of the first pid. */
  function end() {
    clearInterval(timer);
    const wallMs = performance.now() - t0;
    const cpuUs = pids.map((pid, i) => cpuMicros(pid) - cpu0[i]);
    const peakKb = pids.map((pid, i) => {
      const hwm = statusKb(pid, 'VmHWM');
      return hwmReset[i] && Number.isFinite(hwm) ? Math.max(hwm, sampledPeak[i]) : sampledPeak[i];
    });
    // Busy share of each core over the window: what the server's core did besides the server
    // shows whether something else on the machine disturbed the figures.
    const coreBusyPct = coreTimes().map((c, i) => {
      const d = c.total - (cores0[i]?.total ?? 0);
      return d > 0 ? ((c.busy - (cores0[i]?.busy ?? 0)) / d) * 100 : NaN;
    });
    return { wallMs, cpuUs, peakKb, coreBusyPct };
  }

  return { end };
}
