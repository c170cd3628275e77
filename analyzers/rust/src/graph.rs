//! gRPC, HTTP and Kafka facts from one Rust file, found by walking the `syn`
//! AST. OWNED BY the graph-extraction work.
//!
//! Everything here is per file and unresolved: constants defined elsewhere,
//! config fields and env vars are kept as [`StrExpr`] and resolved by
//! `nova-link` with the facts of the whole crate.

use serde::{Deserialize, Serialize};

#[cfg(test)]
mod address_tests;
mod collect;
mod declared;
mod prepass;
mod returns;
mod rows;
mod shapes;
mod strings;
#[cfg(test)]
mod tests;
mod topic_maps;
#[cfg(test)]
mod url_tests;
mod urls;
mod walker;

pub(crate) use collect::{done, finish, start};
pub use returns::SELF_TYPE;
pub use urls::URL_JOIN;
pub(crate) use walker::Walker;

/// A string value as written in code (a topic, a URL, a host), before
/// cross-file resolution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum StrExpr {
    /// A string literal.
    Lit(String),
    /// A path to a const/static not defined in the function
    /// (`TOPIC`, `topics::CONTENT_EVENTS`), resolved against the crate's
    /// [`TopicConst`]s.
    Const(Vec<String>),
    /// `format!(template, args..)`: one expression per `{}` hole.
    Format {
        template: String,
        args: Vec<StrExpr>,
    },
    /// `std::env::var("NAME")` with its code default (`unwrap_or(..)`,
    /// `unwrap_or_else(|_| "..".into())`), if any.
    Env {
        var: String,
        default: Option<Box<StrExpr>>,
    },
    /// A field of a config value (`self.config.content_url`,
    /// `cfg.kafka.topic`): the last field name, resolved against the
    /// crate's [`FieldInit`]s.
    Field(String),
    /// Several values (`&["a", "b"]`, `vec![..]`, a const array).
    List(Vec<StrExpr>),
    /// A parameter of a function, stored where it is seen (a field set from
    /// it, a call forwarding it): its values are the arguments of the calls
    /// to that function, resolved across files by `nova-link`.
    Param(Box<ParamRef>),
    /// Not resolvable statically: the source text of the expression.
    Unknown(String),
    /// What a call returns (`topic()`, `topics::orders()`, `Self::topic()`,
    /// `event.topic()`, `topic_for("orders")`), or an associated const read
    /// through a generic type (`E::TOPIC`): resolved by `nova-link` against
    /// the [`FnReturn`]s (and consts) of the called function.
    Call(Box<CallRef>),
    /// A value of a named type that is not a string (`OrderPlaced { .. }`,
    /// `OrderPlaced::new(..)`, a local or parameter typed `OrderPlaced`):
    /// what a method called on it returns depends on the type.
    Typed(String),
    /// A value whose type a declaration gives (a field of `self` declared
    /// `events: Arc<EventBus>`, a trait object `Box<dyn Bus>`): a method's
    /// receiver, with the declaration as a hop of the value's chain.
    Declared(Box<Declared>),
    /// A field of `self` whose struct is declared in another file of the
    /// crate (`self.cfg` in an `impl` of a struct in `state.rs`): a
    /// receiver whose type `nova-link` reads from the crate's
    /// [`StructField`]s, like a [`StrExpr::Declared`] one.
    SelfField(Box<SelfField>),
}

/// A field of `self` whose declaration is in another file (see
/// [`StrExpr::SelfField`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SelfField {
    /// The struct (the `impl` type).
    pub owner: String,
    /// The field's name.
    pub field: String,
}

/// A struct's field declared with a named type (`cfg: Arc<Config>`,
/// `bus: Mutex<EventBus>`): what a method called through the field in
/// another file of the crate is a method of (see [`StrExpr::SelfField`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StructField {
    /// The struct.
    pub owner: String,
    pub field: String,
    /// The type held (through references, smart pointers and locks): its
    /// last segment, or `dyn Trait` for a trait object.
    pub ty: String,
    /// The crate the type is imported from (see [`Declared::from`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    pub line: u32,
}

/// A receiver's type read from its declaration (see [`StrExpr::Declared`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Declared {
    /// The type's name (last segment), or `dyn Trait` for a trait object.
    pub ty: String,
    /// What declares it (``field `events` ``).
    pub by: String,
    /// The declaration's line.
    pub line: u32,
    /// The crate the type is imported from (`ext_config` for `use
    /// ext_config::Config;` or `ext_config::Config` written out), when it
    /// is another crate's: its methods are that crate's, not those of a
    /// type of the same name elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// The type a function is declared to return (`-> EventBus`, `-> &Bus`,
/// `-> Result<Bus, E>`), recorded for a named type: a method called on
/// what a call to it returns is that type's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FnType {
    /// The function's name (last segment), what calls are matched by.
    pub name: String,
    /// The `impl` type of a method or associated function.
    pub owner: Option<String>,
    /// Inline modules around it, outermost first.
    pub module: Vec<String>,
    /// The type (last segment), through references, smart pointers and a
    /// `Result`/`Option`.
    pub ty: String,
    /// Inside a `Result`/`Option`: the type only where the call's value is
    /// unwrapped (`?`, `.unwrap()`, `.expect(..)`).
    pub wrapped: bool,
    pub line: u32,
    pub in_test: bool,
}

/// A call whose value is what the called function returns (see
/// [`StrExpr::Call`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CallRef {
    /// The callee's name (last segment); for an associated const, its name.
    pub name: String,
    /// `Type::f(..)`: the type (`Self` replaced by the `impl` type).
    pub owner: Option<String>,
    /// The modules written before a free function (`topics` in
    /// `topics::orders()`).
    pub qualifier: Vec<String>,
    /// A method's receiver, or the value whose type names an associated
    /// const: [`StrExpr::Typed`] when its type is seen where the call is
    /// written, a [`StrExpr::Param`] when it is the caller's parameter.
    pub recv: Option<StrExpr>,
    /// The arguments (not counting a receiver), for the callee's
    /// parameters: [`StrExpr::Unknown`] for those that are not string-like.
    pub args: Vec<StrExpr>,
    /// `E::TOPIC` with `E` the type of a parameter: a const, not a call.
    pub assoc_const: bool,
    /// The call's source text (empty where it is not needed).
    pub text: String,
    /// Its line (0 where it is not needed).
    pub line: u32,
    /// As a receiver: its value unwrapped (`f()?`, `f().unwrap()`), so a
    /// function returning `Result<T, E>`/`Option<T>` gives a `T`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unwrapped: bool,
}

/// `impl Trait for Type`: a method the type does not define is the
/// trait's default.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TraitImpl {
    /// The trait's name (last segment).
    pub trait_name: String,
    /// The type's name (last segment).
    pub type_name: String,
    pub line: u32,
}

/// The string values a function returns (its tail expression, each
/// `return`, each arm of an `if`/`match` in tail position), recorded for
/// functions whose return type is a string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FnReturn {
    /// The function's name (last segment), what calls are matched by.
    pub name: String,
    /// Its path, as in [`ParamRef::function`].
    pub path: String,
    /// The `impl` type of a method or associated function.
    pub owner: Option<String>,
    /// Inline modules around it, outermost first.
    pub module: Vec<String>,
    /// A method taking `self`: called as `Type::f(x, ..)`, its first
    /// argument is the receiver.
    #[serde(default)]
    pub receiver: bool,
    /// Each value with the line it is written on.
    pub values: Vec<(StrExpr, u32)>,
    /// How many values were not kept: past the 16 kept, or nested deeper
    /// than 8 `if`/`match` levels (the resolver reports the cut, N015).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cut: u32,
    pub line: u32,
    pub in_test: bool,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A function parameter a value comes from (see [`StrExpr::Param`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ParamRef {
    /// The function's path (`Publisher::new`, `module::send`).
    pub function: String,
    /// Its name (last segment), what calls are matched by.
    pub name: String,
    /// The `impl` type of a method or associated function: a call written
    /// `Type::name(..)` or on a chain rooted at `Type::..` must name it.
    pub owner: Option<String>,
    /// Parameter index, not counting `self`.
    pub index: usize,
    /// Line of the function.
    pub line: u32,
}

/// How a gRPC client was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ClientShape {
    /// `FooClient::connect(url)`.
    Connect,
    /// `FooClient::new(channel)`.
    New,
    /// `FooClient::with_interceptor(channel, i)`.
    WithInterceptor,
    /// A struct field typed `FooClient<..>`.
    Field,
    /// `type X = FooClient<..>`.
    Alias,
    /// A function returning a client (pool getter).
    ReturnType,
    /// A function parameter typed as a client.
    Param,
}

/// A gRPC client for a proto service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GrpcClient {
    /// Proto service name (`ContentService` for `ContentServiceClient`).
    pub service: String,
    pub shape: ClientShape,
    /// The name through which it is handed out: field name, alias name,
    /// getter function name, or the enclosing type for fields.
    pub name: Option<String>,
    /// Struct owning the field (for [`ClientShape::Field`]): a wrapper.
    pub owner: Option<String>,
    /// Target address argument of `connect`, when present.
    pub target: Option<StrExpr>,
    pub line: u32,
    /// Enclosing function path (`module::fn`, `Type::method`).
    pub function: Option<String>,
    pub in_test: bool,
}

/// A client re-exported by a library under a name of its own (see
/// [`GraphFacts::client_reexports`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientReexport {
    /// The name other crates import (`Foo`).
    pub name: String,
    /// The proto service (`Foo` for `FooClient`).
    pub service: String,
}

/// A name this file hands to the crate's other files, imported from
/// another crate (`pub use catalog_client::Catalog;`, `pub(crate) use ..
/// as ..`): a file importing it from the crate (`use crate::Catalog;`)
/// holds that crate's type, a client when that crate re-exports one (see
/// [`GraphFacts::pub_imports`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PubImport {
    /// The name other files import (`Catalog`, or the `as` name).
    pub name: String,
    /// The [`foreign_client`] it may be (`?catalog_client::Catalog`).
    pub client: String,
}

/// The crate-relative [`foreign_client`] of a type a file imports from its
/// own crate (`use crate::clients::Catalog;`): settled by `nova-link`
/// against the crate's [`PubImport`]s.
pub fn crate_client(name: &str) -> String {
    foreign_client(OWN_CRATE, name)
}

/// The crate of a [`crate_client`].
pub const OWN_CRATE: &str = "crate";

/// The name of a [`PubImport`] handing on every name of another crate's
/// module (`pub use lib::clients::*;`; its client is that crate's
/// [`foreign_client`] of this name).
pub const GLOB: &str = "*";

/// The service of a client built from a type imported from another crate
/// (`use catalog_client::Catalog; Catalog::connect(..)`), not known to be
/// a client in this file: `nova-link` settles it against the crates'
/// [`ClientReexport`]s, and drops it when none matches.
pub fn foreign_client(krate: &str, name: &str) -> String {
    format!("{FOREIGN}{krate}::{name}")
}

/// The crate and name of a [`foreign_client`] service.
pub fn as_foreign_client(service: &str) -> Option<(&str, &str)> {
    service.strip_prefix(FOREIGN)?.split_once("::")
}

const FOREIGN: &str = "?";

/// How a gRPC server was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServerShape {
    /// `impl foo_server::Foo for X`.
    Impl,
    /// `FooServer::new(x)` / `with_interceptor` (usually handed to
    /// `Server::builder().add_service(..)`).
    Router,
}

/// A gRPC server for a proto service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GrpcServer {
    /// Proto service name (`ContentService`).
    pub service: String,
    pub shape: ServerShape,
    /// Implementing type, for `impl` blocks.
    pub impl_type: Option<String>,
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
}

/// A method called on a value that looks like a gRPC client.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RpcCall {
    /// Proto service when the receiver's client type is known in the file.
    pub service: Option<String>,
    /// Receiver text (`self.content`, `client`, `pool.content()`).
    pub receiver: String,
    /// Method name as called (`get_post`).
    pub method: String,
    /// PascalCase RPC name (`GetPost`).
    pub rpc: String,
    /// When the receiver is itself a method call (`pool.content()`), that
    /// method's name: a client getter, possibly defined in a library.
    pub via_getter: Option<String>,
    /// When the receiver is a field whose type this file does not know
    /// (`state.identity`, or a local bound to `state.identity.clone()`):
    /// the field name, matched in link against the crate's client fields.
    /// Such calls are candidates only; link keeps them when the field is a
    /// client and the method an RPC of its proto.
    pub via_field: Option<String>,
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
}

/// An HTTP request to a URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct HttpCall {
    /// `reqwest::get`, `reqwest.post`, `ureq::get`, `awc.get`, `hyper::Request`...
    pub api: String,
    pub url: StrExpr,
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
}

/// Where a topic is produced/consumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TopicRole {
    Produce,
    Consume,
}

/// How a topic is reached in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TopicApi {
    /// rdkafka `FutureRecord::to`/`BaseRecord::to`, `subscribe`; the
    /// `kafka` crate (`Record::from_value`, `Consumer::..with_topic`);
    /// rskafka (`partition_client`).
    Direct,
    /// An outbox enqueue/publish/macro.
    Outbox,
}

/// A produce or consume site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TopicSite {
    pub role: TopicRole,
    pub api: TopicApi,
    pub topic: StrExpr,
    /// The call seen (`FutureRecord::to`, `subscribe`, `outbox_event!`).
    pub call: String,
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
}

/// A function that hands one of its parameters to a produce/subscribe call
/// (`fn publish(&self, topic: &str, ..) { FutureRecord::to(topic) }`):
/// calls to it name the topic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TopicParam {
    /// Function name (last segment).
    pub name: String,
    /// Function path.
    pub path: String,
    /// Parameter index, not counting `self`.
    pub index: usize,
    pub role: TopicRole,
    pub api: TopicApi,
    pub line: u32,
}

/// A call with at least one string-like argument (literal, const path),
/// kept so that calls to [`TopicParam`] functions in other files resolve.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StrCall {
    /// Callee name (last segment).
    pub callee: String,
    /// The type named before the callee (`Publisher` in
    /// `Publisher::new(..)`, `Emitter` in `Emitter::builder().with_topic(..)`),
    /// with `Self` replaced by the `impl` type; `None` when unknown.
    #[serde(default)]
    pub owner: Option<String>,
    /// One entry per argument (not counting a method receiver);
    /// [`StrExpr::Unknown`] for arguments that are not string-like.
    pub args: Vec<StrExpr>,
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
    /// What an argument of a known type ([`StrExpr::Typed`]) is, when it
    /// is a struct literal (written in the call or bound to the local
    /// handed in) or a parameter of the calling function: an ORM row
    /// handed on is matched per argument, not per calling function.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<(usize, ArgSource)>,
}

/// What a [`StrCall`] argument of a known type is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArgSource {
    /// A struct literal: the line of its type's name, as
    /// [`RowLiteral::line`].
    Literal(u32),
    /// This parameter of the calling function (not counting `self`).
    Param(usize),
}

/// The bound arguments of an SQL call (`sqlx::query!(sql, a, b)`,
/// `sqlx::query(sql).bind(a).bind(b)`, `client.execute(sql, &[&a, &b])`),
/// kept when one can name a topic: an outbox insert binding its topic
/// column to `$n` takes argument `n` from here.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SqlArgs {
    /// One entry per bound argument, in order ([`StrExpr::Unknown`] for
    /// those that are not string-like).
    pub args: Vec<StrExpr>,
    /// Line of the SQL call, as in [`crate::sql::SqlSite::line`].
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
}

/// A const/static holding a string or an array of strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TopicConst {
    pub name: String,
    /// Inline `mod` path inside the file, outermost first.
    pub module: Vec<String>,
    pub value: StrExpr,
    pub line: u32,
}

/// A struct-literal field (or `let`-free config field) initialised with a
/// string value: `Config { content_url: env::var("X").unwrap_or(..) }`, or a
/// field of an `envy`/serde config struct (env var = field name upper-cased).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FieldInit {
    pub field: String,
    pub value: StrExpr,
    pub line: u32,
}

/// A struct literal writing a topic column (`NewOutbox { topic: .., .. }`):
/// a row an ORM insert may write, built or handed on in a file that names
/// no ORM (`nova-link` keeps those of a known model).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RowLiteral {
    /// The struct's name (last segment; `Self`: the `impl` type).
    pub ty: String,
    pub function: Option<String>,
    pub in_test: bool,
    /// The line of the struct's name.
    pub line: u32,
    /// The topic columns written.
    pub fields: Vec<RowField>,
}

/// A topic column a [`RowLiteral`] writes, as `nova-orm` records a struct
/// literal's (`nova_orm::WrittenValue`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RowField {
    pub column: String,
    /// The field's line, or that of `Set` for `Set(v)`: where the graph
    /// walk recorded the value (a [`FieldInit`], a [`StrCall`] of `Set`).
    pub line: u32,
    /// The value as written.
    pub text: String,
    /// The value is this parameter of the enclosing function.
    pub param: Option<usize>,
    /// Written as `Set(v)` (SeaORM).
    pub set: bool,
}

/// A read of an environment variable (`env::var("CONTENT_SERVICE_URL")`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EnvRead {
    pub var: String,
    pub default: Option<String>,
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
}

/// A use of an infrastructure client library in code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InfraHint {
    pub kind: nova_model::InfraKind,
    /// What was seen (`redis::Client::open`).
    pub api: String,
    pub line: u32,
    pub function: Option<String>,
    pub in_test: bool,
}

/// Per-function behaviour facts (consumer handler, dedupe). The names it
/// calls, for following handlers, pool getters and wrappers across files,
/// are those of the same function's [`crate::sql::FnInfo`]:
/// [`crate::FileFacts::calls_of`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GraphFn {
    /// Inline modules, impl type and name joined with `::`
    /// (`Type::method`, `module::fn`), as in `sql::FnInfo::path`.
    pub path: String,
    pub name: String,
    pub line: u32,
    pub in_test: bool,
    /// Calls `subscribe`, creates a `StreamConsumer`/`BaseConsumer`, or
    /// reads messages from a consumer (`recv()`, `stream()`).
    pub consumer_handler: bool,
    /// Reads messages (`consumer.recv()`, `stream()`, a
    /// `nova_consumer::Handler` method): the functions it calls handle them
    /// too.
    pub reads_messages: bool,
    /// Uses the idempotent-consumer API (`nova_consumer`, `Inbox`,
    /// `dedup`...).
    pub dedupes: bool,
    /// Index of the same function in [`crate::FileFacts::functions`] (set
    /// by the file's one walk, where both collectors enter the function):
    /// one list of calls per function, not two.
    pub info: Option<usize>,
    /// Guards and the fields the function switches on (`None` for most
    /// functions: one word instead of two empty lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guards: Option<Box<FnGuards>>,
}

/// What a function says about guards (see [`GraphFn::guarded`],
/// [`GraphFn::sets`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FnGuards {
    pub guarded: Vec<(String, String)>,
    pub sets: Vec<String>,
}

impl GraphFn {
    /// Names called only behind a guard on a field of `self`
    /// (`if let Some(r) = &self.relay { relay(r) }`, `if self.audit {..}`),
    /// with that field: the callee runs only where the field is set.
    pub fn guarded(&self) -> &[(String, String)] {
        self.guards.as_ref().map_or(&[], |g| g.guarded.as_slice())
    }

    /// Fields this function switches on (`self.relay = Some(..)`,
    /// `self.audit = true`, a struct literal's `relay: Some(..)`).
    pub fn sets(&self) -> &[String] {
        self.guards.as_ref().map_or(&[], |g| g.sets.as_slice())
    }
}

/// gRPC/HTTP/Kafka facts from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphFacts {
    /// The file is generated gRPC code (`// @generated`, `tonic::codegen`,
    /// `pub mod foo_client { impl<T> FooClient<T> .. }`): nothing else is
    /// collected from it.
    pub generated: bool,
    /// Services whose tonic client or server code is in this file
    /// (`DaprClient` in a generated `dapr_client` module -> `Dapr`): they
    /// are declared even when no `.proto` of them is in the tree.
    #[serde(default)]
    pub generated_services: Vec<String>,
    pub grpc_servers: Vec<GrpcServer>,
    pub grpc_clients: Vec<GrpcClient>,
    /// Clients this file hands to other crates under a name of its own
    /// (`pub use pb::foo_client::FooClient as Foo;`, `pub type Foo = ..`).
    #[serde(default)]
    pub client_reexports: Vec<ClientReexport>,
    /// Names this file hands to the crate's other files from other crates
    /// (see [`PubImport`]).
    #[serde(default)]
    pub pub_imports: Vec<PubImport>,
    pub rpc_calls: Vec<RpcCall>,
    pub http_calls: Vec<HttpCall>,
    pub topics: Vec<TopicSite>,
    /// Functions forwarding a parameter to a produce/subscribe call.
    pub topic_params: Vec<TopicParam>,
    /// Calls with string-like arguments (see [`StrCall`]).
    pub str_calls: Vec<StrCall>,
    /// Bound arguments of SQL calls (see [`SqlArgs`]).
    #[serde(default)]
    pub sql_args: Vec<SqlArgs>,
    pub consts: Vec<TopicConst>,
    /// String values returned by functions (see [`FnReturn`]).
    #[serde(default)]
    pub returns: Vec<FnReturn>,
    /// `impl Trait for Type` blocks (see [`TraitImpl`]).
    #[serde(default)]
    pub trait_impls: Vec<TraitImpl>,
    /// Named types functions are declared to return (see [`FnType`]).
    #[serde(default)]
    pub fn_types: Vec<FnType>,
    pub fields: Vec<FieldInit>,
    /// Struct fields declared with a named type (see [`StructField`]).
    #[serde(default)]
    pub struct_fields: Vec<StructField>,
    /// Struct literals writing a topic column (see [`RowLiteral`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub row_literals: Vec<RowLiteral>,
    pub env_reads: Vec<EnvRead>,
    pub infra: Vec<InfraHint>,
    /// Functions (all of them, with their calls).
    pub functions: Vec<GraphFn>,
}

impl GraphFacts {
    /// Reserve room for `factor` times the facts held now.
    pub(crate) fn reserve_scaled(&mut self, factor: f64) {
        use crate::reserve_scaled as r;
        r(&mut self.grpc_servers, factor);
        r(&mut self.grpc_clients, factor);
        r(&mut self.rpc_calls, factor);
        r(&mut self.http_calls, factor);
        r(&mut self.topics, factor);
        r(&mut self.topic_params, factor);
        r(&mut self.str_calls, factor);
        r(&mut self.sql_args, factor);
        r(&mut self.consts, factor);
        r(&mut self.returns, factor);
        r(&mut self.trait_impls, factor);
        r(&mut self.fn_types, factor);
        r(&mut self.fields, factor);
        r(&mut self.struct_fields, factor);
        r(&mut self.row_literals, factor);
        r(&mut self.env_reads, factor);
        r(&mut self.infra, factor);
        r(&mut self.functions, factor);
    }

    /// Add the facts of the next piece of the same file (see
    /// [`crate::pieces`]); [`finish`] orders them afterwards.
    pub(crate) fn append(&mut self, other: GraphFacts) {
        let GraphFacts {
            generated,
            generated_services,
            grpc_servers,
            grpc_clients,
            client_reexports,
            pub_imports,
            rpc_calls,
            http_calls,
            topics,
            topic_params,
            str_calls,
            sql_args,
            consts,
            returns,
            trait_impls,
            fn_types,
            fields,
            struct_fields,
            row_literals,
            env_reads,
            infra,
            functions,
        } = other;
        self.generated |= generated;
        self.generated_services.extend(generated_services);
        self.grpc_servers.extend(grpc_servers);
        self.grpc_clients.extend(grpc_clients);
        self.client_reexports.extend(client_reexports);
        self.pub_imports.extend(pub_imports);
        self.rpc_calls.extend(rpc_calls);
        self.http_calls.extend(http_calls);
        self.topics.extend(topics);
        self.topic_params.extend(topic_params);
        self.str_calls.extend(str_calls);
        self.sql_args.extend(sql_args);
        self.consts.extend(consts);
        self.returns.extend(returns);
        self.trait_impls.extend(trait_impls);
        self.fn_types.extend(fn_types);
        self.fields.extend(fields);
        self.struct_fields.extend(struct_fields);
        self.row_literals.extend(row_literals);
        self.env_reads.extend(env_reads);
        self.infra.extend(infra);
        self.functions.extend(functions);
    }
}

/// `get_post` -> `GetPost`.
pub fn snake_to_pascal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for part in s.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}
