"""Full-text search over resources: PostgreSQL's text search or SQLite's FTS5.

One entry point, `ranked`, takes a queryset the caller has already limited to what the
viewer may see and returns it filtered to the matches and ordered by relevance, so a
match outside that queryset can never be returned, counted or snippeted.

- PostgreSQL: a stored generated `search_vector` column (title weight A, topics and
  summary B, file text C) with a GIN index, created by migration 0002; ranked with
  `SearchRank`.
- SQLite: an FTS5 table `resources_resource_fts` (porter stemming) kept in sync by
  triggers, created by the same migration; ranked with `bm25`.

Words are matched as prefixes, so results come while a person is still typing; a word
that matches nothing the viewer may see is corrected to the closest known word of the
viewer's own scopes (SearchTerm), which makes search tolerant of typos without ever
suggesting a word from a group the viewer is not in.
"""

import difflib
import html
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Exists, Q, QuerySet
from django.db.models.expressions import Expression, RawSQL
from django.utils.safestring import SafeString, mark_safe

from peergroups.organizations.models import Organization
from peergroups.resources.models import Resource, SearchTerm

MAX_QUERY_WORDS = 8
MAX_WORD = 40
MIN_CORRECTABLE = 4  # shorter words are too ambiguous to correct
SIMILARITY_CUTOFF = 0.75
FTS_TABLE = "resources_resource_fts"
# bm25 column weights: title, summary, topics, file text (FTS5 column order).
BM25 = "bm25(resources_resource_fts, 8.0, 3.0, 4.0, 1.0)"
PG_WEIGHTS = [0.1, 0.3, 0.5, 1.0]  # D, C, B, A

# Words too common to narrow a search; PostgreSQL's English configuration drops them
# too, and dropping them here keeps both databases answering alike.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "us",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
WORD = re.compile(r"[^\W_]+")
TERM_WORD = re.compile(r"[^\W\d_]{3,40}")


@dataclass
class ParsedQuery:
    words: list[str]  # what the person typed, cleaned
    terms: list[str]  # what is searched for: the words, some corrected
    # Per term, known words it begins (a word still being typed): searched as well, since
    # a stemmer shortens "delegation" to "deleg", which the prefix "delegat" misses.
    completions: list[list[str]] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def corrected(self) -> str:
        return " ".join(self.terms) if self.corrections else ""

    def alternatives(self) -> list[list[str]]:
        """For each term, the strings any of which may match it."""
        extra = self.completions or [[] for _ in self.terms]
        return [[term, *more] for term, more in zip(self.terms, extra, strict=True)]


def words_of(text: str) -> list[str]:
    """The words of a query, lower-cased, without stopwords (unless that leaves none)."""
    words = [w[:MAX_WORD] for w in WORD.findall(text.lower())][: MAX_QUERY_WORDS * 2]
    kept = [w for w in words if w not in STOPWORDS]
    return (kept or words)[:MAX_QUERY_WORDS]


def index_terms(text: str) -> set[str]:
    """The words of a resource that typo correction may suggest."""
    return set(TERM_WORD.findall(text.lower()))


COMPLETIONS = 3


def parse(
    text: str,
    *,
    organization_id: int,
    scope_keys: list[str],
    visible: QuerySet[Resource] | None = None,
) -> ParsedQuery:
    """Clean the query, complete words still being typed and correct words that match
    nothing, from the words of the resources in the viewer's scopes only.

    The vocabulary keeps every word a scope ever had (a withdrawn or edited resource's
    too), so a correction is offered only once it matches a resource of `visible`, the
    queryset of what the viewer may see now: derived data never outlives its source.
    """
    words = words_of(text)
    parsed = ParsedQuery(words=words, terms=list(words), completions=[[] for _ in words])
    if not words:
        return parsed
    vocabulary = SearchTerm.objects.filter(
        organization_id=organization_id, scope_key__in=scope_keys
    )
    # One query answers, for every word, "is it a known word?" and "does one begin with it?"
    flags = (
        Organization.objects.filter(pk=organization_id)
        .annotate(
            **{f"e{i}": Exists(vocabulary.filter(term=word)) for i, word in enumerate(words)},
            **{
                f"p{i}": Exists(vocabulary.filter(term__startswith=word))
                for i, word in enumerate(words)
            },
        )
        .values(*[f"{kind}{i}" for i in range(len(words)) for kind in "ep"])
        .first()
    )
    if flags is None:
        return parsed
    for i, word in enumerate(words):
        if flags[f"e{i}"]:
            continue
        if flags[f"p{i}"]:
            parsed.completions[i] = list(
                vocabulary.filter(term__startswith=word)
                .order_by("length", "term")
                .values_list("term", flat=True)
                .distinct()[:COMPLETIONS]
            )
            continue
        if len(word) < MIN_CORRECTABLE or not word.isalpha():
            continue
        candidates = list(
            vocabulary.filter(
                term__startswith=word[0],
                length__gte=len(word) - 2,
                length__lte=len(word) + 2,
            )
            .values_list("term", flat=True)
            .distinct()[:5000]
        )
        matches = difflib.get_close_matches(
            word, candidates, n=CORRECTION_TRIES, cutoff=SIMILARITY_CUTOFF
        )
        match = next((m for m in matches if visible is None or _occurs(visible, m)), None)
        if match:
            parsed.terms[i] = match
            parsed.corrections[word] = match
    return parsed


CORRECTION_TRIES = 3


def _occurs(visible: QuerySet[Resource], term: str) -> bool:
    """Whether a resource the viewer may see now has the word."""
    alone = ParsedQuery(words=[term], terms=[term], completions=[[]])
    return ranked(visible, alone).count() > 0


def ranked(queryset: QuerySet[Resource], parsed: ParsedQuery, *, any_word: bool = False):
    """The resources of `queryset` matching every term (or any, with `any_word`), best
    match first: an object with `count()` and `page(start, stop)`, whose resources carry
    a `rank` (higher is better)."""
    terms = parsed.alternatives()
    if not parsed.terms:
        return _Postgres(queryset.none())
    if connection.vendor == "postgresql":
        return _Postgres(_ranked_postgres(queryset, terms, any_word))
    return _Sqlite(queryset, terms, any_word)


class SearchVectorColumn(Expression):
    """The generated `search_vector` column, which the model does not declare (it exists
    on PostgreSQL only, made by migration 0002)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_vector", []


def _ranked_postgres(queryset, terms, any_word):
    joiner = " | " if any_word else " & "
    query = SearchQuery(
        joiner.join("(" + " | ".join(f"{t}:*" for t in options) + ")" for options in terms),
        search_type="raw",
        config="english",
    )
    vector = SearchVectorColumn()
    return (
        queryset.alias(search_vector=vector)
        .filter(search_vector=query)
        .annotate(rank=SearchRank(vector, query, weights=PG_WEIGHTS))
        .order_by("-rank", "-useful_count", "-created_at", "pk")
    )


class _Postgres:
    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def page(self, start: int, stop: int) -> list[Resource]:
        return list(self.queryset[start:stop])


class _Sqlite:
    """FTS5 runs the full-text query and ranks with bm25; each match is kept only if the
    visible queryset has it (a correlated EXISTS on the primary key, compiled from that
    queryset), so the cost follows the number of matches, not the size of the library."""

    def __init__(self, queryset, terms, any_word):
        joiner = " OR " if any_word else " AND "
        self.match = joiner.join(
            "(" + " OR ".join(f'"{t}"*' for t in options) + ")" for options in terms
        )
        self.queryset = queryset
        visible = queryset.order_by().filter(pk=RawSQL(f"{FTS_TABLE}.rowid", ())).values("pk")
        self.visible_sql, self.visible_params = visible.query.get_compiler(queryset.db).as_sql()

    def _where(self) -> tuple[str, list]:
        sql = f"{FTS_TABLE} MATCH %s AND EXISTS ({self.visible_sql})"
        return sql, [self.match, *self.visible_params]

    def count(self) -> int:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {where}", params)
            return cursor.fetchone()[0]

    def page(self, start: int, stop: int) -> list[Resource]:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -{BM25} AS rank FROM {FTS_TABLE} WHERE {where} "
                "ORDER BY rank DESC, rowid LIMIT %s OFFSET %s",
                [*params, stop - start, start],
            )
            ranks = dict(cursor.fetchall())
        resources = {r.pk: r for r in self.queryset.filter(pk__in=list(ranks))}
        result = []
        for pk, rank in ranks.items():
            if pk in resources:
                resources[pk].rank = rank
                result.append(resources[pk])
        return result


# --- snippets --------------------------------------------------------------------------

SNIPPET_CHARS = 220


def snippet(resource: Resource, terms: list[str]) -> SafeString:
    """A short, escaped excerpt of the summary or file text with the matches marked."""
    stems = [t[: max(3, len(t) - 2)] for t in terms if t]
    if not stems:
        return mark_safe(html.escape(resource.summary[:SNIPPET_CHARS]))
    pattern = re.compile(r"\b(" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)
    for text in (resource.summary, resource.file_text):
        found = pattern.search(text or "")
        if found:
            start = max(0, found.start() - SNIPPET_CHARS // 3)
            if start:
                space = text.find(" ", start)
                start = space + 1 if 0 <= space < found.start() else start
            excerpt = text[start : start + SNIPPET_CHARS]
            marked = pattern.sub(
                lambda m: f"\x00{m.group(0)}\x01", excerpt
            )  # mark first, escape after, so the text cannot inject markup
            escaped = html.escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
            prefix = "… " if start else ""
            suffix = " …" if start + SNIPPET_CHARS < len(text) else ""
            return mark_safe(prefix + escaped + suffix)
    return mark_safe(html.escape(resource.summary[:SNIPPET_CHARS]))


def scope_keys_for(group_ids) -> list[str]:
    return ["o", *(f"g{gid}" for gid in group_ids)]


def scope_key_of(resource: Resource) -> str:
    return "o" if resource.scope == "organization" else f"g{resource.group_id}"


def visible_q(group_ids) -> Q:
    return Q(scope="organization") | Q(scope="group", group_id__in=list(group_ids))


def resource_index(*, resource: Resource) -> None:
    """Remember the resource's words for typo correction, in the scope that sees them."""
    words = index_terms(
        " ".join([resource.title, resource.summary, resource.topics_text, resource.file_text])
    )
    key = scope_key_of(resource)
    SearchTerm.objects.bulk_create(
        [
            SearchTerm(
                organization_id=resource.organization_id, scope_key=key, term=w, length=len(w)
            )
            for w in sorted(words)
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
