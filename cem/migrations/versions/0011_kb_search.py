"""knowledge-base search: a word index and a character-trigram index over
kbquestion.search_text, kept by triggers

kbquestion.search_text holds the words of a question (cem.kb.search.index_text):
the question, its phrasings, tags and category on the first line, the answer
and the problem on the second, words separated by spaces. The indexes follow
that column through triggers, so every way a row changes (the services, a
backup restore, which deletes and inserts every row) keeps them right.

SQLite: two contentless FTS5 tables, kb_word (words; the unicode61 tokenizer
with Thai vowel and tone marks, category M, kept inside words: by default
they would cut words apart) and kb_gram (trigram tokenizer: parts of
words), and kb_word_terms, kb_word's vocabulary (fts5vocab: each word with
the number of questions holding it; typing errors are matched against it).

PostgreSQL: kb_search, one row per question with its words as a tsvector
(the 'simple' configuration, first line weighted A, second B), and kb_term,
the words of all questions under a pg_trgm index. pg_trgm only makes
trigrams of characters the locale calls alphanumeric (under C no Thai;
under C.UTF-8 Thai letters but not tone marks), so it serves LIKE over these
short words, which is right under any locale (under C by scanning them),
never a similarity over Thai text.

A later migration that rebuilds kbquestion on SQLite (batch_alter_table
copies the table and drops the old one) drops these triggers with it: it
must create them again (see upgrade) and call cem.kb.search.rebuild_index (or reindex_questions).

Revision ID: 0011
Revises: 0010
"""
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# The two lines of search_text, as SQLite expressions over a row `row`.
HEAD = ("CASE WHEN instr({row}.search_text, char(10)) > 0 "
        "THEN substr({row}.search_text, 1, instr({row}.search_text, char(10)) - 1) ELSE {row}.search_text END")
BODY = ("CASE WHEN instr({row}.search_text, char(10)) > 0 "
        "THEN substr({row}.search_text, instr({row}.search_text, char(10)) + 1) ELSE '' END")


def sqlite_add(row: str) -> str:
    return (f"INSERT INTO kb_word(rowid, head, body) VALUES ({row}.id, {HEAD.format(row=row)}, "
            f"{BODY.format(row=row)}); "
            f"INSERT INTO kb_gram(rowid, body) VALUES ({row}.id, {row}.search_text);")


def sqlite_remove(row: str) -> str:
    # A contentless table forgets a row when given the very values it indexed.
    return (f"INSERT INTO kb_word(kb_word, rowid, head, body) VALUES ('delete', {row}.id, "
            f"{HEAD.format(row=row)}, {BODY.format(row=row)}); "
            f"INSERT INTO kb_gram(kb_gram, rowid, body) VALUES ('delete', {row}.id, {row}.search_text);")


SQLITE = [
    "CREATE VIRTUAL TABLE kb_word USING fts5(head, body, content='', "
    "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* Co M*'\")",
    "CREATE VIRTUAL TABLE kb_gram USING fts5(body, content='', tokenize='trigram')",
    # The words of kb_word, each with the number of questions holding it.
    "CREATE VIRTUAL TABLE kb_word_terms USING fts5vocab(kb_word, 'row')",
    f"CREATE TRIGGER kb_question_added AFTER INSERT ON kbquestion BEGIN {sqlite_add('new')} END",
    f"CREATE TRIGGER kb_question_removed AFTER DELETE ON kbquestion BEGIN {sqlite_remove('old')} END",
    f"CREATE TRIGGER kb_question_changed AFTER UPDATE OF id, search_text ON kbquestion "
    f"BEGIN {sqlite_remove('old')} {sqlite_add('new')} END",
    # Rows written before this revision.
    "INSERT INTO kb_word(rowid, head, body) SELECT q.id, {}, {} FROM kbquestion q".format(
        HEAD.format(row="q"), BODY.format(row="q")),
    "INSERT INTO kb_gram(rowid, body) SELECT id, search_text FROM kbquestion",
]

POSTGRESQL = [
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE FUNCTION kb_words_of(search_text text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
         SELECT setweight(to_tsvector('simple', split_part(search_text, E'\\n', 1)), 'A')
             || setweight(to_tsvector('simple', split_part(search_text, E'\\n', 2)), 'B') $$""",
    """CREATE TABLE kb_search (
         question_id integer PRIMARY KEY REFERENCES kbquestion(id) ON DELETE CASCADE,
         words tsvector NOT NULL)""",
    "CREATE INDEX kb_search_words ON kb_search USING gin (words)",
    # The words of the questions: parts of words are looked for in them (LIKE, served by the
    # trigram index), typing errors matched against them. Only ever added to: counts kept here
    # would make every question saved in one transaction (a restore's thousands) rewrite the same
    # rows of common words; cem.kb.questions.reindex_questions prunes it.
    "CREATE TABLE kb_term (term text PRIMARY KEY)",
    "CREATE INDEX kb_term_trigrams ON kb_term USING gin (term gin_trgm_ops)",
    """CREATE FUNCTION kb_search_keep() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE found tsvector := kb_words_of(NEW.search_text);
         BEGIN
           INSERT INTO kb_search (question_id, words) VALUES (NEW.id, found)
             ON CONFLICT (question_id) DO UPDATE SET words = EXCLUDED.words;
           INSERT INTO kb_term (term) SELECT unnest(tsvector_to_array(found)) ON CONFLICT DO NOTHING;
           RETURN NULL;
         END $$""",
    # Deleting a question deletes its kb_search row through the foreign key.
    """CREATE TRIGGER kb_search_keep AFTER INSERT OR UPDATE OF search_text ON kbquestion
         FOR EACH ROW EXECUTE FUNCTION kb_search_keep()""",
    # Rows written before this revision.
    "INSERT INTO kb_search (question_id, words) SELECT id, kb_words_of(search_text) FROM kbquestion",
    "INSERT INTO kb_term (term) SELECT DISTINCT unnest(tsvector_to_array(words)) FROM kb_search",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("kb_question_added", "kb_question_removed", "kb_question_changed"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS kb_word_terms")
        op.execute("DROP TABLE IF EXISTS kb_word")
        op.execute("DROP TABLE IF EXISTS kb_gram")
    else:
        op.execute("DROP TRIGGER IF EXISTS kb_search_keep ON kbquestion")
        op.execute("DROP FUNCTION IF EXISTS kb_search_keep()")
        op.execute("DROP TABLE IF EXISTS kb_term")
        op.execute("DROP TABLE IF EXISTS kb_search")
        op.execute("DROP FUNCTION IF EXISTS kb_words_of(text)")
        # pg_trgm stays: other schemas may use it.
