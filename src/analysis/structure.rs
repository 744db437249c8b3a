//! The structural pass: walks the document against the schema table and
//! reports every shape error at once (unknown and missing keys, wrong types,
//! enum values, limits, duplicate names, extension gates). Along the way it
//! collects the format strings and `let` bindings for the expression pass.

use crate::schema::*;
use crate::syntax::{Node, NodeKind, Scalar, ScalarKind, ScalarStyle, ScalarText, Span};

use super::codes::Code;
use super::diagnostic::{Diagnostic, Fix, did_you_mean};
use super::extensions::ExtSet;
use super::path::Path;
use super::plain_scalars::{self, Verdict};
use super::scope::{PackedSite, Site};
use super::stop::Stop;

/// A format string found in the document, with what the schema says of it.
#[derive(Clone, Debug)]
pub struct FmtSite {
    /// Where it sits, as far as scoping is concerned (computed once: a
    /// document's sites are kept while it is open, their paths are not).
    site: PackedSite,
    pub span: Span,
    value: SiteText,
    pub style: ScalarStyle,
    /// What a whole-field expression must resolve to, when the field says.
    pub target: Option<Target>,
}

impl FmtSite {
    fn new(
        text: &str,
        node: &Node,
        s: &Scalar,
        path: &Path,
        scope: ScopeClass,
        numeric: bool,
    ) -> FmtSite {
        FmtSite {
            site: PackedSite::new(Site::of(path, scope)),
            span: node.span.clone(),
            value: SiteText::new(text, &node.span, &s.value),
            style: s.style,
            target: Target::of(path.last_schema_key(), numeric),
        }
    }

    /// The string's value; `text` is the document's text.
    pub fn value<'a>(&'a self, text: &'a str) -> &'a str {
        self.value.get(text)
    }

    /// Where it sits; its class is the field's scope class.
    pub fn site(&self) -> Site {
        self.site.site()
    }
}

/// The type a whole-field expression must resolve to, as the reference
/// checks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `min`, `max` of a numeric field: `float?`.
    FloatOrNull,
    /// `defaultTaskCount`: `int`.
    Int,
    /// Any other numeric field: `int?`.
    IntOrNull,
    /// A cancelation `mode`: `string?`.
    StringOrNull,
}

impl Target {
    /// By the field's schema key (`None` under a user's key, such as an
    /// environment variable's name), and whether the field is numeric.
    fn of(field: Option<&str>, numeric: bool) -> Option<Target> {
        let key = field.unwrap_or("");
        if numeric {
            return Some(match key {
                "min" | "max" => Target::FloatOrNull,
                "defaultTaskCount" => Target::Int,
                _ => Target::IntOrNull,
            });
        }
        (key == "mode").then_some(Target::StringOrNull)
    }
}

/// A `let` binding, `name = expression`.
#[derive(Clone, Debug)]
pub struct LetSite {
    site: PackedSite,
    pub span: Span,
    value: SiteText,
    pub style: ScalarStyle,
}

impl LetSite {
    pub fn site(&self) -> Site {
        self.site.site()
    }

    /// The binding's text; `text` is the document's text.
    pub fn value<'a>(&'a self, text: &'a str) -> &'a str {
        self.value.get(text)
    }
}

/// A site's string value. Most are written in the document as they read
/// (no escapes, no folded lines: a plain or quoted one-liner, a one-line
/// block), and then only where is kept; the rest are copied.
#[derive(Clone, Debug)]
enum SiteText {
    /// The value is `text[start..end]`.
    Source {
        start: u32,
        end: u32,
    },
    Copy(ScalarText),
}

impl SiteText {
    /// The value `value` of the scalar at `span` of `text`.
    fn new(text: &str, span: &Span, value: &ScalarText) -> SiteText {
        let source = text.get(span.clone()).unwrap_or("");
        let found = source.find(value.as_str()).and_then(|at| {
            let start = u32::try_from(span.start + at).ok()?;
            let end = u32::try_from(span.start + at + value.len()).ok()?;
            Some(SiteText::Source { start, end })
        });
        found.unwrap_or_else(|| SiteText::Copy(value.clone()))
    }

    fn get<'a>(&'a self, text: &'a str) -> &'a str {
        match self {
            SiteText::Source { start, end } => {
                text.get(*start as usize..*end as usize).unwrap_or("")
            }
            SiteText::Copy(value) => value,
        }
    }
}

pub struct Walk<'a> {
    pub text: &'a str,
    pub exts: ExtSet,
    pub diags: Vec<Diagnostic>,
    pub fmt_sites: Vec<FmtSite>,
    pub let_sites: Vec<LetSite>,
    /// Values the backstop (openjd-model 0.8) rejects where only the Rust
    /// reference does: its errors there give way to our warning.
    pub settled: Vec<Span>,
    /// Off when the document was cut short by a syntax error, so that keys
    /// the parser never reached are not reported as missing.
    pub report_missing: bool,
    /// Asked at every value walked; once it says so, the walk ends.
    stop: &'a Stop<'a>,
}

fn first_line(text: &str, span: &Span) -> Span {
    let start = span.start.min(text.len());
    let end = text[start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| start + i)
        .min(span.end.max(start));
    start..end.max(start)
}

impl<'a> Walk<'a> {
    pub fn new(text: &'a str, exts: ExtSet, report_missing: bool, stop: &'a Stop<'a>) -> Self {
        Walk {
            text,
            exts,
            diags: Vec::new(),
            fmt_sites: Vec::new(),
            let_sites: Vec::new(),
            settled: Vec::new(),
            report_missing,
            stop,
        }
    }

    fn fb1(&self) -> bool {
        self.exts.has(Extension::FeatureBundle1)
    }

    fn expr(&self) -> bool {
        self.exts.has(Extension::Expr)
    }

    fn type_error(&mut self, node: &Node, expected: &str) {
        let hint = match (&node.kind, expected) {
            (NodeKind::Scalar(s), "a string") if !s.is_quoted() => {
                "; quote the value to make it a string"
            }
            _ => "",
        };
        self.diags.push(Diagnostic::new(
            Code::WrongType,
            node.span.clone(),
            format!("Expected {expected}, found {}{hint}", node.type_name()),
        ));
    }

    /// Walk `node` as a value of type `ty`. `key` is the span of the key that
    /// holds it, where missing children are reported.
    pub fn value(&mut self, node: &Node, ty: Ty, path: &mut Path, key: Option<&Span>) {
        if self.stop.step() {
            return;
        }
        match ty {
            Ty::Object(obj) => self.object(node, obj, None, path, key),
            Ty::Tagged(tagged) => self.tagged(node, tagged, path, key),
            Ty::List(list) => self.list(node, list, path),
            Ty::Str(rule) => {
                if let Some(s) = self.string(node) {
                    self.check_string(node, s, rule);
                    if is_step_name(path) && s.value.contains("{{") {
                        self.diags.push(step_name_braces(node));
                    }
                }
            }
            Ty::Fmt(rule, scope) => self.fmt(node, rule, scope, path),
            Ty::Enum(values) => self.enumeration(node, values),
            Ty::Mode => self.mode(node, path),
            Ty::Bool => {
                if !matches!(node.scalar().map(Scalar::kind), Some(ScalarKind::Bool(_))) {
                    self.type_error(node, "true or false");
                }
            }
            Ty::LooseBool => self.loose_bool(node),
            Ty::Num(rule) => self.number(node, rule, path),
            Ty::Let => {
                if let Some(s) = self.string(node) {
                    self.let_sites.push(LetSite {
                        site: PackedSite::new(Site::of(path, ScopeClass::Host)),
                        span: node.span.clone(),
                        value: SiteText::new(self.text, &node.span, &s.value),
                        style: s.style,
                    });
                }
            }
            Ty::EnvVars => self.env_vars(node, path),
            Ty::SpecVersion | Ty::Any => {}
            Ty::Range(list) => self.range(node, list, path),
        }
    }

    fn string<'n>(&mut self, node: &'n Node) -> Option<&'n Scalar> {
        match node.scalar() {
            Some(s) if self.string_scalar(node, s, false) => Some(s),
            _ => {
                self.type_error(node, "a string");
                None
            }
        }
    }

    /// Whether a reference takes the scalar `s` as a string here (a format
    /// string if `format_string`); where only one does, a warning says which
    /// refuses it and why, with quotes as the fix.
    fn string_scalar(&mut self, node: &Node, s: &Scalar, format_string: bool) -> bool {
        let message = match plain_scalars::verdict(s, format_string) {
            Verdict::Accepted => return true,
            Verdict::BothReject => return false,
            Verdict::PythonRejects(reading) => {
                let rust = match s.kind() {
                    ScalarKind::Str => "reads it as the string".to_string(),
                    ScalarKind::Float(f) if !f.is_finite() => "reads it as the string".to_string(),
                    _ => format!("reads it as {} and takes its text", node.type_name()),
                };
                format!(
                    "The Python openjd-model (used by Deadline Cloud) rejects `{0}` here: its \
                     YAML 1.1 reader reads it as {reading}, not a string. The Rust \
                     openjd-model (YAML 1.2) {rust}. Quote it (`'{0}'`) so that both accept it.",
                    s.value
                )
            }
            Verdict::RustRejects(reading) => format!(
                "The Rust openjd-model (openjd-rs) rejects `{0}` here: YAML 1.2 reads it as \
                 {reading}, not a string. The Python openjd-model (used by Deadline Cloud, YAML \
                 1.1) reads it as the string. Quote it (`'{0}'`) so that both accept it.",
                s.value
            ),
        };
        self.diags.push(
            Diagnostic::new(Code::ReferenceDisagreement, node.span.clone(), message)
                .with_suggestion(format!("'{}'", s.value)),
        );
        // Our verdict is a warning: an error of the backstop here gives way.
        self.settled.push(node.span.clone());
        true
    }

    fn check_string(&mut self, node: &Node, s: &Scalar, rule: StrRule) {
        let len = s.value.chars().count();
        if len < rule.min {
            let msg = if rule.min == 1 {
                "Must not be empty".to_string()
            } else {
                format!("Must be at least {} characters long", rule.min)
            };
            self.diags.push(Diagnostic::new(
                Code::StringTooShort,
                node.span.clone(),
                msg,
            ));
        }
        if let Some(max) = rule.max {
            let limit = max.get(self.fb1());
            if len > limit {
                let grows = if max.fb1 > max.base && !self.fb1() {
                    format!(" ({} with FEATURE_BUNDLE_1)", max.fb1)
                } else {
                    String::new()
                };
                self.diags.push(Diagnostic::new(
                    Code::StringTooLong,
                    node.span.clone(),
                    format!("Too long: {len} characters; at most {limit} are allowed{grows}"),
                ));
            }
        }
        if let Some(problem) = pattern_problem(rule.pattern, &s.value) {
            self.diags.push(Diagnostic::new(
                Code::InvalidString,
                node.span.clone(),
                problem,
            ));
        }
    }

    fn fmt(&mut self, node: &Node, rule: StrRule, scope: ScopeClass, path: &Path) {
        // The Rust reference takes a number or boolean as its text here.
        let Some(s) = node.scalar() else {
            self.type_error(node, "a string");
            return;
        };
        if !self.string_scalar(node, s, true) {
            self.type_error(node, "a string");
            return;
        }
        if crate::syntax::format_string::find_double(&s.value, b'{').is_none() {
            self.check_string(node, s, rule);
        } else {
            // Control characters in the literal text are wrong whatever the
            // expressions resolve to; the expressions themselves may span lines.
            let scan = crate::syntax::format_string::scan(&s.value);
            let mut literal = String::new();
            let mut pos = 0;
            for i in &scan.interpolations {
                literal.push_str(&s.value[pos..i.open]);
                pos = i.full(s.value.len()).end;
            }
            literal.push_str(s.value.get(pos..).unwrap_or(""));
            // A capability name with expressions is checked once they are
            // resolved, at job creation (as openjd-model does since 0.10).
            let resolved_later = matches!(
                rule.pattern,
                Pattern::AmountName | Pattern::AttributeName | Pattern::AttributeValue
            );
            if resolved_later {
            } else if let Some(problem) = pattern_problem(rule.pattern, &literal) {
                self.diags.push(Diagnostic::new(
                    Code::InvalidString,
                    node.span.clone(),
                    problem,
                ));
            }
        }
        self.fmt_sites
            .push(FmtSite::new(self.text, node, s, path, scope, false));
    }

    fn enumeration(&mut self, node: &Node, values: &[&str]) {
        let Some(s) = self.string(node) else { return };
        if !values.contains(&s.value.as_str()) {
            let mut d = Diagnostic::new(
                Code::InvalidValue,
                node.span.clone(),
                format!("`{}` is not one of: {}", s.value, values.join(", ")),
            );
            if let Some(best) = did_you_mean(&s.value, values.iter().copied()) {
                d.message.push_str(&format!("; did you mean `{best}`?"));
                d = d.with_suggestion(best);
            }
            self.diags.push(d);
        }
    }

    fn mode(&mut self, node: &Node, path: &Path) {
        let Some(s) = self.string(node) else { return };
        if s.value.contains("{{") || s.value.contains("}}") {
            if !self.fb1() {
                self.diags.push(Diagnostic::new(
                    Code::ExtensionRequired,
                    node.span.clone(),
                    "A format string in cancelation `mode` requires the FEATURE_BUNDLE_1 extension",
                ).with_fix(Fix::AddExtension(Extension::FeatureBundle1)));
            }
            self.fmt_sites.push(FmtSite::new(
                self.text,
                node,
                s,
                path,
                ScopeClass::Timing,
                false,
            ));
            return;
        }
        self.enumeration(node, &["TERMINATE", "NOTIFY_THEN_TERMINATE"]);
    }

    fn loose_bool(&mut self, node: &Node) {
        let ok = match node.scalar() {
            Some(s) => match s.kind() {
                ScalarKind::Bool(_) => true,
                ScalarKind::Int(Some(n)) => n == 0 || n == 1,
                ScalarKind::Float(f) => f == 0.0 || f == 1.0,
                ScalarKind::Str => matches!(
                    s.value.to_ascii_lowercase().as_str(),
                    "true" | "false" | "yes" | "no" | "on" | "off" | "1" | "0"
                ),
                _ => false,
            },
            None => false,
        };
        if !ok {
            self.diags.push(Diagnostic::new(
                Code::WrongType,
                node.span.clone(),
                format!(
                    "Expected a boolean (true/false, yes/no, on/off, 1/0), found {}",
                    describe(node)
                ),
            ));
        }
    }

    fn number(&mut self, node: &Node, rule: NumRule, path: &Path) {
        let Some(s) = node.scalar() else {
            self.type_error(
                node,
                if rule.integer {
                    "an integer"
                } else {
                    "a number"
                },
            );
            return;
        };
        let fmt_scope = rule
            .fmt_always
            .or(if self.fb1() { rule.fmt_fb1 } else { None });
        let kind = s.kind();
        let value = match kind {
            ScalarKind::Int(v) => Num::Int(v),
            ScalarKind::Float(f) => Num::Float(f),
            ScalarKind::Str if s.value.contains("{{") => {
                match fmt_scope {
                    Some(scope) => {
                        self.fmt_sites
                            .push(FmtSite::new(self.text, node, s, path, scope, true));
                    }
                    None if rule.fmt_fb1.is_some() => {
                        let field = path.last_key().unwrap_or("this field");
                        self.diags.push(Diagnostic::new(
                            Code::ExtensionRequired,
                            node.span.clone(),
                            format!("A format string in `{field}` requires the FEATURE_BUNDLE_1 extension"),
                        ).with_fix(Fix::AddExtension(Extension::FeatureBundle1)));
                    }
                    None => self.type_error(
                        node,
                        if rule.integer {
                            "an integer"
                        } else {
                            "a number"
                        },
                    ),
                }
                return;
            }
            ScalarKind::Str if rule.string_ok || fmt_scope.is_some() => {
                match parse_numeric_string(&s.value) {
                    Some(n) => n,
                    None => {
                        self.diags.push(Diagnostic::new(
                            Code::WrongType,
                            node.span.clone(),
                            format!(
                                "`{}` is not {}",
                                s.value,
                                if rule.integer {
                                    "an integer"
                                } else {
                                    "a number"
                                }
                            ),
                        ));
                        return;
                    }
                }
            }
            _ => {
                self.type_error(
                    node,
                    if rule.integer {
                        "an integer"
                    } else {
                        "a number"
                    },
                );
                return;
            }
        };
        let as_f64 = match value {
            Num::Int(None) => {
                self.diags.push(Diagnostic::new(
                    Code::OutOfRange,
                    node.span.clone(),
                    "Integer out of the 64-bit range (-9223372036854775808 to 9223372036854775807)",
                ));
                return;
            }
            Num::Int(Some(n)) => n as f64,
            Num::Float(f) => {
                if rule.integer {
                    if f.fract() != 0.0 || !f.is_finite() {
                        self.diags.push(Diagnostic::new(
                            Code::WrongType,
                            node.span.clone(),
                            format!("Expected an integer, found `{}`", s.value),
                        ));
                        return;
                    }
                } else if !f.is_finite() {
                    self.diags.push(Diagnostic::new(
                        Code::InvalidValue,
                        node.span.clone(),
                        "Infinity and NaN are not allowed",
                    ));
                    return;
                }
                f
            }
        };
        if rule.positive && as_f64 <= 0.0 {
            self.diags.push(Diagnostic::new(
                Code::OutOfRange,
                node.span.clone(),
                "Must be greater than zero",
            ));
        } else if let Some(min) = rule.min.filter(|m| as_f64 < *m) {
            self.diags.push(Diagnostic::new(
                Code::OutOfRange,
                node.span.clone(),
                format!("Must be at least {min}"),
            ));
        }
        if let Some(max) = rule.max.filter(|m| as_f64 > *m) {
            self.diags.push(Diagnostic::new(
                Code::OutOfRange,
                node.span.clone(),
                format!("Must be at most {max}"),
            ));
        }
    }

    fn range(&mut self, node: &Node, list: &'static ListTy, path: &mut Path) {
        if let NodeKind::Sequence(_) = node.kind {
            self.list(node, list, path);
            return;
        }
        let Some(s) = self.string(node) else { return };
        let int_range = matches!(list.item, Ty::Num(NumRule { integer: true, .. }));
        if s.value.contains("{{") {
            if !int_range && !self.expr() {
                self.diags.push(Diagnostic::new(
                    Code::ExtensionRequired,
                    node.span.clone(),
                    "A range written as a single expression string requires the EXPR extension; otherwise give a list",
                ).with_fix(Fix::AddExtension(Extension::Expr)));
            }
            self.fmt_sites.push(FmtSite::new(
                self.text,
                node,
                s,
                path,
                ScopeClass::Template,
                false,
            ));
        } else if int_range {
            let map = crate::syntax::ScalarMap::new(self.text, &node.span, s.style, &s.value);
            match super::range_expr::check(&s.value) {
                Err(p) => self.diags.push(Diagnostic::new(
                    Code::InvalidRange,
                    map.range_to_source(p.at),
                    format!("Invalid range expression: {}", p.message),
                )),
                Ok(ranges) if std::ptr::eq(list, &CHUNK_INT_RANGE) => {
                    if let Some(r) = super::range_expr::beyond_chunk_bound(&ranges) {
                        self.diags.push(Diagnostic::new(
                            Code::ReferenceDisagreement,
                            map.range_to_source(r.at.clone()),
                            "The Rust openjd-model (0.14 and later) rejects CHUNK[INT] values of 2^62 \
                             (4611686018427387904) or more in magnitude, to keep chunk arithmetic \
                             within 64 bits; the Python openjd-model and the specification accept \
                             them. Use smaller values so that both accept the template.",
                        ));
                    }
                }
                Ok(_) => {}
            }
        } else {
            self.diags.push(Diagnostic::new(
                Code::WrongType,
                node.span.clone(),
                "Expected a list of values (or, with EXPR, a `{{ … }}` list expression)",
            ));
        }
    }

    fn list(&mut self, node: &Node, list: &'static ListTy, path: &mut Path) {
        let Some(items) = node.items() else {
            if node.is_null() && list.min > 0 {
                self.diags.push(Diagnostic::new(
                    Code::WrongType,
                    node.span.clone(),
                    "Expected a list, found nothing",
                ));
            } else {
                self.type_error(node, "a list");
            }
            return;
        };
        if items.len() < list.min {
            self.diags.push(Diagnostic::new(
                Code::ListTooShort,
                first_line(self.text, &node.span),
                if list.min == 1 {
                    "Must not be empty; remove the key or add an item".to_string()
                } else {
                    format!("Needs at least {} items", list.min)
                },
            ));
        }
        if let Some(max) = list.max {
            let limit = max.get(self.fb1());
            if items.len() > limit {
                let grows = if max.fb1 > max.base && !self.fb1() {
                    format!(" ({} with FEATURE_BUNDLE_1)", max.fb1)
                } else {
                    String::new()
                };
                self.diags.push(Diagnostic::new(
                    Code::ListTooLong,
                    items[limit].span.clone(),
                    format!(
                        "Too many items: {}; at most {limit} are allowed{grows}",
                        items.len()
                    ),
                ));
            }
        }
        for (i, item) in items.iter().enumerate() {
            path.push_index(i);
            self.value(item, list.item, path, None);
            path.pop();
        }
        if let Some(key) = list.unique_by {
            let mut seen: std::collections::HashMap<String, &Span> =
                std::collections::HashMap::new();
            for item in items {
                let Some(name) = item.get(key) else { continue };
                let Some(text) = name.as_str() else { continue };
                let folded = if list.unique_ignore_case {
                    text.to_lowercase()
                } else {
                    text.to_string()
                };
                if let Some(first) = seen.get(&folded) {
                    self.diags.push(
                        Diagnostic::new(
                            Code::DuplicateName,
                            name.span.clone(),
                            format!("Duplicate name `{text}`; names in this list must be unique"),
                        )
                        .with_related((*first).clone(), "first defined here"),
                    );
                } else {
                    seen.insert(folded, &name.span);
                }
            }
        }
    }

    fn env_vars(&mut self, node: &Node, path: &mut Path) {
        let Some(entries) = node.entries() else {
            self.type_error(node, "a mapping of variable names to values");
            return;
        };
        if entries.is_empty() {
            self.diags.push(Diagnostic::new(
                Code::ListTooShort,
                node.span.clone(),
                "Must not be empty; remove the key or add a variable",
            ));
        }
        for e in entries {
            let Some(name) = e.key.scalar() else { continue };
            self.check_string(&e.key, name, ENV_VAR_NAME);
            path.push_owned_key(&name.value);
            self.fmt(&e.value, ENV_VAR_VALUE, ScopeClass::EnvVariables, path);
            path.pop();
        }
    }

    fn tagged(
        &mut self,
        node: &Node,
        tagged: &'static Tagged,
        path: &mut Path,
        key: Option<&Span>,
    ) {
        if node.entries().is_none() {
            self.type_error(node, "a mapping");
            return;
        }
        let tag_node = node.get(tagged.tag);
        let tag = tag_node.and_then(Node::as_str);
        let variant = tag.and_then(|t| tagged.variant(t, self.expr()));
        match (tag_node, tag, variant) {
            (_, Some(t), Some(v)) => {
                if let Some(gate) = v.gate.filter(|g| !self.exts.has(*g))
                    && let Some(n) = tag_node
                {
                    self.diags.push(extension_required(
                        n.span.clone(),
                        &format!("Type `{t}`"),
                        gate,
                    ));
                }
                if !self.expr()
                    && !v.tags.contains(&t)
                    && let Some(n) = tag_node
                {
                    let canonical = v.tags[0];
                    self.diags.push(
                            Diagnostic::new(
                                Code::InvalidValue,
                                n.span.clone(),
                                format!("Type names are case-sensitive without the EXPR extension; write `{canonical}`"),
                            )
                            .with_suggestion(canonical),
                        );
                }
                self.object(node, v.object, Some(tagged.tag), path, key);
            }
            (Some(n), _, _) => {
                let allowed: Vec<&str> = tagged
                    .variants
                    .iter()
                    .filter(|v| v.gate.is_none_or(|g| self.exts.has(g)))
                    .flat_map(|v| v.tags.iter().copied())
                    .collect();
                let shown = n.as_str().unwrap_or("");
                let mut d = Diagnostic::new(
                    Code::InvalidValue,
                    n.span.clone(),
                    format!(
                        "`{shown}` is not a {} type; expected one of: {}",
                        tagged.name,
                        allowed.join(", ")
                    ),
                );
                if let Some(best) = did_you_mean(shown, tagged.all_tags()) {
                    d.message.push_str(&format!("; did you mean `{best}`?"));
                    d = d.with_suggestion(best);
                }
                self.diags.push(d);
                self.object_keys_only(node, tagged);
            }
            (None, _, _) => {
                if self.report_missing {
                    self.diags.push(Diagnostic::new(
                        Code::MissingKey,
                        key.cloned()
                            .unwrap_or_else(|| first_line(self.text, &node.span)),
                        format!("Missing required key `{}`", tagged.tag),
                    ));
                }
                self.object_keys_only(node, tagged);
            }
        }
    }

    /// Without a known variant, accept any key some variant defines.
    fn object_keys_only(&mut self, node: &Node, tagged: &'static Tagged) {
        for e in node.entries().unwrap_or(&[]) {
            let Some(k) = e.key.as_str() else { continue };
            let known = tagged.variants.iter().any(|v| v.object.field(k).is_some());
            if !known {
                let all = tagged
                    .variants
                    .iter()
                    .flat_map(|v| v.object.fields.iter().map(|f| f.key));
                self.unknown_key(&e.key, k, tagged.name, all);
            }
        }
    }

    fn unknown_key<'k>(
        &mut self,
        key: &Node,
        k: &str,
        owner: &str,
        known: impl Iterator<Item = &'k str>,
    ) {
        let draft = match k {
            "onWrapEnter" => Some((
                "onWrapEnvEnter",
                "`onWrapEnter` is a draft name from RFC 0008; the final name is `onWrapEnvEnter`",
            )),
            "onWrapExit" => Some((
                "onWrapEnvExit",
                "`onWrapExit` is a draft name from RFC 0008; the final name is `onWrapEnvExit`",
            )),
            _ => None,
        };
        if let Some((replacement, msg)) = draft {
            self.diags.push(
                Diagnostic::new(Code::DraftName, key.span.clone(), msg)
                    .with_suggestion(replacement),
            );
            return;
        }
        if k == "runOnHost" {
            self.diags.push(Diagnostic::new(
                Code::DraftName,
                key.span.clone(),
                "`runOnHost` was dropped from RFC 0008 before it was accepted; move work that must run on the host into an environment that comes before the wrapping environment",
            ));
            return;
        }
        let known: Vec<&str> = known.collect();
        let mut d = Diagnostic::new(
            Code::UnknownKey,
            key.span.clone(),
            format!("Unknown key `{k}` in {owner}"),
        );
        if let Some(best) = did_you_mean(k, known.iter().copied()) {
            d.message.push_str(&format!("; did you mean `{best}`?"));
            d = d.with_suggestion(best);
        }
        self.diags.push(d);
    }

    pub fn object(
        &mut self,
        node: &Node,
        obj: &'static Object,
        tag: Option<&str>,
        path: &mut Path,
        key: Option<&Span>,
    ) {
        let Some(entries) = node.entries() else {
            self.type_error(node, "a mapping");
            return;
        };
        for e in entries {
            let Some(k) = e.key.as_str() else { continue };
            if Some(k) == tag {
                continue;
            }
            let Some(field) = obj.field(k) else {
                self.unknown_key(&e.key, k, obj.name, obj.fields.iter().map(|f| f.key));
                continue;
            };
            if let Some(gate) = field.gate.filter(|g| !self.exts.has(*g)) {
                self.diags.push(extension_required(
                    e.key.span.clone(),
                    &format!("`{k}`"),
                    gate,
                ));
            }
            if e.value.is_null() && field.req == Req::Optional {
                // The reference reads an empty value as an absent key.
                continue;
            }
            path.push_key(field.key);
            self.value(&e.value, field.ty, path, Some(&e.key.span));
            path.pop();
        }
        let at = || {
            key.cloned()
                .unwrap_or_else(|| first_line(self.text, &node.span))
        };
        if self.report_missing {
            for field in obj.fields.iter().filter(|f| f.req == Req::Required) {
                if Some(field.key) == tag {
                    continue;
                }
                if node.get(field.key).is_none() {
                    self.diags.push(Diagnostic::new(
                        Code::MissingKey,
                        at(),
                        format!("Missing required key `{}` in {}", field.key, obj.name),
                    ));
                }
            }
        }
        for rule in obj.rules {
            match *rule {
                ObjRule::ExactlyOne(keys) => {
                    let present: Vec<&str> = keys
                        .iter()
                        .copied()
                        .filter(|k| node.get(k).is_some())
                        .collect();
                    if present.len() > 1 {
                        let second = node
                            .entry(present[1])
                            .map_or_else(at, |e| e.key.span.clone());
                        self.diags.push(Diagnostic::new(
                            Code::ConflictingKeys,
                            second,
                            format!(
                                "Only one of {} may be given; found {}",
                                list_keys(keys),
                                list_keys(&present)
                            ),
                        ));
                    } else if present.is_empty() && self.report_missing {
                        self.diags.push(Diagnostic::new(
                            Code::MissingKey,
                            at(),
                            format!("{} needs one of {}", obj.name, list_keys(keys)),
                        ));
                    }
                }
                ObjRule::AtLeastOne(keys) => {
                    if self.report_missing
                        && !keys
                            .iter()
                            .any(|k| node.get(k).is_some_and(|v| !v.is_null()))
                    {
                        self.diags.push(Diagnostic::new(
                            Code::MissingKey,
                            at(),
                            format!("{} needs at least one of {}", obj.name, list_keys(keys)),
                        ));
                    }
                }
                ObjRule::OnlyWhen {
                    key: k,
                    tag_key,
                    values,
                } => {
                    let (Some(entry), Some(tag_value)) =
                        (node.entry(k), node.get(tag_key).and_then(Node::as_str))
                    else {
                        continue;
                    };
                    if !tag_value.contains("{{") && !values.contains(&tag_value) {
                        self.diags.push(Diagnostic::new(
                            Code::ConflictingKeys,
                            entry.key.span.clone(),
                            format!(
                                "`{k}` is only allowed when `{tag_key}` is {}",
                                values.join(" or ")
                            ),
                        ));
                    }
                }
            }
        }
    }
}

enum Num {
    Int(Option<i64>),
    Float(f64),
}

fn parse_numeric_string(s: &str) -> Option<Num> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Num::Int(t.parse::<i64>().ok()));
    }
    t.parse::<f64>().ok().map(Num::Float)
}

fn describe(node: &Node) -> String {
    match node.as_str() {
        Some(s) if !s.is_empty() => format!("`{s}`"),
        _ => node.type_name().to_string(),
    }
}

fn list_keys(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn extension_required(span: Span, what: &str, ext: Extension) -> Diagnostic {
    Diagnostic::new(
        Code::ExtensionRequired,
        span,
        format!("{what} requires the {ext} extension; add {ext} to `extensions`"),
    )
    .with_fix(Fix::AddExtension(ext))
}

fn is_control(c: char) -> bool {
    c.is_control()
}

/// What is wrong with `value` under `pattern`, if anything.
pub(crate) fn pattern_problem(pattern: Pattern, value: &str) -> Option<String> {
    let ident = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    match pattern {
        Pattern::Any => None,
        Pattern::NoControl => value
            .chars()
            .find(|c| is_control(*c))
            .map(|c| format!("Control character {c:?} is not allowed here")),
        Pattern::NoControlButWhitespace => value
            .chars()
            .find(|c| is_control(*c) && !matches!(c, '\n' | '\r' | '\t'))
            .map(|c| format!("Control character {c:?} is not allowed here")),
        Pattern::Identifier | Pattern::EnvVarName => (!ident(value)).then(|| {
            format!("`{value}` is not a valid name: use letters, digits and `_`, not starting with a digit")
        }),
        Pattern::ExtensionName => (!value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .then(|| format!("`{value}` is not a valid extension name (uppercase letters, digits and `_`)")),
        Pattern::AmountName | Pattern::AttributeName => {
            let prefix = if pattern == Pattern::AmountName { "amount" } else { "attr" };
            let body = match value.split_once(':') {
                Some((ns, rest)) if ident(ns) => rest,
                Some(_) => return Some(format!("`{value}` has an invalid vendor prefix")),
                None => value,
            };
            let mut parts = body.split('.');
            let first = parts.next().unwrap_or("");
            let rest: Vec<&str> = parts.collect();
            if !first.eq_ignore_ascii_case(prefix) || rest.is_empty() || !rest.iter().all(|p| ident(p)) {
                Some(format!(
                    "`{value}` is not a valid capability name; expected `[vendor:]{prefix}.<name>[.<name>…]`"
                ))
            } else {
                None
            }
        }
        Pattern::Filename => {
            if value.contains(['/', '\\', '\0']) || value == "." || value == ".." {
                Some(format!("`{value}` must be a file name without directories"))
            } else {
                value
                    .chars()
                    .find(|c| is_control(*c))
                    .map(|c| format!("Control character {c:?} is not allowed in a file name"))
            }
        }
        Pattern::FileFilterPattern => {
            let ok = value == "*"
                || value == "*.*"
                || value.strip_prefix("*.").is_some_and(|ext| {
                    !ext.is_empty()
                        && !ext.chars().any(|c| {
                            is_control(c) || "/\\*?[]#%&{}<>$!'\":@`|=".contains(c)
                        })
                });
            (!ok).then(|| format!("`{value}` is not a file filter pattern; use `*`, `*.*` or `*.<extension>`"))
        }
        Pattern::AttributeValue => {
            let mut chars = value.chars();
            let ok = chars
                .next()
                .is_none_or(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            (!ok).then(|| {
                format!("`{value}` is not a valid attribute value: use letters, digits, `_` and `-`, starting with a letter or `_`")
            })
        }
        Pattern::Combination => value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || " _*(),".contains(*c)))
            .map(|c| format!("Character {c:?} is not allowed in a combination expression")),
    }
}

/// `steps[i].name` of a job template.
fn is_step_name(path: &Path) -> bool {
    path.len() == 3 && path.key(0) == Some("steps") && path.key(2) == Some("name")
}

/// A step name holding `{{`: the specification allows any 1–64 characters
/// without control characters there (the name is not a format string), and
/// the Python openjd-model accepts it, but the Rust one refuses it.
fn step_name_braces(node: &Node) -> Diagnostic {
    Diagnostic::new(
        Code::ReferenceDisagreement,
        node.span.clone(),
        "The Rust openjd-model (openjd-rs) rejects `{{` in a step name (\"must not contain \
         format string expressions\"); the Python openjd-model (used by Deadline Cloud) accepts \
         it, as the specification does: a step name is any 1–64 characters without control \
         characters, taken literally, not a format string. Tools built on openjd-rs refuse \
         this template; leave out `{{` so that both accept it.",
    )
}

#[cfg(test)]
mod tests {
    use crate::analysis::{Options, analyze};

    #[test]
    fn a_site_keeps_where_its_value_is_written_or_else_a_copy() {
        let text = r#"specificationVersion: jobtemplate-2023-09
name: J
steps:
  - name: S
    script:
      actions:
        onRun:
          command: echo
          args: ["{{Task.File.Run}}", 'it''s', "tab\tbed", plain words,
            "two
            lines"]
      embeddedFiles:
        - name: Run
          type: TEXT
          data: |
            one line {{Session.WorkingDirectory}}
        - name: More
          type: TEXT
          data: |
            first
            second
"#;
        let a = analyze(text, &Options::own());
        let kept: Vec<(&str, bool)> = a
            .fmt_sites
            .iter()
            .map(|fs| {
                let in_source = matches!(fs.value, super::SiteText::Source { .. });
                (fs.value(&a.text), in_source)
            })
            .collect();
        assert_eq!(
            kept,
            [
                ("J", true),
                ("echo", true),
                ("{{Task.File.Run}}", true),
                ("it's", false),
                ("tab\tbed", false),
                ("plain words", true),
                ("two lines", false),
                ("one line {{Session.WorkingDirectory}}\n", true),
                ("first\nsecond\n", false),
            ]
        );
    }
}
