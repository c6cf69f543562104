"""Recompute every person's search keys: they now also hold the sounds of the formal names the
nicknames dataset gives (Ben -> Benjamin) and a three-sound prefix key (Alfie, Alfred: QALF).
In batches of 2,000, by primary key, so a force of a million people is not read at once."""

from django.db import migrations

from safeguard.people.rules.matching import search_keys

BATCH = 2000


def backfill(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    Alias = apps.get_model("people", "Alias")
    last = 0
    while True:
        batch = list(
            Person.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "given_names", "family_name", "search_keys")[:BATCH]
        )
        if not batch:
            return
        aliases: dict[int, list[str]] = {}
        for person_id, given, family in Alias.objects.filter(
            person_id__in=[row[0] for row in batch]
        ).values_list("person_id", "given_names", "family_name"):
            aliases.setdefault(person_id, []).extend([given, family])
        changed = []
        for pk, given, family, old in batch:
            keys = search_keys(given, family, *aliases.get(pk, []))
            if keys != old:
                changed.append(Person(pk=pk, search_keys=keys))
        Person.objects.bulk_update(changed, ["search_keys"], batch_size=500)
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("people", "0003_warning_markers")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
