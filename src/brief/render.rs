//! A [`Briefing`] as terminal text, Markdown or JSON.

use crate::text::count;
use std::fmt::Write;

use super::Briefing;

/// Output formats of `herald brief`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// Markdown, with linked headlines.
    Markdown,
    /// One JSON object.
    Json,
}

/// Renders a briefing.
pub fn render(b: &Briefing, format: Format) -> String {
    match format {
        Format::Text => text(b),
        Format::Markdown => markdown(b),
        Format::Json => json(b),
    }
}

/// The briefing as JSON, every story with its `"style"` ("llm" or "extractive") and, when an LLM summary was
/// asked for but not used, the `"fallback"` reason.
fn json(b: &Briefing) -> String {
    let mut value = match serde_json::to_value(b) {
        Ok(v) => v,
        Err(e) => return format!("{{\"error\": \"{e}\"}}"),
    };
    if let Some(stories) = value.get_mut("stories").and_then(|s| s.as_array_mut()) {
        for (json, story) in stories.iter_mut().zip(&b.stories) {
            if let Some(obj) = json.as_object_mut() {
                let style = if story.summary_by == crate::brief::SummaryBy::Llm {
                    "llm"
                } else {
                    "extractive"
                };
                obj.insert("style".into(), serde_json::Value::from(style));
            }
        }
    }
    serde_json::to_string_pretty(&value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// "Update: " before the headline of a story the reader was told before, else nothing.
fn update_prefix(s: &super::Story) -> &'static str {
    if s.update { "Update: " } else { "" }
}

/// "Nothing new since your last briefing (3 stories told before have no new reports)."
fn unchanged(b: &Briefing) -> String {
    format!(
        "Nothing new since your last briefing ({} told before {} no new reports).",
        count(b.stories_unchanged, "story", "stories"),
        if b.stories_unchanged == 1 {
            "has"
        } else {
            "have"
        }
    )
}

fn heading(b: &Briefing) -> String {
    let about = b
        .topic
        .as_deref()
        .map_or_else(|| "all sources".to_owned(), |t| format!("topic {t}"));
    format!(
        "Briefing — {about} — {} ({} of {} matched, {}{})",
        b.generated_at.format("%Y-%m-%d %H:%M UTC"),
        b.items_matched,
        count(b.items_considered, "item", "items"),
        count(b.stories.len(), "story", "stories"),
        left_out(b)
    )
}

/// "; 12 more stories (20 reports) left out", or nothing when every story is shown.
pub fn left_out(b: &Briefing) -> String {
    match b.stories_left_out {
        0 => String::new(),
        n => format!(
            "; {n} more {} ({}) left out",
            if n == 1 { "story" } else { "stories" },
            count(b.items_left_out, "report", "reports")
        ),
    }
}

fn text(b: &Briefing) -> String {
    let mut out = heading(b);
    out.push('\n');
    if b.stories.is_empty() && b.stories_unchanged > 0 {
        let _ = writeln!(out, "\n{}", unchanged(b));
    } else if b.stories.is_empty() {
        out.push_str(
            "\nNothing matched. Try a broader topic, a longer --since, or other --feed sources.\n",
        );
    }
    for (n, s) in b.stories.iter().enumerate() {
        let _ = writeln!(out, "\n{}. {}{}", n + 1, update_prefix(s), s.headline);
        for sentence in &s.summary {
            let _ = writeln!(out, "   {sentence}");
        }
        if s.summary_by == crate::brief::SummaryBy::Fallback {
            match &s.fallback {
                Some(why) => {
                    let _ = writeln!(out, "   (extractive: {why})");
                }
                None => {
                    let _ = writeln!(out, "   (extractive)");
                }
            }
        }
        let _ = write!(
            out,
            "   — {}, {}",
            s.source,
            s.published_at.format("%Y-%m-%d %H:%M")
        );
        if let Some(u) = &s.url {
            let _ = write!(out, " <{u}>");
        }
        out.push('\n');
        if !s.also.is_empty() {
            let names: Vec<&str> = s.also.iter().map(|c| c.source.as_str()).collect();
            let _ = writeln!(out, "   also: {}", names.join(", "));
        }
    }
    out
}

/// Escapes what Markdown would read as markup in feed text.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn markdown(b: &Briefing) -> String {
    let mut out = format!("# {}\n", md_escape(&heading(b)));
    if b.stories.is_empty() && b.stories_unchanged > 0 {
        let _ = writeln!(out, "\n{}", unchanged(b));
    } else if b.stories.is_empty() {
        out.push_str("\nNothing matched.\n");
    }
    for s in &b.stories {
        let prefix = update_prefix(s);
        match &s.url {
            Some(u) => {
                let _ = write!(out, "\n## {prefix}[{}](<{u}>)\n", md_escape(&s.headline));
            }
            None => {
                let _ = write!(out, "\n## {prefix}{}\n", md_escape(&s.headline));
            }
        }
        if !s.summary.is_empty() {
            let _ = writeln!(out, "\n{}", md_escape(&s.summary.join(" ")));
        }
        if s.summary_by == crate::brief::SummaryBy::Fallback {
            let _ = writeln!(out, "\n*(extractive)*");
        }
        let _ = writeln!(
            out,
            "\n*{} · {}*",
            md_escape(&s.source),
            s.published_at.format("%Y-%m-%d %H:%M UTC")
        );
        for c in &s.also {
            match &c.url {
                Some(u) => {
                    let _ = writeln!(out, "- also [{}](<{u}>)", md_escape(&c.source));
                }
                None => {
                    let _ = writeln!(out, "- also {}", md_escape(&c.source));
                }
            }
        }
    }
    out
}
