//! Rules between the keys of a job parameter that the schema table cannot
//! express: which user-interface controls need or forbid `allowedValues`.

use crate::syntax::Node;

use super::codes::Code;
use super::diagnostic::Diagnostic;

const BOOLEAN_PAIRS: [(&str, &str); 4] =
    [("true", "false"), ("yes", "no"), ("on", "off"), ("1", "0")];

pub fn check(root: &Node, diags: &mut Vec<Diagnostic>) {
    let params = root
        .get("parameterDefinitions")
        .and_then(Node::items)
        .unwrap_or(&[]);
    for p in params {
        let Some(ty) = p.get("type").and_then(Node::as_str) else {
            continue;
        };
        if !matches!(ty.to_ascii_uppercase().as_str(), "STRING" | "PATH") {
            continue;
        }
        let Some(control) = p.get("userInterface").and_then(|u| u.get("control")) else {
            continue;
        };
        let Some(control_name) = control.as_str() else {
            continue;
        };
        let allowed = p.get("allowedValues");
        let values: Vec<&str> = allowed
            .and_then(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        match control_name {
            "CHECK_BOX" => match allowed {
                None => diags.push(Diagnostic::new(
                    Code::CheckboxValues,
                    control.span.clone(),
                    "A CHECK_BOX needs `allowedValues` with exactly two values forming a pair such as true/false, yes/no, on/off or 1/0",
                )),
                Some(list) if values.len() != 2 => diags.push(Diagnostic::new(
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
                        diags.push(Diagnostic::new(
                            Code::CheckboxValues,
                            list.span.clone(),
                            "The two values of a CHECK_BOX must be a pair such as true/false, yes/no, on/off or 1/0 (any case)",
                        ));
                    }
                }
            },
            "DROPDOWN_LIST" if allowed.is_none() => diags.push(Diagnostic::new(
                Code::DropdownValues,
                control.span.clone(),
                "A DROPDOWN_LIST needs `allowedValues`",
            )),
            "LINE_EDIT" | "MULTILINE_EDIT" | "CHOOSE_INPUT_FILE" | "CHOOSE_OUTPUT_FILE" | "CHOOSE_DIRECTORY" => {
                if let Some(list) = allowed {
                    diags.push(Diagnostic::new(
                        Code::ControlValues,
                        list.span.clone(),
                        format!("A {control_name} control cannot offer `allowedValues`; use DROPDOWN_LIST or remove the list"),
                    ));
                }
            }
            _ => {}
        }
    }
}
