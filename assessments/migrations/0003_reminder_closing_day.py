import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_level_choices"),
        ("plans", "0010_accounts_security_log"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="sentassessmentreminder",
            name="assessment_reminder_once",
        ),
        migrations.AddField(
            model_name="sentassessmentreminder",
            name="closes_on",
            field=models.DateField(default=datetime.date(2000, 1, 1), verbose_name="closing day"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="sentassessmentreminder",
            constraint=models.UniqueConstraint(
                fields=("assessment", "kind", "closes_on", "recipient"),
                name="assessment_reminder_once",
            ),
        ),
    ]
