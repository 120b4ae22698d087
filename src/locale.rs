//! Names the config checks and the search layer uses: the search providers herald knows and a news locale.
//! The lowest layer, beside `config`: it imports nothing of herald.

/// The names of the providers herald knows, in the order they are listed.
pub const PROVIDERS: [&str; 4] = ["bing", "gdelt", "google", "hn"];

/// A news language and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locale {
    /// ISO 639-1 language, lower case (`en`).
    pub language: String,
    /// ISO 3166-1 alpha-2 region, upper case (`US`).
    pub country: String,
}

/// Why a language or region code was refused; the message says what works.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocaleError {
    /// Not two or three letters.
    #[error("{0:?} is not a language code: give an ISO 639-1 code such as en, de or uk")]
    Language(String),
    /// Not two letters.
    #[error("{0:?} is not a region code: give an ISO 3166-1 code such as US, GB or UA")]
    Region(String),
}

impl Locale {
    /// A locale from what a user or the config gave, checked: two or three letters for the language, two for
    /// the region.
    pub fn new(language: &str, country: &str) -> Result<Self, LocaleError> {
        let language = language.trim().to_ascii_lowercase();
        let country = country.trim().to_ascii_uppercase();
        if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(LocaleError::Language(language));
        }
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(LocaleError::Region(country));
        }
        Ok(Self { language, country })
    }
}
