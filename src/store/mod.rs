//! The practice history: attempts (card, time, audio, report, scores) and
//! settings in one SQLite file in the data folder, with schema migrations.
//!
//! Question cards of the user's own stay files in the questions folder so they
//! can be edited, shared and imported like the bundled ones.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::report::Report;

/// Why the history could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("the practice history {path} cannot be used: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A stored report is not valid JSON for this version.
    #[error("attempt {id} has an unreadable report: {reason}")]
    BadReport {
        /// The attempt.
        id: i64,
        /// Why.
        reason: String,
    },
    /// The database was written by a newer Rehearse.
    #[error("the practice history {path} is from a newer version of Rehearse (schema {found}, this one knows {known})")]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
}

/// Schema migrations, in order; the database's `user_version` says how many ran.
const MIGRATIONS: &[&str] = &["CREATE TABLE attempts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        card_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        audio_path TEXT NOT NULL,
        duration_s REAL NOT NULL,
        wpm REAL,
        fillers_per_minute REAL,
        overall REAL,
        content REAL,
        structure REAL,
        delivery REAL,
        report_json TEXT NOT NULL
    );
    CREATE INDEX attempts_by_card ON attempts (card_id, created_at);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"];

/// One attempt as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptSummary {
    /// Row id.
    pub id: i64,
    /// The card answered.
    pub card_id: String,
    /// When, RFC 3339 UTC.
    pub created_at: String,
    /// Recording length.
    pub duration_s: f64,
    /// Pace.
    pub wpm: Option<f64>,
    /// Fillers per minute.
    pub fillers_per_minute: Option<f64>,
    /// Overall score.
    pub overall: Option<f64>,
    /// Content score.
    pub content: Option<f64>,
    /// Structure score.
    pub structure: Option<f64>,
    /// Delivery score.
    pub delivery: Option<f64>,
}

/// One attempt with its report.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// The listed facts.
    #[serde(flatten)]
    pub summary: AttemptSummary,
    /// The recording.
    pub audio_path: PathBuf,
    /// The full report.
    pub report: Report,
}

/// Attempts and best score of one card.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardStats {
    /// Number of attempts.
    pub attempts: usize,
    /// Best overall score (delivery when no overall).
    pub best_score: Option<f64>,
    /// Time of the latest attempt.
    pub last_attempt_at: Option<String>,
}

/// The open history.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Seconds since the epoch as RFC 3339 UTC (`2026-11-25T10:07:16Z`).
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    rfc3339(secs)
}

const SUMMARY_COLUMNS: &str =
    "id, card_id, created_at, duration_s, wpm, fillers_per_minute, overall, content, structure, delivery";

fn summary_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<AttemptSummary> {
    Ok(AttemptSummary {
        id: row.get(0)?,
        card_id: row.get(1)?,
        created_at: row.get(2)?,
        duration_s: row.get(3)?,
        wpm: row.get(4)?,
        fillers_per_minute: row.get(5)?,
        overall: row.get(6)?,
        content: row.get(7)?,
        structure: row.get(8)?,
        delivery: row.get(9)?,
    })
}

/// Writes `report` and the columns listed from it into attempt `id`;
/// returns the number of rows changed.
fn write_report(conn: &Connection, id: i64, report: &Report) -> rusqlite::Result<usize> {
    let json = serde_json::to_string(report).expect("reports serialise");
    conn.execute(
        "UPDATE attempts SET duration_s = ?2, wpm = ?3, fillers_per_minute = ?4,
            overall = ?5, content = ?6, structure = ?7, delivery = ?8, report_json = ?9
         WHERE id = ?1",
        params![
            id,
            report.duration_s,
            report.delivery.wpm,
            report.delivery.fillers.per_minute,
            report.score.overall,
            report.score.content,
            report.score.structure,
            report.score.delivery.or(report.delivery.score),
            json
        ],
    )
}

impl Store {
    /// The history file in the data folder.
    pub fn default_path() -> PathBuf {
        crate::asr::model::store::data_dir().join("rehearse.sqlite")
    }

    /// Opens (creating and migrating as needed) the history at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let sqlite = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let mut conn = Connection::open(path).map_err(sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sqlite)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(sqlite)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sqlite)?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction().map_err(sqlite)?;
            tx.execute_batch(sql).map_err(sqlite)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)
                .map_err(sqlite)?;
            tx.commit().map_err(sqlite)?;
        }
        Ok(Self {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Saves an attempt; returns its id.
    pub fn add_attempt(
        &self,
        card_id: &str,
        audio_path: &Path,
        report: &Report,
    ) -> Result<i64, StoreError> {
        // One transaction: a row is never seen without its report.
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        tx.execute(
            "INSERT INTO attempts (card_id, created_at, audio_path, duration_s, report_json)
             VALUES (?1, ?2, ?3, 0, '')",
            params![card_id, now(), audio_path.display().to_string()],
        )
        .map_err(|e| self.err(e))?;
        let id = tx.last_insert_rowid();
        write_report(&tx, id, report).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    /// Replaces an attempt's report (and the scores listed from it), as when
    /// the full pass after Stop refines the live one. Returns `false` when
    /// the attempt no longer exists (deleted meanwhile).
    pub fn replace_report(&self, id: i64, report: &Report) -> Result<bool, StoreError> {
        let changed = write_report(&self.conn, id, report).map_err(|e| self.err(e))?;
        Ok(changed > 0)
    }

    /// Attempts, newest first; of one card when `card_id` is given.
    pub fn attempts(&self, card_id: Option<&str>) -> Result<Vec<AttemptSummary>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM attempts WHERE (?1 IS NULL OR card_id = ?1) ORDER BY created_at DESC, id DESC"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![card_id], summary_from)
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// One attempt with its report.
    pub fn attempt(&self, id: i64) -> Result<Option<Attempt>, StoreError> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, audio_path, report_json FROM attempts WHERE id = ?1"
        );
        let row = self
            .conn
            .query_row(&sql, params![id], |row| {
                Ok((
                    summary_from(row)?,
                    row.get::<_, String>(10)?,
                    row.get::<_, String>(11)?,
                ))
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((summary, audio, json)) = row else {
            return Ok(None);
        };
        let report = serde_json::from_str(&json).map_err(|e| StoreError::BadReport {
            id,
            reason: e.to_string(),
        })?;
        Ok(Some(Attempt {
            summary,
            audio_path: PathBuf::from(audio),
            report,
        }))
    }

    /// Attempts and best score per card.
    pub fn card_stats(&self) -> Result<HashMap<String, CardStats>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT card_id, COUNT(*), MAX(COALESCE(overall, delivery)), MAX(created_at)
                 FROM attempts GROUP BY card_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    CardStats {
                        attempts: row.get::<_, i64>(1)? as usize,
                        best_score: row.get(2)?,
                        last_attempt_at: row.get(3)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Deletes an attempt; returns its recording's path so the caller can
    /// remove the file.
    pub fn delete_attempt(&self, id: i64) -> Result<Option<PathBuf>, StoreError> {
        let audio: Option<String> = self
            .conn
            .query_row(
                "SELECT audio_path FROM attempts WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        self.conn
            .execute("DELETE FROM attempts WHERE id = ?1", params![id])
            .map_err(|e| self.err(e))?;
        Ok(audio.map(PathBuf::from))
    }

    /// Deletes every attempt and setting; returns the recordings' paths.
    pub fn delete_all(&self) -> Result<Vec<PathBuf>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT audio_path FROM attempts")
            .map_err(|e| self.err(e))?;
        let paths: Vec<PathBuf> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?
            .filter_map(Result::ok)
            .map(PathBuf::from)
            .collect();
        self.conn
            .execute_batch("DELETE FROM attempts; DELETE FROM settings;")
            .map_err(|e| self.err(e))?;
        Ok(paths)
    }

    /// A setting's stored JSON text.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Stores a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_601_236), "2026-11-25T10:07:16Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
