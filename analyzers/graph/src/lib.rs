//! The dependency graph (petgraph) built from the model: cycles, layers, longest synchronous chain.
