use super::*;

/// A farm with one queue environment; `{KEY}` and `{VAR}` are replaced
/// to make it wrong.
const FARM: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  CondaChannels:
    Type: String
Resources:
  ProdQueue:
    Type: AWS::Deadline::Queue
    Properties:
      DisplayName: prod
  CondaQueueEnv:
    Type: AWS::Deadline::QueueEnvironment
    Properties:
      FarmId: !Ref Farm
      QueueId: !GetAtt ProdQueue.QueueId
      Priority: 1
      TemplateType: YAML
      Template: !Sub |
        specificationVersion: 'environment-2023-09'
        parameterDefinitions:
        - name: CondaPackages
          type: STRING
          default: ''
        environment:
          name: Conda
          script:
            actions:
              {KEY}:
                command: '{{Env.File.Enter}}'
            embeddedFiles:
            - name: Enter
              type: TEXT
              runnable: true
              data: |
                #!/bin/bash
                echo \"channels ${CondaChannels} home ${!HOME}\"
                conda create -y -p env {{Param.{VAR}}}
";

fn host_diagnostics(text: &str) -> Vec<String> {
    let hosted = analyze_host(text, &Options::default());
    assert_eq!(hosted.len(), 1);
    let index = crate::text::LineIndex::new(text);
    hosted[0]
        .host_diagnostics()
        .iter()
        .map(|d| {
            let line = index.line_of(d.span.start);
            let col = d.span.start - index.line_start(line);
            format!(
                "{}:{} {} `{}`",
                line + 1,
                col + 1,
                d.code,
                &text[d.span.clone()]
            )
        })
        .collect()
}

fn farm(key: &str, var: &str) -> String {
    FARM.replace("{KEY}", key).replace("{VAR}", var)
}

#[test]
fn a_clean_embedded_environment_has_no_diagnostics() {
    assert_eq!(
        host_diagnostics(&farm("onEnter", "CondaPackages")),
        Vec::<String>::new()
    );
}

#[test]
fn a_misspelled_key_is_reported_at_its_place_in_the_host_file() {
    let d = host_diagnostics(&farm("onEntr", "CondaPackages"));
    // An environment needs onEnter or onExit: both reports land on the
    // CloudFormation file's lines and columns.
    assert_eq!(
        d,
        vec!["26:13 missing-key `actions`", "27:15 unknown-key `onEntr`"]
    );
}

#[test]
fn an_undefined_variable_in_an_embedded_script_is_reported_exactly() {
    let d = host_diagnostics(&farm("onEnter", "CondaPackage"));
    assert_eq!(d, vec!["36:42 undefined-variable `Param.CondaPackage`"]);
}

#[test]
fn substitutions_are_never_errors_and_literals_are_text() {
    let text = farm("onEnter", "CondaPackages").replace("name: Conda\n", "name: ${EnvName}\n");
    assert_eq!(host_diagnostics(&text), Vec::<String>::new());
    let hosted = analyze_host(&text, &Options::default());
    let e = &hosted[0].embedded;
    assert!(e.text.contains("home ${HOME}"));
    assert!(e.text.contains("channels ${CondaChannels}"));
}

#[test]
fn a_cloudformation_file_is_not_itself_a_template() {
    let text = farm("onEnter", "CondaPackages");
    let a = analyze(&text, &Options::default());
    assert_eq!(a.kind, DocKind::NotTemplate);
    assert!(a.diagnostics.is_empty());
    // A CloudFormation file without queue environments holds nothing.
    assert!(
        analyze_host(
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
            &Options::default()
        )
        .is_empty()
    );
}

#[test]
fn broken_hosts_and_prefixes_do_not_panic() {
    let text = farm("onEnter", "CondaPackages");
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            for h in analyze_host(&text[..cut], &Options::own()) {
                for d in h.host_diagnostics() {
                    assert!(text[..cut].get(d.span.clone()).is_some());
                }
            }
        }
        cut += 7;
    }
}
