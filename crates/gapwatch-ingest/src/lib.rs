//! gapwatch-ingest.
