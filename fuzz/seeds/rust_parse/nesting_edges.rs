// ((((( [[[[ {{{{ in a comment
/* block (( /* nested [[ */ {{ */
/// doc ((((
const A: &str = "(((\"(((";
const B: &str = r#"((( "# ((("#;
const C: &[u8] = b"[[[";
const D: &[u8] = br##"{{{"#{{"##;
const E: char = '(';
const F: u8 = b'[';
const G: char = '\'';
fn f<'a>(x: &'a str) -> &'a str { 'outer: loop { break 'outer; } x }
async fn q(db: &sqlx::PgPool) { sqlx::query("SELECT (1) FROM t WHERE a IN ((2))").fetch_all(db).await.ok(); }
