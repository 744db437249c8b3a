//! Server benchmark, through the real binary over stdio.
//!
//! 1. Edit → diagnostics: latency from a `didChange` to the
//!    `publishDiagnostics` for that version, each edit sent once the
//!    previous one's diagnostics are in, on a typical 150-line template
//!    (200 edits), the 5,000-line template (200 edits) and the 10 MiB
//!    template of the hostile-input benchmark (20 edits); at the default
//!    settings and with `diagnostics.debounceMs: 0`.
//! 2. Typing: 100 keystrokes at 10 a second into each of them, at the
//!    default settings: the analyses run (counted from the server's debug
//!    log, target `openjd_lsp::analyses`), the versions whose diagnostics
//!    were published while typing, the server's CPU time, the time from the
//!    last keystroke to its diagnostics, and peak memory.
//! 3. Resident memory of the server with 200 templates open.
//!
//! Run: cargo bench --bench server. To measure another build with the same
//! benchmark, name its binary in `OPENJD_LSP_BIN`.
//! `OPENJD_BENCH_ONLY=latency|typing|memory` runs one part;
//! `OPENJD_BENCH_VERBOSE=1` prints the log line of each analysis typed.

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use common::{TYPICAL_JOB, large_job, load_average, megabytes, peak_rss_kib, report, rss_kib};
use serde_json::{Value, json};
use support::Client;

/// Line and UTF-16 column of a byte offset (the templates here are ASCII).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

/// A template to edit, and the edit made in it: `old` renamed to `new`
/// (an undefined name) and back, at places after `site`.
struct Template {
    name: &'static str,
    uri: &'static str,
    text: String,
    site: &'static str,
    old: &'static str,
    new: &'static str,
    edits: usize,
}

fn templates() -> Vec<Template> {
    vec![
        Template {
            name: "typical 150-line template",
            uri: "file:///bench/typical.yaml",
            text: TYPICAL_JOB.to_string(),
            site: "{{Param.",
            old: "Frames",
            new: "Framez",
            edits: 200,
        },
        Template {
            name: "5,000-line template",
            uri: "file:///bench/large.yaml",
            text: large_job(5000),
            site: "{{Param.",
            old: "Scene",
            new: "Scena",
            edits: 200,
        },
        Template {
            name: "10 MiB template",
            uri: "file:///bench/ten.yaml",
            text: megabytes(10),
            site: "{{Session.",
            old: "WorkingDirectory",
            new: "WorkingDirectorz",
            edits: 20,
        },
    ]
}

fn start(settings: Value) -> Client {
    let mut client = Client::start_with_log(&[]);
    let mut settings = settings;
    settings["log"] = json!({"level": "info,openjd_lsp::analyses=debug"});
    let init = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}},
            "initializationOptions": {"openjd": settings},
        }),
    );
    assert!(init.get("error").is_none(), "{init}");
    client.notify("initialized", json!({}));
    client
}

fn publish_latency(template: &Template, label: &str, settings: Value) -> (f64, f64) {
    let mut client = start(settings);
    let mut text = template.text.clone();
    let uri = template.uri;
    client.open(uri, &text, 1);
    let clean = client.diagnostics_for(uri, Some(1)).len();

    // Edits spread over the document, alternately to an undefined name and
    // back, so that every version's diagnostics differ from the previous.
    let pattern = format!("{}{}", template.site, template.old);
    let sites: Vec<usize> = text
        .match_indices(&pattern)
        .map(|(at, _)| at + template.site.len())
        .collect();
    let mut samples = Vec::new();
    for edit in 0..template.edits {
        let version = edit as i64 + 2;
        let at = sites[(edit / 2 * 7) % sites.len()];
        let (old, new) = if edit % 2 == 0 {
            (template.old, template.new)
        } else {
            (template.new, template.old)
        };
        assert_eq!(&text[at..at + old.len()], old);
        let range = json!({"start": position(&text, at), "end": position(&text, at + old.len())});
        text.replace_range(at..at + old.len(), new);
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range, "text": new}],
            }),
        );
        let diags = client.diagnostics_for(uri, Some(version));
        samples.push(sent.elapsed().as_secs_f64() * 1000.0);
        let broken = edit % 2 == 0;
        assert_eq!(diags.len() > clean, broken, "version {version}: {diags:?}");
    }
    let result = report(
        &format!("  {}, {label}: {} edits", template.name, template.edits),
        &mut samples,
    );
    let _ = client.shutdown_and_exit();
    result
}

/// CPU time (user + system) of a process in milliseconds, from /proc.
fn cpu_ms(pid: &str) -> f64 {
    let ticks_per_second = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(100.0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    (ticks(11) + ticks(12)) * 1000.0 / ticks_per_second
}

/// 100 keystrokes at 10 a second, typed into a comment at the end.
fn typing(template: &Template) {
    const KEYSTROKES: i64 = 100;
    let mut client = start(json!({}));
    let pid = client.pid().to_string();
    let uri = template.uri;
    let mut text = format!("{}# typed: ", template.text);
    client.open(uri, &text, 1);
    client.diagnostics_for(uri, Some(1));
    std::thread::sleep(Duration::from_millis(300));
    let open_rss = rss_kib(&pid);
    let cpu_before = cpu_ms(&pid);
    let started = Instant::now();
    let mut last_sent = started;
    for key in 0..KEYSTROKES {
        let due = started + Duration::from_millis(100 * key as u64);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let end = position(&text, text.len());
        text.push('a');
        last_sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": key + 2},
                "contentChanges": [{"range": {"start": end, "end": end}, "text": "a"}],
            }),
        );
    }
    let last = KEYSTROKES + 1;
    client.diagnostics_for(uri, Some(last));
    let settled = last_sent.elapsed().as_secs_f64() * 1000.0;
    let cpu = cpu_ms(&pid) - cpu_before;
    let published_while_typing = client
        .backlog
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .filter(|m| m["params"]["version"].as_i64().is_some_and(|v| v > 1))
        .count();
    std::thread::sleep(Duration::from_millis(200));
    let analyses = client.log_lines(&format!("analysis of {uri} version "));
    let typed = analyses
        .iter()
        .filter(|l| !l.contains(" version 1:"))
        .collect::<Vec<_>>();
    let stopped = typed.iter().filter(|l| l.ends_with("stopped")).count();
    if std::env::var_os("OPENJD_BENCH_VERBOSE").is_some() {
        for l in &analyses {
            println!("    {l}");
        }
    }
    let counted = if analyses.is_empty() {
        "not logged by this build".to_string()
    } else {
        format!(
            "{} ({} finished, {stopped} stopped by a newer version)",
            typed.len(),
            typed.len() - stopped
        )
    };
    println!(
        "  {}: analyses per 100 keystrokes: {counted}; versions published while typing: \
         {published_while_typing}; server CPU {cpu:.0} ms over {:.1} s; last keystroke -> its \
         diagnostics {settled:.0} ms; resident {:.1} MB after open, peak {:.1} MB",
        template.name,
        last_sent.duration_since(started).as_secs_f64(),
        open_rss as f64 / 1024.0,
        peak_rss_kib(&pid) as f64 / 1024.0,
    );
    let _ = client.shutdown_and_exit();
}

fn memory_with_open_templates() {
    let mut client = start(json!({}));
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
    let large = "file:///bench/large.yaml";
    client.open(large, &large_job(5000), 1);
    client.diagnostics_for(large, Some(1));
    std::thread::sleep(Duration::from_millis(200));
    println!(
        "resident memory: {:.1} MB after also opening the 5,000-line template",
        rss_kib(&pid) as f64 / 1024.0
    );
    let _ = client.shutdown_and_exit();
}

fn main() {
    let only = std::env::var("OPENJD_BENCH_ONLY").ok();
    let runs = |part: &str| only.as_deref().is_none_or(|o| o == part);
    println!("load average at start: {}", load_average());
    let templates = templates();
    if runs("latency") {
        println!("didChange -> publishDiagnostics, each edit after the previous one's diagnostics");
        for template in &templates {
            publish_latency(template, "default settings", json!({}));
            let (_, p99) = publish_latency(
                template,
                "debounce 0",
                json!({"diagnostics": {"debounceMs": 0}}),
            );
            if template.name.starts_with("5,000") {
                println!("  target: p99 {p99:.2} ms (<= 30 ms) with debounce 0");
            }
        }
    }
    if runs("typing") {
        println!("100 keystrokes at 10 a second, default settings");
        for template in &templates {
            typing(template);
        }
    }
    if runs("memory") {
        memory_with_open_templates();
    }
    println!("load average at end: {}", load_average());
}
