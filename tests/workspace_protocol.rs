//! Workspace features through the real binary: indexing a folder with a
//! queue configuration, wrap-aware hover, inlay hints, go to the hook in
//! another file, and cross-file diagnostics that follow file changes.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use support::Client;
use support::scratch::Scratch;

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn setup() -> Scratch {
    let dir = Scratch::new("openjd-lsp-ws", "workspace");
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("queue_environments")).expect("mkdir");
    std::fs::create_dir_all(dir.join("jobs/sim")).expect("mkdir");
    std::fs::copy(
        examples.join("queue_environments/docker.yaml"),
        dir.join("queue_environments/docker.yaml"),
    )
    .expect("copy");
    std::fs::copy(
        examples.join("job_with_environments/template.yaml"),
        dir.join("jobs/sim/template.yaml"),
    )
    .expect("copy");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: linux-render\n    environments: [queue_environments/docker.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("config");
    dir
}

fn init(c: &mut Client, root: &Path) {
    let resp = c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root),
               "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
               "capabilities": {"window": {"workDoneProgress": true},
                                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    assert_eq!(resp["result"]["capabilities"]["inlayHintProvider"], true);
    c.notify("initialized", json!({}));
}

fn position_of(text: &str, needle: &str) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle}"));
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col + 1})
}

#[test]
fn hover_hints_definition_and_cross_file_diagnostics() {
    let root = setup();
    let job_path = root.join("jobs/sim/template.yaml");
    let job = std::fs::read_to_string(&job_path).expect("job");
    let mut c = Client::start();
    init(&mut c, &root);
    // Indexing reports progress, then the job is opened.
    let begun = c.wait_for(
        "$/progress",
        |p| p["value"]["kind"] == "end",
        Duration::from_secs(20),
    );
    assert!(begun.is_some(), "no progress end: {:?}", c.backlog);
    c.open(&uri(&job_path), &job, 1);
    assert!(c.diagnostics_for(&uri(&job_path), Some(1)).is_empty());

    let hover = c.request("textDocument/hover", json!({"textDocument": {"uri": uri(&job_path)}, "position": position_of(&job, "onRun:\n          command: simulate")}));
    let text = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("#### Queue `linux-render`"), "{text}");
    assert!(
        text.contains("**Wrapped** by `Docker` (queue environment"),
        "{text}"
    );
    assert!(text.contains("docker.yaml:"), "{text}");

    let hints = c.request("textDocument/inlayHint", json!({"textDocument": {"uri": uri(&job_path)}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 200, "character": 0}}}));
    let labels: Vec<&str> = hints["result"]
        .as_array()
        .map(|a| a.iter().filter_map(|h| h["label"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        labels.contains(&"wrapped by Docker · onWrapTaskRun"),
        "{labels:?}"
    );
    assert!(
        labels.contains(&"wrapped by Docker · onWrapEnvEnter"),
        "{labels:?}"
    );

    let def = c.request("textDocument/definition", json!({"textDocument": {"uri": uri(&job_path)}, "position": position_of(&job, "onRun:\n          command: simulate")}));
    assert_eq!(
        def["result"]["uri"],
        uri(&root.join("queue_environments/docker.yaml")),
        "{def}"
    );

    // Give the job its own wrapping environment: the queue already wraps it.
    let wrapped = job.replace(
        "extensions: [EXPR]",
        "extensions: [EXPR, WRAP_ACTIONS]",
    )
    .replace(
        "            onEnter:\n              command: fetch-tools",
        "            onWrapEnvEnter: {command: w}\n            onWrapTaskRun: {command: w}\n            onWrapEnvExit: {command: w}\n            onEnter:\n              command: fetch-tools",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&job_path), "version": 2}, "contentChanges": [{"text": wrapped}]}),
    );
    let diags = c.diagnostics_for(&uri(&job_path), Some(2));
    let layer = diags
        .iter()
        .find(|d| d["code"] == "wrap-single-layer")
        .unwrap_or_else(|| panic!("{diags:?}"));
    let related: Vec<&str> = layer["relatedInformation"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|x| x["location"]["uri"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        related.contains(&uri(&root.join("queue_environments/docker.yaml")).as_str()),
        "{layer}"
    );
    assert!(
        related.contains(&uri(&root.join("openjd-lsp.yaml")).as_str()),
        "{layer}"
    );

    // Take the job off the queue on disk: the conflict goes away.
    std::fs::write(root.join("openjd-lsp.yaml"), "queues:\n  - name: linux-render\n    environments: [queue_environments/docker.yaml]\n    jobs: [\"other/**\"]\n").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&root.join("openjd-lsp.yaml")), "type": 2}]}),
    );
    let diags = c.diagnostics_for(&uri(&job_path), Some(2));
    assert!(
        !diags.iter().any(|d| d["code"] == "wrap-single-layer"),
        "{diags:?}"
    );

    // The configuration file gets its own diagnostics.
    let cfg = "queues:\n  - name: q\n    environments: [missing.yaml]\n    jobs: [\"[\"]\n    colour: red\n";
    c.open(&uri(&root.join("openjd-lsp.yaml")), cfg, 1);
    let diags = c.diagnostics_for(&uri(&root.join("openjd-lsp.yaml")), Some(1));
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    for want in ["missing-file", "bad-glob", "unknown-key"] {
        assert!(codes.contains(&want), "{want}: {codes:?}");
    }
}
