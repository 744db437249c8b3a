//! Rules of a step's `hostRequirements` beyond the shape the schema table
//! checks (§3.1): an amount's `min` at most its `max`, capability names
//! outside the scopes the specification reserves, and the values of its
//! standard attributes. Names and values with `{{ }}` are resolved when the
//! job is created and checked then, as the reference does.

use crate::syntax::Node;

use super::codes::Code;
use super::diagnostic::{Diagnostic, did_you_mean};

/// The standard amount capabilities of 2023-09.
pub(crate) const STANDARD_AMOUNTS: &[&str] = &[
    "amount.worker.vcpu",
    "amount.worker.memory",
    "amount.worker.gpu",
    "amount.worker.gpu.memory",
    "amount.worker.disk.scratch",
];

/// The standard attribute capabilities of 2023-09 and their values.
pub(crate) const STANDARD_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("attr.worker.os.family", &["linux", "windows", "macos"]),
    ("attr.worker.cpu.arch", &["x86_64", "arm64"]),
];

/// The scopes (the segment after `amount.` or `attr.`) that only standard
/// capabilities may use.
pub(crate) const RESERVED_SCOPES: &[&str] = &["worker", "job", "step", "task"];

pub fn check(root: &Node, diags: &mut Vec<Diagnostic>) {
    let steps = root.get("steps").and_then(Node::items).unwrap_or(&[]);
    for step in steps {
        let Some(hr) = step.get("hostRequirements") else {
            continue;
        };
        for amount in hr.get("amounts").and_then(Node::items).unwrap_or(&[]) {
            capability_name(amount, "amount", diags);
            min_max(amount, diags);
        }
        for attr in hr.get("attributes").and_then(Node::items).unwrap_or(&[]) {
            capability_name(attr, "attr", diags);
            standard_values(attr, diags);
        }
    }
}

/// A literal name (no `{{ }}`), if the node is one.
fn literal(node: &Node) -> Option<&str> {
    node.as_str().filter(|s| !s.contains("{{"))
}

fn capability_name(req: &Node, prefix: &str, diags: &mut Vec<Diagnostic>) {
    let Some(name_node) = req.get("name") else {
        return;
    };
    let Some(name) = literal(name_node) else {
        return;
    };
    let lower = name.to_ascii_lowercase();
    let capability = lower
        .split_once(':')
        .map_or(lower.as_str(), |(_, rest)| rest);
    let mut parts = capability.split('.');
    if parts.next() != Some(prefix) {
        // Not a capability name at all: the schema's pattern says so.
        return;
    }
    let Some(scope) = parts.next() else { return };
    if !RESERVED_SCOPES.contains(&scope) {
        return;
    }
    let standard: Vec<&str> = if prefix == "amount" {
        STANDARD_AMOUNTS.to_vec()
    } else {
        STANDARD_ATTRIBUTES.iter().map(|(n, _)| *n).collect()
    };
    if standard.contains(&capability) {
        return;
    }
    let message = format!(
        "`{name}` uses the scope `{scope}`, which is reserved for the specification's own capabilities ({}); use one of those, or name your own capability outside the scopes {} (e.g. `{prefix}.custom.name` or `vendor:{prefix}.name`)",
        standard.join(", "),
        RESERVED_SCOPES.join(", ")
    );
    let d = Diagnostic::new(Code::ReservedCapability, name_node.span.clone(), message);
    diags.push(d);
}

/// An amount's bound as a number: a number, or (FEATURE_BUNDLE_1) a string
/// of one. `None` for a format string, resolved only when the job is created.
fn amount_value(node: &Node) -> Option<f64> {
    use crate::syntax::ScalarKind;
    let s = node.scalar()?;
    let v = match s.kind() {
        ScalarKind::Int(v) => v? as f64,
        ScalarKind::Float(f) => f,
        ScalarKind::Str if !s.value.contains("{{") => s.value.trim().parse().ok()?,
        _ => return None,
    };
    v.is_finite().then_some(v)
}

fn min_max(amount: &Node, diags: &mut Vec<Diagnostic>) {
    let (Some(min_node), Some(max_node)) = (amount.get("min"), amount.get("max")) else {
        return;
    };
    let (Some(min), Some(max)) = (amount_value(min_node), amount_value(max_node)) else {
        return;
    };
    if min > max {
        let text = |n: &Node| n.as_str().unwrap_or_default().trim().to_string();
        let (lo, hi) = (text(min_node), text(max_node));
        diags.push(
            Diagnostic::new(
                Code::MinAboveMax,
                min_node.span.clone(),
                format!("`min` ({lo}) is above `max` ({hi}); lower `min` or raise `max`"),
            )
            .with_related(max_node.span.clone(), format!("`max` is {hi}")),
        );
    }
}

fn standard_values(attr: &Node, diags: &mut Vec<Diagnostic>) {
    let Some(name) = attr.get("name").and_then(literal) else {
        return;
    };
    let lower = name.to_ascii_lowercase();
    let Some((standard, valid)) = STANDARD_ATTRIBUTES.iter().find(|(n, _)| *n == lower) else {
        return;
    };
    for key in ["anyOf", "allOf"] {
        for v in attr.get(key).and_then(Node::items).unwrap_or(&[]) {
            let Some(value) = literal(v) else { continue };
            if valid.iter().any(|ok| ok.eq_ignore_ascii_case(value)) {
                continue;
            }
            let mut d = Diagnostic::new(
                Code::InvalidValue,
                v.span.clone(),
                format!(
                    "`{value}` is not a value of `{standard}`; use one of: {}",
                    valid.join(", ")
                ),
            );
            if let Some(best) = did_you_mean(value, valid.iter().copied()) {
                d.message.push_str(&format!("; did you mean `{best}`?"));
                d = d.with_suggestion(best);
            }
            diags.push(d);
        }
    }
}
