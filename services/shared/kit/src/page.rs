//! Cursor pagination for the services' list calls: a page size checked
//! against the service's bounds, a page token that is the last row's id, and
//! the next token taken from a query that asked for one row more than the page.

use tonic::Status;
use uuid::Uuid;

use crate::status::invalid_argument;

/// The number of rows to return: `default` when the client sent 0, else what
/// it asked for, at most `max` (`InvalidArgument` naming `page_size` above).
pub fn page_size(requested: u32, default: u32, max: u32) -> Result<i64, Status> {
    match requested {
        0 => Ok(i64::from(default)),
        n if n > max => Err(invalid_argument(
            "page_size",
            format!("must be at most {max}"),
        )),
        n => Ok(i64::from(n)),
    }
}

/// The id a page starts after: `None` for the first page, else the token this
/// service issued (`InvalidArgument` naming `page_token` for anything else).
pub fn cursor(page_token: &str) -> Result<Option<Uuid>, Status> {
    if page_token.is_empty() {
        Ok(None)
    } else {
        Uuid::parse_str(page_token)
            .map(Some)
            .map_err(|_| invalid_argument("page_token", "is not a token this service issued"))
    }
}

/// Cuts `rows` (fetched with a limit of `limit + 1`) to the page and returns the
/// next page's token: the last row's id when there was a row more, else empty.
pub fn next_page<T>(rows: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> Uuid) -> String {
    let cap = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > cap;
    rows.truncate(cap);
    match rows.last() {
        Some(last) if more => id(last).to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_bounds() {
        assert_eq!(page_size(0, 20, 100).ok(), Some(20));
        assert_eq!(page_size(100, 20, 100).ok(), Some(100));
        let err = page_size(101, 20, 100)
            .err()
            .map(|s| s.message().to_owned());
        assert_eq!(
            err.as_deref(),
            Some("field `page_size`: must be at most 100")
        );
    }

    #[test]
    fn cursor_accepts_only_issued_tokens() {
        assert_eq!(cursor("").ok(), Some(None));
        let id = Uuid::now_v7();
        assert_eq!(cursor(&id.to_string()).ok(), Some(Some(id)));
        let err = cursor("nope").err().map(|s| s.code());
        assert_eq!(err, Some(tonic::Code::InvalidArgument));
    }

    #[test]
    fn next_page_cuts_the_extra_row() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let mut rows = ids.clone();
        assert_eq!(next_page(&mut rows, 2, |r| *r), ids[1].to_string());
        assert_eq!(rows, ids[..2]);
        let mut rows = ids.clone();
        assert_eq!(next_page(&mut rows, 3, |r| *r), "");
        assert_eq!(rows.len(), 3);
    }
}
