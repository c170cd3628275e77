//! Reports: ownership matrix, audit findings (text/JSON/SARIF), graph (DOT/Mermaid/CSV/JSON/SVG), decoupling plan.
