//! A channel's briefing settings: how its briefings are summarised (extractive or LLM, in which language and
//! length), how many stories they hold, where they are posted, and which role they ping.

use serde::{Deserialize, Serialize};

use super::Options;
use super::summarize::Budget;
use crate::config::NothingNew;
use crate::store::{ChannelSettingsRow, Images, Placement};
pub use crate::store::{Length, Style};

impl Length {
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
    /// The settings a stored row says (the row's names are checked as it is read; a forum post without its
    /// forum reads as the channel).
    pub fn from_row(row: &ChannelSettingsRow) -> Self {
        Self {
            style: row.style,
            language: row.language.clone().filter(|l| !l.is_empty()),
            length: row.length,
            max_stories: row
                .max_stories
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0),
            post_in: match (row.post_in, row.forum_id) {
                (Placement::Thread, _) => PostIn::Thread,
                (Placement::Forum, Some(id)) => PostIn::Forum {
                    channel: id,
                    tag: row.forum_tag,
                },
                _ => PostIn::Channel,
            },
            ping_role: row.ping_role,
            nothing_new: row.nothing_new,
            images_off: row.images == Some(Images::Off),
        }
    }

    /// The row that stores these settings.
    pub fn to_row(&self) -> ChannelSettingsRow {
        ChannelSettingsRow {
            style: self.style,
            language: self.language.clone(),
            length: self.length,
            max_stories: self.max_stories.and_then(|n| i64::try_from(n).ok()),
            post_in: match self.post_in {
                PostIn::Channel => Placement::Channel,
                PostIn::Thread => Placement::Thread,
                PostIn::Forum { .. } => Placement::Forum,
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
            nothing_new: self.nothing_new,
            images: self.images_off.then_some(Images::Off),
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
        assert_eq!(s.to_row().images, Some(Images::Off));
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
