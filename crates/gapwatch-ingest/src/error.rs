//! The error type of this crate.

/// What can go wrong reading a sources file or extracting a snapshot.
///
/// Problems with single rows are not errors: they become [`crate::Warning`]s on the
/// extraction, and the other rows still count.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// A sources file that does not parse as TOML or does not match the format.
    #[error("{origin}: {message}")]
    SourcesFile {
        /// The file or name of the sources file.
        origin: String,
        /// What the parser said.
        message: String,
    },
    /// A source entry that parses but cannot work (duplicate id, bad JSONPath or CSS
    /// selector, missing mapping).
    #[error("{origin}: source {source_id:?}: {message}")]
    InvalidSource {
        /// The file or name of the sources file (`configuration` when built in code).
        origin: String,
        /// The source's id.
        source_id: String,
        /// What is wrong.
        message: String,
    },
    /// Bytes that cannot be read in the source's format at all (not UTF-8 JSON, broken
    /// YAML, a page over the size limit). Nothing is extracted from them.
    #[error("source {source_id:?}: {message}")]
    Unreadable {
        /// The source's id.
        source_id: String,
        /// What is wrong, with the position when the parser gives one.
        message: String,
    },
    /// An article's quote that is not in the page's text: the snapshot is refused whole.
    #[error(
        "{evidence_file}: claim {claim:?}: the quote \u{201c}{quote}\u{201d} is not in the text of the page (tags stripped, entities and whitespace normalized)"
    )]
    QuoteNotFound {
        /// The article source's id.
        source_id: String,
        /// The sources or evidence file the article's entry was read from.
        evidence_file: String,
        /// The claim's id in that file.
        claim: String,
        /// The quote, normalized as it was compared.
        quote: String,
    },
    /// A score written in a way no rule reads.
    #[error("unreadable value {text:?}")]
    InvalidValue {
        /// The text as found.
        text: String,
    },
}
