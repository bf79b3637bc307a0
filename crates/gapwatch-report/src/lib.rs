//! gapwatch-report.
