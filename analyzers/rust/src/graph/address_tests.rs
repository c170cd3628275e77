//! Addresses handed in as parameters: an HTTP URL or a gRPC `connect`
//! target built from a string parameter of the enclosing function is a
//! [`StrExpr::Param`], and calls hand address-like values on.

use super::tests::facts;
use super::*;

fn param(function: &str, index: usize, line: u32) -> StrExpr {
    let name = function.rsplit("::").next().unwrap_or(function).to_string();
    let owner = function.split_once("::").map(|(o, _)| o.to_string());
    StrExpr::Param(Box::new(ParamRef {
        function: function.to_string(),
        name,
        owner,
        index,
        line,
    }))
}

#[test]
fn urls_and_targets_from_parameters_are_params() {
    let f = facts(
        r#"
use pb::inventory_client::InventoryClient;
pub async fn get_json(client: &reqwest::Client, url: &str) {
    client.get(url).send().await;
}
pub async fn health(url: &str) { reqwest::get(url).await; }
pub struct Api { http: reqwest::Client, base: String }
impl Api {
    pub async fn call(&self, path: &str) {
        self.http.get(format!("{}{}", self.base, path)).send().await;
    }
}
pub async fn connect_inventory(addr: String) -> InventoryClient<Channel> {
    InventoryClient::connect(addr).await.unwrap()
}
fn not_a_param(client: &reqwest::Client) {
    let url = "http://a-svc:8080/x";
    client.get(url).send();
}
"#,
    );
    let urls: Vec<&StrExpr> = f.http_calls.iter().map(|h| &h.url).collect();
    assert_eq!(
        urls,
        [
            &param("get_json", 1, 3),
            &param("health", 0, 6),
            &StrExpr::Format {
                template: "{}{}".into(),
                args: vec![StrExpr::Field("base".into()), param("Api::call", 0, 9)],
            },
            &StrExpr::Lit("http://a-svc:8080/x".into()),
        ]
    );
    let targets: Vec<&StrExpr> = f
        .grpc_clients
        .iter()
        .filter_map(|c| c.target.as_ref())
        .collect();
    assert_eq!(targets, [&param("connect_inventory", 0, 13)]);
}

#[test]
fn calls_keep_address_arguments() {
    let f = facts(
        r#"
const BASE: &str = "http://pricing-svc:8080";
async fn main() {
    get_json(&c, "http://inventory-svc:8080/items").await;
    get_json(&c, &format!("{}/quotes", BASE)).await;
    api.call("/prices").await;
    log_it(&format!("failed: {}", e));
}
async fn stock(c: &reqwest::Client, base: &str) {
    get_json(c, &format!("{}/stock", base)).await;
}
"#,
    );
    let args: Vec<(&str, &StrExpr)> = f
        .str_calls
        .iter()
        .filter_map(|s| Some((s.callee.as_str(), s.args.last()?)))
        .collect();
    assert_eq!(
        args,
        [
            (
                "get_json",
                &StrExpr::Lit("http://inventory-svc:8080/items".into())
            ),
            (
                "get_json",
                &StrExpr::Format {
                    template: "{}/quotes".into(),
                    args: vec![StrExpr::Const(vec!["BASE".into()])],
                }
            ),
            ("call", &StrExpr::Lit("/prices".into())),
            (
                "get_json",
                &StrExpr::Format {
                    template: "{}/stock".into(),
                    args: vec![param("stock", 1, 9)],
                }
            ),
        ],
        "a log message is no address"
    );
}
