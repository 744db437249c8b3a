//! Analysis, completion and hover benchmark.
//!
//! Full analysis (our passes plus the reference validator, as the server
//! and `check` run it) of a typical 150-line job template and of a
//! generated 5,000-line one; then completion and hover at 200 positions of
//! the 5,000-line template, each a pure function of its analysis.
//! Run: cargo bench --bench analysis

mod common;

use std::hint::black_box;
use std::time::Instant;

use common::{TYPICAL_JOB, large_job, load_average, report, twenty_megabytes};
use openjd_lsp::analysis::{Options, analyze};
use openjd_lsp::ide::completion::complete;
use openjd_lsp::ide::hover::hover;

fn time_analysis(label: &str, text: &str, options: &Options, runs: usize) -> (f64, f64) {
    for _ in 0..runs.div_ceil(10) {
        black_box(analyze(text, options));
    }
    // The result is freed outside the timing, as the server frees the
    // previous analysis only after publishing the new one.
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let analysis = black_box(analyze(text, options));
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            drop(analysis);
            elapsed
        })
        .collect();
    report(label, &mut samples)
}

/// 200 cursor positions spread over the template: half inside `{{ }}`
/// (just after the braces and in the middle of a name), half on keys.
fn positions(text: &str) -> Vec<usize> {
    let expressions: Vec<usize> = text
        .match_indices("{{")
        .flat_map(|(at, _)| [at + 2, at + 6])
        .collect();
    let keys: Vec<usize> = text
        .match_indices(":")
        .map(|(at, _)| at.saturating_sub(2))
        .collect();
    let spread = |all: &[usize], n: usize| -> Vec<usize> {
        (0..n).map(|i| all[i * all.len() / n]).collect()
    };
    let mut out = spread(&expressions, 100);
    out.extend(spread(&keys, 100));
    out
}

fn main() {
    println!("load average at start: {}", load_average());
    let full = Options::default();
    let own_only = Options::own();

    let (_, typical_p99) = time_analysis(
        "typical 150-line template, full analysis",
        TYPICAL_JOB,
        &full,
        2000,
    );
    time_analysis(
        "typical 150-line template, own passes only",
        TYPICAL_JOB,
        &own_only,
        2000,
    );

    let large = large_job(5000);
    println!(
        "generated template: {} lines, {} bytes",
        large.lines().count(),
        large.len()
    );
    let baseline = analyze(&large, &full);
    assert!(
        baseline.diagnostics.is_empty(),
        "the generated template should be clean: {:?}",
        baseline.diagnostics.first().map(|d| &d.message)
    );
    let (large_p50, _) = time_analysis("5,000-line template, full analysis", &large, &full, 100);
    time_analysis(
        "5,000-line template, own passes only",
        &large,
        &own_only,
        100,
    );

    let huge = twenty_megabytes();
    println!(
        "20 MB template: {} lines, {} bytes",
        huge.lines().count(),
        huge.len()
    );
    let (huge_p50, _) = time_analysis("20 MB template, full analysis", &huge, &full, 5);
    time_analysis("20 MB template, own passes only", &huge, &own_only, 5);
    drop(huge);

    let snapshot = analyze(&large, &full);
    let at = positions(&large);
    let mut completion = Vec::new();
    let mut hovering = Vec::new();
    let (mut items, mut hovers) = (0, 0);
    for _ in 0..5 {
        for &offset in &at {
            let start = Instant::now();
            items += black_box(complete(&snapshot, offset)).len();
            completion.push(start.elapsed().as_secs_f64() * 1000.0);
            let start = Instant::now();
            hovers += usize::from(black_box(hover(&snapshot, offset)).is_some());
            hovering.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let (_, completion_p99) = report(
        "completion at 200 positions of the 5,000-line template (x5)",
        &mut completion,
    );
    let (_, hover_p99) = report(
        "hover at 200 positions of the 5,000-line template (x5)",
        &mut hovering,
    );
    println!(
        "  ({} completion items in all, {} of {} hovers answered)",
        items,
        hovers,
        hovering.len()
    );
    println!("load average at end: {}", load_average());
    println!(
        "targets: typical p99 {typical_p99:.3} ms (<= 1 ms), 5,000 lines p50 {large_p50:.2} ms (<= 20 ms), \
         completion p99 {completion_p99:.3} ms and hover p99 {hover_p99:.3} ms (<= 5 ms), \
         20 MB p50 {huge_p50:.0} ms (< 1,000 ms)"
    );
}
