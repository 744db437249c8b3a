//! Hostile workspaces, through the real binary where it matters: workspace
//! folders that are the whole disk, pseudo file systems or given twice; a
//! file with a hundred thousand problems; queue environment entries that
//! name files which are no templates, or whose names hold a `#`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use openjd_lsp::workspace::Workspace;
use openjd_lsp::workspace::diagnostics::MAX_PER_FILE;
use openjd_lsp::workspace::files::IndexLimits;
use serde_json::{Value, json};
use support::Client;
use support::scratch::Scratch;

const ENVIRONMENT: &str = "specificationVersion: environment-2023-09
environment:
  name: Gpu
  variables:
    CUDA_VISIBLE_DEVICES: \"0\"
";

const JOB: &str = "specificationVersion: jobtemplate-2023-09
name: Render
steps:
  - name: Frame
    script:
      actions:
        onRun: {command: render}
";

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn check(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("run check");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn check_json(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["--format", "json"];
    all.extend(args);
    let (code, stdout) = check(dir, &all);
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (code, doc)
}

/// An environment template with `n` unknown keys: `n` errors.
fn many_problems(n: usize) -> String {
    let mut text = ENVIRONMENT.to_string();
    for i in 0..n {
        text.push_str(&format!("key{i}: 1\n"));
    }
    text
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect()
}

/// The diagnostics past the cap become one, at the first left out, as
/// severe as the worst of them.
fn assert_capped(diagnostics: &[Value], total: usize, error_severity: &Value) {
    assert_eq!(diagnostics.len(), MAX_PER_FILE + 1);
    let last = &diagnostics[MAX_PER_FILE];
    assert_eq!(last["code"], "too-many-diagnostics", "{last}");
    assert_eq!(last["severity"], *error_severity, "{last}");
    let more = total - MAX_PER_FILE;
    assert!(
        last["message"].as_str().is_some_and(
            |m| m.starts_with(&format!("{more} more diagnostics ({more} of them errors)"))
        ),
        "{last}"
    );
    assert_eq!(
        codes(&diagnostics[..MAX_PER_FILE]),
        vec!["unknown-key"; MAX_PER_FILE]
    );
}

#[test]
fn check_shows_at_most_a_thousand_diagnostics_a_file_in_json_and_text() {
    let dir = Scratch::new("openjd-lsp-hostile-ws", "check-cap");
    std::fs::write(dir.join("env.yaml"), many_problems(5000)).expect("write");
    let (code, doc) = check_json(&dir, &["env.yaml"]);
    assert_eq!(code, Some(1), "the errors left out still fail the check");
    let list = doc["diagnostics"].as_array().expect("diagnostics");
    assert_capped(list, 5000, &json!("error"));
    // The summary at the first key left out: `key1000`, below the five
    // lines of the environment.
    assert_eq!(list[MAX_PER_FILE]["range"]["start"]["line"], 1005);

    let (code, text) = check(&dir, &["env.yaml"]);
    assert_eq!(code, Some(1));
    assert_eq!(text.matches("unknown-key").count(), MAX_PER_FILE, "{text}");
    assert_eq!(text.matches("too-many-diagnostics").count(), 1, "{text}");
}

#[test]
fn the_server_pushes_and_pulls_at_most_a_thousand_diagnostics_a_file() {
    let dir = Scratch::new("openjd-lsp-hostile-ws", "server-cap");
    let path = dir.join("env.yaml");
    let text = many_problems(3000);
    let mut c = Client::start();
    c.initialize(&["utf-16"], json!({}));
    c.open(&uri(&path), &text, 1);
    let pushed = c.diagnostics_for(&uri(&path), Some(1));
    // LSP severity 1 is an error.
    assert_capped(&pushed, 3000, &json!(1));
    let pulled = c.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri(&path)}}),
    );
    let items = pulled["result"]["items"].as_array().expect("items");
    assert_capped(items, 3000, &json!(1));
    // An unsaved buffer (no file) is capped the same.
    c.open("untitled:Untitled-1", &text, 1);
    let unsaved = c.diagnostics_for("untitled:Untitled-1", Some(1));
    assert_capped(&unsaved, 3000, &json!(1));
    c.shutdown_and_exit();
}

/// A job folder and, beside it, a queue configuration whose environments
/// are a file of another tool's settings, an environment template whose
/// name holds a `#`, and a folder's worth of other names.
fn queue_workspace(name: &str) -> Scratch {
    let dir = Scratch::new("openjd-lsp-hostile-ws", name);
    std::fs::create_dir_all(dir.join("jobs")).expect("mkdir");
    std::fs::create_dir_all(dir.join("envs")).expect("mkdir");
    std::fs::write(dir.join("jobs/template.yaml"), JOB).expect("write");
    std::fs::write(dir.join("envs/settings.yaml"), "a: 1\n").expect("write");
    std::fs::write(dir.join("envs/gpu#2.yaml"), ENVIRONMENT).expect("write");
    std::fs::write(dir.join("envs/notes.txt"), "not yaml at all\n").expect("write");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: render\n    environments: [envs/settings.yaml, \"envs/gpu#2.yaml\", envs/notes.txt]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("write");
    dir
}

#[test]
fn check_reports_queue_entries_that_are_no_templates_and_reads_names_with_a_hash() {
    let dir = queue_workspace("check-entries");
    // Only the jobs are checked: the environments are read because the
    // configuration names them.
    let (code, doc) = check_json(&dir, &["jobs"]);
    assert_eq!(code, Some(1), "{doc}");
    let on_config: Vec<&Value> = doc["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["file"] == "openjd-lsp.yaml")
        .collect();
    let found: Vec<(&str, u64, u64)> = on_config
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["range"]["start"]["character"].as_u64().unwrap_or(0),
                d["range"]["end"]["character"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // `    environments: [envs/settings.yaml, "envs/gpu#2.yaml", envs/notes.txt]`;
    // `gpu#2.yaml` is read as that file, an environment template: no problem.
    assert_eq!(
        found,
        [
            ("not-an-environment", 19, 37),
            ("not-an-environment", 58, 72)
        ],
        "{on_config:?}"
    );
    assert!(
        on_config.iter().all(|d| d["range"]["start"]["line"] == 2),
        "{on_config:?}"
    );
}

#[test]
fn the_editor_reports_queue_entries_that_are_no_templates_and_reads_names_with_a_hash() {
    let dir = queue_workspace("server-entries");
    // `envs/notes.txt` is no YAML or JSON, so indexing does not read it:
    // the configuration's entry is read all the same.
    let root = dir.path();
    let config = dir.join("openjd-lsp.yaml");
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root),
               "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
               "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    let text = std::fs::read_to_string(&config).expect("config");
    c.open(&uri(&config), &text, 1);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let diagnostics = loop {
        // Indexing may end after the first report: wait for the settled one.
        let d = c.diagnostics_for(&uri(&config), None);
        if d.len() == 2 || std::time::Instant::now() > deadline {
            break d;
        }
    };
    let found: Vec<(&str, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["range"]["start"]["character"].as_u64().unwrap_or(0),
                d["range"]["end"]["character"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("not-an-environment", 19, 37),
            ("not-an-environment", 58, 72)
        ],
        "{diagnostics:?}"
    );
    c.shutdown_and_exit();
}

fn write_templates(dir: &Path, n: usize) {
    for i in 0..n {
        std::fs::write(dir.join(format!("job{i:02}.yaml")), JOB).expect("write");
    }
}

#[test]
fn a_folder_given_twice_or_inside_another_is_indexed_once() {
    let dir = Scratch::new("openjd-lsp-hostile-ws", "roots");
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    write_templates(dir.path(), 3);
    write_templates(&dir.join("sub"), 2);
    let mut total = 0;
    let ws = Workspace::index(
        vec![
            dir.to_path_buf(),
            dir.join("sub"),
            dir.to_path_buf(),
            dir.join("sub/../"),
        ],
        &IndexLimits::DEFAULT,
        &mut |_, t| total = t,
    );
    assert_eq!(total, 5, "each file is read once");
    assert_eq!(ws.files.len(), 5);
    // The nested folder stays a root: its own queue configuration counts.
    assert_eq!(ws.roots, [dir.to_path_buf(), dir.join("sub")]);
    assert!(ws.notices.is_empty(), "{:?}", ws.notices);
}

#[test]
fn a_folder_past_the_caps_is_indexed_up_to_them_and_says_so() {
    let dir = Scratch::new("openjd-lsp-hostile-ws", "caps");
    write_templates(dir.path(), 10);
    let few_files = IndexLimits {
        files: 4,
        bytes: u64::MAX,
    };
    let ws = Workspace::index(vec![dir.to_path_buf()], &few_files, &mut |_, _| {});
    let names: Vec<PathBuf> = {
        let mut n: Vec<PathBuf> = ws.files.keys().cloned().collect();
        n.sort();
        n
    };
    assert_eq!(
        names,
        (0..4)
            .map(|i| dir.join(format!("job{i:02}.yaml")))
            .collect::<Vec<_>>()
    );
    assert_eq!(ws.notices.len(), 1);
    assert!(
        ws.notices[0].starts_with("Only the first 4 YAML and JSON files")
            && ws.notices[0].contains("`openjd.files.maxIndexedFiles` (4)"),
        "{:?}",
        ws.notices
    );
    let few_bytes = IndexLimits {
        files: usize::MAX,
        bytes: 3 * JOB.len() as u64,
    };
    let ws = Workspace::index(vec![dir.to_path_buf()], &few_bytes, &mut |_, _| {});
    assert_eq!(ws.files.len(), 3);
    assert_eq!(ws.notices.len(), 1, "{:?}", ws.notices);
}

#[cfg(target_os = "linux")]
#[test]
fn pseudo_file_systems_are_never_walked() {
    for root in ["/proc", "/sys", "/dev", "/proc/self"] {
        let mut total = 0;
        let ws = Workspace::index(
            vec![PathBuf::from(root)],
            &IndexLimits::DEFAULT,
            &mut |_, t| total = t,
        );
        assert_eq!(total, 0, "{root}");
        assert_eq!(ws.notices.len(), 1, "{root}");
        assert!(
            ws.notices[0].contains("is not indexed: it is a pseudo file system"),
            "{:?}",
            ws.notices
        );
    }
}

#[test]
fn the_editor_is_told_when_a_folder_is_past_the_cap() {
    let dir = Scratch::new("openjd-lsp-hostile-ws", "server-caps");
    write_templates(dir.path(), 6);
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(&dir),
               "workspaceFolders": [{"uri": uri(&dir), "name": "ws"}, {"uri": uri(&dir), "name": "again"}],
               "capabilities": {},
               "initializationOptions": {"openjd": {"files": {"maxIndexedFiles": 2}}}}),
    );
    c.notify("initialized", json!({}));
    let shown = c.wait_for(
        "window/showMessage",
        |p| {
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("Only the first 2 YAML and JSON files"))
        },
        Duration::from_secs(20),
    );
    assert!(shown.is_some(), "no message: {:?}", c.backlog);
    assert_eq!(
        shown.map(|p| p["type"].clone()),
        Some(json!(2)),
        "a warning"
    );
    c.shutdown_and_exit();
}
