"""Load the national taxonomy (14 OZG Themenfelder, Lebenslagen) that production needs too."""

from django.db import migrations


def load_taxonomy(apps, schema_editor):
    from rathaus.catalog.taxonomy import sync_taxonomy

    sync_taxonomy(apps.get_model("catalog", "Topic"), apps.get_model("catalog", "LifeSituation"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_initial")]

    operations = [migrations.RunPython(load_taxonomy, migrations.RunPython.noop)]
