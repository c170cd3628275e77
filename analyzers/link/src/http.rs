//! HTTP: requests whose URL (or base URL env var) names another service.

use crate::follow::attribute;
use crate::values::names_param;
use crate::{Ctx, live_files};
use nova_manifests::hosts::hosts_in;
use nova_model::{DiagCode, EdgeKind, Evidence, Location, Severity};

/// True for hosts that look internal to the deployment (no public domain).
fn internal_host(h: &str) -> bool {
    !h.contains('.')
        || h.ends_with(".svc.cluster.local")
        || h.ends_with(".svc")
        || h.split('.').count() == 2
}

/// The last hop of `via` (`file:line`, innermost first) in a file of one
/// of `service`'s packages: the service's call a value handed to a
/// library's helper came through.
fn service_hop(ctx: &Ctx<'_>, service: &str, via: &[String]) -> Option<Location> {
    via.iter().rev().find_map(|hop| {
        let (file, line) = hop.rsplit_once(':')?;
        let line: u32 = line.parse().ok()?;
        let ours = ctx.input.crates.iter().any(|c| {
            c.service.as_deref() == Some(service)
                && (c.dir.is_empty()
                    || file
                        .strip_prefix(c.dir.as_str())
                        .is_some_and(|r| r.starts_with('/')))
        });
        ours.then(|| Location::new(file, line, 0))
    })
}

pub(crate) fn link(ctx: &mut Ctx<'_>) {
    let input = ctx.input;
    for c in input.crates {
        for f in live_files(c) {
            for h in f.facts.graph.http_calls.iter().filter(|h| !h.in_test) {
                // A URL handed in by callers: the calls (and field writes)
                // it came through are hops of the evidence.
                let through_callers = names_param(&h.url);
                for a in attribute(
                    &ctx.follow,
                    c,
                    &f.path,
                    &f.module,
                    h.function.as_deref(),
                    h.line,
                ) {
                    let resolved = ctx.values.resolve_all(&c.package, Some(&a.service), &h.url);
                    if let Some(cut) = resolved.cut {
                        let at = ctx.evidence(&a, &h.api, &c.package).location;
                        ctx.report_cut(cut, "URLs of the HTTP call", &a.service, at, &h.url);
                    }
                    for p in resolved.pieces {
                        let hosts = hosts_in(&p.text);
                        let mut target = None;
                        let mut infra = None;
                        for host in &hosts {
                            if let Some(t) = ctx.names.resolve_host(host) {
                                target = Some(t);
                                break;
                            }
                            if let Some(k) = ctx.names.infra(host) {
                                infra = Some(k);
                            }
                        }
                        if target.is_none() {
                            target = p.env.iter().find_map(|v| ctx.names.resolve_env(v));
                        }
                        let via = p.env.first().cloned().unwrap_or_else(|| p.text.clone());
                        let mut note = format!("{} {}", h.api, p.text);
                        if through_callers && !p.via.is_empty() {
                            note = format!("{note} (value through {})", p.via.join(", "));
                        }
                        match (target, infra) {
                            (Some(t), _) => {
                                let mut ev = ctx.evidence(&a, &note, &c.package);
                                // Each value at the service's call it came
                                // through, not the helper's first call.
                                if through_callers
                                    && a.via.is_some()
                                    && let Some(at) = service_hop(ctx, &a.service, &p.via)
                                {
                                    ev.location = at;
                                }
                                ctx.edges
                                    .add(&a.service, &t, EdgeKind::Http, Some(&via), ev);
                            }
                            (None, Some(k)) => {
                                let ev = ctx.evidence(&a, &note, &c.package);
                                ctx.infra.add(k, Some(&a.service), ev);
                            }
                            (None, None) => {
                                // Paths relative to a client's base URL and
                                // public APIs are not dependencies between
                                // services: say nothing about them.
                                let relative = p.text.starts_with('/');
                                let internal = hosts.iter().any(|h| internal_host(h));
                                let dangling = hosts.is_empty() && p.unresolved;
                                if relative || (!internal && !dangling && p.env.is_empty()) {
                                    continue;
                                }
                                let ev: Evidence = ctx.evidence(&a, &note, &c.package);
                                let what = if hosts.is_empty() && p.env.is_empty() {
                                    // Named where the chain through the
                                    // callers broke.
                                    if through_callers && p.unresolved {
                                        format!("URL not resolvable statically (`{}`)", p.text)
                                    } else {
                                        "URL not resolvable statically".to_string()
                                    }
                                } else {
                                    format!("`{via}` names no known service")
                                };
                                ctx.diag(
                                    DiagCode::UnresolvedTarget,
                                    Severity::Info,
                                    format!("HTTP call in `{}`: {what}", a.service),
                                    Some(ev.location),
                                    Some(p.text.clone()),
                                    Some(&a.service),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
