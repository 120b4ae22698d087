//! From stored items to a [`Briefing`]: match topics, merge duplicates, rank, summarise.

pub mod summarize;
