"""Two demo declarations, drafted in the spirit of the Vilnius (2023) and Washington (2024) summits.

The wording is our own: illustrations of how summit language moves between
drafts (brackets, alternatives, a phrase that enters and one that is
dropped), not the text any summit adopted. Everything goes through the
services: ``declaration_create``, ``version_create``, ``amendment_propose``,
``amendment_stance_record`` and ``amendment_decide``.

Loading is idempotent: a declaration is found by its title, and one that
exists already is left exactly as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import User
from consensus.declarations import services
from consensus.models import Declaration

VILNIUS_TITLE = "Vilnius Summit Communiqué (demo drafts)"
WASHINGTON_TITLE = "Washington Summit Declaration (demo drafts)"


@dataclass
class DeclarationsLoaded:
    created: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)


def _paragraphs(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


# Vilnius, 2023 ----------------------------------------------------------------------

_VILNIUS_OPENING = (
    "We, the Heads of State and Government of the Allies, have met in Vilnius at a critical "
    "time for our security[ and for the international order]."
)
_VILNIUS_RUSSIA_V1 = (
    "Russia's war of aggression against Ukraine has [seriously][gravely] damaged "
    "Euro-Atlantic security. Russia is the most significant and direct threat to Allies' "
    "security."
)
_VILNIUS_RUSSIA_V2 = _VILNIUS_RUSSIA_V1.replace("[seriously][gravely]", "gravely")
_VILNIUS_PRC_V1 = (
    "The PRC's declared ambitions and coercive policies pose systemic challenges to our "
    "interests, security and values. [Its hybrid and cyber operations target Allies.]"
)
_VILNIUS_PRC_V3 = (
    "The PRC's declared ambitions and coercive policies pose systemic challenges to our "
    "interests, security and values. Its hybrid and cyber operations target Allies and harm "
    "Alliance security."
)
_VILNIUS_PARTNERSHIP_V1 = (
    "The deepening strategic partnership between the PRC and Russia, and their [mutually "
    "reinforcing] attempts to undercut the rules-based international order, are "
    "[contrary to our values and interests][a matter of concern]."
)
_VILNIUS_PARTNERSHIP_V3 = (
    "The deepening strategic partnership between the PRC and Russia, and their mutually "
    "reinforcing attempts to undercut the rules-based international order, are contrary to "
    "our values and interests."
)
_VILNIUS_UKRAINE_V1 = (
    "Ukraine's future lies in the Alliance. [Allies will invite Ukraine to join once they "
    "agree and the conditions are met.][Allies will invite Ukraine to join as soon as the "
    "war is over.]"
)
_VILNIUS_UKRAINE_V2 = (
    "Ukraine's future lies in the Alliance. Allies will invite Ukraine to join once they "
    "agree and the conditions are met."
)
_VILNIUS_ENGAGEMENT = (
    "We remain open to constructive engagement with the PRC, including to build reciprocal "
    "transparency[, with a view to safeguarding the security interests of the Alliance]."
)
_VILNIUS_ENGAGEMENT_AMENDED = (
    "We remain open to constructive engagement with the PRC, including to build reciprocal "
    "transparency, while we safeguard the security interests of the Alliance."
)

VILNIUS_VERSIONS = (
    (
        _paragraphs(
            _VILNIUS_OPENING,
            _VILNIUS_RUSSIA_V1,
            _VILNIUS_PRC_V1,
            _VILNIUS_PARTNERSHIP_V1,
            _VILNIUS_UKRAINE_V1,
            _VILNIUS_ENGAGEMENT,
        ),
        "First draft, circulated by the chair.",
    ),
    (
        _paragraphs(
            _VILNIUS_OPENING.replace("[ and for the international order]", ""),
            _VILNIUS_RUSSIA_V2,
            _VILNIUS_PRC_V1,
            _VILNIUS_PARTNERSHIP_V1,
            _VILNIUS_UKRAINE_V2,
            _VILNIUS_ENGAGEMENT,
        ),
        "After the first reading: the paragraph on Ukraine's membership settled.",
    ),
    (
        _paragraphs(
            _VILNIUS_OPENING.replace("[ and for the international order]", ""),
            _VILNIUS_RUSSIA_V2,
            _VILNIUS_PRC_V3,
            _VILNIUS_PARTNERSHIP_V3,
            _VILNIUS_UKRAINE_V2,
            _VILNIUS_ENGAGEMENT,
        ),
        "After the second reading: one bracket left, on engagement with the PRC.",
    ),
)


# Washington, 2024 -------------------------------------------------------------------

_WASHINGTON_OPENING_V1 = (
    "We, the Heads of State and Government of the Allies, have met in Washington to mark "
    "seventy-five years of our Alliance[ and to renew our commitment to its founding treaty]."
)
_WASHINGTON_OPENING_V2 = _WASHINGTON_OPENING_V1.replace("[", "").replace("]", "")
_WASHINGTON_RUSSIA = (
    "Russia remains the most significant and direct threat to Allies' security. Its war "
    "against Ukraine has shattered peace in the Euro-Atlantic area[ and gravely undermined "
    "global security]."
)
_WASHINGTON_PRC_V1 = (
    "The deepening partnership between the PRC and Russia is a matter of "
    "[serious][profound] concern. We call on the PRC to [cease][refrain from] any material "
    "support for Russia's war effort."
)
_WASHINGTON_PRC_V2 = (
    "The deepening partnership between the PRC and Russia has made Beijing a [decisive][key] "
    "enabler of Russia's war against Ukraine, above all through supplies of dual-use goods. "
    "[We call on the PRC to cease all material and political support for Russia's war effort.]"
)
_WASHINGTON_PRC_AMENDED = (
    "The deepening partnership between the PRC and Russia has made Beijing a decisive enabler "
    "of Russia's war against Ukraine, above all through supplies of dual-use goods. We call on "
    "the PRC to cease all material and political support for Russia's war effort."
)
_WASHINGTON_PRC_SOFTER = (
    "The deepening partnership between the PRC and Russia is a matter of concern. We call on "
    "all states to refrain from any material support for Russia's war effort."
)
_WASHINGTON_CHALLENGES_V1 = (
    "The PRC's declared ambitions and coercive policies continue to pose systemic challenges "
    "to our interests, security and values."
)
_WASHINGTON_CHALLENGES_V2 = (
    "The PRC's declared ambitions and coercive policies continue to challenge our interests, "
    "security and values."
)
_WASHINGTON_INFRASTRUCTURE_V1 = (
    "We will strengthen the resilience of our critical infrastructure, including ports, rail "
    "links and undersea cables, and [screen][review] foreign investment that could give "
    "[systemic rivals][third states] control over it."
)
_WASHINGTON_INFRASTRUCTURE_V2 = _WASHINGTON_INFRASTRUCTURE_V1.replace("[screen][review]", "screen")
_WASHINGTON_INFRASTRUCTURE_V4 = _WASHINGTON_INFRASTRUCTURE_V2.replace(
    "[systemic rivals][third states]", "third states"
)
_WASHINGTON_HYBRID = (
    "We will deter and defend against hybrid threats, including sabotage, cyber attacks and "
    "the manipulation of information, wherever they come from."
)
_WASHINGTON_SPENDING = (
    "We reaffirm our commitment to spend at least two percent of gross domestic product on "
    "defence[, and many Allies will need to invest more]."
)
_WASHINGTON_EU = (
    "We welcome the deepening cooperation between NATO and the European Union[, which "
    "remains essential to our shared security][, in full respect of the decision-making "
    "autonomy of each organisation]."
)
_WASHINGTON_EU_AMENDED = (
    "We welcome the deepening cooperation between NATO and the European Union, which remains "
    "essential to our shared security, in full respect of the decision-making autonomy of "
    "each organisation."
)

WASHINGTON_VERSIONS = (
    (
        _paragraphs(
            _WASHINGTON_OPENING_V1,
            _WASHINGTON_RUSSIA,
            _WASHINGTON_PRC_V1,
            _WASHINGTON_CHALLENGES_V1,
            _WASHINGTON_INFRASTRUCTURE_V1,
            _WASHINGTON_SPENDING,
            _WASHINGTON_EU,
        ),
        "First draft, circulated by the chair.",
    ),
    (
        _paragraphs(
            _WASHINGTON_OPENING_V2,
            _WASHINGTON_RUSSIA,
            _WASHINGTON_PRC_V2,
            _WASHINGTON_CHALLENGES_V2,
            _WASHINGTON_INFRASTRUCTURE_V2,
            _WASHINGTON_HYBRID,
            _WASHINGTON_SPENDING,
            _WASHINGTON_EU,
        ),
        "After the first reading: stronger language on the PRC's support for Russia's war; "
        "a paragraph on hybrid threats.",
    ),
)
# Version 3 comes from accepting the United States' amendment; version 4 follows it.
WASHINGTON_PRC_PARAGRAPH = 3
WASHINGTON_EU_PARAGRAPH = 8


def _washington_v4() -> tuple[str, str]:
    return (
        _paragraphs(
            _WASHINGTON_OPENING_V2,
            _WASHINGTON_RUSSIA,
            _WASHINGTON_PRC_AMENDED,
            _WASHINGTON_CHALLENGES_V2,
            _WASHINGTON_INFRASTRUCTURE_V4,
            _WASHINGTON_SPENDING,
            _WASHINGTON_HYBRID,
            _WASHINGTON_EU,
        ),
        "Second reading: infrastructure paragraph settled; spending now before hybrid threats.",
    )


def _vilnius_load(coordinator: User, delegates: dict[str, User]) -> Declaration:
    declaration = services.declaration_create(
        actor=coordinator, title=VILNIUS_TITLE, summit="Vilnius Summit", year=2023
    )
    for text, note in VILNIUS_VERSIONS:
        latest = services.version_create(
            actor=coordinator, declaration=declaration, text=text, note=note
        )
    amendment = services.amendment_propose(
        actor=delegates["POL"],
        declaration=declaration,
        version_number=latest.number,
        paragraph=6,
        text=_VILNIUS_ENGAGEMENT_AMENDED,
        rationale="Keeps the safeguard without a bracket: engagement must not cost security.",
    )
    services.amendment_stance_record(actor=delegates["NLD"], amendment=amendment, stance="support")
    services.amendment_stance_record(actor=delegates["GRC"], amendment=amendment, stance="oppose")
    return declaration


def _washington_load(coordinator: User, delegates: dict[str, User]) -> Declaration:
    declaration = services.declaration_create(
        actor=coordinator, title=WASHINGTON_TITLE, summit="Washington Summit", year=2024
    )
    for text, note in WASHINGTON_VERSIONS:
        second = services.version_create(
            actor=coordinator, declaration=declaration, text=text, note=note
        )

    softer = services.amendment_propose(
        actor=delegates["HUN"],
        declaration=declaration,
        version_number=second.number,
        paragraph=WASHINGTON_PRC_PARAGRAPH,
        text=_WASHINGTON_PRC_SOFTER,
        rationale="Describe the concern without naming the PRC as a party to the war.",
    )
    services.amendment_stance_record(actor=delegates["GRC"], amendment=softer, stance="support")
    services.amendment_stance_record(actor=delegates["POL"], amendment=softer, stance="oppose")

    decisive = services.amendment_propose(
        actor=delegates["USA"],
        declaration=declaration,
        version_number=second.number,
        paragraph=WASHINGTON_PRC_PARAGRAPH,
        text=_WASHINGTON_PRC_AMENDED,
        rationale="The evidence on dual-use supplies supports 'decisive'; the call on the PRC "
        "should stand unbracketed.",
    )
    for code in ("GBR", "POL", "NLD"):
        services.amendment_stance_record(
            actor=delegates[code], amendment=decisive, stance="support"
        )
    services.amendment_stance_record(actor=delegates["HUN"], amendment=decisive, stance="oppose")
    services.amendment_decide(actor=coordinator, amendment=decisive, decision="accept")
    # Accepting the United States' text settled the paragraph the softer text was for.
    services.amendment_decide(actor=coordinator, amendment=softer, decision="reject")

    text, note = _washington_v4()
    fourth = services.version_create(
        actor=coordinator, declaration=declaration, text=text, note=note
    )
    eu = services.amendment_propose(
        actor=delegates["FRA"],
        declaration=declaration,
        version_number=fourth.number,
        paragraph=WASHINGTON_EU_PARAGRAPH,
        text=_WASHINGTON_EU_AMENDED,
        rationale="Both bracketed clauses can stand together.",
    )
    services.amendment_stance_record(actor=delegates["DEU"], amendment=eu, stance="support")
    services.amendment_stance_record(actor=delegates["BEL"], amendment=eu, stance="support")
    services.amendment_stance_record(actor=delegates["TUR"], amendment=eu, stance="oppose")
    return declaration


def declarations_demo_load(*, coordinator: User, delegates: dict[str, User]) -> DeclarationsLoaded:
    """Load the two demo declarations that are not there yet; call inside a transaction.

    ``delegates`` maps state codes to their demo delegate (POL, NLD, GRC,
    HUN, USA, GBR, FRA, DEU, BEL and TUR are used).
    """
    loaded = DeclarationsLoaded()
    for title, load in ((VILNIUS_TITLE, _vilnius_load), (WASHINGTON_TITLE, _washington_load)):
        if Declaration.objects.filter(title=title).exists():
            loaded.found.append(title)
        else:
            load(coordinator, delegates)
            loaded.created.append(title)
    return loaded
