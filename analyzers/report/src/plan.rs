//! The decoupling plan (seed 000), written from the model.
//!
//! For every synchronous dependency between services the plan proposes a
//! replacement, derived from the RPC (or HTTP method) name:
//!
//! - **token checks** (`Verify*`, `Validate*`, `Authenticate*`,
//!   `Authorize*`, anything with `Token`): local JWT verification;
//! - **queries** (`Get*`, `List*`, `Find*`, `Search*`, `Check*`, `Fetch*`,
//!   `Lookup*`, `Count*`..., HTTP `GET`): a local read model in the caller,
//!   fed by `<Entity>Created/Updated/Deleted` events the owner publishes on
//!   `<owner>-events` (entity from the RPC name: `GetPost` → `Post`; topic
//!   from the owner's name without `-service`: `content-events`);
//! - **commands** (anything else: `Create*`, `Attach*`, `Send*`..., HTTP
//!   `POST/PUT/PATCH/DELETE`): an event the caller publishes on
//!   `<caller>-events` (`AttachMedia` from media-service → `MediaAttached`
//!   on `media-events`; the name is a suggestion) and the callee consumes;
//! - **start-up dependencies**: remove the init container / `depends_on`
//!   (named with its manifest), in the phase that removes the last call
//!   between the same two services.
//!
//! Calls from gateways stay (gateways sit on top of the layering), and so do
//! calls accepted in `nova.toml` (`[[sync-calls]] level = "allow"` or an
//! `[[allow]]` entry for `sync-call`).
//!
//! Phases: 0 gives every multi-writer table one writer; then token checks
//! (simplest), start-up-only dependencies, read models, commands, and calls
//! nova could not classify. Within a phase, steps are ordered by the
//! callee's fan-in (most depended-on first). After each phase the plan
//! recomputes the layering with `nova-graph` with the phase's edges removed.
//!
//! Each checklist step is the `nova scaffold` command that implements it:
//!
//! - `nova scaffold outbox --service S --topic T --events E1,E2,...`:
//!   transactional outbox in service S publishing events E* on topic T;
//! - `nova scaffold consumer --service S --topic T --events E1,... [--read-model NAME]`:
//!   idempotent consumer in S for T, optionally maintaining the local table
//!   NAME from the events;
//! - `nova scaffold jwt-verify --service S`: local JWT verification in S.
//!
//! and then the hand edit the scaffold leaves to the person ("S stops calling
//! `VerifyUser` on T", "S reads its local `posts` instead of calling `GetPost`",
//! "S publishes `MediaAttached` instead of calling `AttachMedia`"), with what to
//! remove taken from the edge: the call sites (`file:line` of the RPC's calls in
//! the edge's evidence) and, on the last call between the two services to go,
//! the client (`XClient::connect`) and the address setting (`Edge::address`: the
//! env var the client connects to and where the deployment sets it).
//!
//! (`nova scaffold` itself is implemented separately; the plan only names
//! the commands.)

mod build;
mod markdown;

pub(crate) use build::{
    Replacement, classify_http, classify_rpc, crud_events, events_topic, pascal_stem, plural_snake,
    singular, wait_name, words,
};
pub use markdown::markdown;

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;
    use crate::seed_model::seed_model;
    use nova_config::{Config, Level};
    use nova_config::{ConfigSpan, SyncCallRule};

    fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let Some(i) = text.find(start) else {
            panic!("no {start:?} in\n{text}")
        };
        let rest = &text[i..];
        match rest[start.len()..].find(end) {
            Some(j) => &rest[..start.len() + j],
            None => rest,
        }
    }

    #[test]
    fn naming() {
        assert_eq!(words("GetPostsByIds"), vec!["Get", "Posts", "By", "Ids"]);
        assert_eq!(words("get_user_profile"), vec!["Get", "User", "Profile"]);
        assert_eq!(
            classify_rpc("GetPost", "feed-service", "content-service"),
            Replacement::ReadModel {
                entity: "Post".into()
            }
        );
        assert_eq!(
            classify_rpc("ListMessages", "a", "b"),
            Replacement::ReadModel {
                entity: "Message".into()
            }
        );
        assert_eq!(
            classify_rpc("BatchGetUsersByIds", "a", "b"),
            Replacement::ReadModel {
                entity: "User".into()
            }
        );
        assert_eq!(
            classify_rpc("AttachMedia", "media-service", "content-service"),
            Replacement::Command {
                event: "MediaAttached".into()
            }
        );
        assert_eq!(
            classify_rpc("SendMessage", "a", "b"),
            Replacement::Command {
                event: "MessageSent".into()
            }
        );
        assert_eq!(
            classify_rpc("CreatePost", "a", "b"),
            Replacement::Command {
                event: "PostCreated".into()
            }
        );
        assert_eq!(classify_rpc("VerifyUser", "a", "b"), Replacement::Jwt);
        assert_eq!(classify_rpc("RefreshToken", "a", "b"), Replacement::Jwt);
        assert_eq!(
            classify_http("GET /api/v1/posts/{id}", "a", "b"),
            Replacement::ReadModel {
                entity: "Post".into()
            }
        );
        assert_eq!(
            classify_http("DELETE /api/comments/:id", "a", "b"),
            Replacement::Command {
                event: "CommentDeleted".into()
            }
        );
        assert_eq!(
            classify_http("CONTENT_SERVICE_URL", "a", "b"),
            Replacement::Manual
        );
        assert_eq!(plural_snake("UserProfile"), "user_profiles");
        assert_eq!(plural_snake("Entry"), "entries");
        assert_eq!(plural_snake("Media"), "media");
        assert_eq!(past("Stop"), "Stopped");
        assert_eq!(past("Apply"), "Applied");
        assert_eq!(events_topic("content-service"), "content-events");
    }

    #[test]
    fn seed_plan_phases() {
        let p = markdown(&seed_model(), &Config::default());
        assert_eq!(p, markdown(&seed_model(), &Config::default()));
        let summary = section(&p, "## Problem summary", "## Replacements");
        for line in [
            "1. **feed-service** → content-service",
            "   - content-service: gRPC `GetPost` — `feed-service/src/clients.rs:10` (ContentServiceClient::connect)",
            "   - content-service: start-up — `k8s/feed-service.yaml:20` (initContainers: wait-for-content-service)",
            "2. **media-service** → content-service",
            "3. **messaging-service** → identity-service",
            "4. **realtime-chat-service** → identity-service + messaging-service",
        ] {
            assert!(
                summary.lines().any(|l| l == line),
                "missing {line:?} in\n{summary}"
            );
        }
        assert!(summary.contains("Longest synchronous chain: realtime-chat-service → messaging-service → identity-service (2 hops; at 99.9% per hop the whole chain is up 99.80% of the time)."));
        assert!(!summary.contains("**graphql-gateway**"));

        let p0 = section(
            &p,
            "### Phase 0: give every table one writer",
            "### Phase 1",
        );
        assert!(p0.contains("`users` is written by identity-service (CRUD), messaging-service (RU). Proposed single writer: **identity-service** (its migration creates the table)."));
        assert!(p0.contains("- [ ] messaging-service: move the update at `libs/db-common/src/users.rs:12` (library db-common, called at `messaging-service/src/main.rs:40`) behind identity-service"));

        let p1 = section(
            &p,
            "### Phase 1: local JWT verification (simplest)",
            "### Phase 2",
        );
        for line in [
            "- [ ] `nova scaffold jwt-verify --service messaging-service`",
            "- [ ] `nova scaffold jwt-verify --service realtime-chat-service`",
            "- [ ] Remove messaging-service's init container `wait-for-identity-service` (`k8s/messaging-service.yaml:19`)",
            "**Expected effect:** graphql-gateway moves from Layer 4 to Layer 3; messaging-service moves from Layer 2 to Layer 1; realtime-chat-service moves from Layer 3 to Layer 2.",
        ] {
            assert!(p1.lines().any(|l| l == line), "missing {line:?} in\n{p1}");
        }
        assert!(!p1.contains("GetPost"));

        let p2 = section(&p, "### Phase 2: read models fed by events", "### Phase 3");
        for line in [
            "- [ ] `nova scaffold outbox --service content-service --topic content-events --events PostCreated,PostUpdated,PostDeleted`",
            "- [ ] `nova scaffold consumer --service feed-service --topic content-events --events PostCreated,PostUpdated,PostDeleted --read-model posts`",
            "- [ ] `nova scaffold outbox --service messaging-service --topic messaging-events --events MessageCreated,MessageUpdated,MessageDeleted`",
            "- [ ] `nova scaffold consumer --service realtime-chat-service --topic messaging-events --events MessageCreated,MessageUpdated,MessageDeleted --read-model messages`",
            "- [ ] Remove feed-service's init container `wait-for-content-service` (`k8s/feed-service.yaml:20`)",
            "**Expected effect:** feed-service moves from Layer 2 to Layer 1; realtime-chat-service moves from Layer 2 to Layer 1.",
        ] {
            assert!(p2.lines().any(|l| l == line), "missing {line:?} in\n{p2}");
        }
        // content-service (fan-in 3) comes before messaging-service (fan-in 1).
        assert!(
            p2.find("--service content-service").unwrap_or(usize::MAX)
                < p2.find("--service messaging-service").unwrap_or(0)
        );

        let p3 = section(
            &p,
            "### Phase 3: commands become events",
            "## Target architecture",
        );
        for line in [
            "- [ ] `nova scaffold outbox --service media-service --topic media-events --events MediaAttached`",
            "- [ ] `nova scaffold consumer --service content-service --topic media-events --events MediaAttached`",
            "- [ ] media-service publishes `MediaAttached` instead of calling `AttachMedia` on content-service: remove its client at `media-service/src/attach.rs:12` (ContentServiceClient::connect)",
            "- [ ] Remove media-service's init container `wait-for-content-service` (`k8s/media-service.yaml:18`)",
            "**Expected effect:** graphql-gateway moves from Layer 3 to Layer 2; media-service moves from Layer 2 to Layer 1.",
        ] {
            assert!(p3.lines().any(|l| l == line), "missing {line:?} in\n{p3}");
        }
        let target = section(&p, "## Target architecture", "## Notes");
        for line in [
            "- Layer 0, infrastructure: kafka, postgres, redis",
            "- Layer 1, independent services (depend on infrastructure only): content-service, feed-service, identity-service, media-service, messaging-service, realtime-chat-service",
            "- Layer 2, gateways: graphql-gateway",
        ] {
            assert!(
                target.lines().any(|l| l == line),
                "missing {line:?} in\n{target}"
            );
        }
    }

    /// The hand edit names the RPC's call sites; the client and the address
    /// setting go with the last call between the two services.
    #[test]
    fn hand_edit_names_the_call_client_and_address() {
        use nova_model::{EdgeKind, Evidence, Location};
        let ev = |file: &str, line: u32, note: &str| Evidence {
            location: Location::new(file, line, 0),
            note: note.to_string(),
        };
        let call = |name: &str, replacement: Replacement| Call {
            from: "chat-service".into(),
            to: "messaging-service".into(),
            kind: EdgeKind::Grpc,
            name: name.into(),
            replacement,
            evidence: vec![
                ev(
                    "src/main.rs",
                    9,
                    "field `messaging`: MessagingServiceClient",
                ),
                ev("src/main.rs", 20, "MessagingServiceClient::connect"),
                ev(
                    "src/ws.rs",
                    30,
                    "m.send_message() -> MessagingService/SendMessage",
                ),
                ev(
                    "src/ws.rs",
                    40,
                    "m.list_messages() -> MessagingService/ListMessages",
                ),
                ev(
                    "src/ws.rs",
                    50,
                    "m.list_messages() -> MessagingService/ListMessages",
                ),
            ],
            address: vec![
                ev(
                    "k8s/chat.yaml",
                    7,
                    "MESSAGING_URL=http://messaging-service:50053",
                ),
                ev("src/main.rs", 18, "MESSAGING_URL"),
            ],
        };
        let list = call(
            "ListMessages",
            Replacement::ReadModel {
                entity: "Message".into(),
            },
        );
        let send = call(
            "SendMessage",
            Replacement::Command {
                event: "MessageSent".into(),
            },
        );
        let calls = vec![list.clone(), send.clone()];
        assert!(!last_of_pair(&list, &calls));
        assert!(last_of_pair(&send, &calls));
        assert_eq!(
            hand_edit(&list, last_of_pair(&list, &calls)),
            ": remove the calls at `src/ws.rs:40` (m.list_messages() -> MessagingService/ListMessages), `src/ws.rs:50` (m.list_messages() -> MessagingService/ListMessages)"
        );
        assert_eq!(
            hand_edit(&send, true),
            ": remove the call at `src/ws.rs:30` (m.send_message() -> MessagingService/SendMessage), its client at `src/main.rs:20` (MessagingServiceClient::connect), then the address setting `MESSAGING_URL` (`k8s/chat.yaml:7`, `src/main.rs:18`)"
        );
        let bare = Call {
            evidence: Vec::new(),
            address: Vec::new(),
            ..send
        };
        assert_eq!(hand_edit(&bare, true), "");
    }

    #[test]
    fn accepted_pairs_are_kept() {
        let mut c = Config::default();
        c.sync_calls.push(SyncCallRule {
            from: "media-service".into(),
            to: "content-service".into(),
            level: Level::Allow,
            span: ConfigSpan::default(),
        });
        let p = markdown(&seed_model(), &c);
        assert!(!p.contains("AttachMedia"));
        assert!(!p.contains("### Phase 3"));
        assert!(p.contains("Kept on purpose (accepted in nova.toml): media-service → content-service (grpc), media-service → content-service (startup)."));
        assert!(p.contains("- Layer 2, services: media-service"));
    }
}
