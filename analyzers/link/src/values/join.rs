//! A URL joined to a path (`base.join(path)`, [`URL_JOIN`]): the base and
//! the path are resolved like a `format!`'s holes, then joined the way
//! `url::Url::join` does in the common cases. Both, and any `format!`
//! using parameters of one function twice or more, are resolved call by
//! call ([`one_function`]).

pub(super) use nova_rust::graph::URL_JOIN;
use nova_rust::graph::{ParamRef, StrExpr};

/// The one function whose parameters `args` name (directly, in a
/// `format!`, a list or an environment default), if they name one
/// function's only, with the index of each use (`"{a}.{a}"` uses one
/// parameter twice).
pub(super) fn one_function(args: &[StrExpr]) -> Option<(&ParamRef, Vec<usize>)> {
    fn walk<'e>(e: &'e StrExpr, uses: &mut Vec<&'e ParamRef>, one: &mut bool) {
        match e {
            StrExpr::Param(p) => {
                if uses.first().is_some_and(|f| f.function != p.function) {
                    *one = false;
                }
                uses.push(p);
            }
            StrExpr::Format { args, .. } | StrExpr::List(args) => {
                args.iter().for_each(|a| walk(a, uses, one))
            }
            StrExpr::Env {
                default: Some(d), ..
            } => walk(d, uses, one),
            _ => {}
        }
    }
    let mut uses = Vec::new();
    let mut one = true;
    args.iter().for_each(|a| walk(a, &mut uses, &mut one));
    let first = *uses.first().filter(|_| one)?;
    Some((first, uses.iter().map(|p| p.index).collect()))
}

/// `text` is `base` NUL `path` (see [`URL_JOIN`]): the joined URL. An
/// absolute URL as the path replaces the base; `/x` replaces the base's
/// path; `x` replaces the base's last segment (all of it after the last
/// `/`, none when the base ends with `/`). The base's query and fragment
/// are dropped.
pub(super) fn joined(text: &str) -> String {
    let Some((base, path)) = text.split_once('\0') else {
        return text.to_string();
    };
    if path.contains("://") {
        return path.to_string();
    }
    let base = base.split(['?', '#']).next().unwrap_or(base);
    // (A base that is no URL, a value not resolved: the two texts.)
    let Some((scheme, rest)) = base.split_once("://") else {
        return format!("{base}{path}");
    };
    if let Some(p) = path.strip_prefix("//") {
        return format!("{scheme}://{p}");
    }
    // The authority ends at the first `/` after the scheme.
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let origin_len = base.len() - rest.len() + authority_end;
    let origin = &base[..origin_len];
    if path.starts_with('/') {
        return format!("{origin}{path}");
    }
    let base_path = &base[origin_len..];
    let dir = match base_path.rfind('/') {
        Some(i) => &base_path[..=i],
        None => "/",
    };
    format!("{origin}{dir}{path}")
}

#[cfg(test)]
mod tests {
    use super::joined;

    #[test]
    fn url_join_semantics() {
        let j = |b: &str, p: &str| joined(&format!("{b}\0{p}"));
        assert_eq!(j("http://a:8080/v1/", "rates"), "http://a:8080/v1/rates");
        assert_eq!(j("http://a:8080/v1", "rates"), "http://a:8080/rates");
        assert_eq!(j("http://a:8080", "rates"), "http://a:8080/rates");
        assert_eq!(j("http://a:8080/v1/x", "/fx"), "http://a:8080/fx");
        assert_eq!(j("http://a:8080", "/fx"), "http://a:8080/fx");
        assert_eq!(j("http://a/v1/?q=1", "b"), "http://a/v1/b");
        assert_eq!(j("http://a/v1/", "http://b/c"), "http://b/c");
        assert_eq!(j("https://a/v1/", "//b/c"), "https://b/c");
        assert_eq!(j("{base}", "x"), "{base}x");
        assert_eq!(joined("plain"), "plain");
    }
}
