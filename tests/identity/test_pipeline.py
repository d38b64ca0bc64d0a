"""The pipeline stages as plain functions: prepare, block, compare, score, cluster."""

from __future__ import annotations

from courtier.identity import batch, block, cluster
from courtier.identity.compare import compare
from courtier.identity.evaluation import generate, score_clusters
from courtier.identity.prepare import prepare
from courtier.identity.score import Model, Scorer

LEVELS = ("given_name", "family_name", "birth_date", "phone", "email", "address")


def levels(a: dict[str, str], b: dict[str, str]) -> dict[str, int]:
    return dict(zip(LEVELS, compare(prepare(a), prepare(b)), strict=True))


def test_names_fold_accents_and_case():
    a = prepare({"given_name": "FRANÇOIS", "family_name": "Côté"})
    b = prepare({"given_name": "francois", "family_name": "cote"})
    assert (a.given, a.family) == ("francois", "cote") == (b.given, b.family)


def test_diminutives_in_english_and_french():
    assert levels({"given_name": "Bob"}, {"given_name": "Robert"})["given_name"] == 2
    assert levels({"given_name": "Kate"}, {"given_name": "Catherine"})["given_name"] == 2
    assert levels({"given_name": "JF"}, {"given_name": "Jean-François"})["given_name"] == 2
    assert levels({"given_name": "Marie"}, {"given_name": "Robert"})["given_name"] == 5


def test_swapped_given_and_family_names_line_up():
    got = levels(
        {"given_name": "Tremblay", "family_name": "Marie"},
        {"given_name": "Marie", "family_name": "Tremblay"},
    )
    assert (got["given_name"], got["family_name"]) == (1, 1)


def test_numbered_emails_are_never_fuzzy_matched():
    got = levels({"email": "jane.doe1@gmail.com"}, {"email": "jane.doe7@gmail.com"})
    assert got["email"] == 4  # digits_differ, a level of its own
    assert levels({"email": "jane.doe@gmail.com"}, {"email": "jane.doe@acme.ca"})["email"] == 2


def test_birth_date_day_month_swap():
    assert levels({"birth_date": "1980-03-04"}, {"birth_date": "1980-04-03"})["birth_date"] == 2
    assert levels({"birth_date": "1980-03-04"}, {"birth_date": "04/03/1980"})["birth_date"] == 1


def test_a_birth_day_a_few_days_off_weighs_more_than_any_other_part_differing():
    def birth(a: str, b: str) -> int:
        return levels({"birth_date": a}, {"birth_date": b})["birth_date"]

    assert birth("1980-03-04", "1980-03-05") == 3  # a slip of the finger
    assert birth("1980-03-04", "1980-03-24") == 4  # one part differs
    assert birth("1980-03-04", "1981-03-04") == 4
    weights = Scorer(Model()).table[LEVELS.index("birth_date")]
    assert weights[3] > weights[4] > 0


def test_a_model_saved_before_a_comparison_changed_starts_that_comparison_over():
    saved = Model().to_json()
    saved["m"]["birth_date"] = [0, 0.9, 0.03, 0.068, 0.002]  # the four levels it had
    saved["u"]["birth_date"] = [0, 0.0001, 0.00001, 0.002, 0.99789]
    saved["m"]["phone"] = [0, 0.5, 0.5]
    model = Model.from_json(saved)
    assert model.m["birth_date"] == Model().m["birth_date"]
    assert model.m["phone"] == [0, 0.5, 0.5]  # the others are kept
    assert Scorer(model).weight(compare(prepare({}), prepare({}))) == Scorer(model).prior_weight


def test_phones_in_any_format_are_one():
    got = levels({"phone": "(514) 555-0199"}, {"phone": "+1 514 555 0199"})
    assert got["phone"] == 1


def test_junk_is_dropped_and_named():
    record = prepare(
        {
            "given_name": "J",
            "phone": "000-000-0000",
            "email": "test@test",
            "birth_date": "2999-01-01",
        }
    )
    assert not record.usable()
    assert {p.field for p in record.problems} == {"given_name", "phone", "email", "birth_date"}


def test_huge_fields_are_refused_by_name():
    record = prepare({"given_name": "x" * 5000, "family_name": "Tremblay"})
    assert record.given == ""
    assert record.family == "tremblay"
    assert record.problems[0].field == "given_name"


def test_blocking_keys_survive_nicknames_and_swaps():
    a = prepare({"given_name": "Bob", "family_name": "Smith", "birth_date": "1970-01-02"})
    b = prepare({"given_name": "Smith", "family_name": "Robert"})
    assert set(block.keys(a)) & set(block.keys(b))


def test_swapped_names_with_a_typo_still_meet_in_the_batch():
    # Swapped, then one name mistyped: no name sound agrees, only the initials and the
    # birth date (or the home) do.
    a = prepare({"given_name": "Vincent", "family_name": "Bennett", "birth_date": "1995-04-11"})
    b = prepare({"given_name": "Bennett", "family_name": "Vince", "birth_date": "1995-04-11"})
    assert {k for k in block.keys(a) if not k.startswith(block.NAME_ONLY)} & set(block.keys(b))
    home = {"postal_code": "J9V 2B9", "postal_address": "5019 Elm Road"}
    c = prepare({"given_name": "Jessica", "family_name": "Lavoie", **home})
    d = prepare({"given_name": "Lahoie", "family_name": "Jessca", **home})
    shared = {k[0] for k in set(block.keys(c)) & set(block.keys(d))}
    assert shared == {"o", "t", "c"}  # postcode and street + initials; postcode + leads


def test_the_first_two_letters_swapped_still_meet_in_the_batch():
    # "Hcristine": the initial changed and so did the name's sound; no phone or email.
    home = {"postal_code": "G2A 6V6", "birth_date": "1970-10-05"}
    a = prepare({"given_name": "Christine", "family_name": "Martin", **home})
    b = prepare({"given_name": "Hcristine", "family_name": "martin", **home})
    # (and the birth date at the postcode, which needs no name at all)
    leads = {"c:G2A6V6:am:ch", "f:19701005:am:ch", "g:19701005:G2A6V6"}
    assert set(block.keys(a)) & set(block.keys(b)) == leads
    # Names swapped as well, and the transposition in the other name: still the same keys.
    c = prepare({"given_name": "Amrtin", "family_name": "Christine", **home})
    assert set(block.keys(a)) & set(block.keys(c)) == leads
    pairs, _ = block.candidate_pairs([a, b, c])
    assert sorted(pairs) == [1, 2, 5]


def test_swapped_names_with_a_mistyped_first_letter_are_proposed():
    # Swapped, and the first letter substituted: no name sound, initial or first two
    # letters agree; the birthday at the same home still brings them together.
    home = {"postal_code": "H3Z 2Y7", "postal_address": "4120 rue Sherbrooke"}
    a = prepare(
        {"given_name": "Patrick", "family_name": "Fortin", "birth_date": "1983-02-14", **home}
    )
    b = prepare(
        {"given_name": "Fortin", "family_name": "Batrick", "birth_date": "1983-02-14", **home}
    )
    assert {k[0] for k in set(block.keys(a)) & set(block.keys(b))} == {"g", "h"}
    result = batch.run([a, b], link_threshold=0.9, review_threshold=0.5, train=False)
    assert [(p.left, p.right) for p in result.pairs] == [(0, 1)]


def test_swapped_names_meet_through_a_diminutive_on_either_side():
    a = prepare({"given_name": "Emmanuelle", "family_name": "Walker", "postal_code": "J8K 3B9"})
    b = prepare({"given_name": "Walker", "family_name": "Manon", "postal_code": "J8K 3B9"})
    assert {k[0] for k in set(block.keys(a)) & set(block.keys(b))} == {"w", "z"}


def test_a_name_in_two_diminutive_groups_blocks_under_both_initials():
    # The comparison counts William and Guillaume as one name; blocking must meet them.
    home = {"postal_code": "H2M 3R6"}
    a = prepare({"given_name": "William", "family_name": "Lavoie", **home})
    b = prepare({"given_name": "Guillaume", "family_name": "Lavoie", **home})
    assert set(block.keys(a)) & set(block.keys(b)) == {"a:H2M3R6:g"}


def test_household_members_are_not_merged():
    home = {
        "family_name": "Gagnon",
        "phone": "514 555 0101",
        "postal_code": "H2X 1Y4",
        "postal_address": "12 rue Principale",
    }
    mother = {**home, "given_name": "Sylvie", "birth_date": "1970-05-06"}
    son = {**home, "given_name": "Mathieu", "birth_date": "2001-09-10"}
    scorer = Scorer(Model())
    assert scorer.probability(compare(prepare(mother), prepare(son))) < 0.5
    same = {**mother, "given_name": "SYLVIE", "phone": "(514) 555-0101"}
    assert scorer.probability(compare(prepare(mother), prepare(same))) > 0.99


def test_clusters_are_connected_components():
    labels = cluster.clusters(5, [(0, 1), (1, 2), (3, 4)])
    assert labels[0] == labels[1] == labels[2] != labels[3] == labels[4]
    assert sorted(map(sorted, cluster.groups(labels))) == [[0, 1, 2], [3, 4]]


def test_a_record_without_a_birth_date_does_not_chain_father_and_son():
    home = {"family_name": "Nadeau", "postal_code": "K0B 7A6", "postal_address": "8488 Elm Road"}
    records = [
        prepare({**home, "given_name": "Steven"}),
        prepare({**home, "given_name": "Steven", "birth_date": "1948-06-15"}),
        prepare({**home, "given_name": "Stephane", "birth_date": "2005-04-25"}),
    ]
    # Strongest first: the namesake's link, then the fuzzy one to the son.
    labels = cluster.clusters(3, [(0, 1), (0, 2)], records)
    assert labels[0] == labels[1] != labels[2]
    assert cluster.clusters(3, [(0, 1), (0, 2)]) == [labels[0]] * 3  # plain closure chains


def test_numbered_emails_are_never_chained_into_one_cluster():
    a = prepare({"given_name": "Jane", "family_name": "Doe", "email": "jane.doe1@gmail.com"})
    b = prepare({"given_name": "Jane", "family_name": "Doe"})
    c = prepare({"given_name": "Jane", "family_name": "Doe", "email": "jane.doe7@bell.net"})
    labels = cluster.clusters(3, [(1, 0), (1, 2)], [a, b, c])
    assert labels[0] == labels[1] != labels[2]


def test_birth_dates_a_slip_or_two_apart_still_cluster():
    # Typed day-first on one record and a day off on another: one person, two mistakes.
    dates = ("1970-03-04", "1970-04-03", "1970-03-05")
    records = [prepare({"given_name": "Marc", "birth_date": d}) for d in dates]
    assert len(set(cluster.clusters(3, [(0, 1), (1, 2)], records))) == 1
    assert cluster.apart(records[0], prepare({"birth_date": "1971-03-04"}))
    assert cluster.apart(records[0], prepare({"birth_date": "1970-03-19"}))


def test_generator_is_deterministic_and_labelled():
    assert generate(300, seed=7) == generate(300, seed=7)
    rows = generate(300, seed=7)
    assert len(rows) == 300
    assert len({r["cluster_id"] for r in rows}) < 300  # duplicates are there


def test_em_learns_from_unlabelled_data_and_finds_duplicates():
    rows = generate(3000, seed=3)
    result = batch.run(rows, link_threshold=0.99, review_threshold=0.5)
    figures = score_clusters([r["cluster_id"] for r in rows], result.labels)
    assert figures.precision > 0.95
    assert figures.recall > 0.85
    weights = {c["name"]: c for c in result.model.describe()["comparisons"]}
    given = {lv["level"]: lv["weight"] for lv in weights["given_name"]["levels"]}
    assert given["exact"] > 3 > given["jaro_winkler>=0.80"] > 0 > given["else"]
    assert result.model.iterations >= 1


def test_figures_are_pairwise():
    figures = score_clusters(["a", "a", "b", "b"], [1, 1, 1, 2])
    assert (figures.true_pairs, figures.predicted_pairs, figures.correct_pairs) == (2, 3, 1)
    assert figures.precision == round(1 / 3, 4)
    assert figures.recall == 0.5


def test_candidate_pairs_are_every_pair_sharing_a_batch_key_exactly_once():
    records = [prepare(r) for r in generate(600, seed=11)]
    pairs, skipped = block.candidate_pairs(records)
    assert skipped == 0
    assert len(pairs) == len(set(pairs))
    size = len(records)
    got = {divmod(code, size) for code in pairs}
    batch_keys = [{k for k in block.keys(r) if not k.startswith(block.NAME_ONLY)} for r in records]
    expected = {
        (i, j) for i in range(size) for j in range(i + 1, size) if batch_keys[i] & batch_keys[j]
    }
    assert got == expected
    assert expected  # the sample does contain duplicates
