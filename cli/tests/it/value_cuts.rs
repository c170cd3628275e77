//! N015: where a bound of the value resolution cuts values of a Kafka
//! topic, an HTTP URL or a gRPC address, a warning of its own (not N009,
//! an unresolved topic) names the site, the bound and how many were cut
//! (`value-cuts` fixture: a function of seventeen values, base URLs and
//! addresses ten calls away, a field written with seventeen addresses).
//! Within the bounds nothing is said: three calls away, and one value
//! written in twenty places (twenty paths to one value are not twenty
//! alternatives).

use crate::support::*;

#[test]
fn values_cut_by_a_bound_are_reported_where_they_are_cut() {
    let m = scan(&fixture("value-cuts"), &[]);
    let cuts: Vec<String> = diags(&m, "values-cut")
        .into_iter()
        .map(|d| {
            assert_eq!(d["severity"], "warning");
            format!(
                "{} {}",
                diag_at(d),
                d["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    let at = |file: &str, what: &str, bound: &str| {
        format!("{file} {what} at {file}: more values than nova follows ({bound})")
    };
    let sixteen = "at most 16 alternatives of a value kept, 1 more cut";
    let deep = "followed 8 hops deep, the rest cut";
    assert_eq!(
        cuts,
        [
            at(
                "events-svc/src/main.rs:37",
                "produced topics in `events-svc`",
                sixteen
            ),
            at(
                "shop-svc/src/grpc.rs:14",
                "addresses of the `Inventory` gRPC client in `shop-svc`",
                deep
            ),
            at(
                "shop-svc/src/grpc.rs:82",
                "addresses of the `Inventory` gRPC client in `shop-svc`",
                sixteen
            ),
            at(
                "shop-svc/src/http.rs:31",
                "URLs of the HTTP call in `shop-svc`",
                sixteen
            ),
            at(
                "shop-svc/src/http.rs:36",
                "URLs of the HTTP call in `shop-svc`",
                deep
            ),
        ]
    );
    // Nothing else: no unresolved topic or URL stands for what was cut,
    // and the values within the bounds (`near`, `status`, the direct
    // address, `shop.orders` through twenty writes) say nothing.
    assert_eq!(
        m["diagnostics"].as_array().map(Vec::len),
        Some(cuts.len()),
        "{:#}",
        m["diagnostics"]
    );
    // What was kept still counts.
    let http = edges_of_kind(&m, "http");
    let via = &http.iter().next().expect("an HTTP edge").2;
    assert!(via.contains("http://stock-svc:8080/p16"), "{via}");
    assert!(via.contains("http://stock-svc:8080/near"), "{via}");
    assert!(via.contains("http://stock-svc:8080/status"), "{via}");
    assert!(!via.contains("/health"), "cut: {via}");
    let produced: Vec<(String, String, String)> = topic_set(&m).into_iter().collect();
    assert_eq!(produced.len(), 17, "shop.e01..e16 and shop.orders");
    assert!(produced.iter().all(|(_, p, _)| p == "events-svc"));
}
