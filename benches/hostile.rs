//! Hostile-input benchmark, through the real binary:
//!
//! 1. a 10 MiB template open in the server: resident memory, hover and
//!    completion latency, an edit's diagnostics, hover right after an edit,
//!    memory after `didClose`;
//! 2. an expression bomb (twelve `range(9999999)` and twelve
//!    `repr_py(range(5000000))`): time and peak memory of `check` and of the
//!    server opening it;
//! 3. a 50 MiB template in a workspace of 2,000 templates: indexing time and
//!    server memory with the default size cap (16 MiB: it is not read) and
//!    with `openjd.files.maxSizeMiB: 64` (read and indexed), and hover
//!    latency on another job while the 50 MiB file, just written, is read.
//!
//! Run: cargo bench --bench hostile

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{load_average, megabytes, peak_rss_kib, report, rss_kib};
use serde_json::{Value, json};
use support::Client;

fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn start(options: Value, root: Option<&Path>) -> Client {
    let mut client = Client::start();
    let root_uri = root.map(|r| format!("file://{}", r.display()));
    let folders = root_uri
        .as_ref()
        .map(|u| json!([{"uri": u, "name": "ws"}]))
        .unwrap_or(Value::Null);
    let init = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": root_uri,
            "workspaceFolders": folders,
            "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                             "window": {"workDoneProgress": true}},
            "initializationOptions": {"openjd": options},
        }),
    );
    assert!(init.get("error").is_none(), "{init}");
    client.notify("initialized", json!({}));
    client
}

fn timed_request(client: &mut Client, method: &str, params: Value) -> (f64, Value) {
    let t = Instant::now();
    let r = client.request(method, params);
    (t.elapsed().as_secs_f64() * 1000.0, r)
}

fn ten_megabytes_open() {
    let uri = "file:///bench/ten.yaml";
    let mut text = megabytes(10);
    let size = text.len();
    println!(
        "== a {:.1} MiB template ({} lines) open in the server",
        size as f64 / (1 << 20) as f64,
        text.lines().count()
    );
    let mut client = start(json!({}), None);
    let pid = client.pid().to_string();
    let idle = rss_kib(&pid);
    let t = Instant::now();
    client.open(uri, &text, 1);
    let diags = client.diagnostics_for(uri, Some(1));
    println!(
        "open -> diagnostics: {:.0} ms ({} diagnostics)",
        t.elapsed().as_secs_f64() * 1000.0,
        diags.len()
    );
    std::thread::sleep(Duration::from_millis(300));
    let open = rss_kib(&pid);
    println!(
        "resident memory: {:.1} MB idle, {:.1} MB with it open ({:.1}x its size; target <= 10x), peak {:.1} MB",
        mb(idle),
        mb(open),
        (open.saturating_sub(idle) * 1024) as f64 / size as f64,
        mb(peak_rss_kib(&pid))
    );

    // Hover on keys and inside `{{ }}`, completion after `{{Session.`, at
    // 50 places spread over the document.
    let doc = json!({"uri": uri});
    let keys: Vec<usize> = text
        .match_indices("command: echo")
        .map(|(i, _)| i + 2)
        .collect();
    let exprs: Vec<usize> = text
        .match_indices("{{Session.WorkingDirectory}}")
        .map(|(i, _)| i + "{{Session.".len())
        .collect();
    let (mut hovers, mut completions) = (Vec::new(), Vec::new());
    for k in 0..50 {
        let at = if k % 2 == 0 {
            keys[k * keys.len() / 50]
        } else {
            exprs[k * exprs.len() / 50] + 3
        };
        let (ms, r) = timed_request(
            &mut client,
            "textDocument/hover",
            json!({"textDocument": doc, "position": position(&text, at)}),
        );
        assert!(r["result"].is_object(), "{r}");
        hovers.push(ms);
        let at = exprs[k * exprs.len() / 50];
        let (ms, r) = timed_request(
            &mut client,
            "textDocument/completion",
            json!({"textDocument": doc, "position": position(&text, at)}),
        );
        assert!(r.get("error").is_none(), "{r}");
        completions.push(ms);
    }
    report("hover, 50 places (target: median <= 50 ms)", &mut hovers);
    report(
        "completion, 50 places (target: median <= 50 ms)",
        &mut completions,
    );

    // Edits: a character typed in a step's argument, then the time to its
    // diagnostics; and a hover sent right after an edit (it needs the new
    // version's analysis).
    let sites: Vec<usize> = text.match_indices("\"xxxx").map(|(i, _)| i + 1).collect();
    let (mut published, mut hover_after_edit) = (Vec::new(), Vec::new());
    for edit in 0..10usize {
        let version = edit as i64 + 2;
        let at = sites[edit * sites.len() / 10];
        text.insert(at, 'y');
        let p = position(&text, at);
        let t = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": p, "end": p}, "text": "y"}]}),
        );
        if edit % 2 == 0 {
            client.diagnostics_for(uri, Some(version));
            published.push(t.elapsed().as_secs_f64() * 1000.0);
        } else {
            let near = keys[edit * keys.len() / 10];
            let (ms, r) = timed_request(
                &mut client,
                "textDocument/hover",
                json!({"textDocument": doc, "position": position(&text, near)}),
            );
            assert!(r.get("error").is_none(), "{r}");
            hover_after_edit.push(ms);
            client.diagnostics_for(uri, Some(version));
        }
    }
    report("edit -> publishDiagnostics (target <= 2 s)", &mut published);
    report("hover sent right after an edit", &mut hover_after_edit);
    let edited = rss_kib(&pid);
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let _ = client.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": position(&text, 0)}),
    );
    std::thread::sleep(Duration::from_millis(1000));
    println!(
        "resident memory: {:.1} MB after the edits, {:.1} MB 1 s after didClose (peak {:.1} MB)",
        mb(edited),
        mb(rss_kib(&pid)),
        mb(peak_rss_kib(&pid))
    );
    let _ = client.shutdown_and_exit();
}

fn bomb() -> String {
    let mut text = String::from(
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: Bomb\nsteps:\n",
    );
    for i in 0..12 {
        text.push_str(&format!(
            "  - name: S{i}\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: [\"{{{{ range(9999999) }}}}\", \"{{{{ repr_py(range(5000000)) }}}}\"]\n"
        ));
    }
    text
}

/// Run `openjd-lsp check` on `file`: wall time and the child's peak
/// resident memory (from wait4).
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives the memory
fn check_process(file: &Path) -> (f64, u64, i32) {
    let bin = env!("CARGO_BIN_EXE_openjd-lsp");
    let t = Instant::now();
    let child = std::process::Command::new(bin)
        .arg("check")
        .arg(file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openjd-lsp check");
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter for wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into locals.
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    (ms, usage.ru_maxrss as u64, libc::WEXITSTATUS(status))
}

fn expression_bombs(dir: &Path) {
    println!(
        "== an expression bomb: twelve steps with `range(9999999)` and `repr_py(range(5000000))`"
    );
    let text = bomb();
    let file = dir.join("bomb.yaml");
    std::fs::write(&file, &text).expect("write");
    let mut runs = Vec::new();
    let mut peak = 0;
    for _ in 0..5 {
        let (ms, kib, code) = check_process(&file);
        assert!(code <= 1, "check exit code {code}");
        runs.push(ms);
        peak = peak.max(kib);
    }
    report("openjd-lsp check bomb.yaml, 5 runs", &mut runs);
    println!("  peak resident memory of check: {:.1} MB", mb(peak));

    let mut client = start(json!({}), None);
    let pid = client.pid().to_string();
    let uri = "file:///bench/bomb.yaml";
    let t = Instant::now();
    client.open(uri, &text, 1);
    let diags = client.diagnostics_for(uri, Some(1));
    let open_ms = t.elapsed().as_secs_f64() * 1000.0;
    let too_large = diags
        .iter()
        .filter(|d| d["code"] == "expression-too-large")
        .count();
    // One more keystroke and four requests, as a user would.
    let t = Instant::now();
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 2, "character": 10}, "end": {"line": 2, "character": 10}}, "text": "X"}]}),
    );
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/documentHighlight",
        "textDocument/hover",
    ] {
        let r = client.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": 9, "character": 20}}),
        );
        assert!(
            r.get("error").is_none() || r["error"]["code"] == -32801,
            "{r}"
        );
    }
    client.diagnostics_for(uri, Some(2));
    println!(
        "server: open -> diagnostics {open_ms:.0} ms ({too_large} expression-too-large), \
         an edit and 4 requests {:.0} ms; peak resident memory {:.1} MB",
        t.elapsed().as_secs_f64() * 1000.0,
        mb(peak_rss_kib(&pid))
    );
    let _ = client.shutdown_and_exit();
}

fn job(i: usize) -> String {
    format!(
        "specificationVersion: jobtemplate-2023-09\nname: Job{i}\nparameterDefinitions:\n  - name: Shot\n    type: STRING\n    default: sh{i}\nsteps:\n  - name: Render\n    script:\n      actions:\n        onRun:\n          command: render\n          args: [\"{{{{Param.Shot}}}}\"]\n"
    )
}

/// Wait for the end of the server's indexing progress.
fn wait_indexed(client: &mut Client) -> bool {
    client
        .wait_for(
            "$/progress",
            |p| p["token"] == "openjd-lsp/indexing" && p["value"]["kind"] == "end",
            Duration::from_secs(120),
        )
        .is_some()
}

fn big_file_in_workspace(dir: &Path) {
    println!("== a 50 MiB template in a workspace of 2,000 templates");
    let ws = dir.join("ws");
    for i in 0..2000 {
        let sub = ws.join(format!("jobs/{:02}", i % 50));
        std::fs::create_dir_all(&sub).expect("mkdir");
        std::fs::write(sub.join(format!("job{i}.yaml")), job(i)).expect("write");
    }
    let big_text = megabytes(50);
    let big = ws.join("big.yaml");
    std::fs::write(&big, &big_text).expect("write");
    let other = ws.join("jobs/07/job7.yaml");
    let other_uri = format!("file://{}", other.display());
    let other_text = job(7);
    let hover_params = json!({"textDocument": {"uri": other_uri},
                              "position": position(&other_text, other_text.find("command").unwrap_or(0) + 2)});

    for (label, options) in [
        (
            "default cap (16 MiB): the 50 MiB file is not read",
            json!({}),
        ),
        (
            "openjd.files.maxSizeMiB: 64: it is read and indexed",
            json!({"files": {"maxSizeMiB": 64}}),
        ),
    ] {
        let t = Instant::now();
        let mut client = start(options, Some(&ws));
        let pid = client.pid().to_string();
        assert!(wait_indexed(&mut client), "indexing did not end");
        let indexed_ms = t.elapsed().as_secs_f64() * 1000.0;
        std::thread::sleep(Duration::from_millis(300));
        println!(
            "{label}: indexing {indexed_ms:.0} ms, resident memory {:.1} MB (peak {:.1} MB)",
            mb(rss_kib(&pid)),
            mb(peak_rss_kib(&pid))
        );
        client.open(&other_uri, &other_text, 1);
        client.diagnostics_for(&other_uri, Some(1));
        // The big file changes on disk; hovers on another job meanwhile.
        std::fs::write(&big, big_text.replace("name: Big", "name: Bigger")).expect("write");
        let big_uri = format!("file://{}", big.display());
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": big_uri, "type": 2}]}),
        );
        let mut samples = Vec::new();
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            let (ms, r) = timed_request(&mut client, "textDocument/hover", hover_params.clone());
            assert!(r["result"].is_object(), "{r}");
            samples.push(ms);
            std::thread::sleep(Duration::from_millis(20));
        }
        report(
            "  hover on another job during the 3 s after the change",
            &mut samples,
        );
        println!(
            "  resident memory {:.1} MB afterwards (peak {:.1} MB)",
            mb(rss_kib(&pid)),
            mb(peak_rss_kib(&pid))
        );
        let _ = client.shutdown_and_exit();
    }
}

fn main() {
    println!("load average at start: {}", load_average());
    let dir: PathBuf =
        std::env::temp_dir().join(format!("openjd-lsp-bench-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    // `cargo bench --bench hostile -- NAME` runs only the parts whose name
    // contains NAME (`bomb`, `ten`, `fifty`).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |part: &str| only.is_empty() || only.iter().any(|o| part.contains(o.as_str()));
    if wanted("bomb") {
        expression_bombs(&dir);
    }
    if wanted("ten") {
        ten_megabytes_open();
    }
    if wanted("fifty") {
        big_file_in_workspace(&dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("load average at end: {}", load_average());
}
