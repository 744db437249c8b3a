//! Analysis of one document: syntax, structure, names, expressions, wrap
//! rules and the reference validator, all errors at once.

pub mod bundle;
pub mod codes;
pub mod diagnostic;
pub mod embedded;
pub mod evaluate;
pub mod expressions;
pub mod extensions;
pub mod host_requirements;
pub mod names;
pub mod parameters;
pub mod path;
pub mod plain_scalars;
pub mod preview;
pub mod range_expr;
pub mod reference;
pub mod scope;
pub mod session;
pub mod staged;
pub mod stop;
pub mod structure;
pub mod task_parameters;
pub mod tree_value;
pub mod wrap;

use crate::model::{self, Template, TemplateKind};
use crate::schema::{self, ENVIRONMENT_TEMPLATE_VERSION, JOB_TEMPLATE_VERSION};
use crate::syntax::{self, Node, Span, SyntaxErrorKind};
use crate::text::LineIndex;

pub use codes::Code;
pub use diagnostic::{Diagnostic, Related, Severity};
pub use extensions::{Declared, ExtSet};
pub use scope::{LetTypes, Site, Var};
pub use stop::Stop;
pub use structure::{FmtSite, LetSite};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// Not an OpenJD template: no diagnostics at all.
    NotTemplate,
    Job,
    Environment,
    /// `specificationVersion` names no known version.
    UnknownVersion,
}

/// How a document is written. YAML is a superset of JSON, so this matters
/// only to what the document is held to: a `.yaml` file in JSON-like flow
/// style may have `#` comments and trailing commas, a `.json` file may not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

impl Format {
    /// By file extension: `.json` is JSON, `.yaml` and `.yml` are YAML.
    pub(crate) fn from_path(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") {
            Some(Format::Yaml)
        } else {
            None
        }
    }

    /// By content, for a document with no name that says it: JSON when it
    /// starts with `{`.
    pub(crate) fn sniff(text: &str) -> Format {
        if looks_json(text) {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Run the reference validator after our own passes.
    pub reference: bool,
    /// How the document is written, when its name or editor says so; by
    /// content otherwise (`Format::sniff`).
    pub format: Option<Format>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reference: true,
            format: None,
        }
    }
}

impl Options {
    /// Our own passes only, without the reference validator.
    pub fn own() -> Self {
        Options {
            reference: false,
            format: None,
        }
    }

    pub(crate) fn with_format(self, format: Option<Format>) -> Self {
        Options { format, ..self }
    }

    /// The format of the file at `path`, by its extension.
    pub fn for_path(self, path: &std::path::Path) -> Self {
        self.with_format(Format::from_path(path))
    }
}

pub struct Analysis {
    /// Shared with the editor's buffer it was read from: a large document
    /// is held once.
    pub text: std::sync::Arc<str>,
    pub kind: DocKind,
    pub json: bool,
    pub root: Option<Node>,
    /// Shared with the workspace's index of the document.
    pub line_index: std::sync::Arc<LineIndex>,
    pub declared: Declared,
    pub template: Option<std::sync::Arc<Template>>,
    pub diagnostics: Vec<Diagnostic>,
    pub fmt_sites: Vec<FmtSite>,
    pub let_sites: Vec<LetSite>,
    pub let_types: LetTypes,
    /// The parser stopped early; the tree holds only what came before.
    pub truncated: bool,
    /// [`analyze_until`] was told to stop: this analysis is incomplete and
    /// not to be shown.
    pub stopped: bool,
}

impl Analysis {
    pub fn exts(&self) -> ExtSet {
        self.declared.set
    }
    pub fn is_template(&self) -> bool {
        self.kind != DocKind::NotTemplate
    }
}

fn looks_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// Decide what kind of document this is, even when it does not parse.
fn detect(text: &str, root: Option<&Node>) -> DocKind {
    // A CloudFormation template may quote an environment template (see
    // `embedded`); it is not one itself.
    if root.is_some_and(syntax::cfn::is_cloudformation) {
        return DocKind::NotTemplate;
    }
    if let Some(v) = root.and_then(|r| r.get("specificationVersion")) {
        return match v.as_str() {
            Some(JOB_TEMPLATE_VERSION) => DocKind::Job,
            Some(ENVIRONMENT_TEMPLATE_VERSION) => DocKind::Environment,
            _ => DocKind::UnknownVersion,
        };
    }
    if let Some(kind) = root.and_then(shape_without_version) {
        return kind;
    }
    // A document broken early may still say what it is.
    let head = text.get(..text.len().min(4096)).unwrap_or(text);
    if head.contains(JOB_TEMPLATE_VERSION) {
        DocKind::Job
    } else if head.contains(ENVIRONMENT_TEMPLATE_VERSION) {
        DocKind::Environment
    } else {
        DocKind::NotTemplate
    }
}

/// A template that forgot its `specificationVersion`: only OpenJD top-level
/// keys, and the shape only OpenJD templates have (steps whose script holds
/// actions, or an environment with a name and a script or variables).
fn shape_without_version(root: &Node) -> Option<DocKind> {
    let keys: Vec<&str> = root
        .entries()?
        .iter()
        .filter_map(|e| e.key.as_str())
        .collect();
    let job_keys = schema::JOB_TEMPLATE.fields.iter().map(|f| f.key);
    if keys.iter().all(|k| job_keys.clone().any(|j| j == *k)) {
        let steps = root.get("steps").and_then(Node::items).unwrap_or(&[]);
        let openjd_step = steps.iter().any(|s| {
            s.get("script")
                .is_some_and(|sc| sc.get("actions").is_some())
                || model::SIMPLE_ACTION_KEYS
                    .iter()
                    .any(|k| s.get(k).is_some_and(|v| v.entries().is_some()))
        });
        if openjd_step {
            return Some(DocKind::Job);
        }
    }
    let env_keys = schema::ENVIRONMENT_TEMPLATE.fields.iter().map(|f| f.key);
    if keys.iter().all(|k| env_keys.clone().any(|j| j == *k)) {
        let env = root.get("environment")?;
        if env.get("name").is_some()
            && (env.get("script").is_some() || env.get("variables").is_some())
        {
            return Some(DocKind::Environment);
        }
    }
    None
}

/// Documents at least this large get the reference validator on its own
/// thread. A new thread starts with a cold allocator heap, which below a few
/// MiB costs more than the overlap saves (a 5,000-line template: 12 ms in
/// turn, 20 ms on a thread of its own).
const PARALLEL_REFERENCE_BYTES: usize = 4 << 20;

/// What our own passes find in a template that parsed.
struct Own {
    diags: Vec<Diagnostic>,
    declared: Declared,
    template: Template,
    fmt_sites: Vec<FmtSite>,
    let_sites: Vec<LetSite>,
    let_types: LetTypes,
    /// An expression was too large to check within its budget.
    over_budget: bool,
    /// Expressions openjd-expr 0.8 (the backstop's) rejects and the newest
    /// reference's staged typing does not: the backstop's errors there are
    /// dropped.
    settled: Vec<Span>,
}

/// Structure and expressions: what decides whether the reference validator
/// may run (it checks expressions with the runtime's far larger limits).
fn own_passes(text: &str, root: &Node, kind: DocKind, truncated: bool, stop: &Stop) -> Own {
    let mut diags = Vec::new();
    let template_kind = if kind == DocKind::Job {
        TemplateKind::Job
    } else {
        TemplateKind::Environment
    };
    let declared = extensions::read(root, &mut diags);
    let exts = declared.set;
    let schema = if kind == DocKind::Job {
        &schema::JOB_TEMPLATE
    } else {
        &schema::ENVIRONMENT_TEMPLATE
    };
    let mut walk = structure::Walk::new(text, exts, !truncated, stop);
    walk.object(root, schema, None, &mut path::Path::default(), None);
    diags.append(&mut walk.diags);
    let template = model::build(text, root, template_kind);
    let mut pass = expressions::ExprPass::new(text, &template, exts, stop);
    pass.lets(&walk.let_sites);
    pass.format_strings(&walk.fmt_sites);
    diags.append(&mut pass.diags);
    let let_types = std::mem::take(&mut pass.let_types);
    let over_budget = pass.over_budget;
    let mut settled = std::mem::take(&mut pass.settled);
    settled.append(&mut walk.settled);
    drop(pass);
    Own {
        diags,
        declared,
        template,
        fmt_sites: walk.fmt_sites,
        let_sites: walk.let_sites,
        let_types,
        over_budget,
        settled,
    }
}

/// The rules over the whole template: names, parameters, wrapping; none
/// after `stop` said so.
fn own_rules(own: &mut Own, text: &str, root: &Node, stop: &Stop) {
    type Rule<'r> = &'r dyn Fn(&mut Vec<Diagnostic>);
    let diags = &mut own.diags;
    let rules: [Rule; 5] = [
        &|diags| names::check(&own.template, diags, stop),
        &|diags| parameters::check(text, root, diags),
        &|diags| host_requirements::check(root, diags),
        &|diags| task_parameters::check(text, root, diags),
        &|diags| wrap::check(&own.template, root, own.declared.set, diags),
    ];
    for rule in rules {
        if stop.now() {
            return;
        }
        rule(diags);
    }
}

pub fn analyze(text: &str, options: &Options) -> Analysis {
    analyze_shared(std::sync::Arc::from(text), options)
}

/// [`analyze`] a text the caller shares (an open document's buffer).
pub fn analyze_shared(shared: std::sync::Arc<str>, options: &Options) -> Analysis {
    analyze_until(shared, options, &|| false)
}

/// [`analyze_shared`], giving up (with `stopped` set) once `stop` says so,
/// as a newer version of the document does: it is asked while the text is
/// parsed, within and between our passes, and before the reference
/// validator, which once started runs to its end.
pub fn analyze_until(
    shared: std::sync::Arc<str>,
    options: &Options,
    stop: &(dyn Fn() -> bool + Sync),
) -> Analysis {
    let text: &str = &shared;
    let mut parsed = syntax::parse::parse_until(text, stop);
    let kind = detect(text, parsed.root.as_ref());
    let format = options.format.unwrap_or_else(|| Format::sniff(text));
    if format == Format::Json
        && kind != DocKind::NotTemplate
        && parsed.errors.is_empty()
        && let Some(e) = syntax::parse::json_error(text)
    {
        parsed.errors.push(e);
    }
    let mut analysis = Analysis {
        text: shared.clone(),
        kind,
        json: format == Format::Json,
        root: None,
        line_index: std::sync::Arc::new(LineIndex::new(text)),
        declared: Declared::default(),
        template: None,
        diagnostics: Vec::new(),
        fmt_sites: Vec::new(),
        let_sites: Vec::new(),
        let_types: LetTypes::new(),
        truncated: parsed.truncated,
        stopped: parsed.stopped,
    };
    if parsed.stopped {
        return analysis;
    }
    if kind == DocKind::NotTemplate {
        analysis.root = parsed.root;
        return analysis;
    }
    let mut diags: Vec<Diagnostic> = parsed
        .errors
        .iter()
        .map(|e| {
            let code = match e.kind {
                SyntaxErrorKind::DuplicateKey => Code::DuplicateKey,
                SyntaxErrorKind::MultipleDocuments => Code::MultipleDocuments,
                SyntaxErrorKind::AliasBudget => Code::AliasExpansion,
                SyntaxErrorKind::TooDeep => Code::TooDeep,
                _ => Code::Syntax,
            };
            let mut d = Diagnostic::new(code, e.span.clone(), e.message.clone());
            if let Some(r) = &e.related {
                d = d.with_related(r.clone(), "first defined here");
            }
            d
        })
        .collect();
    let Some(root) = parsed.root else {
        analysis.diagnostics = diags;
        return analysis;
    };
    if kind == DocKind::UnknownVersion {
        if let Some(v) = root.get("specificationVersion") {
            diags.push(Diagnostic::new(
                Code::UnknownVersion,
                v.span.clone(),
                format!(
                    "Unknown specificationVersion `{}`; expected `{JOB_TEMPLATE_VERSION}` (job template) or `{ENVIRONMENT_TEMPLATE_VERSION}` (environment template)",
                    v.as_str().unwrap_or("")
                ),
            ));
        }
        analysis.diagnostics = diags;
        analysis.root = Some(root);
        return analysis;
    }
    if root.entries().is_none() {
        diags.push(Diagnostic::new(
            Code::WrongType,
            root.span.clone(),
            "A template must be a mapping",
        ));
        analysis.diagnostics = diags;
        analysis.root = Some(root);
        return analysis;
    }
    let json = analysis.json;
    let truncated = parsed.truncated;
    let stopping = Stop::new(stop);
    let mut own = own_passes(text, &root, kind, truncated, &stopping);
    if stopping.now() {
        analysis.stopped = true;
        return analysis;
    }
    // The reference parses every `{{ }}` it finds, also where our passes
    // read none (an unknown key, a key itself); its parsers recurse.
    let nesting = crate::syntax::nesting::document_nesting(text);
    let too_deep_for_reference = nesting > crate::syntax::nesting::MAX_NESTING;
    if too_deep_for_reference && options.reference && !own.over_budget {
        own.diags.push(Diagnostic::new(
            Code::ReferenceLimit,
            reference::first_line(text, &root),
            format!(
                "The reference validator was not run: this document nests brackets or an expression {nesting} levels deep, past the {} that are read safely",
                crate::syntax::nesting::MAX_NESTING
            ),
        ));
    }
    let run_reference = options.reference
        && parsed.errors.is_empty()
        && !own.over_budget
        && !too_deep_for_reference;
    // Our tree may stand in for the reference's own parse of YAML text
    // when it transcribes the text plainly.
    let tree = (!json && !truncated && !parsed.indirect).then_some(&root);
    let verdict = std::thread::scope(|scope| {
        // On a very large document let the reference run alongside our rules.
        let in_parallel = text.len() >= PARALLEL_REFERENCE_BYTES;
        let reference = (run_reference && in_parallel).then(|| {
            std::thread::Builder::new()
                .stack_size(8 << 20)
                .spawn_scoped(scope, || reference::run(text, json, tree))
        });
        own_rules(&mut own, text, &root, &stopping);
        match reference {
            // `run` catches the reference's panics, so joining fails only
            // if our own code around it panicked.
            Some(Ok(handle)) => handle
                .join()
                .unwrap_or_else(|_| reference::Verdict::Crashed("its thread failed".into())),
            // No thread could be started: run it here.
            Some(Err(_)) => reference::run(text, json, tree),
            None if run_reference && !stopping.stopped() => reference::run(text, json, tree),
            None => reference::Verdict::Accepted,
        }
    });
    if stopping.stopped() {
        analysis.stopped = true;
        return analysis;
    }
    let Own {
        diags: mut own_diags,
        declared,
        template,
        fmt_sites,
        let_sites,
        let_types,
        over_budget: _,
        settled,
    } = own;
    diags.append(&mut own_diags);
    match verdict {
        reference::Verdict::Accepted => {}
        reference::Verdict::Rejected(err) => {
            let mut placed = reference::place(err, text, &root, &diags, &settled);
            diags.append(&mut placed);
        }
        reference::Verdict::Crashed(message) => diags.push(reference::crash(&message, text, &root)),
    }
    diags.sort_by_key(|a| (a.span.start, a.span.end));
    diags.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    // Kept for as long as the document is open: no room to grow.
    analysis.diagnostics = syntax::tree::exact(diags);
    analysis.declared = declared;
    analysis.fmt_sites = syntax::tree::exact(fmt_sites);
    analysis.let_sites = syntax::tree::exact(let_sites);
    analysis.let_types = let_types;
    analysis.template = Some(std::sync::Arc::new(template));
    analysis.root = Some(root);
    analysis
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn job(steps: usize) -> String {
        let mut text = String::from("specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n");
        for i in 0..steps {
            text.push_str(&format!(
                "  - name: S{i}\n    script:\n      actions:\n        onRun: {{command: run}}\n"
            ));
        }
        text
    }

    #[test]
    fn an_analysis_told_to_stop_stops_and_says_so() {
        let text: std::sync::Arc<str> = job(3000).into();
        // Told at once: stopped while parsing, nothing kept.
        let a = analyze_until(text.clone(), &Options::default(), &|| true);
        assert!(a.stopped && a.root.is_none() && a.diagnostics.is_empty());
        // Told after a few looks: stopped there, the rest not run.
        let looks = AtomicUsize::new(0);
        let later = || looks.fetch_add(1, Ordering::SeqCst) >= 2;
        let a = analyze_until(text.clone(), &Options::default(), &later);
        assert!(a.stopped);
        assert!(looks.load(Ordering::SeqCst) >= 3);
        // Never told: the whole analysis.
        let a = analyze_until(text, &Options::default(), &|| false);
        assert!(!a.stopped && a.template.is_some());
    }

    /// How often the analysis of `text` asks whether to stop, in all and
    /// while parsing only.
    fn looks(text: &str) -> (usize, usize) {
        let count = |run: &dyn Fn(&(dyn Fn() -> bool + Sync))| {
            let looks = AtomicUsize::new(0);
            run(&|| looks.fetch_add(1, Ordering::SeqCst) == usize::MAX);
            looks.into_inner()
        };
        let all = count(&|stop| {
            analyze_until(text.into(), &Options::own(), stop);
        });
        let parsing = count(&|stop| {
            syntax::parse::parse_until(text, stop);
        });
        (all, parsing)
    }

    #[test]
    fn a_stop_is_asked_within_the_passes_and_heeded_there() {
        // One line of 20,000 interpolations parses in a few events: the
        // expression pass asks as it goes. Many steps with unknown
        // dependencies: the structure walk and the names pass ask too.
        let one_line = format!(
            "specificationVersion: jobtemplate-2023-09\nname: J\nsteps:\n  - name: S\n    script: {{actions: {{onRun: {{command: run, args: ['{}']}}}}}}\n",
            "{{Param.Nope}} ".repeat(20_000)
        );
        let mut dependencies = job(3000);
        dependencies.push_str(
            "  - name: Last\n    script: {actions: {onRun: {command: run}}}\n    dependencies:\n",
        );
        for i in 0..3000 {
            dependencies.push_str(&format!("      - dependsOn: Sx{i}\n"));
        }
        for text in [one_line, dependencies] {
            let (all, parsing) = looks(&text);
            assert!(all >= parsing + 10, "{all} looks, {parsing} while parsing");
            // Told at a look within the passes: stopped there, and not asked again.
            let told_at = parsing + (all - parsing) / 2;
            let looks = AtomicUsize::new(0);
            let later = || looks.fetch_add(1, Ordering::SeqCst) >= told_at;
            let a = analyze_until(text.into(), &Options::own(), &later);
            assert!(a.stopped && a.diagnostics.is_empty());
            assert_eq!(looks.into_inner(), told_at + 1);
        }
    }
}
