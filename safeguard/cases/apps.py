from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safeguard.cases"
    label = "cases"
    verbose_name = "Child protection cases"

    def ready(self) -> None:
        # Lists and messages in core (clock rows, escalation emails) name a case as people do.
        from safeguard.cases.selectors import case_record_labels
        from safeguard.core.clocks import labeller_register

        labeller_register("case", case_record_labels)
        # What people's search results and duplicate candidates show from above people: the
        # open cases, the exploitation marker, and school names (partners is people's sibling).
        from safeguard.cases.selectors import exploitation_markers, open_cases_of_people
        from safeguard.partners.selectors import school_names
        from safeguard.people.selectors import (
            marker_source_register,
            open_cases_register,
            school_names_register,
        )

        open_cases_register("cases.open", open_cases_of_people)
        marker_source_register("cases.exploitation", exploitation_markers)
        school_names_register("partners.schools", school_names)
