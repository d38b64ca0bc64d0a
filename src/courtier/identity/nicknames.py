"""Given-name diminutives in English and French, so Bob meets Robert and JF meets Jean-François.

Each group lists names that people use for one another. A name may sit in several groups
(Alex is Alexander, Alexandra and Alexis); two names are equivalent when they share one.
The list is ours, kept short and common; a company can extend it with ``add_group``.
"""

from __future__ import annotations

_GROUPS: list[tuple[str, ...]] = [
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("william", "bill", "billy", "will", "willy", "liam"),
    ("richard", "rick", "ricky", "dick", "rich", "richie"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "johnny", "jack", "jon"),
    ("jonathan", "jon", "jonny"),
    ("michael", "mike", "mikey", "mick"),
    ("thomas", "tom", "tommy"),
    ("joseph", "joe", "joey", "jo"),
    ("charles", "charlie", "chuck", "chas"),
    ("christopher", "chris", "kit"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davy"),
    ("edward", "ed", "eddie", "ted", "ned"),
    ("anthony", "tony"),
    ("andrew", "andy", "drew"),
    ("matthew", "matt"),
    ("nicholas", "nick", "nicky"),
    ("steven", "stephen", "steve"),
    ("benjamin", "ben", "benny"),
    ("samuel", "sam", "sammy"),
    ("samantha", "sam", "sammy"),
    ("alexander", "alex", "sandy", "xander"),
    ("alexandra", "alex", "sandra", "sandy", "alexa"),
    ("alexis", "alex"),
    ("patrick", "pat", "paddy"),
    ("patricia", "pat", "patty", "trish"),
    ("catherine", "katherine", "kathryn", "kate", "katie", "kathy", "cathy", "kat", "cat"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby", "elisabeth", "babette"),
    ("margaret", "maggie", "meg", "peggy", "marge", "margot", "marguerite"),
    ("jennifer", "jen", "jenny"),
    ("rebecca", "becky", "becca"),
    ("susan", "sue", "susie", "suzanne"),
    ("deborah", "debbie", "deb"),
    ("victoria", "vicky", "tori"),
    ("christine", "christina", "chris", "tina", "kristine"),
    ("jessica", "jess", "jessie"),
    ("abigail", "abby"),
    ("dorothy", "dot", "dottie"),
    ("frances", "fran", "frankie"),
    ("francis", "frank", "frankie"),
    ("gregory", "greg"),
    ("timothy", "tim", "timmy"),
    ("kenneth", "ken", "kenny"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donnie"),
    ("lawrence", "larry", "laurent"),
    ("peter", "pete", "pierre"),
    ("jean-francois", "jf", "jean francois"),
    ("jean-philippe", "jp", "jean philippe"),
    ("jean-baptiste", "jb", "jean baptiste"),
    ("jean-sebastien", "js", "jean sebastien"),
    ("jean-marc", "jm"),
    ("jean-luc", "jl"),
    ("pierre-luc", "pl"),
    ("marie-eve", "me"),
    ("marie-claude", "mc"),
    ("marie-pier", "mp"),
    ("francois", "frank", "franck", "francis", "fanfan"),
    ("francoise", "france", "fanny"),
    ("guillaume", "guy", "will", "william"),
    ("nicolas", "nico", "nick", "nicholas"),
    ("nathalie", "nat", "natalie"),
    ("stephane", "steph"),
    ("stephanie", "steph", "fanny"),
    ("frederic", "fred", "fredo"),
    ("frederique", "fred"),
    ("christophe", "chris", "christopher"),
    ("sebastien", "seb", "sebastian"),
    ("maximilien", "max", "maxime", "maximilian"),
    ("emmanuel", "manu", "emanuel"),
    ("emmanuelle", "manue", "manon"),
    ("isabelle", "isa", "babette", "isabel", "isabella", "bella"),
    ("dominique", "dom"),
    ("genevieve", "gen", "ginette"),
    ("josephine", "jo", "josie", "fifine"),
    ("jacques", "jacquot", "jack", "james"),
    ("alexandre", "alex", "alexander"),
    ("mathieu", "matt", "matthieu", "matthew"),
    ("antoine", "toine", "tony", "anthony"),
    ("philippe", "phil", "philip", "phillip"),
    ("vincent", "vince", "vinny"),
    ("valerie", "val"),
    ("caroline", "caro", "carol", "carole"),
    ("michel", "mike", "michael", "mitch"),
    ("michelle", "shelly", "michele"),
    ("louis", "lou", "loulou", "lewis"),
    ("louise", "lou", "louisa"),
    ("helene", "helen", "ellen", "lena"),
    ("marie", "mary", "maria", "mimi"),
    ("anne", "ann", "anna", "annie", "nancy"),
]


def _build() -> dict[str, frozenset[int]]:
    index: dict[str, set[int]] = {}
    for number, group in enumerate(_GROUPS):
        for name in group:
            index.setdefault(name, set()).add(number)
    return {name: frozenset(groups) for name, groups in index.items()}


_INDEX = _build()


def groups_of(name: str) -> frozenset[int]:
    """Return the diminutive groups a normalised given name belongs to (maybe none)."""
    return _INDEX.get(name, frozenset())


def equivalent(a: str, b: str) -> bool:
    """Whether two normalised given names are diminutives of one another."""
    return bool(groups_of(a) & groups_of(b))


def canonical(name: str) -> str:
    """Return one stable representative of ``name``'s groups, for blocking keys.

    A name in several groups (alex) takes the first group's head, so blocking may miss an
    Alex who is an Alexis; the comparison itself still checks every group.
    """
    found = _INDEX.get(name)
    if not found:
        return name
    return _GROUPS[min(found)][0]


def initials(name: str) -> list[str]:
    """The initials ``name`` blocks under: its canonical form's first, then its other groups'.

    William is a diminutive group of its own and also a Guillaume; blocking on the
    canonical initial alone (w) would never put him next to a Guillaume, whom the
    comparison counts as the same name.
    """
    first = canonical(name)[:1]
    others = {_GROUPS[g][0][:1] for g in _INDEX.get(name, ())} - {first}
    return [first, *sorted(others)] if first else []
