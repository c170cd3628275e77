use super::*;
use nova_rust::FileFacts;
use nova_rust::graph::{FieldInit, TopicConst};
use nova_rust::unit::ParsedFile;

fn krate(package: &str, deps: &[&str], module: &[&str], facts: FileFacts) -> Crate {
    Crate {
        package: package.into(),
        dir: package.into(),
        service: None,
        local_deps: deps.iter().map(|d| d.to_string()).collect(),
        external_deps: Vec::new(),
        dialect: Default::default(),
        files: vec![ParsedFile {
            path: format!("{package}/src/x.rs"),
            module: module.iter().map(|m| m.to_string()).collect(),
            in_test: false,
            facts,
        }],
    }
}

#[test]
fn consts_fields_env_formats() {
    let mut lib = FileFacts::default();
    lib.graph.consts.push(TopicConst {
        name: "CONTENT_EVENTS".into(),
        module: vec![],
        value: StrExpr::Lit("content-events".into()),
        line: 1,
    });
    let mut svc = FileFacts::default();
    svc.graph.fields.push(FieldInit {
        field: "content_url".into(),
        value: StrExpr::Env {
            var: "CONTENT_SERVICE_URL".into(),
            default: Some(Box::new(StrExpr::Lit("http://content:8080".into()))),
        },
        line: 3,
    });
    let crates = vec![
        krate("events", &[], &["topics"], lib),
        krate("feed", &["events"], &[], svc),
    ];
    let mut closure = BTreeMap::new();
    closure.insert("feed".to_string(), BTreeSet::from(["events".to_string()]));
    let mut env = BTreeMap::new();
    env.insert("KAFKA_TOPIC_PREFIX".to_string(), "prod".to_string());
    let v = Values::new(&crates, &closure, &env, BTreeMap::new());
    let texts = |e: &StrExpr| -> Vec<(String, bool)> {
        v.resolve("feed", Some("feed"), e)
            .into_iter()
            .map(|p| (p.text, p.unresolved))
            .collect()
    };
    assert_eq!(
        texts(&StrExpr::Const(vec![
            "topics".into(),
            "CONTENT_EVENTS".into()
        ])),
        vec![("content-events".to_string(), false)]
    );
    assert_eq!(
        texts(&StrExpr::Const(vec!["OTHER".into()])),
        vec![("{OTHER}".to_string(), true)]
    );
    let url = v.resolve(
        "feed",
        Some("feed"),
        &StrExpr::Format {
            template: "{}/posts".into(),
            args: vec![StrExpr::Field("content_url".into())],
        },
    );
    assert_eq!(url.len(), 1);
    assert_eq!(url[0].text, "http://content:8080/posts");
    assert_eq!(url[0].env, vec!["CONTENT_SERVICE_URL".to_string()]);
    let prefixed = StrExpr::Format {
        template: "{}.content.events".into(),
        args: vec![StrExpr::Env {
            var: "KAFKA_TOPIC_PREFIX".into(),
            default: Some(Box::new(StrExpr::Lit("nova".into()))),
        }],
    };
    assert_eq!(
        texts(&prefixed),
        vec![("prod.content.events".to_string(), false)]
    );
    // The library cannot see the service's fields.
    assert!(v.resolve("events", None, &StrExpr::Field("content_url".into()))[0].unresolved);
}

fn call(name: &str, args: Vec<StrExpr>) -> StrExpr {
    StrExpr::Call(Box::new(CallRef {
        name: name.into(),
        owner: None,
        qualifier: Vec::new(),
        recv: None,
        args,
        assoc_const: false,
        text: format!("{name}(..)"),
        line: 1,
        unwrapped: false,
    }))
}

fn returning(name: &str, values: Vec<StrExpr>) -> nova_rust::graph::FnReturn {
    nova_rust::graph::FnReturn {
        name: name.into(),
        path: name.into(),
        owner: None,
        module: Vec::new(),
        receiver: false,
        values: values.into_iter().map(|v| (v, 2)).collect(),
        cut: 0,
        line: 1,
        in_test: false,
    }
}

#[test]
fn returns_with_arguments_and_recursion_that_ends() {
    let mut facts = FileFacts::default();
    let param = |f: &str| {
        StrExpr::Param(Box::new(ParamRef {
            function: f.into(),
            name: f.into(),
            owner: None,
            index: 0,
            line: 1,
        }))
    };
    // `fn topic_for(kind) -> String { format!("events.{}", kind) }`
    facts.graph.returns.push(returning(
        "topic_for",
        vec![StrExpr::Format {
            template: "events.{}".into(),
            args: vec![param("topic_for")],
        }],
    ));
    // `fn wrap(k) -> String { topic_for(k) }`: a parameter handed on.
    facts.graph.returns.push(returning(
        "wrap",
        vec![call("topic_for", vec![param("wrap")])],
    ));
    // `fn ping() { pong() }`, `fn pong() { if .. { "pong" } else { ping() } }`.
    facts
        .graph
        .returns
        .push(returning("ping", vec![call("pong", vec![])]));
    facts.graph.returns.push(returning(
        "pong",
        vec![StrExpr::Lit("pong".into()), call("ping", vec![])],
    ));
    let crates = vec![krate("svc", &[], &[], facts)];
    let v = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
    let texts = |e: &StrExpr| -> Vec<(String, bool)> {
        v.resolve("svc", Some("svc"), e)
            .into_iter()
            .map(|p| (p.text, p.unresolved))
            .collect()
    };
    assert_eq!(
        texts(&call("wrap", vec![StrExpr::Lit("orders".into())])),
        vec![("events.orders".to_string(), false)]
    );
    let pieces = v.resolve(
        "svc",
        Some("svc"),
        &call("wrap", vec![StrExpr::Lit("x".into())]),
    );
    assert_eq!(pieces[0].via, vec!["svc/src/x.rs:2", "svc/src/x.rs:2"]);
    // The recursion stops at the depth bound: `pong` once, and what lies
    // deeper is cut, and said to be.
    let ping = texts(&call("ping", vec![]));
    assert!(
        !ping.is_empty() && ping.iter().all(|p| p == &("pong".to_string(), false)),
        "{ping:?}"
    );
    let cut = v.resolve_all("svc", Some("svc"), &call("ping", vec![])).cut;
    assert_eq!(
        cut.map(|c| c.describe()),
        Some("followed 8 hops deep, the rest cut".to_string())
    );
    // A function of the caller's own package hides one of the same
    // name in a dependency.
    let mut lib = FileFacts::default();
    lib.graph
        .returns
        .push(returning("name", vec![StrExpr::Lit("lib.name".into())]));
    let mut own = FileFacts::default();
    own.graph
        .returns
        .push(returning("name", vec![StrExpr::Lit("svc.name".into())]));
    let crates = vec![
        krate("lib", &[], &[], lib),
        krate("app", &["lib"], &[], own),
    ];
    let mut closure = BTreeMap::new();
    closure.insert("app".to_string(), BTreeSet::from(["lib".to_string()]));
    let o = Values::new(&crates, &closure, &BTreeMap::new(), BTreeMap::new());
    let got: Vec<String> = o
        .resolve("app", None, &call("name", vec![]))
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert_eq!(got, ["svc.name"]);
    let got: Vec<String> = o
        .resolve("lib", None, &call("name", vec![]))
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert_eq!(got, ["lib.name"]);
    // `Topics::of(&self, kind)` called `Topics::of(&t, "x")`: the
    // first argument is the receiver.
    let mut ufcs = FileFacts::default();
    let mut of = returning("of", vec![param("Topics::of")]);
    of.path = "Topics::of".into();
    of.owner = Some("Topics".into());
    of.receiver = true;
    ufcs.graph.returns.push(of);
    let crates = vec![krate("ufcs", &[], &[], ufcs)];
    let u = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
    let mut c = call(
        "of",
        vec![StrExpr::Typed("Topics".into()), StrExpr::Lit("x".into())],
    );
    if let StrExpr::Call(r) = &mut c {
        r.owner = Some("Topics".into());
    }
    let got: Vec<String> = u
        .resolve("ufcs", None, &c)
        .into_iter()
        .map(|p| p.text)
        .collect();
    assert_eq!(got, ["x"]);
    // Sixteen values, each a call to a function of sixteen values, down
    // to the depth bound: the calls followed are bounded.
    let mut wide = FileFacts::default();
    for level in 0..9 {
        let next = format!("f{}", level + 1);
        let values = (0..16).map(|_| call(&next, vec![])).collect();
        wide.graph
            .returns
            .push(returning(&format!("f{level}"), values));
    }
    let crates = vec![krate("wide", &[], &[], wide)];
    let w = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
    let got = w.resolve_all("wide", None, &call("f0", vec![]));
    assert!(got.pieces.iter().all(|p| p.unresolved), "{:?}", got.pieces);
    // (The first bound to cut is named: down one chain, the depth.)
    assert_eq!(got.cut.map(|c| c.bound), Some(Bound::Depth));
    // A call to a function nowhere defined is as it was written.
    assert_eq!(
        texts(&call("elsewhere", vec![])),
        vec![("{elsewhere(..)}".to_string(), true)]
    );
}

#[test]
fn a_receiver_typed_by_a_declared_return_type() {
    use nova_rust::graph::FnType;
    let fn_type = |name: &str, owner: Option<&str>, ty: &str, wrapped: bool| FnType {
        name: name.into(),
        owner: owner.map(str::to_string),
        module: Vec::new(),
        ty: ty.into(),
        wrapped,
        line: 5,
        in_test: false,
    };
    let mut facts = FileFacts::default();
    // `fn topic(&self) -> &str { "bus.topic" }` in `impl Bus`.
    let mut topic = returning("topic", vec![StrExpr::Lit("bus.topic".into())]);
    topic.path = "Bus::topic".into();
    topic.owner = Some("Bus".into());
    topic.receiver = true;
    facts.graph.returns.push(topic);
    // `fn bus() -> Bus`, `fn try_bus() -> Result<Bus, E>`.
    facts
        .graph
        .fn_types
        .push(fn_type("bus", None, "Bus", false));
    facts
        .graph
        .fn_types
        .push(fn_type("try_bus", None, "Bus", true));
    let crates = vec![krate("svc", &[], &[], facts)];
    let v = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
    // `recv.topic()` with `recv` what a call to `name` returns.
    let on = |name: &str, unwrapped: bool| {
        let mut recv = call(name, vec![]);
        if let StrExpr::Call(r) = &mut recv {
            r.unwrapped = unwrapped;
        }
        let mut c = call("topic", vec![]);
        if let StrExpr::Call(r) = &mut c {
            r.recv = Some(recv);
        }
        v.resolve("svc", None, &c)
    };
    let pieces = on("bus", false);
    assert_eq!(pieces[0].text, "bus.topic");
    // The function's declaration, then the method's return.
    assert_eq!(pieces[0].via, vec!["svc/src/x.rs:5", "svc/src/x.rs:2"]);
    assert_eq!(on("try_bus", true)[0].text, "bus.topic");
    // A `Result` not unwrapped is no `Bus`.
    assert!(on("try_bus", false)[0].unresolved);
    // A call to no function declaring a type: the receiver's type is not
    // seen.
    assert!(on("elsewhere", false)[0].text.contains("not seen"));
}

/// A list's elements are several values: all kept up to [`MAX_ELEMENTS`],
/// and what that bound cuts is said, with the count.
#[test]
fn list_elements_are_all_kept_and_a_cut_is_counted() {
    let mut lib = FileFacts::default();
    for n in 0..17 {
        lib.graph.consts.push(TopicConst {
            name: format!("T{n}"),
            module: vec![],
            value: StrExpr::Lit(format!("t{n}")),
            line: n + 1,
        });
    }
    let crates = vec![krate("svc", &[], &[], lib)];
    let v = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
    let seventeen = StrExpr::List(
        (0..17)
            .map(|n| StrExpr::Const(vec![format!("T{n}")]))
            .collect(),
    );
    let got = v.resolve_all("svc", Some("svc"), &seventeen);
    assert_eq!(got.pieces.len(), 17, "{:?}", got.pieces);
    assert_eq!(got.cut, None);

    let many = StrExpr::List(
        (0..MAX_ELEMENTS + 3)
            .map(|n| StrExpr::Lit(format!("x{n:04}")))
            .collect(),
    );
    let got = v.resolve_all("svc", Some("svc"), &many);
    assert_eq!(got.pieces.len(), MAX_ELEMENTS);
    let cut = got.cut.expect("the bound cut three elements");
    assert_eq!(
        cut,
        Cut {
            bound: Bound::Elements,
            dropped: Some(3)
        }
    );
    assert_eq!(
        cut.describe(),
        "at most 256 elements of a list kept, 3 more cut"
    );
    let calls = Cut {
        bound: Bound::Calls,
        dropped: None,
    };
    assert_eq!(calls.describe(), "at most 256 calls followed, the rest cut");
    // The alternatives of one value (a `format!` product) are bounded at
    // MAX_TEXTS, and that cut is said too; exactly MAX_TEXTS is no cut.
    let four = |p: &str| StrExpr::List((0..4).map(|n| StrExpr::Lit(format!("{p}{n}"))).collect());
    let product = |k: usize| StrExpr::Format {
        template: "{}.{}".into(),
        args: vec![
            four("a"),
            StrExpr::List((0..k).map(|n| StrExpr::Lit(format!("b{n}"))).collect()),
        ],
    };
    let got = v.resolve_all("svc", Some("svc"), &product(4));
    assert_eq!((got.pieces.len(), got.cut), (MAX_TEXTS, None));
    let got = v.resolve_all("svc", Some("svc"), &product(5));
    assert_eq!(got.pieces.len(), MAX_TEXTS);
    assert_eq!(
        got.cut.map(|c| c.describe()),
        Some("at most 16 alternatives of a value kept, the rest cut".to_string())
    );
}

/// A parameter given one value by many calls has one value, not one
/// alternative per call: no bound cuts it, and every call is a path to it.
/// Seventeen values from seventeen calls are cut at [`MAX_TEXTS`].
#[test]
fn many_calls_giving_one_value_are_no_cut() {
    use nova_rust::graph::StrCall;
    let param = StrExpr::Param(Box::new(ParamRef {
        function: "publish".into(),
        name: "publish".into(),
        owner: None,
        index: 0,
        line: 1,
    }));
    let facts = |distinct: bool| {
        let mut f = FileFacts::default();
        // `fn publish(topic: &str) { .. }`, called from twenty places.
        f.graph.topics.push(nova_rust::graph::TopicSite {
            role: nova_rust::graph::TopicRole::Produce,
            api: nova_rust::graph::TopicApi::Direct,
            topic: param.clone(),
            call: "FutureRecord::to".into(),
            line: 1,
            function: Some("publish".into()),
            in_test: false,
        });
        for n in 0..20 {
            let topic = if distinct {
                format!("orders.{n:02}")
            } else {
                "orders".to_string()
            };
            f.graph.str_calls.push(StrCall {
                callee: "publish".into(),
                owner: None,
                args: vec![StrExpr::Lit(topic)],
                line: n + 10,
                function: Some(format!("handler{n}")),
                in_test: false,
                sources: Vec::new(),
            });
        }
        vec![krate("svc", &[], &[], f)]
    };
    let crates = facts(false);
    let v = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
    let got = v.resolve_all("svc", Some("svc"), &param);
    assert_eq!(got.cut, None);
    assert_eq!(got.pieces.len(), 20, "a path per call");
    assert!(got.pieces.iter().all(|p| p.text == "orders"));

    let crates = facts(true);
    let v = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
    let got = v.resolve_all("svc", Some("svc"), &param);
    assert_eq!(got.pieces.len(), MAX_TEXTS);
    assert_eq!(
        got.cut.map(|c| c.describe()),
        Some("at most 16 alternatives of a value kept, the rest cut".to_string())
    );
}
