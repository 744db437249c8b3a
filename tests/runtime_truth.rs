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

use openjd_lsp::analysis::preview::Given;
use openjd_lsp::analysis::session::{self, External, Layer, Resolution, Target};
use openjd_lsp::analysis::{Options, analyze};
use openjd_lsp::model::{ActionKind, Template};

mod support;
use support::scratch::Scratch;
use support::shell::shell_words;

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
    /// `-p` values given to both the preview and the runtime (`params.txt`).
    params: Vec<String>,
    /// The bundle's `parameter_values.yaml`, which the preview reads by
    /// itself and the runtime is given as `-p` (it does not read bundles).
    values: Vec<String>,
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
            let template = analyze(&text, &Options::own())
                .template
                .unwrap_or_else(|| panic!("{}: no template", p.display()));
            std::sync::Arc::unwrap_or_clone(template)
        };
        let job = model(&job_path);
        let envs = env_paths.iter().map(|p| model(p)).collect();
        let params = std::fs::read_to_string(dir.join("params.txt"))
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let values = match openjd_lsp::workspace::preview::bundle_values(&job_path) {
            None => Vec::new(),
            Some(f) => openjd_lsp::workspace::preview::read_values(&f)
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|(n, v)| match v {
                    Given::Text(t) => format!("{n}={t}"),
                    Given::Json(j) => serde_json::json!({ n: j }).to_string(),
                })
                .collect(),
        };
        Fixture {
            dir,
            job_path,
            env_paths,
            job,
            envs,
            params,
            values,
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
    for p in fx.values.iter().chain(&fx.params) {
        cmd.arg("-p").arg(p);
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
    /// Every line in order: (`HOOK`/`ACTION`, `Env.onEnter` / `Wrapper.hook`,
    /// `via`, the argv the process was started with).
    events: Vec<Event>,
}

#[derive(Clone, Debug, PartialEq)]
struct Event {
    hook: bool,
    key: String,
    via: String,
    argv: Vec<String>,
}

/// The `argv=<hex of /proc/self/cmdline>` word of a marker line.
fn argv_of(line: &str) -> Result<Vec<String>, String> {
    let hex = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("argv="))
        .ok_or_else(|| format!("no argv in `{line}`"))?;
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("bad argv hex in `{line}`: {e}"))?;
    Ok(bytes
        .split(|b| *b == 0)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect::<Vec<_>>()
        .split_last()
        .map(|(_, init)| init.to_vec())
        .unwrap_or_default())
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
                seen.events.push(Event {
                    hook: true,
                    key: hook.to_string(),
                    via: String::new(),
                    argv: argv_of(line)?,
                });
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
                seen.events.push(Event {
                    hook: false,
                    key: key.to_string(),
                    via: via.to_string(),
                    argv: argv_of(line)?,
                });
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
        Resolution::Refused(r) => ("refused".to_string(), format!("{r:?}")),
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
// The session preview (`openjd-lsp preview`) against the executed argv

struct PreviewOut {
    json: serde_json::Value,
    human: String,
}

fn run_preview(fx: &Fixture) -> PreviewOut {
    let run = |format: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"));
        cmd.arg("preview").arg("--format").arg(format);
        for e in &fx.env_paths {
            cmd.arg("--environment").arg(e);
        }
        for p in &fx.params {
            cmd.arg("-p").arg(p);
        }
        let out = cmd.arg(&fx.job_path).output().expect("run the preview");
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "preview failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let json_text = run("json");
    let json: serde_json::Value = serde_json::from_str(&json_text)
        .unwrap_or_else(|e| panic!("preview JSON: {e}\n{json_text}"));
    PreviewOut {
        json,
        human: run("human"),
    }
}

/// Is `word` exactly one `{{ … }}` (a value known only at run time, which
/// may be a list and so any number of arguments)?
fn is_placeholder(word: &str) -> bool {
    word.starts_with("{{") && word.ends_with("}}") && word.matches("{{").count() == 1
}

/// `pattern` with its `{{ … }}` parts matching any text.
fn word_matches(pattern: &str, word: &str) -> bool {
    let mut re = String::from("(?s)^");
    let mut rest = pattern;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        re.push_str(&regex::escape(&rest[..open]));
        re.push_str(".*");
        rest = &rest[open + close + 2..];
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    regex::Regex::new(&re).is_ok_and(|r| r.is_match(word))
}

fn argv_matches(pattern: &[String], got: &[String]) -> bool {
    match pattern.split_first() {
        None => got.is_empty(),
        Some((p, rest)) if is_placeholder(p) => {
            (0..=got.len()).any(|n| argv_matches(rest, &got[n..]))
        }
        Some((p, rest)) => got
            .split_first()
            .is_some_and(|(g, tail)| word_matches(p, g) && argv_matches(rest, tail)),
    }
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The marker lines the preview's actions must produce, in order: an
/// action running as written writes its own line; a wrapped one, the hook's
/// line (with the hook's argv) and then its own (with its own argv, as the
/// hook started it).
fn expected_events(session: &serde_json::Value) -> Vec<Event> {
    let mut out = Vec::new();
    for a in session["actions"].as_array().into_iter().flatten() {
        let key = format!(
            "{}.{}",
            a["entity"].as_str().unwrap_or("?"),
            a["action"].as_str().unwrap_or("?")
        );
        match a["runs"].as_object() {
            None => out.push(Event {
                hook: false,
                key,
                via: "self".into(),
                argv: strings(&a["argv"]),
            }),
            Some(runs) => {
                let hook = format!(
                    "{}.{}",
                    runs["environment"].as_str().unwrap_or("?"),
                    runs["hook"].as_str().unwrap_or("?")
                );
                out.push(Event {
                    hook: true,
                    key: hook.clone(),
                    via: String::new(),
                    argv: strings(&a["argv"]),
                });
                out.push(Event {
                    hook: false,
                    key,
                    via: hook,
                    argv: strings(&a["wrapped"]),
                });
            }
        }
    }
    out
}

/// The preview's argv of every executed action equals the executed argv
/// (`{{Name}}` parts match anything), in the order the runtime ran them,
/// with `runs` naming the hook that really ran; a refused session is
/// reported as refused; every human line is the JSON argv for a shell.
fn compare_preview(name: &str, fx: &Fixture, run: &Run, seen: &Observed) -> usize {
    let p = run_preview(fx);
    let session = &p.json["sessions"][0];
    assert!(
        session["error"].is_null(),
        "{name}: no preview: {}",
        session["error"]
    );
    assert_eq!(
        !session["refused"].is_null(),
        !run.success,
        "{name}: the preview's `refused` must say whether the runtime refused the session\n{}",
        session["refused"]
    );
    let expected = expected_events(session);
    let mut table = String::new();
    let mut bad = 0;
    for i in 0..expected.len().max(seen.events.len()) {
        let (e, g) = (expected.get(i), seen.events.get(i));
        let ok = match (e, g) {
            (Some(e), Some(g)) => {
                e.hook == g.hook
                    && e.key == g.key
                    && e.via == g.via
                    && argv_matches(&e.argv, &g.argv)
            }
            _ => false,
        };
        if !ok {
            bad += 1;
        }
        let show = |x: Option<&Event>| {
            x.map_or("(nothing)".to_string(), |x| {
                format!(
                    "{} {} {} {:?}",
                    if x.hook { "HOOK" } else { "ACTION" },
                    x.key,
                    x.via,
                    x.argv
                )
            })
        };
        let _ = writeln!(
            table,
            "  {} preview: {}\n      runtime: {}",
            if ok { "ok " } else { "XX " },
            show(e),
            show(g)
        );
    }
    assert!(
        bad == 0,
        "{name}: the preview and the runtime differ on {bad} of {} marker lines:\n{table}",
        expected.len()
    );
    // Every human line is one POSIX shell line for the JSON argv.
    let lines: Vec<&str> = p
        .human
        .lines()
        .filter_map(|l| l.strip_prefix("   $ "))
        .collect();
    let actions = session["actions"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        lines.len(),
        actions.len(),
        "{name}: one line per action\n{}",
        p.human
    );
    for (line, a) in lines.iter().zip(&actions) {
        assert_eq!(
            shell_words(line),
            strings(&a["argv"]),
            "{name}: `sh -c` of the human line gives another argv:\n{line}"
        );
    }
    if !session["refused"].is_null() {
        assert!(
            p.human.contains("REFUSED: "),
            "{name}: the human preview must say the session is refused\n{}",
            p.human
        );
    }
    expected.len()
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
    let lines = compare_preview(name, &fx, &run, &seen);
    loud(&format!(
        "runtime truth `{name}`: the preview's argv and hooks agree with all {lines} marker lines"
    ));
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
    "two-queue-wrappers",
    "parameters",
    "repr-sh-forwarding",
    "timeout-cancelation",
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

/// A session the runtime refuses: no single template is invalid, the
/// project's checker flags the pair, the runtime runs what comes before the
/// second wrapper (the first wrapper wrapping what it should), refuses, and
/// exits what it entered; the preview says exactly that. `ran` is what the
/// scenario is written to run before and after the refusal.
fn run_refused(name: &str, ran: &[&str]) {
    let fx = Fixture::load(name);
    let (clean, report) = fx.check();
    assert!(
        !clean && report.contains("wrap-single-layer"),
        "{name}: the checker must flag two wrappers in one session:\n{report}"
    );
    assert!(!session::layer_conflicts(&fx.externals(), &fx.job).is_empty());
    // Hover says no task runs.
    let externals = fx.externals();
    for s in 0..fx.job.steps.len() {
        let stack = session::stack(&externals, &fx.job, s);
        assert!(
            matches!(
                session::resolve(&stack, Target::Task),
                Resolution::Refused(_)
            ),
            "{name}: resolve must say the tasks never run"
        );
    }

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
    let keys: Vec<&str> = seen.runs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ran, "{name}: what the runtime ran around the refusal");
    let lines = compare_preview(name, &fx, &run, &seen);
    loud(&format!(
        "runtime truth `{name}` (openjd-cli {}, {:.2}s): refused, as the preview says; ran before refusing and after: {keys:?}; the preview agrees with all {lines} marker lines",
        rt.version, run.seconds,
    ));
}

/// A queue wrapper and a job wrapper.
#[test]
fn a_queue_wrapper_and_a_job_wrapper_the_runtime_refuses() {
    run_refused(
        "two-wrappers",
        &[
            "QueueWrap.onEnter",
            "Before.onEnter",
            "Before.onExit",
            "QueueWrap.onExit",
        ],
    );
}

/// Two wrapping queue environments.
#[test]
fn two_queue_wrappers_the_runtime_refuses() {
    run_refused(
        "two-queue-wrappers",
        &[
            "Queue.onEnter",
            "Wrap1.onEnter",
            "Wrap1.onExit",
            "Queue.onExit",
        ],
    );
}

/// Job parameters from the bundle's values file and `-p`, defaults, task
/// parameters in parameter-space order, `let` bindings, dependency order.
#[test]
fn parameters_from_values_file_and_command_line() {
    run_scenario("parameters", &[]);
}

/// The RFC's recommended shell forwarding with `repr_sh`.
#[test]
fn repr_sh_forwarding_reaches_the_wrapped_action_unchanged() {
    run_scenario(
        "repr-sh-forwarding",
        &["Conda.onEnter", "Conda.onExit", "Render.onRun"],
    );
}

/// A wrapped action's timeout and cancelation, forwarded by the hook.
#[test]
fn timeout_and_cancelation_reach_the_hook() {
    run_scenario(
        "timeout-cancelation",
        &[
            "Conda.onEnter",
            "Conda.onExit",
            "Render.onRun",
            "Stop.onRun",
            "Quick.onRun",
            "Default.onRun",
        ],
    );
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
    let ok = parse_log(
        "HOOK W.onWrapEnvExit env=B argv=770042202700\nACTION B.onExit via=W.onWrapEnvExit argv=6200\n",
    )
    .expect("well formed");
    assert_eq!(ok.runs, vec![("B.onExit".into(), "W.onWrapEnvExit".into())]);
    assert_eq!(ok.events[0].argv, ["w", "B '"]);
    assert_eq!(ok.events[1].argv, ["b"]);
    assert!(parse_log("ACTION B.onExit via=self\n").is_err(), "no argv");
}

#[test]
fn placeholders_of_runtime_values_match_anything() {
    let v = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(argv_matches(
        &v(&["a", "{{Env.File.X}}/b"]),
        &v(&["a", "/tmp/s/x/b"])
    ));
    assert!(!argv_matches(
        &v(&["a", "{{Env.File.X}}/b"]),
        &v(&["a", "/tmp/s/x/c"])
    ));
    // A whole-argument placeholder may stand for a list: any number of words.
    assert!(argv_matches(
        &v(&["a", "{{ E }}", "--"]),
        &v(&["a", "-e", "X=1", "--"])
    ));
    assert!(argv_matches(&v(&["a", "{{ E }}", "--"]), &v(&["a", "--"])));
    assert!(!argv_matches(&v(&["a", "b"]), &v(&["a", "b", "c"])));
    assert!(
        !argv_matches(&v(&["a.b"]), &v(&["axb"])),
        "literal text is literal"
    );
}
