//! Discovery: walk a repository, find Cargo workspaces and packages, classify services and libraries.
