//! Edit → diagnostics, openjd-lsp against yaml-language-server on the same
//! run: the same client sends the same edits to each server, and the
//! servers take turns (each round runs every server once), so that a busy
//! machine slows them alike.
//!
//! The edits are those of `benches/server.rs` on the 5,000-line template:
//! a rename inside a `{{ }}` to an undefined name and back, spread over the
//! document, each sent once the previous one's diagnostics are in. The time
//! is from the `didChange` to the next `publishDiagnostics` of the document
//! (of that version, where the server names one).
//!
//! yaml-language-server validates against a JSON schema of OpenJD job
//! templates, at its default settings (it waits 200 ms after an edit before
//! validating). It cannot see the undefined name, so its diagnostics are the
//! same for every version; each edit still gets its own publish.
//!
//! Run through `scripts/bench-yaml-ls.sh`, which installs
//! yaml-language-server and generates the schema into `target/yaml-ls`, then
//! runs this with:
//! - `OPENJD_BENCH_YAML_LS`: yaml-language-server's executable script (run
//!   with `node … --stdio`);
//! - `OPENJD_BENCH_YAML_SCHEMA`: the JSON schema file;
//! - `OPENJD_BENCH_OLD_BIN` (optional): another openjd-lsp build to measure
//!   at its default settings in the same rounds;
//! - `OPENJD_BENCH_ROUNDS` (optional, default 2).

mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::{large_job, load_average, percentile, report};
use serde_json::{Value, json};
use support::Client;

const URI: &str = "file:///bench/large.yaml";
const EDITS: usize = 200;

/// Line and UTF-16 column of a byte offset (the template is ASCII).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": column})
}

/// One `didChange` of the sequence, and whether it leaves an undefined name.
struct Edit {
    change: Value,
    broken: bool,
}

/// The edits of `benches/server.rs` on the 5,000-line template: `Scene`
/// renamed to `Scena` after a `{{Param.` and back, at every seventh site.
fn edit_sequence(text: &str) -> Vec<Edit> {
    let (site, old, new) = ("{{Param.", "Scene", "Scena");
    let mut text = text.to_string();
    let sites: Vec<usize> = text
        .match_indices(&format!("{site}{old}"))
        .map(|(at, _)| at + site.len())
        .collect();
    assert!(!sites.is_empty(), "the template has no {site}{old}");
    (0..EDITS)
        .map(|edit| {
            let at = sites[(edit / 2 * 7) % sites.len()];
            let broken = edit % 2 == 0;
            let (from, to) = if broken { (old, new) } else { (new, old) };
            assert_eq!(&text[at..at + from.len()], from);
            let range =
                json!({"start": position(&text, at), "end": position(&text, at + from.len())});
            text.replace_range(at..at + from.len(), to);
            Edit {
                change: json!({"range": range, "text": to}),
                broken,
            }
        })
        .collect()
}

enum Server {
    OpenJd { bin: PathBuf, settings: Value },
    YamlLs { script: PathBuf, schema: PathBuf },
}

struct Contender {
    label: String,
    server: Server,
    p50s: Vec<f64>,
    p99s: Vec<f64>,
}

fn start_openjd(bin: &Path, settings: &Value) -> Client {
    let mut client = Client::start_command(Command::new(bin));
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

/// yaml-language-server with the schema for every `.yaml`, validation on and
/// no schema store (it would be fetched from the network). It pulls its
/// settings with `workspace/configuration` once initialised; the first item
/// asked for is the `yaml` section.
fn start_yaml_ls(script: &Path, schema: &Path) -> Client {
    let mut cmd = Command::new("node");
    cmd.arg(script).arg("--stdio");
    let mut client = Client::start_command(cmd);
    client.configuration = json!({
        "validate": true,
        "schemas": {schema.to_string_lossy(): "*.yaml"},
        "schemaStore": {"enable": false},
    });
    let init = client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {"workspace": {"configuration": true}},
        }),
    );
    assert!(init.get("error").is_none(), "{init}");
    client.notify("initialized", json!({}));
    client
        .wait_server_request(
            "workspace/configuration",
            std::time::Duration::from_secs(20),
        )
        .expect("yaml-language-server asks for its settings");
    // The schema applies: a key the schema does not allow is reported.
    let probe = "file:///bench/probe.yaml";
    client.open(
        probe,
        "specificationVersion: jobtemplate-2023-09\nname: Probe\nnotAKeyOfJobTemplates: 1\nsteps: []\n",
        1,
    );
    let diags = client.diagnostics_for(probe, None);
    assert!(
        diags.iter().any(|d| d["message"]
            .as_str()
            .unwrap_or("")
            .contains("notAKeyOfJobTemplates")),
        "yaml-language-server does not validate with the schema: {diags:?}"
    );
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": probe}}),
    );
    client
}

/// The next `publishDiagnostics` of the document, of `version` if the
/// server names versions.
fn diagnostics(client: &mut Client, version: i64) -> Vec<Value> {
    let params = client
        .wait_for(
            "textDocument/publishDiagnostics",
            |p| p["uri"] == URI && (p["version"].is_null() || p["version"] == json!(version)),
            std::time::Duration::from_secs(60),
        )
        .unwrap_or_else(|| panic!("no diagnostics for version {version}"));
    params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The messages reported most often when the template is opened, to show
/// what a server finds in it.
fn print_commonest(label: &str, diagnostics: &[Value]) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for diagnostic in diagnostics {
        *counts
            .entry(diagnostic["message"].as_str().unwrap_or(""))
            .or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    for (message, count) in counts.iter().take(3) {
        println!("    {label} on open: {count} x {message:?}");
    }
}

fn measure(contender: &Contender, text: &str, edits: &[Edit]) -> (f64, f64) {
    let (mut client, checks_names) = match &contender.server {
        Server::OpenJd { bin, settings } => (start_openjd(bin, settings), true),
        Server::YamlLs { script, schema } => (start_yaml_ls(script, schema), false),
    };
    client.open(URI, text, 1);
    let opened = diagnostics(&mut client, 1);
    let clean = opened.len();
    print_commonest(&contender.label, &opened);
    let mut samples = Vec::with_capacity(edits.len());
    for (i, edit) in edits.iter().enumerate() {
        let version = i as i64 + 2;
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": URI, "version": version},
                "contentChanges": [edit.change],
            }),
        );
        let diags = diagnostics(&mut client, version);
        samples.push(sent.elapsed().as_secs_f64() * 1000.0);
        if checks_names {
            assert_eq!(
                diags.len() > clean,
                edit.broken,
                "version {version}: {diags:?}"
            );
        }
    }
    let result = report(
        &format!(
            "  {}: {} edits ({clean} diagnostics when open), load {}",
            contender.label,
            edits.len(),
            load_average()
        ),
        &mut samples,
    );
    let _ = client.shutdown_and_exit();
    result
}

fn milliseconds(samples: &[f64]) -> String {
    let shown: Vec<String> = samples.iter().map(|ms| format!("{ms:.2}")).collect();
    shown.join(" / ")
}

fn path_from_env(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).map(PathBuf::from)
}

fn main() {
    let (Some(script), Some(schema)) = (
        path_from_env("OPENJD_BENCH_YAML_LS"),
        path_from_env("OPENJD_BENCH_YAML_SCHEMA"),
    ) else {
        eprintln!(
            "OPENJD_BENCH_YAML_LS and OPENJD_BENCH_YAML_SCHEMA are not set: run scripts/bench-yaml-ls.sh"
        );
        std::process::exit(2);
    };
    let rounds: usize = std::env::var("OPENJD_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(2);
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_openjd-lsp"));
    let mut contenders = vec![
        Contender {
            label: "openjd-lsp, default settings".into(),
            server: Server::OpenJd {
                bin: ours.clone(),
                settings: json!({}),
            },
            p50s: vec![],
            p99s: vec![],
        },
        Contender {
            label: "openjd-lsp, debounceMs 0".into(),
            server: Server::OpenJd {
                bin: ours,
                settings: json!({"diagnostics": {"debounceMs": 0}}),
            },
            p50s: vec![],
            p99s: vec![],
        },
    ];
    if let Some(old) = path_from_env("OPENJD_BENCH_OLD_BIN") {
        contenders.push(Contender {
            label: format!("{}, default settings", old.display()),
            server: Server::OpenJd {
                bin: old,
                settings: json!({}),
            },
            p50s: vec![],
            p99s: vec![],
        });
    }
    contenders.push(Contender {
        label: "yaml-language-server, default settings".into(),
        server: Server::YamlLs { script, schema },
        p50s: vec![],
        p99s: vec![],
    });

    let text = large_job(5000);
    let edits = edit_sequence(&text);
    println!("load average at start: {}", load_average());
    println!("5,000-line template: didChange -> publishDiagnostics, {rounds} rounds");
    for round in 1..=rounds {
        println!("round {round}");
        for contender in &mut contenders {
            let (p50, p99) = measure(contender, &text, &edits);
            contender.p50s.push(p50);
            contender.p99s.push(p99);
        }
    }
    println!("summary (per round):");
    let yaml_ls = contenders
        .last()
        .map(|c| c.p50s.clone())
        .unwrap_or_default();
    for contender in &contenders {
        let ratios: Vec<String> = contender
            .p50s
            .iter()
            .zip(&yaml_ls)
            .map(|(ours, theirs)| format!("{:.3}", ours / theirs))
            .collect();
        let mut sorted = contender.p50s.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "  {}: p50 {} ms, p99 {} ms, p50 / yaml-language-server's {}, median p50 {:.2} ms",
            contender.label,
            milliseconds(&contender.p50s),
            milliseconds(&contender.p99s),
            ratios.join(" / "),
            percentile(&sorted, 0.5)
        );
    }
    println!("load average at end: {}", load_average());
}
