"""Accent-free search: title and description folded into search_text, indexed for LIKE '%…%' on PostgreSQL."""

from typing import Any

from django.db import migrations, models

from kit.text import fold

BATCH = 2000


def fill(apps: Any, schema_editor: Any) -> None:
    """Every task's folded words, in batches read by primary key (no open cursor while writing)."""
    Task = apps.get_model("tasks", "Task")
    tasks = Task.objects.using(schema_editor.connection.alias)
    ids = list(tasks.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = list(tasks.filter(pk__in=ids[start : start + BATCH]).only("title", "description"))
        for task in batch:
            task.search_text = fold(f"{task.title}\n{task.description}")
        tasks.bulk_update(batch, ["search_text"])


def trigram_index(apps: Any, schema_editor: Any) -> None:
    """PostgreSQL: a trigram index answers `search_text LIKE '%x%'` without reading every row.

    SQLite has none; a plan's few thousand tasks are read in milliseconds there.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS task_search_trgm ON tasks_task "
        "USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS task_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0005_dashboard_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
