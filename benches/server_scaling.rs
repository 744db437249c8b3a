//! Scaling benchmark of the server, through the real binary: how the time
//! until the next answer grows with the number of documents and of
//! changes. Each case runs at N, 2N, 4N and 8N; the ratio to the previous
//! size shows the growth (about 2 when linear, about 4 when quadratic).
//!
//! 1. `didOpen` of N small templates, then a hover;
//! 2. `didClose` of those N templates, then a hover;
//! 3. one `didChange` with N edits of a 10 MiB template, then a hover on
//!    another document.
//!
//! Run: cargo bench --bench server_scaling. `SCALING_N` sets the smallest
//! N of the document cases (default 1,000); the edit case starts at 10×.

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use common::load_average;
use serde_json::{Value, json};
use support::Client;

const JOB: &str = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun:\n          command: echo\n";

fn started() -> Client {
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c
}

fn uri(i: usize) -> String {
    format!("file:///bench/job{i}.yaml")
}

fn hover(c: &mut Client, uri: &str) {
    let answer = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 1}}),
    );
    assert!(answer.get("error").is_none(), "{answer}");
}

/// Seconds from the first of N opens (then N closes) to the answer of the
/// hover sent after them.
fn opens_and_closes(n: usize) -> (f64, f64) {
    let mut c = started();
    let start = Instant::now();
    for i in 0..n {
        c.open(&uri(i), JOB, 1);
    }
    hover(&mut c, &uri(0));
    let opened = start.elapsed().as_secs_f64();
    let start = Instant::now();
    for i in 0..n {
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(i)}}),
        );
    }
    hover(&mut c, &uri(0));
    let closed = start.elapsed().as_secs_f64();
    c.shutdown_and_exit();
    (opened, closed)
}

/// Seconds from one didChange of `n` one-character edits of a 10 MiB
/// template to the answer of a hover on another document.
fn edits_in_one_change(n: usize) -> f64 {
    let mut c = started();
    let filler = "# a comment line of a large template, to make it ten mebibytes\n";
    let big = format!("{JOB}{}", filler.repeat((10 << 20) / filler.len()));
    c.open("file:///bench/big.yaml", &big, 1);
    c.open(&uri(0), JOB, 1);
    hover(&mut c, &uri(0));
    let changes: Vec<Value> = (0..n)
        .map(|i| {
            let line = 20 + i % 100_000;
            json!({"range": {"start": {"line": line, "character": 2},
                             "end": {"line": line, "character": 3}},
                   "text": "A"})
        })
        .collect();
    let start = Instant::now();
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///bench/big.yaml", "version": 2},
               "contentChanges": changes}),
    );
    hover(&mut c, &uri(0));
    let took = start.elapsed().as_secs_f64();
    c.shutdown_and_exit();
    took
}

fn row(label: &str, sizes: &[usize], times: &[f64]) {
    let cells: Vec<String> = sizes
        .iter()
        .zip(times)
        .enumerate()
        .map(|(i, (n, t))| {
            let ratio = if i == 0 {
                String::new()
            } else {
                format!(" (×{:.1})", t / times[i - 1].max(1e-9))
            };
            format!("N={n}: {:.0} ms{ratio}", t * 1000.0)
        })
        .collect();
    println!("{label:<40} {}", cells.join(", "));
}

fn main() {
    let smallest: usize = std::env::var("SCALING_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    println!("server scaling, load average {}", load_average());
    let sizes: Vec<usize> = (0..4).map(|k| smallest << k).collect();
    let (opens, closes): (Vec<f64>, Vec<f64>) = sizes.iter().map(|&n| opens_and_closes(n)).unzip();
    row("didOpen × N, then a hover", &sizes, &opens);
    row("didClose × N, then a hover", &sizes, &closes);
    let edit_sizes: Vec<usize> = sizes.iter().map(|n| n * 10).collect();
    let edits: Vec<f64> = edit_sizes.iter().map(|&n| edits_in_one_change(n)).collect();
    row("one didChange of N edits (10 MiB)", &edit_sizes, &edits);
}
