//! Hostile input on the command line, through the real binary: what a
//! template, a file name or an argument can make `check` and `preview`
//! print, and what they refuse to take on. (Their time and memory are
//! measured in `benches/hostile_cli.rs`.)

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::scratch::Scratch;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
}

fn scratch(name: &str) -> Scratch {
    Scratch::new("openjd-lsp-hostile-cli", name)
}

fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().expect("run openjd-lsp");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
}

/// A job of one step whose task parameter `P` takes `range` and whose
/// command echoes `args`.
fn job(range: &str, args: &str) -> String {
    format!(
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: J\nsteps:\n  - name: S\n    parameterSpace:\n      taskParameterDefinitions:\n        - name: P\n          type: {}\n          range: {range}\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: {args}\n",
        if range.starts_with('[') && range.contains('"') {
            "STRING"
        } else {
            "INT"
        }
    )
}

#[test]
fn preview_tasks_past_the_documented_cap_is_a_usage_error() {
    let dir = scratch("tasks");
    let file = dir.join("job.yaml");
    write(&file, &job("\"1-1000000000\"", "[\"{{Task.Param.P}}\"]"));
    for n in ["10001", "1000000000", "18446744073709551615"] {
        let (out, stdout, stderr) = run(bin().args(["preview", "--tasks", n]).arg(&file));
        assert_eq!(out.status.code(), Some(2), "--tasks {n}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains("at most 10,000 tasks per step"),
            "--tasks {n}: {stderr}"
        );
    }
    // The cap itself lists that many of the step's billion tasks.
    let (out, stdout, stderr) = run(bin().args(["preview", "--tasks", "10000"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stdout.matches("\n   $ echo ").count(), 10_000);
    assert!(
        stdout.contains("(step S: 10000 of 1000000000 tasks shown; use --tasks N for more)"),
        "{}",
        &stdout[stdout.len().saturating_sub(300)..]
    );
}

#[test]
fn preview_refuses_a_job_whose_expressions_are_past_the_budget() {
    let dir = scratch("bombs");
    let bombs = [
        // A task parameter range the reference model would build.
        job(
            "\"{{ range(1, 9223372036854775807) }}\"",
            "[\"{{Task.Param.P}}\"]",
        ),
        // Constant arguments the reference model evaluates as it reads.
        job(
            "\"1-2\"",
            "[\"{{ repr_py(range(5000000)) }}\", \"{{ len(range(9999999)) }}\"]",
        ),
    ];
    for (i, text) in bombs.iter().enumerate() {
        let file = dir.join(format!("bomb{i}.yaml"));
        write(&file, text);
        let (out, stdout, _) = run(bin().arg("preview").arg(&file));
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(
            stdout.contains("No preview: the expression `{{")
                && stdout.contains("needs more than this preview's budget of 200,000 operations or 8 MiB per expression"),
            "{stdout}"
        );
    }
    // With a value given for it, a parameter makes the bomb.
    let file = dir.join("param.yaml");
    write(
        &file,
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: J\nparameterDefinitions:\n  - {name: N, type: INT, default: 3}\nsteps:\n  - name: S\n    let: [\"n = Param.N\"]\n    parameterSpace:\n      taskParameterDefinitions:\n        - {name: P, type: INT, range: \"{{ range(n) }}\"}\n    script: {actions: {onRun: {command: echo, args: [\"{{Task.Param.P}}\"]}}}\n",
    );
    let (out, stdout, _) = run(bin().args(["preview", "--tasks", "1"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let (out, stdout, _) = run(bin().args(["preview", "-p", "N=9999999"]).arg(&file));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("No preview: the expression `{{ range(n) }}` needs more than"),
        "{stdout}"
    );
}

#[test]
fn preview_names_a_field_left_as_written_for_its_size() {
    let dir = scratch("field");
    let file = dir.join("job.yaml");
    // Known only per task, so evaluated as the session is walked.
    write(
        &file,
        &job(
            "\"1-2\"",
            "[\"{{ repr_py(range(Task.Param.P * 5000000)) }}\", \"{{ Task.Param.P }}\"]",
        ),
    );
    let (out, stdout, _) = run(bin().arg("preview").arg(&file));
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("   $ echo '{{ repr_py(range(Task.Param.P * 5000000)) }}' 2\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "Not evaluated, shown as written: `{{ repr_py(range(Task.Param.P * 5000000)) }}` (each needs more than this preview's budget"
        ),
        "{stdout}"
    );
    let (_, json, _) = run(bin().args(["preview", "--format", "json"]).arg(&file));
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        v["sessions"][0]["tooLarge"],
        serde_json::json!(["repr_py(range(Task.Param.P * 5000000))"])
    );
}

#[test]
fn preview_quotes_task_values_and_refuses_a_nul() {
    let dir = scratch("values");
    let file = dir.join("job.yaml");
    write(
        &file,
        &job(
            r#"["a\n$ rm -rf ~", "x y", "n\0ul"]"#,
            "[\"{{Task.Param.P}}\"]",
        ),
    );
    let (out, stdout, _) = run(bin().arg("preview").arg(&file));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        !stdout.lines().any(|l| l.starts_with("$ rm")),
        "a value started a line: {stdout}"
    );
    assert!(
        stdout.contains("1. S (step) onRun [P=$'a\\n$ rm -rf ~']\n   $ echo $'a\\n$ rm -rf ~'\n"),
        "{stdout}"
    );
    assert!(stdout.contains("2. S (step) onRun [P='x y']\n"), "{stdout}");
    assert!(
        stdout.contains("   error: the value of task parameter `P` holds a NUL character; a process cannot receive one"),
        "{stdout}"
    );
    // A shell with `$'…'` quoting (bash, ksh, zsh, POSIX.1-2024) reads
    // the quoted value back as it was.
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("   $ "))
        .expect("the first task's command");
    let words = Command::new("bash")
        .arg("-c")
        .arg(format!("printf '%s\\0' {line}"))
        .output()
        .expect("bash");
    assert_eq!(
        String::from_utf8_lossy(&words.stdout),
        "echo\0a\n$ rm -rf ~\0"
    );
}

#[test]
fn check_escapes_control_characters_of_keys_and_file_names() {
    let dir = scratch("controls");
    let sub = dir.join("a\n::error file=x::forged");
    std::fs::create_dir_all(&sub).expect("mkdir");
    write(
        &sub.join("job.yaml"),
        "specificationVersion: jobtemplate-2023-09\nname: J\n\"\\e]0;title\\a\\e[2J\": 1\nsteps:\n  - name: S\n    script: {actions: {onRun: {command: echo}}}\n",
    );
    let (out, stdout, _) = run(bin().arg("check").arg(&sub));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(
        !stdout.lines().any(|l| l.starts_with("::error")),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "error[unknown-key]: Unknown key `\\x1b]0;title\\x07\\x1b[2J` in JobTemplate"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("a\\n::error file=x::forged/job.yaml:3:1"),
        "{stdout}"
    );
}

#[test]
fn check_shows_a_long_line_as_a_window_around_each_range() {
    let dir = scratch("wide");
    let file = dir.join("wide.yaml");
    let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}: 1")).collect();
    write(
        &file,
        &format!(
            "specificationVersion: jobtemplate-2023-09\nname: J\nsteps: [{{name: S, script: {{actions: {{onRun: {{command: echo}}}}}}, {}}}]\n",
            keys.join(", ")
        ),
    );
    let (out, stdout, _) = run(bin().arg("check").arg(&file));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        // A file shows at most 1,000 diagnostics, then one that counts the rest.
        stdout.ends_with("checked 1 template: 1001 errors, 0 warnings\n"),
        "{}",
        &stdout[stdout.len().saturating_sub(200)..]
    );
    // The gutter, then at most 120 columns of the line.
    let widest = stdout
        .lines()
        .filter(|l| l.contains('|'))
        .map(|l| l.chars().count())
        .max();
    assert!(widest <= Some(130), "{widest:?}");
    // Each caret sits under its key.
    let block = stdout
        .split("\n\n")
        .find(|b| b.contains("Unknown key `k500`"))
        .expect("the diagnostic of k500");
    let lines: Vec<&str> = block.lines().collect();
    let (code, carets) = (lines[3], lines[4]);
    let at = carets.find('^').expect("caret");
    let under: String = code
        .chars()
        .skip(carets[..at].chars().count())
        .take(carets.matches('^').count())
        .collect();
    assert_eq!(under, "k500", "{block}");
}

#[test]
fn check_of_many_files_reports_each_once_in_both_formats() {
    // More files than `check` keeps analysed between reading the tree and
    // reporting it, so most are read again for the report.
    let dir = scratch("many");
    for i in 0..1_100 {
        write(
            &dir.join(format!("t{i:04}.yaml")),
            &format!(
                "specificationVersion: jobtemplate-2023-09\nname: J{i}\nsteps:\n  - name: S\n    script: {{actions: {{onRun: {{command: echo}}}}}}\n"
            ),
        );
    }
    write(
        &dir.join("t1050.yaml"),
        "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - nmae: S\n    script: {actions: {onRun: {command: echo}}}\n",
    );
    let (out, stdout, _) = run(bin().arg("check").arg(dir.path()));
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let at: Vec<&str> = stdout.lines().filter(|l| l.contains(" --> ")).collect();
    assert_eq!(at.len(), 2, "{stdout}");
    assert!(at.iter().all(|l| l.ends_with("t1050.yaml:4:5")), "{stdout}");
    assert!(
        stdout.ends_with("checked 1100 templates: 2 errors, 0 warnings\n"),
        "{stdout}"
    );
    let (out, json, _) = run(bin().args(["check", "--format", "json"]).arg(dir.path()));
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["summary"]["templates"], 1100);
    assert_eq!(v["summary"]["errors"], 2);
    let diags = v["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 2);
    assert!(
        diags.iter().all(|d| d["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("t1050.yaml"))),
        "{json}"
    );
    // And with nothing to report, the list is empty but present.
    std::fs::remove_file(dir.join("t1050.yaml")).expect("remove");
    let (out, json, _) = run(bin().args(["check", "--format", "json"]).arg(dir.path()));
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(v["summary"]["templates"], 1099);
}
