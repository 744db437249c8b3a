//! "Preview session" through the real binary: a code lens on the job and
//! on each step (their ranges in UTF-8 and in UTF-16), and the
//! `workspace/executeCommand` the lens runs, which answers with the
//! preview of the buffer as it is (saved or not), the bundle's parameter
//! values file and the queue environments of the workspace — the same
//! answer as `openjd-lsp preview`. Bad commands are errors, not crashes.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use support::Client;
use support::scratch::Scratch;

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// Non-ASCII in the job's and a step's name, so the lenses' UTF-8 and
/// UTF-16 columns differ.
const JOB: &str = "specificationVersion: jobtemplate-2023-09
name: Jöb
parameterDefinitions:
  - name: Frame
    type: INT
    default: 1
steps:
  - name: Ré😀nder
    script:
      actions:
        onRun:
          command: echo
          args: [\"frame {{Param.Frame}}\", \"it's\"]
  - name: Ship
    dependencies: [{dependsOn: Ré😀nder}]
    script:
      actions:
        onRun: {command: echo, args: [ship]}
";

const QUEUE_ENV: &str = "specificationVersion: environment-2023-09
environment:
  name: Licenses
  script:
    actions:
      onEnter: {command: license-server, args: [--up]}
";

/// A workspace: the job in a bundle whose `parameter_values.yaml` sets
/// `Frame` to 7, on a queue with one environment.
fn setup(name: &str) -> Scratch {
    setup_with(name, QUEUE_ENV)
}

fn setup_with(name: &str, queue_env: &str) -> Scratch {
    let dir = Scratch::new("openjd-lsp-preview", name);
    std::fs::create_dir_all(dir.join("jobs/render")).expect("mkdir");
    std::fs::write(dir.join("jobs/render/template.yaml"), JOB).expect("job");
    std::fs::write(
        dir.join("jobs/render/parameter_values.yaml"),
        "parameterValues:\n  - name: Frame\n    value: 7\n",
    )
    .expect("values");
    std::fs::write(dir.join("licenses.yaml"), queue_env).expect("env");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: farm\n    environments: [licenses.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("config");
    dir
}

fn start(root: &Path, encoding: &str) -> Client {
    let mut c = Client::start();
    let resp = c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root),
               "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
               "capabilities": {"general": {"positionEncodings": [encoding]},
                                "window": {"workDoneProgress": true}}}),
    );
    let caps = &resp["result"]["capabilities"];
    assert_eq!(caps["positionEncoding"], encoding);
    assert_eq!(caps["codeLensProvider"], json!({"resolveProvider": false}));
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["openjd.previewSession"])
    );
    c.notify("initialized", json!({}));
    let indexed = c.wait_for(
        "$/progress",
        |p| p["value"]["kind"] == "end",
        Duration::from_secs(20),
    );
    assert!(indexed.is_some(), "no indexing: {:?}", c.backlog);
    c
}

fn execute(c: &mut Client, arguments: Value) -> Value {
    c.request(
        "workspace/executeCommand",
        json!({"command": "openjd.previewSession", "arguments": arguments}),
    )
}

/// (line, start, end) of a lens, and its command's arguments.
fn lens(l: &Value) -> ((u64, u64, u64), String, Value) {
    let r = &l["range"];
    assert_eq!(r["start"]["line"], r["end"]["line"]);
    (
        (
            r["start"]["line"].as_u64().unwrap_or(99),
            r["start"]["character"].as_u64().unwrap_or(99),
            r["end"]["character"].as_u64().unwrap_or(99),
        ),
        l["command"]["title"].as_str().unwrap_or_default().into(),
        l["command"]["arguments"].clone(),
    )
}

fn lenses_and_preview(encoding: &str, step_columns: (u64, u64), job_end: u64) {
    let root = setup(encoding);
    let job_path = root.join("jobs/render/template.yaml");
    let job = uri(&job_path);
    let mut c = start(&root, encoding);
    c.open(&job, JOB, 1);
    assert!(c.diagnostics_for(&job, Some(1)).is_empty());

    let resp = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": job}}),
    );
    let lenses: Vec<_> = resp["result"]
        .as_array()
        .expect("lenses")
        .iter()
        .map(|l| {
            assert_eq!(l["command"]["command"], "openjd.previewSession", "{l}");
            lens(l)
        })
        .collect();
    assert_eq!(
        lenses,
        [
            (
                (1, 6, job_end),
                "Preview session".into(),
                json!([job, null])
            ),
            (
                (7, step_columns.0, step_columns.1),
                "Preview session of step Ré😀nder".into(),
                json!([job, "Ré😀nder"])
            ),
            (
                (13, 10, 14),
                "Preview session of step Ship".into(),
                json!([job, "Ship"])
            ),
        ]
    );

    // The job's lens: the whole session, the queue's environment outermost,
    // `Frame` from the bundle's values file, each command one shell line.
    let whole = execute(&mut c, lenses[0].2.clone());
    let result = &whole["result"];
    assert_eq!(
        result["title"], "template.yaml — session preview",
        "{whole}"
    );
    let text = result["text"].as_str().expect("text");
    let expected_cli = std::process::Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
        .arg("preview")
        .arg(&job_path)
        .output()
        .expect("openjd-lsp preview");
    assert_eq!(
        text,
        String::from_utf8_lossy(&expected_cli.stdout),
        "the editor's preview is the CLI's"
    );
    for line in [
        "== Queue farm",
        "Steps in run order: Ré😀nder, Ship",
        "Licenses (queue) onEnter",
        "$ license-server --up",
        "$ echo 'frame 7' 'it'\\''s'",
        "$ echo ship",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }

    // A step's lens: that step only.
    let ship = execute(&mut c, lenses[2].2.clone());
    assert_eq!(
        ship["result"]["title"],
        "template.yaml — step Ship — session preview"
    );
    let text = ship["result"]["text"].as_str().expect("text");
    assert!(text.contains("Steps in run order: Ship\n"), "{text}");
    assert!(
        text.contains("$ echo ship") && !text.contains("frame 7"),
        "{text}"
    );

    // The buffer as it is now, not the file on disk.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": job, "version": 2},
               "contentChanges": [{"text": JOB.replace("args: [ship]", "args: [ship, \"{{Param.Frame}} done\"]")}]}),
    );
    let edited = execute(&mut c, json!([job, "Ship"]));
    let text = edited["result"]["text"].as_str().expect("text");
    assert!(text.contains("$ echo ship '7 done'"), "{text}");

    assert_eq!(c.shutdown_and_exit(), Some(0));
}

#[test]
fn lenses_in_utf16_and_the_preview_they_open() {
    // `  - name: ` is 10 units; R, é, 😀 (two units), n, d, e, r.
    lenses_and_preview("utf-16", (10, 18), 9);
}

#[test]
fn lenses_in_utf8_and_the_preview_they_open() {
    // é is two bytes, 😀 four.
    lenses_and_preview("utf-8", (10, 21), 10);
}

fn error_of(resp: &Value) -> (i64, String) {
    let e = &resp["error"];
    assert!(e.is_object(), "expected an error: {resp}");
    (
        e["code"].as_i64().unwrap_or(0),
        e["message"].as_str().unwrap_or_default().into(),
    )
}

#[test]
fn bad_commands_are_errors_and_the_server_keeps_serving() {
    let root = setup("errors");
    let job = uri(&root.join("jobs/render/template.yaml"));
    let env = uri(&root.join("licenses.yaml"));
    let mut c = start(&root, "utf-16");
    c.open(&job, JOB, 1);
    c.open(&env, QUEUE_ENV, 1);
    const INVALID_PARAMS: i64 = -32602;

    let unknown = c.request(
        "workspace/executeCommand",
        json!({"command": "openjd.launchMissiles", "arguments": [job]}),
    );
    let (code, message) = error_of(&unknown);
    assert_eq!(code, INVALID_PARAMS);
    assert!(
        message.contains("unknown command `openjd.launchMissiles`"),
        "{message}"
    );

    for bad in [
        json!([]),
        json!([42]),
        json!([job, 5]),
        json!([job, "Ship", "extra"]),
        json!(["not a uri"]),
    ] {
        let (code, message) = error_of(&execute(&mut c, bad.clone()));
        assert_eq!(code, INVALID_PARAMS, "{bad}");
        assert!(message.contains("takes the job's URI"), "{bad}: {message}");
    }
    // `arguments` that is not a list does not even decode.
    let (code, _) = error_of(&c.request(
        "workspace/executeCommand",
        json!({"command": "openjd.previewSession", "arguments": {"uri": job}}),
    ));
    assert_eq!(code, INVALID_PARAMS);

    let closed = uri(&root.join("jobs/render/other.yaml"));
    let (_, message) = error_of(&execute(&mut c, json!([closed, null])));
    assert!(message.contains("is not open"), "{message}");

    let (_, message) = error_of(&execute(&mut c, json!([env, null])));
    assert!(message.contains("not a job template"), "{message}");

    // An environment template has no lenses.
    let none = c.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": env}}),
    );
    assert_eq!(none["result"], json!([]));

    // A step the job does not have: the preview says so.
    let missing = execute(&mut c, json!([job, "Nope"]));
    let text = missing["result"]["text"].as_str().expect("text");
    assert!(
        text.contains("No preview: the job has no step `Nope`"),
        "{text}"
    );

    // A broken buffer: the preview tells why there is none.
    let broken = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun: {command: [\n";
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": job, "version": 2}, "contentChanges": [{"text": broken}]}),
    );
    let resp = execute(&mut c, json!([job, null]));
    let text = resp["result"]["text"].as_str().expect("text");
    assert!(
        text.contains("No preview: ") && text.contains("unclosed bracket"),
        "{text}"
    );

    // Still serving.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": job, "version": 3}, "contentChanges": [{"text": JOB}]}),
    );
    let ok = execute(&mut c, json!([job]));
    assert!(
        ok["result"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("frame 7")),
        "{ok}"
    );
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

/// Hover's effective command has the bundle's values too (`Frame` 7 from
/// `parameter_values.yaml`, not the default 1), the same line the preview
/// shows for that action.
#[test]
fn hover_takes_the_bundles_parameter_values_like_the_preview() {
    let wrapping = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Licenses
  script:
    actions:
      onEnter: {command: license-server, args: [--up]}
      onWrapEnvEnter: {command: with-license, args: [\"{{WrappedAction.Command}}\", \"{{WrappedAction.Args}}\"]}
      onWrapTaskRun: {command: with-license, args: [\"{{WrappedAction.Command}}\", \"{{WrappedAction.Args}}\"]}
      onWrapEnvExit: {command: with-license, args: [\"{{WrappedAction.Command}}\", \"{{WrappedAction.Args}}\"]}
";
    let root = setup_with("hover", wrapping);
    let job = uri(&root.join("jobs/render/template.yaml"));
    let mut c = start(&root, "utf-16");
    c.open(&job, JOB, 1);
    let at = JOB.find("onRun:").expect("onRun");
    let line = JOB[..at].matches('\n').count();
    let hover = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": job}, "position": {"line": line, "character": 9}}),
    );
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    let expected = r"with-license echo 'frame 7' 'it'\''s'";
    assert!(
        text.contains(&format!("Effective command: `{expected}`")),
        "{text}"
    );
    let preview = execute(&mut c, json!([job, null]));
    let shown = preview["result"]["text"].as_str().expect("text");
    assert!(shown.contains(&format!("$ {expected}\n")), "{shown}");
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

/// Open buffers win over the files on disk, as everywhere in the
/// workspace: an unsaved edit of the queue's environment template and of
/// the bundle's values file shows in the preview.
#[test]
fn unsaved_buffers_of_the_environment_and_the_values_file_win() {
    let root = setup("buffers");
    let job = uri(&root.join("jobs/render/template.yaml"));
    let env = uri(&root.join("licenses.yaml"));
    let values = uri(&root.join("jobs/render/parameter_values.yaml"));
    let mut c = start(&root, "utf-16");
    c.open(&job, JOB, 1);
    let before = execute(&mut c, json!([job, null]));
    let text = before["result"]["text"].as_str().expect("text");
    assert!(
        text.contains("$ license-server --up\n") && text.contains("'frame 7'"),
        "{text}"
    );

    c.open(
        &env,
        &QUEUE_ENV.replace("args: [--up]", "args: [--up, --fast]"),
        1,
    );
    c.open(
        &values,
        "parameterValues:\n  - name: Frame\n    value: 9\n",
        1,
    );
    let after = execute(&mut c, json!([job, null]));
    let text = after["result"]["text"].as_str().expect("text");
    assert!(text.contains("$ license-server --up --fast\n"), "{text}");
    assert!(text.contains("$ echo 'frame 9'"), "{text}");
    // The files on disk are as they were.
    assert!(
        std::fs::read_to_string(root.join("licenses.yaml"))
            .expect("env")
            .contains("args: [--up]}")
    );
    assert_eq!(c.shutdown_and_exit(), Some(0));
}
