//! Multi-document YAML with line offsets, and Helm template neutralising.

use crate::ManifestDiag;
use serde_yaml::Value;

/// One YAML document of a file: its first line (1-based) and its value.
pub(crate) struct Doc {
    pub(crate) start: u32,
    pub(crate) value: Value,
}

/// Replace `{{ .. }}` expressions by a placeholder and drop lines that hold
/// only template directives (`{{- if .Values.x }}`), so templated YAML has a
/// chance to parse. Line count is preserved (dropped lines become empty).
pub(crate) fn neutralise_templates(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let t = line.trim();
        if t.starts_with("{{") && t.ends_with("}}") && t.matches("{{").count() == 1 {
            out.push('\n');
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            match rest[i..].find("}}") {
                Some(j) => {
                    out.push_str("__tmpl__");
                    rest = &rest[i + j + 2..];
                }
                None => {
                    out.push_str("__tmpl__");
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out.push('\n');
    }
    out
}

/// Split on `---` lines and parse each document. Documents that do not
/// parse become diagnostics; empty documents are skipped.
pub(crate) fn documents(source: &str, diags: &mut Vec<ManifestDiag>) -> (Vec<Doc>, usize) {
    let templated = source.contains("{{");
    let text = if templated {
        neutralise_templates(source)
    } else {
        source.to_string()
    };
    let mut docs = Vec::new();
    let mut failed = 0usize;
    let mut chunk = String::new();
    let mut start = 1u32;
    let mut flush = |chunk: &str, start: u32, docs: &mut Vec<Doc>, failed: &mut usize| {
        if chunk.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t.starts_with('#')
        }) {
            return;
        }
        match serde_yaml::from_str::<Value>(chunk) {
            Ok(Value::Null) => {}
            Ok(value) => docs.push(Doc { start, value }),
            Err(e) => {
                *failed += 1;
                let line = e.location().map(|l| l.line() as u32).unwrap_or(1) + start - 1;
                let what = if templated {
                    "templated YAML does not parse (Helm template?)"
                } else {
                    "YAML does not parse"
                };
                diags.push(ManifestDiag {
                    line,
                    message: format!("{what}: {e}"),
                });
            }
        }
    };
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_end();
        if t == "---" || t.starts_with("--- ") || t == "..." {
            flush(&chunk, start, &mut docs, &mut failed);
            chunk.clear();
            start = i as u32 + 2;
            // keep line numbers aligned inside the next chunk
            continue;
        }
        chunk.push_str(line);
        chunk.push('\n');
    }
    flush(&chunk, start, &mut docs, &mut failed);
    (docs, failed)
}

/// `v[key]` as a string (numbers and bools rendered).
pub(crate) fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Follow a path of mapping keys.
pub(crate) fn get<'v>(v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut cur = v;
    for k in path {
        cur = cur.get(*k)?;
    }
    Some(cur)
}

/// A string-to-string mapping (labels, selectors).
pub(crate) fn string_map(v: Option<&Value>) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    if let Some(Value::Mapping(m)) = v {
        for (k, val) in m {
            if let (Some(k), Some(val)) = (str_of(k), str_of(val)) {
                out.insert(k, val);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_with_offsets() {
        let mut d = Vec::new();
        let (docs, failed) = documents("a: 1\n---\n# c\nb: [\n---\nc: 3\n", &mut d);
        assert_eq!(failed, 1);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].start, 1);
        assert_eq!(docs[1].start, 6);
        assert_eq!(d.len(), 1);
        assert!(d[0].line >= 3, "{:?}", d);
    }

    #[test]
    fn templates_are_neutralised() {
        let src = "{{- if .Values.enabled }}\nname: {{ .Values.name }}\nimage: \"{{ .Values.image }}:{{ .Chart.AppVersion }}\"\n{{- end }}\n";
        let n = neutralise_templates(src);
        assert_eq!(n, "\nname: __tmpl__\nimage: \"__tmpl__:__tmpl__\"\n\n");
        let mut d = Vec::new();
        let (docs, failed) = documents(src, &mut d);
        assert_eq!((docs.len(), failed), (1, 0));
    }
}
