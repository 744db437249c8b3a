//! Files that are not regular files never hang or flood the server or
//! `check`: a FIFO and a symbolic link to `/dev/zero`, in the workspace and
//! named as queue environments, are refused at once and reported on the
//! configuration entry that names them, in the editor as in `check`.
#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::Client;
use support::scratch::Scratch;

const JOB: &str = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: S\n    script:\n      actions:\n        onRun:\n          command: echo\n";

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn mkfifo(p: &Path) -> bool {
    Command::new("mkfifo")
        .arg(p)
        .status()
        .is_ok_and(|s| s.success())
}

/// A workspace with a FIFO and a `/dev/zero` link among its templates and
/// in its queue configuration; `None` where FIFOs cannot be made.
fn hostile_workspace(name: &str) -> Option<Scratch> {
    let dir = Scratch::new("openjd-lsp-files", name);
    std::fs::create_dir_all(dir.join("jobs")).expect("mkdir");
    std::fs::create_dir_all(dir.join("envs")).expect("mkdir");
    std::fs::write(dir.join("jobs/job.yaml"), JOB).expect("job");
    if !mkfifo(&dir.join("jobs/fifo.yaml")) || !mkfifo(&dir.join("envs/pipe.yaml")) {
        return None;
    }
    std::os::unix::fs::symlink("/dev/zero", dir.join("jobs/zero.yaml")).expect("link");
    std::os::unix::fs::symlink("/dev/zero", dir.join("envs/zero.yaml")).expect("link");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: q\n    environments: [envs/pipe.yaml, envs/zero.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("config");
    Some(dir)
}

fn hover_answered(c: &mut Client, file: &Path) {
    let resp = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri(file)}, "position": {"line": 1, "character": 1}}),
    );
    assert!(resp.get("error").is_none(), "{resp}");
}

#[test]
fn the_server_refuses_fifos_and_devices_and_keeps_answering() {
    let Some(root) = hostile_workspace("server") else {
        eprintln!("skipped: mkfifo is not available");
        return;
    };
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root.path()),
               "workspaceFolders": [{"uri": uri(root.path()), "name": "ws"}],
               "capabilities": {"window": {"workDoneProgress": true},
                                "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    );
    c.notify("initialized", json!({}));
    let indexed = c.wait_for(
        "$/progress",
        |p| p["value"]["kind"] == "end",
        Duration::from_secs(20),
    );
    assert!(indexed.is_some(), "indexing never ended: {:?}", c.backlog);

    let job = root.join("jobs/job.yaml");
    c.open(&uri(&job), JOB, 1);
    c.diagnostics_for(&uri(&job), Some(1));
    hover_answered(&mut c, &job);

    // The configuration says why its two environments cannot be used.
    let config = root.join("openjd-lsp.yaml");
    let config_text = std::fs::read_to_string(&config).expect("config");
    c.open(&uri(&config), &config_text, 1);
    let diags = c.diagnostics_for(&uri(&config), Some(1));
    let unreadable: Vec<&str> = diags
        .iter()
        .filter(|d| d["code"] == "unreadable-file")
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert_eq!(unreadable.len(), 2, "{diags:?}");
    assert!(unreadable[0].contains("named pipe"), "{unreadable:?}");
    assert!(unreadable[1].contains("a device"), "{unreadable:?}");

    // Watched-file events for them, and opening and closing one.
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": uri(&root.join("jobs/fifo.yaml")), "type": 1},
            {"uri": uri(&root.join("jobs/zero.yaml")), "type": 2},
        ]}),
    );
    hover_answered(&mut c, &job);
    let fifo = root.join("jobs/fifo.yaml");
    c.open(&uri(&fifo), JOB, 1);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&fifo)}}),
    );
    hover_answered(&mut c, &job);
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

#[test]
fn check_refuses_fifos_and_devices_and_ends() {
    let Some(root) = hostile_workspace("check") else {
        eprintln!("skipped: mkfifo is not available");
        return;
    };
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
        .arg("check")
        .arg(root.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("check hangs on a FIFO or a device");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.matches("error[unreadable-file]").count(),
        2,
        "{stdout}"
    );
}

/// Files over the size cap (`openjd.files.maxSizeMiB`, 1 MiB here): an open
/// document gets a `file-too-large` warning naming the setting instead of
/// an analysis, a queue environment an `unreadable-file` error on the entry
/// that names it; requests are still answered.
#[test]
fn files_over_the_size_cap_say_so_in_the_editor() {
    let root = Scratch::new("openjd-lsp-files", "cap-server");
    std::fs::create_dir_all(root.join("envs")).expect("mkdir");
    std::fs::create_dir_all(root.join("jobs")).expect("mkdir");
    let big_env = format!(
        "specificationVersion: environment-2023-09\nenvironment:\n  name: Big\n  description: \"{}\"\n",
        "x".repeat(2 << 20)
    );
    std::fs::write(root.join("envs/big.yaml"), &big_env).expect("env");
    let config = root.join("openjd-lsp.yaml");
    let config_text =
        "queues:\n  - name: q\n    environments: [envs/big.yaml]\n    jobs: [\"jobs/**\"]\n";
    std::fs::write(&config, config_text).expect("config");
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root.path()),
               "workspaceFolders": [{"uri": uri(root.path()), "name": "ws"}],
               "capabilities": {"window": {"workDoneProgress": true}},
               "initializationOptions": {"openjd": {"files": {"maxSizeMiB": 1}}}}),
    );
    c.notify("initialized", json!({}));
    let indexed = c.wait_for(
        "$/progress",
        |p| p["value"]["kind"] == "end",
        Duration::from_secs(20),
    );
    assert!(indexed.is_some(), "indexing never ended");

    // A job of 1.5 MiB opened in the editor.
    let job = root.join("jobs/big.yaml");
    let job_text = format!("{JOB}          args: [\"{}\"]\n", "y".repeat(3 << 19));
    c.open(&uri(&job), &job_text, 1);
    let diags = c.diagnostics_for(&uri(&job), Some(1));
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "file-too-large");
    assert_eq!(diags[0]["severity"], 2);
    let message = diags[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("not analysed")
            && message.contains("1.5 MiB")
            && message.contains("`openjd.files.maxSizeMiB`"),
        "{message}"
    );
    hover_answered(&mut c, &job);

    // The configuration entry that names the 2 MiB environment.
    c.open(&uri(&config), config_text, 1);
    let diags = c.diagnostics_for(&uri(&config), Some(1));
    let unreadable: Vec<&Value> = diags
        .iter()
        .filter(|d| d["code"] == "unreadable-file")
        .collect();
    assert_eq!(unreadable.len(), 1, "{diags:?}");
    let message = unreadable[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("envs/big.yaml") && message.contains("`openjd.files.maxSizeMiB`"),
        "{message}"
    );
    assert_eq!(
        unreadable[0]["range"]["start"],
        json!({"line": 2, "character": 19})
    );

    // Under a cap that allows it, the same document is analysed.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"openjd": {"files": {"maxSizeMiB": 4}}}}),
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&job), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 7}}, "text": "K"}]}),
    );
    let diags = c.diagnostics_for(&uri(&job), Some(2));
    assert!(
        diags.iter().all(|d| d["code"] != "file-too-large"),
        "{diags:?}"
    );
    assert_eq!(c.shutdown_and_exit(), Some(0));
}

/// `check` says which files it did not read because of their size, and
/// names the setting.
#[test]
fn check_reports_files_over_the_size_cap() {
    let root = Scratch::new("openjd-lsp-files", "cap-check");
    std::fs::create_dir_all(root.join("envs")).expect("mkdir");
    std::fs::create_dir_all(root.join("jobs")).expect("mkdir");
    std::fs::write(root.join("jobs/job.yaml"), JOB).expect("job");
    // Sparse files past the 16 MiB default: refused before any read.
    for big in ["jobs/big.yaml", "envs/big.yaml"] {
        let f = std::fs::File::create(root.join(big)).expect("create");
        f.set_len((16 << 20) + 1).expect("grow");
    }
    std::fs::write(
        root.join("openjd-lsp.yaml"),
        "queues:\n  - name: q\n    environments: [envs/big.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("config");
    let out = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
        .arg("check")
        .arg(root.path())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        all.lines()
            .any(|l| l.contains("jobs/big.yaml") && l.contains("`openjd.files.maxSizeMiB`")),
        "{all}"
    );
    assert_eq!(stdout.matches("error[unreadable-file]").count(), 1, "{all}");
    assert!(!out.status.success(), "{all}");
}

/// Templates made to exhaust the stack or memory of whoever reads them:
/// each `(file name, text, the code it must get)`.
fn exhausting_templates() -> Vec<(&'static str, String, &'static str)> {
    let deep = |open: &str, close: &str, n: usize| format!("{}{}", open.repeat(n), close.repeat(n));
    let step = |body: &str| {
        format!(
            "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: J\nsteps:\n- name: S\n{body}  script:\n    actions:\n      onRun:\n        command: echo\n"
        )
    };
    let combination = step(&format!(
        "  parameterSpace:\n    taskParameterDefinitions:\n    - {{name: A, type: INT, range: '1-2'}}\n    combination: \"{}\"\n",
        deep("(", ")", 50_000).replace("()", "(A)")
    ));
    let parentheses = step("").replace(
        "command: echo",
        &format!(
            "command: echo\n        args: ['{{{{ {}1{} }}}}']",
            "(".repeat(20_000),
            ")".repeat(20_000)
        ),
    );
    let negations = step("").replace(
        "command: echo",
        &format!(
            "command: echo\n        args: ['{{{{ {}1 }}}}']",
            "-".repeat(30_000)
        ),
    );
    let mut aliases = format!(
        "specificationVersion: jobtemplate-2023-09\nname: J\ndescription: &big '{}'\nsteps:\n",
        "x".repeat(100_000)
    );
    for i in 0..10_000 {
        aliases.push_str(&format!("- {{name: S{i}, description: *big, script: {{actions: {{onRun: {{command: echo}}}}}}}}\n"));
    }
    // Under a key our passes do not read: only the reference would parse it.
    let unknown_key = step("").replace(
        "name: J\n",
        &format!(
            "name: J\nnotAKey: '{{{{ {}1{} }}}}'\n",
            "(".repeat(20_000),
            ")".repeat(20_000)
        ),
    );
    vec![
        ("unknown-key.yaml", unknown_key, "reference-limit"),
        ("combination.yaml", combination, "expression-too-large"),
        ("parentheses.yaml", parentheses, "expression-too-large"),
        ("negations.yaml", negations, "expression-too-large"),
        ("aliases.yaml", aliases, "alias-expansion"),
    ]
}

#[test]
fn check_survives_templates_made_to_exhaust_it() {
    let dir = Scratch::new("openjd-lsp-files", "exhausting-check");
    for (name, text, code) in exhausting_templates() {
        let path = dir.join(name);
        std::fs::write(&path, &text).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
            .arg("check")
            .arg(&path)
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: {:?}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("[{code}]")),
            "{name}: {stdout:.2000}"
        );
        let preview = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
            .arg("preview")
            .arg(&path)
            .output()
            .expect("run");
        assert!(
            preview.status.code().is_some(),
            "{name}: preview died: {:?}",
            preview.status
        );
    }
}

/// The files need not be open: indexing reads every template of the
/// workspace at startup. The server indexes them, answers, and opening
/// each gives its diagnostic.
#[test]
fn the_server_indexes_templates_made_to_exhaust_it() {
    let root = Scratch::new("openjd-lsp-files", "exhausting-server");
    let templates = exhausting_templates();
    for (name, text, _) in &templates {
        std::fs::write(root.join(name), text).expect("write");
    }
    std::fs::write(root.join("job.yaml"), JOB).expect("job");
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": uri(root.path()),
               "workspaceFolders": [{"uri": uri(root.path()), "name": "ws"}],
               "capabilities": {"window": {"workDoneProgress": true}}}),
    );
    c.notify("initialized", json!({}));
    let indexed = c.wait_for(
        "$/progress",
        |p| p["value"]["kind"] == "end",
        Duration::from_secs(60),
    );
    assert!(
        indexed.is_some(),
        "indexing never ended: alive {}",
        c.alive()
    );
    let job = root.join("job.yaml");
    c.open(&uri(&job), JOB, 1);
    c.diagnostics_for(&uri(&job), Some(1));
    hover_answered(&mut c, &job);
    for (name, text, code) in &templates {
        let path = root.join(name);
        c.open(&uri(&path), text, 1);
        let diags = c.diagnostics_for(&uri(&path), Some(1));
        assert!(
            diags.iter().any(|d| d["code"] == *code),
            "{name}: {:?}",
            diags.iter().map(|d| &d["code"]).collect::<Vec<_>>()
        );
        hover_answered(&mut c, &path);
    }
    assert_eq!(c.shutdown_and_exit(), Some(0));
}
