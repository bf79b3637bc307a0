//! The error type of this crate.

/// What can go wrong setting up a [`Fetcher`](crate::Fetcher).
///
/// Failures of individual fetches are not errors: they are [`FetchOutcome::Failed`](crate::FetchOutcome)
/// values, so one bad source never stops the others.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A policy value that cannot work, such as zero concurrency.
    #[error("invalid fetch policy: {field} {problem}")]
    InvalidPolicy {
        /// The name of the offending [`FetchPolicy`](crate::FetchPolicy) field.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The HTTP client could not be built (for example, the TLS backend failed to initialise).
    #[error("cannot build the http client")]
    Client(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}
