//! The `check` command through the real binary.

use std::path::PathBuf;
use std::process::Command;

mod support;
use support::scratch::Scratch;
use support::shell::shell_words;

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
            "examples/infra",
            "examples/conda_job",
        ])
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("checked 5 templates and 2 bundle files: 0 errors, 0 warnings"),
        "{stdout}"
    );
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

/// `openjd-lsp preview` on a bundle under a wrapping queue: the session in
/// run order, each command one shell line, the bundle's values applied.
#[test]
fn preview_shows_the_session_with_exact_commands() {
    let dir = scratch("preview");
    std::fs::create_dir_all(dir.join("envs")).expect("mkdir");
    std::fs::create_dir_all(dir.join("jobs/shot")).expect("mkdir");
    std::fs::write(
        dir.join("envs/box.yaml"),
        "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Box
  script:
    actions:
      onEnter: {command: box-start}
      onWrapEnvEnter: {command: box, args: [\"{{WrappedEnv.Name}}\", \"{{WrappedAction.Command}}\", \"{{WrappedAction.Args}}\"]}
      onWrapTaskRun: {command: bash, args: ['-c', '{{repr_sh(WrappedAction.Command)}} {{repr_sh(WrappedAction.Args)}}']}
      onWrapEnvExit: {command: box, args: [\"{{WrappedEnv.Name}}\", \"{{WrappedAction.Command}}\"]}
      onExit: {command: box-stop}
",
    )
    .expect("write");
    std::fs::write(
        dir.join("jobs/shot/template.yaml"),
        "specificationVersion: jobtemplate-2023-09
name: Shot
parameterDefinitions:
  - {name: Msg, type: STRING}
  - {name: Frames, type: STRING, default: 1-2}
steps:
  - name: Render
    parameterSpace:
      taskParameterDefinitions:
        - {name: Frame, type: INT, range: '{{Param.Frames}}'}
    script:
      actions:
        onRun: {command: python, args: ['-c', \"print('{{Param.Msg}}')\", '{{Task.Param.Frame}}']}
",
    )
    .expect("write");
    std::fs::write(
        dir.join("jobs/shot/parameter_values.yaml"),
        "parameterValues:\n  - {name: Msg, value: it's}\n  - {name: 'deadline:priority', value: 50}\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: q\n    environments: [envs/box.yaml]\n    jobs: [\"jobs/**\"]\n",
    )
    .expect("write");
    let job = dir.join("jobs/shot/template.yaml");
    let out = bin().arg("preview").arg(&job).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let steps: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(
        steps,
        [
            "1. Box (queue) onEnter",
            "2. Render (step) onRun [Frame=1]",
            "3. Render (step) onRun [Frame=2]",
            "4. Box (queue) onExit",
        ],
        "{stdout}"
    );
    assert!(stdout.contains("== Queue q"), "{stdout}");
    // The human line is one shell line: the shell gives back the hook's
    // argv, and its `bash -c` string the task's own argv.
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("   $ bash -c "))
        .expect("the hook's line");
    let words = shell_words(&format!("bash -c {line}"));
    assert_eq!(words[..2], ["bash", "-c"], "{line}");
    assert_eq!(
        shell_words(&words[2]),
        ["python", "-c", "print('it's')", "1"]
    );
    // -p wins over the bundle's file; --step and --tasks narrow it down.
    let out = bin()
        .arg("preview")
        .args(["-p", "Msg=hi", "--tasks", "1", "--format", "json"])
        .arg(&job)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let s = &v["sessions"][0];
    assert_eq!(s["queue"], "q");
    assert_eq!(s["refused"], serde_json::Value::Null);
    assert_eq!(
        s["truncated"],
        serde_json::json!([{"step": "Render", "listed": 1, "tasks": 2}])
    );
    let run = &s["actions"][1];
    assert_eq!(
        run["runs"],
        serde_json::json!({"environment": "Box", "hook": "onWrapTaskRun"})
    );
    assert_eq!(
        run["wrapped"],
        serde_json::json!(["python", "-c", "print('hi')", "1"])
    );
    assert_eq!(
        run["argv"],
        serde_json::json!(["bash", "-c", "python -c \"print('hi')\" 1"])
    );
    assert_eq!(run["task"], serde_json::json!({"Frame": "1"}));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn preview_reports_a_refused_session_and_usage_problems() {
    let dir = root().join("tests/runtime/two-queue-wrappers");
    let out = bin()
        .arg("preview")
        .args(["--format", "json"])
        .args([
            "-e",
            "env1.yaml",
            "-e",
            "env2.yaml",
            "-e",
            "env3.yaml",
            "job.yaml",
        ])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let s = &v["sessions"][0];
    assert_eq!(s["refused"]["environment"], "Wrap2");
    assert_eq!(s["refused"]["after"], "Wrap1");
    let ran: Vec<String> = s["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| {
            format!(
                "{}.{}",
                a["entity"].as_str().unwrap_or(""),
                a["action"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        ran,
        [
            "Queue.onEnter",
            "Wrap1.onEnter",
            "Wrap1.onExit",
            "Queue.onExit"
        ]
    );
    let human = bin()
        .arg("preview")
        .args([
            "-e",
            "env1.yaml",
            "-e",
            "env2.yaml",
            "-e",
            "env3.yaml",
            "job.yaml",
        ])
        .current_dir(&dir)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("REFUSED: The runtime refuses this session: `Wrap2`"),
        "{text}"
    );

    for bad in [
        vec!["preview", "-p", "novalue", "job.yaml"],
        vec!["preview", "missing.yaml"],
    ] {
        let out = bin().args(&bad).current_dir(&dir).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let out = bin()
        .args(["preview", "--step", "Nope", "job.yaml"])
        .current_dir(&dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No preview: the job has no step `Nope`"),
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

#[test]
fn a_bundle_folder_is_checked_whole() {
    let dir = scratch("bundle");
    let template =
        std::fs::read_to_string(root().join("examples/job_bundle/template.yaml")).expect("read");
    std::fs::write(dir.join("template.yaml"), template).expect("write");
    std::fs::write(
        dir.join("parameter_values.yaml"),
        "parameterValues:\n- name: Frame\n  value: 1-10\n- name: deadline:priority\n  value: 500\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("asset_references.json"),
        "{\"assetReferences\": {\"inputs\": {\"filenames\": \"scene.blend\"}, \"output\": {}}}",
    )
    .expect("write");
    let out = bin().arg("check").arg(dir.path()).output().expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for want in [
        "warning[bundle-maybe-queue-parameter]: The job template defines no parameter `Frame`; unless a queue environment defines it, the submission fails (no queue configuration names this job's queue); did you mean `Frames`?",
        "parameter_values.yaml:2:9",
        "error[bundle-out-of-range]: `deadline:priority` must be from 0 to 100; 500 is outside",
        "parameter_values.yaml:5:10",
        "warning[bundle-missing-value]: The template's parameter `SceneFile` has no default and no value here",
        "error[bundle-wrong-type]: `inputs.filenames` is a list of paths, not a string",
        "asset_references.json:1:46",
        "error[bundle-unknown-key]: Unknown key `output` in `assetReferences`",
        "did you mean `outputs`?",
        "checked 1 template and 2 bundle files: 3 errors, 2 warnings",
    ] {
        assert!(stdout.contains(want), "{want}\n{stdout}");
    }
}

#[test]
fn a_cloudformation_template_is_checked_inside_its_queue_environments() {
    let dir = scratch("cfn");
    let farm = std::fs::read_to_string(root().join("examples/infra/farm.yaml")).expect("read");
    let broken = farm
        .replace("              onEnter:\n", "              onEntr:\n")
        .replace("{{Param.CondaPackages}}", "{{Param.CondaPackage}}");
    std::fs::write(dir.join("farm.yaml"), broken).expect("write");
    let out = bin()
        .arg("check")
        .arg(dir.join("farm.yaml"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for want in [
        "error[unknown-key]: Unknown key `onEntr` in EnvironmentActions; did you mean `onEnter`?",
        "farm.yaml:53:15",
        "error[undefined-variable]: Undefined variable `Param.CondaPackage`; did you mean `Param.CondaPackages`?",
        "farm.yaml:62:93",
        "3 errors, 0 warnings",
    ] {
        assert!(stdout.contains(want), "{want}\n{stdout}");
    }
    // `${CondaChannels}` and `${!HOME}` are never reported.
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with("error") && (l.contains("CondaChannels") || l.contains("HOME"))),
        "{stdout}"
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

/// A FEATURE_BUNDLE_1 step written with the `bash:` shorthand whose name is
/// a valid step name but not an identifier makes the reference validator
/// (openjd-model 0.8.0) panic. `check` still reports our own findings, adds
/// a `reference-crash` warning, prints no panic, and never exits 101.
#[test]
fn a_crash_of_the_reference_costs_nothing_else() {
    let dir = scratch("reference-crash");
    for (i, name) in ["a½", "²x", "١"].iter().enumerate() {
        let file = dir.join(format!("crash{i}.yaml"));
        std::fs::write(
            &file,
            format!(
                "specificationVersion: jobtemplate-2023-09\n\
                 extensions: [FEATURE_BUNDLE_1]\n\
                 name: Crash\n\
                 steps:\n  - name: {name}\n    bash:\n      script: echo {{{{Param.Missing}}}}\n"
            ),
        )
        .expect("write");
        let out = bin()
            .args(["check", "--format", "json"])
            .arg(&file)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let codes: Vec<&str> = v["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert_eq!(codes, ["reference-crash", "undefined-variable"], "{name}");
        let crash = &v["diagnostics"][0];
        assert_eq!(crash["severity"], "warning");
        assert!(
            crash["message"]
                .as_str()
                .is_some_and(|m| m.contains("openjd-model 0.8.0") && m.contains("step.rs:95")),
            "{crash}"
        );
    }
}

/// The file's extension decides YAML or JSON: a `.yaml` file in JSON-like
/// flow style may have comments and trailing commas; the same text in a
/// `.json` file is an error at the first place that is not JSON.
#[test]
fn the_extension_decides_yaml_or_json() {
    let dir = scratch("doc-kind");
    let text = "{\n  # a YAML comment\n  \"specificationVersion\": \"jobtemplate-2023-09\",\n  \"name\": \"Flow\",\n  \"steps\": [{\"name\": \"S\", \"script\": {\"actions\": {\"onRun\": {\"command\": \"echo\",},},},},],\n}\n";
    std::fs::write(dir.join("flow.yaml"), text).expect("write");
    std::fs::write(dir.join("flow.json"), text).expect("write");
    let out = bin()
        .args(["check"])
        .arg(dir.join("flow.yaml"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(dir.join("flow.json"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "syntax", "{v}");
    // The `#` of the comment, line 2 column 3.
    assert_eq!(d["range"]["start"]["line"], 1, "{d}");
    assert_eq!(d["range"]["start"]["character"], 2, "{d}");
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(1), "{v}");
}
