//! Server benchmark, through the real binary over stdio.
//!
//! 1. Latency from a `didChange` on a 5,000-line template to the
//!    `publishDiagnostics` for that version, over 200 incremental edits,
//!    with the debounce set to 0 so that it is not counted.
//! 2. Resident memory of the server with 200 templates open.
//!
//! Run: cargo bench --bench server

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use common::{TYPICAL_JOB, large_job, load_average, report, rss_kib};
use serde_json::{Value, json};
use support::Client;

const LARGE_URI: &str = "file:///bench/large.yaml";

/// Line and UTF-16 column of a byte offset (the templates here are ASCII).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

fn start() -> Client {
    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
            "initializationOptions": {"openjd": {"diagnostics": {"debounceMs": 0}}},
        }),
    );
    assert!(init.get("error").is_none(), "{init}");
    client.notify("initialized", json!({}));
    client
}

fn publish_latency() {
    let mut client = start();
    let mut text = large_job(5000);
    println!(
        "didChange -> publishDiagnostics on a {}-line template, debounce 0",
        text.lines().count()
    );
    client.open(LARGE_URI, &text, 1);
    let first = client.diagnostics_for(LARGE_URI, Some(1));
    assert!(first.is_empty(), "the template should be clean: {first:?}");

    // Edits spread over the document: each renames one variable reference,
    // alternately to an undefined name and back, so that every version's
    // diagnostics differ from the previous one.
    let sites: Vec<usize> = text
        .match_indices("{{Param.Scene}}")
        .map(|(at, _)| at + "{{Param.".len())
        .collect();
    let mut samples = Vec::new();
    for edit in 0..200usize {
        let version = edit as i64 + 2;
        let at = sites[(edit / 2 * 7) % sites.len()];
        let (old, new) = if edit % 2 == 0 {
            ("Scene", "Scena")
        } else {
            ("Scena", "Scene")
        };
        assert_eq!(&text[at..at + old.len()], old);
        let range = json!({"start": position(&text, at), "end": position(&text, at + old.len())});
        text.replace_range(at..at + old.len(), new);
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": LARGE_URI, "version": version},
                "contentChanges": [{"range": range, "text": new}],
            }),
        );
        let diags = client.diagnostics_for(LARGE_URI, Some(version));
        samples.push(sent.elapsed().as_secs_f64() * 1000.0);
        let expected = usize::from(edit % 2 == 0);
        assert_eq!(diags.len(), expected, "version {version}: {diags:?}");
    }
    let (_, p99) = report("  200 edits", &mut samples);
    println!("  target: p99 {p99:.2} ms (<= 30 ms)");
    let _ = client.shutdown_and_exit();
}

fn memory_with_open_templates() {
    let mut client = start();
    let pid = client.pid().to_string();
    let idle = rss_kib(&pid);
    for i in 0..200 {
        let uri = format!("file:///bench/jobs/job{i}.yaml");
        let text = TYPICAL_JOB.replace("Render {{", &format!("Render {i} {{{{"));
        client.open(&uri, &text, 1);
        let diags = client.diagnostics_for(&uri, Some(1));
        assert!(diags.is_empty(), "{uri}: {diags:?}");
    }
    // Let the allocator settle after the last analysis.
    std::thread::sleep(Duration::from_millis(200));
    let open = rss_kib(&pid);
    println!(
        "resident memory: {:.1} MB idle, {:.1} MB with 200 templates of 150 lines open \
         (target <= 100 MB)",
        idle as f64 / 1024.0,
        open as f64 / 1024.0
    );
    client.open(LARGE_URI, &large_job(5000), 1);
    client.diagnostics_for(LARGE_URI, Some(1));
    std::thread::sleep(Duration::from_millis(200));
    println!(
        "resident memory: {:.1} MB after also opening the 5,000-line template",
        rss_kib(&pid) as f64 / 1024.0
    );
    let _ = client.shutdown_and_exit();
}

fn main() {
    println!("load average at start: {}", load_average());
    publish_latency();
    memory_with_open_templates();
    println!("load average at end: {}", load_average());
}
