"""The assessment's reminders move into the one sent-log of the reminder engine.

Each row sent before is kept there as sent ("assessment:<id>" as its subject),
so that no reminder goes out a second time after the upgrade.
"""

from django.db import migrations

BATCH = 1000


def into_the_sent_log(apps, schema_editor):
    old = apps.get_model("assessments", "SentAssessmentReminder")
    sent_log = apps.get_model("tasks", "SentReminder")
    rows = [
        sent_log(
            task=None,
            subject=f"assessment:{r.assessment_id}",
            kind=r.kind,
            due_date=r.closes_on,
            recipient_id=r.recipient_id,
            claimed_at=r.sent_at,
            sent_at=r.sent_at,
            attempts=1,
        )
        for r in old.objects.all().iterator(chunk_size=BATCH)
    ]
    sent_log.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)


def back_out_of_it(apps, schema_editor):
    old = apps.get_model("assessments", "SentAssessmentReminder")
    sent_log = apps.get_model("tasks", "SentReminder")
    rows = []
    for r in sent_log.objects.filter(subject__startswith="assessment:", sent_at__isnull=False):
        rows.append(
            old(
                assessment_id=int(r.subject.split(":", 1)[1]),
                kind=r.kind,
                closes_on=r.due_date,
                recipient_id=r.recipient_id,
                sent_at=r.sent_at,
            )
        )
    old.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    sent_log.objects.filter(subject__startswith="assessment:").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_reminder_closing_day"),
        ("tasks", "0011_one_sent_log_for_every_reminder"),
    ]

    operations = [
        migrations.RunPython(into_the_sent_log, back_out_of_it),
        migrations.DeleteModel(name="SentAssessmentReminder"),
    ]
