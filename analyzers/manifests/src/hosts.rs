//! Host names in free text: URLs, `host:port`, shell commands of init
//! containers (`until nc -z content-service 50051`, `nslookup identity`).

/// True for a plausible host name of another workload: letters, digits,
/// `-`, `.`, `_`, at least one letter; not loopback, not a placeholder.
pub fn is_host(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && !s.starts_with('-')
        && !s.starts_with('.')
        && !matches!(s, "localhost" | "__tmpl__" | "true" | "false" | "null")
        && !s.contains("__tmpl__")
}

/// The host of a URL (`http://user:pw@content-service:8080/x` ->
/// `content-service`), or of a `host:port` pair.
pub fn host_of(token: &str) -> Option<String> {
    let t = token.trim_matches(|c: char| c == '"' || c == '\'' || c == ',' || c == ';');
    if let Some(i) = t.find("://") {
        let rest = &t[i + 3..];
        let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
        let end = rest.find(['/', ':', '?', '#', ',']).unwrap_or(rest.len());
        let host = &rest[..end];
        return is_host(host).then(|| host.to_string());
    }
    let t = t.rsplit_once('@').map(|(_, r)| r).unwrap_or(t);
    if let Some((host, port)) = t.split_once(':') {
        let port = port.split('/').next().unwrap_or("");
        if !port.is_empty() && port.chars().all(|c| c.is_ascii_digit()) && is_host(host) {
            return Some(host.to_string());
        }
    }
    None
}

const HOST_TAKING: &[&str] = &[
    "nc",
    "ncat",
    "netcat",
    "nslookup",
    "host",
    "dig",
    "ping",
    "telnet",
    "-h",
    "--host",
    "pg_isready",
    "getent",
];

/// Every host named in `text` (deduplicated, in order of appearance).
pub fn hosts_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |h: String, out: &mut Vec<String>| {
        if !out.contains(&h) {
            out.push(h);
        }
    };
    let tokens: Vec<&str> = text
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '"' | '\'' | '`' | ',')
        })
        .filter(|t| !t.is_empty())
        .collect();
    let mut expect_host = false;
    for tok in tokens {
        if let Some(h) = host_of(tok) {
            push(h, &mut out);
            expect_host = false;
            continue;
        }
        if let Some(v) = tok.strip_prefix("--host=") {
            if is_host(v) {
                push(v.to_string(), &mut out);
            }
            continue;
        }
        if HOST_TAKING.contains(&tok) || tok.ends_with("/nc") {
            expect_host = true;
            continue;
        }
        if expect_host {
            if tok.starts_with('-') {
                continue;
            }
            // `ping -c 1 host`: skip numbers.
            if tok.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if is_host(tok) && !tok.chars().all(|c| c.is_ascii_digit() || c == '.') {
                push(tok.to_string(), &mut out);
            }
            expect_host = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pairs_and_commands() {
        assert_eq!(
            host_of("http://content-service:8080/posts"),
            Some("content-service".into())
        );
        assert_eq!(
            host_of("postgres://u:p@postgres:5432/db"),
            Some("postgres".into())
        );
        assert_eq!(host_of("kafka:9092"), Some("kafka".into()));
        assert_eq!(
            host_of("content-service.default.svc.cluster.local:50051"),
            Some("content-service.default.svc.cluster.local".into())
        );
        assert_eq!(host_of("http://localhost:1"), None);
        assert_eq!(host_of("12:30"), None);
        assert_eq!(
            hosts_in("until nc -z content-service 50051; do echo waiting; sleep 2; done"),
            vec!["content-service".to_string()]
        );
        assert_eq!(
            hosts_in("until nslookup identity-service.default.svc.cluster.local; do sleep 2; done"),
            vec!["identity-service.default.svc.cluster.local".to_string()]
        );
        assert_eq!(
            hosts_in("pg_isready -h postgres -p 5432 && wait-for-it redis:6379 -t 30"),
            vec!["postgres".to_string(), "redis".to_string()]
        );
        assert!(hosts_in("echo hello world").is_empty());
    }
}
