use std::collections::HashMap;
use std::time::Duration;

use super::*;
use crate::errors::reasons;

fn instance(id: &str, weight: Option<u32>) -> ServiceInstance {
    let mut instance = ServiceInstance::new(id, "s")
        .version(if id.starts_with('x') { "v2" } else { "v1" })
        .endpoint(format!("grpc://{id}:9000"))
        .endpoint(format!("http://{id}:8000"));
    if let Some(weight) = weight {
        instance = instance.metadata("weight", weight.to_string());
    }
    instance
}

fn counts(selector: &Selector, picks: usize) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for _ in 0..picks {
        let picked = selector.select(&[]).unwrap();
        *counts
            .entry(picked.node().address().to_owned())
            .or_default() += 1;
        picked.done(false);
    }
    counts
}

#[test]
fn wrr_follows_the_weights() {
    let selector = Selector::new(WeightedRoundRobin, "http");
    selector.update(&[
        instance("a", Some(50)),
        instance("b", Some(30)),
        instance("c", Some(20)),
    ]);
    let counts = counts(&selector, 10_000);
    assert_eq!(counts["a:8000"], 5_000);
    assert_eq!(counts["b:8000"], 3_000);
    assert_eq!(counts["c:8000"], 2_000);
}

#[test]
fn wrr_spreads_picks_evenly_and_defaults_to_equal_weights() {
    let selector = Selector::new(WeightedRoundRobin, "http");
    selector.update(&[instance("a", None), instance("b", Some(100))]);
    let picks: Vec<String> = (0..6)
        .map(|_| selector.select(&[]).unwrap().node().address().to_owned())
        .collect();
    for pair in picks.windows(2) {
        assert_ne!(pair[0], pair[1], "{picks:?}");
    }
}

#[test]
fn wrr_keeps_odd_weights_within_a_percent_when_scaled() {
    let selector = Selector::new(WeightedRoundRobin, "http");
    // Sum 10_007 with no common divisor: the schedule is scaled down to fit.
    selector.update(&[instance("a", Some(7_001)), instance("b", Some(3_006))]);
    let counts = counts(&selector, 10_000);
    let share = counts["a:8000"] as f64 / 10_000.0;
    assert!((share - 7_001.0 / 10_007.0).abs() < 0.01, "{share}");
}

#[test]
fn random_is_uniform() {
    fastrand::seed(7);
    let selector = Selector::new(Random, "http");
    selector.update(&[
        instance("a", None),
        instance("b", None),
        instance("c", None),
    ]);
    let counts = counts(&selector, 30_000);
    for (address, count) in &counts {
        // Expected 10_000 each; the standard deviation is about 82.
        assert!((9_500..=10_500).contains(count), "{address}: {count}");
    }
}

/// One call to each of the two nodes, so both have statistics.
fn warm_up(selector: &Selector, finish: impl Fn(Picked)) {
    let first = selector.select(&[]).unwrap();
    let tried = [first.node().address().to_owned()];
    finish(first);
    finish(selector.select(&tried).unwrap());
}

#[test]
fn p2c_prefers_the_faster_node() {
    fastrand::seed(11);
    let selector = Selector::new(PowerOfTwoChoices, "http");
    selector.update(&[instance("fast", None), instance("slow", None)]);
    let latency = |address: &str| {
        if address == "slow:8000" {
            Duration::from_millis(50)
        } else {
            Duration::from_millis(1)
        }
    };
    warm_up(&selector, |picked| {
        let address = picked.node().address().to_owned();
        picked.node().stats.finished(latency(&address), false);
        std::mem::forget(picked);
    });
    let mut counts: HashMap<String, usize> = HashMap::new();
    for _ in 0..10_000 {
        let picked = selector.select(&[]).unwrap();
        let address = picked.node().address().to_owned();
        // Report the latency the node would have had.
        picked.node().stats.finished(latency(&address), false);
        std::mem::forget(picked);
        *counts.entry(address).or_default() += 1;
    }
    // With both measured, the slow one wins only by forced picks (at most one per 25 ms), so
    // how many it got depends on how fast this loop ran.
    assert!(counts["fast:8000"] >= 9_500, "{counts:?}");
    // Passed over for longer than the forced-pick window, the slow node gets the next call.
    std::thread::sleep(Duration::from_millis(40));
    let forced = selector.select(&[]).unwrap();
    assert_eq!(forced.node().address(), "slow:8000");
    std::mem::forget(forced);
}

#[test]
fn p2c_moves_away_from_a_node_with_calls_piling_up() {
    fastrand::seed(3);
    let selector = Selector::new(PowerOfTwoChoices, "http");
    selector.update(&[instance("a", None), instance("b", None)]);
    // Latencies set, not measured: what a warm-up call really took depends on how this thread
    // was scheduled (1 µs against 5 ms would outweigh 20 calls in flight). `a` is a little
    // faster, so a picker blind to calls in flight would send it all 20.
    warm_up(&selector, |picked| {
        let micros = if picked.node().address() == "a:8000" {
            1000
        } else {
            1100
        };
        picked
            .node()
            .stats
            .finished(Duration::from_micros(micros), false);
        std::mem::forget(picked);
    });
    // Hold 20 calls: as they pile up on one node, the next picks go to the other.
    let held: Vec<Picked> = (0..20).map(|_| selector.select(&[]).unwrap()).collect();
    let on_a = held
        .iter()
        .filter(|p| p.node().address() == "a:8000")
        .count();
    assert!(
        (5..=15).contains(&on_a),
        "{on_a} of 20 held calls went to a:8000"
    );
}

#[test]
fn filters_and_scheme_choose_the_nodes() {
    let selector = Selector::with_filters(
        Box::new(WeightedRoundRobin),
        "grpc",
        vec![filter::version("v1")],
    );
    selector.update(&[
        instance("a", None),
        instance("x1", None),
        ServiceInstance::new("h", "s").endpoint("http://h:8000"),
    ]);
    assert_eq!(selector.len(), 1);
    assert_eq!(selector.select(&[]).unwrap().node().address(), "a:9000");

    let by_metadata = Selector::with_filters(
        Box::new(Random),
        "http",
        vec![filter::metadata("zone", "eu")],
    );
    by_metadata.update(&[
        instance("a", None),
        instance("b", None).metadata("zone", "eu"),
    ]);
    assert_eq!(by_metadata.select(&[]).unwrap().node().address(), "b:8000");
}

#[test]
fn a_retry_avoids_the_nodes_already_tried() {
    let selector = Selector::new(WeightedRoundRobin, "http");
    selector.update(&[instance("a", Some(1_000)), instance("b", Some(1))]);
    for _ in 0..50 {
        let picked = selector.select(&["a:8000".to_owned()]).unwrap();
        assert_eq!(picked.node().address(), "b:8000");
    }
    let error = selector
        .select(&["a:8000".to_owned(), "b:8000".to_owned()])
        .unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (503, reasons::NO_AVAILABLE_NODE)
    );
}

#[test]
fn an_empty_selector_is_unavailable_and_updates_keep_statistics() {
    let selector = Selector::new(PowerOfTwoChoices, "http");
    let error = selector.select(&[]).unwrap_err();
    assert_eq!(error.code(), 503);

    selector.update(&[instance("a", None)]);
    let picked = selector.select(&[]).unwrap();
    let node = Arc::clone(picked.node());
    picked.done(false);
    selector.update(&[instance("a", None), instance("b", None)]);
    let kept = Arc::clone(
        selector
            .picker
            .load()
            .as_ref()
            .unwrap()
            .nodes()
            .first()
            .unwrap(),
    );
    assert!(Arc::ptr_eq(&node, &kept));

    selector.update(&[]);
    assert!(selector.is_empty());
}

#[test]
fn concurrent_picks_share_one_schedule() {
    let selector = Arc::new(Selector::new(WeightedRoundRobin, "http"));
    selector.update(&[instance("a", Some(1)), instance("b", Some(1))]);
    let threads: Vec<_> = (0..64)
        .map(|_| {
            let selector = Arc::clone(&selector);
            std::thread::spawn(move || counts(&selector, 1_000))
        })
        .collect();
    let mut total: HashMap<String, usize> = HashMap::new();
    for thread in threads {
        for (address, count) in thread.join().unwrap() {
            *total.entry(address).or_default() += count;
        }
    }
    // One atomic turn counter for all callers: the 64_000 picks alternate exactly.
    assert_eq!(total["a:8000"], 32_000);
    assert_eq!(total["b:8000"], 32_000);
}

/// A picker whose replacement takes a while to drop, to see whether picks wait for it.
struct SlowToDrop {
    nodes: Vec<Arc<Node>>,
    dropping: std::sync::mpsc::Sender<()>,
    dropped: Arc<std::sync::atomic::AtomicBool>,
}

impl Picker for SlowToDrop {
    fn pick(&self) -> Option<&Arc<Node>> {
        self.nodes.first()
    }

    fn nodes(&self) -> &[Arc<Node>] {
        &self.nodes
    }
}

impl Drop for SlowToDrop {
    fn drop(&mut self) {
        let _ = self.dropping.send(());
        std::thread::sleep(Duration::from_secs(1));
        self.dropped
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

struct SlowToDropBalancer {
    dropping: std::sync::Mutex<std::sync::mpsc::Sender<()>>,
    dropped: Arc<std::sync::atomic::AtomicBool>,
}

impl Balancer for SlowToDropBalancer {
    fn build(&self, nodes: Vec<Arc<Node>>) -> Box<dyn Picker> {
        Box::new(SlowToDrop {
            nodes,
            dropping: self.dropping.lock().unwrap().clone(),
            dropped: Arc::clone(&self.dropped),
        })
    }
}

#[test]
fn picks_do_not_wait_for_an_update() {
    let (dropping, started_dropping) = std::sync::mpsc::channel();
    let dropped = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let balancer = SlowToDropBalancer {
        dropping: std::sync::Mutex::new(dropping),
        dropped: Arc::clone(&dropped),
    };
    let selector = Arc::new(Selector::new(balancer, "http"));
    selector.update(&[instance("a", None)]);
    // The update replaces the node set; the old one takes a second to go away.
    let updating = {
        let selector = Arc::clone(&selector);
        std::thread::spawn(move || selector.update(&[instance("b", None)]))
    };
    started_dropping.recv().unwrap();
    let picked = selector.select(&[]).unwrap();
    assert!(
        !dropped.load(std::sync::atomic::Ordering::SeqCst),
        "the pick waited for the update to finish"
    );
    assert_eq!(picked.node().address(), "b:8000");
    picked.done(false);
    updating.join().unwrap();
}

#[test]
fn a_node_dropped_by_an_update_says_when() {
    let selector = Selector::new(WeightedRoundRobin, "http");
    selector.update(&[instance("a", None), instance("b", None)]);
    let nodes: Vec<Arc<Node>> = (0..2)
        .map(|_| Arc::clone(selector.select(&[]).unwrap().node()))
        .collect();
    assert!(nodes.iter().all(|node| node.removed_at().is_none()));

    let before = Instant::now();
    selector.update(&[instance("b", None)]);
    let removed: Vec<&str> = nodes
        .iter()
        .filter(|node| node.removed_at().is_some_and(|at| at >= before))
        .map(|node| node.address())
        .collect();
    assert_eq!(removed, ["a:8000"]);
    // No pick after the removal returns it.
    let after = selector.select(&[]).unwrap();
    assert_eq!(after.node().address(), "b:8000");
    assert!(after.node().removed_at().is_none());
}

#[test]
fn only_pickers_that_read_call_statistics_record_them() {
    for (balancer, records) in [
        (Box::new(WeightedRoundRobin) as Box<dyn Balancer>, false),
        (Box::new(Random), false),
        (Box::new(PowerOfTwoChoices), true),
    ] {
        let selector = Selector::with_filters(balancer, "http", Vec::new());
        selector.update(&[instance("a", None)]);
        let picked = selector.select(&[]).unwrap();
        let node = Arc::clone(picked.node());
        let idle = node.stats.score();
        std::thread::sleep(Duration::from_millis(2));
        picked.done(false);
        assert_eq!(node.stats.score() != idle, records, "{node:?}");
    }
}
