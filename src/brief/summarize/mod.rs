//! Summaries of one article or of a cluster of articles about one event.
//!
//! The default is [`extractive`]: no API key, no model download, microseconds per article. [`llm`] asks an
//! OpenAI-compatible endpoint instead, and [`faithful`] checks what it says against the sources.

pub mod extractive;
pub mod faithful;
pub mod llm;

pub use extractive::summarize;

/// How long a summary may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// At most this many sentences.
    Sentences(usize),
    /// About this many words: whole sentences are added while they fit, and the summary is then filled up to
    /// exactly this many words, the last sentence cut with "…".
    Words(usize),
}
