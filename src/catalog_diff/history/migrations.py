"""The history index's schema, versioned in code, and the one reader that says whether a
file is a catalog-diff index.

``PRAGMA user_version`` holds the schema version. A new index is made at
:data:`SCHEMA_VERSION` in one transaction; each step of :data:`MIGRATIONS` brings an index
from one version to the next. An index of a schema too old to migrate (schema 1, before
the spec store), one written by a newer catalog-diff, or a file that is not an index at
all, is refused with a one-line error that says what to do.

The tables and views are documented for people who query the index with ``sqlite3`` or
Datasette in ``docs/index-schema.md`` (and briefly in the SQL below, which SQLite keeps
in ``sqlite_master``). The rule every reader needs: a ``last_seq`` that is NULL means
"still there at the last indexed commit".

Light on purpose: the console script (:mod:`catalog_diff.entry`) reads an index through
:func:`identity` before anything heavy is imported.
"""

from __future__ import annotations

import sqlite3

from ..errors import DataError

APPLICATION = "catalog-diff history index"

#: The tables every catalog-diff index of the current schema has.
TABLES = (
    "info",
    "commits",
    "old_layout_files",
    "spec_bodies",
    "specs",
    "spec_lists",
    "package_contents",
    "package_spans",
    "tag_spans",
)

#: The tables of a schema-1 index (before the spec store).
TABLES_1 = ("info", "commits", "files", "specsets", "contents", "versions")

_SPANS = """
    first_seq INTEGER NOT NULL REFERENCES commits (seq),  -- the first commit that had it
    last_seq INTEGER REFERENCES commits (seq)  -- the last one; NULL: still there at the tip
"""

#: The packages of one tag at one commit, without reading the tag's whole past: a
#: covering index by tag and end (the spans still open, or closed after the commit, are
#: few at a recent commit). An index made before it existed gains it at its next update.
SPANS_BY_TAG = (
    "CREATE INDEX IF NOT EXISTS package_spans_tag "
    "ON package_spans (tag, last_seq, first_seq, content_id)"
)

SCHEMA: tuple[str, ...] = (
    """CREATE TABLE info (  -- application, repository, tip, indexed_from
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE commits (  -- one row per indexed commit, oldest first
        seq INTEGER PRIMARY KEY,  -- 0 for the first indexed commit
        sha TEXT NOT NULL UNIQUE,
        date TEXT NOT NULL,  -- committer date, ISO 8601 with offset
        timestamp INTEGER NOT NULL,  -- the same in Unix seconds
        subject TEXT NOT NULL,
        layout TEXT NOT NULL  -- tagged, untagged-specs, untagged-index, mixed or empty
    )""",
    "CREATE INDEX commits_timestamp ON commits (timestamp)",
    f"""CREATE TABLE old_layout_files (  -- files of the untagged layouts, from when to when
        path TEXT NOT NULL,
        oid TEXT NOT NULL,  -- the git blob
        mode TEXT NOT NULL,
        kind TEXT NOT NULL,  -- index-md, specs-md-flat or spec-json (layout.legacy_kind)
        {_SPANS}
    )""",
    "CREATE INDEX old_layout_files_open ON old_layout_files (path) WHERE last_seq IS NULL",
    "CREATE INDEX old_layout_files_path ON old_layout_files (path, first_seq)",
    """CREATE TABLE spec_bodies (  -- a spec's fields but its hash, each distinct one once
        id INTEGER PRIMARY KEY,
        digest INTEGER NOT NULL,  -- the CRC-32 of body: a look-up key only
        body TEXT NOT NULL  -- JSON object: compiler, os, platform, target, variants, ...
    )""",
    "CREATE INDEX spec_bodies_digest ON spec_bodies (digest)",
    """CREATE TABLE specs (  -- each distinct spec once: a hash and a body
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL,
        body_id INTEGER NOT NULL REFERENCES spec_bodies (id)
    )""",
    "CREATE INDEX specs_hash ON specs (hash)",
    """CREATE TABLE spec_lists (  -- each distinct list of specs of a package file once
        id INTEGER PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,  -- line: + SHA-1 of spec_details, or specs: + ...
        spec_count INTEGER NOT NULL,
        spec_ids TEXT NOT NULL  -- JSON array of specs.id, in the file's order
    )""",
    """CREATE TABLE package_contents (  -- each distinct content of a package's file(s)
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,  -- the blob id (tagged layout), or a digest
        layout TEXT NOT NULL,
        path TEXT NOT NULL,  -- where it was first seen
        problem TEXT,  -- why it could not be read; NULL when it was read
        spec_list_id INTEGER REFERENCES spec_lists (id)  -- NULL when it could not be read
    )""",
    f"""CREATE TABLE package_spans (  -- which content a package had from when to when
        id INTEGER PRIMARY KEY,
        tag TEXT NOT NULL,
        package TEXT NOT NULL,
        content_id INTEGER NOT NULL REFERENCES package_contents (id),
        {_SPANS}
    )""",
    "CREATE INDEX package_spans_package ON package_spans (package, tag, first_seq)",
    "CREATE INDEX package_spans_first ON package_spans (first_seq)",
    "CREATE INDEX package_spans_last ON package_spans (last_seq)",
    SPANS_BY_TAG,
    f"""CREATE TABLE tag_spans (  -- when a tag folder held at least one package
        tag TEXT NOT NULL,
        {_SPANS}
    )""",
    "CREATE INDEX tag_spans_tag ON tag_spans (tag, first_seq)",
    # ---- views: the common questions, answered in SQL --------------------------------
    """CREATE VIEW spec_fields AS  -- one row per distinct spec, its fields as columns
    SELECT s.id AS spec_id, s.hash,
        trim(replace(json_extract(b.body, '$.compiler'), '@=', '@')) AS compiler,
        json_extract(b.body, '$.os') AS os,
        json_extract(b.body, '$.platform') AS platform,
        json_extract(b.body, '$.target') AS target,
        json_extract(b.body, '$.versions') AS versions,
        json_extract(b.body, '$.variants') AS variants,
        json_extract(b.body, '$.stacks') AS stacks
    FROM specs AS s JOIN spec_bodies AS b ON b.id = s.body_id""",
    """CREATE VIEW content_specs AS  -- the specs of each package content, in file order
    SELECT c.id AS content_id, CAST(j.key AS INTEGER) AS position, f.*
    FROM package_contents AS c
    JOIN spec_lists AS l ON l.id = c.spec_list_id
    JOIN json_each(l.spec_ids) AS j
    JOIN spec_fields AS f ON f.spec_id = j.value""",
    """CREATE VIEW package_timeline AS  -- a package's contents, from which commit to which
    SELECT s.tag, s.package,
        s.first_seq, f.sha AS first_sha, f.date AS first_date,
        s.last_seq, l.sha AS last_sha, l.date AS last_date,  -- NULL: still there
        c.layout, c.path, c.problem, IFNULL(sl.spec_count, 0) AS spec_count,
        s.content_id, s.id AS span_id
    FROM package_spans AS s
    JOIN commits AS f ON f.seq = s.first_seq
    LEFT JOIN commits AS l ON l.seq = s.last_seq
    JOIN package_contents AS c ON c.id = s.content_id
    LEFT JOIN spec_lists AS sl ON sl.id = c.spec_list_id""",
    """CREATE VIEW catalog_at_commit AS  -- every package at every commit: filter by sha
    SELECT c.seq, c.sha, c.date, s.tag, s.package, s.content_id,
        p.layout, p.path, p.problem, IFNULL(sl.spec_count, 0) AS spec_count
    FROM commits AS c
    JOIN package_spans AS s
        ON s.first_seq <= c.seq AND (s.last_seq IS NULL OR s.last_seq >= c.seq)
    JOIN package_contents AS p ON p.id = s.content_id
    LEFT JOIN spec_lists AS sl ON sl.id = p.spec_list_id""",
    """CREATE VIEW facet_spans AS  -- which stack, target, compiler a package span held
    SELECT DISTINCT s.id AS span_id, s.tag, s.package, x.kind, x.value,
        s.first_seq, s.last_seq
    FROM package_spans AS s
    JOIN package_contents AS p ON p.id = s.content_id
    JOIN spec_lists AS sl ON sl.id = p.spec_list_id
    JOIN json_each(sl.spec_ids) AS j
    JOIN specs AS sp ON sp.id = j.value
    JOIN spec_bodies AS b ON b.id = sp.body_id
    JOIN (
        SELECT b2.id AS body_id, 'target' AS kind, json_extract(b2.body, '$.target') AS value
        FROM spec_bodies AS b2
        UNION ALL
        SELECT b2.id, 'compiler',
            trim(replace(json_extract(b2.body, '$.compiler'), '@=', '@'))
        FROM spec_bodies AS b2
        UNION ALL
        SELECT b2.id, 'stack', st.value
        FROM spec_bodies AS b2 JOIN json_each(b2.body, '$.stacks') AS st
    ) AS x ON x.body_id = b.id""",
    """CREATE VIEW first_last_seen AS  -- first and last commit a stack, target, compiler
    SELECT g.kind, g.value,                   -- was in the catalog (any tag)
        g.first_seq, f.sha AS first_sha, f.date AS first_date,
        g.last_seq, l.sha AS last_sha, l.date AS last_date  -- NULL: still there
    FROM (
        SELECT kind, value, MIN(first_seq) AS first_seq,
            CASE WHEN COUNT(*) > COUNT(last_seq) THEN NULL ELSE MAX(last_seq) END AS last_seq
        FROM facet_spans GROUP BY kind, value
    ) AS g
    JOIN commits AS f ON f.seq = g.first_seq
    LEFT JOIN commits AS l ON l.seq = g.last_seq""",
    """CREATE VIEW stack_specs_per_commit AS  -- specs per tag and stack at every commit
    SELECT c.seq, c.sha, c.date, s.tag, st.value AS stack, COUNT(*) AS specs
    FROM commits AS c
    JOIN package_spans AS s
        ON s.first_seq <= c.seq AND (s.last_seq IS NULL OR s.last_seq >= c.seq)
    JOIN package_contents AS p ON p.id = s.content_id
    JOIN spec_lists AS sl ON sl.id = p.spec_list_id
    JOIN json_each(sl.spec_ids) AS j
    JOIN specs AS sp ON sp.id = j.value
    JOIN spec_bodies AS b ON b.id = sp.body_id
    JOIN json_each(b.body, '$.stacks') AS st
    GROUP BY c.seq, s.tag, st.value""",
)

#: The schema version a new index gets (``PRAGMA user_version``).
SCHEMA_VERSION = 2

#: Steps from one version to the next, keyed by the version they start from; an index
#: older than the first key cannot be migrated and is rebuilt.
MIGRATIONS: dict[int, tuple[str, ...]] = {}

#: The oldest schema version that can be brought up to date in place.
OLDEST_MIGRATABLE = min(MIGRATIONS, default=SCHEMA_VERSION)


class IndexFileError(DataError):
    """The index file is corrupt, foreign, or from an older or newer catalog-diff."""

    REBUILD = "run 'catalog-diff index --rebuild'"
    ELSEWHERE = "it is kept as it is: give another --index FILE"

    def __init__(self, path: str, reason: str, hint: str = REBUILD) -> None:
        super().__init__(f"{path}: {reason}; {hint}")
        self.path = path


def read_only_uri(path: str) -> str:
    """An SQLite URI that opens ``path`` read-only, whatever characters it holds (a
    ``#``, ``?`` or ``%`` never changes which file is opened)."""
    import os.path
    from urllib.parse import quote

    return f"file://{quote(os.path.abspath(path))}?mode=ro"  # noqa: PTH100 - no pathlib here


class Identity:
    """What an open database says it is: its ``user_version``, its tables and the
    ``application`` row of its ``info`` table (None: no such table or row)."""

    __slots__ = ("application", "tables", "version")

    def __init__(self, version: int, tables: frozenset[str], application: str | None) -> None:
        self.version, self.tables, self.application = version, tables, application

    @property
    def is_new(self) -> bool:
        """An empty database: nothing in it yet."""
        return not self.tables and self.version == 0

    @property
    def is_index(self) -> bool:
        """A catalog-diff index (of any schema): only its ``info`` row tells."""
        return self.application == APPLICATION

    @property
    def looks_like_index(self) -> bool:
        """Every table of some schema of the index is there (its marker may be lost)."""
        return self.tables >= frozenset(TABLES) or self.tables >= frozenset(TABLES_1)


def identity(conn: sqlite3.Connection, tolerant: bool = False) -> Identity:
    """Read what an open database is, in one read transaction (another process creating
    the index commits its tables and its user_version together). SQLite errors propagate:
    damage is the caller's to report, except, when ``tolerant``, damage met reading the
    ``info`` row (its application is then None)."""
    conn.execute("BEGIN")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = frozenset(row[0] for row in conn.execute("SELECT name FROM sqlite_master"))
        application = None
        if "info" in tables:
            try:
                row = conn.execute("SELECT value FROM info WHERE key = 'application'").fetchone()
            except sqlite3.OperationalError:  # an info table without those columns
                row = None
            except sqlite3.DatabaseError:
                if not tolerant:
                    raise
                row = None
            if row is not None and isinstance(row[0], str):
                application = row[0]
    finally:
        conn.execute("COMMIT")
    return Identity(version, tables, application)


def check(conn: sqlite3.Connection, path: str) -> int:
    """The schema version of an open index (0: a new, empty file), read without writing
    anything; an :class:`IndexFileError` for a file that is not a catalog-diff index, one
    too old to migrate, or one of a newer catalog-diff."""
    try:
        found = identity(conn)
    except sqlite3.DatabaseError as exc:
        from .indexfile import sqlite_fault

        raise sqlite_fault(path, exc) from exc
    version = found.version
    if found.is_new:
        return 0  # a new, empty file: created by migrate
    if not found.is_index:
        # Whatever its user_version says: only the info row tells an index.
        raise IndexFileError(
            path,
            f"not a catalog-diff index (a database of other tables, user_version {version})",
            IndexFileError.ELSEWHERE,
        )
    if version > SCHEMA_VERSION:
        raise IndexFileError(path, f"written by a newer catalog-diff (schema {version})")
    if version < 1:
        raise IndexFileError(path, f"a damaged index (schema version {version})")
    if version < OLDEST_MIGRATABLE:
        raise IndexFileError(
            path,
            f"an index of an older catalog-diff (schema {version}, now {SCHEMA_VERSION}), "
            "which stored every spec list whole",
        )
    return version


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Make a new index, or bring an open one to :data:`SCHEMA_VERSION` (:func:`check`
    first).

    ``conn`` is in autocommit mode (``isolation_level=None``); each step is one
    transaction, so an interrupted migration leaves the previous version intact.
    """
    version = check(conn, path)
    while version < SCHEMA_VERSION:
        steps = SCHEMA if version == 0 else MIGRATIONS[version]
        target = SCHEMA_VERSION if version == 0 else version + 1
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA user_version").fetchone()[0] >= target:
                conn.execute("ROLLBACK")  # another process got there first
                version = target
                continue
            for statement in steps:
                conn.execute(statement)
            if version == 0:
                conn.execute("INSERT INTO info VALUES ('application', ?)", (APPLICATION,))
            conn.execute(f"PRAGMA user_version = {int(target)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # an interruption may land after COMMIT
                conn.execute("ROLLBACK")
            raise
        version = target
