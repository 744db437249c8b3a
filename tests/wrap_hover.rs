//! Wrap-aware hover, hints, go-to-hook and cross-file diagnostics, with
//! queue environments from other files. One fixture per row of the
//! resolution table (RFC 0008 §3.2).

use std::path::{Path, PathBuf};

mod support;
use support::shell::shell_words;

use openjd_lsp::analysis::{Analysis, Options, analyze};
use openjd_lsp::ide::wrap;
use openjd_lsp::workspace::diagnostics::file_diagnostics;
use openjd_lsp::workspace::{Workspace, queues};

const DOCKER: &str = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Docker
  script:
    actions:
      onEnter: {command: docker-start}
      onWrapEnvEnter: {command: wrap, args: [\"{{WrappedEnv.Name}}\", \"{{WrappedAction.Command}}\", \"{{WrappedAction.Args}}\"]}
      onWrapTaskRun: {command: docker, args: [exec, \"{{WrappedStep.Name}}\", \"{{WrappedAction.Command}}\", \"{{WrappedAction.Args}}\"]}
      onWrapEnvExit: {command: wrap, args: [\"{{WrappedAction.Command}}\"]}
      onExit: {command: docker-stop}
";

const PLAIN_QUEUE_ENV: &str = "specificationVersion: environment-2023-09
environment:
  name: Mount
  script:
    actions:
      onEnter: {command: mount}
      onExit: {command: umount}
";

const JOB: &str = "specificationVersion: jobtemplate-2023-09
name: J
jobEnvironments:
  - name: Conda
    script:
      actions:
        onEnter: {command: conda-setup, args: [--prefix, env]}
        onExit: {command: conda-teardown}
  - name: Vars
    variables: {A: b}
steps:
  - name: Render
    stepEnvironments:
      - name: Tools
        script:
          actions:
            onEnter: {command: fetch-tools}
    script:
      actions:
        onRun: {command: render, args: [--frame, \"1\"]}
";

struct Fixture {
    ws: Workspace,
    job_path: PathBuf,
}

fn workspace(config: Option<&str>) -> Fixture {
    let root = PathBuf::from("/ws");
    let mut ws = Workspace {
        roots: vec![root.clone()],
        ..Workspace::default()
    };
    ws.update_text(&root.join("envs/docker.yaml"), DOCKER);
    ws.update_text(&root.join("envs/mount.yaml"), PLAIN_QUEUE_ENV);
    if let Some(c) = config {
        let exists = |p: &Path| {
            if p.starts_with("/ws/envs") {
                Ok(())
            } else {
                Err(openjd_lsp::workspace::files::ReadError::NotFound)
            }
        };
        let (qs, diags) = queues::parse_file(&root.join("openjd-lsp.yaml"), c, &exists);
        assert!(diags.is_empty(), "{diags:?}");
        ws.queues = qs;
    }
    Fixture {
        ws,
        job_path: root.join("jobs/render/template.yaml"),
    }
}

const QUEUE: &str = "queues:\n  - name: linux\n    environments: [envs/mount.yaml, envs/docker.yaml]\n    jobs: [\"jobs/**\"]\n";

fn hover_at(a: &Analysis, f: &Fixture, text: &str, needle: &str) -> String {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle}")) + 1;
    let h = wrap::hover(a, Some(&f.job_path), &f.ws, offset)
        .unwrap_or_else(|| panic!("no hover on {needle}"));
    h.contents
}

#[test]
fn queue_wrapper_wraps_tasks_and_every_job_and_step_environment() {
    let f = workspace(Some(QUEUE));
    let a = analyze(JOB, &Options::default());
    let run = hover_at(&a, &f, JOB, "onRun");
    assert!(
        run.contains("**Wrapped** by `Docker` (queue environment"),
        "{run}"
    );
    assert!(run.contains("**`onWrapTaskRun`**"), "{run}");
    assert!(
        run.contains("docker.yaml:4"),
        "file and line of the wrapper: {run}"
    );
    assert!(run.contains("`WrappedStep.Name` = `Render`"), "{run}");
    assert!(
        run.contains("Effective command: `docker exec Render render --frame 1`"),
        "{run}"
    );
    assert!(
        run.contains("1. `Mount` (queue environment)")
            && run.contains("2. `Docker` (queue environment) — wraps"),
        "{run}"
    );
    let enter = hover_at(&a, &f, JOB, "onEnter: {command: conda-setup");
    assert!(
        enter.contains("**`onWrapEnvEnter`**") && enter.contains("`WrappedEnv.Name` = `Conda`"),
        "{enter}"
    );
    assert!(
        enter.contains("Effective command: `wrap Conda conda-setup --prefix env`"),
        "{enter}"
    );
    let tools = hover_at(&a, &f, JOB, "onEnter: {command: fetch-tools");
    assert!(
        tools.contains("Wrapped") && tools.contains("`Tools`"),
        "{tools}"
    );
}

#[test]
fn outer_queue_environment_and_the_wrappers_own_actions_are_not_wrapped() {
    let f = workspace(Some(QUEUE));
    let mount = analyze(PLAIN_QUEUE_ENV, &Options::default());
    let h = wrap::hover(
        &mount,
        Some(Path::new("/ws/envs/mount.yaml")),
        &f.ws,
        PLAIN_QUEUE_ENV.find("onEnter").unwrap_or(0) + 1,
    )
    .expect("hover");
    assert!(
        h.contents.contains("**Not wrapped.**") && h.contents.contains("comes later"),
        "{}",
        h.contents
    );
    let docker = analyze(DOCKER, &Options::default());
    let h = wrap::hover(
        &docker,
        Some(Path::new("/ws/envs/docker.yaml")),
        &f.ws,
        DOCKER.find("onEnter").unwrap_or(0) + 1,
    )
    .expect("hover");
    assert!(
        h.contents.contains("own onEnter/onExit are never wrapped"),
        "{}",
        h.contents
    );
}

#[test]
fn hook_hover_lists_every_action_it_replaces_across_jobs() {
    let mut f = workspace(Some(QUEUE));
    f.ws.update_text(&f.job_path.clone(), JOB);
    let docker = analyze(DOCKER, &Options::default());
    let at = DOCKER.find("onWrapTaskRun").unwrap_or(0) + 1;
    let h =
        wrap::hover(&docker, Some(Path::new("/ws/envs/docker.yaml")), &f.ws, at).expect("hover");
    assert!(
        h.contents.contains(
            "- [jobs/render/template.yaml:20](file:///ws/jobs/render/template.yaml#L20): step `Render` `onRun`"
        ),
        "{}",
        h.contents
    );
    let at = DOCKER.find("onWrapEnvExit").unwrap_or(0) + 1;
    let h =
        wrap::hover(&docker, Some(Path::new("/ws/envs/docker.yaml")), &f.ws, at).expect("hover");
    assert!(
        h.contents.contains("environment `Conda` `onExit`"),
        "{}",
        h.contents
    );
    assert!(
        !h.contents.contains("`Tools` `onExit`"),
        "Tools has no onExit: {}",
        h.contents
    );
}

#[test]
fn variables_only_and_missing_exit_get_no_hook() {
    let f = workspace(Some(QUEUE));
    let a = analyze(JOB, &Options::default());
    // Tools has no onExit, Vars no actions at all: hints only for real actions.
    let hints = wrap::inlay_hints(&a, Some(&f.job_path), &f.ws);
    let labels: Vec<&str> = hints.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(
        labels,
        vec![
            "wrapped by Docker · onWrapTaskRun",
            "wrapped by Docker · onWrapEnvEnter",
            "wrapped by Docker · onWrapEnvExit",
            "wrapped by Docker · onWrapEnvEnter",
        ]
    );
}

#[test]
fn wrapper_inside_the_job_and_in_a_step() {
    let job = JOB.replace(
        "        onExit: {command: conda-teardown}",
        "        onExit: {command: conda-teardown}\n        onWrapEnvEnter: {command: w}\n        onWrapTaskRun: {command: w}\n        onWrapEnvExit: {command: w}",
    )
    .replace("name: J\n", "extensions: [WRAP_ACTIONS, EXPR]\nname: J\n");
    let f = workspace(None);
    let a = analyze(&job, &Options::default());
    assert!(a.diagnostics.is_empty(), "{:?}", a.diagnostics);
    let run = hover_at(&a, &f, &job, "onRun");
    assert!(
        run.contains("**Wrapped** by `Conda` (job environment"),
        "{run}"
    );
    let own = hover_at(&a, &f, &job, "onEnter: {command: conda-setup");
    assert!(own.contains("never wrapped"), "{own}");
    // Without a queue configuration, hover names the workspace's wrappers.
    assert!(
        run.contains("would wrap it if applied to its queue") && run.contains("`Docker`"),
        "{run}"
    );
    // A wrapper in one step's environments does not wrap another step.
    let two = "specificationVersion: jobtemplate-2023-09
extensions: [WRAP_ACTIONS, EXPR]
name: J
steps:
  - name: A
    stepEnvironments:
      - name: Box
        script:
          actions:
            onWrapEnvEnter: {command: w}
            onWrapTaskRun: {command: w}
            onWrapEnvExit: {command: w}
    script:
      actions:
        onRun: {command: a}
  - name: B
    script:
      actions:
        onRun: {command: b}
";
    let a = analyze(two, &Options::default());
    let run_a = hover_at(&a, &f, two, "onRun: {command: a}");
    assert!(
        run_a.contains("**Wrapped** by `Box` (step environment"),
        "{run_a}"
    );
    let run_b = hover_at(&a, &f, two, "onRun: {command: b}");
    assert!(
        run_b.contains("**Not wrapped.** No environment in this session"),
        "{run_b}"
    );
}

#[test]
fn go_to_the_hook_in_another_file() {
    let f = workspace(Some(QUEUE));
    let a = analyze(JOB, &Options::default());
    let at = JOB.find("onRun").unwrap_or(0) + 1;
    let (file, span) = wrap::hook_definition(&a, Some(&f.job_path), &f.ws, at).expect("definition");
    assert_eq!(file.as_deref(), Some(Path::new("/ws/envs/docker.yaml")));
    assert_eq!(&DOCKER[span], "onWrapTaskRun");
}

#[test]
fn a_job_wrapper_under_a_wrapping_queue_is_an_error_in_both_files() {
    let job = JOB
        .replace("name: J\n", "extensions: [WRAP_ACTIONS, EXPR]\nname: J\n")
        .replace(
            "            onEnter: {command: fetch-tools}",
            "            onWrapEnvEnter: {command: w}\n            onWrapTaskRun: {command: w}\n            onWrapEnvExit: {command: w}",
        );
    let mut f = workspace(Some(QUEUE));
    let a = analyze(&job, &Options::default());
    assert!(
        a.diagnostics.is_empty(),
        "valid on its own: {:?}",
        a.diagnostics
    );
    let all = file_diagnostics(&f.ws, &f.job_path, &a);
    let diags = &all.workspace;
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(&job[diags[0].span.clone()], "Tools");
    assert!(
        diags[0]
            .related
            .iter()
            .any(|r| r.file.as_deref() == Some(Path::new("/ws/envs/docker.yaml")))
    );
    assert!(
        diags[0]
            .related
            .iter()
            .any(|r| r.file.as_deref() == Some(Path::new("/ws/openjd-lsp.yaml")))
    );
    f.ws.update_text(&f.job_path.clone(), &job);
    let config = analyze(QUEUE, &Options::default());
    let on_config = file_diagnostics(&f.ws, Path::new("/ws/openjd-lsp.yaml"), &config).workspace;
    assert!(
        on_config
            .iter()
            .any(|d| d.code == openjd_lsp::analysis::Code::WrapSingleLayer
                && d.related
                    .iter()
                    .any(|r| r.file.as_deref() == Some(f.job_path.as_path()))),
        "{on_config:?}"
    );
}

/// A second queue wrapper, defined like `Docker`.
const PODMAN: &str = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR]
environment:
  name: Podman
  script:
    actions:
      onEnter: {command: podman-start}
      onWrapEnvEnter: {command: p, args: [\"{{WrappedAction.Command}}\"]}
      onWrapTaskRun: {command: p, args: [\"{{WrappedAction.Command}}\"]}
      onWrapEnvExit: {command: p, args: [\"{{WrappedAction.Command}}\"]}
      onExit: {command: podman-stop}
";

const TWO_QUEUE_WRAPPERS: &str = "queues:\n  - name: twice\n    environments: [envs/mount.yaml, envs/docker.yaml, envs/podman.yaml]\n    jobs: [\"jobs/**\"]\n";

fn two_wrapper_workspace() -> Fixture {
    let mut f = workspace(Some(TWO_QUEUE_WRAPPERS));
    f.ws.update_text(Path::new("/ws/envs/podman.yaml"), PODMAN);
    f.ws.update_text(&f.job_path.clone(), JOB);
    f
}

#[test]
fn a_refused_session_is_told_as_refused_in_hover_hints_and_hook_lists() {
    let f = two_wrapper_workspace();
    let a = analyze(JOB, &Options::default());
    // The task never runs.
    let run = hover_at(&a, &f, JOB, "onRun");
    assert!(
        run.contains("**Never runs: the session is refused.**")
            && run.contains(
                "`Podman` (queue environment) is a second wrapping environment after `Docker`"
            ),
        "{run}"
    );
    // What still runs: the environments before Podman enter and exit.
    assert!(
        run.contains("What still runs before the refusal:\n- `Mount` `onEnter`\n- `Docker` `onEnter`\n- `Docker` `onExit`\n- `Mount` `onExit`"),
        "{run}"
    );
    assert!(!run.contains("**Wrapped**"), "{run}");
    // A job environment after the refusal is never entered either.
    let conda = hover_at(&a, &f, JOB, "onEnter: {command: conda-setup");
    assert!(conda.contains("Never runs"), "{conda}");
    let hints = wrap::inlay_hints(&a, Some(&f.job_path), &f.ws);
    assert!(
        !hints.is_empty()
            && hints
                .iter()
                .all(|(_, l)| l == "never runs · session refused: Docker and Podman both wrap"),
        "{hints:?}"
    );
    // Podman's hook replaces nothing; the job's session is listed as refused.
    let podman = analyze(PODMAN, &Options::default());
    let at = PODMAN.find("onWrapTaskRun").unwrap_or(0) + 1;
    let h =
        wrap::hover(&podman, Some(Path::new("/ws/envs/podman.yaml")), &f.ws, at).expect("hover");
    assert!(
        h.contents.contains(
            "the session of step `Render` is refused — `Docker` and `Podman` both wrap it"
        ) && !h.contents.contains("step `Render` `onRun`"),
        "{}",
        h.contents
    );
}

#[test]
fn two_queue_wrappers_are_the_queues_error_not_the_jobs() {
    let f = two_wrapper_workspace();
    let config = analyze(TWO_QUEUE_WRAPPERS, &Options::default());
    let diags = file_diagnostics(&f.ws, Path::new("/ws/openjd-lsp.yaml"), &config).workspace;
    let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "Queue `twice` applies more than one wrapping environment; only one per session may define wrap hooks"
        ]
    );
}

#[test]
fn a_job_environment_gets_one_answer_for_all_steps() {
    let job = JOB.replace(
        "    script:\n      actions:\n        onRun: {command: render, args: [--frame, \"1\"]}\n",
        "    script:\n      actions:\n        onRun: {command: render, args: [--frame, \"1\"]}\n  - name: Publish\n    script:\n      actions:\n        onRun: {command: publish}\n",
    );
    let f = workspace(Some(QUEUE));
    let a = analyze(&job, &Options::default());
    let conda = hover_at(&a, &f, &job, "onExit: {command: conda-teardown}");
    assert_eq!(conda.matches("**Wrapped**").count(), 1, "{conda}");
    assert!(!conda.contains("In the session of step"), "{conda}");
    assert!(
        !conda.contains("`Tools`"),
        "the stack a job environment shares: {conda}"
    );
}

#[test]
fn a_hook_that_replaces_nothing_says_so() {
    let job = "specificationVersion: jobtemplate-2023-09
extensions: [WRAP_ACTIONS, EXPR]
name: J
jobEnvironments:
  - name: Late
    script:
      actions:
        onEnter: {command: a}
  - name: W
    script:
      actions:
        onWrapEnvEnter: {command: w}
        onWrapTaskRun: {command: w}
        onWrapEnvExit: {command: w}
steps:
  - name: S
    script:
      actions:
        onRun: {command: s}
";
    let f = workspace(None);
    let a = analyze(job, &Options::default());
    let h = hover_at(&a, &f, job, "onWrapEnvExit");
    assert!(
        h.contains("It replaces nothing") && !h.contains("It replaces:"),
        "{h}"
    );
}

#[test]
fn the_hook_receives_resolved_values_and_the_effective_command_is_a_shell_line() {
    let wrap_env = "specificationVersion: environment-2023-09
extensions: [WRAP_ACTIONS, EXPR, FEATURE_BUNDLE_1]
environment:
  name: Docker
  script:
    actions:
      onEnter: {command: docker-start}
      onWrapEnvEnter: {command: w, args: [\"{{WrappedAction.Command}}\"]}
      onWrapTaskRun:
        command: bash
        args: ['-c', '{{repr_sh(WrappedAction.Command)}} {{repr_sh(WrappedAction.Args)}}']
        timeout: '{{WrappedAction.Timeout}}'
      onWrapEnvExit: {command: w, args: [\"{{WrappedAction.Command}}\"]}
";
    let job = "specificationVersion: jobtemplate-2023-09
extensions: [EXPR]
name: J
parameterDefinitions:
  - {name: Msg, type: STRING, default: \"it's done\"}
steps:
  - name: Render
    script:
      actions:
        onRun:
          command: python
          args: ['-c', \"print('{{Param.Msg}}')\", '{{Session.WorkingDirectory}}']
          cancelation: {mode: NOTIFY_THEN_TERMINATE}
";
    let mut f = workspace(Some(QUEUE));
    f.ws.update_text(Path::new("/ws/envs/docker.yaml"), wrap_env);
    let a = analyze(job, &Options::default());
    let run = hover_at(&a, &f, job, "onRun");
    assert!(run.contains("- `WrappedAction.Timeout` = `null`"), "{run}");
    assert!(
        run.contains("- `WrappedAction.Cancelation.Mode` = `NOTIFY_THEN_TERMINATE`")
            && run.contains("- `WrappedAction.Cancelation.NotifyPeriodInSeconds` = `120`"),
        "{run}"
    );
    assert!(
        run.contains(r#"- `WrappedAction.Args` = `["-c", "print('it's done')", "{{Session.WorkingDirectory}}"]`"#),
        "{run}"
    );
    // repr_sh is evaluated, and the line is quoted for a POSIX shell: the
    // shell turns it back into the hook's argv, and the hook's `bash -c`
    // string back into the wrapped action's argv.
    let line = run
        .split("Effective command: `")
        .nth(1)
        .and_then(|r| r.split("`\n").next())
        .expect("an effective command");
    let argv = shell_words(line);
    assert_eq!(argv[..2], ["bash", "-c"], "{line}");
    assert_eq!(
        shell_words(&argv[2]),
        [
            "python",
            "-c",
            "print('it's done')",
            "{{Session.WorkingDirectory}}"
        ]
    );
}

/// Hover's effective command takes the job bundle's `parameter_values.yaml`
/// (over the template's defaults), as the session preview does: the same
/// values file reader, the same evaluator, the same line.
#[test]
fn the_effective_command_takes_the_bundles_parameter_values() {
    let dir = support::scratch::Scratch::new("wrap-hover", "bundle-values");
    let job = "specificationVersion: jobtemplate-2023-09
name: J
parameterDefinitions:
  - {name: Frame, type: INT, default: 1}
  - {name: Scene, type: STRING, default: default.blend}
  - {name: Quality, type: STRING, default: draft}
steps:
  - name: Render
    script:
      actions:
        onRun: {command: render, args: [\"{{Param.Scene}}\", --frame, \"{{Param.Frame}}\", \"{{Param.Quality}}\"]}
";
    let job_path = dir.join("jobs/render/template.yaml");
    let docker = dir.join("envs/docker.yaml");
    std::fs::create_dir_all(job_path.parent().expect("dir")).expect("mkdir");
    std::fs::create_dir_all(docker.parent().expect("dir")).expect("mkdir");
    std::fs::write(&job_path, job).expect("job");
    std::fs::write(&docker, DOCKER).expect("env");
    let mut ws = Workspace {
        roots: vec![dir.to_path_buf()],
        ..Workspace::default()
    };
    ws.update_text(&docker, DOCKER);
    let (qs, diags) = queues::parse_file(
        &dir.join("openjd-lsp.yaml"),
        "queues:\n  - name: linux\n    environments: [envs/docker.yaml]\n    jobs: [\"jobs/**\"]\n",
        &|_: &Path| Ok(()),
    );
    assert!(diags.is_empty(), "{diags:?}");
    ws.queues = qs;
    let f = Fixture { ws, job_path };
    let a = analyze(job, &Options::default());

    // Without a values file: the defaults.
    let run = hover_at(&a, &f, job, "onRun");
    assert!(
        run.contains(
            "Effective command: `docker exec Render render default.blend --frame 1 draft`"
        ),
        "{run}"
    );

    // With one: its values (numbers and strings with spaces as the submitter
    // writes them; Deadline Cloud's own settings are not parameters).
    std::fs::write(
        dir.join("jobs/render/parameter_values.yaml"),
        "parameterValues:\n  - {name: Frame, value: 7}\n  - {name: Scene, value: shot 010.blend}\n  - {name: 'deadline:priority', value: 60}\n",
    )
    .expect("values");
    let run = hover_at(&a, &f, job, "onRun");
    let line = run
        .split("Effective command: `")
        .nth(1)
        .and_then(|r| r.split("`\n").next())
        .expect("an effective command");
    assert_eq!(
        line, "docker exec Render render 'shot 010.blend' --frame 7 draft",
        "{run}"
    );
    // The preview of the same job says the same.
    let sessions = openjd_lsp::workspace::preview::sessions(
        &f.ws,
        &f.job_path,
        job,
        &openjd_lsp::workspace::preview::Request {
            tasks: 10,
            ..Default::default()
        },
    )
    .expect("sessions");
    let preview = sessions[0].preview.as_ref().expect("a preview");
    let task = preview
        .actions
        .iter()
        .find(|e| e.entity == "Render")
        .expect("the task's onRun");
    assert_eq!(openjd_lsp::ide::preview::shell_line(&task.argv), line);
}
