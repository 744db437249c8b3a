//! The reference validator (openjd-model) as a backstop after our own
//! passes. Its path-tagged errors are placed on the node at that path (or
//! the nearest existing ancestor) and dropped where we already reported a
//! problem in that subtree; its path-less errors are shown only when we
//! found nothing ourselves.

use openjd_model::{CallerLimits, DocumentType, ModelError, ModelExtension, PathElement};

use crate::syntax::{Node, Span};

use super::codes::Code;
use super::diagnostic::{Diagnostic, Severity};
use super::path::{Path, Seg};

/// The reference implementation this backstop runs, as messages name it.
pub(crate) const REFERENCE: &str = "openjd-model 0.8.0";

/// What the reference validator says of a document.
#[derive(Debug)]
pub enum Verdict {
    Accepted,
    Rejected(ModelError),
    /// It panicked; the payload's message, first line.
    Crashed(String),
}

/// Run the reference validator with every extension allowed. `tree` is our
/// own reading of the text when it may stand in for the reference's (see
/// `tree_value`); otherwise the reference parses the text itself. A panic
/// inside the reference is caught here, so that the server and `check` both
/// keep their own diagnostics (see `guarded`).
pub fn run(text: &str, json: bool, tree: Option<&Node>) -> Verdict {
    match guarded(|| judge(text, json, tree)) {
        Ok(None) => Verdict::Accepted,
        Ok(Some(err)) => Verdict::Rejected(err),
        Err(message) => Verdict::Crashed(message),
    }
}

fn judge(text: &str, json: bool, tree: Option<&Node>) -> Option<ModelError> {
    let limits = CallerLimits::default();
    let doc_type = if json {
        DocumentType::Json
    } else {
        DocumentType::Yaml
    };
    let extensions: Vec<&str> = ModelExtension::ALL.iter().map(|e| e.as_str()).collect();
    let value = match tree.and_then(super::tree_value::convert) {
        Some(value) => Ok(value),
        None => openjd_model::template::parse::document_string_to_object(text, doc_type, &limits),
    };
    value
        .and_then(|value| {
            openjd_model::decode_template(value, Some(&extensions), &limits).map(|_| ())
        })
        .err()
}

thread_local! {
    /// Set while this thread runs the reference under `guarded`: its panics
    /// are reported as a diagnostic, not printed by the panic hook.
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Where the last quiet panic of this thread happened.
    static PANIC_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Run `f`, turning a panic into a short description. The process-wide
/// panic hook is wrapped once so that it stays silent for panics on a thread
/// inside `guarded` and behaves as before everywhere else: the flag is per
/// thread, so concurrent analyses and other threads' panics do not race on it.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(|q| q.get()) {
                let at = info.location().map(|l| {
                    // The crate's own path, without the registry's prefix.
                    let file = l.file();
                    let short = file.rfind("/src/").map_or(file, |i| &file[i + 1..]);
                    format!("{short}:{}", l.line())
                });
                PANIC_AT.with(|p| *p.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
    let outer = QUIET.with(|q| q.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(outer));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let mut first = summary(&message);
        if first.chars().count() > 60 {
            first = first.chars().take(60).collect::<String>() + "…";
        }
        match PANIC_AT.with(|p| p.borrow_mut().take()) {
            Some(at) if first.is_empty() => format!("a panic at {at}"),
            Some(at) => format!("a panic at {at}: {first}"),
            None => format!("a panic: {first}"),
        }
    })
}

/// The warning for a document the reference implementation crashed on.
pub fn crash(message: &str, text: &str, root: &Node) -> Diagnostic {
    Diagnostic::new(
        Code::ReferenceCrash,
        first_line(text, root),
        format!(
            "The reference implementation ({REFERENCE}) failed on this document ({message}). \
             Our own checks ran in full; OpenJD tools built on that version may crash on this \
             template, so check it with a newer one."
        ),
    )
}

/// Place the reference's errors on our tree, leaving out what we reported
/// and what `settled` says the newest reference accepts (expressions that
/// openjd-expr 0.8 types otherwise; see `staged.rs`).
pub fn place(
    err: ModelError,
    text: &str,
    root: &Node,
    ours: &[Diagnostic],
    settled: &[Span],
) -> Vec<Diagnostic> {
    let own_errors: Vec<&Span> = ours
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| &d.span)
        .chain(settled)
        .collect();
    let whole = first_line(text, root);
    match err {
        ModelError::ModelValidation(errors) => {
            let mut out: Vec<Diagnostic> = Vec::new();
            for e in errors.errors {
                if is_known_reference_defect(&e.message) {
                    continue;
                }
                let path = Path(
                    e.path
                        .iter()
                        .map(|p| match p {
                            PathElement::Field(f) => Seg::Key(f.clone().into()),
                            PathElement::Index(i) => Seg::Index(*i),
                        })
                        .collect(),
                );
                let (node, _) = path.resolve(root);
                let key = path.key_span(root);
                let subtree = match &key {
                    Some(k) => k.start.min(node.span.start)..node.span.end.max(k.end),
                    None => node.span.clone(),
                };
                let covered = own_errors
                    .iter()
                    .any(|s| s.start <= subtree.end && subtree.start <= s.end);
                if covered {
                    continue;
                }
                let span = if path.is_empty() {
                    whole.clone()
                } else {
                    key.unwrap_or(subtree)
                };
                let message = summary(&e.message);
                let d = Diagnostic::new(Code::Reference, span, message);
                if !out.contains(&d) {
                    out.push(d);
                }
            }
            out
        }
        // The reference's YAML reader has resource budgets (250,000 nodes,
        // depth 64) that the specification does not: past them it judges
        // nothing. Say so, without calling the template invalid.
        ModelError::DecodeValidation(m) if m.contains("budget breached") => {
            vec![Diagnostic::new(
                Code::ReferenceLimit,
                whole,
                format!(
                    "The reference implementation cannot read a document this large or deep \
                     ({}); OpenJD tools built on it will refuse this template. Split it into \
                     smaller templates.",
                    budget_detail(&m)
                ),
            )]
        }
        other if own_errors.is_empty() => {
            let message = match other {
                ModelError::DecodeValidation(m) => m,
                e => e.to_string(),
            };
            if is_known_reference_defect(&message)
                || (message.contains("invalid type: boolean") && has_mixed_case_boolean(root))
            {
                return Vec::new();
            }
            vec![Diagnostic::new(Code::Reference, whole, summary(&message))]
        }
        _ => Vec::new(),
    }
}

/// `Nodes { nodes: 250001 }` out of the reader's message.
fn budget_detail(message: &str) -> String {
    let detail = message
        .split("budget breached:")
        .nth(1)
        .map(str::trim)
        .unwrap_or("a parser budget");
    summary(detail)
}

/// Reference messages repeat their path and source excerpt; keep the first line.
fn summary(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

pub(crate) fn first_line(text: &str, root: &Node) -> Span {
    let start = root.span.start.min(text.len());
    let end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i);
    start..end
}

/// Verdicts of the reference that contradict the specification, which we
/// must not repeat. The Rust reference compares CHECK_BOX allowed values
/// case-sensitively, while the spec pairs them case-insensitively; our own
/// parameter pass checks the pair correctly.
///
/// Verdicts that newer releases of the reference changed: range values up
/// to the int64 edge are valid since openjd-expr 0.13; capability names
/// may be format strings since openjd-model 0.10, checked once resolved;
/// 0.8 checks their text as a literal name.
fn is_known_reference_defect(message: &str) -> bool {
    let capability_name = [
        "does not match capability name pattern",
        "exceeds 100 characters",
        "duplicate amount name",
        "duplicate attribute name",
    ];
    message.contains("CHECK_BOX allowedValues must be a valid boolean pair")
        // A step name with `{{`: the Rust reference refuses it, the Python
        // one and the specification accept it; our structural pass warns
        // (`reference-disagreement`).
        || message.contains("must not contain format string expressions")
        // openjd-expr 0.8 bounds range values below 2^62; 0.13 reads the
        // whole 64-bit range, and our own range check does too.
        || message.contains("range expression error: Integer overflow")
        || (message.contains("{{") && capability_name.iter().any(|m| message.contains(m)))
}

/// The reference's YAML reader takes any capitalisation of true/false as a
/// boolean (`TrUe`), where YAML 1.2 reads only true/True/TRUE and
/// false/False/FALSE as booleans and everything else as a string. When the
/// document has such a scalar, the reference's type complaint is its own
/// misreading, and our structural pass has already checked the real types.
fn has_mixed_case_boolean(node: &Node) -> bool {
    use crate::syntax::{NodeKind, ScalarKind};
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            NodeKind::Scalar(s) => {
                let lower = s.value.to_ascii_lowercase();
                if (lower == "true" || lower == "false")
                    && s.kind() == ScalarKind::Str
                    && !s.is_quoted()
                {
                    return true;
                }
            }
            NodeKind::Mapping(entries) => stack.extend(entries.iter().map(|e| &e.value)),
            NodeKind::Sequence(items) => stack.extend(items.iter()),
        }
    }
    false
}
