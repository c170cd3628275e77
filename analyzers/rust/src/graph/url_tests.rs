//! Addresses of the remaining helper shapes ([`super::urls`]): generic
//! parameters of a URL bound, URLs built by `Url::parse`/`join`, channels
//! built from a string; parameters of other bounds are no address.

use super::tests::facts;
use super::*;

fn param(function: &str, index: usize, line: u32) -> StrExpr {
    StrExpr::Param(Box::new(ParamRef {
        function: function.to_string(),
        name: function.to_string(),
        owner: None,
        index,
        line,
    }))
}

#[test]
fn generic_url_parameters_are_params() {
    let f = facts(
        r#"
use pb::inventory_client::InventoryClient;
use tonic::transport::{Channel, Endpoint};
pub async fn a<U: reqwest::IntoUrl>(client: &reqwest::Client, target: U) {
    client.get(target).send().await;
}
pub async fn b(client: &reqwest::Client, to: impl IntoUrl) { client.get(to).send().await; }
pub async fn c<U>(client: &reqwest::Client, to: U) where U: IntoUrl { client.post(to).send().await; }
pub async fn d(client: &reqwest::Client, to: &Url) { client.get(to.clone()).send().await; }
pub async fn g<D: TryInto<Endpoint>>(dst: D) -> InventoryClient<Channel> {
    InventoryClient::connect(dst).await.unwrap()
}
pub async fn h(dst: impl TryInto<tonic::transport::Endpoint>) -> InventoryClient<Channel> {
    InventoryClient::connect(dst).await.unwrap()
}
pub async fn i<D>(dst: D) -> InventoryClient<Channel> where D: Into<Endpoint> {
    InventoryClient::connect(dst).await.unwrap()
}
pub async fn j(dst: &'static str) -> InventoryClient<Channel> {
    let ch = Endpoint::from_static(dst).connect_lazy();
    InventoryClient::new(ch)
}
"#,
    );
    let urls: Vec<&StrExpr> = f.http_calls.iter().map(|h| &h.url).collect();
    assert_eq!(
        urls,
        [
            &param("a", 1, 4),
            &param("b", 1, 7),
            &param("c", 1, 8),
            &param("d", 1, 9)
        ]
    );
    let targets: Vec<&StrExpr> = f
        .grpc_clients
        .iter()
        .filter_map(|c| c.target.as_ref())
        .collect();
    assert_eq!(
        targets,
        [
            &param("g", 0, 10),
            &param("h", 0, 13),
            &param("i", 0, 16),
            &param("j", 0, 19)
        ]
    );
}

#[test]
fn parameters_of_other_bounds_are_no_address() {
    let f = facts(
        r#"
pub async fn a<T: std::fmt::Display>(client: &reqwest::Client, tag: T) {
    client.get(tag.to_string()).send().await;
}
pub fn b<K: std::hash::Hash + Eq>(client: &Cache, key: K) { client.get(key); }
"#,
    );
    assert!(f.http_calls.is_empty(), "{:?}", f.http_calls);
}

#[test]
fn built_urls_keep_their_strings() {
    let f = facts(
        r#"
pub async fn a(client: &reqwest::Client, base: &str, path: &str) {
    let base = Url::parse(base)?;
    let url = base.join(path)?;
    client.get(url).send().await;
}
pub async fn b(client: &reqwest::Client, url: &str) {
    let u = url::Url::from_str(url).unwrap();
    client.get(u.as_str()).send().await;
}
pub async fn c(client: &reqwest::Client) {
    let u = Url::parse("http://a-svc:8080/v1/")?.join("x")?;
    client.get(u.to_string()).send().await;
}
pub async fn d(client: &reqwest::Client, body: Hook) {
    let url = Url::parse(&body.callback)?;
    client.get(url).send().await;
}
pub fn e(client: &reqwest::Client, parts: Vec<String>) {
    let url = parts.join("/");
    client.get(url).send();
}
"#,
    );
    let urls: Vec<&StrExpr> = f.http_calls.iter().map(|h| &h.url).collect();
    assert_eq!(
        urls,
        [
            &StrExpr::Format {
                template: URL_JOIN.into(),
                args: vec![param("a", 1, 2), param("a", 2, 2)],
            },
            &param("b", 1, 7),
            &StrExpr::Format {
                template: URL_JOIN.into(),
                args: vec![
                    StrExpr::Lit("http://a-svc:8080/v1/".into()),
                    StrExpr::Lit("x".into())
                ],
            },
            // A URL parsed from a message's field: not a value of it.
            &StrExpr::Unknown("url = Url::parse(&body.callback)".into()),
            &StrExpr::Unknown("url = parts.join(\"/\")".into()),
        ]
    );
}
