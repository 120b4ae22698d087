//! A [`Briefing`] as Discord embeds, within every limit Discord sets, split across messages when long.
//!
//! Layout: a header embed (topic, counts), then one embed per story, read at a glance: the outlet as the
//! author, the headline as a linked title, the story's time as the embed timestamp (each reader sees it in
//! their own zone), then the description: "Update · first told …" for a developing story, the summary, the
//! story's size ("3 reports · 2 outlets") and the other outlets once each ("Also: …, +2 more"). Embeds are packed into
//! messages of at most 10 embeds and 6000 characters; under each message, a link button per story opens its
//! report. Nothing is dropped: text over a limit is cut at a word
//! boundary and marked with "…".

use serenity::builder::{
    CreateActionRow, CreateButton, CreateEmbed, CreateEmbedAuthor, CreateEmbedFooter,
};

use super::escape::{escape, unmention};
use crate::brief::Briefing;

/// Discord's limits on embeds, in characters.
pub mod limits {
    /// Embed title.
    pub const TITLE: usize = 256;
    /// Embed description.
    pub const DESCRIPTION: usize = 4096;
    /// Fields per embed.
    pub const FIELDS: usize = 25;
    /// Field value.
    pub const FIELD_VALUE: usize = 1024;
    /// Footer text.
    pub const FOOTER: usize = 2048;
    /// Author name.
    pub const AUTHOR: usize = 256;
    /// All embeds of one message together.
    pub const MESSAGE_TOTAL: usize = 6000;
    /// Embeds per message.
    pub const EMBEDS_PER_MESSAGE: usize = 10;
    /// A button's label.
    pub const BUTTON_LABEL: usize = 80;
    /// A link button's URL.
    pub const BUTTON_URL: usize = 512;
    /// Buttons in one action row.
    pub const BUTTONS_PER_ROW: usize = 5;
    /// Action rows under one message.
    pub const ROWS_PER_MESSAGE: usize = 5;
}

/// Colour of herald's embeds: a calm blue.
/// herald's colour on every embed it sends.
pub const COLOUR: u32 = 0x3b6ea5;

/// The content of one embed, before it becomes serenity's builder. Plain so its limits can be tested.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmbedSpec {
    /// Title.
    pub title: String,
    /// Link of the title.
    pub url: Option<String>,
    /// Body text.
    pub description: String,
    /// Footer text.
    pub footer: String,
    /// The author line above the title (a story's outlet).
    pub author: Option<String>,
    /// The embed's time, which Discord shows in each reader's own time zone (a story's newest report).
    pub timestamp: Option<chrono::DateTime<chrono::Utc>>,
    /// A picture shown beside the text (a story's lead image; https only).
    pub thumbnail: Option<String>,
    /// The link button this embed puts under its message (a story's report), if its link can be one.
    pub button: Option<LinkButton>,
}

/// A link button under a briefing message: a reader on a phone taps it to open the story's report.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkButton {
    /// What the button says: the story's headline, plain (labels show no markdown), cut to fit.
    pub label: String,
    /// The report it opens (http or https, within Discord's 512 characters).
    pub url: String,
}

impl LinkButton {
    /// A button opening `url` labelled with `headline`, or none when Discord would refuse the link.
    pub fn new(headline: &str, url: &str) -> Option<Self> {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.chars().count() <= limits::BUTTON_URL
            && !url.chars().any(char::is_whitespace);
        let label =
            crate::text::shorten(&crate::text::button_label(headline), limits::BUTTON_LABEL);
        (ok && !label.is_empty()).then(|| Self {
            label,
            url: url.to_owned(),
        })
    }
}

/// The link buttons of one message's story embeds, in the stories' order, five to a row, within Discord's
/// five rows (a message holds at most ten embeds, so no story is left without its button).
pub fn action_rows(embeds: &[EmbedSpec]) -> Vec<CreateActionRow> {
    let buttons: Vec<CreateButton> = embeds
        .iter()
        .filter_map(|e| e.button.as_ref())
        .take(limits::BUTTONS_PER_ROW * limits::ROWS_PER_MESSAGE)
        .map(|b| CreateButton::new_link(&b.url).label(&b.label))
        .collect();
    buttons
        .chunks(limits::BUTTONS_PER_ROW)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect()
}

impl EmbedSpec {
    /// Characters Discord counts toward the 6000 total.
    pub fn len(&self) -> usize {
        self.title.chars().count()
            + self.description.chars().count()
            + self.footer.chars().count()
            + self.author.as_deref().map_or(0, |a| a.chars().count())
    }

    /// Whether the embed has no text.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// serenity's builder for this embed.
    pub fn build(&self) -> CreateEmbed {
        let mut e = CreateEmbed::new()
            .colour(COLOUR)
            .title(&self.title)
            .description(&self.description);
        if let Some(u) = &self.url {
            e = e.url(u);
        }
        if !self.footer.is_empty() {
            e = e.footer(CreateEmbedFooter::new(&self.footer));
        }
        if let Some(a) = self.author.as_deref().filter(|a| !a.is_empty()) {
            e = e.author(CreateEmbedAuthor::new(a));
        }
        if let Some(t) = self.timestamp {
            e = e.timestamp(serenity::model::Timestamp::from(t));
        }
        if let Some(url) = self
            .thumbnail
            .as_deref()
            .filter(|u| u.starts_with("https://"))
        {
            e = e.thumbnail(url);
        }
        e
    }
}

/// Cuts `s` to at most `max` characters at a word boundary, marking the cut with "…" (see
/// [`crate::text::shorten`]).
pub fn truncate(s: &str, max: usize) -> String {
    crate::text::shorten(s, max)
}

/// The embeds of a briefing, one per story after a header; feed text escaped.
pub fn briefing_embeds(b: &Briefing) -> Vec<EmbedSpec> {
    let about = b
        .topic
        .as_deref()
        .map_or_else(|| "all sources".to_owned(), escape);
    let mut out = vec![EmbedSpec {
        title: truncate(&format!("Briefing: {about}"), limits::TITLE),
        url: None,
        description: if b.stories.is_empty() && b.stories_unchanged > 0 {
            format!(
                "Nothing new since this channel's last briefing: {} told here before {} no new reports.",
                crate::text::count(b.stories_unchanged, "story", "stories"),
                if b.stories_unchanged == 1 {
                    "has"
                } else {
                    "have"
                }
            )
        } else if b.stories.is_empty() {
            "Nothing new matched. Try a broader topic, or add sources with `/sources add`."
                .to_owned()
        } else {
            format!(
                "{} {} from {} matching item{}{}.",
                b.stories.len(),
                if b.stories.len() == 1 {
                    "story"
                } else {
                    "stories"
                },
                b.items_matched,
                if b.items_matched == 1 { "" } else { "s" },
                crate::brief::render::left_out(b)
            )
        },
        footer: format!("herald · {}", b.generated_at.format("%Y-%m-%d %H:%M UTC")),
        ..EmbedSpec::default()
    }];
    for s in &b.stories {
        // The summary gives way (cut with "…") so the marks and the lines under it always show.
        let head = update_line(s).map(|m| format!("{m}\n")).unwrap_or_default();
        let mut tail = format!("\n{}", size_line(s));
        if let Some(also) = also_line(s) {
            tail.push_str(&format!("\n{}", truncate(&also, STORY_DESCRIPTION / 2)));
        }
        let room = STORY_DESCRIPTION.saturating_sub(head.chars().count() + tail.chars().count());
        let description = format!("{head}{}{tail}", truncate(&summary_text(s), room));
        out.push(EmbedSpec {
            title: truncate(&escape(&s.headline), limits::TITLE),
            url: s.url.clone(),
            description,
            footer: String::new(),
            author: Some(truncate(&unmention(&s.source), limits::AUTHOR)),
            timestamp: Some(s.published_at),
            thumbnail: s.image.clone(),
            button: s
                .url
                .as_deref()
                .and_then(|u| LinkButton::new(&s.headline, u)),
        });
    }
    out
}

/// A story embed's description at most (well under Discord's 4096, so a message holds several stories).
const STORY_DESCRIPTION: usize = 1500;

/// Outlets named on a story's "Also" line at most; the rest are counted ("+3 more").
const ALSO_NAMED: usize = 5;

/// "3 reports · 2 outlets": how big a story is, at a glance.
fn size_line(s: &crate::brief::Story) -> String {
    let reports = s.also.len() + 1;
    let outlets = s.other_outlets().len() + 1;
    format!(
        "-# {} · {}",
        crate::text::count(reports, "report", "reports"),
        crate::text::count(outlets, "outlet", "outlets")
    )
}

/// "Also: [Metro Daily](…), [The Ledger](…) +3 more": the other outlets that told the story, each once (not the
/// lead's outlet again, nor a bare domain beside the outlet of that domain), the first five by name.
fn also_line(s: &crate::brief::Story) -> Option<String> {
    let mut shown: Vec<String> = s
        .other_outlets()
        .into_iter()
        .map(|c| match &c.url {
            Some(u) => format!("[{}](<{u}>)", escape(&c.source)),
            None => escape(&c.source),
        })
        .collect();
    if shown.is_empty() {
        return None;
    }
    let more = shown.len().saturating_sub(ALSO_NAMED);
    shown.truncate(ALSO_NAMED);
    Some(if more > 0 {
        format!("Also: {} +{more} more", shown.join(", "))
    } else {
        format!("Also: {}", shown.join(", "))
    })
}

/// "*Update · first told 2 Dec 2026* (link to that briefing)" over a story the channel was told before.
pub fn update_line(s: &crate::brief::Story) -> Option<String> {
    if !s.update {
        return None;
    }
    let when = s
        .first_told
        .map(|t| format!(" · first told <t:{}:D>", t.timestamp()))
        .unwrap_or_default();
    Some(match &s.first_told_link {
        Some(link) => format!("*Update{when}* · [earlier briefing](<{link}>)"),
        None => format!("*Update{when}*"),
    })
}

/// A story's summary as Discord shows it: escaped; an LLM summary's citations `[n]` as links to the story's
/// n-th report; a fallback marked "(extractive)".
fn summary_text(s: &crate::brief::Story) -> String {
    let mut text = escape(&s.summary.join(" "));
    match s.summary_by {
        crate::brief::SummaryBy::Llm => {
            // escape() wrote "[3]" as "\[3\]"; link those that name a report.
            let mut out = String::with_capacity(text.len());
            let mut rest = text.as_str();
            while let Some(open) = rest.find("\\[") {
                out.push_str(&rest[..open]);
                let after = &rest[open + 2..];
                let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
                let closes = after[digits.len()..].starts_with("\\]");
                match (
                    digits.parse::<usize>().ok().and_then(|n| s.report_url(n)),
                    closes,
                ) {
                    (Some(url), true) => {
                        out.push_str(&format!("[\\[{digits}\\]](<{url}>)"));
                        rest = &after[digits.len() + 2..];
                    }
                    _ => {
                        out.push_str("\\[");
                        rest = after;
                    }
                }
            }
            out.push_str(rest);
            text = out;
        }
        crate::brief::SummaryBy::Fallback => text.push_str(" *(extractive)*"),
        crate::brief::SummaryBy::Extractive => {}
    }
    text
}

/// Packs embeds into messages: at most 10 per message and 6000 characters in all, order kept.
pub fn pack(embeds: Vec<EmbedSpec>) -> Vec<Vec<EmbedSpec>> {
    let mut messages: Vec<Vec<EmbedSpec>> = Vec::new();
    let mut current: Vec<EmbedSpec> = Vec::new();
    let mut total = 0;
    for e in embeds {
        let n = e.len();
        if !current.is_empty()
            && (current.len() == limits::EMBEDS_PER_MESSAGE || total + n > limits::MESSAGE_TOTAL)
        {
            messages.push(std::mem::take(&mut current));
            total = 0;
        }
        total += n;
        current.push(e);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::{Coverage, Story};
    use chrono::Utc;

    fn story(i: usize) -> Story {
        Story {
            headline: format!(
                "Story {i}: {}",
                "a very long headline with many words ".repeat(12)
            ),
            summary: vec![
                format!(
                    "Sentence {i} {}",
                    "with **bold** and @everyone text ".repeat(60)
                );
                3
            ],
            source: format!("Outlet {i} {}", "name ".repeat(500)),
            url: Some(format!("https://news.example/{i}")),
            published_at: Utc::now(),
            also: (0..30)
                .map(|k| Coverage {
                    source: format!("Other {k}"),
                    url: Some(format!("https://o{k}.example/{i}")),
                })
                .collect(),
            relevance: 1.0,
            item_ids: vec![i as i64],
            duplicate_ids: Vec::new(),
            summary_by: crate::brief::SummaryBy::Extractive,
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

    #[test]
    fn a_hundred_long_stories_stay_within_every_limit() {
        let b = Briefing {
            topic: Some("ukraine".into()),
            generated_at: Utc::now(),
            items_considered: 500,
            items_matched: 100,
            stories: (0..100).map(story).collect(),
            stories_left_out: 3,
            items_left_out: 7,
            stories_unchanged: 0,
            absorbed: Vec::new(),
        };
        let messages = pack(briefing_embeds(&b));
        let mut seen = 0;
        for m in &messages {
            assert!(m.len() <= limits::EMBEDS_PER_MESSAGE);
            assert!(m.iter().map(EmbedSpec::len).sum::<usize>() <= limits::MESSAGE_TOTAL);
            for e in m {
                assert!(e.title.chars().count() <= limits::TITLE);
                assert!(e.description.chars().count() <= limits::DESCRIPTION);
                assert!(e.footer.chars().count() <= limits::FOOTER);
                assert!(!e.description.contains("@everyone"));
                if e.title.starts_with("Story") {
                    assert!(
                        e.title.starts_with(&format!("Story {seen}\\:")),
                        "order kept: {}",
                        e.title
                    );
                    assert!(e.title.ends_with('…'), "cut is marked");
                    seen += 1;
                }
            }
        }
        assert_eq!(seen, 100, "no story lost");
    }

    /// A story's embed at a glance: the outlet as author, its time as the timestamp, its size, and the other
    /// outlets once each, five by name.
    #[test]
    fn a_story_reads_at_a_glance() {
        let mut s = story(1);
        s.summary = vec!["Talks resumed in Geneva.".into()];
        s.source = "Metro Daily".into();
        s.url = Some("https://www.metrodaily.example/a".into());
        s.also = [
            ("The Morning Ledger", "https://ledger.example/a"),
            ("Metro Daily", "https://metrodaily.example/b"),
            ("metrodaily.example", "https://metrodaily.example/c"),
            ("metro daily", "https://metrodaily.example/d"),
            ("Harbour Post", "https://harbour.example/a"),
            ("Valley Times", "https://valley.example/a"),
            ("North Star", "https://north.example/a"),
            ("Coast Wire", "https://coast.example/a"),
            ("Hill Gazette", "https://hill.example/a"),
        ]
        .iter()
        .map(|(n, u)| Coverage {
            source: (*n).into(),
            url: Some((*u).into()),
        })
        .collect();
        let b = Briefing {
            topic: None,
            generated_at: Utc::now(),
            items_considered: 10,
            items_matched: 10,
            stories: vec![s.clone()],
            stories_left_out: 0,
            items_left_out: 0,
            stories_unchanged: 0,
            absorbed: Vec::new(),
        };
        let e = &briefing_embeds(&b)[1];
        assert_eq!(e.author.as_deref(), Some("Metro Daily"));
        assert_eq!(e.timestamp, Some(s.published_at));
        assert!(e.footer.is_empty());
        assert!(
            e.description.contains("\n-# 10 reports · 7 outlets"),
            "{}",
            e.description
        );
        assert!(
            e.description.ends_with(
                "Also: [The Morning Ledger](<https://ledger.example/a>), [Harbour Post](<https://harbour.example/a>), \
                 [Valley Times](<https://valley.example/a>), [North Star](<https://north.example/a>), \
                 [Coast Wire](<https://coast.example/a>) +1 more"
            ),
            "{}",
            e.description
        );
        let json = serde_json::to_value(e.build()).unwrap();
        assert_eq!(json["author"]["name"], "Metro Daily");
        assert!(
            json["timestamp"]
                .as_str()
                .is_some_and(|t| t.starts_with("20")),
            "{json}"
        );
    }

    /// Under each message, one link button per story in it, in order, five to a row, within Discord's limits;
    /// a link Discord would refuse gets no button, and a label shows the headline plain.
    #[test]
    fn every_story_gets_a_button_within_discord_s_limits() {
        let mut stories: Vec<Story> = (0..23).map(story).collect();
        stories[3].url = Some("javascript:alert(1)".into());
        stories[4].url = Some(format!("https://long.example/{}", "a".repeat(600)));
        stories[5].url = None;
        stories[6].headline = "**Bold** <@&1>   claims\n".into();
        let b = Briefing {
            topic: None,
            generated_at: Utc::now(),
            items_considered: 23,
            items_matched: 23,
            stories,
            stories_left_out: 0,
            items_left_out: 0,
            stories_unchanged: 0,
            absorbed: Vec::new(),
        };
        let messages = pack(briefing_embeds(&b));
        let mut urls = Vec::new();
        for m in &messages {
            let rows = serde_json::to_value(action_rows(m)).unwrap();
            let rows = rows.as_array().unwrap();
            assert!(rows.len() <= limits::ROWS_PER_MESSAGE);
            let stories_here = m.iter().filter(|e| e.author.is_some()).count();
            let mut here = 0;
            for row in rows {
                assert_eq!(row["type"], 1);
                let buttons = row["components"].as_array().unwrap();
                assert!(!buttons.is_empty() && buttons.len() <= limits::BUTTONS_PER_ROW);
                for button in buttons {
                    assert_eq!(button["style"], 5);
                    let label = button["label"].as_str().unwrap();
                    assert!(label.chars().count() <= limits::BUTTON_LABEL, "{label}");
                    urls.push(button["url"].as_str().unwrap().to_owned());
                    here += 1;
                }
            }
            assert!(here <= stories_here);
        }
        let expected: Vec<String> = (0..23)
            .filter(|i| ![3, 4, 5].contains(i))
            .map(|i| format!("https://news.example/{i}"))
            .collect();
        assert_eq!(urls, expected, "one per story, in order, none refused");
        let plain = LinkButton::new("**Bold** <@&1>   claims", "https://a.example/").unwrap();
        assert_eq!(plain.label, "**Bold** <@&1> claims");
        assert!(
            LinkButton::new(&"word ".repeat(40), "https://a.example/")
                .unwrap()
                .label
                .ends_with('…')
        );
    }

    #[test]
    fn truncate_cuts_at_words_with_a_marker() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("one two three four", 12), "one two…");
        assert!(truncate(&"x".repeat(300), 256).chars().count() <= 256);
    }
}
