"""Plausible free text for synthetic records: short, varied, and never about a real person.

Picked by the generator's seeded random source, so the text is as deterministic as the rest.
`{child}` is the subject child's given name.
"""

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
