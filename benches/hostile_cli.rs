//! Hostile input on the command line, through the real binary: wall time,
//! peak resident memory (the child's, from wait4) and output size of
//!
//! 1. `check` of a tree of N tiny templates, N = 1,000, 10,000 and
//!    100,000 (one in a hundred with an error): memory and time per file
//!    should stay flat as N grows;
//! 2. `preview` of expression bombs (twelve steps with `range(9999999)`
//!    and `repr_py(range(5000000))`; a task parameter
//!    `range(1, 9223372036854775807)`);
//! 3. `preview --tasks 10000` of a step of a billion tasks;
//! 4. `check` of a 100 KB template with 10,000 errors on one line.
//!
//! Run: cargo bench --bench hostile_cli [-- many|bomb|tasks|wide]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::load_average;

/// What one run of the binary cost.
struct Cost {
    ms: f64,
    peak_mb: f64,
    output_bytes: u64,
    code: i32,
}

/// Run the binary with `args`, counting its output: wall time and the
/// child's peak resident memory.
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives the memory
fn measure(args: &[&std::ffi::OsStr]) -> Cost {
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_openjd-lsp"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openjd-lsp");
    let mut stdout = child.stdout.take().expect("stdout");
    let output_bytes = std::io::copy(&mut stdout, &mut std::io::sink()).unwrap_or(0);
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter for wait4.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into locals.
    unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    Cost {
        ms: t.elapsed().as_secs_f64() * 1000.0,
        peak_mb: usage.ru_maxrss as f64 / 1024.0,
        output_bytes,
        code: libc::WEXITSTATUS(status),
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

fn tiny(i: usize) -> String {
    let name_key = if i % 100 == 99 { "nmae" } else { "name" };
    format!(
        "specificationVersion: jobtemplate-2023-09\nname: J{i}\nsteps:\n  - {name_key}: S\n    script: {{actions: {{onRun: {{command: echo}}}}}}\n"
    )
}

fn many_files(dir: &Path) {
    println!("== check of N tiny templates (one in a hundred with an error)");
    for n in [1_000, 10_000, 100_000] {
        let tree = dir.join(format!("many-{n}"));
        std::fs::create_dir_all(&tree).expect("mkdir");
        for i in 0..n {
            // A hundred files a folder, as a real tree has.
            let sub = tree.join(format!("d{}", i / 100));
            if i % 100 == 0 {
                std::fs::create_dir_all(&sub).expect("mkdir");
            }
            std::fs::write(sub.join(format!("t{i}.yaml")), tiny(i)).expect("write");
        }
        for format in ["human", "json"] {
            let cost = measure(&[os("check"), os("--format"), os(format), tree.as_os_str()]);
            assert_eq!(cost.code, 1, "check exit code");
            println!(
                "N = {n:>7} ({format:>5}): {:>8.0} ms ({:.1} µs a file), peak {:>6.1} MB, output {:.1} MB",
                cost.ms,
                cost.ms * 1000.0 / n as f64,
                cost.peak_mb,
                cost.output_bytes as f64 / 1e6
            );
        }
        let _ = std::fs::remove_dir_all(&tree);
    }
}

fn bombs(dir: &Path) {
    println!("== preview of expression bombs");
    let mut twelve = String::from(
        "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: Bomb\nsteps:\n",
    );
    for i in 0..12 {
        twelve.push_str(&format!(
            "  - name: S{i}\n    script:\n      actions:\n        onRun:\n          command: echo\n          args: [\"{{{{ range(9999999) }}}}\", \"{{{{ repr_py(range(5000000)) }}}}\"]\n"
        ));
    }
    let range = "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: Bomb\nsteps:\n  - name: S\n    parameterSpace:\n      taskParameterDefinitions:\n        - {name: F, type: INT, range: \"{{ range(1, 9223372036854775807) }}\"}\n    script: {actions: {onRun: {command: echo, args: [\"{{Task.Param.F}}\"]}}}\n";
    // Evaluated per task: the session's budget, not the instantiation's,
    // stops it.
    let per_task = "specificationVersion: jobtemplate-2023-09\nextensions: [EXPR]\nname: Bomb\nsteps:\n  - name: S\n    parameterSpace:\n      taskParameterDefinitions:\n        - {name: F, type: INT, range: \"1-10000\"}\n    script: {actions: {onRun: {command: echo, args: [\"{{ len(range(Task.Param.F * 1000)) }}\", \"{{ repr_py(range(Task.Param.F * 5000000)) }}\"]}}}\n";
    for (name, text, tasks) in [
        (
            "twelve steps of range(9999999) and repr_py(range(5000000))",
            twelve.as_str(),
            "100",
        ),
        (
            "a task range of range(1, 9223372036854775807)",
            range,
            "100",
        ),
        (
            "10,000 tasks, each with len(range(F * 1000)) and a bomb",
            per_task,
            "10000",
        ),
    ] {
        let file = dir.join("bomb.yaml");
        std::fs::write(&file, text).expect("write");
        let mut runs: Vec<Cost> = (0..3)
            .map(|_| measure(&[os("preview"), os("--tasks"), os(tasks), file.as_os_str()]))
            .collect();
        runs.sort_by(|a, b| a.ms.total_cmp(&b.ms));
        let peak = runs.iter().map(|c| c.peak_mb).fold(0.0, f64::max);
        println!(
            "{name}: median of 3 {:.0} ms, peak {peak:.1} MB, exit {}",
            runs[1].ms, runs[1].code
        );
    }
}

fn tasks(dir: &Path) {
    println!("== preview --tasks 10000 of a step of a billion tasks");
    let file = dir.join("tasks.yaml");
    std::fs::write(
        &file,
        "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: S\n    parameterSpace:\n      taskParameterDefinitions:\n        - {name: F, type: INT, range: \"1-1000000000\"}\n    script: {actions: {onRun: {command: echo, args: [\"{{Task.Param.F}}\"]}}}\n",
    )
    .expect("write");
    for format in ["human", "json"] {
        let cost = measure(&[
            os("preview"),
            os("--tasks"),
            os("10000"),
            os("--format"),
            os(format),
            file.as_os_str(),
        ]);
        println!(
            "{format}: {:.0} ms, peak {:.1} MB, output {:.1} MB, exit {}",
            cost.ms,
            cost.peak_mb,
            cost.output_bytes as f64 / 1e6,
            cost.code
        );
    }
}

fn wide(dir: &Path) {
    println!("== check of a template with 10,000 errors on one line");
    let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}: 1")).collect();
    let text = format!(
        "specificationVersion: jobtemplate-2023-09\nname: J\nsteps: [{{name: S, script: {{actions: {{onRun: {{command: echo}}}}}}, {}}}]\n",
        keys.join(", ")
    );
    let file = dir.join("wide.yaml");
    std::fs::write(&file, &text).expect("write");
    let cost = measure(&[os("check"), file.as_os_str()]);
    println!(
        "{} KB template: {:.0} ms, peak {:.1} MB, output {:.1} MB, exit {}",
        text.len() / 1000,
        cost.ms,
        cost.peak_mb,
        cost.output_bytes as f64 / 1e6,
        cost.code
    );
}

fn main() {
    println!("load average at start: {}", load_average());
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "openjd-lsp-bench-hostile-cli-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |part: &str| only.is_empty() || only.iter().any(|o| part.contains(o.as_str()));
    if wanted("many") {
        many_files(&dir);
    }
    if wanted("bomb") {
        bombs(&dir);
    }
    if wanted("tasks") {
        tasks(&dir);
    }
    if wanted("wide") {
        wide(&dir);
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("load average at end: {}", load_average());
}
