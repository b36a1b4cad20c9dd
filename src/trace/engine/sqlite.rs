//! What the two SQLite readers (Optuna's RDB, NNI's database) share:
//! opening a database read-only with a short wait for a writer's lock,
//! what a failed read means (a lock waited out, or an error naming the
//! file), which tables a database has, and reading a query's rows.

use super::replay::Journal;
use super::studies::Runs;
use crate::trace::TraceError;
use rusqlite::{Connection, OpenFlags, Params, Row};
use std::path::Path;

/// An engine's database, opened read-only; a writer's lock is waited for
/// half a second.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection, rusqlite::Error> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(std::time::Duration::from_millis(500))?;
    Ok(c)
}

/// What a failed read of an engine's database means: a writer's lock is
/// waited out once something was read (`Ok(0)`: the next poll tries
/// again); anything else is an error naming the file.
pub(crate) fn fault(
    path: &Path,
    e: rusqlite::Error,
    read_before: bool,
) -> Result<usize, TraceError> {
    let busy = e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
    if busy && read_before {
        return Ok(0);
    }
    Err(TraceError::bad(
        path.display().to_string(),
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) => {
                "the database is locked by a writer; try again in a moment".to_string()
            }
            Some(rusqlite::ErrorCode::NotADatabase) => "not an SQLite database".to_string(),
            _ => e.to_string(),
        },
    ))
}

/// How many of `tables` the database has.
pub(crate) fn tables_present(c: &Connection, tables: &[&str]) -> Result<usize, rusqlite::Error> {
    let mut q =
        c.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1")?;
    let mut n = 0;
    for t in tables {
        if q.query_row([t], |r| r.get::<_, i64>(0))? > 0 {
            n += 1;
        }
    }
    Ok(n)
}

/// Whether the database at `path` opens and has every table of `tables`.
pub(crate) fn has_tables(path: &Path, tables: &[&str]) -> bool {
    open_read_only(path)
        .and_then(|c| tables_present(&c, tables))
        .is_ok_and(|n| n == tables.len())
}

/// Runs `sql` with `params` and hands each row, as the tuple of columns
/// `T` (`(i64, Option<String>)`), to `each`; the first error stops it.
pub(crate) fn for_each_row<T>(
    c: &Connection,
    sql: &str,
    params: impl Params,
    mut each: impl FnMut(T),
) -> Result<(), rusqlite::Error>
where
    T: for<'a> TryFrom<&'a Row<'a>, Error = rusqlite::Error>,
{
    let mut q = c.prepare(sql)?;
    for row in q.query_map(params, |r| T::try_from(r))? {
        each(row?);
    }
    Ok(())
}

/// Runs `sql` and hands each row to `each` as it is (its texts read in
/// place, nothing allocated for them).
pub(crate) fn for_each_ref(
    c: &Connection,
    sql: &str,
    params: impl Params,
    mut each: impl FnMut(&Row<'_>) -> Result<(), rusqlite::Error>,
) -> Result<(), rusqlite::Error> {
    let mut q = c.prepare(sql)?;
    let mut rows = q.query(params)?;
    while let Some(row) = rows.next()? {
        each(row)?;
    }
    Ok(())
}

/// A database reader's poll: what `read` read again (`None`: unchanged)
/// replaces `journal` and is taken into `runs`, returning the trials added;
/// a failed read is what [`fault`] says.
pub(crate) fn settle(
    path: &Path,
    read: Result<Option<Journal>, rusqlite::Error>,
    read_before: bool,
    journal: &mut Journal,
    runs: &mut Runs,
) -> Result<usize, TraceError> {
    match read {
        Err(e) => fault(path, e, read_before),
        Ok(None) => Ok(0),
        Ok(Some(j)) => {
            *journal = j;
            runs.update(journal)
        }
    }
}
