"""PostgreSQL search as B-tree prefix scans: token tables kept by triggers (SQLite keeps FTS5).

GIN has no prefix index: ``ma:*`` on the name tsvector unions the posting lists of every
lexeme starting with ``ma``, and ``%0147%`` on the identifier trigram index intersects two
very common digit trigrams; at a million customers each took 5-35 ms even alone. Here a
prefix is a range scan on a ``COLLATE "C"`` B-tree (byte order, so ``LIKE 'ma%'`` becomes
``token >= 'ma' AND token < 'mb'``) that stops at the first rows it needs:

- ``customers_name_token``: one row per distinct folded word of a customer's names, with
  all those words in ``words`` (in the index too), so the other words of a query are
  checked on the same index entry instead of one more probe per candidate.
- ``customers_identifier_token``: every suffix of at least 3 characters of each identifier
  (lower case, ``+`` removed, as the FTS5 table stores it), so a fragment found anywhere in
  a phone, email or account number is a prefix of one of them. Keyed by identifier, so a
  merge that moves identifiers to another customer changes no token.

Triggers keep both in step with every write (services, merges, imports, raw SQL), as the
FTS5 triggers do on SQLite. ``courtier_search_tokens_rebuild()`` refills both tables in two
``INSERT ... SELECT`` statements, for the migration and for bulk loads that suspend the
triggers (``bench/pgsearch.py``).
"""

from __future__ import annotations

from importlib import import_module

from django.db import migrations

# Runs each statement on one backend only (a module name cannot be imported plainly).
_on = import_module("courtier.customers.migrations.0002_search")._on

_NAMES = (
    "{t}.display_name || ' ' || {t}.given_name || ' ' || {t}.family_name || ' ' "
    "|| {t}.preferred_name"
)

POSTGRES_UP = [
    # Writes wait until the triggers exist (the end of this migration's transaction): a
    # row written while the tables are filled would otherwise be in neither.
    "LOCK TABLE customers_customer, customers_identifier IN SHARE ROW EXCLUSIVE MODE",
    # Distinct folded words: the same split as the search service's parse() (\w+).
    "CREATE FUNCTION courtier_name_words(text) RETURNS text[] "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ "
    "SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}') "
    "FROM regexp_split_to_table(courtier_fold($1), '\\W+') AS w WHERE w <> '' $$",
    # Suffixes of 3+ characters: parse() never searches a shorter fragment. A value is at
    # most 320 characters, so at most 318 suffixes; a phone has 9, an email about 30.
    "CREATE FUNCTION courtier_identifier_suffixes(text) RETURNS SETOF text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ "
    "SELECT substr(v, i) FROM (SELECT lower(replace($1, '+', '')) AS v) s, "
    "generate_series(1, length(v) - 2) AS i $$",
    'CREATE TABLE customers_name_token (token text COLLATE "C" NOT NULL, '
    "customer_id bigint NOT NULL, words text NOT NULL)",
    'CREATE TABLE customers_identifier_token (token text COLLATE "C" NOT NULL, '
    "identifier_id bigint NOT NULL)",
    # The keys are dropped for the refill and built after it: a B-tree built from sorted
    # rows takes seconds where 25 million inserts in random key order took over ten
    # minutes at a million customers. words is ' marie tremblay ', so a word of the query
    # matches at a word start with LIKE '% mar%'.
    "CREATE FUNCTION courtier_search_tokens_rebuild() RETURNS void LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "PERFORM set_config('maintenance_work_mem', '256MB', true); "
    "ALTER TABLE customers_name_token DROP CONSTRAINT IF EXISTS customers_name_token_pkey; "
    "ALTER TABLE customers_identifier_token "
    "DROP CONSTRAINT IF EXISTS customers_identifier_token_pkey; "
    "TRUNCATE customers_name_token, customers_identifier_token; "
    "INSERT INTO customers_name_token (token, customer_id, words) "
    "SELECT w.token, c.id, ' ' || array_to_string(c.words, ' ') || ' ' FROM "
    f"(SELECT id, courtier_name_words({_NAMES.format(t='c')}) AS words "
    "FROM customers_customer c) c, unnest(c.words) AS w(token); "
    "INSERT INTO customers_identifier_token (token, identifier_id) "
    "SELECT s, i.id FROM customers_identifier i, courtier_identifier_suffixes(i.value) AS s; "
    "ALTER TABLE customers_name_token ADD PRIMARY KEY (token, customer_id) INCLUDE (words); "
    "ALTER TABLE customers_identifier_token ADD PRIMARY KEY (token, identifier_id); "
    "END $$",
    "CREATE FUNCTION courtier_name_token_sync() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    # The primary key finds the old rows from the old words; no second index is needed.
    "DELETE FROM customers_name_token WHERE customer_id = OLD.id AND token = ANY("
    f"courtier_name_words({_NAMES.format(t='OLD')})); "
    "END IF; "
    "IF TG_OP <> 'DELETE' THEN "
    "INSERT INTO customers_name_token (token, customer_id, words) "
    "SELECT w, NEW.id, ' ' || array_to_string(a, ' ') || ' ' "
    f"FROM (SELECT courtier_name_words({_NAMES.format(t='NEW')}) AS a) s, unnest(a) AS w; "
    "END IF; "
    "RETURN NULL; END $$",
    "CREATE FUNCTION courtier_identifier_token_sync() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    "DELETE FROM customers_identifier_token WHERE identifier_id = OLD.id AND token = ANY("
    "ARRAY(SELECT courtier_identifier_suffixes(OLD.value))); "
    "END IF; "
    "IF TG_OP <> 'DELETE' THEN "
    "INSERT INTO customers_identifier_token (token, identifier_id) "
    "SELECT s, NEW.id FROM courtier_identifier_suffixes(NEW.value) AS s; "
    "END IF; "
    "RETURN NULL; END $$",
    "SELECT courtier_search_tokens_rebuild()",
    "CREATE TRIGGER customers_name_token_ai AFTER INSERT OR DELETE ON customers_customer "
    "FOR EACH ROW EXECUTE FUNCTION courtier_name_token_sync()",
    # Django's save() writes every column: only a changed name rewrites the tokens.
    "CREATE TRIGGER customers_name_token_au AFTER UPDATE ON customers_customer FOR EACH ROW "
    "WHEN ((OLD.display_name, OLD.given_name, OLD.family_name, OLD.preferred_name) IS "
    "DISTINCT FROM (NEW.display_name, NEW.given_name, NEW.family_name, NEW.preferred_name)) "
    "EXECUTE FUNCTION courtier_name_token_sync()",
    "CREATE TRIGGER customers_identifier_token_ai AFTER INSERT OR DELETE "
    "ON customers_identifier FOR EACH ROW EXECUTE FUNCTION courtier_identifier_token_sync()",
    # A merge moves identifiers (customer_id changes): the tokens name the identifier, so
    # only a changed value rewrites them.
    "CREATE TRIGGER customers_identifier_token_au AFTER UPDATE ON customers_identifier "
    "FOR EACH ROW WHEN (OLD.value IS DISTINCT FROM NEW.value) "
    "EXECUTE FUNCTION courtier_identifier_token_sync()",
    "DROP INDEX IF EXISTS customers_name_tsv",
    "DROP INDEX IF EXISTS customers_identifier_trgm",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS customers_identifier_token_au ON customers_identifier",
    "DROP TRIGGER IF EXISTS customers_identifier_token_ai ON customers_identifier",
    "DROP TRIGGER IF EXISTS customers_name_token_au ON customers_customer",
    "DROP TRIGGER IF EXISTS customers_name_token_ai ON customers_customer",
    "DROP FUNCTION IF EXISTS courtier_identifier_token_sync()",
    "DROP FUNCTION IF EXISTS courtier_name_token_sync()",
    "DROP FUNCTION IF EXISTS courtier_search_tokens_rebuild()",
    "DROP TABLE IF EXISTS customers_identifier_token",
    "DROP TABLE IF EXISTS customers_name_token",
    "DROP FUNCTION IF EXISTS courtier_identifier_suffixes(text)",
    "DROP FUNCTION IF EXISTS courtier_name_words(text)",
    "CREATE INDEX customers_name_tsv ON customers_customer USING gin ("
    "to_tsvector('simple'::regconfig, courtier_fold(display_name || ' ' || given_name || ' ' "
    "|| family_name || ' ' || preferred_name)))",
    "CREATE INDEX customers_identifier_trgm ON customers_identifier "
    "USING gin (value gin_trgm_ops)",
]


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_search")]

    operations = [
        migrations.RunPython(_on("postgresql", POSTGRES_UP), _on("postgresql", POSTGRES_DOWN)),
    ]
