//! The `check` command through the real binary.

use std::path::PathBuf;
use std::process::Command;

mod support;
use support::scratch::Scratch;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> Scratch {
    Scratch::new("openjd-lsp-cli", name)
}

#[test]
fn clean_examples_exit_zero() {
    let out = bin()
        .current_dir(root())
        .args([
            "check",
            "examples/job_bundle",
            "examples/job_with_environments",
            "examples/queue_environments",
        ])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("checked 3 templates: 0 errors"), "{stdout}");
}

#[test]
fn errors_exit_one_with_rustc_style_output() {
    let out = bin()
        .current_dir(root())
        .args(["check", "examples/broken"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains(
            "error[unknown-key]: Unknown key `nmae` in StepTemplate; did you mean `name`?"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("--> examples/broken/template.yaml:10:5"),
        "{stdout}"
    );
    assert!(
        stdout.contains("10 |   - nmae: Render\n   |     ^^^^"),
        "{stdout}"
    );
}

#[test]
fn json_output_has_lsp_ranges_and_byte_offsets() {
    let out = bin()
        .current_dir(root())
        .args(["check", "--format", "json", "examples/broken/template.yaml"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let diags = v["diagnostics"].as_array().expect("array");
    let d = diags
        .iter()
        .find(|d| d["code"] == "unknown-key")
        .expect("unknown-key");
    assert_eq!(d["range"]["start"]["line"], 9);
    assert_eq!(d["range"]["start"]["character"], 4);
    assert_eq!(d["range"]["end"]["character"], 8);
    assert_eq!(d["severity"], "error");
    let text = std::fs::read_to_string(root().join("examples/broken/template.yaml")).expect("read");
    let (s, e) = (
        d["byteRange"]["start"].as_u64().expect("start") as usize,
        d["byteRange"]["end"].as_u64().expect("end") as usize,
    );
    assert_eq!(&text[s..e], "nmae");
    assert_eq!(v["summary"]["errors"].as_u64(), Some(diags.len() as u64));
}

#[test]
fn usage_and_io_problems_exit_two() {
    let dir = scratch("io");
    std::fs::write(dir.join("bad.yaml"), b"specificationVersion: \xff\xfe\n").expect("write");
    let out = bin()
        .args(["check"])
        .arg(dir.join("bad.yaml"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not UTF-8"));

    let out = bin()
        .args(["check"])
        .arg(dir.join("missing.yaml"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no such file"));

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    std::fs::write(empty.join("other.yaml"), "kind: Deployment\n").expect("write");
    let out = bin().args(["check"]).arg(&empty).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no OpenJD templates found"));

    let out = bin()
        .args(["check", "--format", "xml", "x"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn directories_honour_gitignore_and_skip_build_folders() {
    let dir = scratch("walk");
    let bad = "specificationVersion: jobtemplate-2023-09\nname: J\nsteps: []\n";
    let good =
        std::fs::read_to_string(root().join("examples/job_bundle/template.yaml")).expect("read");
    std::fs::write(dir.join("good.yaml"), &good).expect("write");
    std::fs::write(dir.join(".gitignore"), "ignored/\n").expect("write");
    for skipped in ["ignored", "target", "node_modules", ".git"] {
        std::fs::create_dir_all(dir.join(skipped)).expect("mkdir");
        std::fs::write(dir.join(skipped).join("bad.yaml"), bad).expect("write");
    }
    std::fs::write(dir.join("notes.yaml"), "just: yaml\n").expect("write");
    let out = bin().args(["check"]).arg(dir.path()).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("checked 1 template: 0 errors"), "{stdout}");
}

#[test]
fn external_environments_count_towards_the_single_wrap_layer() {
    let dir = scratch("layers");
    let docker = root().join("examples/queue_environments/docker.yaml");
    // Clean together: the job defines no wrap hooks.
    let out = bin()
        .args(["check", "--environment"])
        .arg(&docker)
        .arg(root().join("examples/job_with_environments"))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A job with its own wrapper under a wrapping queue environment.
    let job = "specificationVersion: jobtemplate-2023-09
extensions: [WRAP_ACTIONS, EXPR]
name: J
jobEnvironments:
  - name: Sandbox
    script:
      actions:
        onWrapEnvEnter: {command: x}
        onWrapTaskRun: {command: x}
        onWrapEnvExit: {command: x}
steps:
  - name: S
    script:
      actions:
        onRun: {command: run}
";
    std::fs::write(dir.join("job.yaml"), job).expect("write");
    let out = bin()
        .args(["check", "--environment"])
        .arg(&docker)
        .arg(dir.join("job.yaml"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[wrap-single-layer]"), "{stdout}");
    assert!(
        stdout.contains(
            "The `--environment` queue already wraps this job's sessions with `Docker`; only one environment per session may define wrap hooks, so job environment `Sandbox` cannot"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("docker.yaml:"), "{stdout}");
}

#[test]
fn the_queue_configuration_file_applies_to_check() {
    let dir = scratch("config");
    std::fs::create_dir_all(dir.join("envs")).expect("mkdir");
    std::fs::create_dir_all(dir.join("jobs")).expect("mkdir");
    std::fs::copy(
        root().join("examples/queue_environments/docker.yaml"),
        dir.join("envs/docker.yaml"),
    )
    .expect("copy");
    let job = "specificationVersion: jobtemplate-2023-09
extensions: [WRAP_ACTIONS, EXPR]
name: J
jobEnvironments:
  - name: Sandbox
    script:
      actions:
        onWrapEnvEnter: {command: x}
        onWrapTaskRun: {command: x}
        onWrapEnvExit: {command: x}
steps:
  - name: S
    script:
      actions:
        onRun: {command: run}
";
    std::fs::write(dir.join("jobs/job.yaml"), job).expect("write");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: q\n    environments: [envs/docker.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("write");
    let out = bin().args(["check"]).arg(dir.path()).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("Queue `q` already wraps this job's sessions with `Docker`; only one environment per session may define wrap hooks, so job environment `Sandbox` cannot"),
        "{stdout}"
    );
    assert!(stdout.contains("openjd-lsp.yaml:2:5"), "{stdout}");
    // Off the queue, the same job is fine.
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: q\n    environments: [envs/docker.yaml]\n    jobs: [\"other/**\"]\n",
    )
    .expect("write");
    let out = bin().args(["check"]).arg(dir.path()).output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_file_named_explicitly_must_be_a_template() {
    // A CI job with a wrong file name must fail, not pass having checked
    // nothing.
    let out = bin()
        .current_dir(root())
        .args(["check", "Cargo.toml"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("error: Cargo.toml: not an OpenJD template: it needs a top-level `specificationVersion: jobtemplate-2023-09` or `environment-2023-09`"),
        "{stdout}"
    );

    // YAML that is not a template, next to a good template: still 2, and
    // the template is checked and reported.
    let dir = scratch("explicit");
    std::fs::write(dir.join("deployment.yaml"), "kind: Deployment\n").expect("write");
    let out = bin()
        .current_dir(root())
        .args([
            "check",
            "--format",
            "json",
            "examples/job_bundle/template.yaml",
        ])
        .arg(dir.join("deployment.yaml"))
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(out.status.code(), Some(2), "{json}");
    assert_eq!(json["summary"]["templates"], 1, "{json}");
    assert!(
        json["problems"][0]
            .as_str()
            .is_some_and(|p| p.ends_with("deployment.yaml: not an OpenJD template: it needs a top-level `specificationVersion: jobtemplate-2023-09` or `environment-2023-09`")),
        "{json}"
    );

    // The queue configuration named explicitly is checked as one, not
    // refused as a non-template; the note says it was applied.
    let out = bin()
        .current_dir(root())
        .args(["check", "examples/openjd-lsp.yaml", "examples/job_bundle"])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("note: examples/openjd-lsp.yaml: queue configuration applied to the templates below it (queues: "),
        "{stdout}"
    );
}

#[test]
fn check_help_lists_the_exit_statuses() {
    for flag in ["-h", "--help"] {
        let out = bin().args(["check", flag]).output().expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}");
        for line in [
            "Exit status:",
            "  0  no errors",
            "  1  errors found",
            "  2  usage or I/O problem",
            "a file named explicitly that is not an OpenJD template",
        ] {
            assert!(stdout.contains(line), "{flag}: {line:?} in\n{stdout}");
        }
    }
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let out = bin().arg("--version").output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = format!("openjd-lsp {} (", env!("CARGO_PKG_VERSION"));
    assert!(stdout.starts_with(&want), "{stdout}");
    // In a git checkout it is HEAD's commit (build.rs reruns when HEAD moves).
    let git = Command::new("git")
        .current_dir(root())
        .args(["rev-parse", "--short=12", "HEAD"])
        .output();
    if let Ok(git) = git
        && git.status.success()
    {
        let sha = String::from_utf8_lossy(&git.stdout).trim().to_string();
        assert!(
            stdout.starts_with(&format!("{want}{sha} ")),
            "{stdout} vs HEAD {sha}"
        );
    }
}

#[test]
fn the_readme_documents_every_json_field() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let out = bin()
        .current_dir(root())
        .args(["check", "--format", "json", "examples/"])
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let documented = |row: &str| {
        readme
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("| `{row}`")))
    };
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    for top in keys(&json) {
        let row = match top.as_str() {
            "diagnostics" | "problems" | "notes" => format!("{top}[]"),
            _ => continue,
        };
        assert!(documented(&row), "README has no row for `{row}`");
    }
    for k in keys(&json["summary"]) {
        assert!(
            readme.contains(&format!("`summary.{k}`")),
            "README does not document summary.{k}"
        );
    }
    let diagnostic = &json["diagnostics"][0];
    assert!(diagnostic.is_object(), "{json}");
    for k in keys(diagnostic) {
        let row = if k == "related" {
            ".related[]".to_string()
        } else {
            format!(".{k}")
        };
        assert!(documented(&row), "README has no row for `{row}`");
    }
    assert!(
        !json["notes"].as_array().is_some_and(|n| n.is_empty()),
        "examples/ has a queue configuration, so there is a note: {json}"
    );
}

/// An expression bomb is checked within bounded memory: under a 300 MB
/// address-space limit `check` still finishes and reports it (it once took
/// 1.65 GB for `range(9999999)`).
#[cfg(target_os = "linux")]
#[test]
fn expression_bomb_checks_in_bounded_memory() {
    let dir = scratch("bomb");
    let file = dir.join("bomb.yaml");
    std::fs::write(
        &file,
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: bomb\nsteps:\n  - name: A\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: ['{{ range(9999999) }}', '{{ repr_py(range(5000000)) }}']\n",
    )
    .expect("write");
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 300000; exec \"$0\" check \"$1\"")
        .arg(env!("CARGO_BIN_EXE_openjd-lsp"))
        .arg(&file)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        stdout.matches("warning[expression-too-large]").count(),
        2,
        "{stdout}"
    );
}
