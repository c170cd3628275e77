//! The scan pipeline: discovery, parallel extraction, resolution, one Model.
