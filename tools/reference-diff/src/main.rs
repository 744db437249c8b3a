//! Differential harness: openjd-lsp's verdict (does `check` report an
//! error?) against the newest reference implementation's (openjd-model
//! 0.14.0 with openjd-expr 0.13.0: does it reject the template?) on every
//! template of a corpus.
//!
//! ```text
//! reference-diff [--fail] [PATH...]
//! ```
//!
//! Without paths it reads, relative to the repository root: the
//! conformance suite (`../shared/conformance`, or `OPENJD_CONFORMANCE_DIR`),
//! `examples/`, `tests/` and this tool's `probes/`. Files that neither side
//! takes for an OpenJD template are skipped. Every differing verdict is
//! printed; differences listed in this tool's README (the table between the
//! `known-differences` markers, with the reason 0.14.0 is wrong there) are
//! counted apart. The last line is the count. `--fail` exits 1 when a
//! difference is not in the README's table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use new_model::template::parse::{DocumentType, decode_template, document_string_to_object};
use new_model::types::{CallerLimits, ModelExtension};
use openjd_lsp::analysis::{DocKind, Options, Severity, analyze};

/// The reference's verdict on one document.
enum Theirs {
    Accept,
    Reject(String),
    Crash(String),
}

fn newest_reference(text: &str, json: bool) -> Theirs {
    let limits = CallerLimits::default();
    let extensions: Vec<&str> = ModelExtension::ALL.iter().map(|e| e.as_str()).collect();
    let doc_type = if json {
        DocumentType::Json
    } else {
        DocumentType::Yaml
    };
    let run = std::panic::catch_unwind(|| {
        document_string_to_object(text, doc_type, &limits)
            .and_then(|value| decode_template(value, Some(&extensions), &limits).map(|_| ()))
    });
    match run {
        Ok(Ok(())) => Theirs::Accept,
        Ok(Err(e)) => Theirs::Reject(first_line(&e.to_string())),
        Err(payload) => Theirs::Crash(
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default(),
        ),
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().find(|l| !l.trim().is_empty()).unwrap_or(s).trim();
    if line.chars().count() > 200 {
        line.chars().take(200).collect::<String>() + "…"
    } else {
        line.to_string()
    }
}

fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // Canonical, so that paths under it print relative to it and the probe
    // folder is recognised however the tool was invoked.
    root.canonicalize().unwrap_or(root)
}

fn conformance_dir() -> PathBuf {
    let dir = std::env::var_os("OPENJD_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("../shared/conformance"));
    dir.canonicalize().unwrap_or(dir)
}

/// The Python reference's verdict on each file (`python_verdict.py`, run
/// once with every file): `None` accepts, `Some(reason)` rejects.
fn python_verdicts(python: &Path, files: &[PathBuf]) -> BTreeMap<PathBuf, Option<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python_verdict.py");
    let output = match std::process::Command::new(python)
        .arg(&script)
        .args(files)
        .output()
    {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!(
                "reference-diff: {} {} failed: {}",
                python.display(),
                script.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("reference-diff: cannot run {}: {e}", python.display());
            std::process::exit(2);
        }
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let mut cols = line.splitn(3, '\t');
            let verdict = cols.next()?;
            let path = PathBuf::from(cols.next()?);
            let reason = (verdict == "reject").then(|| cols.next().unwrap_or("").to_string());
            Some((path, reason))
        })
        .collect()
}

/// The Python openjd-model's version, as the interpreter reports it.
fn python_model_version(python: &Path) -> String {
    std::process::Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('openjd-model'))",
        ])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "?".into())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !matches!(name, "target" | "node_modules" | ".git") {
                walk(&path, out);
            }
        } else if [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e)) {
            out.push(path);
        }
    }
}

/// The README's table of known differences: path suffix → reason.
fn known_differences() -> BTreeMap<String, String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap_or_default();
    let mut known = BTreeMap::new();
    let mut inside = false;
    for line in readme.lines() {
        if line.contains("<!-- known-differences:start -->") {
            inside = true;
        } else if line.contains("<!-- known-differences:end -->") {
            inside = false;
        } else if inside && line.starts_with("| `") {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if let (Some(path), Some(reason)) = (cells.get(1), cells.get(2)) {
                known.insert(path.trim_matches('`').to_string(), reason.to_string());
            }
        }
    }
    known
}

/// The conformance manifest's expectation for a file, if it is listed.
fn manifest() -> BTreeMap<PathBuf, String> {
    let dir = conformance_dir();
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Some((dir.join(cols.first()?), format!("{} ({})", cols.get(1)?, cols.get(2)?)))
        })
        .collect()
}

fn main() {
    let mut fail = false;
    let mut python: Option<PathBuf> = None;
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--fail" => fail = true,
            "--python" => python = args.next().map(PathBuf::from),
            "-h" | "--help" => {
                println!("reference-diff [--fail] [--python PYTHON] [PATH...]");
                return;
            }
            _ => roots.push(PathBuf::from(arg)),
        }
    }
    if roots.is_empty() {
        let root = repo_root();
        roots = vec![
            conformance_dir(),
            root.join("examples"),
            root.join("tests"),
            root.join("tools/reference-diff/probes"),
        ];
    }
    let mut files = Vec::new();
    for r in &roots {
        let r = r.canonicalize().unwrap_or_else(|_| r.clone());
        if r.is_dir() {
            walk(&r, &mut files);
        } else {
            files.push(r);
        }
    }
    let known = known_differences();
    let expected = manifest();
    // The reference prints nothing of its own panics: we report them.
    std::panic::set_hook(Box::new(|_| {}));

    let (mut compared, mut differ, mut documented) = (0, 0, 0);
    let mut crashes = 0;
    let (mut probes_judged, mut bad_probes) = (0, 0);
    let mut disputed = 0;
    let probes = repo_root().join("tools/reference-diff/probes");
    let mut seen_known = Vec::new();
    // Per compared file: the newest Rust reference's verdict and ours
    // (error, warning that the references disagree), for the Python
    // comparison below.
    let mut judged: Vec<(PathBuf, Option<String>, bool, bool)> = Vec::new();
    let show = |path: &Path| {
        path.strip_prefix(repo_root())
            .or_else(|_| path.strip_prefix(conformance_dir()))
            .unwrap_or(path)
            .display()
            .to_string()
    };
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let ours = analyze(&text, &Options::default().for_path(path));
        if ours.kind == DocKind::NotTemplate {
            continue;
        }
        compared += 1;
        let our_error = ours
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| format!("[{}] {}", d.code, first_line(&d.message)));
        // A warning that the references disagree: either verdict matches it.
        let our_dispute = ours
            .diagnostics
            .iter()
            .find(|d| d.code.as_str() == "reference-disagreement");
        // Against the Python reference, a warning that the Rust one cannot
        // read the document (`reference-limit`) names the split as well.
        let our_warning = our_dispute.is_some()
            || ours
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == "reference-limit");
        let theirs = newest_reference(&text, ours.json);
        let their_error = match &theirs {
            Theirs::Accept => None,
            Theirs::Reject(m) => Some(m.clone()),
            Theirs::Crash(m) => {
                crashes += 1;
                Some(format!("panicked: {}", first_line(m)))
            }
        };
        judged.push((
            path.clone(),
            their_error.clone(),
            our_error.is_some(),
            our_warning,
        ));
        // A probe's name says the verdict it was written for; one that the
        // newest reference judges otherwise probes nothing.
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let meant = if name.contains(".invalid.") {
            Some(true)
        } else if name.contains(".valid.") {
            Some(false)
        } else {
            None
        };
        if path.starts_with(&probes)
            && let Some(meant) = meant
        {
            probes_judged += 1;
            if meant != their_error.is_some() {
                bad_probes += 1;
                println!(
                    "PROBE  {}: openjd-model 0.14.0 {}",
                    show(path),
                    their_error.as_deref().unwrap_or("accepts")
                );
            }
        }
        if our_error.is_some() == their_error.is_some() {
            continue;
        }
        // Where the Rust and Python references disagree we warn instead of
        // taking a side: that matches either verdict.
        if let Some(d) = our_dispute {
            disputed += 1;
            println!(
                "disputed {}\n    openjd-model 0.14.0 {}\n    openjd-lsp warns: {}",
                show(path),
                their_error.as_deref().unwrap_or("accepts"),
                first_line(&d.message)
            );
            continue;
        }
        let shown = show(path);
        let reason = known.iter().find(|(k, _)| shown.ends_with(k.as_str()));
        if let Some((k, _)) = reason {
            documented += 1;
            seen_known.push(k.clone());
        } else {
            differ += 1;
        }
        println!(
            "{}{shown}{}",
            if reason.is_some() { "known  " } else { "DIFFER " },
            expected
                .get(path)
                .map(|e| format!("  [manifest: {e}]"))
                .unwrap_or_default()
        );
        match (&our_error, &their_error) {
            (Some(ours), None) => {
                println!("    openjd-lsp rejects: {ours}\n    openjd-model 0.14.0 accepts")
            }
            (None, Some(theirs)) => {
                println!("    openjd-lsp accepts\n    openjd-model 0.14.0 rejects: {theirs}")
            }
            _ => {}
        }
        if let Some((_, why)) = reason {
            println!("    documented: {why}");
        }
    }
    for k in known.keys() {
        if !seen_known.contains(k) {
            println!("note: the README lists `{k}`, which no longer differs");
        }
    }
    println!(
        "reference-diff: {compared} templates compared with openjd-model 0.14.0 \
         ({probes_judged} of them probes, {bad_probes} judged against their name); \
         {differ} differences outside the documented list, {documented} documented, \
         {disputed} where the Rust and Python references disagree (a warning); \
         the reference panicked on {crashes}"
    );
    // The Python reference on the same files: where it and the Rust one
    // disagree, openjd-lsp should warn (`reference-disagreement`), not
    // take a side with an error or stay silent.
    let mut unwarned = 0;
    if let Some(python) = &python {
        let paths: Vec<PathBuf> = judged.iter().map(|j| j.0.clone()).collect();
        let verdicts = python_verdicts(python, &paths);
        let version = python_model_version(python);
        let mut split = 0;
        for (path, rust, our_error, our_dispute) in &judged {
            let Some(py) = verdicts.get(path) else {
                continue;
            };
            if py.is_some() == rust.is_some() {
                continue;
            }
            split += 1;
            let ours = match (our_dispute, our_error) {
                (true, _) => "warns (reference-disagreement or reference-limit)",
                (false, true) => "errs",
                (false, false) => "accepts silently",
            };
            // An error that agrees with the specification is kept on
            // purpose; the README's table says where.
            let documented_split = known_split(&show(path));
            if !our_dispute && documented_split.is_none() {
                unwarned += 1;
            }
            println!(
                "{} {}\n    Rust openjd-model 0.14.0 {}\n    Python openjd-model {version} {}\n    openjd-lsp {ours}{}",
                if *our_dispute || documented_split.is_some() { "split " } else { "SPLIT " },
                show(path),
                rust.as_deref().unwrap_or("accepts"),
                py.as_deref().map(|r| format!("rejects: {r}")).unwrap_or_else(|| "accepts".into()),
                documented_split.map(|w| format!("\n    documented: {w}")).unwrap_or_default(),
            );
        }
        println!(
            "reference-diff: the Rust and Python references (openjd-model 0.14.0 and Python \
             openjd-model {version}) disagree on {split} of the {} templates; \
             {unwarned} of them without a warning or a documented reason",
            verdicts.len()
        );
    }
    if fail && (differ > 0 || bad_probes > 0 || unwarned > 0) {
        std::process::exit(1);
    }
}

/// The README's table of documented splits between the Rust and Python
/// references where openjd-lsp keeps an error (the specification's side).
fn known_split(shown: &str) -> Option<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .unwrap_or_default();
    let mut inside = false;
    for line in readme.lines() {
        if line.contains("<!-- known-splits:start -->") {
            inside = true;
        } else if line.contains("<!-- known-splits:end -->") {
            inside = false;
        } else if inside && line.starts_with("| `") {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if let (Some(path), Some(reason)) = (cells.get(1), cells.get(2))
                && shown.ends_with(path.trim_matches('`'))
            {
                return Some(reason.to_string());
            }
        }
    }
    None
}
