//! A small `.proto` parser: a hand-written tokenizer and a recursive walk
//! that keeps `package`, `service` and `rpc` declarations and skips
//! everything else (messages, enums, options, imports) by brace matching.

use crate::ParseError;
use nova_model::{Location, ProtoRpc, ProtoService};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: u32,
}

fn tokenize(source: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0usize;
    let mut line = 1u32;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let start = line;
            i += 2;
            loop {
                if i >= chars.len() {
                    return Err(ParseError {
                        line: start,
                        message: "unterminated block comment".into(),
                    });
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    i += 2;
                    break;
                }
                if chars[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
        } else if c == '"' || c == '\'' {
            let start = line;
            let quote = c;
            i += 1;
            let mut s = String::new();
            loop {
                match chars.get(i) {
                    None | Some('\n') => {
                        return Err(ParseError {
                            line: start,
                            message: "unterminated string".into(),
                        });
                    }
                    Some('\\') => {
                        if let Some(n) = chars.get(i + 1) {
                            s.push(*n);
                        }
                        i += 2;
                    }
                    Some(q) if *q == quote => {
                        i += 1;
                        break;
                    }
                    Some(o) => {
                        s.push(*o);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                line: start,
            });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let mut s = String::new();
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                s.push(chars[i]);
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(s),
                line,
            });
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let mut s = String::new();
            s.push(c);
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                s.push(chars[i]);
                i += 1;
            }
            out.push(Token {
                tok: Tok::Num(s),
                line,
            });
        } else if c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_alphabetic()) {
            // Fully-qualified type `.foo.Bar`: keep as an identifier.
            let mut s = String::from(".");
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
            {
                s.push(chars[i]);
                i += 1;
            }
            out.push(Token {
                tok: Tok::Ident(s),
                line,
            });
        } else {
            out.push(Token {
                tok: Tok::Punct(c),
                line,
            });
            i += 1;
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    path: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn line(&self) -> u32 {
        self.toks
            .get(self.pos)
            .or_else(|| self.toks.last())
            .map(|t| t.line)
            .unwrap_or(0)
    }

    fn next(&mut self) -> Option<&Tok> {
        let t = self.toks.get(self.pos).map(|t| &t.tok);
        self.pos += 1;
        t
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line(),
            message: message.into(),
        }
    }

    fn expect_punct(&mut self, c: char) -> Result<(), ParseError> {
        match self.peek() {
            Some(Tok::Punct(p)) if *p == c => {
                self.pos += 1;
                Ok(())
            }
            other => Err(self.err(format!("expected `{c}`, found {}", describe(other)))),
        }
    }

    fn ident(&mut self) -> Result<String, ParseError> {
        match self.peek() {
            Some(Tok::Ident(s)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            other => Err(self.err(format!("expected a name, found {}", describe(other)))),
        }
    }

    /// Skip to the end of a statement (`;`) or over a balanced `{ .. }`
    /// block, whichever comes first.
    fn skip_statement(&mut self) -> Result<(), ParseError> {
        let start = self.line();
        let mut depth = 0i32;
        while let Some(t) = self.next() {
            match t {
                Tok::Punct(';') if depth == 0 => return Ok(()),
                Tok::Punct('{') => depth += 1,
                Tok::Punct('}') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                    if depth < 0 {
                        return Err(self.err("unbalanced `}`"));
                    }
                }
                _ => {}
            }
        }
        Err(ParseError {
            line: start,
            message: "unexpected end of file".into(),
        })
    }

    fn service(&mut self, package: &str) -> Result<ProtoService, ParseError> {
        let line = self.line();
        let name = self.ident()?;
        self.expect_punct('{')?;
        let mut rpcs = Vec::new();
        loop {
            match self.peek() {
                Some(Tok::Punct('}')) => {
                    self.pos += 1;
                    break;
                }
                Some(Tok::Punct(';')) => self.pos += 1,
                Some(Tok::Ident(k)) if k == "rpc" => {
                    self.pos += 1;
                    rpcs.push(self.rpc()?);
                }
                Some(_) => self.skip_statement()?,
                None => return Err(self.err(format!("service `{name}` is not closed"))),
            }
        }
        Ok(ProtoService {
            package: package.to_string(),
            name,
            rpcs,
            location: Location::new(self.path, line, 0),
            implemented_by: Vec::new(),
        })
    }

    fn rpc_type(&mut self) -> Result<(String, bool), ParseError> {
        self.expect_punct('(')?;
        let mut streaming = false;
        let mut ty = self.ident()?;
        if ty == "stream"
            && let Some(Tok::Ident(_)) = self.peek()
        {
            streaming = true;
            ty = self.ident()?;
        }
        self.expect_punct(')')?;
        Ok((ty, streaming))
    }

    fn rpc(&mut self) -> Result<ProtoRpc, ParseError> {
        let name = self.ident()?;
        let (request, client_streaming) = self.rpc_type()?;
        match self.next() {
            Some(Tok::Ident(r)) if r == "returns" => {}
            _ => return Err(self.err(format!("rpc `{name}`: expected `returns`"))),
        }
        let (response, server_streaming) = self.rpc_type()?;
        match self.peek() {
            Some(Tok::Punct(';')) => self.pos += 1,
            Some(Tok::Punct('{')) => self.skip_statement()?,
            other => {
                return Err(self.err(format!(
                    "rpc `{name}`: expected `;` or `{{`, found {}",
                    describe(other)
                )));
            }
        }
        Ok(ProtoRpc {
            name,
            request,
            response,
            client_streaming,
            server_streaming,
        })
    }
}

fn describe(t: Option<&Tok>) -> String {
    match t {
        None => "end of file".into(),
        Some(Tok::Ident(s)) => format!("`{s}`"),
        Some(Tok::Str(s)) => format!("\"{s}\""),
        Some(Tok::Num(s)) => format!("`{s}`"),
        Some(Tok::Punct(c)) => format!("`{c}`"),
    }
}

/// Parse the services of a `.proto` file. `path` goes into the locations.
pub fn parse_proto(path: &str, source: &str) -> Result<Vec<ProtoService>, ParseError> {
    let toks = tokenize(source)?;
    let mut p = Parser {
        toks: &toks,
        pos: 0,
        path,
    };
    let mut package = String::new();
    let mut services = Vec::new();
    while let Some(t) = p.peek() {
        match t {
            Tok::Ident(k) if k == "package" => {
                p.pos += 1;
                package = p.ident()?;
                p.expect_punct(';')?;
            }
            Tok::Ident(k) if k == "service" => {
                p.pos += 1;
                services.push(p.service(&package)?);
            }
            Tok::Punct(';') => p.pos += 1,
            Tok::Punct('}') => return Err(p.err("unbalanced `}`")),
            _ => p.skip_statement()?,
        }
    }
    Ok(services)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_rpcs_streams_and_noise() {
        let src = r#"
syntax = "proto3";
// a comment with service Fake { rpc X(A) returns (B); }
package nova.content.v1;
import "google/protobuf/timestamp.proto";
option go_package = "x/y;z";

/* block
   comment */
message Post {
  message Inner { string s = 1; }
  enum Kind { A = 0; B = 1; }
  int64 id = 1 [deprecated = true];
  map<string, string> labels = 2;
  oneof body { string text = 3; bytes raw = 4; }
}

service ContentService {
  option (google.api.default_host) = "content";
  rpc GetPost(GetPostRequest) returns (Post);
  rpc AttachMedia (AttachMediaRequest) returns (AttachMediaResponse) {
    option (google.api.http) = { post: "/v1/media" body: "*" };
  }
  rpc Watch(stream WatchRequest) returns (stream .nova.content.v1.Event);
}

service Health { rpc Check(Req) returns (Resp); }
"#;
        let s = parse_proto("proto/content.proto", src).expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].package, "nova.content.v1");
        assert_eq!(s[0].name, "ContentService");
        assert_eq!(s[0].location, Location::new("proto/content.proto", 18, 0));
        let names: Vec<&str> = s[0].rpcs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, vec!["GetPost", "AttachMedia", "Watch"]);
        let w = &s[0].rpcs[2];
        assert!(w.client_streaming && w.server_streaming);
        assert_eq!(w.request, "WatchRequest");
        assert_eq!(w.response, ".nova.content.v1.Event");
        assert!(!s[0].rpcs[0].client_streaming);
        assert_eq!(s[1].name, "Health");
        assert_eq!(s[1].location.line, 27);
    }

    #[test]
    fn stream_as_type_name() {
        let s =
            parse_proto("a.proto", "service S { rpc X(stream) returns (stream); }").expect("ok");
        assert_eq!(s[0].rpcs[0].request, "stream");
        assert!(!s[0].rpcs[0].client_streaming);
    }

    #[test]
    fn errors_have_lines() {
        let e = parse_proto(
            "a.proto",
            "syntax = \"proto3\";\nservice S {\n  rpc X(A) returns B;\n}",
        )
        .expect_err("bad rpc");
        assert_eq!(e.line, 3);
        let e =
            parse_proto("a.proto", "service S {\n rpc X(A) returns (B);\n").expect_err("unclosed");
        assert!(e.message.contains("not closed"), "{}", e.message);
        let e = parse_proto("a.proto", "/* open").expect_err("comment");
        assert_eq!(e.line, 1);
        let e = parse_proto("a.proto", "message M {\n string s = 1;\n").expect_err("eof");
        assert_eq!(e.line, 1);
    }
}
