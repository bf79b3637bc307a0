//! The error type of this crate.

/// What can go wrong reading dates, registries and stories.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A date that does not parse or does not exist.
    #[error("invalid date {text:?}")]
    InvalidDate {
        /// The text as given.
        text: String,
    },
    /// A registry file that does not parse.
    #[error("{origin}: {message}")]
    Registry {
        /// The file or name of the registry.
        origin: String,
        /// What the parser said.
        message: String,
    },
    /// One alias given to two entries.
    #[error("{origin}: {kind} alias {alias:?} names both {first:?} and {second:?}")]
    AmbiguousAlias {
        /// The file or name of the registry.
        origin: String,
        /// `model` or `benchmark`.
        kind: &'static str,
        /// The alias.
        alias: String,
        /// The entry that had it first.
        first: String,
        /// The entry that claims it again.
        second: String,
    },
    /// A story file that does not parse or is inconsistent.
    #[error("{origin}: {message}")]
    Story {
        /// The file or name of the story.
        origin: String,
        /// What is wrong.
        message: String,
    },
}
