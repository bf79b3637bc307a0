//! gapwatch-analysis.
