//! Features inside templates embedded in CloudFormation, with every range
//! checked against the host file's text. `‸` marks the cursor.

use std::path::Path;

use super::*;
use crate::analysis::{Options, analyze};

const FARM: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Description: Fermé — a farm
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
        parameterDefinitions:
        - name: Pkgs
          type: STRING
          default: ''
        environment:
          name: Conda-${AWS::Region}
          script:
            actions:
              onEnter:
                command: echo ${!HOME} {{Param.Pkgs}} é
";

fn analysis(text: &str) -> Analysis {
    analyze(text, &Options::default())
}

fn at(marked: &str) -> (String, usize) {
    let offset = marked.find('‸').expect("cursor");
    (marked.replacen('‸', "", 1), offset)
}

fn mark(text: &str, needle: &str, within: usize) -> usize {
    text.find(needle).expect("needle") + within
}

#[test]
fn the_farm_is_a_host() {
    assert!(is_host(&analysis(FARM)));
    assert!(!is_host(&analysis(
        "Resources:\n  A:\n    Type: AWS::S3::Bucket\n"
    )));
}

#[test]
fn completion_inside_the_block_scalar_is_reindented() {
    let marked = FARM.replace("          script:\n", "          var‸\n          script:\n");
    let (text, offset) = at(&marked);
    let list = complete(&analysis(&text), offset);
    let item = list
        .items
        .iter()
        .find(|i| i.label == "variables")
        .expect("variables offered");
    assert_eq!(&text[item.replace.clone()], "var");
    assert!(item.insert.contains('\n'), "{:?}", item.insert);
    // Every line the item inserts sits in the block scalar's indentation.
    for line in item.insert.split('\n').skip(1) {
        assert!(line.starts_with("        "), "{:?}", item.insert);
    }
    // Outside the embedded template, and inside a substitution: nothing.
    let a = analysis(FARM);
    assert!(complete(&a, mark(FARM, "Priority", 2)).items.is_empty());
    assert!(complete(&a, mark(FARM, "AWS::Region", 3)).items.is_empty());
}

#[test]
fn completion_of_variables_maps_back() {
    let marked = FARM.replace("{{Param.Pkgs}}", "{{Param.P‸}}");
    let (text, offset) = at(&marked);
    let list = complete(&analysis(&text), offset);
    let item = list
        .items
        .iter()
        .find(|i| i.label.ends_with("Pkgs"))
        .expect("Param.Pkgs offered");
    assert!(
        ["Param.P", "P"].contains(&&text[item.replace.clone()]),
        "{:?}",
        &text[item.replace.clone()]
    );
}

#[test]
fn hover_on_keys_and_variables() {
    let a = analysis(FARM);
    let ws = Workspace::default();
    let h = hover(&a, None, &ws, mark(FARM, "onEnter", 2)).expect("hover");
    assert_eq!(&FARM[h.range.clone()], "onEnter");
    assert!(h.contents.contains("onEnter"), "{}", h.contents);
    // After `${!HOME}`, whose `!` is not in the embedded text.
    let h = hover(&a, None, &ws, mark(FARM, "Param.Pkgs", 7)).expect("hover");
    assert_eq!(&FARM[h.range.clone()], "Param.Pkgs");
    assert!(h.contents.contains("STRING"), "{}", h.contents);
    assert_eq!(hover(&a, None, &ws, mark(FARM, "AWS::Region", 2)), None);
    assert_eq!(hover(&a, None, &ws, mark(FARM, "Priority", 2)), None);
}

#[test]
fn semantic_tokens_cover_the_same_text() {
    let a = analysis(FARM);
    let tokens = semantic_tokens(&a);
    assert!(!tokens.is_empty());
    let hosted = hosted(&a);
    let e = &hosted[0].embedded;
    let inner = super::super::semantic_tokens::semantic_tokens(&hosted[0].analysis);
    let mut mapped = 0;
    for t in &inner {
        if e.touches_substitution(&t.span) {
            continue;
        }
        let host = e.range_to_host(t.span.clone());
        let want = e.text[t.span.clone()].replace("${HOME}", "${!HOME}");
        assert_eq!(FARM[host.clone()], want, "{t:?}");
        assert!(tokens.iter().any(|x| x.span == host));
        mapped += 1;
    }
    assert_eq!(mapped, tokens.len());
    // Nothing of the substitution, nothing outside the template.
    let region = mark(FARM, "${AWS::Region}", 0);
    assert!(
        tokens
            .iter()
            .all(|t| t.span.end <= region || t.span.start >= region + 14)
    );
    assert!(tokens.iter().all(|t| t.span.start >= e.span.start));
    let param = mark(FARM, "Param.Pkgs", 0);
    let some = semantic_tokens_in(&a, param..param + 5);
    assert_eq!(some.len(), 1);
    assert_eq!(&FARM[some[0].span.clone()], "Param");
}

#[test]
fn symbols_per_resource() {
    let symbols = document_symbols(&analysis(FARM));
    assert_eq!(symbols.len(), 1);
    let s = &symbols[0];
    assert_eq!(FARM[s.selection_span.clone()], *"CondaEnv");
    let names: Vec<&str> = s.children.iter().map(|c| c.name.as_str()).collect();
    assert!(!names.is_empty());
    for c in &s.children {
        assert!(s.span.start <= c.span.start && c.span.end <= s.span.end);
        assert_eq!(
            FARM[c.selection_span.clone()].trim_matches('\''),
            c.name,
            "{c:?}"
        );
    }
}

#[test]
fn json_host_strings_are_escaped_and_mapped() {
    let json = "{\"Resources\": {\"Q\": {\"Type\": \"AWS::Deadline::Queue\"},\n \"Env\": {\"Type\": \"AWS::Deadline::QueueEnvironment\", \"Properties\": {\n   \"QueueId\": {\"Ref\": \"Q\"}, \"TemplateType\": \"YAML\",\n   \"Template\": \"specificationVersion: 'environment-2023-09'\\nenvironment:\\n  name: Ünï\\n  scr‸\\n\"}}}}";
    let (text, offset) = at(json);
    let a = analysis(&text);
    assert!(is_host(&a));
    let list = complete(&a, offset);
    let item = list
        .items
        .iter()
        .find(|i| i.label == "script")
        .expect("script offered");
    assert_eq!(&text[item.replace.clone()], "scr");
    assert!(!item.insert.contains('\n'), "{:?}", item.insert);
    let ws = Workspace::default();
    let clean = text.replace("\\n  scr\\n", "\\n");
    let a = analysis(&clean);
    let h = hover(
        &a,
        Some(Path::new("/w/farm.json")),
        &ws,
        mark(&clean, "name: Ü", 1),
    )
    .expect("hover");
    assert_eq!(&clean[h.range.clone()], "name");
}
