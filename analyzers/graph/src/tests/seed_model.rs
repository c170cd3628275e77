//! A hand-built model resembling seeds 000/004, shared by the unit tests
//! of nova-graph, nova-rules and nova-report (included with `#[path]`).

#![allow(dead_code)]

use nova_model::{
    Access, Confidence, Edge, EdgeKind, Evidence, FunctionFacts, Infra, InfraKind, Library,
    Location, Migration, Model, Op, Service, ServiceKind, Table, TableEvent, TableEventKind, Topic,
    TopicEndpoint, TopicVia,
};

/// A service named `name` in directory `name`.
pub fn service(name: &str, kind: ServiceKind) -> Service {
    Service {
        name: name.to_string(),
        package: Some(name.to_string()),
        dir: name.to_string(),
        aliases: Vec::new(),
        kind,
        dialect: Default::default(),
        libraries: Vec::new(),
    }
}

/// An access at `file:line`.
pub fn access(service: &str, table: &str, op: Op, file: &str, line: u32) -> Access {
    Access {
        service: service.to_string(),
        table: table.to_string(),
        op,
        location: Location::new(file, line, 0),
        confidence: Confidence::High,
        via_library: None,
        call_site: None,
        function: None,
        in_test: false,
        source: Default::default(),
        orm_call: None,
    }
}

/// A table created by a migration of `service` (or not in the catalog).
pub fn table(name: &str, created_by: Option<(&str, &str)>) -> Table {
    let events = created_by
        .map(|(svc, file)| {
            vec![TableEvent {
                kind: TableEventKind::Create,
                location: Location::new(file, 1, 0),
                service: Some(svc.to_string()),
                other: None,
            }]
        })
        .unwrap_or_default();
    Table {
        name: name.to_string(),
        in_catalog: !events.is_empty(),
        events,
        declared_owner: None,
        partition_of: None,
    }
}

/// An edge with one piece of evidence.
pub fn edge(
    from: &str,
    to: &str,
    kind: EdgeKind,
    via: &[&str],
    file: &str,
    line: u32,
    note: &str,
) -> Edge {
    Edge {
        from: from.to_string(),
        to: to.to_string(),
        kind,
        via: via.iter().map(|s| s.to_string()).collect(),
        evidence: vec![Evidence {
            location: Location::new(file, line, 0),
            note: note.to_string(),
        }],
        address: Vec::new(),
    }
}

fn endpoint(service: &str, via: TopicVia, file: &str, line: u32) -> TopicEndpoint {
    TopicEndpoint {
        service: service.to_string(),
        via,
        location: Location::new(file, line, 0),
    }
}

/// The seed-like model.
pub fn seed_model() -> Model {
    let mut m = Model::new("/repo");
    m.services = vec![
        service("content-service", ServiceKind::Service),
        service("feed-service", ServiceKind::Service),
        service("graphql-gateway", ServiceKind::Gateway),
        {
            let mut s = service("identity-service", ServiceKind::Service);
            s.aliases = vec!["auth-service".to_string()];
            s
        },
        service("media-service", ServiceKind::Service),
        {
            let mut s = service("messaging-service", ServiceKind::Service);
            s.libraries = vec!["db-common".to_string()];
            s
        },
        service("realtime-chat-service", ServiceKind::Service),
    ];
    m.libraries = vec![Library {
        name: "db-common".to_string(),
        dir: "libs/db-common".to_string(),
    }];
    m.migrations = vec![
        Migration {
            file: "content-service/migrations/0001_posts.sql".to_string(),
            service: Some("content-service".to_string()),
            tool: "sqlx".to_string(),
        },
        Migration {
            file: "identity-service/migrations/0001_users.sql".to_string(),
            service: Some("identity-service".to_string()),
            tool: "sqlx".to_string(),
        },
    ];
    m.tables = vec![
        table("audit_log", None),
        table("feed_items", None),
        table("messages", None),
        table(
            "posts",
            Some((
                "content-service",
                "content-service/migrations/0001_posts.sql",
            )),
        ),
        table(
            "sessions",
            Some((
                "identity-service",
                "identity-service/migrations/0001_users.sql",
            )),
        ),
        table(
            "users",
            Some((
                "identity-service",
                "identity-service/migrations/0001_users.sql",
            )),
        ),
    ];
    let mut lib_update = access(
        "messaging-service",
        "users",
        Op::Update,
        "libs/db-common/src/users.rs",
        12,
    );
    lib_update.via_library = Some("db-common".to_string());
    lib_update.call_site = Some(Location::new("messaging-service/src/main.rs", 40, 0));
    let mut accesses = vec![
        access(
            "content-service",
            "audit_log",
            Op::Read,
            "content-service/src/audit.rs",
            5,
        ),
        access(
            "content-service",
            "posts",
            Op::Create,
            "content-service/src/posts.rs",
            10,
        ),
        access(
            "content-service",
            "posts",
            Op::Read,
            "content-service/src/posts.rs",
            20,
        ),
        access(
            "content-service",
            "posts",
            Op::Update,
            "content-service/src/posts.rs",
            30,
        ),
        access(
            "content-service",
            "posts",
            Op::Delete,
            "content-service/src/posts.rs",
            40,
        ),
        access(
            "feed-service",
            "feed_items",
            Op::Create,
            "feed-service/src/feed.rs",
            8,
        ),
        access(
            "feed-service",
            "feed_items",
            Op::Read,
            "feed-service/src/feed.rs",
            9,
        ),
        access(
            "feed-service",
            "posts",
            Op::Read,
            "feed-service/src/feed.rs",
            50,
        ),
        access(
            "identity-service",
            "sessions",
            Op::Create,
            "identity-service/src/session.rs",
            3,
        ),
        access(
            "identity-service",
            "sessions",
            Op::Delete,
            "identity-service/src/session.rs",
            4,
        ),
        access(
            "identity-service",
            "users",
            Op::Create,
            "identity-service/src/users.rs",
            10,
        ),
        access(
            "identity-service",
            "users",
            Op::Read,
            "identity-service/src/users.rs",
            11,
        ),
        access(
            "identity-service",
            "users",
            Op::Update,
            "identity-service/src/users.rs",
            12,
        ),
        access(
            "identity-service",
            "users",
            Op::Delete,
            "identity-service/src/users.rs",
            13,
        ),
        access(
            "media-service",
            "posts",
            Op::Read,
            "media-service/src/attach.rs",
            7,
        ),
        access(
            "messaging-service",
            "messages",
            Op::Create,
            "messaging-service/src/store.rs",
            15,
        ),
        access(
            "messaging-service",
            "messages",
            Op::Read,
            "messaging-service/src/store.rs",
            16,
        ),
        access(
            "messaging-service",
            "users",
            Op::Read,
            "messaging-service/src/store.rs",
            30,
        ),
        lib_update,
        access(
            "realtime-chat-service",
            "messages",
            Op::Read,
            "realtime-chat-service/src/ws.rs",
            22,
        ),
    ];
    accesses.sort_by(|a, b| {
        (&a.service, &a.table, a.op, &a.location).cmp(&(&b.service, &b.table, b.op, &b.location))
    });
    m.accesses = accesses;
    m.edges = vec![
        edge(
            "feed-service",
            "content-service",
            EdgeKind::Grpc,
            &["GetPost"],
            "feed-service/src/clients.rs",
            10,
            "ContentServiceClient::connect",
        ),
        edge(
            "feed-service",
            "content-service",
            EdgeKind::Startup,
            &["k8s/feed-service.yaml"],
            "k8s/feed-service.yaml",
            20,
            "initContainers: wait-for-content-service",
        ),
        edge(
            "feed-service",
            "postgres",
            EdgeKind::Startup,
            &["k8s/feed-service.yaml"],
            "k8s/feed-service.yaml",
            25,
            "initContainers: wait-for-postgres",
        ),
        edge(
            "graphql-gateway",
            "content-service",
            EdgeKind::Grpc,
            &["CreatePost", "GetPost"],
            "graphql-gateway/src/schema.rs",
            30,
            "ContentServiceClient::connect",
        ),
        edge(
            "graphql-gateway",
            "identity-service",
            EdgeKind::Grpc,
            &["Login"],
            "graphql-gateway/src/schema.rs",
            31,
            "AuthServiceClient::connect",
        ),
        edge(
            "identity-service",
            "messaging-service",
            EdgeKind::Kafka,
            &["identity-events"],
            "identity-service/src/outbox.rs",
            9,
            "outbox insert",
        ),
        edge(
            "media-service",
            "content-service",
            EdgeKind::Grpc,
            &["AttachMedia"],
            "media-service/src/attach.rs",
            12,
            "ContentServiceClient::connect",
        ),
        edge(
            "media-service",
            "content-service",
            EdgeKind::Startup,
            &["k8s/media-service.yaml"],
            "k8s/media-service.yaml",
            18,
            "initContainers: wait-for-content-service",
        ),
        edge(
            "messaging-service",
            "identity-service",
            EdgeKind::Grpc,
            &["VerifyUser"],
            "messaging-service/src/auth.rs",
            14,
            "AuthServiceClient::connect",
        ),
        edge(
            "messaging-service",
            "identity-service",
            EdgeKind::Startup,
            &["k8s/messaging-service.yaml"],
            "k8s/messaging-service.yaml",
            19,
            "initContainers: wait-for-identity-service",
        ),
        edge(
            "realtime-chat-service",
            "identity-service",
            EdgeKind::Grpc,
            &["ValidateToken"],
            "realtime-chat-service/src/auth.rs",
            8,
            "AuthServiceClient::connect",
        ),
        edge(
            "realtime-chat-service",
            "messaging-service",
            EdgeKind::Grpc,
            &["ListMessages"],
            "realtime-chat-service/src/history.rs",
            21,
            "MessagingServiceClient::connect",
        ),
    ];
    m.topics = vec![
        Topic {
            name: "analytics-events".to_string(),
            producers: vec![endpoint(
                "feed-service",
                TopicVia::Direct,
                "feed-service/src/views.rs",
                33,
            )],
            consumers: Vec::new(),
        },
        Topic {
            name: "identity-events".to_string(),
            producers: vec![endpoint(
                "identity-service",
                TopicVia::Outbox,
                "identity-service/src/outbox.rs",
                9,
            )],
            consumers: vec![endpoint(
                "messaging-service",
                TopicVia::Direct,
                "messaging-service/src/consumer.rs",
                5,
            )],
        },
        Topic {
            name: "orphan-events".to_string(),
            producers: Vec::new(),
            consumers: vec![endpoint(
                "media-service",
                TopicVia::Config,
                "media-service/config.yaml",
                4,
            )],
        },
    ];
    let all: Vec<String> = [
        "content-service",
        "feed-service",
        "identity-service",
        "media-service",
        "messaging-service",
        "realtime-chat-service",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    m.infrastructure = vec![
        Infra {
            kind: InfraKind::Postgres,
            used_by: all.clone(),
            evidence: Vec::new(),
        },
        Infra {
            kind: InfraKind::Redis,
            used_by: vec!["realtime-chat-service".to_string()],
            evidence: Vec::new(),
        },
        Infra {
            kind: InfraKind::Kafka,
            used_by: vec![
                "feed-service".to_string(),
                "identity-service".to_string(),
                "messaging-service".to_string(),
            ],
            evidence: Vec::new(),
        },
    ];
    m.functions = vec![
        FunctionFacts {
            service: "feed-service".to_string(),
            function: "views::record_view".to_string(),
            location: Location::new("feed-service/src/views.rs", 30, 0),
            writes: vec!["feed_items".to_string()],
            produces_direct: vec!["analytics-events".to_string()],
            produces_outbox: Vec::new(),
            consumer_handler: false,
            dedupes: false,
        },
        FunctionFacts {
            service: "messaging-service".to_string(),
            function: "consumer::on_user_created".to_string(),
            location: Location::new("messaging-service/src/consumer.rs", 12, 0),
            writes: vec!["users".to_string()],
            produces_direct: Vec::new(),
            produces_outbox: Vec::new(),
            consumer_handler: true,
            dedupes: false,
        },
        FunctionFacts {
            service: "identity-service".to_string(),
            function: "users::register".to_string(),
            location: Location::new("identity-service/src/users.rs", 9, 0),
            writes: vec!["users".to_string()],
            produces_direct: Vec::new(),
            produces_outbox: vec!["identity-events".to_string()],
            consumer_handler: false,
            dedupes: false,
        },
    ];
    m
}

/// A model with the given synchronous grpc edges between plain services.
pub fn chain_model(edges: &[(&str, &str)]) -> Model {
    let mut m = Model::new("/repo");
    let mut names: Vec<&str> = edges.iter().flat_map(|(a, b)| [*a, *b]).collect();
    names.sort();
    names.dedup();
    m.services = names
        .iter()
        .map(|n| service(n, ServiceKind::Service))
        .collect();
    m.edges = edges
        .iter()
        .map(|(a, b)| {
            edge(
                a,
                b,
                EdgeKind::Grpc,
                &["Call"],
                &format!("{a}/src/main.rs"),
                1,
                "client",
            )
        })
        .collect();
    m
}
