//! The question bank: cards bundled with Rehearse plus the user's own.

pub mod card;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

pub use card::{Card, CardError, Point, CATEGORIES};

static BUNDLED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/questions");

/// Where a card came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Shipped with Rehearse.
    Bundled,
    /// A file in the user's questions folder.
    User(PathBuf),
}

/// The cards available, by id, and the files that could not be read.
#[derive(Debug, Clone, Default)]
pub struct Bank {
    cards: BTreeMap<String, (Card, Origin)>,
    /// One entry per malformed card file; the other cards still load.
    pub errors: Vec<CardError>,
}

/// The user's questions folder (inside the data folder).
pub fn user_dir() -> PathBuf {
    crate::asr::model::store::data_dir().join("questions")
}

fn is_card_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml" || e == "json")
}

impl Bank {
    /// Bundled cards overlaid with the cards in `user_dir` (same id overrides).
    pub fn load(user_dir: &Path) -> Self {
        let mut bank = Bank::default();
        for file in BUNDLED.files().filter(|f| is_card_file(f.path())) {
            let path = Path::new("assets/questions").join(file.path());
            let text = String::from_utf8_lossy(file.contents());
            match Card::parse(&text, &path) {
                Ok(card) => bank.insert(card, Origin::Bundled),
                Err(e) => bank.errors.push(e),
            }
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(user_dir)
            .map(|d| {
                d.flatten()
                    .map(|e| e.path())
                    .filter(|p| is_card_file(p))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        for path in files {
            match Card::load(&path) {
                Ok(card) => bank.insert(card, Origin::User(path)),
                Err(e) => bank.errors.push(e),
            }
        }
        bank
    }

    /// Bundled cards and the default user folder.
    pub fn load_default() -> Self {
        Self::load(&user_dir())
    }

    fn insert(&mut self, card: Card, origin: Origin) {
        self.cards.insert(card.id.clone(), (card, origin));
    }

    /// The card with `id`.
    pub fn get(&self, id: &str) -> Option<&Card> {
        self.cards.get(id).map(|(card, _)| card)
    }

    /// Where the card with `id` came from.
    pub fn origin(&self, id: &str) -> Option<&Origin> {
        self.cards.get(id).map(|(_, origin)| origin)
    }

    /// All cards, by id.
    pub fn cards(&self) -> impl Iterator<Item = &Card> {
        self.cards.values().map(|(card, _)| card)
    }

    /// Number of cards.
    pub fn len(&self) -> usize {
        self.cards.len()
    }

    /// True when no card loaded.
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }
}
