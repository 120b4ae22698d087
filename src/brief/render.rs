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
    /// One self-contained HTML page that looks like the briefing as Discord shows it (inline CSS, no scripts):
    /// a preview before it is posted.
    Html,
}

/// Renders a briefing.
pub fn render(b: &Briefing, format: Format) -> String {
    match format {
        Format::Text => text(b),
        Format::Markdown => markdown(b),
        Format::Json => json(b),
        Format::Html => html(b),
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

/// The page's style: Discord's dark theme, one card per story with the accent bar on its left.
const CSS: &str = "body{margin:0;background:#313338;color:#dbdee1;font:15px/1.4 system-ui,-apple-system,'Segoe UI',\
Roboto,sans-serif}main{max-width:640px;margin:24px auto;padding:0 16px}h1{font-size:16px;color:#f2f3f5;margin:0 0 4px}\
.meta{color:#949ba4;font-size:13px;margin:0 0 16px}article{background:#2b2d31;border-left:4px solid #3b6ea5;\
border-radius:4px;padding:10px 14px;margin:0 0 10px}.author{font-size:13px;font-weight:600;color:#f2f3f5;margin:0}\
h2{font-size:16px;margin:4px 0}h2 a{color:#00a8fc;text-decoration:none}h2 a:hover{text-decoration:underline}\
p{margin:4px 0}.update{font-style:italic;color:#b5bac1}.size{font-size:12px;color:#949ba4}\
.also a{color:#00a8fc;text-decoration:none}time{font-size:12px;color:#949ba4}\
.thumb{float:right;width:80px;height:80px;object-fit:cover;border-radius:4px;margin:0 0 6px 12px}\
article::after{content:\"\";display:block;clear:both}\
.buttons{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0 16px}.button{background:#4e5058;color:#fff;\
border-radius:3px;padding:2px 16px;font-size:14px;line-height:32px;text-decoration:none}\
.button::after{content:\" \\2197\";font-size:12px}";

/// Escapes text for an HTML text node.
fn h(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_text(s)
}

/// Escapes text for a double-quoted HTML attribute.
fn attr(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_double_quoted_attribute(s)
}

/// A link, when it is one a reader may follow (http or https).
fn web_link(u: Option<&str>) -> Option<&str> {
    u.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
}

/// The briefing as one HTML page: what Discord would show, readable on its own.
fn html(b: &Briefing) -> String {
    let about = b
        .topic
        .as_deref()
        .map_or_else(|| "all sources".to_owned(), ToOwned::to_owned);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Briefing: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>Briefing: {}</h1>\n\
         <p class=\"meta\">{}</p>\n",
        h(&about),
        h(&about),
        h(&heading(b))
    );
    if b.stories.is_empty() {
        let line = if b.stories_unchanged > 0 {
            unchanged(b)
        } else {
            "Nothing matched.".to_owned()
        };
        let _ = writeln!(out, "<p>{}</p>", h(&line));
    }
    for s in &b.stories {
        out.push_str("<article>\n");
        if let Some(img) = s.image.as_deref().filter(|u| u.starts_with("https://")) {
            let _ = writeln!(
                out,
                "<img class=\"thumb\" src=\"{}\" alt=\"\" loading=\"lazy\">",
                attr(img)
            );
        }
        let _ = writeln!(out, "<p class=\"author\">{}</p>", h(&s.source));
        match web_link(s.url.as_deref()) {
            Some(u) => {
                let _ = writeln!(
                    out,
                    "<h2><a href=\"{}\">{}</a></h2>",
                    attr(u),
                    h(&s.headline)
                );
            }
            None => {
                let _ = writeln!(out, "<h2>{}</h2>", h(&s.headline));
            }
        }
        if s.update {
            let when = s
                .first_told
                .map(|t| format!(" · first told {}", t.format("%-d %B %Y")))
                .unwrap_or_default();
            let _ = writeln!(out, "<p class=\"update\">Update{}</p>", h(&when));
        }
        if !s.summary.is_empty() {
            let mut summary = s.summary.join(" ");
            if s.summary_by == crate::brief::SummaryBy::Fallback {
                summary.push_str(" (extractive)");
            }
            let _ = writeln!(out, "<p>{}</p>", h(&summary));
        }
        let others = s.other_outlets();
        let _ = writeln!(
            out,
            "<p class=\"size\">{} · {}</p>",
            h(&count(s.also.len() + 1, "report", "reports")),
            h(&count(others.len() + 1, "outlet", "outlets"))
        );
        if !others.is_empty() {
            let links: Vec<String> = others
                .iter()
                .map(|c| match web_link(c.url.as_deref()) {
                    Some(u) => format!("<a href=\"{}\">{}</a>", attr(u), h(&c.source)),
                    None => h(&c.source).into_owned(),
                })
                .collect();
            let _ = writeln!(out, "<p class=\"also\">Also: {}</p>", links.join(", "));
        }
        let _ = writeln!(
            out,
            "<time datetime=\"{}\">{}</time>",
            s.published_at.to_rfc3339(),
            s.published_at.format("%Y-%m-%d %H:%M UTC")
        );
        out.push_str("</article>\n");
    }
    // The link buttons Discord shows under the message: one per story, its headline cut short.
    let buttons: Vec<String> = b
        .stories
        .iter()
        .filter_map(|s| {
            let u = web_link(s.url.as_deref())?;
            let label = crate::text::button_label(&s.headline);
            Some(format!(
                "<a class=\"button\" href=\"{}\">{}</a>",
                attr(u),
                h(&label)
            ))
        })
        .collect();
    if !buttons.is_empty() {
        let _ = writeln!(out, "<nav class=\"buttons\">{}</nav>", buttons.join(""));
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::{Coverage, Story, SummaryBy};
    use chrono::Utc;

    fn story(headline: &str, url: &str) -> Story {
        Story {
            headline: headline.into(),
            summary: vec!["Envoys met & agreed on a <swap>.".into()],
            source: "Metro \"Daily\"".into(),
            url: Some(url.into()),
            published_at: Utc::now(),
            also: vec![Coverage {
                source: "The Ledger".into(),
                url: Some("https://ledger.example/a?x=1&y=2".into()),
            }],
            relevance: 1.0,
            item_ids: vec![1, 2],
            duplicate_ids: Vec::new(),
            summary_by: SummaryBy::Extractive,
            fallback: None,
            update: false,
            first_told: None,
            told_before: 0,
            first_told_link: None,
            told_story: None,
            known: Vec::new(),
            image: None,
        }
    }

    /// Every tag opened is closed, in order (void elements aside): the page parses as written.
    fn balanced(page: &str) -> Result<(), String> {
        let tag = regex::Regex::new(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>").unwrap();
        let void = ["meta", "br", "img", "link"];
        let mut open: Vec<String> = Vec::new();
        for c in tag.captures_iter(page) {
            let name = c[2].to_ascii_lowercase();
            if void.contains(&name.as_str()) {
                continue;
            }
            if &c[1] == "/" {
                match open.pop() {
                    Some(o) if o == name => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
            } else {
                open.push(name);
            }
        }
        if open.is_empty() {
            Ok(())
        } else {
            Err(format!("left open: {open:?}"))
        }
    }

    #[test]
    fn the_html_page_stands_alone_escapes_feed_text_and_links_only_the_web() {
        let mut update = story("Talks go on", "https://metro.example/b");
        update.update = true;
        update.first_told = Some(Utc::now());
        update.image = Some("https://img.metro.example/b.jpg?w=1&h=2".into());
        let mut tracked = story("Tracked", "https://metro.example/c");
        tracked.image = Some("http://img.metro.example/c.jpg".into());
        let b = Briefing {
            topic: Some("istanbul talks".into()),
            generated_at: Utc::now(),
            items_considered: 3,
            items_matched: 3,
            stories: vec![
                story("<script>alert(1)</script> Talks", "javascript:alert(1)"),
                update,
                tracked,
            ],
            stories_left_out: 0,
            items_left_out: 0,
            stories_unchanged: 0,
            absorbed: Vec::new(),
        };
        let page = render(&b, Format::Html);
        assert!(
            page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
            "{page}"
        );
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.contains("<title>Briefing: istanbul talks</title>"));
        balanced(&page).unwrap();
        assert!(
            !page.contains("<script"),
            "no script, even from a headline: {page}"
        );
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; Talks"));
        assert!(!page.contains("javascript:"), "{page}");
        assert!(page.contains("<h2><a href=\"https://metro.example/b\">Talks go on</a></h2>"));
        assert!(page.contains("Envoys met &amp; agreed on a &lt;swap&gt;."));
        assert!(page.contains("<p class=\"author\">Metro \"Daily\"</p>"));
        assert!(page.contains("<a href=\"https://ledger.example/a?x=1&amp;y=2\">The Ledger</a>"));
        assert!(page.contains("<p class=\"update\">Update · first told "));
        // Pictures by URL (https only), beside their story.
        assert!(page.contains(
            "<img class=\"thumb\" src=\"https://img.metro.example/b.jpg?w=1&amp;h=2\" alt=\"\" loading=\"lazy\">"
        ));
        assert_eq!(page.matches("<img").count(), 1, "{page}");
        // The link buttons under the stories, as Discord shows them: only the stories with a web link.
        assert!(
            page.contains(
                "<nav class=\"buttons\"><a class=\"button\" href=\"https://metro.example/b\">Talks go on</a>\
                 <a class=\"button\" href=\"https://metro.example/c\">Tracked</a></nav>"
            ),
            "{page}"
        );
        assert!(
            page.contains("<style>") && !page.contains("<link"),
            "self-contained"
        );
    }
}
