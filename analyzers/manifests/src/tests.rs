use super::*;

type WaitRow<'a> = (&'a str, &'a str, u32);

fn waits(w: &Workload) -> Vec<WaitRow<'_>> {
    w.waits
        .iter()
        .map(|x| (x.target.as_str(), x.note.as_str(), x.line))
        .collect()
}

#[test]
fn file_kinds() {
    assert!(is_manifest("proto/content.proto"));
    assert!(is_manifest("deploy/k8s/feed.yaml"));
    assert!(is_manifest("docker-compose.yml"));
    assert!(is_manifest("services/feed/config/default.toml"));
    assert!(is_manifest("services/feed/settings.toml"));
    assert!(!is_manifest("services/feed/Cargo.toml"));
    assert!(!is_manifest("nova.toml"));
    assert!(!is_manifest(".github/workflows/ci.yml"));
    assert!(!is_manifest("src/main.rs"));
    let f = parse("README.yaml", "title: hello\n").expect("parses");
    assert_eq!(f.kind, ManifestKind::Other);
}

const K8S: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: feed-service
  labels:
    app: feed-service
spec:
  template:
    metadata:
      labels:
        app: feed
        tier: backend
    spec:
      initContainers:
        - name: wait-for-content-service
          image: busybox:1.36
          command: ["sh", "-c", "until nc -z content-service 50051; do sleep 2; done"]
        - name: wait-for-identity
          image: busybox
        - name: wait-db
          image: postgres:16
          command: ["sh", "-c", "until pg_isready -h postgres; do sleep 1; done"]
      containers:
        - name: feed-service
          image: ghcr.io/nova/feed-service:1.0
          env:
            - name: CONTENT_SERVICE_URL
              value: "http://content-service.default.svc.cluster.local:8080"
            - name: KAFKA_BROKERS
              value: kafka:9092
            - name: SECRET
              valueFrom:
                secretKeyRef: {name: s, key: k}
---
apiVersion: v1
kind: Service
metadata:
  name: feed-service
spec:
  selector:
    app: feed
  ports:
    - port: 8080
"#;

#[test]
fn kubernetes_deployment_and_service() {
    let f = parse("k8s/feed.yaml", K8S).expect("parses");
    assert_eq!(f.kind, ManifestKind::Kubernetes);
    assert_eq!(f.workloads.len(), 1);
    let w = &f.workloads[0];
    assert_eq!(w.name, "feed-service");
    assert_eq!(w.kind, "Deployment");
    assert_eq!(w.line, 4);
    assert_eq!(w.labels.get("app").map(String::as_str), Some("feed"));
    assert_eq!(w.labels.get("tier").map(String::as_str), Some("backend"));
    assert_eq!(w.containers, vec!["feed-service".to_string()]);
    assert_eq!(
        w.images,
        vec![("ghcr.io/nova/feed-service:1.0".to_string(), 25)]
    );
    assert_eq!(
        waits(w),
        vec![
            (
                "content-service",
                "initContainers: wait-for-content-service",
                17
            ),
            ("identity", "initContainers: wait-for-identity", 18),
            ("postgres", "initContainers: wait-db", 22),
        ]
    );
    let env: Vec<(&str, &str, u32)> = w
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str(), e.line))
        .collect();
    assert_eq!(
        env,
        vec![
            (
                "CONTENT_SERVICE_URL",
                "http://content-service.default.svc.cluster.local:8080",
                27
            ),
            ("KAFKA_BROKERS", "kafka:9092", 29),
        ]
    );
    assert_eq!(f.k8s_services.len(), 1);
    assert_eq!(f.k8s_services[0].name, "feed-service");
    assert_eq!(f.k8s_services[0].line, 38);
    assert_eq!(
        f.k8s_services[0].selector.get("app").map(String::as_str),
        Some("feed")
    );
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
}

#[test]
fn kubernetes_bad_document_is_a_diagnostic() {
    let src = format!("{K8S}---\nkind: [broken\n");
    let f = parse("k8s/feed.yaml", &src).expect("partly parses");
    assert_eq!(f.workloads.len(), 1);
    assert_eq!(f.diagnostics.len(), 1);
    assert!(f.diagnostics[0].line >= 45, "{:?}", f.diagnostics);
    let e = parse("k8s/x.yaml", "apiVersion: v1\nkind: [\n").expect_err("nothing parses");
    assert!(e.line >= 2, "{e}");
}

#[test]
fn kustomize_patch_files_and_inline_patches() {
    let k = r#"apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../base
patchesStrategicMerge:
  - service-init-containers-patch.yaml
patches:
  - path: extra.yaml
  - target:
      kind: Deployment
      name: messaging-service
    patch: |-
      - op: add
        path: /spec/template/spec/initContainers
        value:
          - name: wait-for-identity-service
            image: busybox
            command: ["sh", "-c", "until nslookup identity-service; do sleep 2; done"]
"#;
    let f = parse("deploy/overlays/prod/kustomization.yaml", k).expect("parses");
    assert_eq!(f.kind, ManifestKind::Kustomization);
    assert_eq!(
        f.kustomize_files,
        vec![
            "../base".to_string(),
            "service-init-containers-patch.yaml".to_string(),
            "extra.yaml".to_string()
        ]
    );
    assert_eq!(f.workloads.len(), 1);
    assert_eq!(f.workloads[0].name, "messaging-service");
    assert_eq!(
        waits(&f.workloads[0]),
        vec![(
            "identity-service",
            "initContainers: wait-for-identity-service",
            18
        )]
    );

    let patch = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: feed-service
spec:
  template:
    spec:
      initContainers:
        - name: wait-for-content-service
          image: busybox
          command: ['sh', '-c', 'until nc -z content-service 50051; do sleep 2; done']
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: realtime-chat-service
spec:
  template:
    spec:
      initContainers:
        - name: wait-for-identity-service
          image: busybox
          args: ["identity-service:50051"]
        - name: wait-for-messaging-service
          image: busybox
          args: ["messaging-service:50051"]
"#;
    let f = parse(
        "deploy/overlays/prod/service-init-containers-patch.yaml",
        patch,
    )
    .expect("parses");
    let got: Vec<(&str, Vec<WaitRow<'_>>)> = f
        .workloads
        .iter()
        .map(|w| (w.name.as_str(), waits(w)))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "feed-service",
                vec![(
                    "content-service",
                    "initContainers: wait-for-content-service",
                    11
                )]
            ),
            (
                "realtime-chat-service",
                vec![
                    (
                        "identity-service",
                        "initContainers: wait-for-identity-service",
                        23
                    ),
                    (
                        "messaging-service",
                        "initContainers: wait-for-messaging-service",
                        26
                    ),
                ]
            ),
        ]
    );
}

#[test]
fn helm_templates_do_not_crash() {
    let t = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  template:
    spec:
      {{- with .Values.initContainers }}
      initContainers:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: app
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            - name: CONTENT_URL
              value: {{ .Values.contentService.url | quote }}
"#;
    let f = parse("charts/feed/templates/deployment.yaml", t).expect("no hard failure");
    // The name is a template: nothing to link, no panic.
    for w in &f.workloads {
        assert!(w.name.contains("__tmpl__"));
    }
    let broken = "apiVersion: v1\nkind: Deployment\nmetadata: {{ .x }}\n  name: [\n";
    let f = parse("charts/x/templates/bad.yaml", broken).expect("diagnostic, not failure");
    assert!(f.workloads.is_empty());
    assert_eq!(f.diagnostics.len(), 1);

    let values = r#"replicaCount: 2
contentService:
  url: http://content-service:8080
identity:
  grpcAddr: "identity-service:50051"
image:
  repository: ghcr.io/nova/feed
"#;
    let f = parse("charts/feed/values.yaml", values).expect("parses");
    assert_eq!(f.kind, ManifestKind::HelmValues);
    let urls: Vec<(&str, &str, u32)> = f
        .urls
        .iter()
        .map(|u| (u.key.as_str(), u.value.as_str(), u.line))
        .collect();
    assert_eq!(
        urls,
        vec![
            ("contentService.url", "http://content-service:8080", 3),
            ("identity.grpcAddr", "identity-service:50051", 5),
        ]
    );
}

#[test]
fn compose_services_depends_on_environment() {
    let c = r#"version: "3.9"
services:
  postgres:
    image: postgres:16
  kafka:
    image: bitnami/kafka:3.7
  content-service:
    build: ./services/content
    environment:
      - DATABASE_URL=postgres://nova:nova@postgres:5432/content
      - KAFKA_BROKERS=kafka:9092
    depends_on:
      - postgres
      - kafka
  feed-service:
    build: ./services/feed
    environment:
      CONTENT_SERVICE_URL: http://content-service:8080
      RUST_LOG: info
    depends_on:
      content-service:
        condition: service_healthy
      kafka:
        condition: service_started
"#;
    let f = parse("docker-compose.yml", c).expect("parses");
    assert_eq!(f.kind, ManifestKind::Compose);
    let names: Vec<(&str, u32)> = f
        .workloads
        .iter()
        .map(|w| (w.name.as_str(), w.line))
        .collect();
    assert_eq!(
        names,
        vec![
            ("postgres", 3),
            ("kafka", 5),
            ("content-service", 7),
            ("feed-service", 15)
        ]
    );
    assert_eq!(f.workloads[0].images, vec![("postgres:16".to_string(), 4)]);
    assert_eq!(
        waits(&f.workloads[2]),
        vec![("postgres", "depends_on", 13), ("kafka", "depends_on", 14)]
    );
    assert_eq!(
        waits(&f.workloads[3]),
        vec![
            ("content-service", "depends_on", 21),
            ("kafka", "depends_on", 23)
        ]
    );
    let env: Vec<(&str, &str, u32)> = f.workloads[3]
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_str(), e.line))
        .collect();
    assert_eq!(
        env,
        vec![
            ("CONTENT_SERVICE_URL", "http://content-service:8080", 18),
            ("RUST_LOG", "info", 19),
        ]
    );
    assert_eq!(f.workloads[2].env[0].line, 10);
}

#[test]
fn service_config_topics_yaml_and_toml() {
    let y = r#"kafka:
  brokers: kafka:9092
  consumer:
    group_id: feed
    topics:
      - content-events
      - media-events
  producer:
    topic: feed-events
  dlq_topic: feed-dlq
"#;
    let f = parse("services/feed/config/default.yaml", y).expect("parses");
    assert_eq!(f.kind, ManifestKind::ServiceConfig);
    let t: Vec<(&str, &str, ConfigTopicRole, u32)> = f
        .topics
        .iter()
        .map(|t| (t.name.as_str(), t.key.as_str(), t.role, t.line))
        .collect();
    assert_eq!(
        t,
        vec![
            (
                "content-events",
                "kafka.consumer.topics",
                ConfigTopicRole::Consume,
                6
            ),
            (
                "media-events",
                "kafka.consumer.topics",
                ConfigTopicRole::Consume,
                7
            ),
            (
                "feed-events",
                "kafka.producer.topic",
                ConfigTopicRole::Produce,
                9
            ),
            ("feed-dlq", "kafka.dlq_topic", ConfigTopicRole::Unknown, 10),
        ]
    );
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert_eq!(f.urls.len(), 1);
    assert_eq!(f.urls[0].key, "kafka.brokers");

    let t = r#"[kafka]
brokers = "kafka:9092"
subscribe_topics = ["user-events", "media-events"]
publish_topic = "messaging-events"
"#;
    let f = parse("services/messaging/settings.toml", t).expect("parses");
    let got: Vec<(&str, ConfigTopicRole, u32)> = f
        .topics
        .iter()
        .map(|t| (t.name.as_str(), t.role, t.line))
        .collect();
    assert_eq!(
        got,
        vec![
            ("messaging-events", ConfigTopicRole::Produce, 4),
            ("user-events", ConfigTopicRole::Consume, 3),
            ("media-events", ConfigTopicRole::Consume, 3),
        ]
    );
    let e = parse("services/messaging/settings.toml", "[kafka\nx = 1\n").expect_err("bad toml");
    assert_eq!(e.line, 1);
}

#[test]
fn proto_dispatch_and_error() {
    let f = parse(
        "proto/identity.proto",
        "package id;\nservice IdentityService { rpc VerifyUser(A) returns (B); }\n",
    )
    .expect("parses");
    assert_eq!(f.protos.len(), 1);
    assert_eq!(f.protos[0].location.file, "proto/identity.proto");
    assert_eq!(f.protos[0].location.line, 2);
    assert!(parse("proto/bad.proto", "service {").is_err());
}
