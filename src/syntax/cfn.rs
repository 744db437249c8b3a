//! OpenJD environment templates embedded in CloudFormation templates: each
//! `AWS::Deadline::QueueEnvironment` resource holds one as a string in
//! `Properties.Template`, often a block scalar under `!Sub`. This module
//! finds them and maps every offset of the embedded text to the exact place
//! in the CloudFormation file it came from.
//!
//! Under `!Sub` (or `Fn::Sub`), `${Name}` is a CloudFormation substitution:
//! it stays in the embedded text as written and is recorded, so later
//! layers can treat it as opaque; `${!Literal}` is the literal text
//! `${Literal}`, so its `!` is left out of the embedded text.

use super::scalar_map::ScalarMap;
use super::tree::{Node, NodeKind, Span};

pub(crate) const QUEUE_ENVIRONMENT_TYPE: &str = "AWS::Deadline::QueueEnvironment";

/// How a resource's `QueueId` names its queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueueRef {
    /// `!Ref Queue`, `!GetAtt Queue.QueueId` and their long forms: the
    /// logical id of a queue in the same template.
    Resource(String),
    /// A literal id or anything else.
    Other,
}

/// One embedded environment template.
#[derive(Debug)]
pub struct Embedded {
    /// The resource's logical id.
    pub logical_id: String,
    pub logical_id_span: Span,
    pub queue: QueueRef,
    /// `Properties.Priority`, when it is an integer.
    pub priority: Option<i64>,
    /// `Properties.TemplateType` as written (YAML or JSON).
    pub template_type: Option<String>,
    /// The embedded template's text, with `${!X}` turned into `${X}`.
    pub text: String,
    /// The string node in the host file.
    pub span: Span,
    /// How the string is written (a block scalar, a JSON string...).
    pub style: super::ScalarStyle,
    /// `${Name}` substitutions, as ranges of `text`.
    pub substitutions: Vec<std::ops::Range<usize>>,
    map: ScalarMap,
    /// Offsets in the string's value of each `!` left out of `text`.
    removed: Vec<usize>,
}

impl Embedded {
    /// Offset in the string's value of an offset in `text`.
    fn to_value(&self, offset: usize) -> usize {
        // The k-th removed `!` sits at `removed[k] - k` in `text`.
        let shifted = self
            .removed
            .iter()
            .enumerate()
            .take_while(|(k, r)| **r - k <= offset)
            .count();
        offset + shifted
    }

    fn text_offset_of(&self, value_offset: usize) -> usize {
        value_offset - self.removed.iter().filter(|r| **r < value_offset).count()
    }

    /// The host offset of a cursor position in `text`.
    pub(crate) fn to_host(&self, offset: usize) -> usize {
        self.map.to_source(self.to_value(offset))
    }

    /// The host range of a range of `text`.
    pub(crate) fn range_to_host(&self, range: std::ops::Range<usize>) -> Span {
        if range.is_empty() {
            let at = self.to_host(range.start);
            return at..at;
        }
        let start = self.to_value(range.start);
        let end = self.to_value(range.end - 1) + 1;
        self.map.range_to_source(start..end)
    }

    /// The offset in `text` of a host offset inside the string.
    pub fn from_host(&self, host_offset: usize) -> Option<usize> {
        if host_offset < self.span.start || host_offset > self.span.end {
            return None;
        }
        Some(self.text_offset_of(self.map.from_source(host_offset)))
    }

    /// Whether a range of `text` touches a `${Name}` substitution.
    pub(crate) fn touches_substitution(&self, range: &std::ops::Range<usize>) -> bool {
        self.substitutions
            .iter()
            .any(|s| range.start < s.end && s.start < range.end.max(range.start + 1))
    }
}

/// Whether `text` may hold queue environments (a cheap test before parsing).
pub(crate) fn might_hold(text: &str) -> bool {
    text.contains(QUEUE_ENVIRONMENT_TYPE)
}

/// Whether a parsed document is a CloudFormation template.
pub(crate) fn is_cloudformation(root: &Node) -> bool {
    root.get("Resources").is_some_and(|r| r.entries().is_some())
        || root.get("AWSTemplateFormatVersion").is_some()
}

/// The queue environments of a CloudFormation template, in document order.
pub fn find(text: &str, root: &Node) -> Vec<Embedded> {
    let Some(resources) = root.get("Resources").and_then(Node::entries) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter_map(|e| {
            let res = &e.value;
            if res.get("Type").and_then(Node::as_str) != Some(QUEUE_ENVIRONMENT_TYPE) {
                return None;
            }
            let props = res.get("Properties")?;
            let (node, sub) = template_string(props.get("Template")?)?;
            let s = node.scalar()?;
            let (text_, removed, substitutions) = if sub {
                substitute(&s.value)
            } else {
                (s.value.to_string(), Vec::new(), Vec::new())
            };
            Some(Embedded {
                logical_id: e.key.as_str()?.to_string(),
                logical_id_span: e.key.span.clone(),
                queue: props.get("QueueId").map_or(QueueRef::Other, queue_ref),
                priority: props
                    .get("Priority")
                    .and_then(|p| match p.scalar()?.kind() {
                        super::ScalarKind::Int(n) => n,
                        super::ScalarKind::Str => p.as_str()?.trim().parse().ok(),
                        _ => None,
                    }),
                template_type: props
                    .get("TemplateType")
                    .and_then(Node::as_str)
                    .map(str::to_string),
                text: text_,
                span: node.span.clone(),
                style: s.style,
                substitutions,
                map: ScalarMap::new(text, &node.span, s.style, &s.value),
                removed,
            })
        })
        .collect()
}

/// The string node holding the template, and whether it is under `Sub`.
fn template_string(node: &Node) -> Option<(&Node, bool)> {
    match &node.kind {
        NodeKind::Scalar(s) => {
            let sub = s.tag() == Some("!Sub");
            Some((node, sub))
        }
        // `!Sub [string, {vars}]`: the short form's tag is not kept on
        // sequences, but only `Sub` takes a string and a mapping.
        NodeKind::Sequence(items) => match items.as_slice() {
            [first] | [first, _] if first.scalar().is_some() => {
                let vars_ok = items.get(1).is_none_or(|v| v.entries().is_some());
                vars_ok.then_some((first, true))
            }
            _ => None,
        },
        NodeKind::Mapping(entries) if entries.len() == 1 => {
            let inner = node.get("Fn::Sub")?;
            let (n, _) = template_string(inner)?;
            Some((n, true))
        }
        NodeKind::Mapping(_) => None,
    }
}

fn queue_ref(node: &Node) -> QueueRef {
    let logical = |s: &str| s.split('.').next().unwrap_or(s).to_string();
    if let Some(s) = node.scalar() {
        return match s.tag() {
            Some("!Ref") => QueueRef::Resource(s.value.to_string()),
            Some("!GetAtt") => QueueRef::Resource(logical(&s.value)),
            _ => QueueRef::Other,
        };
    }
    if let Some(items) = node.items() {
        // `!GetAtt [Queue, QueueId]`
        return match items.first().and_then(Node::as_str) {
            Some(id) if items.len() == 2 => QueueRef::Resource(id.to_string()),
            _ => QueueRef::Other,
        };
    }
    if let Some(id) = node.get("Ref").and_then(Node::as_str) {
        return QueueRef::Resource(id.to_string());
    }
    if let Some(att) = node.get("Fn::GetAtt") {
        if let Some(s) = att.as_str() {
            return QueueRef::Resource(logical(s));
        }
        if let Some(id) = att.items().and_then(|i| i.first()).and_then(Node::as_str) {
            return QueueRef::Resource(id.to_string());
        }
    }
    QueueRef::Other
}

/// `Fn::Sub` text: the embedded text, the value offsets of the `!`s left
/// out, and the substitutions' ranges in the embedded text.
fn substitute(value: &str) -> (String, Vec<usize>, Vec<std::ops::Range<usize>>) {
    let mut out = String::with_capacity(value.len());
    let mut removed = Vec::new();
    let mut subs = Vec::new();
    let mut rest = 0;
    let bytes = value.as_bytes();
    let mut i = 0;
    while let Some(found) = value[i..].find("${") {
        let at = i + found;
        if bytes.get(at + 2) == Some(&b'!') {
            out.push_str(&value[rest..at + 2]);
            removed.push(at + 2);
            rest = at + 3;
            i = at + 3;
            continue;
        }
        match value[at..].find('}') {
            Some(close) => {
                out.push_str(&value[rest..at]);
                let start = out.len();
                out.push_str(&value[at..at + close + 1]);
                subs.push(start..out.len());
                rest = at + close + 1;
                i = rest;
            }
            None => break,
        }
    }
    out.push_str(&value[rest..]);
    (out, removed, subs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    const FARM: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  ProdQueue:
    Type: AWS::Deadline::Queue
  CondaEnv:
    Type: AWS::Deadline::QueueEnvironment
    Properties:
      QueueId: !GetAtt ProdQueue.QueueId
      Priority: 10
      TemplateType: YAML
      Template: !Sub |
        specificationVersion: 'environment-2023-09'
        environment:
          name: Conda-${AWS::Region}
          script:
            actions:
              onEnter:
                command: echo ${!HOME} {{Param.X}}
";

    #[test]
    fn finds_the_embedded_template_and_maps_it_back() {
        let root = parse(FARM).root.unwrap();
        assert!(is_cloudformation(&root));
        let found = find(FARM, &root);
        assert_eq!(found.len(), 1);
        let e = &found[0];
        assert_eq!(e.logical_id, "CondaEnv");
        assert_eq!(e.queue, QueueRef::Resource("ProdQueue".into()));
        assert_eq!(e.priority, Some(10));
        assert!(
            e.text
                .starts_with("specificationVersion: 'environment-2023-09'\n")
        );
        assert!(e.text.contains("echo ${HOME} {{Param.X}}"));
        // The substitution is kept and recorded; the literal is not one.
        let sub = &e.substitutions[0];
        assert_eq!(&e.text[sub.clone()], "${AWS::Region}");
        assert_eq!(e.substitutions.len(), 1);
        // Every piece of the embedded text maps back to the same text.
        for needle in [
            "Param.X",
            "name",
            "${AWS::Region}",
            "onEnter",
            "{{Param.X}}",
        ] {
            let at = e.text.find(needle).unwrap();
            let host = e.range_to_host(at..at + needle.len());
            assert_eq!(&FARM[host.clone()], needle);
            assert_eq!(e.from_host(host.start), Some(at));
            assert_eq!(e.to_host(at), host.start);
        }
        // Across the literal: `${HOME}` in the text is `${!HOME}` in the file.
        let at = e.text.find("${HOME}").unwrap();
        assert_eq!(&FARM[e.range_to_host(at..at + 7)], "${!HOME}");
        let after = e.text.find("{{Param").unwrap();
        assert_eq!(e.from_host(e.to_host(after)), Some(after));
    }

    #[test]
    fn long_forms_and_json() {
        let json = r#"{"Resources": {"Q": {"Type": "AWS::Deadline::Queue"},
 "Env": {"Type": "AWS::Deadline::QueueEnvironment", "Properties": {
   "QueueId": {"Fn::GetAtt": ["Q", "QueueId"]}, "Priority": 1, "TemplateType": "JSON",
   "Template": {"Fn::Sub": ["{\"specificationVersion\": \"environment-2023-09\",\n \"environment\": {\"name\": \"${Name}\"}}", {"Name": "x"}]}}}}}"#;
        let root = parse(json).root.unwrap();
        let found = find(json, &root);
        assert_eq!(found.len(), 1);
        let e = &found[0];
        assert_eq!(e.queue, QueueRef::Resource("Q".into()));
        assert_eq!(e.template_type.as_deref(), Some("JSON"));
        let at = e.text.find("environment\"").unwrap();
        assert_eq!(
            &json[e.range_to_host(at..at + 11)],
            "environment",
            "{:?}",
            e.text
        );
        let nl = e.text.find('\n').unwrap();
        assert_eq!(&json[e.range_to_host(nl..nl + 1)], "\\n");
        let plain = "Resources:\n  E:\n    Type: AWS::Deadline::QueueEnvironment\n    Properties:\n      QueueId: !Ref Q\n      Template: \"a: ${X}\"\n";
        let root = parse(plain).root.unwrap();
        let e = &find(plain, &root)[0];
        assert_eq!(e.queue, QueueRef::Resource("Q".into()));
        // Not under Sub: `${X}` is plain text.
        assert!(e.substitutions.is_empty());
        assert_eq!(e.text, "a: ${X}");
    }

    #[test]
    fn substitution_text() {
        let (t, removed, subs) = substitute("a ${!B} ${C} ${!D}${E.F} ${unclosed");
        assert_eq!(t, "a ${B} ${C} ${D}${E.F} ${unclosed");
        assert_eq!(removed, vec![4, 15]);
        assert_eq!(
            subs.iter().map(|r| &t[r.clone()]).collect::<Vec<_>>(),
            ["${C}", "${E.F}"]
        );
    }
}
