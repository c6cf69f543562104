from django.db import migrations


class Migration(migrations.Migration):
    """The child-seen clock is met once every subject child is seen, not the first of them."""

    dependencies = [("cases", "0005_involvement_victim")]

    operations = [
        migrations.RenameField(
            model_name="case", old_name="child_first_seen_at", new_name="subjects_seen_at"
        )
    ]
