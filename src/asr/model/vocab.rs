//! Whisper's vocabulary: from CTranslate2's `vocabulary.txt` (GPT-2 byte-level
//! strings, one per line) back to the raw token bytes whisper.cpp stores.

use std::collections::HashMap;

/// The first special token; whisper.cpp names everything from here on itself.
pub const END_OF_TEXT: &str = "<|endoftext|>";

/// GPT-2's table from bytes to printable characters, inverted.
fn unicode_to_byte() -> HashMap<char, u8> {
    let printable = |b: u32| (33..=126).contains(&b) || (161..=172).contains(&b) || b >= 174;
    let mut table = HashMap::with_capacity(256);
    let mut shifted = 0u32;
    for b in 0u32..256 {
        let ch = if printable(b) {
            b
        } else {
            shifted += 1;
            255 + shifted
        };
        table.insert(char::from_u32(ch).expect("valid code point"), b as u8);
    }
    table
}

/// Why a vocabulary could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    /// A token holds a character outside GPT-2's byte alphabet.
    #[error("token {index} ({token:?}) is not a GPT-2 byte-level string")]
    NotByteLevel {
        /// Line number, from 0.
        index: usize,
        /// The token as written.
        token: String,
    },
    /// The file has no `<|endoftext|>` token.
    #[error("the vocabulary has no {END_OF_TEXT} token")]
    NoEndOfText,
}

/// Decodes the ordinary (non-special) tokens of `vocabulary.txt`, in id order:
/// every token before `<|endoftext|>`.
pub fn decode_vocabulary(text: &str) -> Result<Vec<Vec<u8>>, VocabError> {
    let table = unicode_to_byte();
    let mut tokens = Vec::new();
    for (index, token) in text.lines().enumerate() {
        if token == END_OF_TEXT {
            return Ok(tokens);
        }
        let bytes = token
            .chars()
            .map(|c| table.get(&c).copied())
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| VocabError::NotByteLevel {
                index,
                token: token.to_string(),
            })?;
        tokens.push(bytes);
    }
    Err(VocabError::NoEndOfText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_space_and_newline_markers() {
        // 'Ġ' stands for a leading space and 'Ċ' for a newline in GPT-2's alphabet.
        let text = "hello\n\u{120}world\n\u{10a}\n\u{120}caf\u{c3}\u{a9}\n<|endoftext|>\n<|startoftranscript|>\n";
        let tokens = decode_vocabulary(text).unwrap();
        assert_eq!(
            tokens,
            vec![
                b"hello".to_vec(),
                b" world".to_vec(),
                b"\n".to_vec(),
                " café".as_bytes().to_vec()
            ]
        );
    }

    #[test]
    fn rejects_foreign_characters_and_missing_end_of_text() {
        assert!(matches!(
            decode_vocabulary("ok\n\u{4e2d}\n<|endoftext|>"),
            Err(VocabError::NotByteLevel { index: 1, .. })
        ));
        assert!(matches!(
            decode_vocabulary("a\nb\n"),
            Err(VocabError::NoEndOfText)
        ));
    }
}
