//! Spacing clean-up for token text rendered by `quote` (`a . b ( c )` ->
//! `a.b(c)`), shared by the SQL and graph collectors.

/// Apply `rules` in order, each to the result of the one before, like a
/// chain of `str::replace` calls. Every pattern must contain a space, so a
/// text without spaces (a lone ident or literal) is returned as is, and a
/// rule whose pattern is absent costs no copy.
pub(crate) fn replace_all(s: String, rules: &[(&str, &str)]) -> String {
    debug_assert!(rules.iter().all(|(pat, _)| pat.contains(' ')));
    if !s.as_bytes().contains(&b' ') {
        return s;
    }
    let mut cur = s;
    let mut spare = String::new();
    for &(pat, rep) in rules {
        if !cur.contains(pat) {
            continue;
        }
        spare.clear();
        spare.reserve(cur.len());
        let mut last = 0;
        for (i, _) in cur.match_indices(pat) {
            spare.push_str(&cur[last..i]);
            spare.push_str(rep);
            last = i + pat.len();
        }
        spare.push_str(&cur[last..]);
        std::mem::swap(&mut cur, &mut spare);
    }
    cur
}

#[cfg(test)]
mod tests {
    use super::replace_all;

    #[test]
    fn same_as_a_replace_chain() {
        let rules = [(" . ", "."), ("( ", "("), (" )", ")")];
        for s in ["a . b ( c )", "abc", "( ( x ) )", " . . ", ""] {
            let chain = s.replace(" . ", ".").replace("( ", "(").replace(" )", ")");
            assert_eq!(replace_all(s.to_string(), &rules), chain, "{s:?}");
        }
    }
}
