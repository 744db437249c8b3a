//! Rules between the keys of a job parameter that the schema table cannot
//! express: which user-interface controls need or forbid `allowedValues`
//! and which keys each control uses, and whether the parameter's own values
//! (its `default`, its `allowedValues`, the items of a list default) meet
//! its own constraints (`allowedValues`, `minValue`/`maxValue`,
//! `minLength`/`maxLength`, the `item` constraints of a list).
//!
//! The rules are those of the specification (§2: "`default` must satisfy
//! all constraints"), as the newest reference implementation applies them.
//! Each problem is reported on the value or key that breaks the rule.

use std::fmt::Display;

use crate::syntax::{Node, ScalarKind, ScalarMap, Span};

use super::codes::Code;
use super::diagnostic::Diagnostic;

const BOOLEAN_PAIRS: [(&str, &str); 4] =
    [("true", "false"), ("yes", "no"), ("on", "off"), ("1", "0")];

pub fn check(text: &str, root: &Node, diags: &mut Vec<Diagnostic>) {
    let params = root
        .get("parameterDefinitions")
        .and_then(Node::items)
        .unwrap_or(&[]);
    for p in params {
        let Some(ty) = p.get("type").and_then(Node::as_str) else {
            continue;
        };
        let ty = ty.to_ascii_uppercase();
        let mut param = Param {
            text,
            node: p,
            diags,
        };
        match ty.as_str() {
            "STRING" | "PATH" => {
                param.controls(&ty);
                param.string_values();
                if ty == "PATH" {
                    param.file_filters();
                }
            }
            "INT" | "FLOAT" => {
                param.controls(&ty);
                param.null_allowed_values();
                if ty == "INT" {
                    param.number_values(int, true);
                } else {
                    param.number_values(float, false);
                }
                param.spin_box_keys(&ty);
            }
            "RANGE_EXPR" => param.range_default(),
            "LIST[STRING]" | "LIST[PATH]" => param.string_list(),
            "LIST[INT]" => param.number_list(int, true),
            "LIST[FLOAT]" => param.number_list(float, false),
            "LIST[BOOL]" => {
                param.list_count();
            }
            "LIST[LIST[INT]]" => param.list_of_lists(),
            _ => {}
        }
    }
}

/// An integer as INT parameters read it: a number with no fraction, or a
/// string of one.
fn int(node: &Node) -> Option<i64> {
    let s = node.scalar()?;
    match s.kind() {
        ScalarKind::Int(v) => v,
        ScalarKind::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(f as i64),
        ScalarKind::Str => s.value.trim().parse().ok(),
        _ => None,
    }
}

/// A number as FLOAT parameters read it: a finite number, or a string of one.
fn float(node: &Node) -> Option<f64> {
    let s = node.scalar()?;
    let f = match s.kind() {
        ScalarKind::Int(v) => v? as f64,
        ScalarKind::Float(f) => f,
        ScalarKind::Str => s.value.trim().parse().ok()?,
        _ => return None,
    };
    f.is_finite().then_some(f)
}

/// A length (`minLength`, `maxLength`): a non-negative integer.
fn length(node: &Node) -> Option<usize> {
    match node.scalar()?.kind() {
        ScalarKind::Int(Some(n)) => usize::try_from(n).ok(),
        _ => None,
    }
}

/// A value as written, for messages.
fn text(node: &Node) -> String {
    node.scalar()
        .map_or_else(|| node.type_name().to_string(), |s| s.value.to_string())
}

/// The number of characters of a string value, or `None` for another kind.
fn chars(node: &Node) -> Option<usize> {
    let s = node.scalar()?;
    (s.kind() == ScalarKind::Str).then(|| s.value.chars().count())
}

/// The items of a list of values (`allowedValues`), if it is one.
fn list_of(node: Option<&Node>) -> Option<Vec<&Node>> {
    Some(node?.items()?.iter().collect())
}

/// Is `value` one of `allowed`, read by `read`? Yes when either cannot be
/// read: a value of the wrong type is the structural pass's to report.
fn member<'n, T: PartialEq>(
    value: &'n Node,
    allowed: &[&'n Node],
    read: impl Fn(&'n Node) -> Option<T>,
) -> bool {
    let Some(v) = read(value) else { return true };
    let mut values = Vec::with_capacity(allowed.len());
    for a in allowed {
        match read(a) {
            Some(a) => values.push(a),
            None => return true,
        }
    }
    values.contains(&v)
}

/// The key's span when the value has none to show (`key:` with nothing).
fn place(p: &Node, key: &str) -> Option<Span> {
    let e = p.entry(key)?;
    Some(if e.value.span.is_empty() {
        e.key.span.clone()
    } else {
        e.value.span.clone()
    })
}

struct Param<'a> {
    text: &'a str,
    node: &'a Node,
    diags: &'a mut Vec<Diagnostic>,
}

impl<'a> Param<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        let node: &'a Node = self.node;
        node.get(key).filter(|v| !v.is_null())
    }

    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Which controls need or forbid `allowedValues`.
    fn controls(&mut self, ty: &str) {
        let Some(control) = self
            .node
            .get("userInterface")
            .and_then(|u| u.get("control"))
        else {
            return;
        };
        let Some(control_name) = control.as_str() else {
            return;
        };
        let allowed = self.get("allowedValues");
        let values: Vec<&str> = allowed
            .and_then(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        let text_type = matches!(ty, "STRING" | "PATH");
        match control_name {
            "CHECK_BOX" if text_type => match allowed {
                None => self.push(Diagnostic::new(
                    Code::CheckboxValues,
                    control.span.clone(),
                    "A CHECK_BOX needs `allowedValues` with exactly two values forming a pair such as true/false, yes/no, on/off or 1/0",
                )),
                Some(list) if values.len() != 2 => self.push(Diagnostic::new(
                    Code::CheckboxValues,
                    list.span.clone(),
                    format!("A CHECK_BOX needs exactly two allowed values, found {}", values.len()),
                )),
                Some(list) => {
                    let a = values[0].to_ascii_lowercase();
                    let b = values[1].to_ascii_lowercase();
                    let pair = BOOLEAN_PAIRS
                        .iter()
                        .any(|(t, f)| (a == *t && b == *f) || (a == *f && b == *t));
                    if !pair {
                        self.push(Diagnostic::new(
                            Code::CheckboxValues,
                            list.span.clone(),
                            "The two values of a CHECK_BOX must be a pair such as true/false, yes/no, on/off or 1/0 (any case)",
                        ));
                    }
                }
            },
            "DROPDOWN_LIST" if allowed.is_none() => self.push(Diagnostic::new(
                Code::DropdownValues,
                control.span.clone(),
                "A DROPDOWN_LIST needs `allowedValues`",
            )),
            "LINE_EDIT" | "MULTILINE_EDIT" | "CHOOSE_INPUT_FILE" | "CHOOSE_OUTPUT_FILE"
            | "CHOOSE_DIRECTORY"
                if text_type =>
            {
                if let Some(list) = allowed {
                    self.push(Diagnostic::new(
                        Code::ControlValues,
                        list.span.clone(),
                        format!("A {control_name} control cannot offer `allowedValues`; use DROPDOWN_LIST or remove the list"),
                    ));
                }
            }
            "SPIN_BOX" if !text_type => {
                if let Some(list) = allowed {
                    self.push(Diagnostic::new(
                        Code::ControlValues,
                        list.span.clone(),
                        "A SPIN_BOX control cannot offer `allowedValues`; use DROPDOWN_LIST or remove the list",
                    ));
                }
            }
            _ => {}
        }
    }

    /// The control in effect: the one written, or the default the
    /// specification gives, with the reason for a default.
    fn control(
        &self,
        default: impl FnOnce(bool) -> &'static str,
    ) -> Option<(String, &'static str)> {
        match self.node.get("userInterface")?.get("control") {
            Some(c) => Some((c.as_str()?.to_string(), "")),
            None => {
                let allowed = self.get("allowedValues").is_some();
                let why = if allowed {
                    " (the default control of a parameter with `allowedValues`)"
                } else {
                    " (the default control)"
                };
                Some((default(allowed).to_string(), why))
            }
        }
    }

    /// `decimals` and `singleStepDelta` belong to a SPIN_BOX (§2.3, §2.4).
    fn spin_box_keys(&mut self, ty: &str) {
        let Some(ui) = self.node.get("userInterface") else {
            return;
        };
        let Some((control, why)) =
            self.control(|allowed| if allowed { "DROPDOWN_LIST" } else { "SPIN_BOX" })
        else {
            return;
        };
        if !matches!(control.as_str(), "DROPDOWN_LIST" | "HIDDEN") {
            return;
        }
        let keys: &[&str] = if ty == "FLOAT" {
            &["decimals", "singleStepDelta"]
        } else {
            &["singleStepDelta"]
        };
        for key in keys {
            if let Some(e) = ui.entry(key).filter(|e| !e.value.is_null()) {
                let span = e.key.span.clone();
                self.push(Diagnostic::new(
                    Code::ControlKey,
                    span,
                    format!(
                        "`{key}` is used only by a SPIN_BOX, and this parameter's control is {control}{why}; remove `{key}` or make the control SPIN_BOX"
                    ),
                ));
            }
        }
    }

    /// `fileFilters` and `fileFilterDefault` belong to the file choosers (§2.2).
    fn file_filters(&mut self) {
        let Some(ui) = self.node.get("userInterface") else {
            return;
        };
        let object_file = self.get("objectType").and_then(Node::as_str) == Some("FILE");
        let data_out = self.get("dataFlow").and_then(Node::as_str) == Some("OUT");
        let Some((control, why)) = self.control(|allowed| {
            if allowed {
                "DROPDOWN_LIST"
            } else if object_file && data_out {
                "CHOOSE_OUTPUT_FILE"
            } else if object_file {
                "CHOOSE_INPUT_FILE"
            } else {
                "CHOOSE_DIRECTORY"
            }
        }) else {
            return;
        };
        if matches!(control.as_str(), "CHOOSE_INPUT_FILE" | "CHOOSE_OUTPUT_FILE") {
            return;
        }
        for key in ["fileFilters", "fileFilterDefault"] {
            if let Some(e) = ui.entry(key).filter(|e| !e.value.is_null()) {
                let span = e.key.span.clone();
                self.push(Diagnostic::new(
                    Code::ControlKey,
                    span,
                    format!(
                        "`{key}` is used only by the file choosers CHOOSE_INPUT_FILE and CHOOSE_OUTPUT_FILE, and this parameter's control is {control}{why}; remove `{key}` or choose a file (`objectType: FILE`)"
                    ),
                ));
            }
        }
    }

    /// `allowedValues: null` is not a list (the reference refuses it for
    /// INT and FLOAT parameters rather than reading it as absent).
    fn null_allowed_values(&mut self) {
        if let Some(e) = self
            .node
            .entry("allowedValues")
            .filter(|e| e.value.is_null())
        {
            let span = place(self.node, "allowedValues").unwrap_or_else(|| e.key.span.clone());
            self.push(Diagnostic::new(
                Code::WrongType,
                span,
                "`allowedValues` must be a list of values, not null; list at least one value or remove the key",
            ));
        }
    }

    /// `minLength` ≤ `maxLength`, and the default and allowed values of a
    /// STRING or PATH parameter within them and among the allowed values.
    fn string_values(&mut self) {
        let min = self.get("minLength").and_then(length);
        let max = self.get("maxLength").and_then(length);
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.min_above_max("minLength", "maxLength", &lo, &hi);
        }
        let allowed = list_of(self.get("allowedValues"));
        for v in allowed.iter().flatten() {
            self.length_of(v, "An allowed value", min, max);
        }
        if let Some(default) = self.get("default") {
            self.length_of(default, "The default", min, max);
            if let Some(allowed) = &allowed
                && !member(default, allowed, |n| n.scalar().map(|s| s.value.as_str()))
            {
                self.not_allowed(default, "The default", allowed, "allowedValues");
            }
        }
    }

    /// `minValue` ≤ `maxValue`; the default within them and among the
    /// allowed values; FLOAT allowed values within them too.
    fn number_values<T: PartialOrd + Copy + Display>(
        &mut self,
        read: fn(&Node) -> Option<T>,
        int: bool,
    ) {
        let min = self.get("minValue").and_then(read);
        let max = self.get("maxValue").and_then(read);
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.min_above_max("minValue", "maxValue", &lo, &hi);
        }
        let allowed = list_of(self.get("allowedValues"));
        if !int {
            for v in allowed.iter().flatten() {
                self.bounds(
                    v,
                    read,
                    "An allowed value",
                    min,
                    max,
                    "minValue",
                    "maxValue",
                );
            }
        }
        if let Some(default) = self.get("default") {
            self.bounds(
                default,
                read,
                "The default",
                min,
                max,
                "minValue",
                "maxValue",
            );
            if let Some(allowed) = &allowed
                && !member(default, allowed, read)
            {
                self.not_allowed(default, "The default", allowed, "allowedValues");
            }
        }
    }

    /// A RANGE_EXPR default must be a range expression.
    fn range_default(&mut self) {
        let Some(default) = self.get("default") else {
            return;
        };
        let Some(s) = default.scalar().filter(|s| s.kind() == ScalarKind::Str) else {
            return;
        };
        if let Err(p) = super::range_expr::check(&s.value) {
            let map = ScalarMap::new(self.text, &default.span, s.style, &s.value);
            let at = map.range_to_source(p.at);
            self.push(Diagnostic::new(
                Code::InvalidRange,
                at,
                format!(
                    "The default is not a range expression: {}; write it like `1-10`, `1-100:5` or `1,3,5`",
                    p.message
                ),
            ));
        }
    }

    /// The number of items of a list default within `minLength`/`maxLength`.
    fn list_count(&mut self) -> Option<&'a [Node]> {
        let min = self.get("minLength").and_then(length);
        let max = self.get("maxLength").and_then(length);
        let default = self.get("default")?;
        let items = default.items()?;
        self.count_of(default, items.len(), "The default", min, max);
        Some(items)
    }

    fn string_list(&mut self) {
        let Some(items) = self.list_count() else {
            return;
        };
        let item = self.get("item");
        let allowed = list_of(item.and_then(|i| i.get("allowedValues")));
        let min = item.and_then(|i| i.get("minLength")).and_then(length);
        let max = item.and_then(|i| i.get("maxLength")).and_then(length);
        for v in items {
            if let Some(allowed) = &allowed
                && !member(v, allowed, |n| n.scalar().map(|s| s.value.as_str()))
            {
                self.not_allowed(v, "This item of the default", allowed, "item.allowedValues");
            }
            self.length_of_item(v, min, max);
        }
    }

    fn number_list<T: PartialOrd + Copy + Display>(
        &mut self,
        read: fn(&Node) -> Option<T>,
        int: bool,
    ) {
        let Some(items) = self.list_count() else {
            return;
        };
        let Some(item) = self.get("item") else {
            return;
        };
        self.number_items(items, item, read, int, "item");
    }

    fn list_of_lists(&mut self) {
        let Some(items) = self.list_count() else {
            return;
        };
        let Some(item) = self.get("item") else {
            return;
        };
        let min = item.get("minLength").and_then(length);
        let max = item.get("maxLength").and_then(length);
        for inner in items {
            let Some(values) = inner.items() else {
                continue;
            };
            self.count_of(inner, values.len(), "This inner list", min, max);
            if let Some(inner_item) = item.get("item") {
                self.number_items(values, inner_item, int, true, "item.item");
            }
        }
    }

    /// Items of a list default against the `item` constraints at `at`.
    /// The reference checks `allowedValues` of integer items only.
    fn number_items<T: PartialOrd + Copy + Display>(
        &mut self,
        items: &[Node],
        item: &Node,
        read: fn(&Node) -> Option<T>,
        int: bool,
        at: &str,
    ) {
        let min = item.get("minValue").and_then(read);
        let max = item.get("maxValue").and_then(read);
        let allowed = list_of(item.get("allowedValues")).filter(|_| int);
        let (min_key, max_key) = (format!("{at}.minValue"), format!("{at}.maxValue"));
        for v in items {
            self.bounds(
                v,
                read,
                "This item of the default",
                min,
                max,
                &min_key,
                &max_key,
            );
            if let Some(allowed) = &allowed
                && !member(v, allowed, read)
            {
                self.not_allowed(
                    v,
                    "This item of the default",
                    allowed,
                    &format!("{at}.allowedValues"),
                );
            }
        }
    }

    fn min_above_max(&mut self, lo_key: &str, hi_key: &str, lo: &dyn Display, hi: &dyn Display) {
        let (Some(lo_span), Some(hi_span)) = (place(self.node, lo_key), place(self.node, hi_key))
        else {
            return;
        };
        self.push(
            Diagnostic::new(
                Code::MinAboveMax,
                lo_span,
                format!("`{lo_key}` ({lo}) is above `{hi_key}` ({hi}); lower `{lo_key}` or raise `{hi_key}`"),
            )
            .with_related(hi_span, format!("`{hi_key}` is {hi}")),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn bounds<T: PartialOrd + Copy + Display>(
        &mut self,
        node: &Node,
        read: fn(&Node) -> Option<T>,
        what: &str,
        min: Option<T>,
        max: Option<T>,
        min_key: &str,
        max_key: &str,
    ) {
        let Some(v) = read(node) else { return };
        let value = text(node);
        if let Some(lo) = min.filter(|lo| v < *lo) {
            self.push(Diagnostic::new(
                Code::ValueOutOfBounds,
                node.span.clone(),
                format!("{what} {value} is below `{min_key}` {lo}; use a value of at least {lo}, or lower `{min_key}`"),
            ));
        }
        if let Some(hi) = max.filter(|hi| v > *hi) {
            self.push(Diagnostic::new(
                Code::ValueOutOfBounds,
                node.span.clone(),
                format!("{what} {value} is above `{max_key}` {hi}; use a value of at most {hi}, or raise `{max_key}`"),
            ));
        }
    }

    fn not_allowed(&mut self, node: &Node, what: &str, allowed: &[&Node], key: &str) {
        const SHOWN: usize = 10;
        let mut list: Vec<String> = allowed
            .iter()
            .take(SHOWN)
            .map(|a| format!("`{}`", text(a)))
            .collect();
        if allowed.len() > SHOWN {
            list.push("…".into());
        }
        self.push(Diagnostic::new(
            Code::ValueNotAllowed,
            node.span.clone(),
            format!(
                "{what} `{}` is not one of `{key}` ({}); use one of them, or add it to `{key}`",
                text(node),
                list.join(", ")
            ),
        ));
    }

    fn length_of(&mut self, node: &Node, what: &str, min: Option<usize>, max: Option<usize>) {
        let Some(n) = chars(node) else { return };
        self.count_of(node, n, what, min, max);
    }

    fn length_of_item(&mut self, node: &Node, min: Option<usize>, max: Option<usize>) {
        let Some(n) = chars(node) else { return };
        self.count_with_keys(
            node,
            n,
            "This item of the default",
            min,
            max,
            "item.minLength",
            "item.maxLength",
            "characters",
        );
    }

    fn count_of(
        &mut self,
        node: &Node,
        n: usize,
        what: &str,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let unit = if node.items().is_some() {
            "items"
        } else {
            "characters"
        };
        self.count_with_keys(node, n, what, min, max, "minLength", "maxLength", unit);
    }

    #[allow(clippy::too_many_arguments)]
    fn count_with_keys(
        &mut self,
        node: &Node,
        n: usize,
        what: &str,
        min: Option<usize>,
        max: Option<usize>,
        min_key: &str,
        max_key: &str,
        unit: &str,
    ) {
        let span = node.span.clone();
        if let Some(lo) = min.filter(|lo| n < *lo) {
            let fix = if unit == "items" {
                "add items"
            } else {
                "lengthen it"
            };
            self.push(Diagnostic::new(
                Code::ValueLength,
                span.clone(),
                format!("{what} has {n} {unit}, fewer than `{min_key}` {lo}; {fix}, or lower `{min_key}`"),
            ));
        }
        if let Some(hi) = max.filter(|hi| n > *hi) {
            let fix = if unit == "items" {
                "remove items"
            } else {
                "shorten it"
            };
            self.push(Diagnostic::new(
                Code::ValueLength,
                span,
                format!(
                    "{what} has {n} {unit}, more than `{max_key}` {hi}; {fix}, or raise `{max_key}`"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(params: &str) -> Vec<(String, Code)> {
        let text = format!("parameterDefinitions:\n{params}");
        let root = crate::syntax::parse(&text).root.expect("parses");
        let mut diags = Vec::new();
        check(&text, &root, &mut diags);
        diags
            .into_iter()
            .map(|d| (text[d.span.clone()].to_string(), d.code))
            .collect()
    }

    #[test]
    fn values_that_meet_their_constraints_are_accepted() {
        for ok in [
            // Numbers written as strings compare by value.
            "- {name: A, type: INT, default: \"2\", allowedValues: [1, 2]}\n",
            "- {name: A, type: FLOAT, default: 1, allowedValues: [0.5, 1.0]}\n",
            "- {name: A, type: INT, default: 5, minValue: 5, maxValue: 5}\n",
            // INT allowed values are not held to the bounds (as the reference).
            "- {name: A, type: INT, allowedValues: [1, 99], maxValue: 10}\n",
            "- {name: A, type: STRING, default: ab, minLength: 2, maxLength: 2}\n",
            // The default control of a FLOAT without allowedValues is a SPIN_BOX.
            "- {name: A, type: FLOAT, userInterface: {decimals: 2, singleStepDelta: 0.5}}\n",
            // A FILE path's default control is a file chooser.
            "- {name: A, type: PATH, objectType: FILE, userInterface: {fileFilters: [{label: A, patterns: ['*']}]}}\n",
            "- {name: A, type: RANGE_EXPR, default: \"1-10:2,20\"}\n",
            "- {name: A, type: \"LIST[INT]\", default: [1, 2], maxLength: 2, item: {minValue: 1, allowedValues: [1, 2]}}\n",
            "- {name: A, type: \"LIST[LIST[INT]]\", default: [[1], [2, 3]], item: {maxLength: 2, item: {maxValue: 3}}}\n",
            // A value of the wrong type is the structural pass's to report.
            "- {name: A, type: INT, default: many, allowedValues: [1]}\n",
        ] {
            assert_eq!(codes(ok), vec![], "{ok}");
        }
    }

    #[test]
    fn list_items_are_held_to_the_item_constraints() {
        assert_eq!(
            codes(
                "- {name: A, type: \"LIST[LIST[INT]]\", default: [[1], [2, 3, 4]], item: {maxLength: 2, item: {maxValue: 3}}}\n"
            ),
            [
                ("[2, 3, 4]".to_string(), Code::ValueLength),
                ("4".to_string(), Code::ValueOutOfBounds)
            ]
        );
        assert_eq!(
            codes("- {name: A, type: \"LIST[STRING]\", default: [abc], item: {maxLength: 2}}\n"),
            [("abc".to_string(), Code::ValueLength)]
        );
    }
}
