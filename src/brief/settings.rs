//! A channel's briefing settings: how its briefings are summarised (extractive or LLM, in which language and
//! length), how many stories they hold, where they are posted, and which role they ping.

use serde::{Deserialize, Serialize};

use super::Options;
use super::summarize::Budget;
use crate::config::NothingNew;
use crate::store::SettingsRow;

/// How summaries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// herald's own extractive summaries (no key; each article's own language).
    #[default]
    Extractive,
    /// An LLM's, checked against the sources (falls back to extractive).
    Llm,
}

/// How long each story is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Length {
    /// Titles and links only.
    Headlines,
    /// One or two sentences.
    Short,
    /// A paragraph.
    Full,
}

impl Length {
    /// Its name as stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Length::Headlines => "headlines",
            Length::Short => "short",
            Length::Full => "full",
        }
    }

    /// The length a name stands for (`headlines`, `short`, `full`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "headlines" => Length::Headlines,
            "short" => Length::Short,
            "full" => Length::Full,
            _ => return None,
        })
    }

    /// The extractive summary budget of this length.
    pub fn budget(self) -> Budget {
        match self {
            Length::Headlines => Budget::Sentences(0),
            Length::Short => Budget::Sentences(2),
            Length::Full => Budget::Words(100),
        }
    }
}

/// Where a channel's scheduled briefings are posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PostIn {
    /// In the channel.
    #[default]
    Channel,
    /// In a new thread of the channel per briefing, named for the date.
    Thread,
    /// As a new post of a forum channel, with a tag when the forum has a fitting one.
    Forum {
        /// The forum channel.
        channel: u64,
        /// The tag each post gets.
        tag: Option<u64>,
    },
}

/// A channel's settings, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChannelSettings {
    /// Extractive or LLM.
    pub style: Style,
    /// The language of LLM summaries (BCP 47); `None`: English.
    pub language: Option<String>,
    /// Story length; `None`: the config's `[brief] sentences` / `summary_words`.
    pub length: Option<Length>,
    /// Stories at most; `None`: `[brief] max_stories`.
    pub max_stories: Option<usize>,
    /// Where scheduled briefings go.
    pub post_in: PostIn,
    /// The role pinged with scheduled briefings (and allowed to be mentioned: nobody else is).
    pub ping_role: Option<u64>,
    /// What a scheduled briefing with nothing new does; `None`: `[schedule] nothing_new`.
    pub nothing_new: Option<NothingNew>,
    /// Whether stories leave out their lead image (`/settings set images:off`); images show by default.
    pub images_off: bool,
}

impl ChannelSettings {
    /// The settings a stored row says (a value that no longer reads counts as unset).
    pub fn from_row(row: &SettingsRow) -> Self {
        Self {
            style: if row.style == "llm" {
                Style::Llm
            } else {
                Style::Extractive
            },
            language: row.language.clone().filter(|l| !l.is_empty()),
            length: row.length.as_deref().and_then(Length::parse),
            max_stories: row
                .max_stories
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0),
            post_in: match (row.post_in.as_str(), row.forum_id) {
                ("thread", _) => PostIn::Thread,
                ("forum", Some(id)) => PostIn::Forum {
                    channel: id,
                    tag: row.forum_tag,
                },
                _ => PostIn::Channel,
            },
            ping_role: row.ping_role,
            nothing_new: match row.nothing_new.as_deref() {
                Some("say") => Some(NothingNew::Say),
                Some("silent") => Some(NothingNew::Silent),
                _ => None,
            },
            images_off: row.images.as_deref() == Some("off"),
        }
    }

    /// The row that stores these settings.
    pub fn to_row(&self) -> SettingsRow {
        SettingsRow {
            style: match self.style {
                Style::Extractive => "extractive".into(),
                Style::Llm => "llm".into(),
            },
            language: self.language.clone(),
            length: self.length.map(|l| l.name().to_owned()),
            max_stories: self.max_stories.and_then(|n| i64::try_from(n).ok()),
            post_in: match self.post_in {
                PostIn::Channel => "channel".into(),
                PostIn::Thread => "thread".into(),
                PostIn::Forum { .. } => "forum".into(),
            },
            forum_id: match self.post_in {
                PostIn::Forum { channel, .. } => Some(channel),
                _ => None,
            },
            forum_tag: match self.post_in {
                PostIn::Forum { tag, .. } => tag,
                _ => None,
            },
            ping_role: self.ping_role,
            nothing_new: self.nothing_new.map(|n| match n {
                NothingNew::Say => "say".to_owned(),
                NothingNew::Silent => "silent".to_owned(),
            }),
            images: self.images_off.then(|| "off".to_owned()),
        }
    }

    /// The briefing options for this channel, over the config's.
    pub fn options(&self, mut base: Options) -> Options {
        if let Some(n) = self.max_stories {
            base.max_stories = n;
        }
        match self.length.map(Length::budget) {
            Some(Budget::Sentences(n)) => {
                base.sentences = n;
                base.summary_words = 0;
            }
            Some(Budget::Words(w)) => base.summary_words = w,
            None => {}
        }
        base
    }

    /// The LLM summary language: the setting, else English.
    pub fn llm_language(&self) -> &str {
        self.language.as_deref().unwrap_or("en")
    }
}

/// Whether `tag` reads as a BCP 47 language tag (`en`, `uk`, `pt-BR`, `zh-Hant`, `sr-Latn-RS`).
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(lang) = parts.next() else {
        return false;
    };
    (2..=3).contains(&lang.len())
        && lang.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_and_shape_options() {
        let s = ChannelSettings {
            style: Style::Llm,
            language: Some("uk".into()),
            length: Some(Length::Headlines),
            max_stories: Some(3),
            post_in: PostIn::Forum {
                channel: 77,
                tag: Some(5),
            },
            ping_role: Some(9),
            nothing_new: Some(NothingNew::Say),
            images_off: true,
        };
        assert_eq!(ChannelSettings::from_row(&s.to_row()), s);
        assert_eq!(s.to_row().images.as_deref(), Some("off"));
        assert!(!ChannelSettings::from_row(&ChannelSettings::default().to_row()).images_off);
        let base = Options::from(&crate::config::Config::defaults().brief);
        let o = s.options(base);
        assert_eq!((o.max_stories, o.budget()), (3, Budget::Sentences(0)));
        let full = ChannelSettings {
            length: Some(Length::Full),
            ..ChannelSettings::default()
        };
        assert_eq!(full.options(base).budget(), Budget::Words(100));
        assert_eq!(
            ChannelSettings::default().options(base).budget(),
            base.budget()
        );
        assert_eq!(ChannelSettings::default().llm_language(), "en");
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "uk", "pt-BR", "zh-Hant", "sr-Latn-RS"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "english", "e", "en-", "en_US", "en-toolongsubtag"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
