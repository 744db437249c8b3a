//! Runtime truth: what `analysis::session::resolve` says about wrapping is
//! what the reference runtime (the Python `openjd` CLI) really does.
//!
//! Each directory under `tests/runtime/` is one row of the resolution table
//! (wrap-actions spec §3.2): a `job.yaml` and, where the row needs them,
//! queue environments `env1.yaml`, `env2.yaml`, … (outermost first). Every
//! action of those templates appends a line to `$MARKER_LOG`:
//!
//! * an ordinary action writes `ACTION <Env or Step>.<action> via=<who>`,
//!   where `<who>` is `self`, or the hook that ran it (read from
//!   `$WRAPPED_BY`, which only a hook sets);
//! * a wrap hook writes `HOOK <Wrapper>.<hook> env=<WrappedEnv.Name>` (or
//!   `step=<WrappedStep.Name>`) and then runs the action it replaced
//!   (`WrappedAction.Command` + `Args`) with `WRAPPED_BY` set.
//!
//! So the log shows both who ran and what was replaced. The test runs the
//! whole job (all steps, one session), derives for every action whether it
//! ran as itself or under which hook, asks `session::resolve` the same for
//! every action of every step's stack, and asserts they agree.
//!
//! The runtime is installed once by `scripts/install-runtime.sh` into
//! `target/runtime-venv` (or `$OPENJD_RUNTIME_VENV`). When it cannot be
//! installed the tests fail; `OPENJD_SKIP_RUNTIME=1` skips them, loudly.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use openjd_lsp::analysis::session::{self, External, Layer, Resolution, Target};
use openjd_lsp::analysis::{Options, analyze};
use openjd_lsp::model::{ActionKind, Template};

mod support;
use support::scratch::Scratch;

const RUN_TIMEOUT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    root().join("tests/runtime")
}

/// Written straight to the process's stderr, past the test harness's output
/// capture, so that it shows in a normal `cargo test` run.
fn loud(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

// ---------------------------------------------------------------------------
// The reference runtime

struct Runtime {
    openjd: PathBuf,
    version: String,
}

fn skip_requested() -> bool {
    std::env::var("OPENJD_SKIP_RUNTIME").is_ok_and(|v| v == "1")
}

/// The installed runtime, or `None` when skipping was asked for. Panics
/// (fails the test) when it cannot be installed.
fn runtime() -> Option<&'static Runtime> {
    static RUNTIME: OnceLock<Result<Option<Runtime>, String>> = OnceLock::new();
    match RUNTIME.get_or_init(install) {
        Ok(rt) => rt.as_ref(),
        Err(msg) => panic!("{msg}"),
    }
}

fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OPENJD_RUNTIME_VENV").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    // The test binary is <target>/<profile>/deps/<name>.
    let target = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| root().join("target"));
    target.join("runtime-venv")
}

fn install() -> Result<Option<Runtime>, String> {
    if skip_requested() {
        return Ok(None);
    }
    let venv = venv_dir();
    let script = root().join("scripts/install-runtime.sh");
    let hint = "Install python3 with venv and pip (Debian: apt-get install python3 python3-venv) \
                and let PyPI be reachable, or set OPENJD_SKIP_RUNTIME=1 to skip these tests.";
    let out = Command::new("bash")
        .arg(&script)
        .arg(&venv)
        .output()
        .map_err(|e| {
            format!(
                "RUNTIME TRUTH: cannot run {}: {e}\n{hint}",
                script.display()
            )
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "RUNTIME TRUTH: could not install the reference OpenJD runtime (openjd-cli) into {}\n\
             {hint}\n--- stdout\n{stdout}--- stderr\n{stderr}",
            venv.display()
        ));
    }
    let version = stdout
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("openjd-cli "))
        .unwrap_or("?")
        .trim()
        .to_string();
    let openjd = venv.join("bin/openjd");
    if !openjd.is_file() {
        return Err(format!(
            "RUNTIME TRUTH: {} is missing after installing\n{stdout}{stderr}",
            openjd.display()
        ));
    }
    loud(&format!(
        "runtime truth: using openjd-cli {version} from {}",
        venv.display()
    ));
    Ok(Some(Runtime { openjd, version }))
}

// ---------------------------------------------------------------------------
// Fixtures

struct Fixture {
    dir: PathBuf,
    job_path: PathBuf,
    env_paths: Vec<PathBuf>,
    job: Template,
    envs: Vec<Template>,
}

impl Fixture {
    fn load(name: &str) -> Fixture {
        let dir = fixtures().join(name);
        let job_path = dir.join("job.yaml");
        let mut env_paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("env") && n.ends_with(".yaml"))
            })
            .collect();
        env_paths.sort();
        let model = |p: &Path| {
            let text =
                std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let template = analyze(&text, &Options { reference: false })
                .template
                .unwrap_or_else(|| panic!("{}: no template", p.display()));
            std::sync::Arc::unwrap_or_clone(template)
        };
        let job = model(&job_path);
        let envs = env_paths.iter().map(|p| model(p)).collect();
        Fixture {
            dir,
            job_path,
            env_paths,
            job,
            envs,
        }
    }

    fn externals(&self) -> Vec<External<'_>> {
        self.envs
            .iter()
            .zip(&self.env_paths)
            .map(|(t, p)| External {
                file: Some(p.clone()),
                env: t
                    .environment
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: no environment", p.display())),
            })
            .collect()
    }

    /// The project's own checker on the fixture, as a user would run it.
    fn check(&self) -> (bool, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"));
        cmd.arg("check");
        for e in &self.env_paths {
            cmd.arg("--environment").arg(e);
        }
        let out = cmd.arg(&self.job_path).output().expect("run the checker");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success() && text.contains(" 0 errors"), text)
    }
}

// ---------------------------------------------------------------------------
// Running the runtime and reading its log

struct Run {
    success: bool,
    log: String,
    output: String,
    seconds: f64,
}

fn run_openjd(rt: &Runtime, fx: &Fixture, name: &str) -> Run {
    let work = Scratch::new("openjd-runtime-truth", name);
    let log = work.join("markers.log");
    let out_path = work.join("openjd.out");
    let out_file = std::fs::File::create(&out_path).expect("output file");
    let mut cmd = Command::new(&rt.openjd);
    cmd.arg("run").arg(&fx.job_path);
    for e in &fx.env_paths {
        cmd.arg("--environment").arg(e);
    }
    cmd.current_dir(&work)
        .env("MARKER_LOG", &log)
        .env_remove("WRAPPED_BY")
        .stdin(Stdio::null())
        .stdout(out_file.try_clone().expect("dup"))
        .stderr(out_file);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", rt.openjd.display()));
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name}: openjd run did not finish in {RUN_TIMEOUT:?}\n{}",
                std::fs::read_to_string(&out_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The scratch folder is removed when `work` goes out of scope, after
    // the log and output have been read.
    Run {
        success: status.success(),
        log: std::fs::read_to_string(&log).unwrap_or_default(),
        output: std::fs::read_to_string(&out_path).unwrap_or_default(),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// What the runtime did, from the marker log.
#[derive(Default)]
struct Observed {
    /// Every action that ran, in order: (`Env.onEnter` / `Step.onRun`, who
    /// ran it: `self` or `Wrapper.hook`).
    runs: Vec<(String, String)>,
    /// Every hook that ran: (`Wrapper.hook`, the env or step it named).
    hooks: Vec<(String, String)>,
}

fn split_key(key: &str) -> Option<(&str, &str)> {
    key.rsplit_once('.')
}

/// Reads the log strictly: a hook line must be followed by the line of the
/// very action it names, and an action line claiming a hook must follow it.
fn parse_log(log: &str) -> Result<Observed, String> {
    let mut seen = Observed::default();
    let mut pending: Option<(String, String)> = None;
    for (n, line) in log.lines().enumerate() {
        let n = n + 1;
        let mut words = line.split_whitespace();
        match words.next() {
            Some("HOOK") => {
                if let Some((hook, subject)) = &pending {
                    return Err(format!(
                        "line {n}: {hook} for {subject} ran, but not the action it replaced"
                    ));
                }
                let hook = words.next().ok_or(format!("line {n}: {line}"))?;
                let subject = words
                    .next()
                    .and_then(|w| w.strip_prefix("env=").or_else(|| w.strip_prefix("step=")))
                    .ok_or(format!("line {n}: {line}"))?;
                seen.hooks.push((hook.to_string(), subject.to_string()));
                pending = Some((hook.to_string(), subject.to_string()));
            }
            Some("ACTION") => {
                let key = words.next().ok_or(format!("line {n}: {line}"))?;
                let via = words
                    .next()
                    .and_then(|w| w.strip_prefix("via="))
                    .ok_or(format!("line {n}: {line}"))?;
                let (subject, action) = split_key(key).ok_or(format!("line {n}: {line}"))?;
                match pending.take() {
                    None if via == "self" => {}
                    None => {
                        return Err(format!(
                            "line {n}: {key} says it ran under {via}, but no hook line precedes it"
                        ));
                    }
                    Some((hook, hook_subject)) => {
                        let replaces = match hook.rsplit_once('.').map(|(_, h)| h) {
                            Some("onWrapEnvEnter") => "onEnter",
                            Some("onWrapEnvExit") => "onExit",
                            Some("onWrapTaskRun") => "onRun",
                            _ => return Err(format!("line {n}: unknown hook {hook}")),
                        };
                        if via != hook || subject != hook_subject || action != replaces {
                            return Err(format!(
                                "line {n}: {hook} for {hook_subject} was followed by `{line}`"
                            ));
                        }
                    }
                }
                seen.runs.push((key.to_string(), via.to_string()));
            }
            _ => return Err(format!("line {n}: unexpected `{line}`")),
        }
    }
    if let Some((hook, subject)) = pending {
        return Err(format!(
            "{hook} for {subject} ran last, but not the action it replaced"
        ));
    }
    Ok(seen)
}

// ---------------------------------------------------------------------------
// What `session::resolve` says

/// One action of the session, as the editor would hover it.
struct Claim {
    /// `self` or `Wrapper.hook`.
    via: String,
    /// `resolve`'s answer in full, for the report.
    answer: String,
    /// Whether the action exists (an absent one must not run, nor its hook).
    exists: bool,
    /// Environment actions run once per session; tasks at least once.
    once: bool,
}

fn claim(stack: &[Layer<'_>], target: Target, exists: bool, once: bool) -> Claim {
    let (via, answer) = match session::resolve(stack, target) {
        Resolution::Wrapped {
            wrapper,
            hook,
            layer,
        } => {
            let who = format!("{}.{}", layer.env.display_name(), hook.key());
            let answer = format!("Wrapped {{ wrapper: {wrapper}, hook: {} }}", hook.key());
            (who, answer)
        }
        Resolution::NotWrapped(reason) => ("self".to_string(), format!("NotWrapped({reason:?})")),
    };
    Claim {
        via,
        answer,
        exists,
        once,
    }
}

/// Every action of every step's session stack, keyed `Env.onEnter` /
/// `Step.onRun`, with `resolve`'s answer, and the order in which the
/// environment actions of one session running all steps happen.
fn claims(fx: &Fixture) -> (BTreeMap<String, Claim>, Vec<String>) {
    let externals = fx.externals();
    let outer = externals.len() + fx.job.job_environments.len();
    let mut out: BTreeMap<String, Claim> = BTreeMap::new();
    let mut order = Vec::new();
    let mut add = |key: String, c: Claim| {
        if let Some(prev) = out.get(&key) {
            // Job and queue environments are in every step's stack but run
            // once per session: every stack must give the same answer.
            assert!(
                prev.via == c.via,
                "{}: resolve answers differently for {key} in different steps' stacks: {} vs {}",
                fx.dir.display(),
                prev.answer,
                c.answer
            );
            return;
        }
        out.insert(key, c);
    };
    let mut last = Vec::new();
    for (s, step) in fx.job.steps.iter().enumerate() {
        let stack = session::stack(&externals, &fx.job, s);
        for (layer, l) in stack.iter().enumerate() {
            for action in [ActionKind::OnEnter, ActionKind::OnExit] {
                let exists = l.env.action(action).is_some();
                let key = format!("{}.{}", l.env.display_name(), action.key());
                add(
                    key,
                    claim(&stack, Target::Env { layer, action }, exists, true),
                );
            }
        }
        add(
            format!("{}.onRun", step.display_name()),
            claim(&stack, Target::Task, step.task_action().is_some(), false),
        );
        let name = |l: &Layer<'_>, a: ActionKind| {
            l.env
                .action(a)
                .map(|_| format!("{}.{}", l.env.display_name(), a.key()))
        };
        let (outer_layers, step_layers) = stack.split_at(outer.min(stack.len()));
        if s == 0 {
            order.extend(
                outer_layers
                    .iter()
                    .filter_map(|l| name(l, ActionKind::OnEnter)),
            );
        }
        order.extend(
            step_layers
                .iter()
                .filter_map(|l| name(l, ActionKind::OnEnter)),
        );
        order.extend(
            step_layers
                .iter()
                .rev()
                .filter_map(|l| name(l, ActionKind::OnExit)),
        );
        last = outer_layers
            .iter()
            .rev()
            .filter_map(|l| name(l, ActionKind::OnExit))
            .collect();
    }
    order.extend(last);
    (out, order)
}

// ---------------------------------------------------------------------------
// The comparison

fn describe_runtime(vias: &[&str], hooks_for_absent: &[String]) -> String {
    if !hooks_for_absent.is_empty() {
        return format!("hook ran: {}", hooks_for_absent.join(", "));
    }
    if vias.is_empty() {
        return "did not run".into();
    }
    let distinct: BTreeSet<&str> = vias.iter().copied().collect();
    let who: Vec<String> = distinct
        .iter()
        .map(|v| {
            if *v == "self" {
                "ran as itself".to_string()
            } else {
                format!("wrapped by {v}")
            }
        })
        .collect();
    format!("{} (x{})", who.join(" AND "), vias.len())
}

fn run_scenario(name: &str, wrapped: &[&str]) {
    let fx = Fixture::load(name);
    let (clean, report) = fx.check();
    assert!(
        clean,
        "{name}: the fixture must pass the project's checker:\n{report}"
    );
    assert!(
        session::layer_conflicts(&fx.externals(), &fx.job).is_empty(),
        "{name}: more than one wrapper in a session"
    );
    let (claims, order) = claims(&fx);

    // The fixture exercises its row of the table: exactly these actions are
    // claimed wrapped (checked after the runtime comparison, which matters
    // more when both fail).
    let claimed: BTreeSet<&str> = claims
        .iter()
        .filter(|(_, c)| c.exists && c.via != "self")
        .map(|(k, _)| k.as_str())
        .collect();
    let meant: BTreeSet<&str> = wrapped.iter().copied().collect();
    let check_row = || {
        assert_eq!(
            claimed, meant,
            "{name}: resolve's wrapped actions differ from the ones the scenario is written for"
        )
    };

    let Some(rt) = runtime() else {
        check_row();
        loud(&format!(
            "SKIPPED runtime truth `{name}`: OPENJD_SKIP_RUNTIME=1, the reference runtime was not run"
        ));
        return;
    };
    let run = run_openjd(rt, &fx, name);
    assert!(
        run.success,
        "{name}: openjd-cli {} failed to run the job\n--- marker log\n{}--- openjd output\n{}",
        rt.version, run.log, run.output
    );
    assert!(
        !run.log.trim().is_empty(),
        "{name}: the runtime ran but wrote no marker lines, nothing was compared\n{}",
        run.output
    );
    let seen = parse_log(&run.log)
        .unwrap_or_else(|e| panic!("{name}: marker log: {e}\n--- marker log\n{}", run.log));

    let mut vias: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (key, via) in &seen.runs {
        vias.entry(key).or_default().push(via);
    }
    let mut table = String::new();
    let mut bad = 0;
    let keys: BTreeSet<&str> = claims
        .keys()
        .map(String::as_str)
        .chain(vias.keys().copied())
        .collect();
    for key in keys {
        let ran = vias.get(key).map(Vec::as_slice).unwrap_or(&[]);
        let (subject, action) = split_key(key).unwrap_or((key, ""));
        let hooks_for_absent: Vec<String> = match claims.get(key) {
            Some(c) if !c.exists => seen
                .hooks
                .iter()
                .filter(|(h, s)| {
                    s == subject
                        && matches!(
                            (h.rsplit_once('.').map(|(_, h)| h), action),
                            (Some("onWrapEnvEnter"), "onEnter") | (Some("onWrapEnvExit"), "onExit")
                        )
                })
                .map(|(h, _)| h.clone())
                .collect(),
            _ => Vec::new(),
        };
        let runtime_says = describe_runtime(ran, &hooks_for_absent);
        let (resolve_says, ok) = match claims.get(key) {
            None => (
                "(not an action of any stack)".to_string(),
                false, // the runtime ran something resolve does not know
            ),
            Some(c) if !c.exists => (
                format!("{} (no such action)", c.answer),
                ran.is_empty() && hooks_for_absent.is_empty() && c.via == "self",
            ),
            Some(c) => (
                format!("{} => {}", c.answer, c.via),
                !ran.is_empty() && ran.iter().all(|v| *v == c.via) && (!c.once || ran.len() == 1),
            ),
        };
        if !ok {
            bad += 1;
        }
        let _ = writeln!(
            table,
            "  {} {key:<18} runtime: {runtime_says:<42} resolve: {resolve_says}",
            if ok { "ok " } else { "XX " },
        );
    }

    let ran_order: Vec<&str> = seen
        .runs
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !k.ends_with(".onRun"))
        .collect();
    let order_ok = ran_order == order.iter().map(String::as_str).collect::<Vec<_>>();

    let rows = table.lines().count();
    eprintln!("runtime truth `{name}`:\n{table}");
    loud(&format!(
        "runtime truth `{name}`: {} of {rows} actions agree with session::resolve \
         (openjd-cli {}, {:.2}s)",
        rows - bad,
        rt.version,
        run.seconds
    ));
    assert!(
        bad == 0,
        "{name}: the runtime and session::resolve disagree on {bad} action(s):\n{table}\
         --- marker log\n{}",
        run.log
    );
    assert!(
        order_ok,
        "{name}: environments were entered/exited in a different order than session::stack gives\n\
         runtime: {ran_order:?}\nstack:   {order:?}"
    );
    check_row();
}

// ---------------------------------------------------------------------------
// The scenarios: one per row of the resolution table

/// Every directory under tests/runtime.
const SCENARIOS: &[&str] = &[
    "no-wrapper",
    "job-env-wrapper",
    "inner-env-missing-action",
    "variables-only-inner-env",
    "external-wrapper",
    "step-env-wrapper",
    "wrapper-in-other-step",
    "two-wrappers",
];

#[test]
fn no_wrapper_everything_runs_as_written() {
    run_scenario("no-wrapper", &[]);
}

#[test]
fn job_env_wrapper_wraps_later_job_env_step_envs_and_tasks_not_outer_or_own() {
    run_scenario(
        "job-env-wrapper",
        &[
            "Later.onEnter",
            "Later.onExit",
            "Tools.onEnter",
            "Tools.onExit",
            "Upload.onEnter",
            "Upload.onExit",
            "Render.onRun",
            "Publish.onRun",
        ],
    );
}

#[test]
fn inner_env_without_exit_gets_no_exit_hook() {
    run_scenario(
        "inner-env-missing-action",
        &["EnterOnly.onEnter", "ExitOnly.onExit", "Render.onRun"],
    );
}

#[test]
fn variables_only_inner_env_gets_no_hooks() {
    run_scenario("variables-only-inner-env", &["Render.onRun"]);
}

#[test]
fn external_wrapper_wraps_job_and_step_envs_and_tasks() {
    run_scenario(
        "external-wrapper",
        &[
            "Conda.onEnter",
            "Conda.onExit",
            "Tools.onEnter",
            "Tools.onExit",
            "Render.onRun",
        ],
    );
}

#[test]
fn step_env_wrapper_wraps_only_later_step_envs_and_its_tasks() {
    run_scenario(
        "step-env-wrapper",
        &["After.onEnter", "After.onExit", "Render.onRun"],
    );
}

#[test]
fn wrapper_in_another_step_does_not_wrap_this_step() {
    run_scenario("wrapper-in-other-step", &["Render.onRun"]);
}

/// Two wrappers in one session (a queue wrapper and a job wrapper): no
/// single template is invalid, the project's checker flags the pair, and
/// the runtime refuses the session before anything is wrapped.
#[test]
fn two_wrappers_are_flagged_and_the_runtime_refuses_them() {
    let name = "two-wrappers";
    let fx = Fixture::load(name);
    let (clean, report) = fx.check();
    assert!(
        !clean && report.contains("wrap-single-layer"),
        "{name}: the checker must flag two wrappers in one session:\n{report}"
    );
    assert!(!session::layer_conflicts(&fx.externals(), &fx.job).is_empty());

    let Some(rt) = runtime() else {
        loud(&format!(
            "SKIPPED runtime truth `{name}`: OPENJD_SKIP_RUNTIME=1, the reference runtime was not run"
        ));
        return;
    };
    let run = run_openjd(rt, &fx, name);
    let seen = parse_log(&run.log)
        .unwrap_or_else(|e| panic!("{name}: marker log: {e}\n--- marker log\n{}", run.log));
    assert!(
        !run.success,
        "{name}: openjd-cli {} ran a session with two wrappers\n{}",
        rt.version, run.log
    );
    assert!(
        seen.hooks.is_empty() && !seen.runs.iter().any(|(k, _)| k.ends_with(".onRun")),
        "{name}: the runtime wrapped or ran a task despite two wrappers:\n{}",
        run.log
    );
    loud(&format!(
        "runtime truth `{name}` (openjd-cli {}, {:.2}s): refused; ran before refusing: {:?}",
        rt.version,
        run.seconds,
        seen.runs
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
    ));
}

#[test]
fn every_fixture_directory_is_a_scenario() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/runtime")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = SCENARIOS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(dirs, listed);
}

#[test]
fn the_log_reader_rejects_a_hook_that_skips_its_action() {
    assert!(parse_log("HOOK W.onWrapEnvEnter env=B\nACTION C.onEnter via=self\n").is_err());
    assert!(parse_log("ACTION B.onEnter via=W.onWrapEnvEnter\n").is_err());
    assert!(parse_log("HOOK W.onWrapTaskRun step=S\n").is_err());
    assert!(
        parse_log("HOOK W.onWrapEnvExit env=B\nACTION B.onEnter via=W.onWrapEnvExit\n").is_err()
    );
    let ok = parse_log("HOOK W.onWrapEnvExit env=B\nACTION B.onExit via=W.onWrapEnvExit\n")
        .expect("well formed");
    assert_eq!(ok.runs, vec![("B.onExit".into(), "W.onWrapEnvExit".into())]);
}
