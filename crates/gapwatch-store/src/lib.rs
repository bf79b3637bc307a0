//! gapwatch-store.
