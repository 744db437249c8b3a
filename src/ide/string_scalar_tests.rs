//! Every string field of the schema table, given every plain scalar that
//! one YAML version or the other reads as something else. The verdict
//! follows who of the two newest references refuses it (the Rust
//! openjd-model 0.14 reading YAML 1.2 through serde-saphyr, the Python one
//! reading YAML 1.1 through PyYAML, as checked against both):
//! both → a `wrong-type` error; one → a `reference-disagreement` warning
//! naming it, whose quick fix quotes the value; neither → nothing.
//!
//! Each document holds just the path to the field (a tagged object gets its
//! tag, the document every extension): the other keys it lacks are errors
//! elsewhere, and only the diagnostics on the value are looked at.
//!
//! Null forms are left out: both references take null in an optional field
//! as the field left out, which is not a question of quoting.

use crate::analysis::codes::Code;
use crate::analysis::diagnostic::Severity;
use crate::analysis::{Options, analyze};
use crate::ide::code_actions::code_actions;
use crate::schema::{self, Extension, Ty};
use crate::syntax::Span;

/// What the Rust reference's YAML 1.2 reader makes of a plain scalar.
#[derive(Clone, Copy, PartialEq)]
enum Yaml12 {
    Text,
    /// A number or boolean: its text to a format string, refused elsewhere.
    Value,
}

use Yaml12::{Text, Value};

/// (plain scalar, YAML 1.2 reading, whether PyYAML reads a string).
const FORMS: &[(&str, Yaml12, bool)] = &[
    ("1", Value, false),
    ("-1", Value, false),
    ("+1", Value, false),
    ("0", Value, false),
    ("017", Value, false),
    ("0o17", Value, true),
    ("0x1F", Value, false),
    ("0b101", Value, false),
    ("1_000", Value, false),
    ("08", Value, true),
    ("1.5", Value, false),
    ("-1.5", Value, false),
    ("1.", Value, false),
    (".5", Value, false),
    ("+.5", Value, true),
    ("1e3", Value, true),
    ("1.0e3", Value, true),
    ("1.0e+3", Value, false),
    ("1e+3", Value, true),
    (".inf", Text, false),
    ("-.inf", Text, false),
    ("+.INF", Text, false),
    (".NaN", Text, false),
    ("true", Value, false),
    ("True", Value, false),
    ("FALSE", Value, false),
    ("TrUe", Text, true),
    ("yes", Text, false),
    ("No", Text, false),
    ("ON", Text, false),
    ("off", Text, false),
    ("y", Text, true),
    ("N", Text, true),
    ("NuLL", Text, true),
    ("1:30", Text, false),
    ("-1:30:05", Text, false),
    ("1:30.5", Text, false),
    ("2001-12-14", Text, false),
    ("2001-12-14T21:59:43.10-05:00", Text, false),
    ("2001-12-14 21:59:43.10 -5", Text, false),
];

/// One step of the way to a field: a key (after the tag entry its mapping
/// needs, if any) or a list item.
#[derive(Clone)]
enum Step {
    Key {
        tag: Option<(&'static str, &'static str)>,
        key: &'static str,
    },
    Item,
}

/// A string field: the way to it and whether it is a format string.
struct StringField {
    steps: Vec<Step>,
    format_string: bool,
}

impl StringField {
    fn name(&self) -> String {
        let mut out = String::new();
        for s in &self.steps {
            match s {
                Step::Key { key, .. } => {
                    out.push('.');
                    out.push_str(key);
                }
                Step::Item => out.push_str("[]"),
            }
        }
        out
    }
}

fn string_fields(ty: Ty, steps: &mut Vec<Step>, out: &mut Vec<StringField>) {
    // The schema nests no deeper; this bounds a recursive type too.
    if steps.len() > 16 {
        return;
    }
    let object = |o: &'static schema::Object,
                  tag: Option<(&'static str, &'static str)>,
                  steps: &mut Vec<Step>,
                  out: &mut Vec<StringField>| {
        for f in o.fields {
            if tag.is_some_and(|(t, _)| t == f.key) {
                continue;
            }
            steps.push(Step::Key { tag, key: f.key });
            string_fields(f.ty, steps, out);
            steps.pop();
        }
    };
    match ty {
        Ty::Str(_) | Ty::Fmt(..) => out.push(StringField {
            steps: steps.clone(),
            format_string: matches!(ty, Ty::Fmt(..)),
        }),
        Ty::Object(o) => object(o, None, steps, out),
        Ty::Tagged(t) => {
            for v in t.variants {
                if let Some(tag) = v.tags.first() {
                    object(v.object, Some((t.tag, tag)), steps, out);
                }
            }
        }
        Ty::List(l) => {
            steps.push(Step::Item);
            string_fields(l.item, steps, out);
            steps.pop();
        }
        Ty::EnvVars => {
            steps.push(Step::Key {
                tag: None,
                key: "NAME",
            });
            out.push(StringField {
                steps: steps.clone(),
                format_string: true,
            });
            steps.pop();
        }
        _ => {}
    }
}

/// The document with `value` at the end of `steps`, and where it is.
fn document(header: &str, steps: &[Step], value: &str) -> (String, Span) {
    let mut text = String::from(header);
    let extensions: Vec<&str> = Extension::ALL.iter().map(|e| e.name()).collect();
    text.push_str(&format!("extensions: [{}]\n", extensions.join(", ")));
    let mut indent = 0;
    for (i, step) in steps.iter().enumerate() {
        let pad = " ".repeat(indent);
        match step {
            Step::Key { tag, key } => {
                if let Some((t, v)) = tag {
                    text.push_str(&format!("{pad}{t}: {v}\n"));
                }
                text.push_str(&format!("{pad}{key}:"));
            }
            Step::Item => text.push_str(&format!("{pad}-")),
        }
        if i + 1 < steps.len() {
            text.push('\n');
            indent += 2;
        }
    }
    text.push(' ');
    let start = text.len();
    text.push_str(value);
    let span = start..text.len();
    text.push('\n');
    (text, span)
}

fn all_string_fields() -> Vec<(&'static str, StringField)> {
    let mut out = Vec::new();
    for (header, root) in [
        (
            "specificationVersion: jobtemplate-2023-09\n",
            &schema::JOB_TEMPLATE,
        ),
        (
            "specificationVersion: environment-2023-09\n",
            &schema::ENVIRONMENT_TEMPLATE,
        ),
    ] {
        let mut fields = Vec::new();
        string_fields(Ty::Object(root), &mut Vec::new(), &mut fields);
        out.extend(fields.into_iter().map(|f| (header, f)));
    }
    out
}

#[test]
fn the_table_has_string_fields_of_both_kinds() {
    let fields = all_string_fields();
    let names: Vec<String> = fields.iter().map(|(_, f)| f.name()).collect();
    for wanted in [
        ".steps[].script.actions.onRun.command",
        ".steps[].script.actions.onRun.args[]",
        ".description",
        ".parameterDefinitions[].default",
        ".parameterDefinitions[].allowedValues[]",
        ".steps[].script.embeddedFiles[].data",
        ".environment.variables.NAME",
    ] {
        assert!(
            names.iter().any(|n| n == wanted),
            "{wanted} not in {names:?}"
        );
    }
    assert!(fields.iter().any(|(_, f)| f.format_string));
    assert!(fields.iter().any(|(_, f)| !f.format_string));
}

#[test]
fn every_string_field_takes_a_plain_scalar_as_the_references_do() {
    let mut failures = Vec::new();
    let mut warned = 0;
    for (header, field) in all_string_fields() {
        for &(form, yaml12, pyyaml_string) in FORMS {
            let rust_rejects = yaml12 == Value && !field.format_string;
            let python_rejects = !pyyaml_string;
            let (text, span) = document(header, &field.steps, form);
            let a = analyze(&text, &Options::own());
            let on_value: Vec<_> = a
                .diagnostics
                .iter()
                .enumerate()
                .filter(|(_, d)| d.span == span)
                .filter(|(_, d)| matches!(d.code, Code::WrongType | Code::ReferenceDisagreement))
                .collect();
            let place = format!("`{form}` at {}", field.name());
            match (rust_rejects, python_rejects) {
                (true, true) => {
                    if !matches!(on_value.as_slice(), [(_, d)] if d.code == Code::WrongType && d.severity == Severity::Error)
                    {
                        failures.push(format!(
                            "{place}: want a wrong-type error, got {on_value:?}"
                        ));
                    }
                }
                (false, false) => {
                    if !on_value.is_empty() {
                        failures.push(format!("{place}: want nothing, got {on_value:?}"));
                    }
                }
                (rust, _) => {
                    let who = if rust {
                        "The Rust openjd-model"
                    } else {
                        "The Python openjd-model"
                    };
                    let Some((i, d)) = on_value.first() else {
                        failures.push(format!("{place}: want a warning, got nothing"));
                        continue;
                    };
                    if on_value.len() != 1
                        || d.code != Code::ReferenceDisagreement
                        || d.severity != Severity::Warning
                        || !d.message.starts_with(who)
                    {
                        failures.push(format!(
                            "{place}: want a warning naming {who}, got {on_value:?}"
                        ));
                        continue;
                    }
                    warned += 1;
                    let quoted = format!("'{form}'");
                    let fixes = code_actions(&a, span.clone());
                    let fix = fixes.iter().find(|c| c.diagnostic == *i);
                    if fix.map(|c| &c.edits) != Some(&vec![(span.clone(), quoted.clone())]) {
                        failures.push(format!("{place}: want a fix quoting it, got {fix:?}"));
                        continue;
                    }
                    let mut fixed = text.clone();
                    fixed.replace_range(span.clone(), &quoted);
                    let after = analyze(&fixed, &Options::own());
                    let quoted_span = span.start..span.start + quoted.len();
                    if let Some(d) = after.diagnostics.iter().find(|d| {
                        d.span == quoted_span
                            && matches!(d.code, Code::WrongType | Code::ReferenceDisagreement)
                    }) {
                        failures.push(format!("{place}: quoted, still {d:?}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(warned > 0);
}
