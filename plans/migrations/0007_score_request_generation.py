from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations, models


def index_of_earlier_days(apps, schema_editor):
    """Days scored before the index was kept: every part then counted in the maximum."""
    ScoreSnapshot = apps.get_model("plans", "ScoreSnapshot")
    earlier = ScoreSnapshot.objects.filter(index_pct__isnull=True, applicable_max=0)
    for snapshot in earlier.exclude(max_points=0).iterator():
        snapshot.applicable_max = snapshot.max_points
        snapshot.index_pct = (snapshot.points * 100 / snapshot.max_points).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        snapshot.save(update_fields=["applicable_max", "index_pct"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0006_unit_plans_index_sets_per_level"),
    ]

    operations = [
        migrations.AddField(
            model_name="scorerequest",
            name="generation",
            field=models.PositiveBigIntegerField(default=1, verbose_name="changes"),
        ),
        migrations.RunPython(index_of_earlier_days, migrations.RunPython.noop),
    ]
