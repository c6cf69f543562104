"""Plausible free text for synthetic records: short, varied, and never about a real person.

Picked by the generator's seeded random source, so the text is as deterministic as the rest.
`{child}` is the subject child's given name.
"""

from typing import TypeVar

SUMMARIES: dict[str, tuple[str, ...]] = {
    "missing": (
        "{child} did not return home after school; phone switched off.",
        "{child} left the children's home at 21:00 and has not returned.",
        "{child} reported missing by mother after an argument at home.",
        "{child} missing overnight; believed to be with older friends in the town centre.",
        "{child} failed to return from a contact visit.",
    ),
    "domestic_abuse": (
        "Police called to a verbal and physical argument between the adults; {child} at home.",
        "Neighbour reported shouting and a child crying; one adult arrested.",
        "Breach of a non-molestation order; {child} present during the incident.",
        "Report of controlling behaviour; {child} disclosed arguments at home to a teacher.",
    ),
    "abuse_neglect": (
        "School raised concerns about {child}'s unexplained bruising.",
        "Health visitor concerned about home conditions and {child}'s weight.",
        "{child} disclosed being hit by a carer.",
        "Children's social care referral: repeated neglect concerns about {child}.",
    ),
    "custody": (
        "{child} arrested for shoplifting; appropriate adult requested.",
        "{child} detained after a public order offence; parent informed.",
        "{child} arrested on suspicion of possession with intent to supply.",
    ),
    "online_cse": (
        "CEOP referral: an adult sent sexual messages to {child} on a gaming platform.",
        "Indecent images of {child} shared by an unknown adult online.",
        "{child} was persuaded to send images to an adult met on social media.",
    ),
    "exploitation": (
        "{child} found far from home with cash and two phones; county lines suspected.",
        "{child} seen repeatedly in cars with older males; CSE concerns.",
        "{child} arrested in another force area; believed to be criminally exploited.",
    ),
    "other": (
        "Concern for {child}'s welfare raised by a member of the public.",
        "{child} found alone late at night; taken home.",
        "Anonymous report of a child left unsupervised.",
    ),
}

RATIONALES: dict[str, tuple[str, ...]] = {
    "high": (
        "Risk of serious harm is very likely: young age, no contact and known exploitation risk.",
        "Immediate threat of serious harm; history of violence towards the child.",
        "Vulnerable child with no safe adult; harm is imminent without police action.",
    ),
    "medium": (
        "Risk of harm is likely but not serious: out of character, has a history of returning.",
        "Some risk to the child; protective factors present but the situation is unstable.",
        "Previous incidents of the same kind; child is not in immediate danger.",
    ),
    "standard": (
        "Low risk of harm to the child or the public; well-known pattern of behaviour.",
        "No indication of harm; the child is safe with a protective adult.",
    ),
}

_T = TypeVar("_T", str, tuple[str, str])

# Phrases that fit only some kinds of case (the case type codes of SUMMARIES); every other
# phrase fits any case. A tuple phrase (decision, reason) is named by its first part.
ONLY_FOR: dict[str, frozenset[str]] = {
    # Returning is what a missing child does: never on a neglect or an online case.
    "Risk of harm is likely but not serious: out of character, has a history of returning.": (
        frozenset({"missing"})
    ),
    "Allocate to the missing persons unit.": frozenset({"missing"}),
    "Closed: child returned safe and well.": frozenset({"missing"}),
    # An out-of-court resolution is for a child who offended.
    "Out-of-court resolution.": frozenset({"custody", "exploitation"}),
    "Charge authorised by the CPS.": frozenset(
        {"abuse_neglect", "domestic_abuse", "online_cse", "exploitation", "custody"}
    ),
    "Phone downloaded; awaiting the report from digital forensics.": frozenset(
        {"online_cse", "exploitation", "custody", "missing"}
    ),
    "Said they were scared when the adults argued.": frozenset(
        {"domestic_abuse", "abuse_neglect", "other"}
    ),
    "Said they went to a friend's house because home is stressful.": frozenset(
        {"missing", "domestic_abuse", "other"}
    ),
    "Said an older boy gave them money to carry a bag.": frozenset(
        {"exploitation", "missing", "custody"}
    ),
}


def _name(phrase: str | tuple[str, ...]) -> str:
    return phrase if isinstance(phrase, str) else phrase[0]


def fitting(options: tuple[_T, ...], case_type: str) -> tuple[_T, ...]:
    """The options that fit this kind of case (ONLY_FOR), in their order."""
    kept = tuple(o for o in options if case_type in ONLY_FOR.get(_name(o), {case_type}))
    assert kept, f"no phrase fits a {case_type} case"
    return kept


TRIAGE_DECISIONS = (
    ("Allocate for investigation.", "The threshold for a police investigation is met."),
    ("Strategy discussion with children's social care.", "Significant harm is suspected."),
    ("Joint visit with social care within 24 hours.", "Child needs to be seen and spoken to."),
    ("Allocate to the missing persons unit.", "Repeat missing episode; return interview needed."),
    ("Safeguarding referral to the local authority.", "Partner agencies are best placed to lead."),
)
CLOSURE_DECISIONS = (
    ("No further action.", "Enquiries complete; no offence disclosed and the child is safe."),
    ("Closed: child returned safe and well.", "Return interview completed; no harm disclosed."),
    ("Charge authorised by the CPS.", "Evidential and public interest tests are met."),
    ("Closed: referred to early help.", "Needs are best met by a family support service."),
    ("Out-of-court resolution.", "Proportionate to the offence and the child's age."),
)
NOTES = (
    "Spoke to the school's designated safeguarding lead; attendance has dropped this term.",
    "Home visit completed; the home was clean and there was food in the house.",
    "Checks made with health: no recent attendance at A&E.",
    "Called mother to update her on the investigation.",
    "Social worker allocated; strategy meeting booked for next week.",
    "Tried to contact the family twice; no answer. Will try again tomorrow.",
    "Intelligence check completed; no new information.",
    "Phone downloaded; awaiting the report from digital forensics.",
)
REVIEW_FINDINGS = (
    "Risk assessment is proportionate and the rationale is recorded.",
    "Investigation plan in place; the child has been seen.",
    "Actions are overdue; the voice of the child is not yet recorded.",
    "Good liaison with partners; safety plan agreed.",
    "Case is progressing; no new risks identified.",
)
REVIEW_DIRECTIONS = (
    "Complete the outstanding actions within 7 days.",
    "Make sure the child is seen and spoken to alone.",
    "Update the risk assessment after the strategy discussion.",
    "Continue the investigation plan; review in 28 days.",
    "Record the rationale for the next steps.",
)
CLOSURE_FINDINGS = (
    "All lines of enquiry complete; the child's voice is recorded.",
    "Outcome is appropriate and the family has been signposted to support.",
    "Safeguarding actions complete; closure approved.",
)
CHILD_SAID = (
    "Said they feel safe at home now.",
    "Said they were scared when the adults argued.",
    "Did not want to talk about what happened.",
    "Said they went to a friend's house because home is stressful.",
    "Said they want to stay with their grandmother.",
    "Said nobody hurt them.",
    "Said an older boy gave them money to carry a bag.",
)
DEMEANOURS = (
    "Quiet and withdrawn.",
    "Chatty and relaxed.",
    "Tired, avoided eye contact.",
    "Upset at first, calmer by the end.",
    "Angry about police involvement.",
)
NOT_SEEN_REASONS = (
    "Family declined a visit; social worker saw the child the next day.",
    "Child was asleep; seen by the social worker instead.",
    "Child refused to speak to police.",
)

# Missing episodes (issue 5). `{town}` is the child's home town, `{placement}` a care placement.
CARE_HOMES = (
    "Oakfield House",
    "Beechwood Lodge",
    "Hollybank",
    "Rosedale House",
    "Larchfield",
    "Meadowview",
    "Ashgrove House",
    "Willowbrook",
)
MISSING_CIRCUMSTANCES: dict[str, tuple[str, ...]] = {
    "home": (
        "Left after an argument about phone use and did not come home by the agreed time.",
        "Went out after school saying they were going to a friend's; the friend has not seen them.",
        "Did not come home after a night out; phone switched off since 22:00.",
        "Left the house during the evening without saying where; took a bag of clothes.",
        "Told a sibling they were meeting someone from online; not returned.",
    ),
    "care": (
        "Left the placement at 21:00 after being asked to hand in their phone; not returned.",
        "Did not return from an agreed hour of free time in the town centre.",
        "Absconded from the placement with another young person; believed to be together.",
        "Left after a dispute with staff; has gone missing from this placement before.",
    ),
    "school": (
        "Registered in the morning but not in class after lunch; not returned home.",
        "Walked out of school after an incident with a teacher; not seen since.",
    ),
    "hospital": (
        "Left the children's ward while waiting to be seen by the mental health team.",
        "Walked out of the emergency department before treatment was finished.",
    ),
    "elsewhere": (
        "Separated from family at a shopping centre and not found in the area.",
        "Did not return from a contact visit with their father.",
        "Left a friend's house late at night to walk home; did not arrive.",
    ),
}
LAST_SEEN_PLACES: dict[str, tuple[str, ...]] = {
    "home": ("Home address, {town}", "Outside the home address, {town}"),
    "care": ("{placement}, {town}",),
    "school": ("{town} Academy", "{town} High School", "{town} Community School"),
    "elsewhere": (
        "{town} town centre",
        "Bus station, {town}",
        "A friend's address, {town}",
        "Retail park, {town}",
    ),
}
BUILDS = ("slim", "medium", "stocky", "tall and slim", "small")
HAIR = ("short brown", "long dark", "blonde", "shaved", "curly black", "shoulder-length red")
CLOTHES = (
    "a black North Face jacket and grey joggers",
    "a school uniform with a navy blazer",
    "a red hoodie, black jeans and white trainers",
    "a grey tracksuit and a black puffer coat",
    "a pink coat and blue jeans",
    "a black bomber jacket and a baseball cap",
)
HEALTH_NEEDS = (
    ("Type 1 diabetes", "Insulin pen: left at home"),
    ("Epilepsy", "Levetiracetam twice a day"),
    ("Severe asthma", "Salbutamol inhaler"),
    ("ADHD", "Methylphenidate each morning"),
)
SELF_HARM_NEEDS = (
    "History of self-harm; open to CAMHS",
    "Recent overdose; under the crisis team",
    "Low mood; told a friend they want to die",
)
GRADE_RATIONALES: dict[str, tuple[str, ...]] = {
    "high": (
        "Risk of serious harm is very likely: vulnerable child, no contact, risk factors recorded.",
        "Immediate risk to life given the self-harm history; deploy at once.",
        "Young age and out of character; the child may be the victim of a crime.",
    ),
    "medium": (
        "Risk of harm is likely: a pattern of going missing and links to older associates.",
        "Missing from a care placement with known risks; not in immediate danger.",
        "Some risk to the child; has gone missing before and returned, but the risk is real.",
    ),
    "low": (
        "Out of character but no known risk factors; family checking friends.",
        "Low risk: with a known friend; expected back this evening.",
    ),
    "no_apparent_risk": (
        "Absent, not missing: known whereabouts likely, no risk factors; monitor and review.",
        "Late back from an agreed outing; no apparent risk, placement to keep calling.",
    ),
}
SUPERVISOR_CONFIRMS = (
    "Grade confirmed: risk factors as recorded; search plan in place.",
    "Agree the grade; review again at the next risk review.",
    "Grade is proportionate; intelligence checks and phone enquiries under way.",
)
SUPERVISOR_LOWERS = (
    "Seen on CCTV with known friends since the report; lower grade agreed.",
    "Known pattern: always returns to the same address; lower grade agreed with rationale.",
    "Called a friend since the report and is safe, not yet home; lower grade agreed.",
)
REGRADE_UP = (
    "Texted a friend saying they want to die; regraded.",
    "Seen getting into a car with older males; regraded.",
    "Missing overnight now and the phone is off; regraded.",
)
RISK_REVIEWS = (
    "Known addresses checked; no trace.",
    "Phone still off; friends and family spoken to again.",
    "Social media checked; no activity since the report.",
    "CCTV requested from the bus station and the town centre.",
    "Placement staff spoken to; no contact from the child.",
)
FOUND_PLACES = (
    "A friend's address, {town}",
    "{town} town centre",
    "Bus station, {town}",
    "An address in Sunderland",
)
FOUND_PLACES_FROM: dict[str, tuple[str, ...]] = {
    "home": ("Returned home of their own accord", "Returned home of their own accord"),
    "care": ("Returned to the placement", "Returned to the placement"),
}
FOUND_BY = ("Returned of their own accord", "PC {name}", "Parent", "Placement staff")
CONDITIONS = (
    "Safe and well.",
    "Safe and well; tired and hungry.",
    "Cold and wet; checked by paramedics, no treatment needed.",
    "Had been drinking; taken home to a parent.",
    "Minor cuts to the hands; declined treatment.",
)
HARM = (
    "None disclosed.",
    "None disclosed.",
    "None disclosed.",
    "Says an older male pushed them; allegation recorded.",
    "Minor injuries from a fall; no harm by others disclosed.",
)
OFFENCES = (
    "Admitted taking food from a shop while away.",
    "Phone stolen while away; crime recorded.",
)
WHY_WENT = (
    "Argument at home about phone use and curfew.",
    "Wanted to see friends and lost track of time.",
    "Unhappy at the placement; wants to live nearer family.",
    "Went to see a boyfriend; would not give his name.",
    "Asked by older friends to go out of town; would not say more.",
    "Felt nobody listens at home; went to a friend's to calm down.",
)
PREVENTION_NOTES = (
    "",
    "Spoke alone in a quiet room at the home address.",
    "Safety plan agreed with the carer.",
    "Details passed to the local authority for the return home interview.",
)
RHI_SUMMARIES = (
    "Talked about worries at home; referred to the family support service.",
    "Child engaged well; no new risks. Information shared with the social worker.",
    "Disclosed pressure from older friends; shared with the exploitation team.",
    "Short conversation; the child did not want to talk about why they went.",
)

# Domestic abuse incidents (incidents.py) and Operation Encompass notifications.
DA_ACCOUNTS = (
    "Called by a neighbour who heard shouting and banging. The victim had a red mark on her "
    "cheek and said she had been pushed against a wall. The suspect had left before we arrived.",
    "999 call from the victim. On arrival the suspect was calm; the victim was tearful and said "
    "he had taken her phone and would not let her leave the kitchen.",
    "Verbal argument that became physical; both adults had been drinking. The suspect was "
    "arrested for assault and taken to custody.",
    "The victim reported that her former partner came to the house in breach of a "
    "non-molestation order and threatened her at the door.",
    "Report of a disturbance. Broken glass in the hallway; the victim said a mug was thrown at "
    "her. She declined to make a statement at this time.",
    "The victim disclosed months of controlling behaviour: money taken, messages checked, "
    "friends stopped from visiting. No injuries seen today.",
    "Child rang 999 saying the adults were fighting. Officers found the victim with a swollen "
    "lip; the suspect was arrested at the scene.",
    "Third call this month to the address. Argument about child contact; no assault disclosed, "
    "but the victim said she is frightened of what he will do next.",
)
CHILD_WHERE_PRESENT = (
    "In the living room during the incident",
    "Upstairs in their bedroom",
    "Asleep upstairs; woke during the incident",
    "In the kitchen with the victim",
    "Hiding in the bathroom",
    "On the stairs, watching",
)
CHILD_WHERE_AWAY = (
    "At school",
    "Staying with grandparents",
    "At a friend's house",
    "With the other parent",
    "At nursery",
    "At an after-school club",
)
DA_CHILD_SAID = (
    "Said they were scared when the shouting started.",
    "Said daddy pushed mummy.",
    "Said this happens a lot and they go upstairs when it does.",
    "Said they did not see anything.",
    "Said they want to stay with their nan tonight.",
    "Said they feel safe now the police are here.",
    "Said they called the police because they were frightened.",
    "Did not want to talk about what happened.",
)
DA_DEMEANOURS = (
    "Quiet and clingy to the victim.",
    "Upset and crying.",
    "Calm; watching the officers closely.",
    "Withdrawn; would not make eye contact.",
    "Chatty and seemed unaware of what had happened.",
    "Anxious; asked several times if the suspect was coming back.",
)
DASH_RAISED = (
    "Recent separation and escalating threats: the score understates the risk.",
    "Strangulation disclosed this time; the officer judges the risk higher than the score.",
    "Victim minimised the answers; history and the children's accounts show more risk.",
    "Pregnancy and a new injunction breach raise the risk beyond the score.",
)
MARAC_JUDGEMENT = (
    "Victim is isolated and the suspect has access to the children: refer on judgement.",
    "Escalating stalking and threats to kill; refer despite the score.",
    "Children at significant risk of harm from the suspect's behaviour.",
)
TRIAGE_NOTES = (
    "Checked previous incidents and intelligence; grade confirmed. Safeguarding referral made.",
    "History of repeat calls to the address; grade confirmed and children's social care told.",
    "No previous history; victim supported by an IDVA referral. Grade agreed.",
    "Suspect on bail with conditions; checked compliance. Risk reassessed.",
    "Spoke to the victim by phone; safety plan agreed and target hardening requested.",
)
BABY_DEMEANOURS = (
    "Asleep in a cot throughout; settled.",
    "Being held by the victim; settled.",
    "Crying, settled once held.",
)
NOT_SPOKEN_REASONS = (
    "Asleep; not woken.",
    "Too upset to speak tonight; to be seen on a follow-up visit.",
    "The victim asked that the child not be spoken to tonight.",
)
TOO_YOUNG = "Too young to speak to about the incident."
