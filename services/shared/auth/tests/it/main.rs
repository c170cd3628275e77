//! Integration tests of nova-auth.

mod jwks;
mod tokens;
