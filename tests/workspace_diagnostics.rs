//! One truth for a file's diagnostics: what an editor shows — pushed
//! (`textDocument/publishDiagnostics`) or pulled (`textDocument/diagnostic`)
//! — equals what `openjd-lsp check --format json` reports on the same files,
//! word for word and range for range, after every kind of change that
//! another file's diagnostics depend on. Every scenario runs in both modes.
//!
//! The workspace: a queue configuration putting the jobs under `jobs/` on a
//! queue whose environment `Docker` wraps every session, and a job that
//! brings its own wrapping environment — one wrapper too many.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Client;

const WRAPPER: &str = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Docker
  script:
    actions:
      onEnter: {command: start}
      onWrapEnvEnter: {command: in-docker, args: [\"{{WrappedAction.Command}}\"]}
      onWrapTaskRun: {command: in-docker, args: [\"{{WrappedAction.Command}}\"]}
      onWrapEnvExit: {command: in-docker, args: [\"{{WrappedAction.Command}}\"]}
";

/// The same environment without its wrap hooks: it no longer wraps.
const NOT_WRAPPING: &str = "specificationVersion: environment-2023-09
environment:
  name: Docker
  script:
    actions:
      onEnter: {command: start}
";

/// A wrapping job environment whose name has an emoji before it, so UTF-8
/// and UTF-16 columns differ.
const JOB: &str = "specificationVersion: jobtemplate-2023-09
extensions: [WRAP_ACTIONS, EXPR]
name: Render
jobEnvironments:
  - name: \"🎬 Sandbox\"
    script:
      actions:
        onWrapEnvEnter: {command: sandbox, args: [\"{{WrappedAction.Command}}\"]}
        onWrapTaskRun: {command: sandbox, args: [\"{{WrappedAction.Command}}\"]}
        onWrapEnvExit: {command: sandbox, args: [\"{{WrappedAction.Command}}\"]}
steps:
  - name: Frame
    script:
      actions:
        onRun: {command: render}
";

/// The queue that wraps the job, a queue naming a file that does not exist,
/// and a key the configuration does not have.
const CONFIG: &str = "queues:
  - name: linux-render
    environments: [envs/docker.yaml]
    jobs: [\"jobs/**\"]
  - name: gpu
    environments: [envs/missing.yaml]
    jobs: [\"gpu/**\"]
colour: red
";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Push,
    Pull,
}

/// A workspace on disk, the editor's open buffers over it, and the
/// `openjd.queues` setting.
struct Scenario {
    mode: Mode,
    root: PathBuf,
    client: Client,
    /// Open documents and their text in the editor.
    buffers: BTreeMap<PathBuf, String>,
    versions: BTreeMap<PathBuf, i64>,
    /// The `openjd.queues` setting, as the YAML of a configuration file.
    setting: Option<String>,
    /// Latest published diagnostics per URI (push mode).
    published: BTreeMap<String, Vec<Value>>,
    /// The client accepts `relatedDocuments` in pull reports.
    related: bool,
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn path_of_uri(u: &str) -> PathBuf {
    PathBuf::from(u.strip_prefix("file://").unwrap_or(u))
}

fn severity_name(n: &Value) -> &'static str {
    match n.as_u64() {
        Some(1) => "error",
        Some(2) => "warning",
        Some(3) => "information",
        _ => "hint",
    }
}

fn range_text(r: &Value) -> String {
    format!(
        "{}:{}-{}:{}",
        r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"]
    )
}

/// One diagnostic as a line: code, severity, range, message, and related
/// locations (file and message; `check` gives byte ranges, LSP positions).
fn lsp_line(d: &Value, root: &Path) -> String {
    let mut related: Vec<String> = d["relatedInformation"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .map(|r| {
                    let file = path_of_uri(r["location"]["uri"].as_str().unwrap_or(""));
                    format!(
                        "{} — {}",
                        rel(&file, root),
                        r["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    related.sort();
    format!(
        "{} {} {} {} [{}]",
        d["code"].as_str().unwrap_or(""),
        severity_name(&d["severity"]),
        range_text(&d["range"]),
        d["message"].as_str().unwrap_or(""),
        related.join("; ")
    )
}

fn rel(p: &Path, root: &Path) -> String {
    let p = p.strip_prefix("./").unwrap_or(p);
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

impl Scenario {
    fn new(mode: Mode, name: &str) -> Scenario {
        Scenario::start(mode, name, false)
    }

    /// `related`: the client accepts `relatedDocuments` in pull reports.
    fn start(mode: Mode, name: &str, related: bool) -> Scenario {
        let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        let root = base.join(format!(
            "ws-diagnostics-{name}-{mode:?}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("envs")).expect("mkdir");
        std::fs::create_dir_all(root.join("jobs/render")).expect("mkdir");
        std::fs::write(root.join("envs/docker.yaml"), WRAPPER).expect("write");
        std::fs::write(root.join("jobs/render/template.yaml"), JOB).expect("write");
        std::fs::write(root.join("openjd-lsp.yaml"), CONFIG).expect("write");
        let root = std::fs::canonicalize(&root).expect("canonical root");
        let mut client = Client::start();
        let mut caps = json!({
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true},
                          "diagnostics": {"refreshSupport": true}},
        });
        if mode == Mode::Pull {
            caps["textDocument"] = json!({"diagnostic": {"dynamicRegistration": false,
                                                          "relatedDocumentSupport": related}});
        }
        client.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(&root),
                   "workspaceFolders": [{"uri": uri(&root), "name": "ws"}],
                   "capabilities": caps}),
        );
        client.notify("initialized", json!({}));
        Scenario {
            mode,
            root,
            client,
            buffers: BTreeMap::new(),
            versions: BTreeMap::new(),
            setting: None,
            published: BTreeMap::new(),
            related,
        }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    fn open(&mut self, rel: &str) {
        let p = self.path(rel);
        let text = std::fs::read_to_string(&p).expect("read");
        self.client.open(&uri(&p), &text, 1);
        self.buffers.insert(p.clone(), text);
        self.versions.insert(p, 1);
    }

    /// Replace an open buffer's text (unsaved).
    fn edit(&mut self, rel: &str, text: &str) {
        let p = self.path(rel);
        let v = self.versions.get(&p).copied().unwrap_or(1) + 1;
        self.client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&p), "version": v},
                   "contentChanges": [{"text": text}]}),
        );
        self.buffers.insert(p.clone(), text.to_string());
        self.versions.insert(p, v);
    }

    fn close(&mut self, rel: &str) {
        let p = self.path(rel);
        self.client.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri(&p)}}),
        );
        self.buffers.remove(&p);
        self.published.remove(&uri(&p));
    }

    /// Write a file on disk, as another program would, and tell the server.
    fn write_on_disk(&mut self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::write(&p, text).expect("write");
        self.client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": uri(&p), "type": 2}]}),
        );
    }

    fn set_queues(&mut self, queues: Value, as_yaml: Option<&str>) {
        self.client.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"openjd": {"queues": queues}}}),
        );
        self.setting = as_yaml.map(str::to_string);
    }

    /// `check --format json` over the workspace as the editor sees it: a copy
    /// with the open buffers' text, and the `openjd.queues` setting written
    /// as the configuration file (which must then be empty in the editor).
    /// Diagnostics per file (relative to the root), as lines.
    fn check(&self) -> BTreeMap<String, Vec<String>> {
        let copy = self.root.with_extension("check");
        let _ = std::fs::remove_dir_all(&copy);
        copy_dir(&self.root, &copy);
        for (p, text) in &self.buffers {
            let target = copy.join(p.strip_prefix(&self.root).expect("inside"));
            std::fs::write(target, text).expect("write buffer");
        }
        if let Some(setting) = &self.setting {
            std::fs::write(copy.join("openjd-lsp.yaml"), setting).expect("write setting");
        }
        let out = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
            .args(["check", "--format", "json", "."])
            .current_dir(&copy)
            .output()
            .expect("run check");
        let stdout = String::from_utf8_lossy(&out.stdout).replace(
            &copy.display().to_string(),
            &self.root.display().to_string(),
        );
        let _ = std::fs::remove_dir_all(&copy);
        let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in doc["diagnostics"].as_array().expect("diagnostics") {
            let file = rel(Path::new(d["file"].as_str().unwrap_or("")), &self.root);
            let mut related: Vec<String> = d["related"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .map(|r| {
                            let f = rel(Path::new(r["file"].as_str().unwrap_or("")), &self.root);
                            format!("{f} — {}", r["message"].as_str().unwrap_or(""))
                        })
                        .collect()
                })
                .unwrap_or_default();
            if self.setting.is_some() {
                // The setting has no file; `check` read it from one.
                related.retain(|r| !r.starts_with("openjd-lsp.yaml"));
            }
            related.sort();
            let line = format!(
                "{} {} {} {} [{}]",
                d["code"].as_str().unwrap_or(""),
                d["severity"].as_str().unwrap_or(""),
                range_text(&d["range"]),
                d["message"].as_str().unwrap_or(""),
                related.join("; ")
            );
            files.entry(file).or_default().push(line);
        }
        if self.setting.is_some() {
            files.remove("openjd-lsp.yaml");
        }
        for v in files.values_mut() {
            v.sort();
        }
        files
    }

    /// What the editor shows now for each open document, as lines.
    fn shown(&mut self) -> BTreeMap<String, Vec<String>> {
        let open: Vec<PathBuf> = self.buffers.keys().cloned().collect();
        let mut out = BTreeMap::new();
        for p in open {
            let items: Vec<Value> = match self.mode {
                Mode::Push => self.published.get(&uri(&p)).cloned().unwrap_or_default(),
                Mode::Pull => {
                    let report = self.client.request(
                        "textDocument/diagnostic",
                        json!({"textDocument": {"uri": uri(&p)}}),
                    );
                    if !self.related {
                        // Only for a client that said it accepts them.
                        assert!(report["result"]["relatedDocuments"].is_null(), "{report}");
                    }
                    report["result"]["items"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                }
            };
            let mut lines: Vec<String> = items.iter().map(|d| lsp_line(d, &self.root)).collect();
            lines.sort();
            if !lines.is_empty() {
                out.insert(rel(&p, &self.root), lines);
            }
        }
        out
    }

    fn take_publishes(&mut self) {
        self.client.drain(Duration::from_millis(50));
        let backlog = std::mem::take(&mut self.client.backlog);
        for m in backlog {
            if m["method"] == "textDocument/publishDiagnostics" {
                let u = m["params"]["uri"].as_str().unwrap_or("").to_string();
                let items = m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.published.insert(u, items);
            } else {
                self.client.backlog.push(m);
            }
        }
    }

    /// After a step: in pull mode the server asks the client to pull again
    /// (`workspace/diagnostic/refresh`); in both modes what the editor
    /// shows for every open document settles on what `check` says.
    #[track_caller]
    fn assert_agrees(&mut self, step: &str) -> BTreeMap<String, Vec<String>> {
        let expected = self.check();
        let open: Vec<String> = self.buffers.keys().map(|p| rel(p, &self.root)).collect();
        let expected: BTreeMap<String, Vec<String>> = expected
            .into_iter()
            .filter(|(f, _)| open.contains(f))
            .collect();
        if self.mode == Mode::Pull {
            let refresh = self
                .client
                .wait_server_request("workspace/diagnostic/refresh", Duration::from_secs(20));
            assert!(refresh.is_some(), "{step}: no workspace/diagnostic/refresh");
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if self.mode == Mode::Push {
                self.take_publishes();
            }
            let shown = self.shown();
            if shown == expected {
                self.client.server_requests.clear();
                return expected;
            }
            if Instant::now() > deadline {
                assert_eq!(shown, expected, "{step} ({:?}): editor vs check", self.mode);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn codes(shown: &BTreeMap<String, Vec<String>>, file: &str) -> Vec<String> {
    shown
        .get(file)
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| l.split(' ').next().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The job without its own wrapping environment's hooks: not a second
/// wrapper any more.
fn plain_job() -> String {
    let plain = JOB.replace(
        "    script:\n      actions:\n        onWrapEnvEnter: {command: sandbox, args: [\"{{WrappedAction.Command}}\"]}\n        onWrapTaskRun: {command: sandbox, args: [\"{{WrappedAction.Command}}\"]}\n        onWrapEnvExit: {command: sandbox, args: [\"{{WrappedAction.Command}}\"]}\n",
        "    variables: {SANDBOX: \"0\"}\n",
    );
    assert_ne!(plain, JOB);
    plain
}

const JOB_FILE: &str = "jobs/render/template.yaml";
const ENV_FILE: &str = "envs/docker.yaml";
const CONFIG_FILE: &str = "openjd-lsp.yaml";

/// The cross-file double wrap on the job and on the configuration, and the
/// configuration's own problems (unknown key, missing file).
fn double_wrap_and_configuration(mode: Mode) {
    let mut s = Scenario::new(mode, "double-wrap");
    s.open(JOB_FILE);
    s.open(ENV_FILE);
    s.open(CONFIG_FILE);
    let shown = s.assert_agrees("open");
    assert_eq!(codes(&shown, JOB_FILE), ["wrap-single-layer"], "{shown:#?}");
    let job = &shown[JOB_FILE][0];
    assert!(
        job.contains("Queue `linux-render` already wraps this job's sessions with `Docker`"),
        "{job}"
    );
    assert!(job.contains("envs/docker.yaml — "), "{job}");
    let mut config = codes(&shown, CONFIG_FILE);
    config.sort();
    assert_eq!(
        config,
        ["missing-file", "unknown-key", "wrap-single-layer"],
        "{shown:#?}"
    );
    assert!(!shown.contains_key(ENV_FILE), "{shown:#?}");
}

#[test]
fn double_wrap_and_configuration_push() {
    double_wrap_and_configuration(Mode::Push);
}

#[test]
fn double_wrap_and_configuration_pull() {
    double_wrap_and_configuration(Mode::Pull);
}

const SETTING_QUEUE: &str = "queues:
  - name: settings-render
    environments: [envs/docker.yaml]
    jobs: [\"jobs/**\"]
";

/// Everything another file's diagnostics depend on, changed one at a time:
/// the queue environment in an open buffer, then on disk; the configuration
/// emptied; the `openjd.queues` setting.
fn changes(mode: Mode) {
    let mut s = Scenario::new(mode, "changes");
    s.open(JOB_FILE);
    s.open(ENV_FILE);
    s.open(CONFIG_FILE);
    let shown = s.assert_agrees("open");
    assert_eq!(codes(&shown, JOB_FILE), ["wrap-single-layer"]);

    // The queue environment stops wrapping in its (unsaved) buffer.
    s.edit(ENV_FILE, NOT_WRAPPING);
    let shown = s.assert_agrees("queue environment edited in its buffer");
    assert!(!shown.contains_key(JOB_FILE), "{shown:#?}");
    assert!(
        !codes(&shown, CONFIG_FILE).contains(&"wrap-single-layer".to_string()),
        "{shown:#?}"
    );

    // Undone: it wraps again.
    s.edit(ENV_FILE, WRAPPER);
    let shown = s.assert_agrees("buffer edit undone");
    assert_eq!(codes(&shown, JOB_FILE), ["wrap-single-layer"]);

    // Closed, then changed on disk by another program.
    s.close(ENV_FILE);
    s.write_on_disk(ENV_FILE, NOT_WRAPPING);
    let shown = s.assert_agrees("queue environment changed on disk");
    assert!(!shown.contains_key(JOB_FILE), "{shown:#?}");
    s.write_on_disk(ENV_FILE, WRAPPER);
    let shown = s.assert_agrees("changed back on disk");
    assert_eq!(codes(&shown, JOB_FILE), ["wrap-single-layer"]);

    // The job drops its own wrapper: the configuration's error about it
    // goes too (the job's edit changes another document's diagnostics).
    s.edit(JOB_FILE, &plain_job());
    let shown = s.assert_agrees("the job stops wrapping");
    assert!(!shown.contains_key(JOB_FILE), "{shown:#?}");
    assert!(
        !codes(&shown, CONFIG_FILE).contains(&"wrap-single-layer".to_string()),
        "{shown:#?}"
    );
    s.edit(JOB_FILE, JOB);
    let shown = s.assert_agrees("the job wraps again");
    assert_eq!(codes(&shown, JOB_FILE), ["wrap-single-layer"]);

    // The queue configuration emptied: nothing applies the queue any more.
    s.edit(CONFIG_FILE, "");
    let shown = s.assert_agrees("openjd-lsp.yaml emptied");
    assert!(shown.is_empty(), "{shown:#?}");

    // Undone; then closed and emptied on disk by another program.
    s.edit(CONFIG_FILE, CONFIG);
    let shown = s.assert_agrees("openjd-lsp.yaml restored in its buffer");
    assert_eq!(codes(&shown, JOB_FILE), ["wrap-single-layer"]);
    s.close(CONFIG_FILE);
    s.write_on_disk(CONFIG_FILE, "");
    let shown = s.assert_agrees("openjd-lsp.yaml emptied on disk");
    assert!(shown.is_empty(), "{shown:#?}");

    // The same queue from the `openjd.queues` setting.
    s.set_queues(
        json!([{"name": "settings-render", "environments": ["envs/docker.yaml"], "jobs": ["jobs/**"]}]),
        Some(SETTING_QUEUE),
    );
    let shown = s.assert_agrees("openjd.queues set");
    assert_eq!(codes(&shown, JOB_FILE), ["wrap-single-layer"]);
    assert!(
        shown[JOB_FILE][0].contains("Queue `settings-render` already wraps"),
        "{shown:#?}"
    );
    s.set_queues(json!([]), None);
    let shown = s.assert_agrees("openjd.queues emptied");
    assert!(shown.is_empty(), "{shown:#?}");
}

#[test]
fn changes_push() {
    changes(Mode::Push);
}

#[test]
fn changes_pull() {
    changes(Mode::Pull);
}

impl Scenario {
    /// Pull `rel` and return its report's `relatedDocuments`, each as the
    /// lines of its diagnostics, by file relative to the root.
    fn related_of(&mut self, rel_path: &str) -> BTreeMap<String, Vec<String>> {
        let report = self.client.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri(&self.path(rel_path))}}),
        );
        let mut out = BTreeMap::new();
        let Some(related) = report["result"]["relatedDocuments"].as_object() else {
            return out;
        };
        for (u, r) in related {
            assert_eq!(r["kind"], "full", "{report}");
            let mut lines: Vec<String> = r["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|d| lsp_line(d, &self.root))
                .collect();
            lines.sort();
            out.insert(rel(&path_of_uri(u), &self.root), lines);
        }
        out
    }
}

/// A client that accepts `relatedDocuments` gets, with a pull report, the
/// diagnostics of the other open documents that report depends on — the
/// queue configuration and the queue environment for the job; the job and
/// the environment for the configuration — equal to `check`'s. So when the
/// job's edit changes the configuration's diagnostics, pulling the job
/// tells the client.
#[test]
fn pull_reports_carry_related_documents() {
    let mut s = Scenario::start(Mode::Pull, "related", true);
    s.open(JOB_FILE);
    s.open(ENV_FILE);
    s.open(CONFIG_FILE);
    let check = s.assert_agrees("open");
    let with_empty = |files: &[&str]| -> BTreeMap<String, Vec<String>> {
        files
            .iter()
            .map(|f| (f.to_string(), check.get(*f).cloned().unwrap_or_default()))
            .collect()
    };
    assert_eq!(s.related_of(JOB_FILE), with_empty(&[CONFIG_FILE, ENV_FILE]));
    assert_eq!(s.related_of(CONFIG_FILE), with_empty(&[ENV_FILE, JOB_FILE]));
    // The environment's diagnostics read the configuration (which queues
    // apply it), nothing else.
    assert_eq!(s.related_of(ENV_FILE), with_empty(&[CONFIG_FILE]));

    // The job drops its own wrapper: its pull carries the configuration's
    // new diagnostics, without the double wrap.
    s.edit(JOB_FILE, &plain_job());
    let check = s.assert_agrees("the job stops wrapping");
    let related = s.related_of(JOB_FILE);
    assert_eq!(
        related[CONFIG_FILE],
        check.get(CONFIG_FILE).cloned().unwrap_or_default()
    );
    assert!(
        !related[CONFIG_FILE]
            .iter()
            .any(|l| l.starts_with("wrap-single-layer")),
        "{related:#?}"
    );

    // Closed documents are not reported for.
    s.close(ENV_FILE);
    assert!(!s.related_of(JOB_FILE).contains_key(ENV_FILE));
}
