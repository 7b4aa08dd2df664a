"""Rule-based behaviour classifier for trainee messages (see docs/behaviours.md).

Why rules: the product must be deterministic, offline and fast (tens of thousands of
messages a second on one core), and the debrief quotes the exact words that earned a
label, which regular-expression match spans give us for free.

How it works:
  1. Normalise 1:1 (curly quotes -> ', dashes -> -, odd spaces -> " ") and lowercase,
     keeping one character per input character, so every offset found is an offset in
     the original text.
  2. Each label has a list of phrase families (below, one comment per family). Chat
     spellings (u, ur, sry, thx, pls, im, dont) live in shared macros such as {YOU}.
  3. One pass finds every family match: the dispatcher indexes each alternative by the
     letters it can start with and, at each word of the message, runs only the ones
     that can start there (see _Dispatcher for why this is needed for speed).
  4. Plain Python then applies the conventions patterns cannot express alone:
     negation ("I'm not going to apologise", "it's not your fault"), if/when clauses,
     questions vs restatements vs rhetorical or procedural questions, refusals split
     into tactful_no (reason or alternative) and stonewall, sympathy vs apology,
     sarcastic "sorry", and check-backs (follow_up) vs remedy timelines (expectation).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

try:  # the stdlib's own regex parser: used once at import to index the branches
    import re._constants as _K
    import re._parser as _P
except ImportError:  # pragma: no cover - older layout
    import sre_constants as _K  # type: ignore[no-redef]
    import sre_parse as _P  # type: ignore[no-redef]

from .labels import LABELS
from .model import Detection

__all__ = ["classify", "labels"]

# --------------------------------------------------------------------------- #
# Normalisation: one character in, one character out, so spans never shift.
# --------------------------------------------------------------------------- #
_TRANS = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u02bc": "'", "\u2032": "'", "\u00b4": "'",
    "`": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200b": " ", "\u3000": " ",
    "\uff1f": "?", "\uff01": "!", "\u2026": ".",
    **{chr(c): " " for c in range(0x3001) if chr(c).isspace() and chr(c) not in "\n\t"},
})

# --------------------------------------------------------------------------- #
# Shared vocabulary macros ({NAME} in a pattern). Chat spellings live here.
# --------------------------------------------------------------------------- #
_M: dict[str, str] = {
    "YOU": r"(?:you|u|ya|yu)",
    "YOUR": r"(?:your|ur|yr|yor)",
    "YOURE": r"(?:you'?re|you are|ur|u r|u'?re|youre)",
    "IM": r"(?:i'?m|i am|im)",
    "ILL": r"(?:i'?ll|i will|ill|i shall|i'?m going to|i am going to|im going to|i'?m gonna|im gonna)",
    "WELL": r"(?:we'?ll|we will|we'?re going to|we are going to|we'?re gonna)",
    "IVE": r"(?:i'?ve|i have|ive)",
    "IW": r"(?:i|we)(?:'ll|'ve|'d|'m|'re| will| would| can| have| am| are)?",
    "ID": r"(?:i'?d|i would)",
    "SORRY": r"(?:sorry|sorrry+|sory|sorri|sry|srry|soz|sowwy)",
    "APOL": r"(?:ap+ol?og(?:i[sz]e|i[sz]ing|i[sz]ed|ies|y))",
    "THANKS": r"(?:thanks|thank you|thank u|thank-you|thankyou|thanx|thnx|thnks|thx|tnx|tks|ty|many thanks|cheers|ta)",
    "APPR": r"(?:ap+reciat\w*)",
    "DONT": r"(?:don'?t|do not)",
    "CANT": r"(?:can'?t|cannot|can not)",
    "DAY": r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun|weekend)",
    "NUM": r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|fifteen|twenty|thirty|forty-?eight|twenty-?four|few|couple(?: of)?|several)",
    "UNIT": r"(?:minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?)",
    # abusive behaviour a boundary names
    "ABUSE": (
        r"(?:swearing|cursing|shouting|yelling|screaming|insults?|insulting (?:me|us|my colleagues?|staff)|abuse|abusive (?:language|comments|messages)|threats?|"
        r"threatening (?:me|us|staff)|name-?calling|calling (?:me|us|my colleagues?|staff) names|personal (?:comments|attacks|remarks|insults|abuse)|"
        r"(?:that|this|such|bad|foul|offensive|rude|abusive) (?:language|tone)|raised voices?|raising your voice|(?:the|your) language)"
    ),
    # emotion words that on their own show the customer's feelings are being named
    "FEEL": (
        r"(?:frustrat\w*|frustating|upset\w*|annoy\w*|angry|anger|irritat\w*|disappoint\w*|"
        r"stress\w*|worr(?:y|ied|ying|ies)|concern(?:ed|ing)?|confus\w*|inconvenien\w*|fed up|"
        r"livid|furious|fuming|unhappy|anxious|anxiety|madden\w*|infuriat\w*|exasperat\w*|"
        r"aggravat\w*|embarrass\w*|distress\w*|scary|scared|frighten\w*|overwhelm\w*|"
        r"exhaust\w*|draining|disruptive|hassle|nightmare|a pain|let down|heartbreak\w*|"
        r"heartbroken|devastat\w*|nerve-?wracking|alarming|unsettling|shock(?:ing|ed)|"
        r"hurtful|unfair|upsetting|worrying|a headache|miserable|uncomfortable|maddening|"
        r"infuriating|galling|aggravating|tiring|tiresome|exhausting|a letdown|disheartening|"
        r"discouraging|not ideal|far from ideal|awful|horrible|terrible|dreadful|mad)"
    ),
    # weaker situation words: only count after "must be / sounds / can't be easy"
    "FEELW": r"(?:hard|difficult|tough|rough|a lot|bad|sad|painful|horrible|draining|tiring|long|inconvenient|rubbish|chaotic|hectic|scary|stressful)",
}


def _x(p: str) -> str:
    for _ in range(3):
        p = re.sub(r"\{([A-Z]+)\}", lambda m: _M[m.group(1)], p)
    return p


# Uppercase letters in pattern source, except escapes (\W, \S) and the P of (?P<name>).
_LOWER_SRC = re.compile(r"(?<!\\)(?<!\(\?)[A-Z]")


def _rc(src: str) -> re.Pattern[str]:
    """Compile against lowercased text: case-sensitive matching lets sre skip
    alternation branches on their first literal, several times faster than re.I."""
    return re.compile(_LOWER_SRC.sub(lambda m: m.group().lower(), _x(src)))


def _trie(words: Iterable[str]) -> str:
    """A regex matching the longest of `words` at a position, factored as a trie so
    sre can skip alternatives on their first character."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if "" in node:
            alts.append("")  # shorter key last: the longest key is preferred
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(root)


def _optimise(src: str) -> str:
    """Rewrite a pattern into an equivalent one that sre runs faster.

    - `\\w+` before whitespace becomes possessive: \\w and \\s are disjoint, so giving
      characters back can never help, and the backtracking was most of the cost.
    - Alternatives inside a group are factored by their first letter ("(?:refund|reset|
      fix)" -> "(?:re(?:fund|set)|fix)"), so a failing attempt costs one comparison per
      letter instead of one per word. Only when every alternative starts with a plain
      letter; the order of alternatives sharing a letter is kept.
    """
    src = src.replace(r"\w+\s", r"\w++\s").replace(r"[\w']+\s", r"[\w']++\s").replace(r"[\w-]+\s", r"[\w-]++\s")
    return _factor_groups(src)


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 '&")


def _skip_class(src: str, i: int) -> int:
    """Index just past the character class that starts at src[i] == "["."""
    j = i + 1
    if j < len(src) and src[j] == "^":
        j += 1
    if j < len(src) and src[j] == "]":
        j += 1
    while j < len(src) and src[j] != "]":
        j += 2 if src[j] == "\\" else 1
    return j + 1


def _factor_groups(src: str) -> str:
    out, i, n = [], 0, len(src)
    while i < n:
        ch = src[i]
        if ch == "\\":
            out.append(src[i:i + 2])
            i += 2
        elif ch == "[":
            j = _skip_class(src, i)
            out.append(src[i:j])
            i = j
        elif src.startswith("(?:", i):
            depth, j = 0, i
            while j < n:
                c = src[j]
                if c == "\\":
                    j += 2
                    continue
                if c == "[":
                    j = _skip_class(src, j)
                    continue
                if c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            out.append("(?:" + _factor_alts(_factor_groups(src[i + 3:j])) + ")")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _top_alternatives(src: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _skip_class(src, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(src[start:i])
            start = i + 1
        i += 1
    parts.append(src[start:])
    return parts


def _factor_alts(content: str) -> str:
    alts = _top_alternatives(content)
    if len(alts) < 3 or not all(a and a[0] in _PLAIN and (len(a) == 1 or a[1] not in "?*+{") for a in alts):
        return content
    groups: dict[str, list[str]] = {}
    for a in alts:
        groups.setdefault(a[0], []).append(a[1:])
    out = []
    for first, rests in groups.items():
        if len(rests) == 1:
            out.append(first + rests[0])
        else:
            out.append(first + "(?:" + _factor_alts("|".join(rests)) + ")")
    return "|".join(out)


class _Rule:
    """A phrase-family list: one combined regex (for searches inside a window) and the
    separate branches, which the dispatcher indexes by their possible first letters."""

    __slots__ = ("alts", "rx", "search", "finditer", "match")

    def __init__(self, alts: tuple[str, ...]) -> None:
        self.alts = tuple(_optimise(_LOWER_SRC.sub(lambda m: m.group().lower(), _x(a))) for a in alts)
        self.rx = re.compile("|".join(f"(?:{a})" for a in self.alts))
        self.search, self.finditer, self.match = self.rx.search, self.rx.finditer, self.rx.match


def _c(*alts: str) -> _Rule:
    return _Rule(alts)


# Start of a sentence, allowing up to three spaces/quotes/brackets after the full stop.
# Zero-width lookbehinds only, so the match itself starts at the word (the debrief quotes
# it) and the dispatcher below can index the branch by its first letters.
_J = r"[\s\"'(*-]"
_SS = "(?:^|" + "|".join(f"(?<={a}{_J}{{{n}}})" if n else f"(?<={a})" for a in ("^", "[.!?\n]") for n in range(4) if a != "^" or n) + ")"
_SSC = "(?:^|" + "|".join(f"(?<={a}{_J}{{{n}}})" if n else f"(?<={a})" for a in ("^", "[.!?,;\n]") for n in range(4) if a != "^" or n) + ")"

# --------------------------------------------------------------------------- #
# Per-label phrase families. Patterns are written in lowercase against lowercased
# text; for the labels in _NEGATED_LABELS a match is dropped when a negator or an
# if-clause comes just before it in the same clause.
# --------------------------------------------------------------------------- #

GREETING = _c(
    # salutations that open the message or a sentence ("Hello?" = are you there, not a greeting)
    _SS + r"(?:hi+|hello|hey+|heya|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|"
    r"morning|afternoon|evening|welcome)\b(?!\s*\?)",
    r"\bwelcome (?:back|to)\b",
    # self-introductions
    r"\bmy name(?:'?s| is)\s+\w+",
    r"^\W*\w+ here (?:from|at|with|on) ",
    r"\b(?:you'?re|you are|you'?ve) (?:through to|speaking (?:to|with)|reached|chatting (?:to|with)|talking to|connected (?:to|with))\b",
    r"\b(?:i'?ll|i will) be (?:looking after|helping|assisting|taking care of|handling) (?:you|your)\b",
    r"\b(?:nice|pleased|great|lovely|good|a pleasure) to (?:meet|speak (?:to|with)|hear from|chat (?:to|with)|talk (?:to|with)) you\b",
    r"\bhope (?:you'?re|you are) (?:well|doing well|having a (?:good|great|nice|lovely))\b",
    r"\bhope your (?:day|week|morning|afternoon) is going\b",
    # thanks for getting in touch (convention: greeting, not gratitude)
    r"\b{THANKS}\s+(?:so much |very much |a lot |kindly )?for\s+(?:calling|phoning|ringing|contacting|reaching out|"
    r"getting in (?:touch|contact)|being in touch|messaging|writing(?: in| to us)?|emailing|chatting|"
    r"dropping (?:us|by)|stopping by|visiting|coming in|joining|choosing|your (?:call|message|email|enquiry|inquiry|query|patience in contacting))\b",
)

# Self-introductions by capitalised name ("I'm Sam from ...", "Omar speaking"): candidates
# are found in the lowercased text, then confirmed against the original capitals.
GREETING_NAME_CANDIDATE = _c(
    r"\b(?:this is|it'?s|i'?m|i am|im)\s+[a-z][a-z'-]+\s+(?:from|with|at|on|in|here)\b",
    r"\bhere\b(?=\s+(?:from|at|with|on)\b|[,.!])",
    r"\bspeaking\b",
)
GREETING_NAME = re.compile(
    r"\b(?i:this is|it'?s|i'?m|i am|im)\s+[A-Z][a-zA-Z'-]+\s+(?i:from|with|at|on|in|here)\b"
    r"|\b[A-Z][a-z]+\s+(?i:here)\b(?=\s+(?i:from|at|with|on)\b|[,.!])"
    r"|(?:^|[.!?,]\s*|\b(?i:is)\s+)[A-Z][a-z]+\s+(?i:speaking)\b"
)

EMPATHY = _c(
    # "I understand / can see / can imagine / get / know why you're frustrated, how stressful this is"
    r"\b(?:i|we)\s+(?:(?:can|do|totally|completely|fully|really|absolutely|definitely|truly|certainly|can't|cannot|"
    r"only|honestly|genuinely|understand|)\s+){0,2}(?:understand|see|imagine|get|know|appreciate|realise|realize|"
    r"recognise|recognize|hear|sense|feel)\s+(?:\w+\s+){0,2}?(?:(?:why|how|that|what)\s+)?(?:you|u|this|it|that|the|your|ur|how|why|things|everything)\b(?:[\w']*\W+){0,4}?(?:{FEEL}|{FEELW})",
    r"\b(?:i|we)\s+(?:\w+\s+){0,2}?(?:understand|know|appreciate|realise|realize|see|get)\s+(?:just\s+)?(?:how|why)\s+"
    r"(?:important|much (?:this|it|that|the \w+) (?:means|matters)|(?:big|serious) (?:a|of a|an))",
    # "I understand your frustration", "I hear your concern"
    r"\b(?:i|we)\s+(?:\w+\s+){0,2}?(?:understand|appreciate|hear|see|get|share|acknowledge|recognise|recognize|feel|sense)\s+"
    r"(?:your|ur|the|all the|this|that|all this|how much)\s+(?:\w+\s+)?{FEEL}",
    r"\b(?:i|we)\s+(?:\w+\s+)?(?:understand|know|get|see) (?:exactly )?(?:how you(?:'re| are)? feel(?:ing)?|where you'?re coming from|why you(?:'d| would)? feel)(?!\s*,?\s*but\b)",
    r"\bi (?:completely |totally |fully |really |absolutely |do )?(?:get it|get that|hear you|understand completely|understand totally|hear what you'?re saying|hear how)\b(?!\s*,?\s*(?:but|however)\b)",
    r"\bi can only imagine\b|\bi (?:really |truly |do |honestly )?feel for you\b|\bfeel your pain\b|\bmy heart goes out\b",
    r"\bi (?:completely|totally|fully|absolutely|really|truly|perfectly) understand\b(?!\s*,?\s*(?:but|however)\b)(?=\s*[.!,;]|\s*$|\s+(?:why|how|that|your|the))",
    r"\b(?:nobody|no one|no-one) (?:wants|likes|expects|deserves|should have) to\b",
    r"\b(?:is|was|sounds like|must be|must have been|that'?s|it'?s|what)\s+(?:such\s+)?(?:an?\s+)?(?:absolute\s+|total\s+|complete\s+|real\s+)?(?:nightmare|ordeal)\b",
    r"\b(?:i|we)\s+(?:\w+\s+)?(?:know|understand|imagine|appreciate|realise|realize|can see|get)\s+(?:just\s+)?how\s+(?:\w+\s+){1,2}(?:it|this|that|things|everything)(?:'s| has| must| is| was| have)\s+(?:been|be|feel)\b",
    # "I'd be upset too", "I'd feel the same", "anyone would be annoyed", "in your shoes"
    r"\b(?:i'?d|i would|anyone|anybody|everyone|who) (?:would |wouldn'?t |'?d )?(?:\w+ )?(?:be|feel|get) (?:\w+ )?(?:{FEEL}|the same|just as)",
    r"\b(?:i'?d|i would) (?:feel|be) (?:exactly )?the same\b",
    r"\bin your (?:shoes|position|place|situation)\b",
    r"\b(?:no wonder|of course) (?:you'?re|you are|you'?d|you feel|you'?re feeling)\b",
    r"\b(?:you have|you'?ve got|you'?ve) every right to (?:be|feel)\b",
    r"\byou'?re (?:absolutely |completely |totally |quite |perfectly )?(?:right|entitled|justified) to (?:be|feel)\b",
    r"\b(?:completely|totally|perfectly|entirely|very|so|quite|absolutely|fully)\s+understandable\b",
    r"\b(?:that'?s|it'?s|that is|it is|which is)\s+understandable\b",
    r"\bunderstandably\b",
    r"\b(?:it'?s|that'?s|it is|that is) (?:completely |totally |perfectly |only )?(?:natural|normal|fair|valid|reasonable) (?:to (?:feel|be)|that you(?:'re| are| feel| would))",
    r"\byour (?:frustration|concern|concerns|anger|feelings?|reaction|upset|disappointment) (?:is|are) (?:\w+ )?(?:valid|understandable|justified|fair|reasonable|warranted)",
    # "that must be / sounds really frustrating", "what a nightmare"
    r"\b(?:that|this|it|which)(?:'s| must| would| will| could| might| has| can)?\s+(?:have\s+)?(?:must|would|sounds?|sounded|seems?|looks?|feels?|be|been)\s+"
    r"(?:(?:like|so|really|very|incredibly|extremely|absolutely|genuinely|such|a|an|quite|truly|awfully|pretty|properly|been|be|a\s+real|very|really)\s+){0,3}(?:{FEEL}|{FEELW})",
    r"\b(?:it'?s|that'?s|it is|that is|it must be|must be)\s+(?:so\s+|really\s+|just\s+)?(?:awful|horrible|terrible|miserable|rotten|horrid|no fun|not nice|not fun|rubbish|hard|tough|stressful|"
    r"frustrating|upsetting|worrying|scary)\s+to\s+(?:be|have|find|get|come|wait|deal|go|lose|sit|see|hear|discover|arrive)\b",
    r"\bsounds?\s+(?:(?:so|really|very|absolutely|incredibly|pretty|just|properly|utterly)\s+)?(?:like\s+(?:a\s+|such\s+a\s+)?(?:real\s+)?)?{FEEL}",
    r"\b(?:what a|such a) (?:\w+ )?(?:nightmare|pain|hassle|headache|ordeal|shame|stressful|frustrating|awful|horrible|rotten|difficult|tough)\b",
    r"\b(?:that|this|it) (?:can'?t|cannot|couldn'?t) (?:have been |be )(?:easy|fun|nice|pleasant|great)\b",
    r"\bthe last thing you (?:need|needed|want|wanted)\b",
    r"\b(?:not|isn'?t|wasn'?t) what you (?:need|needed|want|wanted|expected|signed up for|were expecting)\b",
    r"\b(?:that'?s|that is|this is|it'?s|it is) (?:so |really |very |incredibly |extremely |genuinely |absolutely |such a |a |quite |truly )+(?:{FEEL})",
    r"\b(?:that'?s|it'?s|that is|this has been|it has been|it'?s been) (?:a )?(?:\w+ )?(?:{FEEL})\s+(?:for you|situation|experience)\b",
    r"\bi can (?:tell|hear) (?:that )?(?:you'?re|you are|this has|it has|this is|how)\b",
    # sympathy for things outside the company's doing (convention: empathy, not apology)
    r"\b{SORRY} (?:to hear|for|about|that)\s+(?:about\s+|that\s+|of\s+)?(?:your|ur|you'?ve been|you were|you are|you'?re|you have)\s+(?:[\w']+\s+){0,3}?"
    r"(?:loss|passing|passed|death|died|bereavement|funeral|illness|ill|unwell|sick|poorly|hospital\w*|surgery|operation|accident|injur\w*|diagnos\w*|grief|grieving|health|condition|cancer|pregnan\w*|divorce)",
    r"\b(?:sorry|condolences) for your loss\b|\bmy (?:deepest |sincere |heartfelt )?(?:condolences|sympathies)\b",
    r"\b(?:hope|hoping) (?:you'?re|you are|you feel|you get|you'?ll be|your \w+ (?:is|gets|feels|recovers)) (?:\w+ )?(?:better|well soon|recover\w*)\b",
    r"\bget well soon\b|\bthoughts are with you\b",
    r"\bdon'?t (?:blame yourself|be hard on yourself)\b",
    # situation validation: "that's a lot to deal with", "a long time to go without", "ruined your weekend"
    r"\b(?:that'?s|that is|it'?s|it is|this is|it'?s been|that'?s been|this has been|what)\s+(?:been\s+)?(?:such\s+)?(?:a lot(?: to (?:deal with|handle|take in|go through|cope with))?|so much to deal with|"
    r"a (?:really |very |such a )?(?:long|tough|hard|rough|difficult|stressful|frustrating|horrible|awful|miserable|rubbish|lousy|terrible|nightmare|draining|worrying) "
    r"(?:time|day|week|month|wait|few days|road|situation|experience|morning|evening|weekend|start|end|thing|process|journey))\b",
    r"\b(?:a|such a|what a) (?:rubbish|horrible|awful|terrible|rotten|miserable|bad|lousy|crap|stressful|frustrating|nightmare|sad) (?:end|start|way|welcome) to\b",
    r"\b(?:wrecked|ruined|spoilt|spoiled|disrupted|derailed|upended|messed up|turned upside down) (?:your|ur|the|all your) (?:\w+ )?(?:day|week|weekend|holiday|trip|evening|plans|morning|night|birthday|celebration|stay|routine|work)\b",
    r"\b(?:would|i'?d|it'?d|will|could) (?:upset|annoy|frustrate|anger|bother|worry|stress|infuriate|irritate) (?:anyone|anybody|most people|me too|me as well|me)\b",
    r"\b(?:isn'?t|is not|wasn'?t|was not|not) (?:what|the news) you (?:wanted|want|were hoping|hoped|needed|need) to hear\b",
    r"\bi(?:'m| am)? (?:so |really |very )?(?:sorry|sad|gutted) (?:you(?:'ve| have) (?:had to|been (?:through|dealing))|you had to (?:go through|deal with))\b",
)

_APOLOGY_NOT_AFTER = (
    r"(?!\s*,?\s*(?:but|that you feel|if\b|what|could|can|would|where|when|which|who|how|is|are|do|did|one|just a|"
    r"give me|let me|i didn'?t catch|come again|say again|pardon|i missed|i couldn'?t|i can'?t hear|you feel|u feel|"
    r"you think|you see it|you took|that you think|to say (?:that )?(?:we|i) (?:can'?t|cannot|won'?t|don'?t)))"
)
# "Sorry our free app isn't perfect for you": sarcasm, dismissive and rude, never an apology
SARCASTIC_SORRY = _c(
    r"\b{SORRY}\s+(?:that\s+)?(?:our|the|my|this|a|we|it)\b[^.!?]{0,60}?\b(?:(?:so|too)\s+\w+|\w+\s+enough(?:\s+\w+)?|perfect|good enough|up to your standards|"
    r"not (?:good|fancy|fast|cheap|big) enough)\s+(?:for\s+(?:you|u|your liking)|to your liking)\b",
    r"\b{SORRY}\s+(?:that\s+)?(?:you|u)\s+(?:can'?t|cannot|couldn'?t|don'?t|didn'?t)\s+(?:read|follow|understand|work out|figure out|be bothered)\b",
    r"\b{SORRY}\s+(?:that\s+)?(?:reality|the rules|the world|life|basic \w+)\b",
)

APOLOGY = _c(
    # "I apologise", "we apologize", "I do apologise", "I want to apologise"
    r"\b(?:i|we)\s+(?:(?:do|really|truly|sincerely|deeply|must|want to|wanted to|would like to|'d like to|have to|can only|just|again|also|unreservedly|genuinely|humbly)\s+){0,2}{APOL}\b(?!\s*,?\s*but\b)",
    r"\b(?:my|our|(?:please )?accept (?:my|our)|owe you an?|(?:sincere(?:st)?|deepest|humble|heartfelt|many|huge|big|massive) )\s*(?:sincere(?:st)?\s+|deepest\s+|humble\s+|heartfelt\s+|full\s+)?{APOL}\b",
    _SS + r"{APOL}\b(?!\s*,?\s*but\b)",
    r"\b{APOL}\s+(?:for|about|again|on behalf|that|if any)\b",
    r"\b{CANT} {APOL} enough\b|\bcan'?t say sorry enough\b",
    # "I'm so sorry", "really sorry", "sorry for/about/to hear ..." (not "sorry, but", "sorry if", "sorry, what's ...")
    r"\b(?:{IM}|we'?re|we are|am|so+|really|very|truly|terribly|deeply|extremely|awfully|sincerely|genuinely|incredibly|super|"
    r"so very|ever so|dreadfully|most|just)\s+{SORRY}\b" + _APOLOGY_NOT_AFTER,
    r"\b{SORRY}\s+(?:for|about|bout|abt|that(?! you feel)|to hear|to keep|to have|to say|to see|to learn|to find|once again|again|we|the|your|ur|this|it(?! is what)|"
    r"(?:you|u)(?!\s+(?:feel|felt|think|thought|see it|took|perceive|(?:are|were|'re|r) (?:offended|upset|unhappy))))\b",
    r"(?:" + _SS + r"|(?<=\bso )|(?<=\bsoo )|(?<=\breally )|(?<=\bvery )|(?<=\bterribly )|(?<=\btruly )|(?<=\bi'm )|(?<=\bim )|(?<=\bwe're ))"
    r"{SORRY}\s*(?:[!.]+|:\(|$)",
    # "I regret the inconvenience", "I feel terrible about", "pardon the delay"
    r"\b(?:i|we) (?:deeply |sincerely |truly |really )?regret (?:that|the|any|this|to|having|what)\b",
    r"\b(?:i|we) feel (?:really |so |just )?(?:terrible|awful|bad|dreadful|horrible) (?:about|that|for)\b",
    r"\b(?:pardon|excuse|forgive) (?:the|our|my|me for the) (?:delay|wait|confusion|mix-?up|error|mistake|inconvenience)\b",
)

OWNERSHIP = _c(
    # "our mistake / my fault / our error" (negated -> defensive instead)
    r"\b(?:our|my)\s+(?:own\s+|bad\s+)?(?:mistake|error|fault|bad|oversight|mess-?up|screw-?up|blunder|slip-?up|failing|failure|doing|mix-?up|responsibility to (?:fix|sort|put|make|resolve))\b",
    # "that's on us", "this one's on me"
    r"\b(?:that|this|it|which|that one|this one)(?:'s| is| was|s)\s+(?:\w+\s+)?(?:all |entirely |completely |totally |fully |100% |definitely |squarely |absolutely )?on (?:us|me)\b",
    r"\b(?:the )?(?:blame|fault|mistake|error|responsibility)\s+(?:is|was|lies|sits|rests)\s+(?:\w+\s+)?(?:with us|with me|on us|on me|on our (?:side|end)|ours|mine)\b",
    r"\b(?:the|this|that) (?:mistake|error|problem|issue|fault|mix-?up) (?:was|is) (?:made |caused )?(?:by |on |at )?(?:our|us|me)\b",
    r"\b(?:it'?s|that'?s|it is|that is|it was|that was|this is|this was) (?:\w+ )?(?:ours|our doing|on our (?:side|end))\b",
    # "we made a mistake", "we messed up", "we got this wrong", "we dropped the ball", "we let you down"
    r"\b(?:we|i)\s+(?:\w+\s+)?(?:made|make|have made|'ve made) (?:a|an|the|some|a few) (?:\w+ )?(?:mistake|error|mess|blunder|mistakes|errors)",
    r"\b(?:we|i|our\s+[\w-]+(?:\s+[\w-]+)?)\s+(?:\w+\s+)?(?:messed|screwed|mucked|fouled|botched|goofed|stuffed) (?:this |that |it |things )?up\b",
    r"\bour\s+[\w-]+(?:\s+[\w-]+)?\s+(?:\w+\s+)?(?:dropped the ball|let you down|got (?:this|it|that) wrong|made (?:a|an) (?:\w+ )?(?:mistake|error))\b",
    r"\b(?:we|i)(?:'ve| have)?\s+(?:\w+\s+)?(?:got|gotten|did|handled|done) (?:this|that|it|things|your \w+) (?:\w+ )?(?:wrong|badly|poorly)\b",
    r"\b(?:we|i)(?:'ve| have)?\s+(?:\w+\s+)?(?:dropped the ball|let you down|failed you|fell short|made a mess)\b",
    r"\b(?:we|i)\s+(?:really\s+|clearly\s+|definitely\s+)?(?:should|shouldn'?t|should not) have\s+(?:\w+\s+)?"
    r"(?:caught|told|informed|flagged|checked|called|warned|sent|updated|notified|contacted|made|done|given|been|charged|cancelled|"
    r"closed|applied|billed|let|said|mentioned|explained|noticed|spotted|processed|double-checked|confirmed|shipped|kept|followed)\b",
    r"\b(?:we|i)\s+(?:\w+\s+)?should'?ve\b",
    # "I take full responsibility", "we own this"
    r"\b{IW}\s+(?:\w+\s+)?(?:take|accept|assume|own|bear) (?:full |complete |total |all the |100% |the |all |personal )?(?:responsibility|ownership|the blame|accountability)\b",
    r"\b(?:{ILL}|let me|{IM}|i want to|i'?d like to)\s+(?:\w+\s+)?(?:own|owning) (?:this|it|that|the (?:issue|problem|case))\b",
    # "I'll take care of this myself / personally", "leave it with me", "I'll make it right"
    r"\b(?:{ILL}|i can|let me|i want to|i'?d like to)\s+(?:\w+\s+)?(?:take care of|handle|deal with|look after|sort|sort out|fix|resolve|see to|follow|manage|chase)\s+(?:this|it|that|everything|your \w+|the \w+)\s+(?:\w+\s+)?(?:myself|personally)\b",
    r"\b(?:{ILL}|i can|i will)\s+personally (?:make sure|ensure|see to|take care|handle|deal|sort|oversee|look into|look after|chase|fix|resolve|own|get this)\b",
    r"\bleave (?:it|this|that|everything) (?:with|to) me\b",
    r"\b(?:that|this|it|which)(?:'s| is| was|s)\s+(?:all\s+|entirely\s+|completely\s+|totally\s+)?down to (?:us|me|our \w+)\b",
    r"\b(?:i|we)\s+(?:sent|gave|provided|quoted|shared|told you|gave you)\b[^.!?]{0,40}?\b(?:was|is|were|are)\s+(?:\w+\s+)?(?:broken|wrong|incorrect|inaccurate|out of date|outdated|faulty|misleading)\b",
    r"\b(?:mistake|error|fault|oversight|slip|failure|mix-?up|problem)s?\s+(?:(?:is|was|were)\s+)?(?:entirely\s+|completely\s+|totally\s+|definitely\s+)?on (?:our|my) (?:part|side|end)\b",
    r"\bour\s+(?:[\w-]+\s+){0,2}?(?:caused|created|broke|triggered|introduced|is (?:to blame|responsible))\b|\bcaused by (?:our|us|me|my)\b",
    r"\b(?:{ILL}|i can|let me|i want to)\s+(?:\w+\s+){0,5}?(?:for you\s+)?(?:myself|personally)\b(?=\s*[.!,]|\s*$|\s+(?:and|so|to|from|until)\b)",
    r"\b(?:i'?ll|i will|let me) take (?:it|this|things|over) from here\b|\bi'?ll take over\b|\bi'?ve got (?:this|it) from here\b",
    # narrating the company's own error: "we sent the wrong size", "our technician fitted the wrong part", "I gave you the wrong info"
    r"\b(?:we|i|our\s+(?:[\w-]+\s+){0,2}?)(?:'ve|\s+have|\s+had)?\s*(?:just\s+|accidentally\s+|mistakenly\s+)?(?:sent|shipped|gave|given|told|quoted|charged|billed|booked|fitted|installed|"
    r"put|entered|applied|cancell?ed|delivered|packed|processed|took|taken|set|added|listed|printed|issued|advised|labelled|labeled|sold)\s+(?:\w+\s+){0,3}?"
    r"(?:wrong|twice|double|incorrect|in error|by mistake|incorrectly|the wrong)\b",
    r"\b(?:{ILL}|i want to|let me)\s+(?:\w+\s+)?(?:make (?:this|it|things) right|put (?:this|it|things) right|see (?:this|it) through)\b",
    r"\bmy bad\b|\bmea culpa\b",
    # "our system applied the fee in error", "we charged you twice by mistake"
    r"\b(?:we|our)\b(?:\W+\w+){1,6}?\W+(?:in error|by mistake|mistakenly|incorrectly|wrongly|erroneously|by accident|accidentally|wrongfully)\b",
    r"\b(?:was|were|been|got|being)\s+(?:\w+\s+){0,2}?(?:charged|billed|sent|cancell?ed|applied|debited|taken|closed|blocked|flagged|added|removed|"
    r"booked|shipped|deducted|given|told|overcharged|suspended|disconnected|marked|allocated|issued|quoted)\s+(?:\w+\s+){0,3}?"
    r"(?:in error|by mistake|incorrectly|wrongly|mistakenly|by accident|erroneously)\b",
    r"\b(?:you'?re|you are|ur) (?:absolutely |completely |totally |quite |100% )?right,? (?:and )?(?:we|i|our)\b(?:\W+\w+){0,6}?\W+"
    r"(?:should|shouldn'?t|wrong|mistake|error|fault|missed|forgot|failed|incorrect|in error|got it wrong)",
)

QUESTION_REQUEST = _c(
    # information requests that are questions even without "?"
    r"\b(?:could|can|would|will)\s+{YOU}\s+(?:please\s+|pls\s+|plz\s+|kindly\s+|just\s+|quickly\s+|also\s+)*(?:tell|share|send|confirm|give|provide|"
    r"describe|explain|check|let me know|spell|read|walk me through|clarify|pass|dm|message|upload|forward|attach|snap|take a (?:photo|picture|screenshot)|"
    r"double-check|remind|verify|type|paste|list|say)\b",
    _SSC + r"(?:please|pls|plz|kindly)\s+(?:could you\s+)?(?:tell|share|send|confirm|give|provide|describe|explain|let me know|spell|clarify|"
    r"dm|message|upload|forward|attach|verify|type|paste|list)\b",
    r"\b(?:let me know|tell me|i'?d (?:love|like) to know|i need to know|i'?ll need to know|i'?m (?:wondering|curious))\s+(?:\w+\s+){0,2}?"
    r"(?:what|which|when|where|how|why|who|whether|if|your|ur|the|a bit more|more)\b",
    r"\bmay i (?:ask|have|get|take|grab|confirm|check)\b",
    r"\b(?:can|could) i (?:ask|have|get|grab|take) (?:your|ur|the|a|an|you|for|what|which|when|where|how)\b",
)

_Q_START = _rc((
    r"\W*(?:(?:sorry|sry|soz|ok|okay|alright|right|so|and|also|great|perfect|thanks|thank you|sure|just|first|firstly|quick question|"
    r"one more thing|lastly|now|oh|hmm+|ah|and|but|then|next|hi|hello|hey|got it|i see|understood|cool|nice|no problem|np|of course|absolutely)\W+){0,3}"
    r"(?:what|what'?s|whats|when|where|where'?s|which|who|whose|whom|how|why|could|can|would|will|do|does|did|have|has|had|is|are|was|were|"
    r"may|might|should|shall|any|anything|roughly|approximately|r|wat|wht|wen|whn|wich|hw|wot)\b"
))

# "Can I put you on hold?" and friends: procedural, no label.
_Q_PROCEDURAL = _c(
    r"\b(?:can|may|could|might|shall|do you mind if|is it (?:ok|okay|alright|all right) if|would it be (?:ok|okay|alright|all right) if|mind if)\s+(?:i|we)\s+"
    r"(?:\w+\s+)?(?:put|place|pop|keep|leave|have)\s+(?:you|u)\s+on\s+(?:\w+\s+){0,2}?hold\b",
    r"\b(?:can|could|would|will|do|are)\s+(?:you|u)\s+(?:\w+\s+)?(?:hold|bear with|give me|wait|stay on the line|hang on|mind holding|mind waiting|"
    r"mind if|hold the line|bear with me|be patient|allow me)\b",
    r"\b(?:can|may|could|shall|do you mind if)\s+(?:i|we)\s+(?:just\s+|quickly\s+|briefly\s+)?(?:check|look|have a look|take a look|pull up|go|"
    r"call you back|transfer|step away|verify your identity|run|pop|access|read)\b",
    r"\b(?:are|r)\s+(?:you|u)\s+still\s+(?:there|with me|on the line|here|around)\b|\bstill there\b(?!\s+\w)",
    r"\bhow are you(?: doing)?(?: today)?\s*\?|\bhow'?s your day\b",
    # tag questions and small talk: "The weather's been wild, hasn't it?"
    r"\b(?:isn'?t|wasn'?t|hasn'?t|haven'?t|doesn'?t|don'?t|didn'?t|aren'?t|won'?t)\s*(?:it|they|there|he|she|we)\s*\?",
    r"\b(?:satisfied|happy now|are you happy now|there,? happy|better now)\s*\?",
)

PARAPHRASE = _c(
    # explicit restatement markers
    _SS + r"(?:(?:so|okay|ok|right|alright|now|and|sorry)\b,?\s+)?(?:just\s+)?to (?:confirm|clarify|recap|summari[sz]e|sum (?:it |this |that )?up|make sure I(?:'ve| have)? (?:understand|understood|got)|"
    r"check I(?:'ve| have)? (?:understood|got)|be clear|check I'?m following)\b",
    r"\bif I(?:'ve| have)? (?:understand|understood|heard|got|get|followed|read|caught) (?:you|this|that|it|everything|all (?:of )?that|things|the situation)?\s*(?:right|correctly|properly)\b",
    r"\bif I'?m (?:understanding|hearing|reading|following)\b(?:\s+(?:you|this|that|it|things))?(?:\s*(?:right|correctly|properly))?",
    r"\b(?:let me|can I|I want to|I'?d like to|just want to|I just want to|let me just)\s+(?:just\s+)?(?:make sure I(?:'ve| have)? (?:understand|got|understood|'m following|am following|heard|(?:this|that|it|everything) right)|"
    r"recap|repeat (?:that|this|it|what you said) back|summari[sz]e|check (?:I'?ve|I have|that I'?ve|that I have) (?:understood|got)|play (?:that|it|this) back|"
    r"read (?:that|it|this) back|confirm (?:I(?:'ve| have)? understood|what you'?ve said|my understanding)|see if I(?:'ve| have)? got|check my understanding)",
    r"\b(?:just )?so I(?:'m| am)? (?:clear|sure|on the same page|understanding|understand|know|have it right|get this right)\b|\b(?:are|r) (?:you|u) (?:saying|telling me)\b|\bjust so I(?:'ve| have)? (?:got|understood|understand|heard) (?:it|that|this|you|everything)?",
    r"\b(?:so )?(?:what )?you'?re (?:saying|telling me)(?: is)?\b(?!\s*(?:is\s+)?(?:that you (?:want|need)))",
    r"\bwhat I'?m hearing is\b|\bin other words\b|\bif I (?:can )?(?:sum|summari[sz]e) (?:it|that|this|things)? ?(?:up)?\b",
    r"\b(?:am I right in (?:thinking|saying|understanding)|have I got (?:that|this|it|everything|all that) right|did I get (?:that|this|it|everything) right|"
    r"do I have (?:that|this|it|everything) right|is that (?:a fair|an accurate) (?:summary|description))",
    r"\bso (?:basically|essentially|in short),?\s",
    r"(?:\b(?:it|that)\s+|" + _SS + r")sounds like (?:you|your|the|there|they|he|she|this|my colleague|someone)\b(?![^.!?]{0,25}\b(?:frustrat|stress|upset|annoy|nightmare|awful|horrible|rough|tough|difficult|worr)\w*)",
    r"\b(?:you|u) (?:said|mentioned|told me|explained|say|noted|wrote)(?: that| earlier| before)?,? (?:that )?(?:\w+ )?(?:you|your|the|it|they|he|she|this|there)\b",
)
# a restatement closed with a tag: "..., right?", "..., is that correct?"
_PARA_TAG = _rc(
    r"(?:,\s*|\s+|-\s*)(?:right|correct|yes|yeah|yea|yep|no|true|isn'?t it|didn'?t it|wasn'?t it|weren'?t they|didn'?t they|haven'?t you|"
    r"is that (?:right|correct|accurate|so|it|what happened)|is that what happened|did I get that right|have I got that right|am I right|"
    r"that right|that correct|is this (?:right|correct))\s*\?+\W*$")
# "So the counter charged you for fuel even though ..." restated as a statement
_PARA_SO_STMT = _rc(
    r"\W*(?:(?:ok|okay|right|alright|all right|got it|i see|ah|oh|hmm+|mm+|understood|thanks|thank you)\W+){0,2}so,?\s+"
    r"(?:you|your|ur|the|it|they|he|she|two|both|all|this|that|there|each|every|after|when|last|on)\b"
    r"(?![^.!?]*\b(?:i'?ll|i will|we'?ll|we will|i can|we can|let me|i'?ve|i have|will|going to|should|need to|can you|could you)\b)")

_PARA_SO = _rc(
    r"\W*(?:(?:ok|okay|right|alright|all right|got it|i see|ah|oh|hmm+|mm+|understood|thanks|thank you)\W+){0,2}so,?\s+"
    r"(?!(?:what|when|where|which|who|how|why|could|can|would|will|do|does|did|is|are|have|has|may|shall|should|let|sorry|just to)\b)")

SOLUTION = _c(
    # subject + (modal) + remedy verb: "I can refund", "I've credited", "we'll send a replacement", "let me rebook you"
    r"(?:\b(?:i|we|let me|let'?s|lemme|let us)(?:'ve|'ll|'m|'d|'re|ve|ll)?|\b(?:would|do)\s+(?:you|u)\s+(?:like|want|prefer)\s+(?:me|us)\s+to|\b(?:shall|should)\s+(?:i|we)|"
    r"\bhow about (?:i|we)|\band(?!\s+\w+ed\b)|\bthen(?!\s+\w+ed\b))(?:\s+(?:can|could|will|would|shall|am|are|have|has|had|do|just|also|now|then|"
    r"go ahead and|gone ahead and|went ahead and|going to|gonna|happy to|able to|glad to|like to|be|been|already|definitely|certainly|"
    r"personally|absolutely|happily|gladly|immediately|quickly|actually|still|more than|instead|straight away|right away|and|'d|'ll|to|"
    r"totally|easily|at least|quite|even|pleased to|delighted to|first|sure|sure to|make sure to|arrange to|offer to|either|then|simply|"
    r"in the process of|currently|also be able to|get|got|managed to|authori[sz]ed to|allowed to))*\s+"
    r"(?:refund\w*|reimburs\w*|credit(?:ed|ing|s)?|compensat\w*|replac\w*|repair\w*|reset\w*|unlock\w*|unblock\w*|reactivat\w*|reinstat\w*|"
    r"restor\w*|reconnect\w*|reopen\w*|resen[dt]\w*|re-sen[dt]\w*|reship\w*|re-ship\w*|sen[dt](?:ing)?(?=\s+(?:you\s+|u\s+)?(?:a|an|the|your|ur|out|over|another|new|one|some|two)\b)(?!\s+(?:you\s+|u\s+)?(?:a |an )?(?:update|message|email|text|note|link to)\b)|"
    r"ship\w*|dispatch\w*|post(?:ed|ing)?\s+(?:you|a|an|the|out)|courier\w*|waiv\w*|remov\w*|revers\w*|cancel\w*|void\w*|take\s+(?:off\b|(?:\S+\s+){1,3}?off\b)|took\s+(?:off\b|(?:\S+\s+){1,3}?off\b)|"
    r"knock\w*\s+(?:off|\d|that|the|it)|wip(?:e|ed|ing)\s+(?:off|out|the|that|it)|clear\w*\s+(?:the|that|your|it|this|off)|zero\w*|adjust\w*|amend\w*|correct(?:ed|ing)?\b|"
    r"chang\w*(?!\s+(?:my|our)\s+mind)|fix(?:ed|ing)?\s+(?!(?:it|this|that|things|everything|the problem|the issue)\b)|switch\w*|swap\w*|mov(?:e|ed|ing)\s+(?:you|your|ur|the|it|that|this|them|the)|transferr?\w*\s+(?:the|your|ur|that|this|it|them|money|funds|credit|balance|booking|points)|"
    r"upgrad\w*|downgrad\w*|rebook\w*|re-book\w*|book(?:ed|ing)?\s+(?:you|u|a|an|the|it|that|this|in|another|your|ur|someone)|reschedul\w*|arrang(?:e|es|ed|ing)\b(?!\s+(?:that|this|it)\b)|organi[sz]\w*|schedul\w*|"
    r"set(?:ting)?\s+(?:up|you up)|get(?:ting)?\s+(?:you|u)\s+(?:a|an|the|some|another|booked|rebooked|moved|onto|on|into|in|set up|sorted|refunded|credited|upgraded|your|ur|one|new)\b(?!\s+(?:back|through|on hold|to hold))|get(?:ting)?\s+(?:a|an|the|another|your|ur)\s+(?:new|replacement|engineer|technician|courier|refund|credit|driver|taxi|voucher|loan|spare)|"
    r"gi(?:ve|ving|ven)\s+(?:you|u|a|an|the|it|that|this|your|ur)(?!\s+(?:a\s+)?(?:call|ring|bell|shout|update|quick update|buzz|moment|second|minute|sec))|"
    r"offer\w*|provid\w*|issu\w*|process\w*\s+(?:a|an|the|your|ur|it|that|this)|appl(?:y|ied|ying)\s+(?:a|an|the|that|this|it|your|ur|\d)|"
    r"add(?:ed|ing)?\s+(?:a|an|the|\d|that|this|it|some|free|extra|credit|money)|extend\w*|pause\w*|paus\w*|freez\w*|froze\w*|hold(?:ing)?\s+(?:the|your|ur|that|this|it|a)|"
    r"reserv\w*|match\w*|honou?r\w*|cover\w*|pa(?:y|id|ying)\s+(?:for|you|u|back|the|it|that|this)|expedit\w*|prioriti[sz]\w*|fast-?track\w*|split\w*|spread\w*|defer\w*|"
    r"bump\w*|comp(?:ed|ing)?\s+(?:you|the|your|it|that)|discount\w*|reduc\w*|lower\w*|lift\w*|releas\w*|authori[sz]\w*|approv\w*|sort(?:ed|ing)?\s+(?:the|your|ur|a|an|you out|out (?:the|your|ur|a|an))|"
    r"deliver\w*|bring\s+(?:you|u)\s+(?:a|an|the|some|another|new)|exchang\w*|order(?:ed|ing)?\s+(?:you|a|an|the|another|new|one)|rais(?:e|ed|ing)\s+(?:a|an)\s+(?:claim|request|refund|credit|return|case|dispute|chargeback)|"
    r"open(?:ed|ing)?\s+(?:a|an)\s+(?:claim|return|refund|dispute|investigation|case|chargeback)|generat\w*|email\w*\s+(?:you\s+)?(?:a|an|the)\s+(?:new|replacement|prepaid|return|voucher|code|label|link to reset)|"
    r"resolv\w*|waive|honor|request\w*\s+(?:a|an|the|your)\s+(?:\w+\s+)?(?:refund|replacement|credit|return|repair|exchange|chargeback|reimbursement|refund)|"
    r"do\s+(?:you\s+)?(?:a|an)\s+(?:free|full|partial|quick|one-off|special|\d+%?|refund|replacement|discount|credit|swap|exchange|pickup|collection|repair|upgrade|price match|deal|"
    r"goodwill)|install\w*|reinstall\w*|upgrade|activat\w*|enabl\w*|disabl\w*|unfreez\w*|top(?:ped|ping)?\s+up|"
    r"pick(?:ed|ing)?\s+(?:it|them|the \w+)\s+up|collect\w*\s+(?:it|them|the|your)|seat\w*\s+(?:you|u)|find\s+(?:you|u)\s+(?:a|an|another)|"
    r"put\s+(?:you|u)\s+(?:in|on)\s+(?:a|an|the)\s+(?![\w\s]{0,15}\bhold\b)\w+|put\s+(?:a|an|the)\s+(?:credit|refund|note|stop|hold|block|flag|fix|request|order)|"
    r"take\s+care\s+of\s+(?:the|that|this|it|your)\s+(?:\w+\s+)?(?:fee|charge|cost|bill|refund|repair|replacement))",
    # third parties doing the remedy: "she can authorise a free upgrade", "my manager will waive it"
    r"\b(?:she|he|they|my (?:manager|supervisor|colleague|team ?lead(?:er)?)|our \w+ team)\s+(?:can|could|will|'ll|is able to|are able to)\s+(?:\w+\s+)?"
    r"(?:authori[sz]e|approve|refund|waive|issue|arrange|offer|give you|replace|credit|reimburse|upgrade|rebook|cover)\b(?=[^.!?]*\b(?:free|full|refund|credit|"
    r"upgrade|replacement|voucher|discount|waive|fee|charge|compensation)\b)",
    # "I'll get that charge reversed", "get your card replaced"
    r"\bget(?:ting)?\s+(?:that|this|it|the|your|ur|those|these)\s+(?:[\w-]+\s+){0,2}?(?:reversed|refunded|replaced|removed|waived|cancell?ed|credited|rebooked|repaired|"
    r"swapped|exchanged|reissued|re-?sent|resent|reset|unlocked|reconnected|reinstated|upgraded|expedited|sent out|couriered|delivered|collected|picked up|refunded)\b",
    r"\bmake sure (?:the|your|ur|that|this)\s+(?:\w+\s+){0,2}?(?:is|gets|will be|are|get)\s+(?:\w+\s+)?(?:removed|refunded|waived|credited|reversed|cancell?ed|replaced|processed|corrected|"
    r"applied|reinstated|restored|unlocked|rebooked|upgraded|repaired)\b",
    # elliptical: "refund processed", "fee waived"
    r"\b(?:refund|credit|fee|charge|replacement|booking|order|account|password|voucher|upgrade)s?\s+(?:now\s+)?(?:processed|issued|waived|removed|reversed|sent|applied|"
    r"cancell?ed|credited|refunded|rebooked|unlocked|reset|approved|done|sorted)\b(?!\s+(?:by|on|yesterday|last|when|if))",
    # question-shaped offers: "Would a loan phone help?", "Would a voucher work for you?"
    r"\b(?:would|could|will|does|might)\s+(?:a|an|the|some)\s+(?:\w+\s+){0,3}?(?:refund|replacement|voucher|credit|discount|upgrade|loan|loaner|courtesy|exchange|swap|"
    r"rebooking|callback|repair|partial refund|free \w+)\s+(?:\w+\s+){0,2}?(?:help|work|suit|do|be (?:ok|okay|acceptable|helpful))\b",
    # completed remedies in the passive: "your account has been credited", "the fee is now waived"
    r"\b(?:your|ur|the|a|an|that|this|it|which|these|those|both|all)\s+(?:(?!should\b|could\b|would\b|must\b|might\b|may\b)\w+\s+){0,3}?(?:(?:has|have|'s)\s+(?:now\s+|just\s+|already\s+|also\s+)*been|(?:is|are|'s)\s+(?:now|already))\s+(?:now\s+)?"
    r"(?:refunded|credited|waived|removed|reversed|cancell?ed|rebooked|upgraded|applied|reset|unlocked|fixed|repaired|replaced|reinstated|restored|"
    r"reconnected|reactivated|processed|issued|approved|sent|dispatched|shipped|arranged|scheduled|booked|corrected|adjusted|lifted|released|"
    r"cleared|voided|unblocked|extended|expedited|resolved|sorted|refunded|comped|discounted|reduced|added|raised|logged|submitted|placed|reserved|"
    r"on (?:its|their|the) way)\b",
    r"\b(?:a|an|your|ur|the)\s+(?:full\s+|partial\s+)?(?:refund|credit|replacement|voucher|discount|new \w+|engineer|technician)\s+(?:is|has been|will be)\s+(?:on (?:its|the) way|being (?:processed|sent|arranged|issued))\b",
    # offers and options
    r"\bwhat (?:i|we)(?: can| could|'ll| will| am able to|'m able to|'m going to| am going to|'d like to| would like to|'d| would) (?:do|offer|suggest)\b",
    r"\bhere'?s what (?:i|we)(?:'ll| will| can| could| 'm going to)\b",
    r"\b(?:the|my|our) (?:best|quickest|fastest|easiest|simplest|next best) (?:fix|way|option|solution|thing|bet|route|course of action)\s+(?:is|would be|here)\b",
    r"\b(?:one|another|the other|an|a better|the best|your|two|three|a few|some|couple of) (?:options?|alternatives?|solutions?|fix|workaround|way forward|choices)\s+(?:is|are|would be|could be|here is|here are|i can offer|we can offer|available|for you)\b",
    r"\b(?:you|u) (?:can|could|may) (?:either|choose|opt|pick|select|go for|also (?:choose|opt|pick)|have (?:a|an|the) (?:refund|replacement|credit|choice))\b",
    r"\b(?:you'?re|you are|you'?ll be|you will be)\s+(?:\w+\s+)?(?:entitled|eligible) (?:to|for)\b",
    r"\b(?:would|do) (?:you|u) (?:like|prefer|want) (?:a|an|me to|us to|the|to (?:have|get|receive|switch|upgrade|move|book|keep|take))\s+(?:\w+\s+){0,2}?"
    r"(?:refund|replacement|credit|voucher|discount|upgrade|exchange|repair|rebook\w*|refund\w*|replac\w*|credit\w*|send|waive|swap|switch|move|upgrade|cancel\w*|fix|new)\b",
    r"\b(?:i'?d|i would|we'?d|we would|i) (?:\w+ )?(?:recommend|suggest|advise)\b",
    r"\b(?:how about|what if) (?:i|we|a|an)\b",
    _SSC + r"(?:please\s+|pls\s+)?(?:try|could you try|can you try|if you try)\s+(?:\w+ing|turning|logging|clearing|restarting|resetting|"
    r"reinstalling|updating|unplugging|switching|signing|using|holding|pressing|removing|a different|another|the)\b",
    r"\b(?:free of charge|at no (?:extra |additional )?(?:cost|charge)|on the house|as a (?:goodwill )?gesture|goodwill (?:credit|gesture|payment)|"
    r"complimentary)\b",
    r"\b(?:a|the) (?:full|partial) refund\b",
)

_TIME = (
    r"(?:(?:within|in|over|under|up to|about|around|approximately|roughly|in just|after)\s+(?:the\s+next\s+|the\s+|another\s+|the\s+coming\s+)?(?:{NUM})"
    r"(?:\s*(?:-|to|or|and)\s*(?:{NUM}))?\s*(?:more\s+)?(?:working\s+|business\s+|bank\s+|calendar\s+)?{UNIT}"
    r"|within\s+(?:the\s+|an\s+|a\s+)?(?:hour|day|week|month|24|48|72)"
    r"|(?:by|before|on|this|next|until|till|from|after|come)\s+(?:the\s+end\s+of\s+|close of\s+)?(?:{DAY}|today|tonight|tomorrow|tmrw|tmr|tomoz|tomorow|tommorow|"
    r"next week|this week|end of (?:the )?(?:day|week|month)|eod|cob|close of business|the \d+(?:st|nd|rd|th)?|\d+(?:st|nd|rd|th)|\d{1,2}(?::\d\d)?\s*(?:am|pm)|"
    r"noon|midday|the morning|the afternoon|the weekend|lunchtime|the next (?:few|couple)|next month|the next billing)"
    r"|\b(?:today|tomorrow|tmrw|tmr|tomoz|tomorow|tommorow|tonight|later today|this afternoon|this evening|this morning|this week|next week|overnight|shortly|"
    r"asap|straight away|right away|immediately|the same day|same-day|next business day|next working day|the next few days|in a bit|"
    r"any minute|any moment|before long|soon|next month|next billing (?:cycle|period|date)|next bill|next statement|next invoice|next payment|next renewal|end of the month)\b"
    r"|\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m|p\.m)\b|\bbetween\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?\s*(?:and|-)\s*\d"
    r"|\d+\s*(?:-|to)\s*\d+\s*(?:working\s+|business\s+)?{UNIT}|\b\d+\s*(?:working\s+|business\s+)?{UNIT})"
)
_M["TIME"] = _TIME

EXPECTATION_STRONG = _c(
    # "you'll see/receive/get ...", "you should have it by ..."
    r"\b(?:you|u|ya)(?:'ll|ll| will| should| shud| shd| shld| can expect to| may| might| ought to| can| are going to| would| 're going to)\s+(?:\w+\s+)?"
    r"(?:see|receive|recieve|get|be (?:able to see|refunded|credited|reimbursed|contacted|notified|emailed|sent|getting|receiving|back up|reconnected|up and running|charged the|billed)|"
    r"hear (?:from|back)|notice|have (?:it|them|your|ur|the|a|an))\b(?!\s+(?:a\s+)?(?:call|ring|email|update|message|text) from me)",
    # "it/the refund/your card will arrive/show/land/clear ..."
    r"(?:\b(?:it|this|that|they|them|these|those|he|she|someone|somebody|which|(?:the|your|ur|a|an|our|my|his|her)\s+(?:\w+\s+){0,2}?\w+)|\band|\bthen)"
    r"(?:'ll| will| should| shud| shd| would| is going to|'s going to| are going to|'re going to| is expected to| are expected to| is scheduled to| are scheduled to|"
    r" is set to| is due to| are due to| usually| normally| typically| generally)\s+(?:\w+\s+)?"
    r"(?:arrive|show up|show|appear|reach|land|clear|go (?:through|out|live)|take effect|kick in|turn up|be (?:with you|there|back|delivered|dispatched|shipped|"
    r"processed|credited|refunded|applied|reflected|visible|active|restored|reconnected|unlocked|fixed|repaired|ready|sent|posted|completed|done|resolved|"
    r"updated|cancell?ed|removed|reversed|returned|available|released|back up|up and running|in touch|in contact|contacting|calling|visiting|arriving)|"
    r"reflect|update|come through|come back|be back|drop|disappear|reappear|expire|resume|start working|work again)\b",
    r"\b(?:it|this|that|the \w+|refunds?|credits?|transfers?|processing|delivery|shipping|repairs?)\s+(?:usually|normally|typically|generally|can|may|might|should|will|'ll)?\s*"
    r"(?:takes?|take up)\s+(?:up to |about |around |roughly |approximately |between |at least |no more than )?(?:{NUM})",
    r"\b(?:expect|anticipate)\s+(?:a|an|the|it|them|to|your|ur|delivery|payment|the)\b",
    r"\b(?:the )?next steps?\b(?:\s+(?:is|are|will be|would be|from here))?",
    r"\bonce (?:the|your|ur|it|this|that|we|i|they|you|our|payment|approved)\b[^.!?]{0,80}?\b(?:will|'ll|should|you'?ll|it'?ll|can|shud|shd)\b",
    r"\b(?:the|your|ur|a|an)\s+(?:\w+\s+)?(?:is|are|'s|has been|have been)\s+(?:due|scheduled|booked|expected|set)\s+(?:in\s+|for\s+|to\s+(?:arrive|go|be)\s+|on\s+)",
    r"\b(?:is|are|it'?s|that'?s) (?:\w+ )?(?:on (?:its|their|the) way|in the post|out for delivery|being (?:processed|prepared|shipped|dispatched|packed))\b",
    r"\bwithin (?:{NUM})\s*(?:working |business |calendar )?{UNIT}\b|\bwithin (?:the hour|24|48|72)\b",
    r"\b(?:ships|arrives|lands|goes out|dispatches|is dispatched|is shipped|gets to you|reaches you|should reach you|will reach you|should arrive|will arrive|kicks in|"
    r"takes effect|goes live|starts|begins|applies|comes into effect|clears|shows up|appears|is activated|activates|renews|resets)\s+(?:\w+\s+){0,2}?{TIME}",
    r"\bin (?:{NUM})(?:\s*(?:-|to|or)\s*(?:{NUM}))?\s*(?:working |business )?(?:days?|weeks?)\b",
    r"\b\d+\s*(?:-|to)\s*\d+\s*(?:working |business )?days\b",
    r"\b(?:first|then|after that|afterwards|from there|next),?\s+(?:you'?ll|you will|we'?ll|we will|they'?ll|the \w+ will|it'?ll|it will)\b",
    # "I've booked an engineer for tomorrow 8-12"
    r"\b(?:booked|scheduled|arranged|set up|lined up|reserved)\s+(?:you\s+)?(?:in\s+)?(?:a|an|the|your|ur)?\s*(?:\w+\s+){0,2}?(?:for|on|at|between)\s+{TIME}",
)
# hedged or policy clauses are not a timeline: "it'll probably turn up", "returns are only accepted within 30 days"
_EXP_VETO = _rc(
    r"\b(?:probably|maybe|perhaps|hopefully|might|could|i guess|i suppose|who knows|eventually|only|accepted|accept|policy|must be|needs? to be|have to be|has to be|"
    r"eligible|window|allowed|valid|expire[sd]?|ago|last|should have|should'?ve|supposed to|needed to|had to|were meant to|was|were|had been)\b")
# weaker future statements that count only with a time in the same sentence
EXPECTATION_WEAK = _c(
    r"\b(?:you|u|it|this|that|they|the \w+|your \w+|ur \w+|our \w+|a \w+|an \w+|someone|which|he|she)(?:'ll| will| should| shud| shd| would| are going to| is going to|'re going to)\s+\w+",
    r"\b(?:youll|itll|theyll|u'll)\s+\w+|\b(?:ships|arrives|lands|goes out|dispatches|will come|will be there)\b",
)

TACTFUL_ALT = _c(
    # an alternative after the refusal: "but I can ...", "what I can do is ...", "instead ..."
    r"\b(?:but|however|though|although|instead|that said)\b(?:(?!\bnothing\b|\bnot\b|n't\b|\bno\b|\bif\b)[^.!?]){0,40}?\b(?:i|we)(?:'ll|'d|'m|'re|'ve)?\s*(?:\w+\s+)?(?:can|could|will|would|am able|are able|"
    r"'ll|'d|be happy|happy to|'m happy|am happy|'m going|am going|do have|have|'ve|'m able|'re able|able to|would love to|'d love to|can definitely|can still)\s+"
    r"(?!(?:see|understand|imagine|hear|tell|say|assure|promise|only|not|be honest|help you if)\b)\w+",
    r"\bwhat (?:i|we)(?: can| could|'ll| will| am able to|'m able to) (?:do|offer)\b",
    r"\b(?:instead|alternatively|as an alternative|the (?:best|next best|closest) (?:thing|alternative|option|i can do|we can do))\b",
    r"\b(?:but|however|though)\b[^.!?]{0,40}?\b(?:there'?s (?:a|an|another|the)|there is (?:a|an|another)|you (?:can|could|may|might) (?:still|instead|also|either|choose|opt|try|use|book|apply|get|have)|"
    r"you (?:can|could|may|might) (?!not\b|n't)\w+|one option|an option|another option|the option|how about|would you like|(?:is|are|'s) (?:free|complimentary|included|covered|on us|available|still available|no problem|absolutely fine|fine|possible|doable|an option))\b",
)

REFUSE = _c(
    r"\b(?:i|we|the (?:airline|bank|hotel|store|restaurant|company|system))\s*(?:'m|'re|am|are)?\s*(?:afraid\s+(?:that\s+)?(?:i|we)\s+)?(?:really\s+|just\s+|unfortunately\s+|sadly\s+|"
    r"simply\s+|still\s+|currently\s+|actually\s+|definitely\s+|honestly\s+|legally\s+)?"
    r"(?:{CANT}|cant|couldn'?t|could not|won'?t be able to|will not be able to|won'?t be|will not be|'m not able to|am not able to|are not able to|'re not able to|'re unable to|"
    r"(?:'m|am|are|'re) unable to|(?:'m|am|are|'re|is) not (?:allowed|permitted|authori[sz]ed|in a position|going|gonna|able) to|(?:{DONT}|doesn'?t|does not) have (?:the )?"
    r"(?:authority|ability|power|permission|option|means|discretion|authori[sz]ation) to|(?:{DONT}) (?:do|offer|provide|allow|accept|issue|sell|ship|deliver|take|"
    r"price.?match|permit|support|honou?r|make|waive|exchange|cover|give|refund|guarantee|hold|reserve|transfer)|won'?t (?:be )?(?:escalat\w*|reopen\w*|reconsider\w*|transfer\w*|budg\w*|refund|waive|cover|give|offer|compensat|credit|replace|change|cancel|accept|pay|reimburse|extend|do|make|honou?r|refunding|waiving|covering|giving|offering|compensating|crediting|replacing))"
    r"\s+(?:be\s+(?:able\s+to\s+)?)?(?!(?:see|find|hear|locate|access|imagine|believ\w*|thank|wait|stress|emphasi[sz]e|apologi[sz]e|understand|tell|say|seem|reach|load|open|log|"
    r"connect|read|make out|quite|verify|confirm|get through|promise|guarantee (?:it|that|when|exactly|the \w+ will)|speak for|recall|remember|think|agree|express|even|pull|apologi\w+|say sorry|"
    r"put you|figure|work out|stop|blame|tolerate|stand|put up|accept (?:being|that language|abuse|insults|threats|this language|that kind)|argue|lie|keep|waste|pretend|hang up|leave|"
    r"let (?:this|that|it) happen|be more sorry|being|continue|go on|keep going|say enough|charge|bill|penali[sz]e|fault|judge|rush|ignore|do that to you|help but|sugar-?coat|begin to|overstate|access your)\b)\w",
    r"\b(?:that|this|it|which|these|those)(?:'s| is| was| are|s)?\s+(?:just\s+|really\s+|unfortunately\s+|sadly\s+)?(?:not|isn'?t|wasn'?t|aren'?t)\s+"
    r"(?:something (?:i|we)(?:'m| am| are|'re)? (?:can|could|able|allowed|do|offer|permitted)|possible|an option|available|allowed|permitted|eligible|covered|refundable|"
    r"transferable|something we (?:offer|do|allow)|within my (?:power|authority))",
    r"\b(?:isn'?t|aren'?t|is not|are not|was not|wasn'?t)\s+(?:\w+\s+)?(?:eligible|refundable|transferable|covered|possible|permitted|allowed)\b",
    r"\bno longer (?:available|possible|valid|eligible|offered|refundable|an option)\b",
    # declining by unavailability: "I'm afraid the 8pm table is taken", "sadly it's sold out"
    r"\b(?:i'?m afraid|unfortunately|sadly|regrettably)\b[^.!?]{0,60}?\b(?:taken|gone|unavailable|not available|sold out|out of stock|"
    r"fully booked|booked up|discontinued|no longer (?:available|offered|possible))\b",
    r"\b(?:isn'?t|is not|aren'?t|are not|wasn'?t)\s+(?:really\s+)?something\s+(?:i|we)\s*(?:'m|am|are|'re)?\s*(?:can|could|able|allowed|do|offer|permitted|authori[sz]ed)",
    r"\b(?:{CANT}|won'?t|will not|aren'?t able to|isn'?t able to)\s+be\s+(?:refunded|exchanged|returned|cancell?ed|changed|transferred|waived|reversed|extended|reissued|credited|"
    r"upgraded|moved|rebooked|reimbursed|honou?red|processed|accepted|removed|amended|swapped|reinstated|split|delivered|shipped|repaired|replaced)\b",
    r"\b(?:there'?s|there is) no way (?:for )?(?:i|we|me|us|to)\b",
    r"\b(?:policy|the rules|the system|our terms|the terms|the law|regulations?)\s+(?:\w+\s+)?(?:doesn'?t|does not|don'?t|do not|won'?t|will not|can'?t)\s+(?:allow|let|permit|cover)\b",
    r"\b(?:is|are|was|were) (?:a )?(?:non-?refundable|non-?transferable|final sale|not refundable)\b",
    r"\b(?:it'?s|that'?s|that is|it is)\s+(?:outside|beyond|above)\s+(?:of\s+)?(?:what|my|our)\b",
    _SS + r"no\s+(?:refunds?|exchanges?|returns?|exceptions?|cash|compensation|discounts?|credits?|can do)\b",
    r"\b(?:i|we)\s+(?:\w+\s+)?(?:have to|must|'ll have to|need to)\s+(?:decline|refuse|say no|turn down)\b",
    r"\b(?:i'?m|i am)\s+(?:afraid|sorry)\s+(?:that'?s|it'?s|that is|it is)\s+(?:a no|not possible|not something)\b",
    r"\bi wish (?:i|we) could\b|\b(?:i'?d|i would|we'?d|we would) (?:really |genuinely )?(?:love|like) to[^.!?]{0,60}?\bbut\b",
)

EXPLAIN = _c(
    r"\b(?:because|cause|cos|coz|since|due to|owing to|given that|seeing as|the reason|as per|per our|under (?:our|the))\b",
    r"(?:,|\s-)\s*as\b|\bas (?:the|it|it'?s|we|our|your|ur|this|that|they|he|she|you|there|these|those)\b(?!\s+(?:soon|well|long|much|far|good|best))",
    r"\bfor (?:\w+ )?(?:security|safety|privacy|legal|data protection|compliance|regulatory|hygiene|insurance|fraud|licensing|health) (?:reasons|purposes)\b",
    r"\b(?:policy|policies|rules?|regulations?|terms|t&cs|law|legally|by law|required|requires|require|requirement|contract|conditions|"
    r"non-?refundable|non-?transferable|final sale|fully booked|sold out|out of stock|expired|past the|outside (?:the|our)|already (?:been )?(?:used|shipped|dispatched|processed|started|departed|opened|activated|redeemed)|"
    r"only (?:allow|cover|apply|available|valid|be)|after (?:the )?\d+ days|more than \d+ days|beyond the|set by|sets? (?:that|the)|controlled by|"
    r"(?:has|have|had) (?:already )?(?:been )?(?:used|opened|activated|redeemed|shipped|dispatched|departed|started)|the (?:bank|airline|landlord|manufacturer|insurer|regulator|network|supplier))\b",
)

STONEWALL = _c(
    # explicit shut-downs
    r"\b(?:there'?s|there is|theres)\s+(?:really\s+|honestly\s+|just\s+|absolutely\s+|simply\s+|unfortunately\s+)?(?:nothing|not (?:much|a lot|anything))\s+(?:more\s+|else\s+|further\s+)?"
    r"(?:(?:i|we|anyone)\s+(?:can|could|am able to|are able to)\s+(?:do|offer|say|help)|to (?:be )?(?:do|done|say|discuss|add)|(?:i|we)\s+can)\b",
    r"\bnothing (?:more |else |further )?(?:i|we) can (?:do|offer|help|say)\b|\bnothing (?:more |else |further )?to (?:say|discuss|add)\b",
    r"\bend of (?:story|discussion|conversation|the (?:discussion|conversation|matter))\b|\bfull stop\b|\bperiod\s*[.!]*\s*$",
    r"\b(?:that'?s|this is|it'?s|the decision is|the answer is|my answer is|our decision is|my decision is)\s+(?:\w+\s+)?final\b|\bfinal answer\b",
    r"\b(?:and )?that'?s (?:that|the end of (?:it|that|the matter)|all there is to it)\b|\bit is what it is\b|\b(?:rules|policy) (?:are|is) (?:rules|policy)\b",
    r"\btake it or leave it\b|\bno exceptions?\b|\b(?:the|my|our) answer(?:'s|s| is) (?:still |just |simply )?no\b|\bmy hands are tied\b|\bno can do\b|\bnot (?:happening|gonna happen|going to happen)\b",
    r"\b(?:i'?m|i am|we'?re|we are)\s+(?:not\s+(?:able|going|willing|prepared)\s+to|unable to|done)\s+(?:discuss|talk about|go over|debate|argue about|going over|discussing)\s+"
    r"(?:this|it|that)\s+(?:any\s?(?:further|more|longer)|again)\b",
    r"\b(?:i'?m|i am|we'?re|we are) (?:not )?(?:discussing|debating) (?:this|it) (?:any ?(?:further|more))\b",
    r"\b(?:we'?re|we are|i'?m|i am) done (?:here|talking|with this)\b|\bthis (?:conversation|discussion|call|chat) is (?:over|finished|closed)\b",
    r"\b(?:decision|matter) (?:has been made|is closed|is final|stands)\b",
    r"\b(?:decision|answer|outcome|verdict|it|that|this)\s+(?:won'?t|will not|isn'?t going to|is not going to|cannot|can'?t) be (?:changed|reversed|overturned|revisited|reconsidered|appealed|undone)\b",
    r"\b(?:you'?ll|you will|you)\s+(?:just\s+)?(?:have to|need to|must)\s+(?:(?:accept|live with|deal with|put up with)\s+(?:it|that|this)|wait(?:\s+like|\s+your turn|\s*[.!]))",
    r"\bthe (?P<same>\w+)(?:'s|s| is) the (?P=same)\b|\b(?:i'?m|i am|we'?re|we are) (?:now )?(?:closing|ending|terminating) (?:this|the) (?:chat|call|conversation|case|ticket)\b(?![^.!?]*\bif\b)",
    r"\btake it up with\b|" + _SS + r"(?:(?:nope|no)[,.]?\s*)?(?:{CANT}|won'?t)\s+(?:help|do|cancel|refund|change|waive|give|offer|accept|make|sorry)\b",
    r"\b(?:we'?re|we are|i'?m|i am)\s+not\s+(?:going\s+to\s+)?(?:refund|waiv|cover|replac|compensat|credit|chang|cancel|offer|giv|extend|accept|reimburs|honou?r|reverse)\w*\s+(?:that|this|it|you|the|any)\b",
    r"\bthat'?s all (?:i|we) can (?:do|say|offer|tell you)\b",
    r"\b(?:no|not) (?:point|use) (?:in )?(?:arguing|discussing|complaining|going on)\b",
    r"\bi'?ve (?:already )?(?:given you|told you) (?:my|our|the) answer\b",
)

# "That's the policy." on its own shuts the door; after a reason it is part of the explanation.
POLICY = _c(
    r"\b(?:that'?s|it'?s|that is|it is|those are)\s+(?:just\s+|simply\s+)?(?:(?:the|our|company|store|bank|airline|hotel|\w+)\s+)?(?:policy|rules)\b(?!\s*,?\s*(?:but|though|however))",
    r"\b(?:it'?s|that'?s|it is|that is)\s+against (?:\w+ )?(?:policy|the rules)\b",
)

ESCALATION = _c(
    # escalate / escalation (negation checked)
    r"\bescalat(?:e|ed|ing|ion)\b",
    # bring in a supervisor / specialist / another team
    r"\b(?:transfer\w*|put(?:ting)?\s+(?:you|u)\s+through|pass\w*|hand\w*|refer\w*|forward\w*|connect\w*|loop\w*|bring\w*|get(?:ting)?|involv\w*|rais\w*|speak|"
    r"talk|send\w*|rout\w*|flag\w*|ask\w*|consult\w*|run (?:it|this|that) by|check with|have|request\w*|arrang\w*|book\w*|contact\w*|call|reach out to|chat with|"
    r"put\s+(?:you|u)\s+(?:in touch|on to)|get\s+(?:you|u)\s+(?:to|through to|in touch with))\s+(?:\w+\s+){0,5}?(?:to\s+|with\s+|in\s+|through to\s+|over to\s+|on to\s+|onto\s+)?"
    r"(?:a |an |the |my |our |one of (?:our|my) |your |a more |someone in (?:our|the) |someone from (?:our|the) )?"
    r"(?:(?:[\w-]+\s+)?(?:supervisor|manager)(?!\s+(?:said|says|won'?t|will not|doesn'?t|told|decided))|team ?lead(?:er)?|line manager|duty manager|floor manager|shift lead|"
    r"senior (?:\w+ )?(?:agent|advis[eo]r|colleague|engineer|technician|specialist|member|staff|manager|team|person|rep|representative)|specialists?|experts?|"
    r"escalations? team|complaints? (?:team|department|dept)|(?:technical|tech|second[- ]line|2nd[- ]line|third[- ]line|3rd[- ]line|tier[- ]?(?:2|two|3|three)|"
    r"level[- ]?(?:2|two|3|three)|resolutions?|retention|fraud|claims|billing|network|engineering|relevant|right|appropriate|back[- ]office|customer relations|"
    r"disputes?|investigations?|legal|finance|refunds?|returns?|product|development|dev|it|security|loyalty|baggage|maintenance|roaming|accounts?|"
    r"specialist|support|payments?|credit|collections|quality|head office|logistics|warehouse|delivery|repairs?|insurance|bookings?|reservations?|partnerships?) "
    r"(?:team|department|dept|desk|specialists?|colleagues?|unit|experts?|people|staff|manager|lead|engineers?|technicians?|advisors?|agents?)|"
    r"someone (?:more )?(?:senior|higher up|who specialises|who specializes|who deals|from (?:our|the) \w+ team|in (?:our|the) \w+ (?:team|department))|"
    r"a colleague (?:who|from|in|on)|higher up|my boss|the boss|head of)\b",
    r"\b(?:supervisor|manager|team ?leader|specialist|senior (?:colleague|engineer|agent|advisor))\s+(?:\w+\s+)?(?:can|could|will|to)\s+(?:call|contact|look|review|take|check|"
    r"go over|help|get|reach|join|speak|talk)\b",
    r"\b(?:manager|supervisor|team ?lead(?:er)?|specialist|senior colleague)s?\s+(?:can|could|would be able to|is able to|has the authority)\b(?!'t|\s*not)|\bbring (?:her|him|them|someone|somebody|a colleague) in\b",
    r"\bget (?:a|my|the|our|one of our) (?:supervisor|manager|team leader|specialist|senior \w+) (?:involved|on the (?:line|phone|call)|to \w+)\b",
    r"\b(?:open|raise|log|create|submit)\w*\s+(?:a|an)\s+(?:ticket|case|request|referral|complaint)\s+(?:with|for|to)\s+(?:our|the|a)\s+(?:[\w-]+\s+){0,2}?(?:team|department|specialists?|engineers?)\b",
    r"\b(?:rais|pass|refer|flag|forward|hand)\w*\s+(?:it|this|that|your \w+|the \w+)\s+(?:on\s+|over\s+)?(?:with|to)\s+(?:our|the|a)\s+(?:[\w-]+\s+)?(?:engineers?|technicians?|team|department|specialists?|experts?|management)\b",
    r"\b(?:formal|official) complaint\b|\bcomplaints? (?:process|procedure)\b",
)

FOLLOW_UP = _c(
    # "I'll call you tomorrow", "I'll check back in with you on Friday", "I'll get back to you"
    r"\b(?:{ILL}|i can|i'?d like to|let me|i'?ll be sure to|i'?ll make sure to|i will make sure to|i promise to|{WELL}|i'?ll personally|someone from (?:my|our) team will|"
    r"i will personally|we can|i'?ll also|i will also|i'?ll then|i'?ll definitely|i'?ll aim to|i want to|i plan to)\s+(?:\w+\s+)?"
    r"(?:(?:call|ring|phone|email|e-mail|message|msg|text|contact|write to|reach out to|dm|buzz|ping)\s+(?:you|u)\b(?!\s+(?:on hold|through|the|a|an|your|ur|it|them|this|that|over|some|all)\b)|call (?:you\s+)?back\b|ring (?:you\s+)?back\b|"
    r"check (?:back|in|on (?:you|your|ur|it|this|things|how|the|progress))|check (?:that|whether|if|how|to see)\b[^.!?]{0,40}\b(?:later|tomorrow|again|next|after|once|in a few|on \w+day)|"
    r"follow(?:-| )?(?:up|through)|get back to (?:you|u)|reach out(?! to (?:the|our|my|them))|touch base|circle back|update (?:you|u)|drop (?:you|u) (?:a|an)|"
    r"send (?:you|u) (?:a |an )?(?:quick )?(?:update|follow-?up|progress)|keep (?:you|u) (?:posted|updated|informed|in the loop|up to date|in touch)|"
    r"let (?:you|u) know\b(?!\s+(?:that|now|right now))|be in touch|get in touch|be in contact|look in on|keep an eye|monitor|chase (?:this|it|that|them|up)|keep tabs|"
    r"keep track|give (?:you|u) a (?:call|ring|bell|shout|buzz)|come back to (?:you|u)|get in contact)",
    # "I've set a reminder to check on your case", "expect a follow-up call from me"
    r"\b(?:{IVE}|we'?ve|i|we)\s+(?:\w+\s+)?(?:set|put in|added|booked|scheduled|arranged|made) (?:a|up a|myself a) (?:reminder|callback|call-?back|follow-?up|note to (?:call|check|follow))\b",
    r"\band (?:then |also )?(?:call|ring|email|phone|text|message|contact|check in with|check back with|follow up with|get back to) (?:you|u)\b",
    r"\bkeep (?:you|u) (?:posted|updated|informed|in the loop|up to date)\b|\bcheck (?:back )?in (?:with you )?(?:on |at |by |this |next |again )?(?:{DAY}|tomorrow|later|next week|tonight|in a (?:few|couple)|this (?:afternoon|evening))\b",
    r"\bfollow-?up (?:call|email|message|text|from me)\b|\b(?:call|email|message|update) from me\b",
    r"\b(?:i|we)'?(?:ll| will) (?:\w+ )?(?:be (?:monitoring|watching|tracking|following)|stay on top of|keep (?:on|following) (?:it|this|top of))\b",
)

BOUNDARY = _c(
    r"\b(?:stop|quit|refrain from|no more|avoid|cut out)\s+(?:\w+\s+)?(?:swearing|cursing|shouting|yelling|screaming|insulting|name-?calling|calling me (?:names|\w+)|"
    r"using (?:that|this|such|offensive|abusive|bad|foul|that kind of|language like that)|(?:the |your |these |those |that |this )?(?:personal |verbal )?(?:insults|abuse|swearing|threats|attacks|comments|remarks|name-?calling|shouting)|threatening|"
    r"abusing|being (?:abusive|rude|aggressive)|raising your voice|the language)",
    r"\b(?:please |pls )?(?:{DONT}|no)\s+(?:\w+\s+)?(?:swear|swearing|curse|cursing|shout|shouting|yell|yelling|scream|insult|threaten|call me|speak to me like|talk to me like|"
    r"use (?:that|this|such|bad|foul|offensive|abusive) (?:kind of |sort of )?(?:language|tone|word|words)|raise your voice|personal attacks|abuse)\b",
    r"\bkeep (?:this|the|our|it|things|your language|the language|the conversation|this conversation|the call|this call|this chat|the chat|your tone|the tone|us)\s+"
    r"(?:\w+\s+)?(?:respectful|civil|polite|professional|calm|courteous|clean|constructive|friendly)\b",
    r"\b(?:this|that|such|your|the|abusive|offensive|foul|bad|inappropriate|that kind of|this kind of)\s+(?:language|tone|behaviou?r|abuse|insults?|threats?|comments?|remarks?|swearing|shouting)"
    r"\s+(?:is|are|isn'?t|aren'?t|won'?t|will not|is not|are not|doesn'?t|does not)\s+(?:\w+\s+)?(?:ok|okay|acceptable|appropriate|tolerated|necessary|needed|helping|help|going to help|"
    r"allowed|fine|on|get us|productive|called for|accepted)\b",
    r"\b(?:i|we)(?:'m|'re| am| are)?\s+(?:won'?t|will not|can'?t|cannot|{DONT}|not going to|not gonna|not|refuse to)\s+(?:\w+\s+)?(?:(?:accept|allow)\s+(?=being|that|this|abuse|abusive|threats|insults|"
    r"swearing|shouting|personal|rude|that kind|this kind|language|you to|anyone to|people to|staff)|tolerate|stand for|put up with|take (?=abuse|insults|threats|that language|being)|"
    r"be spoken|be talked|be shouted|be sworn|be called|be insulted|be abused|be threatened|continue (?:if|while|when|with (?:this|that) language)|keep going if|"
    r"help you if you|engage with|respond to (?:threats|insults|abuse|that language|swearing)|listen to (?:threats|insults|abuse|swearing))\b(?!\s+(?:returns|refunds|that request|this request|cash|cards|payment))",
    r"\b(?:end|terminate|disconnect|close|finish)\s+(?:the|this|our)\s+(?:call|chat|conversation|session)\s+(?:if|unless|should)\b",
    r"\bif (?:(?:the|you|this|that|your) )?(?:\w+ ){0,2}?(?:abuse|swearing|shouting|insults?|threats?|language|yelling|name-?calling|continue|carry on|keep|tone)\w*\s+(?:\w+\s+)?"
    r"(?:continues?|carr(?:y|ies) on|persists?|doesn'?t stop|don'?t stop|swearing|shouting|insulting|yelling|calling|like that|that way)",
    r"\b(?:abusive|offensive|inappropriate|foul|disrespectful|threatening|aggressive) (?:language|comments|behaviou?r|remarks|tone|messages?)\b",
    r"\b(?:need|ask|want|would like|i'?d like|we'?d like)\s+(?:you|u|us)\s+to\s+(?:\w+\s+)?(?:keep|stay|be|remain|speak|stop|lower|calm)\s+(?:\w+\s+)?(?:respectful|civil|polite|courteous|"
    r"swearing|shouting|your voice|the language|this respectful)\b",
    r"\b(?:need|want|ask|would like)\s+(?:the|your|this|that|these|those)\s+(?:\w+\s+)?(?:comments|insults|swearing|language|abuse|shouting|threats|name-?calling|remarks|attacks)\s+to\s+(?:stop|end)\b",
    r"\b{ABUSE}\s+(?:\w+\s+){0,2}?(?:won'?t|will not|isn'?t|is not|aren'?t|are not|doesn'?t|does not|don'?t|do not)\s+(?:going to\s+)?(?:\w+\s+)?(?:help|get (?:us|you|anyone) anywhere|"
    r"solve|fix|change|speed|okay|ok|acceptable|appropriate|tolerated|necessary|make|get (?:\w+\s+){0,2}?(?:sorted|fixed|resolved|done|anywhere|faster|quicker))\b",
    r"\b(?:drop|stop|cut out|lose|quit|leave out|hold off on|enough with|enough of|no more)\s+(?:the|your|all the|these|those)\s+(?:\w+\s+)?(?:insults|abuse|swearing|threats|attitude|name-?calling|personal (?:comments|attacks|remarks))\b",
    r"\b{ABUSE}\s+(?:needs?|has|have|must|is going|are going|got)\s+(?:to\s+)?(?:stop|end|cease)\b",
    r"\bmind your language\b|\blower your voice\b|\btone it down\b|\blanguage like that\b|\btalk to me like that\b|\bspeak to me like that\b",
    r"\bnot (?:okay|ok|acceptable|appropriate|fair) to (?:speak|talk|shout|swear|call|insult|threaten|yell)\b",
    r"\b(?:treat|speak to|talk to) (?:me|each other|our staff) with respect\b|\bmutual respect\b|\bwith (?:some )?respect\b(?=[^.!?]*\b(?:help|sort|fix|resolve)\b)",
)

BLAME = _c(
    r"\b{YOU}\s+(?:really\s+|clearly\s+|obviously\s+|just\s+|probably\s+|simply\s+)?(?:should(?:'ve| have)|shouldn'?t have|ought to have|needed to|were supposed to|"
    r"was supposed to|were meant to|had to have|should not have)\s+"
    r"(?!(?:received|recieved|got|gotten|been (?:sent|given|offered|told|notified|informed|refunded|contacted|charged|credited)|had to|had|seen (?:a|an|the) (?:email|text|message|confirmation|refund|credit)|a (?:refund|email))\b)",
    r"\b{YOU}\s+(?:must|might|may|could|probably|likely|clearly|obviously|evidently|apparently|possibly|perhaps)(?:'ve|\s+have|\s+'ve|\s+not\s+have|n'?t\s+have)?\s+(?:just\s+|accidentally\s+|also\s+)?"
    r"(?:typed|entered|put|missed|forgot|forgotten|deleted|dropped|broke|broken|damaged|ignored|misread|misunderstood|mistyped|misplaced|lost|clicked|selected|chose|chosen|"
    r"picked|skipped|overlooked|used|installed|set|changed|spilled|spilt|left|pressed|hit|confused|mixed|not|didn'?t|did not|never|wrong|incorrectly|unsubscribed|"
    r"opted|cancelled|turned|switched|disabled|blocked|agreed|signed|ticked|booked the wrong|ordered the wrong|given us|provided|misspelled|misspelt)\b",
    r"\bif {YOU}(?:'d| had| would have|'d have|d)\s+(?:just\s+|only\s+|actually\s+|bothered to\s+|simply\s+)?(?:read|checked|followed|paid|called|looked|updated|listened|kept|"
    r"contacted|told|informed|booked|saved|returned|cancelled|arrived|come|registered|used|installed|selected|chosen|picked|entered|provided|double-checked|backed|taken|"
    r"done|been|asked|reported|given|filled|submitted|turned up|shown up|answered|responded|opened|noticed|logged|ordered|measured|packed|not)\b",
    r"\b(?:would(?:n'?t| not)|could(?:n'?t| not)|might(?:n'?t| not))\s+have\s+(?:happened|been (?:avoided|prevented|an issue|a problem))\b[^.!?]{0,40}\bif {YOU}\b",
    r"\b(?:that'?s|this is|it'?s) what happens (?:when|if) {YOU}\b",
    r"\b(?:it'?s|it is|that'?s|that is|this is|it was|that was|this was|its|thats|was|is)\s+(?:all\s+|entirely\s+|completely\s+|really\s+|totally\s+|kind of\s+|honestly\s+|clearly\s+|"
    r"solely\s+|ultimately\s+|actually\s+)?{YOUR}\s+(?:own\s+)?(?:fault|responsibility|problem|mistake|error|issue|doing|choice|lookout|bad|own doing)\b",
    r"\b{YOUR}\s+(?:own\s+)?fault\b",
    r"\b(?:{YOU}\s+(?:were|are|was)|{YOURE})\s+the\s+one\s+(?:who|that)\b",
    r"\b{YOU}\s+(?:clearly\s+|obviously\s+|just\s+|simply\s+|evidently\s+|apparently\s+)?(?:didn'?t|did not|failed to|forgot to|neglected to|never|haven'?t|have not|don'?t|do not)\s+"
    r"(?:even\s+|actually\s+|bother to\s+|properly\s+|fully\s+)?(?:read|follow|check|tell|mention|inform|notify|update|pay|register|save|back up|select|specify|provide|call|"
    r"contact|let us know|cancel|return|sign|submit|confirm|activate|keep|look|include|fill|click|install|listen|ask|report|turn up|show up|answer|respond|attach|"
    r"double-check|measure|enter|give us|put|use the|charge|plug)\b",
    r"\b{YOU}\s+(?:clearly\s+|obviously\s+|must have\s+|evidently\s+)?(?:misread|misunderstood|mistyped|misentered|ignored|overlooked|forgot|skipped)\b",
    r"\b{YOU}\s+(?:(?:just|also|then|clearly|obviously)\s+)?(?:broke|damaged|spilled|spilt|cracked|deleted|entered the wrong|typed the wrong|gave us the wrong|booked the wrong|ordered the wrong|"
    r"picked the wrong|chose the wrong|selected the wrong|sent us the wrong|used the wrong)\b",
    r"\b{YOU}\s+(?:(?:somehow|actually|really|even)\s+)?managed to\s+(?:\w+\s+)?(?:break|crack|lose|delete|lock|damage|drop|smash|miss|forget|ruin|void|block|spill|mess)\w*",
    r"\b(?:clearly|obviously|evidently)\s+{YOU}\s+(?:weren'?t|wasn'?t|didn'?t|did not|were not|haven'?t|never|forgot|missed|ignored)\b",
    r"\bdid {YOU}\s+(?:even|actually|really|not even|ever)\s+(?:\w+\s+)?(?:read|look|check|call|try|charge|follow|bother|open|plug|test|turn|install|update|register|save|back)\w*",
    r"\bhave {YOU}\s+(?:tried\s+)?(?:actually|even)\s+(?:tried\s+)?\w+",
    r"\b{YOU}\s+(?:did|do)\s+(?:pick|choose|select|book|order|opt for|agree|sign|tick|click|buy)\b",
    r"\b{YOU}\s+(?:chose|picked|selected|opted for|went (?:for|with)|booked|ordered|bought)\s+(?:the\s+)?(?:slowest|cheapest|basic|non-?refundable|wrong|standard|economy|budget)\b",
    r"\b{YOU}\s+(?:agreed|signed up|consented)\s+to\s+(?:it|this|that|them|these|those)\b",
    r"\b(?:another|one more)\s+(?:one|person|customer|genius|guy|caller|user)\s+who\s+(?:can'?t|cannot|couldn'?t|doesn'?t|didn'?t|won'?t|never)\s+(?:\w+\s+)?(?:read|follow|check|listen|understand|use)\b",
    r"\b\w+ing\s+(?:a |an |the |your |ur )?(?:[\w-]+\s+){0,3}?(?:is|was)\s+(?:so|really that|that|too)\s+(?:hard|difficult|complicated|tricky)\b",
    _SS + r"(?:no|nope|nah)[,.!]?\s+{YOU}\s+(?:(?!promised|told|offered|guaranteed|quoted|charged|billed)\w+ed|chose|picked|bought|paid|gave|made|sent)\b",
    r"\b(?:job|work|going|effort|one)\s+(?:on\s+)?(?:breaking|losing|deleting|dropping|smashing|cracking|ruining|forgetting|missing|locking|ignoring|voiding|damaging)\b",
    r"\blike the (?:guide|manual|instructions|email|website|terms|leaflet|label|sign) (?:says|said|tells you|told you|clearly says)\b",
    r"\b{YOU}(?:'ve| have)\s+(?:\w+\s+)?(?:broken|damaged|cracked|smashed|ruined|voided|deleted|wiped|bricked)\s+(?:it|them|the|your|ur|this|that)\b",
    r"\b{YOU}(?:'ve| have)?\s+(?:somehow\s+|just\s+)?locked\s+(?:yourself|the|your|ur)\b(?=[^.!?]*\bagain\b)",
    r"\b{YOU}(?:'ve| have)?\s+(?:already\s+|clearly\s+|obviously\s+)?(?:used|worn|opened|activated|redeemed|downloaded|consumed|eaten|had)\s+(?:it|them|the|this|that|your|ur)\b"
    r"(?=[^.!?]{0,30}\b(?:for|already|months?|weeks?|years?|so|which)\b)",
    r"\b(?:perhaps|maybe)\s+(?:next time,?\s+)?(?:try\s+)?(?:read|check|look at|follow|pay attention|make sure|remember|don'?t)\b|\bnext time,?\s+(?:try\s+(?:to\s+)?)?(?:read|check|pay attention)\b",
    r"\b{YOU}\s+(?:\w+ed|did|set|made|chose|picked|deleted|cancell?ed|changed|turned|switched)\b[^.!?]{0,30}?\byourself\b",
    r"\buser error\b|\boperator error\b|\bthat'?s on {YOU}\b",
    r"\bwhy (?:on earth |the hell |exactly )?(?:didn'?t|did not|don'?t|wouldn'?t|haven'?t|weren'?t) {YOU}\s+(?:just\s+|simply\s+)?\w+",
    r"\b(?:was|were|had|happened)\s+(?:\w+\s+){0,3}?when\s+{YOU}\s+(?:returned|brought|sent|dropped|handed|gave|had|used)\b",
    r"\b{YOU}\s+(?:used|did|set|installed|entered|typed|put|plugged|filled|wired|assembled|configured)\s+(?:it|this|that|them|the \w+|your \w+|in)\s+(?:\w+\s+)?(?:wrong|wrongly|incorrectly|in wrong|the wrong way)\b",
    r"\b(?:it|that|this)(?:'s| is| was)\s+(?:clearly\s+|all\s+|plainly\s+)?(?:stated|written|explained|mentioned|listed|printed|shown)\s+(?:in|on)\s+(?:the|our|your)\b",
    r"\b{YOU}\s+(?:agreed|signed up|accepted|consented)\s+to\s+(?:the|these|those|our)\s+(?:terms|t&cs|conditions|contract|policy)\b",
    r"\b{YOU}\s+(?:chose|picked|selected|opted for|went for|decided)\b(?=[^.!?]{0,40}\b(?:non-?refundable|cheapest|basic|yourself|so)\b)",
)

DEFENSIVE = _c(
    r"\bnot (?:really |exactly |actually |technically |strictly )?(?:my|our|me|us)\s+(?:fault|problem|mistake|responsibility|department|decision|call|doing|area|job|issue|policy|"
    r"concern|remit|system|rule|rules|choice|fault here|problem here|error)\b",
    r"\b(?:isn'?t|wasn'?t|aren'?t|weren'?t)\s+(?:really\s+|exactly\s+|actually\s+)?(?:my|our)\s+(?:fault|problem|mistake|responsibility|department|decision|call|doing|area|job|error)\b",
    r"\bnot (?:on )?(?:me|us|ours)\s*(?:[.!,;]|$|\s*-)",
    r"\b(?:i|we) (?:just|only) work here\b",
    r"\b(?:i'?m|i am|we'?re|we are) (?:just|only) (?:the messenger|doing (?:my|our) job|following (?:the |our |company )?(?:orders|instructions|policy|procedure|protocol|rules|process|system|script|guidelines|what)|"
    r"(?:an?|the) (?:agent|advis[eo]r|call centre|call center|customer service|phone|chat) \w*|a (?:small|little) cog)\b",
    r"\b(?:i|we) (?:{DONT}|didn'?t|did not) (?:make|set|write|create|decide|control) (?:the )?(?:rules|policy|policies|prices|pricing|decisions|terms|the rules)\b",
    r"\b(?:i|we) (?:{DONT}|do not|didn'?t|did not) (?:control|run|own|manage|have control over|have any control over) (?:the|that|their|those|what)\b",
    r"\bnothing to do with (?:me|us|our|my)\b|\b(?:out of|beyond|outside (?:of )?)(?:my|our) (?:hands|control)\b",
    r"\b(?:there was |there'?s )?nothing (?:i|we) could (?:have )?(?:done|do)\b(?=[^.!?]*\b(?:was|were|had|happened|yesterday|last|weather|system|courier|then)\b)|\bnothing (?:i|we) could have done\b",
    r"\b(?:i|we)(?:'re|'m| are| am|'ve been| have been| were| was)\s+(?:\w+\s+)?(?:(?:very|really|so|extremely|incredibly|super|quite|rather|absolutely|completely|crazy|mad|insanely)\s+)?"
    r"(?:busy|short[- ]?staffed|understaffed|under-?staffed|swamped|slammed|snowed under|overwhelmed|inundated|stretched|flat out|run off our feet|short of staff|down (?:two|\d) (?:people|agents|staff))\b",
    r"\b(?:it'?s|it is|it'?s been|it has been|things are|things have been)\s+(?:\w+\s+)?(?:busy|hectic|chaotic|manic|crazy|mad)\s+(?:here|today|this week|lately|at the moment|right now|in here)\b",
    r"\b(?:we'?ve had|we have had|we'?re getting|we are getting|there'?s been|there have been|there are|we'?ve got)\s+(?:such\s+)?(?:a lot of|loads of|so many|a huge number of|lots of|a flood of|a surge (?:of|in)|a backlog of|a ton of|tons of)\s+(?:\w+\s+)?(?:calls|customers|orders|complaints|requests|people|enquiries|inquiries|chats|tickets)\b",
    r"\bhigh (?:call |contact |chat )?volumes?\b|\b(?:everyone|everybody|all customers)(?:'s| is| are)\s+(?:\w+\s+)?(?:getting the same|waiting|in the same)\b",
    r"\b(?:that'?s|that is|it'?s|it is|that would be|that'?s handled by|handled by|that'?s for|that belongs to|that falls under)\s+(?:a |the |an )?(?:different|another|other|separate|wrong)\s+"
    r"(?:department|team|dept|company|section|division|part of the business)\b",
    r"\b(?:i|i personally)\s+(?:{DONT}|don'?t)\s+(?:handle|deal with|do|cover|look after|manage|process|work in|work on)\s+(?:that|those|this|these|refunds|billing|complaints|returns|it|"
    r"that side|that department|bookings|claims)\b",
    r"\b(?:i|we)\s+(?:wasn'?t|was not|weren'?t|were not)\s+(?:the one|working|on shift|here|there|involved|responsible|told|informed|aware)\b",
    r"\bi\s+(?:didn'?t|did not)\s+(?:process|handle|take|make|set up|place|book|sell|ship|do|cause|write|create|deal with)\b",
    r"\bthe (?:previous|last|other|first|earlier|original) (?:agent|advis[eo]r|person|colleague|rep|representative|operator|guy|girl|team|shift|staff member|technician|engineer)\b"
    r"(?:\W+\w+){0,3}?\W+(?:should|shouldn'?t|did|didn'?t|was|made|told|gave|promised|messed|got|must|set|put|forgot|failed|never|is to blame)",
    r"\b(?:that'?s|that is|it'?s|it is|it was|that was|they'?re|they are)\s+(?:the\s+|your\s+)?(?:courier|carrier|delivery (?:company|driver|firm|partner)|post office|postal service|"
    r"manufacturer|bank|airline|airport|supplier|vendor|warehouse|third[- ]party|system|computer|software|weather|network provider|payment provider|card issuer|kitchen|"
    r"driver|landlord|council|government|royal mail|ups|fedex|dhl|usps|retailer|shop|store|app store|provider|insurer|developer|partner|franchise|agency|restaurant|hotel|"
    r"tour operator|travel agent|other company|other team|head office|it department|engineers?|contractor)(?:'?s)?\s+(?:own\s+)?(?:fault|problem|responsibility|issue|mistake|doing|to blame|"
    r"department|call|decision|end|side)\b",
    r"\b(?:the|our|your|their)\s+(?:courier|carrier|delivery (?:company|driver|firm|partner)|post office|postal service|manufacturer|bank|airline|airport|supplier|vendor|"
    r"warehouse|third[- ]party|system|computer|software|weather|payment provider|card issuer|driver|network|contractor|app|website)\s+(?:\w+\s+){0,2}?"
    r"(?:lost|messed|caused|broke|failed|crashed|went down|was down|is down|screwed|mixed up|made|did|glitched|won'?t let|doesn'?t let|wouldn'?t let|doesn'?t allow|won'?t allow|"
    r"is to blame|are to blame|dropped|delayed|sent)\b(?=[^.!?]*(?:\bnot (?:us|me|ours|our)\b|\bout of\b|\bbeyond\b|\bnothing (?:i|we)\b|\bcan'?t\b|\bso\b|\bwhich\b|\bthat'?s why\b|\bnot my\b|\bnot our\b))",
    r"\bthe system (?:won'?t|doesn'?t|wouldn'?t|will not|does not|would not) (?:let|allow) (?:me|us)\b|\bthe system (?:did|does|decides|makes|made) (?:it|that|this)\b",
    r"\b(?:i|we) can only (?:do|go by|work with|tell you|see) what\b|\bi'?m (?:just )?following (?:what|the|orders|procedure|policy|protocol|instructions)\b",
    r"\bnot (?:up|down) to (?:me|us)\b|\b(?:you'?ll|you will|you)\s+(?:have to|need to|should)\s+(?:take (?:it|that|this) up|complain|speak|talk|contact|call|go)\s+(?:with|to)\s+(?:the|your)\s+"
    r"(?:courier|carrier|bank|manufacturer|airline|airport|supplier|post office|card issuer|landlord|council|delivery company|retailer|store|other)\b",
    r"\b(?:blame|take it up with|complain to) (?:the|your|them)\b",
    r"\bnot (?:going to|gonna) apologi[sz]e for\b|\bwon'?t apologi[sz]e for\b|\b(?:i|we) (?:did|were) (?:just|only) (?:doing|following)\b",
    r"\b(?:how|why) (?:would|was|were|should) (?:i|we) (?:have )?(?:know|known|supposed to know|expected to know)\b",
    r"\b(?:i|we) (?:can'?t|cannot) be (?:held )?(?:responsible|blamed|accountable)\b|\b(?:i'?m|i am|we'?re|we are) not (?:responsible|liable|accountable) for\b",
    r"\bnot my problem\b|\bnot our problem\b",
    r"\bi(?:'ve| have)?\s+(?:only|just)\s+(?:started|joined|been here)\b|\b(?:i'?m|i am)\s+(?:(?:only|just|quite|really)\s+)?new\s+(?:here|to this|in this|in the job)\b",
    r"\b(?:wasn'?t|was not|isn'?t|is not|weren'?t|were not)\s+(?:our|us|me|my|we)\b(?:\s+[\w-]+)?\s+(?:who|that)\s+(?:caused|did|broke|damaged|lost|made|messed|dropped)\b",
    r"\b(?:isn'?t|is not|wasn'?t|was not|not)\s+(?:really\s+|exactly\s+|strictly\s+)?on (?:us|me)\b|\bnot (?:really )?(?:down to|on) (?:us|me)\b",
    r"\b(?:i|we)\s+(?:just|only)\s+(?:sell|sold|book|booked|take|took|handle|process|processed|pass on|deliver|resell|work|provide|host|list)\b",
    r"\b(?:we'?re|we are|i'?m|i am)\s+(?:just|only)\s+(?:the|a)\s+(?:booking agent|agent|platform|reseller|middleman|middle man|marketplace|retailer|messenger|broker|franchise|call centre|call center)\b",
    r"\b(?:we'?re|we are)\s+(?:only\s+|just\s+)?a\s+(?:small|tiny|new|busy)\s+(?:team|business|company|shop|firm|office)\b|\b(?:new|trainee|temporary) staff\b|\bmistakes (?:happen|do happen|were made)\b",
    r"\b(?:is|was|were|are|that'?s|it'?s|has been|have been)\s+(?:being\s+)?caused by\s+(?!(?:our|us|me|my|an error on our)\b)(?:the\s+|a\s+|some\s+)?\w+",
    r"\b(?:is|are|was|were)\s+(?:a\s+)?(?:separate|different|third[- ]party|independent|external)\s+(?:company|business|firm|provider|organisation|organization|team)\b",
    r"\b(?:there'?s|there is|there was) nothing wrong (?:on|at|with) (?:our|my) (?:side|end|part|system|network|equipment)\b|\bnothing wrong on our (?:side|end)\b",
    r"\b(?:was|were|has been|have been)\s+(?:done|handled|fitted|installed|packed|shipped|processed|fixed|repaired|set up|delivered)\s+(?:perfectly\s+|completely\s+)?(?:properly|correctly|right|fine|by the book)\b",
    r"\b(?:not|never) (?:going to|gonna) (?:apologi\w+|say sorry)\b|\bwon'?t (?:be )?(?:apologi\w+|saying sorry)\b",
)

DISMISSIVE = _c(
    r"\b(?:calm|settle|simmer|cool|chill) (?:down|out)\b|\bchill\b(?!ed|i)|\brelax\b(?!ed|ing|ation)|\b(?:take|have) a (?:deep )?breath\b|\bdon'?t panic\b|\bget a grip\b",
    r"\b(?:no|not (?:a|such a|that (?:much )?(?:of )?a|really a|that|even a|exactly a))\s+(?:big|huge|massive|major|serious|real)\s+(?:deal|problem|issue|thing|drama)\b|\bno biggie\b",
    r"\bnot the end of the world\b|\bhardly (?:a )?(?:disaster|crisis|tragedy|emergency|big deal|the end)\b",
    r"\b(?:it'?s|that'?s|it is|that is|its|thats|it was|this is)\s+(?:really\s+|honestly\s+|seriously\s+|just\s+)?not (?:that|so|really|even|all that) (?:bad|serious|important|terrible|awful|much|"
    r"expensive|a lot|long|big|hard|difficult|complicated|urgent|dramatic)\b",
    r"\b(?:it'?s|it is|that'?s|that is|its|thats|it was|that was)\s+(?:only|just|merely|literally|simply)\s+(?:a|an|one|two|three|\d+|\$|£|€|a few|a couple|some|ten|five|minor|small|tiny|"
    r"little|cosmetic)\b",
    r"\b(?:only|just) (?:a|one) (?:small|tiny|minor|little|few|slight) (?:scratch|thing|issue|delay|problem|mark|dent|fee|charge|amount|inconvenience|glitch|hiccup|blip|error|dollars?|pounds?|minutes?)\b",
    r"\b(?:{YOURE}|you'?re being|you are being|stop being|don'?t be)\s+(?:(?:a bit|a little|really|way|so|too|very|being|just|quite|rather|kind of|bit)\s+){0,3}"
    r"(?:over-?reacting|overly \w+|dramatic|hysterical|emotional|sensitive|touchy|paranoid|exaggerating|unreasonable|silly|petty|picky|fussy|precious|making a|blowing)\b",
    r"\b(?:over-?reacting|blowing (?:this|it|things) (?:way )?out of proportion)\b",
    r"\b(?:making|make|made)\s+(?:(?:this|it|that|things|everything)\s+)?(?:(?:into|out to be)\s+)?(?:a\s+|an\s+|such\s+a\s+|too\s+much\s+of\s+a\s+)?(?:mountain|fuss|big deal|drama|scene|song and dance|"
    r"bigger (?:issue|deal|problem|thing)|huge (?:deal|issue)|(?:an? )?(?:issue|problem) (?:out of|of) nothing|something out of nothing|more of (?:this|it) than)",
    r"\b(?:no|there'?s no|there is no) need (?:to|for you to) (?:get|be|make|become) (?:so |this |that |all |too )?(?:upset|worked up|angry|emotional|dramatic|excited|aggressive|heated|"
    r"wound up|hysterical|annoyed|rude|a fuss|stressed|mad|huffy)\b",
    r"\b{DONT} (?:be|get) (?:so |too |all )?(?:upset|worked up|dramatic|emotional|excited|angry|wound up|hysterical|annoyed|precious|stressed|bent out of shape|huffy)\b",
    r"\b{SORRY} (?:that )?{YOU} (?:feel|felt|think|thought|see it|took it|perceive|are upset|'re upset|are unhappy|'re unhappy|were offended|are offended|'re offended|found|"
    r"see things|feel like|view)\b",
    r"\b{SORRY}\s+if\s+(?:{YOU}|this|that|anything|my|it|i)\b",
    r"\b(?:these|such) things (?:happen|do happen)\b|(?<!when )(?<!if )(?<!before )(?<!after )(?<!whenever )\b(?:it|stuff|things|shit) happens\s*(?:[.!,]|$)|\bthat'?s life\b",
    r"\b(?:most|other|many|plenty of|lots of|all our other|every other)\s+(?:of our\s+)?(?:customers|people|guests|users|clients|passengers|members|callers)\s+(?:\w+\s+){0,2}?"
    r"(?:{DONT}|never|wouldn'?t|haven'?t|didn'?t|aren'?t|are fine|are happy|manage|cope|seem (?:fine|happy)|have no (?:problem|issue)|wouldn'?t even)\b",
    r"\b(?:nobody|no one|no-one) (?:else )?(?:will|would|else|ever|has|is|even) (?:\w+ )?(?:notice|mind|care|complain|complained|noticed)\b",
    r"\blet'?s not (?:be|get) (?:\w+ )?(?:dramatic|emotional|carried away|worked up|hysterical|silly|excited)\b",
    r"\b(?:get|move) over it\b|\b(?:just )?move on\b|\byou'?ll (?:survive|live|be fine|get over it)\b",
    r"\b(?:i )?(?:{DONT}|don'?t) (?:see|know|understand) (?:what|why) (?:the (?:big deal|problem|fuss|issue) is|you'?re (?:so |this |that )?(?:upset|angry|annoyed|worked up|complaining|making)|"
    r"you are (?:so )?(?:upset|angry|annoyed|complaining)|this is (?:such )?a (?:big deal|problem))\b",
    r"\bwhat'?s the (?:big )?(?:deal|fuss)\b|\bit'?s (?:not|hardly) (?:a |the )?(?:disaster|emergency|crisis|tragedy)\b|\bno harm done\b|\bit'?s nothing\b",
    r"\bat least (?:you|it|they)(?:'?s| is| are| got| have|'ve| still| didn'?t| wasn'?t)\b",
    r"\b(?:honestly|frankly|really),? (?:it|that)(?:'s| is) (?:not|nothing|just|only)\b(?=[^.!?]*\b(?:minor|small|deal|worry|fuss|bad|much)\b)",
    r"\bthere'?s (?:really )?no (?:reason|need) to (?:be|get|feel) (?:upset|angry|annoyed|worried|stressed|so)\b",
    r"\b(?:it|that|this) (?:really )?(?:doesn'?t|does not|shouldn'?t) (?:really )?matter\b|\bwho cares\b|\bso what\s*[?!]",
    r"\b(?:it'?s|that'?s|it is|that is|it was)\s+(?:only\s+|just\s+|literally\s+|like\s+)?(?:a|an|one|two|three|four|five|ten|\d+)\s+(?:\w+\s+)?(?:euros?|dollars?|pounds?|cents?|pence|quid|bucks?|"
    r"minutes?|mins?|seconds?|hours?|days?)\s+(?:difference|delay|wait|charge|fee|thing|late|early|out)\b",
    r"\b(?:not|nothing|hardly) worth (?:worrying|getting (?:upset|worked up|angry|stressed)|stressing|complaining|making a fuss|fussing|losing sleep)\b",
    r"\b(?:it'?s|that'?s|it is|that is)\s+(?:just\s+|only\s+)?a\s+(?:tiny|teeny|minor|little|small)\s+(?:dent|scratch|mark|scuff|chip|crease|stain|delay|difference|thing|glitch|blip)\b",
    r"\bwhat (?:did|do|were) (?:you|u) expect(?:ing)?\b|\bnot sure what (?:you|u) expected\b|\bwhat (?:you|u) expect(?:ed)? (?:for|from|at|with) (?:that|the|this)\b",
    r"\b(?:on purpose|deliberately|intentionally|just) to (?:annoy|upset|spite|inconvenience|punish|bother) (?:you|u)\b|\b(?:out to get|conspiracy against) (?:you|u)\b",
    r"\b(?:you'?ll|you will|you)\s+(?:just\s+)?(?:have to|need to|must)\s+wait\s+like\s+every(?:one|body)\s+else\b|\blike every(?:one|body) else\b",
)

ARGUE = _c(
    r"\b(?:that'?s|that is|this is|it'?s|it is|thats|its|that was|this was|which is|which isn'?t|that isn'?t|this isn'?t)\s+(?:simply\s+|just\s+|absolutely\s+|completely\s+|totally\s+|"
    r"definitely\s+|actually\s+|really\s+|certainly\s+|clearly\s+|entirely\s+|frankly\s+|quite\s+)?(?:not (?:true|correct|accurate|the case|what happened|how (?:it|this|that) "
    r"(?:works|worked|happened)|what (?:i|we|the \w+|our \w+|you were|was) (?:said|told|say|agreed|promised|offered))|untrue|incorrect|inaccurate|false|wrong|a lie|not so|"
    r"rubbish|nonsense|ridiculous|absurd|not right(?=\s*[,.;-]\s*(?:our|the|you|it|we|i)\b))\b",
    r"\bthat(?:'s| is| was)?\s+(?:never|not)\s+(?:happened|been the case|what happened)\b|\bthat (?:didn'?t|did not|never) happen\b",
    r"\b{YOURE}\s+(?:simply\s+|just\s+|completely\s+|totally\s+|quite\s+|absolutely\s+)?(?:wrong|mistaken|incorrect|confused|misremembering|misinformed|remembering (?:it |that |this )?wrong|"
    r"not (?:right|correct)|making (?:that|this|it) up|lying)\b",
    _SS + r"(?:no|nope|nah|no no)[,.!]?\s+(?:that'?s|that is|thats|it'?s|it is|it was|it wasn'?t|it didn'?t|it isn'?t|you|u|we|we'?ve|our|the|i|i'?ve|they|there|he|she|this)\b"
    r"(?!\s*(?:problem|worries|need|can'?t|cannot|won'?t|don'?t|do not|are not able|'re not able|'m afraid|'m sorry|am sorry|apologi[sz]e|fine|ok|okay|alright|all good|great|perfect|"
    r"understand|hear)\b)",
    r"\b(?:actually|in fact|as a matter of fact|to be fair|technically),?\s+{YOU}\s+(?:did|do|were|are|have|had|agreed|signed|received|got|already|never|didn'?t|weren'?t|haven'?t|"
    r"was|opened|used|ordered|booked|chose|accepted|confirmed)\b",
    r"\b(?:actually|in fact|as a matter of fact),?\s+(?:we|the \w+|our \w+|it|that|this|they|he|she)\s+(?:did|didn'?t|never|was|wasn'?t|were|weren'?t|has|hasn'?t|had|hadn'?t|does|"
    r"doesn'?t|is|isn'?t|do|don'?t)\s+(?:not\s+)?(?:\w+\s+)?(?:delivered|sent|arrive|arrived|charge|charged|received|opened|shipped|included|stated|displayed|shown|clear|clearly|"
    r"correct|accurate|right|there|on time|already|never|email|call|deliver|tell|say|inform|notify|wait|knock|attempt|try)\b",
    r"\bwith (?:all )?(?:due )?respect,?\s+(?:you|u|we|the|that|it|our|they|i|this|he|she|your)\b",
    r"\bi (?:{DONT}|don'?t) (?:think|believe) (?:that'?s|that is|that was|it was|it'?s|this is)\s+(?:\w+\s+)?(?:right|correct|true|accurate|what happened|the case|how it)\b|"
    r"\bi (?:{DONT}|don'?t|can'?t|cannot) agree\b|\bi disagree\b|\bi beg to differ\b",
    r"\b(?:our|the|my)\s+(?:records?|system|logs?|notes|tracking|account history|data|cctv|footage|gps|screen|history)\s+(?:\w+\s+)?(?:clearly\s+|definitely\s+|plainly\s+)?"
    r"(?:show|shows|showed|say|says|said|indicate|indicates|confirm|confirms|state|states|prove|proves|tell|tells)\s+(?:\w+\s+){0,3}?(?:otherwise|different|you|it was|the|that|nothing|no)\b"
    r"(?=[^.!?]*\b(?:delivered|received|opened|signed|agreed|did|was|were|never|no|on time|otherwise|correct|only|one|already|attempted|collected)\b)",
    r"\b{YOU}\s+(?:were|was)\s+(?:never|not)\s+(?:promised|told|offered|charged|guaranteed|given|quoted|sold|double-charged|billed)\b",
    r"\b(?:we|i|nobody|no one|no-one|our \w+|the \w+)\s+(?:never|definitely (?:didn'?t|did not|never)|certainly (?:didn'?t|did not|never)|would never)\s+(?:\w+\s+)?"
    r"(?:say|said|promise|promised|agree|agreed|tell|told|charge|charged|offer|offered|guarantee|guaranteed|quote|quoted|confirm|confirmed|received|receive)\b",
    r"\b(?:i|we)\s+(?:didn'?t|did not)\s+(?:say|promise|tell you|agree|offer|guarantee)\b(?!\s+(?:that\s+)?(?:sooner|earlier|clearly|properly|enough|in time))",
    r"\b{YOU}\s+(?:did|do|definitely|certainly|clearly|actually)\s+(?:\w+\s+)?(?:receive|received|get|got|sign|signed|agree|agreed|open|opened|use|used|accept|accepted|book|booked|"
    r"order|ordered|collect|collected|confirm|confirmed|click|clicked|tick|ticked|have)\b(?!\s+(?:a|an|the)?\s*(?:chance|moment|minute|second|look|number|account|order number))",
    r"\b(?:the|our|my)\s+(?:\w+\s+){0,2}?did\s+(?:wait|arrive|send|deliver|call|try|knock|come|email|show|turn up|leave|attempt|ring|text|notify|inform|include|mention|explain)\b",
    r"\bthe (?:price|fee|charge|terms|policy|cost|rate|total|information|restriction|condition|details|dates?)s?\s+(?:was|were|is|are)\s+(?:\w+\s+)?(?:clearly|plainly|explicitly|very clearly)\s+"
    r"(?:displayed|stated|shown|listed|marked|explained|advertised|written|printed|visible)\b",
    r"\bthat'?s (?:just |simply )?not how (?:it|this|that|things) works?\b|\bthat(?:'s| is|s)? (?:not|isn'?t|wasn'?t) what (?:i|we|the \w+|our \w+) (?:said|told|meant|say|says|show|shows|showed)\b",
    r"\b{YOU}\s+(?:weren'?t|were not|haven'?t been|have not been|wasn'?t|was not)\s+(?:\w+\s+)?(?:charged|billed|double-charged|overcharged|promised|told|sent|debited|cut off|disconnected)\b",
    r"\b(?:nobody|no one|no-one|none of us|we never|i never)\s+(?:ever\s+)?(?:told|said|promised|offered|agreed|guaranteed|quoted)\b",
    r"\b(?:actually|in fact),?\s+the\s+\w+\s+(?:had|was|did|were|has)\b|\bi'?m (?:going to|gonna) (?:have to )?stop you (?:there|right there)\b",
    r"\b(?:the|your|our)\s+(?:\w+\s+)?(?:isn'?t|is not|wasn'?t|was not|aren'?t|weren'?t)\s+(?:down|broken|faulty|late|damaged|missing|wrong|off|offline|cut|disconnected|lost),?\s+"
    r"(?:i'?m|i am|we'?re|we are|i can|we can|our|the|it|it'?s)\b",
    r"\b(?:i'?m|i am|we'?re|we are)\s+(?:showing|seeing)\s+(?:\w+\s+){0,2}?(?:signal|online|active|delivered|working|connected|fine|no (?:faults?|issues?|problems?)|that)\b",
    r"\bthere'?s nothing wrong with (?:the|your|this|that|it)\b|\bit'?s right (?:here|there) (?:in|on) (?:your|the)\b|\b(?:the \w+|he|she|they) (?:said|says|confirmed|reported) (?:he|she|they|it) (?:knocked|came|called|delivered|tried|rang|waited)\b",
    r"\bthat(?:'s| is) not true\b",
    r"\b(?:it|that|the \w+|this)\s+was\s+already\s+(?:there|damaged|broken|like that|scratched|dented|cracked|faulty|there before|in that state)\b",
    r"\b(?:we|our \w+|the \w+|i|they|he|she)\s+(?:definitely\s+|certainly\s+|actually\s+|absolutely\s+)?did\s+(?:\w+\s+)?(?:send|email|call|deliver|tell|inform|notify|try|ring|text|post|ship|"
    r"explain|mention|warn|attempt|knock|leave|include|process|refund|arrive|wait|turn up|show up|contact|remind)\b",
    r"\b(?:it|the \w+|your \w+|that|this)\s+(?:was|were|is)\s+(?:definitely|certainly|clearly|absolutely)\s+(?:not\s+)?(?:delivered|sent|received|on time|correct|there|included|shipped|"
    r"working|fine|in stock|available|posted|signed for|collected)\b",
    r"\bthat'?s not what (?:you|u) (?:said|told)\b|\b(?:you|u) (?:never|didn'?t) (?:mention|say|tell us) that\b(?=[^.!?]*\b(?:before|earlier|call|chat|until)\b)",
)

RUDE = _c(
    # insults, profanity and hostile interjections
    r"\b(?:idiot\w*|stupid\w*|dumb\w*|moron\w*|imbecile\w*|clueless|pathetic|incompetent|brain-?dead|dimwit\w*|numpty|muppet|nitwit|halfwit|ignorant|nonsense|bullshit|bs|"
    r"crap\w*|damn\w*|dammit|wtf|ffs|f+u+c+k+\w*|f\*+\w*|fck\w*|sh[i1]t\w*|s\*+t|bloody|piss\w*|arse\w*|asshole|bitch\w*|bastard\w*|jerk|shut up|screw (?:you|this|it|that)|"
    r"get lost|go away|bite me|duh+|ugh+|jeez|geez|sheesh|smh|(?<=\*)sigh\*|(?<=\*)eye ?roll\*|eye-?roll|sigh\.|for god'?s sake|for heaven'?s sake|for crying out loud|good grief|give me a break|gimme a break|"
    r"grow up|get real|get a life|get a clue|piss off|sod off|bugger off|shove it|stuff it|whatevs|meh)\b",
    _SS + r"(?:whatever|fine|sure|ok|okay|yeah|yes|right)\s*(?:\.|!|,)?\s*(?:whatever|fine|do what you want|suit yourself|have it your way|if you say so)\b",
    _SS + r"whatever\b(?!\s+(?:you|u|works|is|suits|time|day|option|method|way|the|your|ur|is best|happens|the case|suits you|it takes|we can|i can|you'?d|you would|you need|you prefer))",
    r"\bsuit yourself\b|\bhave it your way\b|\bdo what(?:ever)? you want\b|\bif you say so\b|\bwhatever you say\b|\bgood luck with that\b|\bdeal with it\b|\bnext!|"
    r"\bthanks for nothing\b|\bnot my problem\b(?=[^.!?]*(?:!|\bdeal\b|\bbye\b))",
    # condescension
    r"\bnot (?:exactly )?rocket science\b|\b(?:try|learn|try and|try to|you need to learn to) (?:to )?(?:keep up|read|listen|pay attention|follow along)\b",
    r"\b(?:like i (?:already |just )?said|as i already (?:said|told you|explained)|i'?ve already (?:told|said|explained) (?:you|this|that|it)|i (?:have )?already told you|"
    r"for the (?:\w+ )?(?:time|last time)|i'?ve (?:told|explained) (?:you |this |it |that )?(?:\w+ )?(?:times|twice)|i'?ve explained this (?:\w+ )?(?:times|twice|already))\b",
    r"\bhow many (?:more )?times (?:do|must|have|did|am|will|should) (?:i|you)\b",
    r"\b(?:are|r) {YOU} (?:seriously|really|actually|honestly) (?:asking|telling|saying|complaining)\b|\basking (?:me )?(?:that|this|the same thing) again\b",
    r"\b(?:are|r) {YOU} (?:even |actually |really |seriously |just |being )?(?:listening|serious|kidding|joking|deaf|stupid|blind|dense|thick|for real|that slow|dumb|illiterate|"
    r"reading (?:what|my|anything)|paying attention|hearing me|for real)\b",
    r"\b(?:can'?t|cannot|can) {YOU} (?:not )?(?:even )?read\b|\bdo {YOU} (?:even|not|actually) (?:know|understand|read|listen|get it|speak)\b|\bdon'?t {YOU} (?:understand|get it|listen|read)\b",
    r"\bwhat (?:is it|bit|exactly)? ?(?:that )?{YOU} (?:don'?t|do not|can'?t|cannot) (?:understand|get|see)\b|\bwhat part of\b|\b{YOU} people\b|\bi (?:\w+ )?don'?t have (?:the )?(?:time|all day|patience) for (?:this|you|that|people like)\b|"
    r"\b(?:i'?m|i am)\s+(?:so\s+|really\s+|getting\s+|honestly\s+)?(?:tired|sick|fed up|bored) (?:of|with) (?:this|you|your|these|hearing|listening|explaining)\b|\ba you problem\b|\bi (?:{DONT}|don'?t) (?:care|give a)\b|\bi couldn'?t care less\b",
    r"\bis (?:that|it|this) (?:so|really that|too|really so) (?:hard|difficult|complicated)\b|\beven a (?:child|kid|toddler|five.year.old)\b",
    r"\bit'?s (?:not|really not) (?:that|so) (?:hard|difficult|complicated)\b(?=[^.!?]*\b(?:you|u|understand|read|follow)\b)",
    r"\bi (?:{DONT}|don'?t) appreciate (?:your|ur|the|that) (?:tone|attitude|language)\b|\b(?:watch|check|lose) (?:your|the|that) (?:tone|attitude)\b",
    r"\bwhy (?:didn'?t|don'?t|can'?t|wouldn'?t) {YOU} (?:just |even )\w+|\bdid {YOU} (?:even|actually|really|not even) (?:read|try|look|check|bother|listen|think)\b",
    r"\bseriously\s*[?!]|" + _SS + r"seriously\b|\boh,? please\s*[.!]|\bgive it a rest\b|\bspare me\b|\bboo-?hoo\b|\bcry me a river\b|\bcope\b(?=\s*[.!]\s*$)",
    r"\bi'?m not (?:paid|here) (?:enough )?to (?:listen to|deal with|babysit)\b|\b(?:you'?re|you are) (?:wasting|not worth) my time\b|\bstop wasting my time\b",
    r"\b(?:{YOURE}|you'?re being|you are being)\s+(?:(?:a|an|so|very|really|being|just|quite|such a|such an)\s+){0,2}(?:rude|difficult|annoying|impossible|ridiculous|unbelievable|a pain|"
    r"pain|nightmare|joke|liar|child|baby|entitled|hopeless|useless|lazy|slow|dense|thick|clueless|impatient)\b",
    r"\b(?:ridiculous|absurd|stupid|silly|dumb|pointless|crazy) (?:question|request|complaint|demand|idea)\b",
    # sarcasm
    r"\b(?:wow|oh|well|yeah|ah),?\s+(?:great|brilliant|nice|fantastic|wonderful|perfect|lovely|amazing|good|super|excellent|awesome|terrific|smart|clever|impressive|real)\s+"
    r"(?:job|work|one|going|move|idea|stuff|effort|thinking|plan|call|choice)\b",
    r"\b(?:great|nice|good|brilliant|fantastic|excellent|fine|smart|clever|awesome|amazing|stellar|impressive|outstanding|top) (?:job|work|going|move|one|effort|thinking|choice|call)"
    r"(?:\s+there)?,?\s+(?:\w+ing\b|genius|einstein|sherlock|champ|on (?:breaking|losing|ignoring|deleting|forgetting|dropping|missing|messing))",
    r"\b(?:wow|oh),?\s+(?:just\s+)?(?:great|brilliant|fantastic|wonderful|perfect|lovely|amazing|terrific|marvell?ous|super|fabulous|splendid|nice)\b"
    r"(?=[^.!?]*\b(?:another|again|now you|you'?ve|you have|you managed|genius|who can'?t|who doesn'?t|who didn'?t|knows? better|thanks to you|because you)\b)",
    r"\b(?:great|brilliant|perfect|fantastic|wonderful|lovely|oh good|marvell?ous|terrific),?\s+(?:so\s+)?(?:now\s+(?:you|u)\s+(?:want|decide|expect|think|tell|say|'re telling|are telling|"
    r"complain|need|remember|realise|realize|notice)|another (?:one|genius|expert|customer who|person who))\b",
    r"\b(?:genius|einstein|sherlock|captain obvious|smart ?(?:alec|aleck|arse|ass)|wise ?guy|rocket scientist|mastermind|bright spark|sunshine|sweetheart|sweetie|princess)\b",
    r"\bsure,? because\b|\byeah,? right\b|\b(?:oh )?(?:sure|yeah|yes|right|and),? (?:and )?i'?m the (?:queen|king|pope|president)\b|\bas if\b(?=\s*[.!?]|\s+(?:i|we|that)\b)",
    r"\b(?:what a|big|no) (?:surprise|shock)\b|\bwho (?:would|could) have (?:thought|guessed)\b|\bmust be nice\b|\blucky you\b|\bcongrat(?:ulation)?s\b(?=[^.!?]*\b(?:another|managed|person|again|ask|"
    r"broke|breaking|lock|locked|lost|lose|on being|you'?ve|you have|genius|yourself)\b)",
    r"\bknows? (?:better|best) than\b|\bthink(?:s)? (?:you|they) know (?:better|best|everything)\b|\bclearly (?:you|u) know (?:better|best|everything)\b|\bmr\.? know-?it-?all\b|\bknow-?it-?all\b",
    r"\bwell done,? (?:genius|einstein|you)\b|\bbravo\b|\bslow clap\b|\bgold star\b|\bwhat did you expect\b|\bwhat do you (?:want|expect) me to do\b",
    r"\bwhat (?:did|do|were) (?:you|u) expect(?:ing)?\b|\bnot sure what (?:you|u) expected\b|\b(?:why|what|how|where) on earth\b|\bwhy the hell\b|\bthe hell\b|\bfine[.,!]*\s+fine\b|\b(?:satisfied|happy now|are you happy now|there,? happy)\s*\?",
    _SS + r"(?:impressive|nice one|nice going|nice work|great going|great job|good job|well done|way to go|smooth|bravo|congrats|congratulations|well well|brilliant|"
    r"fantastic|wonderful|oh (?:great|brilliant|wonderful|lovely))[,!.]\s+(?:you|u|so you)\b",
    r"\b(?:that'?s|it'?s|sounds like)\s+(?:a\s+)?(?:your|ur|a you)\s+problem\b|\b(?:perhaps|maybe)\s+next time\b",
    r"\b(?:right|oh|yes|yeah|sure),?\s+because\b|\bit'?s not like (?:you'?re|you are|ur) the only\b|\byou'?re not the only (?:customer|one|person)\b",
    r"\b{YOU}\s+(?:really|clearly|obviously|just|honestly)\s+(?:don'?t|do not|can'?t|cannot|have no idea)\s+(?:understand|get|grasp|read|follow|know)\b",
    r"\bhave {YOU}\s+(?:tried\s+)?actually\b|\bdid {YOU}\s+(?:even|actually)\b|\bso (?:hard|difficult)\s*[.!?]",
    r"\b(?:that'?s|that is|this is)\s+(?:utter\s+|complete\s+|total\s+)?(?:rubbish|nonsense|ridiculous|absurd|a joke)\b",
    r"\b{SORRY}\s+(?:that\s+)?(?:our|the|my|this|a|we|it)\b[^.!?]{0,60}?\b(?:(?:so|too)\s+\w+|\w+\s+enough|perfect|good enough)\s+(?:for\s+(?:you|u|your liking)|to your liking)\b",
)

# --------------------------------------------------------------------------- #
# Dispatch. Python's re has no tries and no multi-pattern search: the ~400 phrase
# families as plain alternations, searched at every character, cost ~900 us a message.
# Instead each alternative is indexed by the characters it can start with (found by
# walking the stdlib regex parser's tree) and tried only where the message has a word
# that starts that way: about a dozen match() calls a message. Everything is compiled
# at import (~2.5 s), so the first message is as fast as the millionth.
# --------------------------------------------------------------------------- #
def _charset(av: list) -> set[str] | None:
    out: set[str] = set()
    for op, a in av:
        if op is _K.LITERAL:
            out.add(chr(a))
        elif op is _K.RANGE and a[1] - a[0] <= 12:
            out.update(chr(c) for c in range(a[0], a[1] + 1))
        elif op is _K.CATEGORY and a is _K.CATEGORY_DIGIT:
            out.update("0123456789")
        elif op is _K.CATEGORY and a is _K.CATEGORY_SPACE:
            out.update(" \n\t")  # the normaliser maps every other space character to " "
        else:
            return None
    return out


class _TooMany(Exception):
    pass


def _prefixes(items: list, k: int, depth: int = 0, limit: int = 4000) -> set[str]:
    """Every string of up to k characters a match can start with; a shorter string
    means "anything may follow", and "" means the first character is unknown.
    Raises _TooMany when the set would exceed `limit` (long word lists multiply)."""
    out = _prefixes_(items, k, depth)
    if len(out) > limit:
        raise _TooMany
    return out


def _prefixes_(items: list, k: int, depth: int = 0) -> set[str]:
    if k == 0 or not items or depth > 60:
        return {""}
    op, av = items[0]
    rest = items[1:]
    if op in (_K.AT, _K.ASSERT, _K.ASSERT_NOT):
        return _prefixes_(rest, k, depth + 1)
    if op is _K.LITERAL:
        return {chr(av) + t for t in _prefixes_(rest, k - 1, depth + 1)}
    if op is _K.IN:
        cs = _charset(av)
        if cs is None:
            return {""}
        tail = _prefixes_(rest, k - 1, depth + 1)
        if len(cs) * len(tail) > 4000:
            raise _TooMany
        return {c + t for c in cs for t in tail}
    if op is _K.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            out |= _prefixes_(list(alt.data) + rest, k, depth + 1)
            if len(out) > 4000:
                raise _TooMany
        return out
    if op is _K.SUBPATTERN:
        return _prefixes_(list(av[3].data) + rest, k, depth + 1)
    if op in (_K.MAX_REPEAT, _K.MIN_REPEAT, _K.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        if hi == 0:
            return _prefixes_(rest, k, depth + 1)
        again = [] if hi == 1 else [(op, (max(lo - 1, 0), hi if hi == _K.MAXREPEAT else hi - 1, sub))]
        out = _prefixes_(list(sub.data) + again + rest, k, depth + 1)
        if lo == 0:
            out |= _prefixes_(rest, k, depth + 1)
        return out
    return {""}


def _keys(src: str) -> set[str] | None:
    """Index keys for a branch, or None when it may start anywhere (then it is searched).

    Keys are as long as possible (up to 8 characters, so "the decision" is not tried at
    every "the ") while the set stays small: an alternative with many keys would be
    compiled into many folded regexes, so long word lists fall back to shorter keys."""
    try:
        items = list(_P.parse(src).data)
    except re.error:  # pragma: no cover - every pattern compiles before we get here
        return None
    keys: set[str] | None = None
    for k, cap in ((8, 24), (6, 48), (4, 800), (3, 800), (2, 800), (1, 800)):
        try:
            keys = _prefixes(items, k)
        except _TooMany:
            continue
        if len(keys) <= cap:
            break
    if keys is None:
        return None
    while len(keys) > 800:
        keys = {k[:max(1, len(k) - 1)] for k in keys}
    if "" in keys or not all(k[0].isalnum() or k[0] == "_" for k in keys):
        return None
    return keys


Span = tuple[int, int]


def _required_literal(src: str) -> str:
    """The longest run of plain characters outside any group, class or quantifier:
    every match contains it. "" when there is none worth checking."""
    best, run, depth, i = "", "", 0, 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            run, i = "", i + 2
            continue
        if c == "[":
            run, i = "", _skip_class(src, i)
            continue
        if c in "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if depth == 0 and c in _PLAIN:
            run += c
            nxt = src[i + 1] if i + 1 < len(src) else ""
            if nxt in "?*{":
                run = run[:-1]
            elif len(run) > len(best):
                best = run
        else:
            run = ""
        i += 1
    return best if len(best) >= 3 else ""


def _structure(src: str):
    """Yield (index, char, depth after it) for each parenthesis or bar of a pattern
    outside escapes and character classes: the one walk both helpers below need."""
    depth, cls, esc = 0, False, False
    for i, ch in enumerate(src):
        if esc:
            esc = False
        elif ch == "\\":
            esc = True
        elif cls:
            cls = ch != "]"
        elif ch == "[":
            cls = True
        elif ch in "()|":
            depth += {"(": 1, ")": -1, "|": 0}[ch]
            yield i, ch, depth


def _split_alternatives(src: str) -> list[str]:
    """Top-level alternatives of a pattern, unwrapping a group that spans all of it, so
    the dispatcher can index each alternative by its own first letters."""
    parts, start = [], 0
    for i, ch, depth in _structure(src):
        if ch == "|" and depth == 0:
            parts.append(src[start:i])
            start = i + 1
    parts.append(src[start:])
    if len(parts) == 1 and src.startswith("(?:") and src.endswith(")") and _closes_at_end(src):
        return _split_alternatives(src[3:-1])
    return [q for p in parts for q in (_split_alternatives(p) if p.startswith("(?:") and p.endswith(")") and _closes_at_end(p) else [p])]


def _closes_at_end(src: str) -> bool:
    """True when the group opened at src[0] is closed by the last character."""
    for i, ch, depth in _structure(src):
        if ch == ")" and depth == 0:
            return i == len(src) - 1
    return False


class _Dispatcher:
    """Finds the spans of many rules in one pass over the word starts.

    Every alternative of every rule is indexed by the characters (up to eight) it can
    start with. For each index key, the alternatives registered under exactly that key
    are folded into one regex of lookaheads with a named group per rule, so one match()
    reports every rule matching there. One C-level scan lists the message's word starts
    with their longest key; each word then runs the folded regexes of that key and of
    its shorter keys ("the deci", "the ", "th"). Each alternative is compiled into few
    folded regexes, so everything is compiled at import in well under a second.
    """

    def __init__(self, rules: tuple[tuple[str, _Rule], ...]) -> None:
        self.slots = tuple(name for name, _ in rules)
        self.rules = dict(rules)
        by_key: dict[str, dict[int, list[str]]] = {}
        scan: dict[int, list[str]] = {}
        for slot, (_, rule) in enumerate(rules):
            for whole in rule.alts:
                for alt in _split_alternatives(whole):
                    keys = _keys(alt)
                    if keys is None:
                        scan.setdefault(slot, []).append(alt)
                    else:
                        for key in keys:
                            by_key.setdefault(key, {}).setdefault(slot, []).append(alt)
        compiled: dict[str, tuple[re.Pattern[str], tuple[tuple[str, int], ...]]] = {}
        own: dict[str, tuple[re.Pattern[str], tuple[tuple[str, int], ...]]] = {}
        for key, per_slot in by_key.items():
            src = "".join(
                f"(?=(?P<slot{slot}>" + "|".join(f"(?:{a})" for a in per_slot[slot]) + ")|)" for slot in sorted(per_slot)
            )
            if src not in compiled:
                rx = re.compile(src)
                compiled[src] = (rx, tuple((self.slots[slot], rx.groupindex[f"slot{slot}"]) for slot in sorted(per_slot)))
            own[key] = compiled[src]
        # a word meeting key "the deci" also meets "the ", "th", ...: run all of them
        self.chain = {
            key: tuple(own[key[:n]] for n in range(len(key), 0, -1) if key[:n] in own) for key in own
        }
        self.scan = tuple(
            (self.slots[slot], _required_literal(a), re.compile(a)) for slot, alts in sorted(scan.items()) for a in alts
        )
        self.keyscan = re.compile(r"\b(?=(" + _trie(own) + "))")

    def run(self, low: str) -> dict[str, list[Span]]:
        """Spans per rule name, in order of start; rules without a match are absent."""
        found: dict[str, list[Span]] = {}
        chain = self.chain
        for w in self.keyscan.finditer(low):
            p = w.start()
            for rx, groups in chain[w.group(1)]:
                m = rx.match(low, p)
                if m.lastindex is None:  # no rule matched here
                    continue
                regs = m.regs
                for name, gi in groups:
                    r = regs[gi]
                    if r[0] >= 0 and r[1] > r[0]:
                        if name in found:
                            found[name].append(r)
                        else:
                            found[name] = [r]
        for name, lit, rx in self.scan:
            if lit and lit not in low:
                continue
            spans = [m.span() for m in rx.finditer(low) if m.end() > m.start()]
            if spans:
                found[name] = sorted(found.get(name, []) + spans)
        for name, spans in found.items():  # several regexes may report one word
            if len(spans) > 1:
                spans.sort()
        return found


# --------------------------------------------------------------------------- #
# Negation: a negator within the last few words of the same clause cancels a match.
# --------------------------------------------------------------------------- #
_NEG_TAIL = _rc(
    r"(?:\b(?:not|never|no|none|nothing|cannot|without|nor|hardly|neither|dont|wont|cant|didnt|isnt|wasnt|arent|werent|doesnt|couldnt|shouldnt|wouldnt|"
    r"havent|hasnt|aint|refuse to|unable to|no need to|instead of|rather than|beyond|outside|more than)|n't)\b(?:\W+\w+){0,4}?\W*$")
_CLAUSE_CUT = _rc(r"[,;:.!?\n()\"]|\bbut\b|\band\b|\bso\b|\bthough\b|\bhowever\b")
# greedy: the end of this match is just after the last clause break before a position
_LAST_CUT = re.compile(r"[\s\S]*(?:[,;:.!?\n()\"]|\b(?:but|and|so|though|however)\b)")


def _negated(norm: str, i: int) -> bool:
    """True when a negator sits in the same clause within a few words before i."""
    start = max(0, i - 48)
    cut = _LAST_CUT.match(norm, start, i)
    return _NEG_TAIL.search(norm, cut.end() if cut else start, i) is not None


_COND_TAIL = _rc(r"\b(?:if|unless|whether|in case|otherwise|or else)\b(?:\W+\w+){0,6}?\W*$")
_ONCE_TAIL = _rc(r"\b(?:if|unless|once|in case|whether)\b(?:\W+\w+){0,6}?\W*$")
_SUBORD_TAIL = _rc(r"\b(?:if|unless|whether|in case|otherwise|or else|when|whenever|because|since|after|before|while|until)\b(?:\W+\w+){0,6}?\W*$")


def _conditional(norm: str, i: int, tail: re.Pattern[str] = _COND_TAIL) -> bool:
    """True inside an if/unless clause: "If I can't fix it, ..." is not a refusal."""
    seg = norm[max(0, i - 48):i]
    last = None
    for last in _CLAUSE_CUT.finditer(seg):
        pass
    if last is not None and last.group() not in ("and", "so", "but"):
        seg = seg[last.end():]
    return tail.search(seg) is not None


# "we sent the wrong size", "we cancelled it by mistake": narrating the error, not a remedy
_SOL_ERROR = _rc(
    r"(?:(?!\bso\b|\bto\b|n't\b|\bnot\b|\bnever\b)[^.!?,;]){0,50}?\b(?:wrong|by mistake|in error|incorrectly|accidentally|mistakenly|by accident|without (?:telling|asking|notice|warning|your)|"
    r"twice|too early|too late|when (?:we|i) shouldn'?t)\b")


# Sentence spans: split on . ! ? and newlines, but keep "3.5", "a.m." and "e.g." inside.
_SENT = re.compile(r"[^\s.!?](?:[^.!?\n]|\.(?=\w))*[.!?]*")


def _sentences(norm: str) -> list[tuple[int, int]]:
    """Sentence spans trimmed of surrounding whitespace."""
    out = []
    for m in _SENT.finditer(norm):
        a, b = m.span()
        if norm[b - 1].isspace():  # a line ending in spaces
            b = a + len(m.group().rstrip())
        out.append((a, b))
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _same_sentence(sents: list[tuple[int, int]], a: tuple[int, int], b: tuple[int, int]) -> bool:
    sa = _sentence_of(sents, a[0])
    return (sa is not None and sa[0] <= b[0] < sa[1]) or _overlaps(a, b)


GRATITUDE = _c(
    # "thank you for your patience / for flagging this / for bearing with me" (not "for calling": greeting)
    r"\b{THANKS}\s+(?:(?:so|very|again|a lot|a million|heaps|loads|kindly|ever so|for now)\s+)*(?:much\s+)?(?:for|4)\s+(?!(?:calling|phoning|ringing|contacting|reaching out|"
    r"getting in (?:touch|contact)|being in touch|messaging|writing|emailing|chatting|dropping|stopping by|visiting|joining|choosing|your (?:call|message|email|enquiry|inquiry|query))\b)"
    r"(?:\w+)",
    r"\b(?:i|we)\s+(?:(?:really|truly|do|very much|greatly|genuinely|sincerely|also|totally|definitely|so|certainly|honestly)\s+){0,2}{APPR}\s+"
    r"(?!(?:how|why|that (?:this|it|you'?re|you are|you'?ve|you have|the)|what you'?re going|the (?:frustration|inconvenience|stress))\b)(?:your|ur|you|u|it|that|this|the|all|everything|having|being|the)\b",
    r"\b(?:much|greatly|really|truly|very much|hugely|massively) {APPR}\b|\b{APPR} (?:it|that|this|you)(?:\s+(?:so much|a lot|greatly|very much))?\s*[.!]",
    r"\b(?:i'?m|i am|we'?re|we are) (?:really |so |very |truly |most )?(?:grateful|thankful)\b",
    r"\b(?:we|i) (?:really |truly |do )?value (?:your|ur) (?:business|loyalty|custom|feedback|patience|understanding|membership|support)\b",
    r"\bthank(?:s| you)? (?:so much |very much )?for (?:bearing|hanging|holding|waiting|sticking)\b",
    r"\b(?:can'?t|cannot) thank (?:you|u) enough\b",
    r"\b{THANKS}\s+(?:so much|very much|again|a lot)?\s*(?:[.!]+|$)(?<=.)(?=\s*$)",
)

# Labels whose phrases a preceding negator cancels ("it's not your fault"); the rest
# carry their negation inside the phrase ("that's not true", "it's not my fault").
_NEGATED_LABELS = (
    "ownership", "solution", "escalation_offer", "blame", "gratitude", "follow_up", "empathy", "apology", "dismissive", "argue",
)
_PLAIN_LABELS = ("greeting", "boundary", "defensive", "rude")

# Sentences that are rhetorical jabs, not questions.
_RUDE_Q = _c(
    r"\b(?:are|r) {YOU} (?:even|actually|really|seriously|being)\b|\bwhat part of\b|\bhow many (?:more )?times\b|\bdo {YOU} (?:even|not)\b|\bdon'?t {YOU}\b|"
    r"\bcan'?t {YOU}\b|\bwhy (?:on earth |the hell |exactly )?(?:didn'?t|don'?t|can'?t|wouldn'?t|haven'?t) {YOU}\b|\b(?:why|what|how) on earth\b|\bhave you (?:tried )?actually\b|\bhave you actually\b|\bdid {YOU} (?:even|actually|really|not)\b|\bis (?:that|it) (?:so|really|too)\b|"
    r"\bwhat (?:is it|bit|exactly)? ?(?:that )?{YOU} (?:don'?t|do not|can'?t|cannot) (?:understand|get|see)\b|"
    r"\bwhat (?:did|do) {YOU} expect\b|\bseriously\b|\basking (?:me )?(?:that|this|the same thing) again\b|\bwho (?:would|could)\b|\bwhat do you want me to do\b|\bdo you (?:think|expect) (?:i|we)\b",
)

_Q_CLAUSE = _rc(
    r"[,;:-]\s*(?:what|what'?s|when|where|which|who|how|why|could|can|would|will|do|does|did|have|has|is|are|was|were|may|should)\s+"
    r"(?:(?:can|could|would|will|do|does|did|is|are|was|were|may|should|much|many|long|often|exactly)\s+)?(?:you|u|your|ur|it|this|that|the|there|they|he|she|we|i)\b")

_Q_WH_NOQ = _rc((
    r"\W*(?:(?:sorry|sry|ok|okay|so|and|also|just|hi|hey|thanks|thx)\W+){0,2}(?:what|what'?s|whats|wats|which|when|where|how long|how many|how much|who)\s+"
    r"(?:is|was|are|were|'s|s|did|does|do|time|date|day|kind|sort|type|model|make|version|exactly|happened|long|many|much|often|number|email|address|the|a|an|{YOUR})\b"
    r"(?!.*\b(?:i|we)(?:'ll| will| can| could|'m going to| am going to) (?:do|offer)\b)"
))

def _explained(norm: str, sent: Span, policy: Span | None) -> bool:
    """A reason in the sentence; "those are the rules" on its own is not one."""
    for m in EXPLAIN.finditer(norm, sent[0], sent[1]):
        if policy is None or not _overlaps(m.span(), policy):
            return True
    return False


_ROLE_IN_ALT = _rc(r"\b(?:manager|supervisor|team ?lead(?:er)?|specialist|senior|colleague|boss)\b")

_SYMPATHY = _c(
    r"\b{SORRY} (?:to hear|for|about|that)\s+(?:about\s+|that\s+|of\s+)?(?:your|ur|you'?ve been|you were|you are|you'?re|you have)\s+(?:[\w']+\s+){0,3}?"
    r"(?:loss|passing|passed|death|died|bereavement|funeral|illness|ill|unwell|sick|poorly|hospital\w*|surgery|operation|accident|injur\w*|diagnos\w*|grief|grieving|health|"
    r"condition|cancer|pregnan\w*|divorce)|\bsorry for your loss\b"
)

_TIME_RX = _c(_TIME)
_I_WE = re.compile(r"\s*(?:i|we)\b")
# future dates (not "now" or "today"): a remedy with one of these is a timeline
_DATED = _rc(
    r"\b(?:tomorrow|tmrw|tmr|tomorow|tommorow|tonight|overnight|next (?:week|month)|(?:on|by|this|next|before|until)\s+(?:{DAY}|the \d+\w*|\d+(?:st|nd|rd|th)|"
    r"end of (?:the )?(?:day|week|month))|within\s+(?:{NUM})\s*(?:working |business )?{UNIT}|in\s+(?:{NUM})\s*(?:working |business )?(?:days?|weeks?|hours?))\b"
)
# cheap gate for the weak (future + time) expectation check
# (not after "i"/"we": the agent's own "I'll ..." is a promise or a check-back, not a timeline)
_FUTURE = re.compile(
    r"(?<!\bi)(?<!\bwe)'ll|(?<!\bi )(?<!\bwe )\b(?:will|should|shud|shd|would)\b|(?<!\bi'm )(?<!\bwe're )going to|"
    r"youll|itll|theyll|ships|arrives|lands|goes out|dispatches"
)
_FU_CUT = _rc(r"[.!?;\n]|,\s*(?:and|but|then|so|while)\b|\band\b|\bbecause\b|\bsince\b|\bso\b|\bbut\b")

# Every rule scanned in the one dispatcher pass; label slots plus the features the
# sentence-level logic below consults.
_DISPATCH = _Dispatcher((
    ("greeting", GREETING), ("empathy", EMPATHY), ("apology", APOLOGY), ("ownership", OWNERSHIP),
    ("solution", SOLUTION), ("escalation_offer", ESCALATION), ("follow_up", FOLLOW_UP), ("gratitude", GRATITUDE),
    ("boundary", BOUNDARY), ("blame", BLAME), ("defensive", DEFENSIVE), ("dismissive", DISMISSIVE),
    ("argue", ARGUE), ("rude", RUDE),
    ("refuse", REFUSE), ("stonewall", STONEWALL), ("policy", POLICY),
    ("exp_strong", EXPECTATION_STRONG),
    ("sarcastic", SARCASTIC_SORRY), ("sympathy", _SYMPATHY),
    ("paraphrase", PARAPHRASE), ("q_request", QUESTION_REQUEST), ("q_procedural", _Q_PROCEDURAL), ("rude_q", _RUDE_Q),
    ("greet_name", GREETING_NAME_CANDIDATE),
))

Found = dict[str, list[Span]]
_NONE: list[Span] = []


def _within(spans: list[Span], s: int, e: int) -> Span | None:
    """First span starting inside [s, e) (spans are sorted by start)."""
    i = bisect_left(spans, (s, -1))
    if i < len(spans) and spans[i][0] < e:
        return spans[i]
    return None


def _sentence_of(sents: list[Span], i: int) -> Span | None:
    """The sentence containing offset i (sentences are sorted and disjoint)."""
    k = bisect_right(sents, (i, 1 << 62)) - 1
    if k >= 0 and sents[k][0] <= i < sents[k][1]:
        return sents[k]
    return None


def _accept(label: str, norm: str, sp: Span) -> bool:
    """Negation and clause checks for the labels whose phrases can be cancelled."""
    i = sp[0]
    if _negated(norm, i):
        return False
    if label == "blame":
        return not _conditional(norm, i, _ONCE_TAIL)
    if label == "solution":
        return not (_conditional(norm, i, _SUBORD_TAIL) or _SOL_ERROR.match(norm, sp[1]))
    return True


def _questions(norm: str, sents: list[tuple[int, int]], hits: dict[str, tuple[int, int]], f: Found) -> None:
    """Clarifying/open questions, paraphrase restatements, and the questions that are neither."""
    for s, e in sents:
        is_q = "?" in norm[max(s, e - 3):e]
        req = _within(f.get("q_request", _NONE), s, e) is not None
        # procedural ("can I put you on hold?") only matters for questions and requests
        proc = (is_q or req) and _within(f.get("q_procedural", _NONE), s, e) is not None
        para = None
        m = _within(f.get("paraphrase", _NONE), s, e)
        if m is not None:
            # "Just to confirm, what's your postcode?" is a question, not a restatement
            if not (is_q and _Q_START.match(norm, m[1], e) and not _PARA_TAG.search(norm, s, e)):
                para = m
        if para is None and is_q and not proc and (_PARA_TAG.search(norm, max(s, e - 60), e) or _PARA_SO.match(norm, s, e)):
            para = (s, e)
        if para is None and not is_q and e - s > 25 and _PARA_SO_STMT.match(norm, s, e):
            para = (s, e)
        if para is not None:
            hits.setdefault("paraphrase", para)
            for lab in ("argue", "blame"):  # a restatement reports the customer's view
                if lab in hits and s <= hits[lab][0] < e:
                    del hits[lab]
            continue
        if is_q:
            if proc or _within(f.get("rude_q", _NONE), s, e) is not None:
                continue
            if req or e - s < 60 or _Q_START.match(norm, s, e) or _Q_CLAUSE.search(norm, s, e):
                hits.setdefault("question", (s, e))
        elif not proc and (req or _Q_WH_NOQ.match(norm, s, e)):
            # requests and chat-style questions without "?": "whats ur order number"
            hits.setdefault("question", (s, e))


def _refusals(norm: str, sents: list[tuple[int, int]], hits: dict[str, tuple[int, int]], f: Found) -> None:
    """Split declines into tactful_no (a reason or an alternative) and stonewall."""
    bnd = hits.get("boundary")
    ref = None
    for span in f.get("refuse", _NONE):
        if _conditional(norm, span[0]) or (bnd is not None and _same_sentence(sents, span, bnd)):
            continue
        ref = span
        break
    hard = f.get("stonewall", _NONE)[0] if f.get("stonewall", _NONE) else None
    policy = f.get("policy", _NONE)[0] if f.get("policy", _NONE) else None
    anchor = ref or hard or policy
    if anchor is None:
        return
    if not sents:
        sents = [(0, len(norm))]
    k = max(0, bisect_right(sents, (anchor[0], 1 << 62)) - 1)
    s0, s1 = sents[k]
    # the alternative must come with or after the refusal (same or next two sentences)
    w0, w1 = anchor[0], sents[min(k + 2, len(sents) - 1)][1]
    alt = None
    for m in TACTFUL_ALT.finditer(norm, w0, w1):
        span = m.span()
        if (hard is not None and _overlaps(span, hard)) or _ROLE_IN_ALT.search(m.group()):
            continue
        alt = span
        break
    if alt is not None:
        hits.setdefault("tactful_no", (anchor[0], max(anchor[1], s1)))
        hits.setdefault("solution", alt)
        return
    if hard is not None:
        hits.setdefault("stonewall", hard)
        return
    if "escalation_offer" in hits:
        return  # the way forward offered is a supervisor or specialist
    if ref is not None:
        nxt = sents[k + 1] if k + 1 < len(sents) else (s1, s1)
        if _explained(norm, (s0, s1), policy) or _explained(norm, nxt, policy):
            hits.setdefault("tactful_no", (anchor[0], max(anchor[1], s1)))
        else:
            hits.setdefault("stonewall", ref)
        return
    hits.setdefault("stonewall", policy)


def _hedged(norm: str, sents: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """A hedge or a policy statement in the same clause cancels a timeline."""
    s0, s1 = _sentence_of(sents, span[0]) or (0, len(norm))
    left = s0
    for c in _FU_CUT.finditer(norm, s0, span[0] + 4):  # +4: a match may start with "and"
        if c.end() <= span[0] + 4:
            left = c.end()
    m = _FU_CUT.search(norm, span[1], s1)
    return _EXP_VETO.search(norm, left, m.start() if m else s1) is not None or _conditional(norm, span[0])


def _expectation(norm: str, sents: list[tuple[int, int]], hits: dict[str, tuple[int, int]], f: Found) -> None:
    """Remedy timelines; a check-back by the agent ("I'll call you Monday") is follow_up only."""
    fu = hits.get("follow_up")
    fu_clause = None
    if fu is not None:
        # the clause around the follow-up: from the previous clause break to the next one
        left = 0
        for c in _FU_CUT.finditer(norm, 0, fu[0] + 4):  # +4: the span may start with "and"
            if c.end() <= fu[0] + 4:
                left = c.end()
        m = _FU_CUT.search(norm, fu[1])
        fu_clause = (left, m.start() if m else len(norm))

    def ok(span: tuple[int, int]) -> bool:
        return fu_clause is None or not _overlaps(span, fu_clause)

    for sp in f.get("exp_strong", _NONE):
        if ok(sp) and not _negated(norm, sp[0]) and not _hedged(norm, sents, sp):
            hits["expectation"] = sp
            return
    sol = hits.get("solution")
    if sol is not None:
        # "I'll send an engineer tomorrow": when the remedy happens ("right now" is not a timeline)
        t = _DATED.search(norm, sol[1], min(len(norm), sol[1] + 80))
        if t is not None and ok((sol[0], t.end())) and not _hedged(norm, sents, (sol[0], t.end())) \
                and not _FU_CUT.search(norm, sol[1], t.start()):
            hits["expectation"] = (sol[0], t.end())
            return
    if _FUTURE.search(norm) is None:
        return
    for s, e in sents:
        w = EXPECTATION_WEAK.search(norm, s, e)
        t = _TIME_RX.search(norm, s, e) if w is not None else None
        if t is None:
            continue
        span = (min(w.start(), t.start()), max(w.end(), t.end()))
        if ok(span) and not _I_WE.match(norm, w.start()) and not _hedged(norm, sents, span):
            hits["expectation"] = span
            return


def _resolve(norm: str, hits: dict[str, tuple[int, int]], f: Found) -> None:
    """Cross-label conventions that single patterns cannot express."""
    if f.get("sarcastic", _NONE):
        sarcastic = f.get("sarcastic", _NONE)[0]
        hits.setdefault("dismissive", sarcastic)
        hits.setdefault("rude", sarcastic)
        ap = hits.get("apology")
        if ap is not None and _overlaps(ap, sarcastic):
            del hits["apology"]
    bnd, rude = hits.get("boundary"), hits.get("rude")
    if bnd is not None and rude is not None and _overlaps(bnd, rude):
        del hits["rude"]  # a quoted insult inside "please stop calling me stupid"
    # "Calm down and stop shouting" is not a respectful limit
    if "boundary" in hits and ("dismissive" in hits or "rude" in hits or "blame" in hits):
        del hits["boundary"]
    ap = hits.get("apology")
    if ap is not None and f.get("sympathy", _NONE):
        sym = f.get("sympathy", _NONE)[0]
        if _overlaps(ap, sym):
            # sympathy for an illness or bereavement is empathy; keep apology only if sincere elsewhere
            rest = [sp for sp in f.get("apology", _NONE) if not _overlaps(sp, sym) and _accept("apology", norm, sp)]
            if rest:
                hits["apology"] = rest[0]
            else:
                del hits["apology"]
            hits.setdefault("empathy", sym)
    q, rude = hits.get("question"), hits.get("rude")
    if q is not None and rude is not None and _overlaps(q, rude):
        del hits["question"]  # "Are you even listening?" is a jab, not a question


def _lower(text: str) -> str:
    """Normalised, lowercased text with exactly one character per input character."""
    norm = text.translate(_TRANS)
    low = norm.lower()
    if len(low) != len(norm):  # a few characters (e.g. "\u0130") grow when lowered
        low = "".join(lc if len(lc := c.lower()) == 1 else c for c in norm)
    return low


def classify(text: str) -> list[Detection]:
    """Every behaviour clearly present in one trainee message, with the span that showed it.

    At most one Detection per label (its first qualifying span), sorted by start offset.
    """
    if not isinstance(text, str) or not text or text.isspace():
        return []
    norm = _lower(text)
    f: Found = _DISPATCH.run(norm)
    hits: dict[str, Span] = {}
    for label in _PLAIN_LABELS:
        if label in f:
            hits[label] = f[label][0]
    for sp in f.get("greet_name", _NONE):
        named = GREETING_NAME.search(text.translate(_TRANS), max(0, sp[0] - 30), sp[1] + 1)
        if named is not None:
            if "greeting" not in hits or named.start() < hits["greeting"][0]:
                hits["greeting"] = named.span()
            break
    for label in _NEGATED_LABELS:
        for sp in f.get(label, _NONE):
            if _accept(label, norm, sp):
                hits[label] = sp
                break
    sents = _sentences(norm)
    _questions(norm, sents, hits, f)
    _refusals(norm, sents, hits, f)
    _expectation(norm, sents, hits, f)
    _resolve(norm, hits, f)
    out = [Detection(lab, s, e, text[s:e]) for lab, (s, e) in hits.items()]
    out.sort(key=lambda d: (d.start, _ORDER[d.label]))
    return out


_ORDER = {lab: i for i, lab in enumerate(LABELS)}


def labels(text: str) -> list[str]:
    """The label names present in text, in LABELS order."""
    found = {d.label for d in classify(text)}
    return [lab for lab in LABELS if lab in found]
