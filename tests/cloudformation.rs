//! Queue environments kept in CloudFormation: named by the queue
//! configuration as `file#Resource` or `file#Queue`, they take their place
//! in every job's session stack, and hover points into the host file.

use std::path::{Path, PathBuf};

use openjd_lsp::analysis::{Options, analyze};
use openjd_lsp::ide::wrap;
use openjd_lsp::workspace::Workspace;
use openjd_lsp::workspace::diagnostics::file_diagnostics;

const FARM: &str = include_str!("../examples/infra/farm.yaml");
const JOB: &str = include_str!("../examples/conda_job/template.yaml");

/// A wrapping queue environment, kept in a second CloudFormation file.
const WRAPPERS: &str = "\
Resources:
  Queue2:
    Type: AWS::Deadline::Queue
  DockerEnv:
    Type: AWS::Deadline::QueueEnvironment
    Properties:
      QueueId: !Ref Queue2
      Priority: 5
      TemplateType: YAML
      Template: |
        specificationVersion: 'environment-2023-09'
        extensions: [WRAP_ACTIONS, EXPR]
        environment:
          name: Docker
          script:
            actions:
              onEnter: {command: docker-start}
              onWrapEnvEnter: {command: wrap, args: ['{{WrappedAction.Command}}']}
              onWrapTaskRun: {command: docker, args: [exec, '{{WrappedAction.Command}}']}
              onWrapEnvExit: {command: wrap, args: ['{{WrappedAction.Command}}']}
";

fn workspace(config: &str) -> Workspace {
    let root = PathBuf::from("/ws");
    let mut ws = Workspace {
        roots: vec![root.clone()],
        ..Workspace::default()
    };
    ws.update_text(&root.join("infra/farm.yaml"), FARM);
    ws.update_text(&root.join("infra/wrappers.yaml"), WRAPPERS);
    ws.update_text(&root.join("conda_job/template.yaml"), JOB);
    let config = config.to_string();
    let read = move |p: &Path| match p.to_str()? {
        "/ws/openjd-lsp.yaml" => Some(config.clone()),
        "/ws/infra/farm.yaml" => Some(FARM.to_string()),
        "/ws/infra/wrappers.yaml" => Some(WRAPPERS.to_string()),
        _ => None,
    };
    ws.load_queues(&[], &read);
    ws
}

fn run_hover(ws: &Workspace) -> String {
    let a = analyze(JOB, &Options::default());
    let at = JOB.find("onRun:").expect("onRun") + 1;
    wrap::hover(&a, Some(Path::new("/ws/conda_job/template.yaml")), ws, at)
        .expect("hover")
        .contents
}

#[test]
fn a_queue_named_through_its_logical_id_brings_its_environments_in_priority_order() {
    let ws = workspace(
        "queues:\n  - name: prod\n    environments: [infra/farm.yaml#ProdQueue]\n    jobs: [\"conda_job/**\"]\n",
    );
    assert_eq!(
        ws.queues[0].environments,
        vec![
            PathBuf::from("/ws/infra/farm.yaml#ScratchQueueEnv"),
            PathBuf::from("/ws/infra/farm.yaml#CondaQueueEnv"),
        ],
        "Priority 0 before Priority 10"
    );
    let h = run_hover(&ws);
    assert!(
        h.contains("1. `Scratch` (queue environment)\n2. `Conda` (queue environment)"),
        "{h}"
    );
    assert!(ws.config_diagnostics.values().all(Vec::is_empty));
}

#[test]
fn a_resource_named_directly_wraps_with_a_link_into_the_host_file() {
    let ws = workspace(
        "queues:\n  - name: q2\n    environments: [infra/farm.yaml#CondaQueueEnv, infra/wrappers.yaml#DockerEnv]\n    jobs: [\"conda_job/**\"]\n",
    );
    let h = run_hover(&ws);
    assert!(h.contains("**Wrapped** by `Docker` (queue environment, [infra/wrappers.yaml#DockerEnv:14](file:///ws/infra/wrappers.yaml#L14))"), "{h}");
    assert!(
        h.contains("1. `Conda` (queue environment)\n2. `Docker` (queue environment) — wraps"),
        "{h}"
    );
}

#[test]
fn without_configuration_embedded_wrappers_are_offered() {
    let ws = workspace("queues: []\n");
    let h = run_hover(&ws);
    assert!(
        h.contains("would wrap it if applied to its queue")
            && h.contains(
                "- `Docker` ([infra/wrappers.yaml#DockerEnv:14](file:///ws/infra/wrappers.yaml#L14))"
            ),
        "{h}"
    );
}

#[test]
fn a_misnamed_resource_is_reported_in_the_configuration() {
    let config = "queues:\n  - name: q\n    environments: [infra/farm.yaml#NoSuchQueue, infra/farm.yaml#Farm]\n    jobs: [\"conda_job/**\"]\n";
    let ws = workspace(config);
    let own = analyze(config, &Options::default());
    let diags: Vec<String> = file_diagnostics(&ws, Path::new("/ws/openjd-lsp.yaml"), &own)
        .iter()
        .map(|d| format!("{} {} `{}`", d.code, d.message, &config[d.span.clone()]))
        .collect();
    assert_eq!(
        diags,
        vec![
            "cfn-unknown-resource `farm.yaml` has no AWS::Deadline::QueueEnvironment `NoSuchQueue`, nor a queue that one refers to; it has ScratchQueueEnv, ProdQueue, CondaQueueEnv `infra/farm.yaml#NoSuchQueue`",
            "cfn-unknown-resource `farm.yaml` has no AWS::Deadline::QueueEnvironment `Farm`, nor a queue that one refers to; it has ScratchQueueEnv, ProdQueue, CondaQueueEnv `infra/farm.yaml#Farm`",
        ]
    );
}
