"""The history index's schema, versioned and migrated in code.

``PRAGMA user_version`` holds the schema version; each step of :data:`MIGRATIONS` brings
an index from one version to the next inside one transaction. An index written by a newer
catalog-diff, or a file that is not an index at all, is refused with a clear error.

Tables (documented for people who query the index with ``sqlite3`` or Datasette):

``info``
    ``key``/``value`` pairs: ``application`` (always ``catalog-diff history index``),
    ``repository`` (the git directory indexed), ``tip`` (the last commit indexed) and, for
    an index started at a later commit (``catalog-diff index A..B``), ``indexed_from``
    (the full SHA of its first commit, which is not taken as adding the whole catalog).
``commits``
    One row per indexed commit along first-parent history, oldest first. ``seq`` is its
    position (0 for the first indexed commit), ``sha`` the full SHA, ``date`` the
    committer date (ISO 8601 with offset), ``timestamp`` the same in Unix seconds,
    ``subject`` the subject as ``git log --format=%s`` gives it (up to a NUL byte; bytes
    that are not UTF-8 replaced by U+FFFD), ``layout`` the catalog layout at that
    commit (``tagged``, ``untagged-specs``, ``untagged-index``, ``mixed`` or ``empty``).
``files``
    Presence of the files of the older, untagged layouts (``_cache/<package>/index.md``,
    ``specs.md`` and ``spec-N.json``): ``path``, git blob ``oid``, ``mode``, ``kind``
    (``index``, ``flat-specs`` or ``spec-json``), and the ``first_seq``/``last_seq`` of
    the commits that carried that blob at that path (``last_seq`` NULL: still there at
    the tip). Files of the current layout are one per package: ``versions`` and
    ``contents`` (whose ``key`` is the blob id) record them.
``specsets``
    One row per distinct list of specs: ``digest``, ``spec_count`` and ``specs``, a JSON
    array to query with ``json_each``. What ``specs`` holds depends on the layout:

    - the current (tagged) layout: the file's ``spec_details`` array exactly as written
      (``digest`` starts ``line:``). Its objects are Spack's raw spec records, not
      normalised: compilers are written as the catalog writes them (``gcc@=11.4.0`` and
      ``gcc@11.4.0`` both occur), and keys such as ``size`` and ``tarball`` are kept.
      catalog-diff normalises them when it reads them back;
    - the older, untagged layouts: catalog-diff's normalised specs (``digest`` starts
      ``specs:``): ``hash``, ``versions``, ``compiler`` (``gcc@11.4.0``), ``os``,
      ``platform``, ``target``, ``variants``, ``stacks`` (``[]``: those layouts have none).

    Group by compiler in SQL only after normalising (drop the ``=`` after ``@``). Frozen
    tags share the spec sets of the develop files they copy.
``contents``
    One row per distinct package file content: ``key`` (the blob id for the current
    layout; a digest of the package's files for the older layouts), ``layout``, ``path``
    (where it was first seen), ``problem`` (why it could not be read; NULL when fine) and
    ``specset_id`` (-> specsets.id; NULL when it could not be read).
``versions``
    Presence of each package: ``tag``, ``package``, ``content_id`` (-> contents.id),
    ``first_seq``/``last_seq`` as for files. The untagged layouts use the tag
    ``develop``.
"""

from __future__ import annotations

import sqlite3

from ..errors import DataError

APPLICATION = "catalog-diff history index"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE commits (
            seq INTEGER PRIMARY KEY,
            sha TEXT NOT NULL UNIQUE,
            date TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            subject TEXT NOT NULL,
            layout TEXT NOT NULL
        )""",
        "CREATE INDEX commits_timestamp ON commits (timestamp)",
        """CREATE TABLE files (
            path TEXT NOT NULL,
            oid TEXT NOT NULL,
            mode TEXT NOT NULL,
            kind TEXT NOT NULL,
            first_seq INTEGER NOT NULL,
            last_seq INTEGER
        )""",
        "CREATE INDEX files_open ON files (path) WHERE last_seq IS NULL",
        "CREATE INDEX files_path ON files (path, first_seq)",
        """CREATE TABLE specsets (
            id INTEGER PRIMARY KEY,
            digest TEXT NOT NULL UNIQUE,
            spec_count INTEGER NOT NULL,
            specs TEXT NOT NULL
        )""",
        """CREATE TABLE contents (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            layout TEXT NOT NULL,
            path TEXT NOT NULL,
            problem TEXT,
            specset_id INTEGER REFERENCES specsets (id)
        )""",
        """CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            tag TEXT NOT NULL,
            package TEXT NOT NULL,
            content_id INTEGER NOT NULL REFERENCES contents (id),
            first_seq INTEGER NOT NULL,
            last_seq INTEGER
        )""",
        "CREATE INDEX versions_package ON versions (package, tag, first_seq)",
        "CREATE INDEX versions_first ON versions (first_seq)",
        "CREATE INDEX versions_last ON versions (last_seq)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


class IndexFileError(DataError):
    """The index file is corrupt, foreign, or from a newer catalog-diff."""

    REBUILD = "run 'catalog-diff index --rebuild'"
    ELSEWHERE = "it is kept as it is: give another --index FILE"

    def __init__(self, path: str, reason: str, hint: str = REBUILD) -> None:
        super().__init__(f"{path}: {reason}; {hint}")
        self.path = path


def _application(conn: sqlite3.Connection) -> str | None:
    """The ``application`` row of the ``info`` table, or None (no such table or row)."""
    try:
        row = conn.execute("SELECT value FROM info WHERE key = 'application'").fetchone()
    except sqlite3.OperationalError:  # no such table or column; damage propagates
        return None
    return row[0] if row is not None and isinstance(row[0], str) else None


def check(conn: sqlite3.Connection, path: str) -> int:
    """The schema version of an open index (0: a new, empty file), read without writing
    anything; an :class:`IndexFileError` for a file that is not a catalog-diff index or
    one of a newer catalog-diff."""
    try:
        # One read transaction: another process creating the index commits its tables
        # and its user_version together, and both must be seen from the same state.
        conn.execute("BEGIN")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        from .indexfile import sqlite_fault

        raise sqlite_fault(path, exc) from exc
    try:
        application = _application(conn) if tables else None
    except sqlite3.DatabaseError as exc:
        from .indexfile import sqlite_fault

        raise sqlite_fault(path, exc) from exc
    if not tables and version == 0:
        pass  # a new, empty file: created below
    elif application != APPLICATION:
        # Whatever its user_version says: only the info row tells an index.
        raise IndexFileError(
            path,
            f"not a catalog-diff index (a database of other tables, user_version {version})",
            IndexFileError.ELSEWHERE,
        )
    elif version > SCHEMA_VERSION:
        raise IndexFileError(path, f"written by a newer catalog-diff (schema {version})")
    elif version < 1:
        raise IndexFileError(path, f"a damaged index (schema version {version})")
    return int(version)


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Bring the schema of an open index to :data:`SCHEMA_VERSION` (:func:`check` first).

    ``conn`` is in autocommit mode (``isolation_level=None``); each step is one
    transaction, so an interrupted migration leaves the previous version intact.
    """
    for target in range(check(conn, path) + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= target:
                conn.execute("ROLLBACK")  # another process got there first
                continue
            for statement in MIGRATIONS[target - 1]:
                conn.execute(statement)
            if target == 1:
                conn.execute("INSERT INTO info VALUES ('application', ?)", (APPLICATION,))
            conn.execute(f"PRAGMA user_version = {int(target)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # an interruption may land after COMMIT
                conn.execute("ROLLBACK")
            raise
