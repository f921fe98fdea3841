//! Where the limiter's CPU usage comes from: any [`CpuUsage`], or this machine's, sampled by
//! one background thread from the cgroup or `/proc/stat`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Where CPU usage comes from: per mille of the CPU the process may use (0..=1000).
pub trait CpuUsage: Send + Sync + 'static {
    /// The current usage, per mille.
    fn per_mille(&self) -> u64;
}

impl<F: Fn() -> u64 + Send + Sync + 'static> CpuUsage for F {
    fn per_mille(&self) -> u64 {
        self()
    }
}

/// This machine's CPU usage, per mille, sampled every 500 ms by one background thread.
pub(super) fn system_cpu() -> impl CpuUsage {
    static USAGE: OnceLock<Arc<AtomicU64>> = OnceLock::new();
    let usage = Arc::clone(USAGE.get_or_init(|| {
        let usage = Arc::new(AtomicU64::new(0));
        let shared = Arc::clone(&usage);
        let _ = std::thread::Builder::new()
            .name("kratos-cpu".to_owned())
            .spawn(move || sample_forever(&shared));
        usage
    }));
    move || usage.load(Ordering::Relaxed)
}

/// Samples CPU usage every 500 ms into a moving average (decay 0.95 per sample, as aegis).
fn sample_forever(usage: &AtomicU64) {
    let mut previous = cpu_times();
    let mut average = 0.0_f64;
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let current = cpu_times();
        if let (Some((busy_a, total_a)), Some((busy_b, total_b))) = (previous, current)
            && total_b > total_a
        {
            let now = (busy_b - busy_a) as f64 / (total_b - total_a) as f64 * 1000.0;
            average = average * 0.95 + now.min(1000.0) * 0.05;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            usage.store(average.round() as u64, Ordering::Relaxed);
        }
        previous = current;
    }
}

/// (busy, total) CPU time: from the cgroup when it sets a quota, else from `/proc/stat`.
fn cpu_times() -> Option<(u64, u64)> {
    cgroup_times().or_else(proc_stat_times)
}

/// cgroup v2: `usage_usec` of `cpu.stat` against wall time x the `cpu.max` quota.
fn cgroup_times() -> Option<(u64, u64)> {
    let max = std::fs::read_to_string("/sys/fs/cgroup/cpu.max").ok()?;
    let mut parts = max.split_whitespace();
    let quota: f64 = parts.next()?.parse().ok()?; // "max" (no quota) fails here
    let period: f64 = parts.next()?.parse().ok()?;
    let stat = std::fs::read_to_string("/sys/fs/cgroup/cpu.stat").ok()?;
    let used: u64 = stat
        .lines()
        .find_map(|line| line.strip_prefix("usage_usec "))?
        .trim()
        .parse()
        .ok()?;
    static START: OnceLock<Instant> = OnceLock::new();
    let wall = START.get_or_init(Instant::now).elapsed().as_micros() as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((used, (wall * quota / period) as u64))
}

/// `/proc/stat`'s first line: busy = total - idle - iowait.
fn proc_stat_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: u64 = fields.iter().sum();
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_cpu_source_reads_something() {
        assert!(proc_stat_times().is_some_and(|(busy, total)| total >= busy && total > 0));
    }
}
