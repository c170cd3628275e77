//! `nova ownership-matrix` on the example.

use crate::support::*;

fn ex() -> String {
    example().to_string_lossy().into_owned()
}

const EXPECTED_CSV_ROWS: [&str; 20] = [
    "content-service,comments,CRUD",
    "content-service,likes,CRD",
    "content-service,outbox_events,C",
    "content-service,posts,CRUD",
    "content-service,users,R",
    "feed-service,follows,CRD",
    "feed-service,posts,R",
    "feed-service,users,R",
    "identity-service,sessions,CRD",
    "identity-service,users,CRUD",
    "media-service,posts,R",
    "media-service,upload_sessions,CRUD",
    "media-service,videos,CRUD",
    "messaging-service,conversations,CRU",
    "messaging-service,messages,CRUD",
    "messaging-service,users,U",
    "search-service,comments,R",
    "search-service,messages,R",
    "search-service,posts,R",
    "search-service,search_documents,CRUD",
];

#[test]
fn csv_is_exact() {
    let p = ex();
    let args = ["ownership-matrix", p.as_str(), "--format", "csv"];
    let o = run_expect(&args, 0);
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("service,table,ops"),
        "{}",
        describe(&args, &o)
    );
    let rows: std::collections::BTreeSet<&str> = lines.filter(|l| !l.is_empty()).collect();
    let expected: std::collections::BTreeSet<&str> = EXPECTED_CSV_ROWS.into_iter().collect();
    assert_eq!(rows, expected);
    // Sorted output, one row per (service, table).
    let body: Vec<&str> = out.lines().skip(1).filter(|l| !l.is_empty()).collect();
    let mut sorted = body.clone();
    sorted.sort();
    assert_eq!(body, sorted);
}

#[test]
fn output_file_matches_stdout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("matrix.csv");
    let f = file.to_string_lossy().into_owned();
    let p = ex();
    let to_stdout = run_expect(&["ownership-matrix", p.as_str(), "--format", "csv"], 0);
    run_expect(
        &[
            "ownership-matrix",
            p.as_str(),
            "--format",
            "csv",
            "--output",
            f.as_str(),
        ],
        0,
    );
    let written = std::fs::read_to_string(&file).expect("matrix written");
    assert_eq!(written, stdout(&to_stdout));
}

#[test]
fn markdown_has_owner_cells_and_totals() {
    let args = ["ownership-matrix", "examples/coupled-monorepo"];
    let o = run_in_repo_root(&args, 0);
    let md = stdout(&o);
    // users: identity-service is the owner (bold), messaging-service a second writer.
    let users = md
        .lines()
        .find(|l| l.starts_with('|') && l.contains("users") && !l.contains("upload"))
        .unwrap_or_else(|| panic!("a users row\n{md}"));
    assert!(users.contains("**CRUD**"), "{users}");
    assert!(users.contains("| U |") || users.contains("| U"), "{users}");
    let sessions = md
        .lines()
        .find(|l| l.starts_with('|') && l.contains("sessions") && !l.contains("upload"))
        .unwrap_or_else(|| panic!("a sessions row\n{md}"));
    assert!(sessions.contains("**CRD**"), "{sessions}");
    let lower = md.to_lowercase();
    assert!(lower.contains("total"), "totals section\n{md}");
    assert!(
        lower.contains("multi-writer"),
        "multi-writer tables are listed\n{md}"
    );
    for svc in [
        "identity-service",
        "content-service",
        "feed-service",
        "media-service",
        "messaging-service",
        "search-service",
    ] {
        assert!(md.contains(svc), "{svc} column\n{md}");
    }
    insta::assert_snapshot!("example_ownership_matrix_markdown", md);
}

#[test]
fn json_matrix_parses() {
    let p = ex();
    let args = ["ownership-matrix", p.as_str(), "--format", "json"];
    let o = run_expect(&args, 0);
    let v = json_of(&args, &o);
    assert!(v.is_object() || v.is_array(), "{v:#}");
    let text = v.to_string();
    for t in ["users", "posts", "search_documents"] {
        assert!(text.contains(t), "{t} in {v:#}");
    }
}
